import { ZeroHash } from "ethers";
import { bytes32ToOrgId, orgIdToBytes32 } from "../../sdk/chain-abi";
import { CREDENTIAL_KINDS, credentialKindNumber, encodeScope, inForceAt, type Credential, type CredentialKind } from "../../sdk/authority/credentials";
import { credentialIds, issuedCredentialId, kindsMask, readCredentials } from "../../sdk/authority/chain";
import type { CredentialGrantSchema, CredentialView } from "../../sdk/api";
import type { z } from "zod";
import type { HubChain } from "../chain/hub-chain";
import { HttpProblem, notFound } from "../http/problem";

type Grant = z.output<typeof CredentialGrantSchema>;
const seconds = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);
const iso = (s: number) => new Date(s * 1000).toISOString();

/** The problem when the hub has no CredentialRegistry. */
export const noCredentialRegistry = () =>
  new HttpProblem(
    503,
    "no-credential-registry",
    "Service unavailable",
    "The hub has no credential registry (CREDENTIAL_REGISTRY, or the one the participant registry names).",
  );

/** Issues a credential to `orgId` as the consortium operator, on chain. Returns its id. */
export async function issueCredential(chain: HubChain, orgId: string, grant: Grant): Promise<string> {
  if (!chain.credentials) throw noCredentialRegistry();
  const scope = encodeScope(grant.kind, grant.scope);
  const receipt = await chain.credentialTx((r) =>
    r.getFunction("issue")(orgIdToBytes32(orgId), credentialKindNumber(grant.kind), seconds(grant.validFrom), seconds(grant.validUntil), scope),
  );
  return String(issuedCredentialId(receipt.logs));
}

function view(id: bigint, c: Credential, now: number): CredentialView {
  return {
    id: String(id),
    kind: c.kind,
    subject: c.subject,
    ...(c.issuer ? { issuer: c.issuer } : {}),
    issuedAt: iso(c.issuedAt),
    validFrom: iso(c.validFrom),
    ...(c.validUntil ? { validUntil: iso(c.validUntil) } : {}),
    ...(c.revokedAt ? { revokedAt: iso(c.revokedAt) } : {}),
    ...(c.scope ? { scope: c.scope } : {}),
    inForce: inForceAt(c, now),
  };
}

/** Every credential the chain holds for an organisation, all kinds, with their history. */
export async function listCredentials(chain: HubChain, orgId: string): Promise<CredentialView[]> {
  const registry = chain.contracts.credentialRegistry;
  if (!registry) throw noCredentialRegistry();
  // "In force" as the chain sees it now (a development chain's clock may run ahead of the wall clock).
  const latest = await chain.provider.getBlock("latest");
  const now = Math.max(Math.floor(Date.now() / 1000), latest?.timestamp ?? 0);
  const perKind = await Promise.all(
    CREDENTIAL_KINDS.map(async (kind) => {
      const [list, ids] = await Promise.all([readCredentials(chain.provider, registry, orgId, kind), credentialIds(chain.provider, registry, orgId, kind)]);
      return list.map((c, i) => view(ids[i]!, c, now));
    }),
  );
  return perKind.flat().sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
}

/** Revokes one of an organisation's credentials from now on (as the consortium operator); returns its id. 404 if it is not theirs. */
export async function revokeCredential(chain: HubChain, orgId: string, rawId: string, reason: string): Promise<string> {
  const registry = chain.credentials;
  if (!registry) throw noCredentialRegistry();
  if (!/^\d{1,30}$/.test(rawId)) throw notFound();
  const id = String(BigInt(rawId));
  const raw = await registry
    .getFunction("credential")(BigInt(id))
    .catch(() => undefined);
  const subject = raw ? String((raw as { subject: string }).subject) : ZeroHash;
  if (subject === ZeroHash || bytes32ToOrgId(subject) !== orgId) throw notFound();
  if (Number((raw as { revokedAt: bigint }).revokedAt) !== 0)
    throw new HttpProblem(409, "credential-revoked", "Conflict", `Credential ${id} is already revoked.`);
  await chain.credentialTx((r) => r.getFunction("revoke")(BigInt(id), reason));
  return id;
}

/** Lets an organisation issue credentials of `kinds` on chain with its own key (an accreditation body). */
export async function setIssuer(chain: HubChain, orgId: string, kinds: readonly CredentialKind[]): Promise<void> {
  if (!chain.credentials) throw noCredentialRegistry();
  await chain.credentialTx((r) => r.getFunction("setIssuer")(orgIdToBytes32(orgId), kindsMask(kinds)));
}
