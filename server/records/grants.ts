import { randomUUID } from "node:crypto";
import type { GrantView } from "../../sdk/api";
import type { Db, DbProvider, TxClient } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import type { AccessLogWriter } from "../access-log/writer";
import { badRequest, notFound } from "../http/problem";
import { ownedRecord } from "./access";

const view = (g: { grantee: string; grantedBy: string; createdAt: Date; expiresAt: Date | null }): GrantView => ({
  grantee: g.grantee,
  grantedBy: g.grantedBy,
  createdAt: g.createdAt.toISOString(),
  ...(g.expiresAt ? { expiresAt: g.expiresAt.toISOString() } : {}),
});

/** The owner lets another organisation read every version of a record, until an optional expiry. */
export async function grantAccess(db: Db, orgId: string, recordId: string, grantee: string, expiresAt?: string): Promise<GrantView> {
  await ownedRecord(db, orgId, recordId);
  if (grantee === orgId) throw badRequest("invalid-grant", "An owner needs no grant to its own record.");
  if (!(await db.organization.findUnique({ where: { id: grantee }, select: { id: true } })))
    throw badRequest("unknown-organization", `No organisation ${grantee} is admitted.`, [{ path: "grantee", message: "unknown organisation" }]);
  const expiry = expiresAt ? new Date(expiresAt) : null;
  if (expiry && expiry.getTime() <= Date.now())
    throw badRequest("invalid-grant", "expiresAt is in the past.", [{ path: "expiresAt", message: "must be in the future" }]);
  const active = await db.grant.findFirst({ where: { recordId, grantee, revokedAt: null } });
  if (active) {
    // Granting again replaces the expiry: one active grant per grantee and record.
    return view(await db.grant.update({ where: { id: active.id }, data: { expiresAt: expiry, grantedBy: orgId } }));
  }
  return view(await db.grant.create({ data: { id: randomUUID(), recordId, grantee, grantedBy: orgId, expiresAt: expiry } }));
}

export async function revokeAccess(db: Db, orgId: string, recordId: string, grantee: string): Promise<void> {
  await ownedRecord(db, orgId, recordId);
  const { count } = await db.grant.updateMany({ where: { recordId, grantee, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count === 0) throw notFound();
}

export async function listGrants(db: Db, orgId: string, recordId: string): Promise<GrantView[]> {
  await ownedRecord(db, orgId, recordId);
  const now = new Date();
  const grants = await db.grant.findMany({
    where: { recordId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    orderBy: { createdAt: "asc" },
  });
  return grants.map(view);
}


export interface PolicyGrant {
  recordId: string;
  /** The owner of the record (for the access log). */
  owner: string;
  grantee: string;
  /** The named policy that grants it, e.g. "customs-declared". */
  policy: string;
}

/**
 * Grants read access by a named policy (customs reads what is declared to it, say), inside the
 * caller's transaction, logged as granted by `policy:<name>`. A grantee that already holds an
 * active grant of the record keeps it: no duplicate rows, no duplicate log lines.
 */
export async function grantByPolicy(tx: TxClient, provider: DbProvider, log: AccessLogWriter, grants: readonly PolicyGrant[]): Promise<number> {
  if (grants.length === 0) return 0;
  const active = await tx.grant.findMany({
    where: { recordId: { in: [...new Set(grants.map((g) => g.recordId))] }, revokedAt: null },
    select: { recordId: true, grantee: true },
  });
  const held = new Set(active.map((g) => `${g.recordId}\u0000${g.grantee}`));
  const fresh: PolicyGrant[] = [];
  for (const g of grants) {
    const key = `${g.recordId}\u0000${g.grantee}`;
    if (held.has(key) || g.grantee === g.owner) continue;
    held.add(key);
    fresh.push(g);
  }
  const now = new Date();
  await insertRows(
    tx,
    provider,
    "Grant",
    ["id", "recordId", "grantee", "grantedBy", "createdAt", "policy"],
    fresh.map((g) => [randomUUID(), g.recordId, g.grantee, `policy:${g.policy}`, now, g.policy]),
  );
  await log.appendIn(
    tx,
    fresh.map((g) => ({
      at: now.toISOString(),
      actor: `policy:${g.policy}`,
      action: "GRANT" as const,
      recordId: g.recordId,
      version: null,
      owner: g.owner,
      detail: `to ${g.grantee}`,
    })),
  );
  return fresh.length;
}
