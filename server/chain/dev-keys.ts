import { HDNodeWallet, Mnemonic } from "ethers";

/**
 * Hardhat's public development mnemonic: its accounts are funded on every local development chain
 * and anyone can sign with them, so they are worthless anywhere else, and dangerous as a hub's keys.
 */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
/** How many of the mnemonic's accounts count as well known (Hardhat funds the first 20). */
const WELL_KNOWN_COUNT = 20;
/** Chain ids of local development chains (Hardhat's and Ganache's/Anvil's defaults). */
export const LOCAL_DEV_CHAIN_IDS: readonly number[] = [31337, 1337];

let accounts: HDNodeWallet | undefined;
let wellKnown: Set<string> | undefined;

/** The private key of development account #index (derived once per process: the seed is slow). */
export function devAccountKey(index: number): string {
  accounts ??= HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), "m/44'/60'/0'/0");
  return accounts.deriveChild(index).privateKey;
}

export function isDevKey(privateKey: string): boolean {
  wellKnown ??= new Set(Array.from({ length: WELL_KNOWN_COUNT }, (_, i) => devAccountKey(i).toLowerCase()));
  return wellKnown.has(privateKey.toLowerCase());
}

/**
 * The hub's keys must not be public development keys, unless it runs on a local development chain
 * and ALLOW_DEV_KEYS says so. Returns the variables that hold one (for a warning); throws naming the
 * variable, never the key.
 */
export function checkHubKeys(keys: Record<string, string | undefined>, chainId: number, allowDevKeys: boolean): string[] {
  const dev = Object.entries(keys)
    .filter(([, key]) => key !== undefined && isDevKey(key))
    .map(([name]) => name);
  if (dev.length === 0) return [];
  if (allowDevKeys && LOCAL_DEV_CHAIN_IDS.includes(chainId)) return dev;
  const where = allowDevKeys
    ? `ALLOW_DEV_KEYS is set, but chain id ${chainId} is not a local development chain (${LOCAL_DEV_CHAIN_IDS.join(", ")})`
    : `set ALLOW_DEV_KEYS=true only on a local development chain (chain id ${LOCAL_DEV_CHAIN_IDS.join(" or ")})`;
  throw new Error(
    `${dev.join(" and ")} ${dev.length > 1 ? "hold" : "holds"} a public Hardhat development key: anyone can sign with it. ` +
      `Use a key of your own; ${where}.`,
  );
}
