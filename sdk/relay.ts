import { Contract, Interface, JsonRpcProvider, Wallet, type Provider, type Signer, type TypedDataDomain } from "ethers";
import { z } from "zod";
import { anchorRegistryAbi } from "./chain-abi";
import { Address, Hex32 } from "./envelope";
import { MAX_REVOCATION_REASON } from "./revocation";
import type { HubClient } from "./client";

/**
 * Relayed revocation (members need no gas): the member signs an EIP-712 `Revoke` message with its key,
 * anyone submits it to AnchorRegistry.revokeBySignature and pays. The contract is the authority: it
 * checks the signature, the member's key at that block, the nonce and the deadline, and emits the
 * same `Revoked` event as a direct revocation, so verifiers see no difference.
 */

/** The EIP-712 domain's name and version (contracts/AnchorRegistry.sol's constructor). */
export const REVOCATION_DOMAIN = { name: "cargoproof AnchorRegistry", version: "1" } as const;

export const REVOKE_TYPES = {
  Revoke: [
    { name: "revoker", type: "address" },
    { name: "digest", type: "bytes32" },
    { name: "reason", type: "string" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** How long a signed revocation stays usable by default (seconds of chain time). */
export const DEFAULT_REVOCATION_VALIDITY_S = 3600;

/** A signed revocation as a member hands it to a relayer (the hub's POST /v1/revocations body). */
export const SignedRevocationSchema = z
  .object({
    revoker: Address,
    digest: Hex32,
    // Exactly as signed: the signature covers these characters, so nothing here trims them.
    reason: z.string().min(1).max(MAX_REVOCATION_REASON),
    nonce: z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "expected a decimal integer"),
    deadline: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte 0x-prefixed hex signature"),
  })
  .strict();
export type SignedRevocation = z.infer<typeof SignedRevocationSchema>;

/** What a relayer answers once the revocation is mined. */
export const RelayedRevocationSchema = z.object({
  digest: Hex32,
  revoker: Address,
  txHash: Hex32,
  blockNumber: z.number().int().nonnegative(),
});
export type RelayedRevocation = z.infer<typeof RelayedRevocationSchema>;

/** The typed data a revocation signature covers, on this chain and deployment. */
export function revocationTypedData(
  message: Omit<SignedRevocation, "signature">,
  chainId: bigint | number,
  anchorRegistry: string,
): { domain: TypedDataDomain; types: typeof REVOKE_TYPES; value: Record<string, unknown> } {
  return {
    domain: { ...REVOCATION_DOMAIN, chainId, verifyingContract: anchorRegistry },
    types: REVOKE_TYPES,
    value: { revoker: message.revoker, digest: message.digest, reason: message.reason, nonce: BigInt(message.nonce), deadline: BigInt(message.deadline) },
  };
}

export interface SignRevocationInput {
  /** The publisher's signing key (it needs no funds). */
  privateKey: string;
  /** Read for the chain id, the key's nonce and the chain's time, unless all three are given. */
  chain: { provider: Provider } | { rpcUrl: string };
  anchorRegistry: string;
  digest: string;
  reason: string;
  nonce?: bigint;
  chainId?: bigint;
  /** Unix seconds; default: the latest block's time plus DEFAULT_REVOCATION_VALIDITY_S. */
  deadline?: number;
}

/** Builds and signs a member's revocation (EIP-712, ethers signTypedData); sends nothing. */
export async function signRevocation(input: SignRevocationInput): Promise<SignedRevocation> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > MAX_REVOCATION_REASON) throw new Error(`a revocation reason is 1 to ${MAX_REVOCATION_REASON} characters`);
  const digest = Hex32.parse(input.digest);
  const wallet = new Wallet(input.privateKey);
  const own = !("provider" in input.chain);
  const provider = "provider" in input.chain ? input.chain.provider : new JsonRpcProvider(input.chain.rpcUrl, undefined, { staticNetwork: true });
  try {
    const registry = new Contract(input.anchorRegistry, anchorRegistryAbi, provider);
    const [chainId, nonce, deadline] = await Promise.all([
      input.chainId ?? provider.getNetwork().then((n) => n.chainId),
      input.nonce ?? (registry.getFunction("nonces")(wallet.address) as Promise<bigint>),
      input.deadline ??
        provider.getBlock("latest").then((b) => {
          if (!b) throw new Error("the chain has no latest block");
          return b.timestamp + DEFAULT_REVOCATION_VALIDITY_S;
        }),
    ]);
    const message = { revoker: wallet.address, digest, reason, nonce: nonce.toString(), deadline };
    const typed = revocationTypedData(message, chainId, input.anchorRegistry);
    return { ...message, signature: await wallet.signTypedData(typed.domain, typed.types, typed.value) };
  } finally {
    if (own) provider.destroy();
  }
}

/** Submits a signed revocation on chain; `sender` (any account) pays. Throws the contract's refusal. */
export async function submitRevocation(signed: SignedRevocation, opts: { sender: Signer; anchorRegistry: string }): Promise<RelayedRevocation> {
  const s = SignedRevocationSchema.parse(signed);
  const registry = new Contract(opts.anchorRegistry, anchorRegistryAbi, opts.sender);
  const tx = await registry.getFunction("revokeBySignature")(...revokeBySignatureArgs(s));
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`the revocation transaction ${tx.hash} failed`);
  return { digest: s.digest, revoker: s.revoker, txHash: tx.hash as string, blockNumber: receipt.blockNumber as number };
}

/** The arguments of AnchorRegistry.revokeBySignature, in order. */
export function revokeBySignatureArgs(s: SignedRevocation): [string, string, string, bigint, bigint, string] {
  return [s.revoker, s.digest, s.reason, BigInt(s.nonce), BigInt(s.deadline), s.signature];
}

/** Has the hub relay a signed revocation with its own funds (POST /v1/revocations, as `client`'s organisation). */
export function relayRevocation(client: HubClient, signed: SignedRevocation): Promise<RelayedRevocation> {
  return client.call("POST", "/v1/revocations", RelayedRevocationSchema, { body: signed });
}

/** Why the contract refused a (relayed) revocation. */
export type RevocationRefusal =
  | { error: "SignatureExpired"; deadline: bigint }
  | { error: "InvalidSignature"; revoker: string }
  | { error: "InvalidAccountNonce"; account: string; currentNonce: bigint }
  | { error: "NotActiveMember"; account: string }
  | { error: "AlreadyRevoked"; orgId: string; digest: string };

const anchors = new Interface(anchorRegistryAbi);
const REFUSALS = new Set(["SignatureExpired", "InvalidSignature", "InvalidAccountNonce", "NotActiveMember", "AlreadyRevoked"]);

/** Finds revert data (0x hex) in an ethers error, however deeply the provider nested it. */
function revertData(err: unknown, depth = 0): string | undefined {
  if (err === null || typeof err !== "object" || depth > 5) return undefined;
  const rec = err as Record<string, unknown>;
  if (typeof rec.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(rec.data)) return rec.data;
  for (const key of ["error", "info", "cause", "data"]) {
    const found = revertData(rec[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The contract's refusal carried by an error of estimating, calling or sending revoke(BySignature), if it is one. */
export function revocationRefusal(err: unknown): RevocationRefusal | undefined {
  const data = revertData(err);
  if (data === undefined) return undefined;
  let parsed: ReturnType<Interface["parseError"]>;
  try {
    parsed = anchors.parseError(data);
  } catch {
    return undefined;
  }
  if (!parsed || !REFUSALS.has(parsed.name)) return undefined;
  const args = parsed.args.toObject() as Record<string, unknown>;
  return { error: parsed.name, ...args } as RevocationRefusal;
}
