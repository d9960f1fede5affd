import { computeAddress } from "ethers";
import { orgIdToBytes32 } from "../../sdk/chain-abi";
import { RoleSchema, rolesToMask, type Role } from "../../sdk/roles";
import type { Db, TxClient } from "../db/client";
import { isUniqueViolation } from "../db/sql";
import type { HubChain } from "../chain/hub-chain";
import { badRequest, conflict, notFound } from "../http/problem";
import { type AdmitOrganization, type OrganizationView } from "../../sdk/api";
import { issueCredential } from "../authority/credentials";

export { OPERATOR_ORG_ID } from "../../sdk/api";

type OrgRow = { id: string; name: string; roles: string; signerAddress: string; publicKey: string; status: string };

/** The roles column (comma-separated) as roles. */
export const rolesOf = (column: string): Role[] =>
  column
    .split(",")
    .filter(Boolean)
    .map((r) => RoleSchema.parse(r));

export function toView(row: OrgRow): OrganizationView {
  return {
    id: row.id,
    name: row.name,
    roles: rolesOf(row.roles),
    signerAddress: row.signerAddress,
    publicKey: row.publicKey,
    status: row.status === "SUSPENDED" ? "SUSPENDED" : "ACTIVE",
  };
}

/**
 * Admits an organisation: on chain first (ParticipantRegistry), then in the database. If a previous
 * attempt got the chain write through but not the database one, the retry finishes it.
 */
export async function admitOrganization(db: Db, chain: HubChain, input: AdmitOrganization): Promise<OrganizationView> {
  const signerAddress = computeAddress(input.publicKey);
  if (await db.organization.findUnique({ where: { id: input.id } })) throw conflict("organization-exists", `Organisation ${input.id} is already admitted.`);
  if (await db.organization.findFirst({ where: { signerAddress } })) throw conflict("signer-in-use", "That signing key already belongs to an organisation.");
  const orgId = orgIdToBytes32(input.id);
  const onChain = (await chain.participants.getFunction("isAdmitted")(orgId)) as boolean;
  if (!onChain) {
    await chain.operatorTx((r) => r.getFunction("admit")(orgId, rolesToMask(input.roles), signerAddress));
  } else if (((await chain.participants.getFunction("currentSigner")(orgId)) as string) !== signerAddress) {
    throw conflict("organization-exists", `Organisation ${input.id} is registered on chain with another key.`);
  }
  const row = await db.organization
    .create({ data: { id: input.id, name: input.name, roles: input.roles.join(","), signerAddress, publicKey: input.publicKey, status: "ACTIVE" } })
    .catch((err: unknown) => {
      // Another request (or hub instance) admitted the same organisation meanwhile.
      throw isUniqueViolation(err) ? conflict("organization-exists", `Organisation ${input.id} is already admitted.`) : err;
    });
  // The credentials the operator vouches for at admission, on chain (a failure here leaves the member
  // admitted without them: the operator issues them again through /v1/orgs/{id}/credentials).
  for (const grant of input.credentials ?? []) await issueCredential(chain, input.id, grant);
  return toView(row);
}

/** One page of the organisations, by id after `after`; `next` is set when more may follow. */
export async function listOrganizations(db: Db, after: string | undefined, limit: number): Promise<{ organizations: OrganizationView[]; next?: string }> {
  const rows = await db.organization.findMany({ where: after === undefined ? {} : { id: { gt: after } }, orderBy: { id: "asc" }, take: limit + 1 });
  const page = rows.slice(0, limit).map(toView);
  return rows.length > limit ? { organizations: page, next: page[page.length - 1]!.id } : { organizations: page };
}

/**
 * A 400 unknown-organization, at `path`, unless the organisation named there is admitted. Members
 * read each other's organisation entries (GET /v1/orgs/{id}), so naming an unknown one reveals nothing more.
 */
export async function requireAdmitted(db: Db | TxClient, orgId: string, path: string): Promise<void> {
  if (!(await db.organization.findUnique({ where: { id: orgId }, select: { id: true } })))
    throw badRequest("unknown-organization", `No organisation ${orgId} is admitted.`, [{ path, message: "unknown organisation" }]);
}

export async function getOrganization(db: Db, id: string): Promise<OrganizationView> {
  const row = await db.organization.findUnique({ where: { id } });
  if (!row) throw notFound();
  return toView(row);
}

/** Rotates an organisation's signing key. Signatures made with the old key stay valid for their time. */
export async function rotateKey(db: Db, chain: HubChain, id: string, publicKey: string): Promise<OrganizationView> {
  const row = await db.organization.findUnique({ where: { id } });
  if (!row) throw notFound();
  const signerAddress = computeAddress(publicKey);
  if (await db.organization.findFirst({ where: { signerAddress } })) throw conflict("signer-in-use", "That signing key already belongs to an organisation.");
  await chain.operatorTx((r) => r.getFunction("rotateKey")(orgIdToBytes32(id), signerAddress));
  // A new epoch: every access token issued before (with the old key) stops working at once.
  return toView(await db.organization.update({ where: { id }, data: { signerAddress, publicKey, tokenEpoch: { increment: 1 } } }));
}

export async function setSuspended(db: Db, chain: HubChain, id: string, suspended: boolean): Promise<OrganizationView> {
  const row = await db.organization.findUnique({ where: { id } });
  if (!row) throw notFound();
  if ((row.status === "SUSPENDED") === suspended) throw conflict("status-unchanged", `Organisation ${id} is already ${suspended ? "suspended" : "active"}.`);
  await chain.operatorTx((r) => r.getFunction(suspended ? "suspend" : "reinstate")(orgIdToBytes32(id)));
  // Suspension ends the organisation's access tokens for good: they stay dead after a reinstatement.
  const data = suspended ? { status: "SUSPENDED", tokenEpoch: { increment: 1 } } : { status: "ACTIVE" };
  return toView(await db.organization.update({ where: { id }, data }));
}
