import type { DbProvider } from "../db/client";
import { chunks, placeholders, query, type Runner } from "../db/sql";

/** The parties of each case: the owners of its documents. */
export async function casePartiesIn(db: Runner, provider: DbProvider, ids: readonly string[]): Promise<Map<string, string[]>> {
  const parties = new Map<string, string[]>();
  for (const part of chunks(ids)) {
    const rows = await query<{ caseId: string; owner: string }>(
      db,
      provider,
      `SELECT DISTINCT "caseId", "owner" FROM "CustomsDocument" WHERE "caseId" IN (${placeholders(1, part.length)}) ORDER BY "caseId", "owner"`,
      part,
    );
    for (const r of rows) parties.set(r.caseId, [...(parties.get(r.caseId) ?? []), r.owner]);
  }
  return parties;
}

/** Which of `ids` are admitted organisations with the CUSTOMS role. */
export async function customsOffices(db: Runner, provider: DbProvider, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await query<{ id: string; roles: string }>(db, provider, `SELECT "id", "roles" FROM "Organization" WHERE "id" IN (${placeholders(1, ids.length)})`, ids);
  return new Set(rows.filter((r) => r.roles.split(",").includes("CUSTOMS")).map((r) => r.id));
}

