import { HDNodeWallet, Mnemonic } from "ethers";

/** Hardhat's public development mnemonic: its accounts are funded on the local chain, and worthless anywhere else. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

export function devAccountKey(index: number): string {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`).privateKey;
}
