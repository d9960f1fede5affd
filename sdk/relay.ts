import {
  Contract,
  Interface,
  JsonRpcProvider,
  Wallet,
  type Provider,
  type Signer,
  type TransactionReceipt,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import { z } from "zod";
import { anchorRegistryAbi, credentialRegistryAbi, orgIdToBytes32 } from "./chain-abi";
import { Address, Hex32, OrgIdSchema } from "./envelope";
import { MAX_REVOCATION_REASON } from "./revocation";
import { CredentialKindSchema, credentialKindNumber, decodeScope, encodeScope } from "./authority/credentials";
import type { CredentialGrant } from "./authority/chain";
import { CredentialViewSchema } from "./api";
import type { HubClient } from "./client";

/**
 * Relayed member actions (members need no gas): the member signs an EIP-712 message with its key, anyone
 * submits it to the registry's `...BySignature` function and pays. The contract is the authority: it
 * checks the signature, the key's rights at that block, the nonce and the deadline (contracts/
 * MemberSignatures.sol), and emits the same event as the direct call, so verifiers see no difference.
 * Three such messages: a record revocation (AnchorRegistry), a credential's issue and its revocation
 * (CredentialRegistry). One signer, one submitter and one refusal decoder serve all three.
 */

/** The EIP-712 domains' names and version (the contracts' constructors). */
export const REVOCATION_DOMAIN = { name: "cargoproof AnchorRegistry", version: "1" } as const;
export const CREDENTIAL_DOMAIN = { name: "cargoproof CredentialRegistry", version: "1" } as const;

export const REVOKE_TYPES = {
  Revoke: [
    { name: "revoker", type: "address" },
    { name: "digest", type: "bytes32" },
    { name: "reason", type: "string" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export const ISSUE_CREDENTIAL_TYPES = {
  IssueCredential: [
    { name: "issuer", type: "address" },
    { name: "subject", type: "bytes32" },
    { name: "kind", type: "uint8" },
    { name: "validFrom", type: "uint64" },
    { name: "validUntil", type: "uint64" },
    { name: "scope", type: "string" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export const REVOKE_CREDENTIAL_TYPES = {
  RevokeCredential: [
    { name: "revoker", type: "address" },
    { name: "id", type: "uint256" },
    { name: "reason", type: "string" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** How long a signed message stays usable by default (seconds of chain time). */
export const DEFAULT_REVOCATION_VALIDITY_S = 3600;

const Uint256 = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "expected a decimal integer");
const UnixSeconds = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Reason = z.string().min(1).max(MAX_REVOCATION_REASON);
/** The fields every signed message ends with. */
const SIGNED = {
  nonce: Uint256,
  deadline: UnixSeconds,
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte 0x-prefixed hex signature"),
};

/** A signed revocation as a member hands it to a relayer (the hub's POST /v1/revocations body). */
export const SignedRevocationSchema = z
  .object({
    revoker: Address,
    digest: Hex32,
    // Exactly as signed: the signature covers these characters, so nothing here trims them.
    reason: Reason,
    ...SIGNED,
  })
  .strict();
export type SignedRevocation = z.infer<typeof SignedRevocationSchema>;

/** The longest scope a signed credential may carry (canonical JSON). */
export const MAX_SIGNED_SCOPE = 16_384;

/**
 * A credential an issuer signed (the hub's POST /v1/credentials/issuances body): the subject's id and the
 * kind's name stand for their on-chain values (orgIdToBytes32, credentialKindNumber); the scope is the
 * canonical JSON signed and stored, and must be valid for its kind.
 */
export const SignedCredentialIssueSchema = z
  .object({
    issuer: Address,
    subject: OrgIdSchema,
    kind: CredentialKindSchema,
    validFrom: UnixSeconds,
    validUntil: UnixSeconds,
    scope: z.string().max(MAX_SIGNED_SCOPE),
    ...SIGNED,
  })
  .strict()
  .superRefine((s, ctx) => {
    // decodeScope accepts what parses for the kind; the signed text must also be its canonical form.
    const parsed = decodeScope(s.kind, s.scope);
    if (!parsed || encodeScope(s.kind, parsed) !== s.scope)
      ctx.addIssue({ code: "custom", path: ["scope"], message: `not the canonical JSON of a ${s.kind} scope` });
  });
export type SignedCredentialIssue = z.infer<typeof SignedCredentialIssueSchema>;

/** A credential revocation an issuer signed (the hub's POST /v1/credentials/revocations body). */
export const SignedCredentialRevocationSchema = z
  .object({
    revoker: Address,
    id: Uint256,
    reason: Reason,
    ...SIGNED,
  })
  .strict();
export type SignedCredentialRevocation = z.infer<typeof SignedCredentialRevocationSchema>;

/** What a relayer answers once the revocation is mined. */
export const RelayedRevocationSchema = z.object({
  digest: Hex32,
  revoker: Address,
  txHash: Hex32,
  blockNumber: z.number().int().nonnegative(),
});
export type RelayedRevocation = z.infer<typeof RelayedRevocationSchema>;

/** What the hub answers once a relayed credential issue or revocation is mined: the credential as the chain holds it now. */
export const RelayedCredentialSchema = z.object({
  credential: CredentialViewSchema,
  txHash: Hex32,
  blockNumber: z.number().int().nonnegative(),
});
export type RelayedCredential = z.infer<typeof RelayedCredentialSchema>;

/** One kind of signed message: its domain, its type and the typed-data value of a message. */
interface SignedAction<M> {
  domain: { name: string; version: string };
  types: Record<string, TypedDataField[]>;
  value(message: M): Record<string, unknown>;
}

type Unsigned<S> = Omit<S, "signature">;

const REVOCATION: SignedAction<Unsigned<SignedRevocation>> = {
  domain: REVOCATION_DOMAIN,
  types: REVOKE_TYPES,
  value: (m) => ({ revoker: m.revoker, digest: m.digest, reason: m.reason, nonce: BigInt(m.nonce), deadline: BigInt(m.deadline) }),
};

const CREDENTIAL_ISSUE: SignedAction<Unsigned<SignedCredentialIssue>> = {
  domain: CREDENTIAL_DOMAIN,
  types: ISSUE_CREDENTIAL_TYPES,
  value: (m) => ({
    issuer: m.issuer,
    subject: orgIdToBytes32(m.subject),
    kind: credentialKindNumber(m.kind),
    validFrom: BigInt(m.validFrom),
    validUntil: BigInt(m.validUntil),
    scope: m.scope,
    nonce: BigInt(m.nonce),
    deadline: BigInt(m.deadline),
  }),
};

const CREDENTIAL_REVOCATION: SignedAction<Unsigned<SignedCredentialRevocation>> = {
  domain: CREDENTIAL_DOMAIN,
  types: REVOKE_CREDENTIAL_TYPES,
  value: (m) => ({ revoker: m.revoker, id: BigInt(m.id), reason: m.reason, nonce: BigInt(m.nonce), deadline: BigInt(m.deadline) }),
};

interface TypedData {
  domain: TypedDataDomain;
  types: Record<string, TypedDataField[]>;
  value: Record<string, unknown>;
}

function typedData<M>(action: SignedAction<M>, message: M, chainId: bigint | number, verifyingContract: string): TypedData {
  return { domain: { ...action.domain, chainId, verifyingContract }, types: action.types, value: action.value(message) };
}

/** The typed data a revocation signature covers, on this chain and deployment. */
export const revocationTypedData = (message: Unsigned<SignedRevocation>, chainId: bigint | number, anchorRegistry: string): TypedData =>
  typedData(REVOCATION, message, chainId, anchorRegistry);
/** The typed data a credential issue signature covers, on this chain and deployment. */
export const credentialIssueTypedData = (message: Unsigned<SignedCredentialIssue>, chainId: bigint | number, credentialRegistry: string): TypedData =>
  typedData(CREDENTIAL_ISSUE, message, chainId, credentialRegistry);
/** The typed data a credential revocation signature covers, on this chain and deployment. */
export const credentialRevocationTypedData = (message: Unsigned<SignedCredentialRevocation>, chainId: bigint | number, credentialRegistry: string): TypedData =>
  typedData(CREDENTIAL_REVOCATION, message, chainId, credentialRegistry);

/** What every signing needs: the member's key and the chain, and optionally what would be read from it. */
export interface RelaySigningInput {
  /** The member's signing key (it needs no funds). */
  privateKey: string;
  /** Read for the chain id, the key's nonce and the chain's time, unless all three are given. */
  chain: { provider: Provider } | { rpcUrl: string };
  nonce?: bigint;
  chainId?: bigint;
  /** Unix seconds; default: the latest block's time plus DEFAULT_REVOCATION_VALIDITY_S. */
  deadline?: number;
}

const noncesAbi = ["function nonces(address owner) view returns (uint256)"];

/** The one typed-data signer: reads what is missing (chain id, the key's nonce at `contract`, a deadline), builds the message and signs it. */
async function signAction<M extends { nonce: string; deadline: number }>(
  input: RelaySigningInput,
  action: SignedAction<M>,
  contract: string,
  build: (signer: string, nonce: string, deadline: number) => M,
): Promise<M & { signature: string }> {
  const wallet = new Wallet(input.privateKey);
  const own = !("provider" in input.chain);
  const provider = "provider" in input.chain ? input.chain.provider : new JsonRpcProvider(input.chain.rpcUrl, undefined, { staticNetwork: true });
  try {
    const [chainId, nonce, deadline] = await Promise.all([
      input.chainId ?? provider.getNetwork().then((n) => n.chainId),
      input.nonce ?? (new Contract(contract, noncesAbi, provider).getFunction("nonces")(wallet.address) as Promise<bigint>),
      input.deadline ??
        provider.getBlock("latest").then((b) => {
          if (!b) throw new Error("the chain has no latest block");
          return b.timestamp + DEFAULT_REVOCATION_VALIDITY_S;
        }),
    ]);
    const message = build(wallet.address, nonce.toString(), deadline);
    const typed = typedData(action, message, chainId, contract);
    return { ...message, signature: await wallet.signTypedData(typed.domain, typed.types, typed.value) };
  } finally {
    if (own) provider.destroy();
  }
}

const checkedReason = (text: string): string => {
  const reason = text.trim();
  if (reason.length === 0 || reason.length > MAX_REVOCATION_REASON) throw new Error(`a revocation reason is 1 to ${MAX_REVOCATION_REASON} characters`);
  return reason;
};

export interface SignRevocationInput extends RelaySigningInput {
  anchorRegistry: string;
  digest: string;
  reason: string;
}

/** Builds and signs a member's revocation of a record (EIP-712 `Revoke`); sends nothing. */
export function signRevocation(input: SignRevocationInput): Promise<SignedRevocation> {
  const reason = checkedReason(input.reason);
  const digest = Hex32.parse(input.digest);
  return signAction(input, REVOCATION, input.anchorRegistry, (revoker, nonce, deadline) => ({ revoker, digest, reason, nonce, deadline }));
}

export interface SignCredentialIssueInput extends RelaySigningInput {
  credentialRegistry: string;
  /** The organisation the credential is about. */
  subject: string;
  grant: CredentialGrant;
}

/** Builds and signs an issuer's credential (EIP-712 `IssueCredential`); the scope is checked against its kind first. Sends nothing. */
export function signCredentialIssue(input: SignCredentialIssueInput): Promise<SignedCredentialIssue> {
  const subject = OrgIdSchema.parse(input.subject);
  const scope = encodeScope(input.grant.kind, input.grant.scope);
  const { kind, validFrom = 0, validUntil = 0 } = input.grant;
  return signAction(input, CREDENTIAL_ISSUE, input.credentialRegistry, (issuer, nonce, deadline) => ({
    issuer,
    subject,
    kind,
    validFrom,
    validUntil,
    scope,
    nonce,
    deadline,
  }));
}

export interface SignCredentialRevocationInput extends RelaySigningInput {
  credentialRegistry: string;
  id: bigint | string;
  reason: string;
}

/** Builds and signs an issuer's revocation of a credential (EIP-712 `RevokeCredential`); sends nothing. */
export function signCredentialRevocation(input: SignCredentialRevocationInput): Promise<SignedCredentialRevocation> {
  const reason = checkedReason(input.reason);
  const id = Uint256.parse(String(input.id));
  return signAction(input, CREDENTIAL_REVOCATION, input.credentialRegistry, (revoker, nonce, deadline) => ({ revoker, id, reason, nonce, deadline }));
}

/** The arguments of AnchorRegistry.revokeBySignature, in order. */
export function revokeBySignatureArgs(s: SignedRevocation): [string, string, string, bigint, bigint, string] {
  return [s.revoker, s.digest, s.reason, BigInt(s.nonce), BigInt(s.deadline), s.signature];
}

/** The arguments of CredentialRegistry.issueBySignature, in order. */
export function issueCredentialBySignatureArgs(s: SignedCredentialIssue): [string, string, number, bigint, bigint, string, bigint, bigint, string] {
  const v = CREDENTIAL_ISSUE.value(s);
  return [
    s.issuer,
    v.subject as string,
    v.kind as number,
    BigInt(s.validFrom),
    BigInt(s.validUntil),
    s.scope,
    BigInt(s.nonce),
    BigInt(s.deadline),
    s.signature,
  ];
}

/** The arguments of CredentialRegistry.revokeBySignature, in order. */
export function revokeCredentialBySignatureArgs(s: SignedCredentialRevocation): [string, bigint, string, bigint, bigint, string] {
  return [s.revoker, BigInt(s.id), s.reason, BigInt(s.nonce), BigInt(s.deadline), s.signature];
}

/** Sends one relayed call from `sender` (any account, it pays) and waits for it to be mined. Throws the contract's refusal. */
async function submit(sender: Signer, contract: string, abi: readonly string[], fn: string, args: readonly unknown[]): Promise<TransactionReceipt> {
  const tx = (await new Contract(contract, abi, sender).getFunction(fn)(...args)) as { hash: string; wait(): Promise<TransactionReceipt | null> };
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`the relayed transaction ${tx.hash} failed`);
  return receipt;
}

/** Submits a signed revocation on chain; `sender` (any account) pays. Throws the contract's refusal. */
export async function submitRevocation(signed: SignedRevocation, opts: { sender: Signer; anchorRegistry: string }): Promise<RelayedRevocation> {
  const s = SignedRevocationSchema.parse(signed);
  const receipt = await submit(opts.sender, opts.anchorRegistry, anchorRegistryAbi, "revokeBySignature", revokeBySignatureArgs(s));
  return { digest: s.digest, revoker: s.revoker, txHash: receipt.hash, blockNumber: receipt.blockNumber };
}

/** Submits a signed credential issue; `sender` pays. Returns the receipt (issuedCredentialId reads the id from its logs). */
export function submitCredentialIssue(signed: SignedCredentialIssue, opts: { sender: Signer; credentialRegistry: string }): Promise<TransactionReceipt> {
  const s = SignedCredentialIssueSchema.parse(signed);
  return submit(opts.sender, opts.credentialRegistry, credentialRegistryAbi, "issueBySignature", issueCredentialBySignatureArgs(s));
}

/** Submits a signed credential revocation; `sender` pays. */
export function submitCredentialRevocation(
  signed: SignedCredentialRevocation,
  opts: { sender: Signer; credentialRegistry: string },
): Promise<TransactionReceipt> {
  const s = SignedCredentialRevocationSchema.parse(signed);
  return submit(opts.sender, opts.credentialRegistry, credentialRegistryAbi, "revokeBySignature", revokeCredentialBySignatureArgs(s));
}

/** Has the hub relay a signed revocation with its own funds (POST /v1/revocations, as `client`'s organisation). */
export function relayRevocation(client: HubClient, signed: SignedRevocation): Promise<RelayedRevocation> {
  return client.call("POST", "/v1/revocations", RelayedRevocationSchema, { body: signed });
}

/** Has the hub relay a signed credential issue with its own funds (POST /v1/credentials/issuances). */
export function relayCredentialIssue(client: HubClient, signed: SignedCredentialIssue): Promise<RelayedCredential> {
  return client.call("POST", "/v1/credentials/issuances", RelayedCredentialSchema, { body: signed });
}

/** Has the hub relay a signed credential revocation with its own funds (POST /v1/credentials/revocations). */
export function relayCredentialRevocation(client: HubClient, signed: SignedCredentialRevocation): Promise<RelayedCredential> {
  return client.call("POST", "/v1/credentials/revocations", RelayedCredentialSchema, { body: signed });
}

/** Why a registry refused a (relayed) member action: its custom error and arguments. */
export type RelayRefusal =
  | { error: "SignatureExpired"; deadline: bigint }
  | { error: "InvalidSignature"; signer: string }
  | { error: "InvalidAccountNonce"; account: string; currentNonce: bigint }
  | { error: "NotActiveMember"; account: string }
  | { error: "AlreadyRevoked"; orgId: string; digest: string }
  | { error: "AlreadyRevoked"; id: bigint }
  | { error: "NotIssuer"; account: string; kind: bigint }
  | { error: "NotRevoker"; account: string; id: bigint }
  | { error: "UnknownCredential"; id: bigint }
  | { error: "BadValidity"; validFrom: bigint; validUntil: bigint }
  | { error: "ZeroSubject" };

// Both registries' errors: the two AlreadyRevoked differ in arguments, so in selector.
const registries = new Interface([...new Set([...anchorRegistryAbi, ...credentialRegistryAbi].filter((f) => f.startsWith("error ")))]);
const REFUSALS = new Set([
  "SignatureExpired",
  "InvalidSignature",
  "InvalidAccountNonce",
  "NotActiveMember",
  "AlreadyRevoked",
  "NotIssuer",
  "NotRevoker",
  "UnknownCredential",
  "BadValidity",
  "ZeroSubject",
]);

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

/** The registry's refusal carried by an error of estimating, calling or sending a (relayed) member action, if it is one. */
export function relayRefusal(err: unknown): RelayRefusal | undefined {
  const data = revertData(err);
  if (data === undefined) return undefined;
  let parsed: ReturnType<Interface["parseError"]>;
  try {
    parsed = registries.parseError(data);
  } catch {
    return undefined;
  }
  if (!parsed || !REFUSALS.has(parsed.name)) return undefined;
  const args = parsed.args.toObject() as Record<string, unknown>;
  return { error: parsed.name, ...args } as RelayRefusal;
}
