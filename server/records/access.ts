import { Prisma, type Record as RecordRow } from "../db/.generated/sqlite/client";
import { readRows, type Db } from "../db/client";
import { asDate, asNumber, chunks } from "../db/sql";
import { notFound } from "../http/problem";
import { OPERATOR_ORG_ID } from "../orgs/service";
import { EVENT_FOR, LOGISTICS_EVENT } from "./links";

/**
 * The single access rule. An organisation reads a record when
 * - it owns it, i.e. it is its data holder: its owner, or for a record the hub attested for an
 *   organisation that wrote it unsigned (server/records/hub-publisher.ts), that organisation (the
 *   hub itself is then no holder); or
 * - it holds an active grant of it (any scope), or an active "linked" grant of a record S of the same
 *   owner from which the record is reachable through the link index in at most MAX_LINK_DEPTH steps,
 *   each step staying within S's owner's records (so nobody exposes another party's data by linking
 *   to it); a grant counts only while every grant it was delegated from is itself unrevoked and
 *   unexpired; or
 * - the record is a LogisticsEvent whose eventFor names an object it may read by the rules above
 *   (events are part of their object's log, whoever posted them).
 * Everything else is the same 404 as for a record that does not exist.
 *
 * What it reads of the record: everything as its owner or through any whole-record grant; through
 * field-level grants only the union of their fields (a delegated grant: only what every grant of its
 * chain shares). A field-level grant covers its own record only, never what links from it.
 *
 * The statements use Prisma's tagged SQL, which binds parameters for either provider, so these
 * functions need only a client or a transaction.
 */

/** Reach of a "linked" grant: S -> waybill -> shipment -> piece ... at most this many steps. */
export const MAX_LINK_DEPTH = 6;
/** Delegation chains are short; a longer one (never made by the hub) is not honoured. */
const MAX_CHAIN = 32;

/** An id no record can have (record ids start with a letter or digit): keeps the statements of a denial the same. */
export const NO_RECORD = "-";

/** What runs the access statements: the client or a transaction. */
export type AccessRunner = Pick<Db, "$queryRaw">;

/**
 * How an organisation reads a record: as its owner, or through a grant (effective expiry: the
 * earliest along its chain; `fields`: the top-level body fields it may see, null for all).
 */
export type Access = { via: "owner" } | { via: "grant"; grantId: string; expiresAt: Date | null; fields: readonly string[] | null };

/** The body fields an access shows: null for all. */
export const visibleFields = (access: Access): readonly string[] | null => (access.via === "owner" ? null : access.fields);

interface GrantRow {
  target: string;
  id: string;
  parentGrantId: string | null;
  expiresAt: unknown;
  fields: string | null;
}

/** A grant's stored field list (JSON text) as names; null: the whole record. */
export function grantFields(raw: unknown): string[] | null {
  if (raw === null || raw === undefined) return null;
  const parsed: unknown = JSON.parse(String(raw));
  return Array.isArray(parsed) ? parsed.map(String) : null;
}

const sql = Prisma.sql;
/** The data holder of the "Record" row `alias`, in SQL: the organisation a hub attestation names, else the owner. */
const holderOf = (alias: string) => Prisma.raw(`COALESCE((SELECT a."holder" FROM "HubAttestation" a WHERE a."recordId" = ${alias}."id"), ${alias}."owner")`);
const ids = (list: readonly string[]) => Prisma.join([...list]);
/** Constants go into the text: a bound number would need a type on PostgreSQL. */
const literal = (n: number) => Prisma.raw(String(Math.floor(n)));

/**
 * The record's header if the caller may read it; otherwise the same 404 as for a record that does
 * not exist. The owner answers after one lookup (the record with its hub attestation), a direct
 * grant after two; only then are the link index and events consulted. For a caller who is not the owner
 * the same statements run whether the record exists or not (no extra query betrays existence).
 */
export async function readableRecord(db: Db, orgId: string, recordId: string) {
  return (await recordAccess(db, orgId, recordId)).record;
}

/** readableRecord, with how the caller reads it (which fields it sees). */
export async function recordAccess(db: Db, orgId: string, recordId: string) {
  // The header with its hub attestation, in one statement whatever the record is, or whether there
  // is one: a denial of a hub-attested record costs what one of no record does.
  const [row] = await readRows<
    Omit<RecordRow, "createdAt" | "updatedAt" | "latestVersion"> & { latestVersion: unknown; createdAt: unknown; updatedAt: unknown; holder: string | null }
  >(
    db,
    sql`SELECT r."id", r."type", r."owner", r."latestVersion", r."createdAt", r."updatedAt", a."holder"
          FROM "Record" r LEFT JOIN "HubAttestation" a ON a."recordId" = r."id" WHERE r."id" = ${recordId}`,
  );
  const record: RecordRow | undefined = row && {
    id: row.id,
    type: row.type,
    owner: row.owner,
    latestVersion: asNumber(row.latestVersion),
    createdAt: asDate(row.createdAt)!,
    updatedAt: asDate(row.updatedAt)!,
  };
  if (record && (row!.holder ?? record.owner) === orgId) return { record, access: { via: "owner" } as Access };
  const access = (await grantedAccess(db, orgId, [recordId], true, new Date())).get(recordId);
  if (!record || !access) throw notFound();
  return { record, access };
}

/** The record's header if the caller owns it; 404 when it does not exist or the caller cannot see it. */
export async function ownedRecord(db: Db, orgId: string, recordId: string) {
  const { record, access } = await recordAccess(db, orgId, recordId);
  if (access.via !== "owner") throw notFound();
  return record;
}

/**
 * The data holder of each record: its owner, or, for one the hub attested (owned by the operator),
 * the organisation it speaks for. Asks the database only about the operator's records.
 */
export async function holdersOf(db: AccessRunner, records: readonly { id: string; owner: string }[]): Promise<Map<string, string>> {
  const out = new Map(records.map((r) => [r.id, r.owner]));
  const hubs = records.filter((r) => r.owner === OPERATOR_ORG_ID).map((r) => r.id);
  for (const part of chunks(hubs)) {
    const rows = await db.$queryRaw<{ recordId: string; holder: string }[]>(
      sql`SELECT "recordId", "holder" FROM "HubAttestation" WHERE "recordId" IN (${ids(part)})`,
    );
    for (const r of rows) out.set(r.recordId, r.holder);
  }
  return out;
}

/** Which of `recordIds` the organisation may read (unknown ids are simply absent): for lists and embedded objects. */
export async function readableIds(db: AccessRunner, orgId: string, recordIds: readonly string[]): Promise<Set<string>> {
  return new Set((await accessOf(db, orgId, recordIds)).keys());
}

/** How the organisation reads each of `recordIds` it may read (absent: it may not). */
export async function accessOf(db: AccessRunner, orgId: string, recordIds: readonly string[], now = new Date()): Promise<Map<string, Access>> {
  const unique = [...new Set(recordIds)];
  const out = new Map<string, Access>();
  if (unique.length === 0) return out;
  const owned = await ownedAmong(db, orgId, unique);
  for (const id of owned) out.set(id, { via: "owner" });
  const rest = unique.filter((id) => !owned.has(id));
  for (const [id, access] of await grantedAccess(db, orgId, rest, true, now)) out.set(id, access);
  return out;
}

async function ownedAmong(db: AccessRunner, orgId: string, recordIds: readonly string[]): Promise<Set<string>> {
  const owned = new Set<string>();
  for (const part of chunks(recordIds)) {
    const rows = await db.$queryRaw<{ id: string }[]>(sql`SELECT r."id" FROM "Record" r WHERE ${holderOf("r")} = ${orgId} AND r."id" IN (${ids(part)})`);
    for (const r of rows) owned.add(r.id);
  }
  return owned;
}

/**
 * Access through grants (not ownership): direct grants, then linked grants over the link index, then
 * (with `events`) events about a readable object.
 */
async function grantedAccess(db: AccessRunner, orgId: string, recordIds: readonly string[], events: boolean, now: Date): Promise<Map<string, Access>> {
  const out = new Map<string, Access>();
  if (recordIds.length === 0) return out;
  const at = now.toISOString();
  const active = sql`"revokedAt" IS NULL AND ("expiresAt" IS NULL OR "expiresAt" > ${at})`;

  const direct: GrantRow[] = [];
  for (const part of chunks(recordIds))
    direct.push(
      ...(await db.$queryRaw<GrantRow[]>(
        sql`SELECT "recordId" AS "target", "id", "parentGrantId", "expiresAt", "fields" FROM "Grant" WHERE "grantee" = ${orgId} AND "recordId" IN (${ids(part)}) AND ${active}`,
      )),
    );
  await honour(db, direct, now, out, false);

  // Linked grants and events always show the whole record: asked also where direct grants show only some fields.
  const partly = (id: string) => {
    const a = out.get(id);
    return a === undefined || (a.via === "grant" && a.fields !== null);
  };
  const unlinked = recordIds.filter(partly);
  if (unlinked.length > 0) await honour(db, await linkedGrants(db, orgId, unlinked, at), now, out, true);

  if (events) {
    const rest = recordIds.filter(partly);
    if (rest.length > 0) {
      const about = new Map<string, string[]>();
      for (const part of chunks(rest)) {
        const rows = await db.$queryRaw<{ fromId: string; toId: string }[]>(
          sql`SELECT "fromId", "toId" FROM "RecordLink" WHERE "fromId" IN (${ids(part)}) AND "property" = ${EVENT_FOR} AND "fromObjectType" = ${LOGISTICS_EVENT}`,
        );
        for (const r of rows) about.set(r.fromId, [...(about.get(r.fromId) ?? []), r.toId]);
      }
      // The same statements run whether or not any of them is an event (NO_RECORD stands in), so a
      // denial takes as long for an event as for anything else, or for nothing at all.
      const objects = [...new Set([...about.values()].flat()), NO_RECORD];
      const owned = await ownedAmong(db, orgId, objects);
      const readable = await grantedAccess(
        db,
        orgId,
        objects.filter((id) => !owned.has(id)),
        false,
        now,
      );
      for (const [event, targets] of about) {
        if (targets.some((t) => owned.has(t))) out.set(event, { via: "owner" });
        else {
          const via = targets.map((t) => readable.get(t)).find((a) => a !== undefined);
          // An event is part of its object's log: whoever reads the object (even some of it) reads the whole event.
          if (via?.via === "grant") out.set(event, { ...via, fields: null });
        }
      }
    }
  }
  return out;
}

/**
 * Active "linked" grants of the organisation that reach each target: the target's ancestors through
 * the link index within its own owner's records, at most MAX_LINK_DEPTH steps up.
 */
async function linkedGrants(db: AccessRunner, orgId: string, targets: readonly string[], at: string): Promise<GrantRow[]> {
  const rows: GrantRow[] = [];
  for (const part of chunks(targets, 500))
    rows.push(
      ...(await db.$queryRaw<GrantRow[]>(sql`
        WITH RECURSIVE "up"("target", "id", "owner", "depth") AS (
          SELECT r."id", r."id", ${holderOf("r")}, 0 FROM "Record" r WHERE r."id" IN (${ids(part)})
          UNION
          SELECT u."target", l."fromId", u."owner", u."depth" + 1
            FROM "up" u JOIN "RecordLink" l ON l."toId" = u."id" JOIN "Record" r ON r."id" = l."fromId"
           WHERE u."depth" < ${literal(MAX_LINK_DEPTH)} AND ${holderOf("r")} = u."owner"
        )
        SELECT DISTINCT u."target", g."id", g."parentGrantId", g."expiresAt", g."fields"
          FROM "up" u JOIN "Grant" g ON g."recordId" = u."id"
         WHERE u."depth" > 0 AND g."grantee" = ${orgId} AND g."scope" = 'linked'
           AND g."revokedAt" IS NULL AND (g."expiresAt" IS NULL OR g."expiresAt" > ${at})`)),
    );
  return rows;
}

/**
 * Adds to `out` each target reached by a grant whose delegation chain is intact. Fields of several
 * grants add up; the grant kept (an onward grant hangs from it) is a whole-record one if any, else
 * the one lasting longest. `linked`: the rows reach their targets through links, where a field-level
 * grant (or one delegated from one) does not reach.
 */
async function honour(db: AccessRunner, rows: readonly GrantRow[], now: Date, out: Map<string, Access>, linked: boolean): Promise<void> {
  if (rows.length === 0) return;
  const chains = await chainsOf(
    db,
    rows.filter((r) => r.parentGrantId !== null).map((r) => r.id),
    now,
  );
  for (const r of rows) {
    let expiresAt = asDate(r.expiresAt);
    let fields: readonly string[] | null = grantFields(r.fields);
    if (r.parentGrantId !== null) {
      const chain = chains.get(r.id);
      if (chain === undefined) continue; // an ancestor is revoked, expired or missing
      expiresAt = earliest(expiresAt, chain.expiresAt);
      fields = intersection(fields, chain.fields);
    }
    if (linked && fields !== null) continue;
    const before = out.get(r.target);
    if (before?.via === "owner") continue;
    const better =
      !before ||
      (before.fields !== null && (fields === null || lasts(expiresAt, before.expiresAt))) ||
      (fields === null && before.fields === null && lasts(expiresAt, before.expiresAt));
    const union = before ? unionOf(before.fields, fields) : fields;
    out.set(r.target, better ? { via: "grant", grantId: r.id, expiresAt, fields: union } : { ...before!, fields: union });
  }
}

const earliest = (a: Date | null, b: Date | null): Date | null => (a === null ? b : b === null ? a : a < b ? a : b);
const lasts = (a: Date | null, b: Date | null): boolean => b !== null && (a === null || a > b);
/** Field lists, null meaning every field. */
const intersection = (a: readonly string[] | null, b: readonly string[] | null): readonly string[] | null =>
  a === null ? b : b === null ? a : a.filter((f) => b.includes(f));
const unionOf = (a: readonly string[] | null, b: readonly string[] | null): readonly string[] | null =>
  a === null || b === null ? null : [...new Set([...a, ...b])];

/**
 * For each delegated grant whose every ancestor is active: the earliest expiry along the ancestors
 * (null: none expires) and the fields every ancestor shares (null: all). Grants with a broken chain
 * are absent.
 */
async function chainsOf(
  db: AccessRunner,
  grantIds: readonly string[],
  now: Date,
): Promise<Map<string, { expiresAt: Date | null; fields: readonly string[] | null }>> {
  const out = new Map<string, { expiresAt: Date | null; fields: readonly string[] | null }>();
  if (grantIds.length === 0) return out;
  const broken = new Set<string>();
  for (const part of chunks([...new Set(grantIds)], 500)) {
    const rows = await db.$queryRaw<
      { start: string; found: string | null; parentGrantId: string | null; revokedAt: unknown; expiresAt: unknown; fields: string | null; depth: unknown }[]
    >(sql`
      WITH RECURSIVE "chain"("start", "id", "depth") AS (
        SELECT g."id", g."parentGrantId", 1 FROM "Grant" g WHERE g."id" IN (${ids(part)}) AND g."parentGrantId" IS NOT NULL
        UNION ALL
        SELECT c."start", p."parentGrantId", c."depth" + 1 FROM "chain" c JOIN "Grant" p ON p."id" = c."id"
         WHERE p."parentGrantId" IS NOT NULL AND c."depth" < ${literal(MAX_CHAIN)}
      )
      SELECT c."start", p."id" AS "found", p."parentGrantId", p."revokedAt", p."expiresAt", p."fields", c."depth"
        FROM "chain" c LEFT JOIN "Grant" p ON p."id" = c."id"`);
    for (const r of rows) {
      if (broken.has(r.start)) continue;
      const expiresAt = asDate(r.expiresAt);
      const endless = r.parentGrantId !== null && Number(r.depth) >= MAX_CHAIN;
      if (r.found === null || r.revokedAt !== null || (expiresAt !== null && expiresAt <= now) || endless) {
        broken.add(r.start);
        out.delete(r.start);
        continue;
      }
      const before = out.get(r.start);
      out.set(
        r.start,
        before
          ? { expiresAt: earliest(before.expiresAt, expiresAt), fields: intersection(before.fields, grantFields(r.fields)) }
          : { expiresAt, fields: grantFields(r.fields) },
      );
    }
  }
  return out;
}
