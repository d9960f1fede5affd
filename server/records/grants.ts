import { randomUUID } from "node:crypto";
import type { GrantRequest, GrantScope, GrantView } from "../../sdk/api";
import { Prisma } from "../db/.generated/sqlite/client";
import { writeTransaction, type Db, type DbProvider, type TxClient } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import { asDate, chunks, placeholders, query } from "../db/sql";
import type { AccessLogWriter } from "../access-log/writer";
import { badRequest, conflict, notFound } from "../http/problem";
import { requireAdmitted } from "../orgs/service";
import { grantFields, ownedRecord } from "./access";
import { checkedFields, shareableFields } from "./grant-fields";

const sql = Prisma.sql;

interface GrantRow {
  id: string;
  grantee: string;
  grantedBy: string;
  scope: string;
  createdAt: unknown;
  expiresAt: unknown;
  parentGrantId: string | null;
  policy: string | null;
  fields: string | null;
}

const GRANT_COLUMNS = sql`"id", "grantee", "grantedBy", "scope", "createdAt", "expiresAt", "parentGrantId", "policy", "fields"`;

export function grantView(g: GrantRow): GrantView {
  const expiresAt = asDate(g.expiresAt);
  const fields = grantFields(g.fields);
  return {
    id: g.id,
    grantee: g.grantee,
    grantedBy: g.grantedBy,
    scope: g.scope === "linked" ? "linked" : "object",
    createdAt: asDate(g.createdAt)!.toISOString(),
    ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
    ...(g.parentGrantId ? { parentGrantId: g.parentGrantId } : {}),
    ...(g.policy ? { policy: g.policy } : {}),
    ...(fields ? { fields } : {}),
  };
}

/** An expiry given by a caller: a future instant, else a 400 naming the field. */
export function futureExpiry(expiresAt: string | undefined, path = "expiresAt"): Date | null {
  if (!expiresAt) return null;
  const expiry = new Date(expiresAt);
  if (expiry.getTime() <= Date.now()) throw badRequest("invalid-grant", `${path} is in the past.`, [{ path, message: "must be in the future" }]);
  return expiry;
}

/**
 * The owner lets another organisation read every version of a record ("object"), or the record and
 * everything linked to it ("linked", docs/one-record.md "Sharing"), until an optional expiry; with
 * `fields`, only those top-level fields of the record itself (object scope only).
 */
export async function grantAccess(db: Db, orgId: string, recordId: string, input: GrantRequest): Promise<GrantView> {
  const record = await ownedRecord(db, orgId, recordId);
  const { grantee } = input;
  const scope = input.scope ?? "object";
  if (grantee === orgId) throw badRequest("invalid-grant", "An owner needs no grant to its own record.");
  if (input.fields && scope === "linked")
    throw badRequest("invalid-grant", "A field-level grant shares fields of this record only: its scope is object.", [
      { path: "scope", message: "fields need scope object" },
    ]);
  await requireAdmitted(db, grantee, "grantee");
  const expiry = futureExpiry(input.expiresAt);
  const expiryText = expiry?.toISOString() ?? null;
  const fields = input.fields ? JSON.stringify(checkedFields(record.type, input.fields, await shareableFields(db, record))) : null;
  return writeTransaction(db, async (tx) => {
    // One active grant of the owner's own per grantee and record: granting again replaces its expiry,
    // scope and fields (grants by policy, by access request and onward grants stand on their own).
    const [active] = await tx.$queryRaw<{ id: string }[]>(
      sql`SELECT "id" FROM "Grant" WHERE "recordId" = ${recordId} AND "grantee" = ${grantee} AND "revokedAt" IS NULL
            AND "policy" IS NULL AND "parentGrantId" IS NULL AND "requestId" IS NULL ORDER BY "createdAt" LIMIT 1`,
    );
    const id = active?.id ?? randomUUID();
    if (active)
      await tx.$executeRaw(
        sql`UPDATE "Grant" SET "expiresAt" = ${expiryText}, "grantedBy" = ${orgId}, "scope" = ${scope}, "fields" = ${fields} WHERE "id" = ${id}`,
      );
    else
      await tx.$executeRaw(
        sql`INSERT INTO "Grant" ("id", "recordId", "grantee", "grantedBy", "createdAt", "expiresAt", "scope", "fields")
            VALUES (${id}, ${recordId}, ${grantee}, ${orgId}, ${new Date().toISOString()}, ${expiryText}, ${scope}, ${fields})`,
      );
    const [row] = await tx.$queryRaw<GrantRow[]>(sql`SELECT ${GRANT_COLUMNS} FROM "Grant" WHERE "id" = ${id}`);
    return grantView(row!);
  });
}

/**
 * The owner revokes the grantee's grants of a record, and at once every grant delegated from them.
 * Grants made by a policy are not the owner's to withdraw (customs reads what was declared to it, by
 * law): they stay, and when the grantee holds nothing else, the revocation is refused with a 409
 * naming the policy, changing nothing.
 */
export async function revokeAccess(db: Db, log: AccessLogWriter, orgId: string, recordId: string, grantee: string): Promise<void> {
  await ownedRecord(db, orgId, recordId);
  const revoked = await writeTransaction(db, async (tx) => {
    const direct = await tx.$queryRaw<{ id: string; policy: string | null }[]>(
      sql`SELECT "id", "policy" FROM "Grant" WHERE "recordId" = ${recordId} AND "grantee" = ${grantee} AND "revokedAt" IS NULL`,
    );
    const own = direct.filter((g) => g.policy === null);
    const policies = [...new Set(direct.flatMap((g) => (g.policy === null ? [] : [g.policy])))];
    if (own.length === 0 && policies.length > 0)
      throw conflict(
        "grant-required-by-policy",
        `${grantee} reads this record by the policy ${policies.join(", ")}, which the hub applies whatever the owner wishes; it cannot be revoked.`,
      );
    return revokeGrants(
      tx,
      log,
      orgId,
      own.map((g) => g.id),
    );
  });
  if (revoked === 0) throw notFound();
}

/**
 * Revokes the grants and every active grant descending from them (recursively), in the caller's
 * transaction. The grants named are logged by the caller's route; each descendant gets its own
 * REVOKE_GRANT line naming the grant it fell with. Returns how many of the named grants were active.
 */
export async function revokeGrants(tx: TxClient, log: AccessLogWriter, actor: string, grantIds: readonly string[], now = new Date()): Promise<number> {
  if (grantIds.length === 0) return 0;
  const named = new Set(grantIds);
  const rows: { id: string; recordId: string; grantee: string; parentGrantId: string | null; owner: string | null }[] = [];
  for (const part of chunks([...named], 500))
    rows.push(
      ...(await tx.$queryRaw<typeof rows>(sql`
        WITH RECURSIVE "d"("id") AS (
          SELECT "id" FROM "Grant" WHERE "id" IN (${Prisma.join(part)})
          UNION
          SELECT g."id" FROM "Grant" g JOIN "d" ON g."parentGrantId" = "d"."id"
        )
        SELECT g."id", g."recordId", g."grantee", g."parentGrantId", r."owner"
          FROM "Grant" g JOIN "d" ON "d"."id" = g."id" LEFT JOIN "Record" r ON r."id" = g."recordId"
         WHERE g."revokedAt" IS NULL`)),
    );
  const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
  for (const part of chunks(unique.map((r) => r.id)))
    await tx.$executeRaw(sql`UPDATE "Grant" SET "revokedAt" = ${now.toISOString()} WHERE "id" IN (${Prisma.join(part)})`);
  const at = now.toISOString();
  await log.appendIn(
    tx,
    unique
      .filter((r) => !named.has(r.id))
      .map((r) => ({
        at,
        actor,
        action: "REVOKE_GRANT" as const,
        recordId: r.recordId,
        version: null,
        owner: r.owner,
        detail: `from ${r.grantee} (delegated from grant ${r.parentGrantId ?? "?"}, revoked)`,
      })),
  );
  return unique.filter((r) => named.has(r.id)).length;
}

export async function listGrants(db: Db, orgId: string, recordId: string): Promise<GrantView[]> {
  await ownedRecord(db, orgId, recordId);
  const now = new Date().toISOString();
  const grants = await db.$queryRaw<GrantRow[]>(
    sql`SELECT ${GRANT_COLUMNS} FROM "Grant" WHERE "recordId" = ${recordId} AND "revokedAt" IS NULL AND ("expiresAt" IS NULL OR "expiresAt" > ${now})
        ORDER BY "createdAt", "id"`,
  );
  return grants.map(grantView);
}

export interface PolicyGrant {
  recordId: string;
  /** The owner of the record (for the access log). */
  owner: string;
  grantee: string;
  /** The named policy that grants it, e.g. "customs-declared". */
  policy: string;
  /** "linked": the record and everything linked to it (default "object"). */
  scope?: GrantScope;
}

/**
 * Grants read access by a named policy (customs reads what is declared to it, say), inside the
 * caller's transaction, logged as granted by `policy:<name>`. A grantee that already holds an
 * active grant covering it keeps it (a linked grant covers an object grant): no duplicate rows, no
 * duplicate log lines.
 */
export async function grantByPolicy(tx: TxClient, provider: DbProvider, log: AccessLogWriter, grants: readonly PolicyGrant[]): Promise<number> {
  if (grants.length === 0) return 0;
  const held = new Set<string>();
  const key = (recordId: string, grantee: string, scope: string) => `${recordId}\u0000${grantee}\u0000${scope}`;
  for (const part of chunks([...new Set(grants.map((g) => g.recordId))])) {
    const active = await query<{ recordId: string; grantee: string; scope: string; parentGrantId: string | null }>(
      tx,
      provider,
      `SELECT "recordId", "grantee", "scope", "parentGrantId" FROM "Grant" WHERE "recordId" IN (${placeholders(1, part.length)}) AND "revokedAt" IS NULL`,
      part,
    );
    for (const g of active) {
      // A delegated grant may fall with its parent: it does not stand in for a policy's own grant.
      if (g.parentGrantId !== null) continue;
      held.add(key(g.recordId, g.grantee, g.scope));
      if (g.scope === "linked") held.add(key(g.recordId, g.grantee, "object"));
    }
  }
  const fresh: PolicyGrant[] = [];
  for (const g of grants) {
    const scope = g.scope ?? "object";
    if (held.has(key(g.recordId, g.grantee, scope)) || g.grantee === g.owner) continue;
    held.add(key(g.recordId, g.grantee, scope));
    fresh.push(g);
  }
  const now = new Date();
  await insertRows(
    tx,
    provider,
    "Grant",
    ["id", "recordId", "grantee", "grantedBy", "createdAt", "policy", "scope"],
    fresh.map((g) => [randomUUID(), g.recordId, g.grantee, `policy:${g.policy}`, now, g.policy, g.scope ?? "object"]),
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
      detail: `to ${g.grantee}${g.scope === "linked" ? " (linked)" : ""}`,
    })),
  );
  return fresh.length;
}
