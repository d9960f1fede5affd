import { Contract, JsonRpcProvider, Wallet, type Provider } from "ethers";
import { anchorRegistryAbi } from "./chain-abi";
import { Hex32 } from "./envelope";

export interface RevokeInput {
  /** The publisher's signing key: the chain records the revocation under its organisation. */
  privateKey: string;
  chain: { provider: Provider } | { rpcUrl: string };
  anchorRegistry: string;
  digest: string;
  reason: string;
}

/** Longest reason accepted here: it is stored in the transaction's log, paid for by the revoker. */
export const MAX_REVOCATION_REASON = 500;

/**
 * Revokes a record version on chain (AnchorRegistry.revoke), sent and paid for by its publisher's
 * key: the hub is not involved, and every verifier sees the record as revoked from that block on.
 */
export async function revokeRecord(input: RevokeInput): Promise<{ txHash: string; blockNumber: number }> {
  const digest = Hex32.parse(input.digest);
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > MAX_REVOCATION_REASON) throw new Error(`a revocation reason is 1 to ${MAX_REVOCATION_REASON} characters`);
  const provider = "provider" in input.chain ? input.chain.provider : new JsonRpcProvider(input.chain.rpcUrl, undefined, { staticNetwork: true });
  try {
    const registry = new Contract(input.anchorRegistry, anchorRegistryAbi, new Wallet(input.privateKey, provider));
    const tx = await registry.getFunction("revoke")(digest, reason);
    const receipt = await tx.wait();
    if (!receipt || receipt.status !== 1) throw new Error(`the revocation transaction ${tx.hash} failed`);
    return { txHash: tx.hash as string, blockNumber: receipt.blockNumber as number };
  } finally {
    if (!("provider" in input.chain)) provider.destroy();
  }
}
