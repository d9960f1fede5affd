import type { DocumentKind } from "../../sdk/records/customs-common";
import type { OrderBody } from "../../sdk/records/order";
import type { AccessLogWriter } from "../access-log/writer";
import type { DbProvider, TxClient } from "../db/client";
import { revokeGrants } from "../records/grants";
import { chunks, placeholders, query, type Runner } from "../db/sql";
import type { NamedParties } from "./admission";
import { POLICY_PARTIES } from "./cases";

/** The parties of each case: the owners of the documents that count in it. */
export async function casePartiesIn(db: Runner, provider: DbProvider, ids: readonly string[]): Promise<Map<string, string[]>> {
  const parties = new Map<string, string[]>();
  for (const part of chunks(ids)) {
    const rows = await query<{ caseId: string; owner: string }>(
      db,
      provider,
      `SELECT DISTINCT "caseId", "owner" FROM "CustomsDocument" WHERE "caseId" IN (${placeholders(1, part.length)}) AND "admitted" = 1 ORDER BY "caseId", "owner"`,
      part,
    );
    for (const r of rows) parties.set(r.caseId, [...(parties.get(r.caseId) ?? []), r.owner]);
  }
  return parties;
}

/** Which of `ids` are admitted organisations with the CUSTOMS role. */
export async function customsOffices(db: Runner, provider: DbProvider, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await query<{ id: string; roles: string }>(
    db,
    provider,
    `SELECT "id", "roles" FROM "Organization" WHERE "id" IN (${placeholders(1, ids.length)})`,
    ids,
  );
  return new Set(rows.filter((r) => r.roles.split(",").includes("CUSTOMS")).map((r) => r.id));
}

/** A stored document row of a case, with the body of an order (to know whom it names). */
export interface CaseRowDocument {
  recordId: string;
  kind: DocumentKind;
  owner: string;
  version: number;
  admitted: boolean;
  body?: OrderBody;
}

/** Every stored document of the cases, orders with their bodies: one query per chunk of cases. */
export async function caseDocumentRows(db: Runner, provider: DbProvider, ids: readonly string[]): Promise<Map<string, CaseRowDocument[]>> {
  const byCase = new Map<string, CaseRowDocument[]>();
  for (const part of chunks(ids)) {
    const rows = await query<{ caseId: string; recordId: string; kind: string; owner: string; version: unknown; admitted: unknown; body: string | null }>(
      db,
      provider,
      `SELECT d."caseId", d."recordId", d."kind", d."owner", d."version", d."admitted", v."body"
         FROM "CustomsDocument" d LEFT JOIN "RecordVersion" v ON d."kind" = 'ORDER' AND v."recordId" = d."recordId" AND v."version" = d."version"
        WHERE d."caseId" IN (${placeholders(1, part.length)})`,
      part,
    );
    for (const r of rows) {
      const doc: CaseRowDocument = {
        recordId: r.recordId,
        kind: r.kind as DocumentKind,
        owner: r.owner,
        version: Number(r.version),
        admitted: Number(r.admitted) === 1,
      };
      if (r.body !== null) doc.body = JSON.parse(r.body) as OrderBody;
      byCase.set(r.caseId, [...(byCase.get(r.caseId) ?? []), doc]);
    }
  }
  return byCase;
}

/** The named parties as the CustomsCase columns keep them. */
export const namedFromRow = (row: { paymentProvider: string | null; logisticsProvider: string | null; declarant: string | null }): NamedParties => ({
  ...(row.paymentProvider ? { PAYMENT: row.paymentProvider } : {}),
  ...(row.logisticsProvider ? { WAYBILL: row.logisticsProvider } : {}),
  ...(row.declarant ? { DECLARATION: row.declarant } : {}),
});

/**
 * Organisations the order stopped naming are no longer parties of the case: their grants of its
 * MatchResult and decision (by the customs-parties policy) are revoked, so they read no later
 * version. What they read before stays read.
 */
export async function revokeFormerParties(
  tx: TxClient,
  provider: DbProvider,
  log: AccessLogWriter,
  former: readonly { recordIds: readonly string[]; owners: readonly string[] }[],
): Promise<void> {
  const grants: { id: string; recordId: string; grantee: string; owner: string }[] = [];
  for (const { recordIds, owners } of former) {
    if (recordIds.length === 0 || owners.length === 0) continue;
    grants.push(
      ...(await query<{ id: string; recordId: string; grantee: string; owner: string }>(
        tx,
        provider,
        `SELECT g."id", g."recordId", g."grantee", r."owner" FROM "Grant" g JOIN "Record" r ON r."id" = g."recordId"
          WHERE g."recordId" IN (${placeholders(2, recordIds.length)}) AND g."grantee" IN (${placeholders(2 + recordIds.length, owners.length)})
            AND g."policy" = $1 AND g."revokedAt" IS NULL`,
        [POLICY_PARTIES, ...recordIds, ...owners],
      )),
    );
  }
  if (grants.length === 0) return;
  const now = new Date();
  await revokeGrants(
    tx,
    log,
    `policy:${POLICY_PARTIES}`,
    grants.map((g) => g.id),
    now,
  );
  // revokeGrants logs the grants that fall with these; these are logged here.
  await log.appendIn(
    tx,
    grants.map((g) => ({
      at: now.toISOString(),
      actor: `policy:${POLICY_PARTIES}`,
      action: "REVOKE_GRANT" as const,
      recordId: g.recordId,
      version: null,
      owner: g.owner,
      detail: `from ${g.grantee} (no longer named by the order)`,
    })),
  );
}
