// Hardhat's development accounts (funded on the local chain): the one derivation is the hub's, which
// also refuses them as its own keys (server/chain/dev-keys.ts).
export { devAccountKey } from "../server/chain/dev-keys";
