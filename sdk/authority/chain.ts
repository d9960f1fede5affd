import { Contract, Interface, ZeroHash, type ContractRunner, type Provider, type Signer } from "ethers";
import { bytes32ToOrgId, credentialRegistryAbi, orgIdToBytes32 } from "../chain-abi";
import { credentialKindNumber, decodeScope, encodeScope, type Credential, type CredentialKind } from "./credentials";

/** Reading and writing the CredentialRegistry: the only place that knows its ABI shapes. */

const credentials = new Interface(credentialRegistryAbi);

type RawCredential = {
  subject: string;
  issuer: string;
  kind: bigint;
  issuedAt: bigint;
  validFrom: bigint;
  validUntil: bigint;
  revokedAt: bigint;
  scope: string;
};

function fromChain(kind: CredentialKind, raw: RawCredential): Credential {
  const scope = decodeScope(kind, raw.scope);
  return {
    kind,
    subject: bytes32ToOrgId(raw.subject),
    ...(raw.issuer === ZeroHash ? {} : { issuer: bytes32ToOrgId(raw.issuer) }),
    issuedAt: Number(raw.issuedAt),
    validFrom: Number(raw.validFrom),
    validUntil: Number(raw.validUntil),
    revokedAt: Number(raw.revokedAt),
    ...(scope ? { scope } : {}),
  };
}

/** Every credential of `kind` the chain holds for organisation `orgId` (one eth_call), with their history. */
export async function readCredentials(provider: Provider, registry: string, orgId: string, kind: CredentialKind): Promise<Credential[]> {
  const data = credentials.encodeFunctionData("credentialsOf", [orgIdToBytes32(orgId), credentialKindNumber(kind)]);
  const [list] = credentials.decodeFunctionResult("credentialsOf", await provider.call({ to: registry, data })) as unknown as [RawCredential[]];
  return list.map((raw) => fromChain(kind, raw));
}

/** What an issuer states about a member. Times in Unix seconds; 0 or absent: from now / open-ended. */
export interface CredentialGrant<K extends CredentialKind = CredentialKind> {
  kind: K;
  scope: unknown;
  validFrom?: number;
  validUntil?: number;
}

function registryFor(runner: ContractRunner, registry: string): Contract {
  return new Contract(registry, credentialRegistryAbi, runner);
}

/**
 * Issues a credential on chain from `issuer` (the consortium operator's account, or an active key of
 * an accreditation body allowed that kind). Returns its id. The scope is checked against its kind first.
 */
export async function issueCredential(issuer: Signer, registry: string, subject: string, grant: CredentialGrant): Promise<bigint> {
  const scope = encodeScope(grant.kind, grant.scope);
  const contract = registryFor(issuer, registry);
  const args = [orgIdToBytes32(subject), credentialKindNumber(grant.kind), grant.validFrom ?? 0, grant.validUntil ?? 0, scope] as const;
  const tx = (await contract.getFunction("issue")(...args)) as {
    wait(): Promise<{ status: number | null; logs: readonly { topics: readonly string[]; data: string }[] } | null>;
  };
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error("the credential was not issued (transaction failed)");
  return issuedCredentialId(receipt.logs);
}

/** The id of the credential an `issue` transaction created, from its receipt's logs. */
export function issuedCredentialId(logs: readonly { topics: readonly string[]; data: string }[]): bigint {
  const issued = logs.map((l) => credentials.parseLog(l)).find((e) => e?.name === "CredentialIssued");
  if (!issued) throw new Error("the credential's CredentialIssued event is missing from the receipt");
  return issued.args.id as bigint;
}

/** The on-chain bitmask of some credential kinds (setIssuer). */
export const kindsMask = (kinds: readonly CredentialKind[]): bigint => kinds.reduce((m, k) => m | (1n << BigInt(credentialKindNumber(k))), 0n);

/** Revokes a credential from now on (by its issuer or the consortium operator). */
export async function revokeCredential(revoker: Signer, registry: string, id: bigint, reason: string): Promise<void> {
  const tx = (await registryFor(revoker, registry).getFunction("revoke")(id, reason)) as { wait(): Promise<{ status: number | null } | null> };
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error("the credential was not revoked (transaction failed)");
}

/** The ids of an organisation's credentials of one kind, oldest first (to revoke one). */
export async function credentialIds(provider: Provider, registry: string, orgId: string, kind: CredentialKind): Promise<bigint[]> {
  const data = credentials.encodeFunctionData("credentialIds", [orgIdToBytes32(orgId), credentialKindNumber(kind)]);
  const [ids] = credentials.decodeFunctionResult("credentialIds", await provider.call({ to: registry, data })) as unknown as [bigint[]];
  return [...ids];
}

/** Lets an organisation (an accreditation body) issue the given kinds; by the consortium operator. */
export async function setIssuer(operator: Signer, registry: string, issuer: string, kinds: readonly CredentialKind[]): Promise<void> {
  const tx = (await registryFor(operator, registry).getFunction("setIssuer")(orgIdToBytes32(issuer), kindsMask(kinds))) as {
    wait(): Promise<{ status: number | null } | null>;
  };
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error("the issuer was not set (transaction failed)");
}
