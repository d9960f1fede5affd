import { randomUUID } from "node:crypto";
import type { AccessLogDraft } from "../../sdk/access-log";
import type { AccessRequestStatus, AccessRequestView, GrantScope } from "../../sdk/api";
import { Prisma } from "../db/.generated/sqlite/client";
import { writeTransaction, type Db, type DbProvider, type TxClient } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import { asDate, chunks } from "../db/sql";
import type { AccessLogWriter } from "../access-log/writer";
import { badRequest, conflict, notFound } from "../http/problem";
import { requireAdmitted } from "../orgs/service";
import { MAX_LINK_DEPTH, NO_RECORD, accessOf, grantFields, holdersOf, type Access } from "./access";
import { futureExpiry, revokeGrants } from "./grants";
import { checkedFields, shareableFields } from "./grant-fields";

/**
 * Access requests (docs/api.md "Grants and access requests"; the ONE Record API maps its
 * AccessDelegation requests onto these). A party asks that it, or a third party, may read records;
 * the records' owner accepts or rejects. A request is decided by the one owner of all its records,
 * and only when the requester may know them (it reads them, or reads through a grant another
 * organisation's object linking to them: links in its own objects do not count).
 * Any other request (a record that does not exist, one the requester may not know, records of several
 * owners) is stored and answered exactly like every other PENDING request and shows to nobody but
 * the requester: nothing in the answer tells which case it is.
 */

const sql = Prisma.sql;

export interface AccessRequestInput {
  requestedBy: string;
  /** Who is to read (default: the requester). */
  requestedFor?: string;
  recordIds: readonly string[];
  scope: GrantScope;
  description?: string;
  expiresAt?: string | Date;
  /** Only these top-level fields of each record. */
  fields?: readonly string[];
}

interface RequestRow {
  id: string;
  requestedBy: string;
  requestedFor: string;
  recordIds: string;
  scope: string;
  status: string;
  description: string | null;
  expiresAt: unknown;
  requestedAt: unknown;
  statusHistory: string;
  decider: string | null;
  delegatedFrom: string | null;
  fields: string | null;
}

const COLUMNS = sql`"id", "requestedBy", "requestedFor", "recordIds", "scope", "status", "description", "expiresAt", "requestedAt", "statusHistory", "decider", "delegatedFrom", "fields"`;

type History = AccessRequestView["statusHistory"];

function viewOf(row: RequestRow): AccessRequestView {
  const expiresAt = asDate(row.expiresAt);
  const fields = grantFields(row.fields);
  return {
    id: row.id,
    requestedBy: row.requestedBy,
    requestedFor: row.requestedFor,
    recordIds: JSON.parse(row.recordIds) as string[],
    scope: row.scope === "linked" ? "linked" : "object",
    status: row.status as AccessRequestStatus,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
    ...(fields ? { fields } : {}),
    requestedAt: asDate(row.requestedAt)!.toISOString(),
    statusHistory: JSON.parse(row.statusHistory) as History,
  };
}

async function load(db: Pick<Db, "$queryRaw">, requestId: string): Promise<RequestRow | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(requestId)) return undefined;
  const [row] = await db.$queryRaw<RequestRow[]>(sql`SELECT ${COLUMNS} FROM "AccessRequest" WHERE "id" = ${requestId}`);
  return row;
}

/** Someone tried an access request they may not see: logged as a denial, answered as for no such request. */
async function denied(log: AccessLogWriter, actor: string, requestId: string, what: string): Promise<never> {
  await log.append({
    at: new Date().toISOString(),
    actor,
    action: "DENY",
    recordId: null,
    version: null,
    owner: null,
    detail: `access request ${requestId.slice(0, 64)}: ${what}`,
  });
  throw notFound();
}

/**
 * Records a request. The requester's own records are granted at once (ACCEPTED). Anything else is
 * PENDING: for the records' owner to decide when the requester may know them, for nobody otherwise.
 * If the requester asks for a third party and reads the records through grants of its own, an
 * accepted request makes onward grants hanging from those (delegatedFrom).
 */
export async function requestAccess(db: Db, provider: DbProvider, log: AccessLogWriter, input: AccessRequestInput): Promise<AccessRequestView> {
  const { requestedBy, scope } = input;
  const requestedFor = input.requestedFor ?? requestedBy;
  const recordIds = [...new Set(input.recordIds)];
  if (recordIds.length === 0) throw badRequest("invalid-access-request", "Name at least one record.", [{ path: "recordIds", message: "empty" }]);
  const fields = input.fields ? [...new Set(input.fields)].sort() : null;
  if (fields && scope === "linked")
    throw badRequest("invalid-access-request", "A field-level request has scope object.", [{ path: "scope", message: "fields need scope object" }]);
  const expiry = futureExpiry(input.expiresAt instanceof Date ? input.expiresAt.toISOString() : input.expiresAt);
  if (requestedFor !== requestedBy) await requireAdmitted(db, requestedFor, "requestedFor");
  const now = new Date();
  const owners = new Map<string, string>();
  const headers = new Map<string, { id: string; type: string; latestVersion: number }>();
  for (const part of chunks(recordIds)) {
    const rows = await db.record.findMany({ where: { id: { in: part } }, select: { id: true, owner: true, type: true, latestVersion: true } });
    for (const r of rows) headers.set(r.id, r);
    // The data holder decides (for a hub-attested record, the organisation it speaks for, not the hub).
    for (const [id, holder] of await holdersOf(db, rows)) owners.set(id, holder);
  }

  const base = {
    id: randomUUID(),
    requestedBy,
    requestedFor,
    recordIds,
    scope,
    description: input.description ?? null,
    expiresAt: expiry,
    requestedAt: now,
    fields,
  };

  if (recordIds.every((id) => owners.get(id) === requestedBy)) {
    // The owner asks for someone else: nothing to decide, granted at once.
    if (requestedFor === requestedBy) throw badRequest("invalid-access-request", "An owner needs no grant to its own records.");
    // The owner knows its records: a field none of them has is a 400 naming it.
    const shared = fields ? await fieldsPerRecord(db, [...headers.values()], fields, new Map()) : new Map<string, string[]>();
    if (fields) {
      const known = new Set([...shared.values()].flat());
      const unknown = fields.findIndex((f) => !known.has(f));
      if (unknown >= 0)
        throw badRequest("unknown-field", `None of the records has a field ${fields[unknown]}.`, [
          { path: `fields.${unknown}`, message: `unknown field ${fields[unknown]}` },
        ]);
    }
    return writeTransaction(db, async (tx) => {
      await insertRequest(tx, {
        ...base,
        status: "ACCEPTED",
        history: [
          { status: "PENDING", at: now.toISOString() },
          { status: "ACCEPTED", at: now.toISOString() },
        ],
        decider: requestedBy,
        delegatedFrom: null,
      });
      await makeGrants(tx, provider, log, { ...base, grantedBy: requestedBy, parents: new Map(), owners, now, fieldsOf: shared });
      return viewOf((await load(tx, base.id))!);
    });
  }

  // May the requester know each record? It reads it, or reads another organisation's object that links to it.
  const access = await accessOf(db, requestedBy, recordIds, now);
  const known = new Set(access.keys());
  for (const id of await knownThroughLinks(
    db,
    requestedBy,
    recordIds.filter((id) => !access.has(id)),
    now,
  ))
    known.add(id);
  const recordOwners = new Set(recordIds.map((id) => owners.get(id)));
  const owner = recordOwners.size === 1 ? [...recordOwners][0] : undefined;
  const decidable = owner !== undefined && owner !== requestedBy && recordIds.every((id) => known.has(id));
  const delegatedFrom =
    decidable && requestedFor !== requestedBy ? Object.fromEntries(recordIds.flatMap((id) => viaGrant(access.get(id)).map((g) => [id, g]))) : {};
  await writeTransaction(db, (tx) =>
    insertRequest(tx, {
      ...base,
      status: "PENDING",
      history: [{ status: "PENDING", at: now.toISOString() }],
      decider: decidable ? owner : null,
      delegatedFrom: Object.keys(delegatedFrom).length > 0 ? JSON.stringify(delegatedFrom) : null,
    }),
  );
  return viewOf((await load(db, base.id))!);
}

const viaGrant = (a: Access | undefined): string[] => (a?.via === "grant" ? [a.grantId] : []);

/**
 * Of `targets`, those the requester may plausibly know because an object it reads through a grant
 * references them. Only references made by another organisation count: anyone can write a link to
 * an id it guessed into its own object. The walk starts from the requester's grants (and what its
 * linked grants reach), never from the target's references, and always runs the same two
 * statements (NO_RECORD stands in): asking about an object that thousands reference costs what
 * asking about a random id does, for the same requester.
 */
async function knownThroughLinks(db: Db, requester: string, targets: readonly string[], now: Date): Promise<Set<string>> {
  const at = now.toISOString();
  const asked = targets.length > 0 ? [...targets] : [NO_RECORD];
  const candidates: { fromId: string; toId: string; property: string }[] = [];
  for (const part of chunks(asked, 500))
    candidates.push(
      ...(await db.$queryRaw<typeof candidates>(sql`
        WITH RECURSIVE "reach"("id", "owner", "linked", "depth") AS (
          SELECT g."recordId", r."owner", CASE WHEN g."scope" = 'linked' THEN 1 ELSE 0 END, 0
            FROM "Grant" g JOIN "Record" r ON r."id" = g."recordId"
           WHERE g."grantee" = ${requester} AND r."owner" <> ${requester}
             AND g."revokedAt" IS NULL AND (g."expiresAt" IS NULL OR g."expiresAt" > ${at})
          UNION
          SELECT l."toId", u."owner", 1, u."depth" + 1
            FROM "reach" u JOIN "RecordLink" l ON l."fromId" = u."id" JOIN "Record" c ON c."id" = l."toId"
           WHERE u."linked" = 1 AND u."depth" < ${Prisma.raw(String(MAX_LINK_DEPTH))} AND c."owner" = u."owner"
        )
        SELECT DISTINCT l."fromId", l."toId", l."property"
          FROM "reach" u CROSS JOIN "RecordLink" l
         WHERE l."fromId" = u."id" AND l."toId" IN (${Prisma.join(part)})`)),
    );
  // The access rule has the last word on each object (delegation chains, field-level grants).
  const readers = await accessOf(db, requester, [...new Set(candidates.map((c) => c.fromId)), NO_RECORD], now);
  const known = new Set<string>();
  for (const c of candidates) {
    const a = readers.get(c.fromId);
    if (a?.via !== "grant") continue;
    // Through a field-level grant the requester sees the references of its fields only.
    if (a.fields === null || a.fields.includes(c.property)) known.add(c.toId);
  }
  return known;
}

/**
 * The fields each record's grant is to share: those asked for that its type has, and (for an onward
 * grant) that the grant it hangs from shares too. An empty list shares nothing.
 */
async function fieldsPerRecord(
  db: Pick<Db, "recordVersion">,
  records: readonly { id: string; type: string; latestVersion: number }[],
  asked: readonly string[],
  parents: ReadonlyMap<string, { fields: readonly string[] | null }>,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const r of records) {
    const shareable = await shareableFields(db, r);
    const parent = parents.get(r.id)?.fields ?? null;
    const wanted = asked.filter((f) => shareable.has(f) && (parent === null || parent.includes(f)));
    out.set(r.id, wanted.length > 0 ? checkedFields(r.type, wanted, shareable) : []);
  }
  return out;
}

async function insertRequest(
  tx: TxClient,
  r: {
    id: string;
    requestedBy: string;
    requestedFor: string;
    recordIds: string[];
    scope: GrantScope;
    description: string | null;
    expiresAt: Date | null;
    requestedAt: Date;
    fields: readonly string[] | null;
    status: AccessRequestStatus;
    history: History;
    decider: string | null;
    delegatedFrom: string | null;
  },
): Promise<void> {
  await tx.$executeRaw(sql`
    INSERT INTO "AccessRequest" (${COLUMNS})
    VALUES (${r.id}, ${r.requestedBy}, ${r.requestedFor}, ${JSON.stringify(r.recordIds)}, ${r.scope}, ${r.status}, ${r.description},
            ${r.expiresAt?.toISOString() ?? null}, ${r.requestedAt.toISOString()}, ${JSON.stringify(r.history)}, ${r.decider}, ${r.delegatedFrom},
            ${r.fields ? JSON.stringify(r.fields) : null})`);
}

/** The grants of an accepted request, one per record (none for the grantee's own), logged. */
async function makeGrants(
  tx: TxClient,
  provider: DbProvider,
  log: AccessLogWriter,
  g: {
    id: string;
    requestedFor: string;
    recordIds: readonly string[];
    scope: GrantScope;
    expiresAt: Date | null;
    grantedBy: string;
    /** recordId -> the grant it is delegated from, that grant's effective expiry and fields. */
    parents: Map<string, { grantId: string; expiresAt: Date | null; fields: readonly string[] | null }>;
    owners: Map<string, string>;
    now: Date;
    /** recordId -> the fields its grant shares (absent: as its parent, else the whole record). */
    fieldsOf: ReadonlyMap<string, readonly string[]>;
  },
): Promise<void> {
  const rows = g.recordIds
    .filter((id) => g.owners.get(id) !== g.requestedFor)
    .map((recordId) => {
      const parent = g.parents.get(recordId);
      // An onward grant never outlives the grant it hangs from, nor shares more of the record.
      const expiresAt = parent ? earliest(g.expiresAt, parent.expiresAt) : g.expiresAt;
      const fields = g.fieldsOf.get(recordId) ?? parent?.fields ?? null;
      return { recordId, grantId: randomUUID(), parent, expiresAt, fields };
    });
  await insertRows(
    tx,
    provider,
    "Grant",
    ["id", "recordId", "grantee", "grantedBy", "createdAt", "expiresAt", "scope", "parentGrantId", "requestId", "fields"],
    rows.map((r) => [
      r.grantId,
      r.recordId,
      g.requestedFor,
      g.grantedBy,
      g.now,
      r.expiresAt,
      r.fields ? "object" : g.scope,
      r.parent?.grantId ?? null,
      g.id,
      r.fields ? JSON.stringify(r.fields) : null,
    ]),
  );
  await log.appendIn(
    tx,
    rows.map((r) => ({
      at: g.now.toISOString(),
      actor: g.grantedBy,
      action: "GRANT" as const,
      recordId: r.recordId,
      version: null,
      owner: g.owners.get(r.recordId) ?? null,
      detail: `to ${g.requestedFor}${g.scope === "linked" && !r.fields ? " (linked)" : ""}${r.fields ? ` (fields ${r.fields.join(", ")})` : ""} by access request ${g.id}${r.parent ? `, delegated from grant ${r.parent.grantId}` : ""}`,
    })),
  );
}

const earliest = (a: Date | null, b: Date | null): Date | null => (a === null ? b : b === null ? a : a < b ? a : b);

/** Moves a request on from `from` (compare-and-set: a concurrent decision loses with a 409). */
async function setStatus(tx: TxClient, row: RequestRow, from: AccessRequestStatus, steps: AccessRequestStatus[], at: Date): Promise<void> {
  const history: History = [...(JSON.parse(row.statusHistory) as History), ...steps.map((status) => ({ status, at: at.toISOString() }))];
  const changed = await tx.$executeRaw(
    sql`UPDATE "AccessRequest" SET "status" = ${steps[steps.length - 1]!}, "statusHistory" = ${JSON.stringify(history)} WHERE "id" = ${row.id} AND "status" = ${from}`,
  );
  if (changed !== 1) throw conflict("access-request-decided", "The request was decided or withdrawn meanwhile.");
}

/**
 * The owner accepts or rejects a PENDING request (404 for anyone else, as for an unknown id). An
 * accepted request whose onward grants cannot hang from the requester's grants any more (revoked or
 * expired meanwhile), or whose expiry has passed, is FAILED and grants nothing.
 */
export async function decideAccessRequest(
  db: Db,
  provider: DbProvider,
  log: AccessLogWriter,
  input: { orgId: string; requestId: string; decision: "ACCEPTED" | "REJECTED" },
): Promise<AccessRequestView> {
  const { orgId, requestId, decision } = input;
  const row = await load(db, requestId);
  if (!row || row.decider !== orgId) return denied(log, orgId, requestId, "DECIDE");
  if (row.status !== "PENDING") throw conflict("access-request-decided", `The request is ${row.status}; only a PENDING request is decided.`);
  const view = viewOf(row);
  const now = new Date();
  await writeTransaction(db, async (tx) => {
    if (decision === "REJECTED") {
      await setStatus(tx, row, "PENDING", ["REJECTED"], now);
      await log.appendIn(
        tx,
        view.recordIds.map((recordId) => decisionLine(orgId, recordId, now, `access request ${row.id} of ${row.requestedBy} for ${row.requestedFor} rejected`)),
      );
      return;
    }
    const delegated = row.delegatedFrom ? Object.keys(JSON.parse(row.delegatedFrom) as Record<string, string>) : [];
    const parents = new Map<string, { grantId: string; expiresAt: Date | null; fields: readonly string[] | null }>();
    let failure: string | undefined;
    if (delegated.length > 0) {
      // The requester's grants as they are now: each delegated record must still be read through one.
      const current = await accessOf(tx, row.requestedBy, delegated, now);
      for (const id of delegated) {
        const a = current.get(id);
        if (a?.via !== "grant") failure = `${row.requestedBy} no longer holds a grant of ${id}`;
        else parents.set(id, { grantId: a.grantId, expiresAt: a.expiresAt, fields: a.fields });
      }
    }
    const expiresAt = asDate(row.expiresAt);
    if (expiresAt !== null && expiresAt <= now) failure = "the requested expiry has passed";
    const asked = grantFields(row.fields);
    let fieldsOf = new Map<string, string[]>();
    if (asked && !failure) {
      const records = await tx.record.findMany({ where: { id: { in: view.recordIds } }, select: { id: true, type: true, latestVersion: true } });
      fieldsOf = await fieldsPerRecord(tx, records, asked, parents);
      const empty = [...fieldsOf].find(([, f]) => f.length === 0);
      if (empty)
        failure = `nothing of ${empty[0]} is left to share: it has none of the fields asked for${parents.has(empty[0]) ? ` that ${row.requestedBy} reads` : ""}`;
    }
    if (failure) {
      await setStatus(tx, row, "PENDING", ["ACCEPTED", "FAILED"], now);
      await log.appendIn(
        tx,
        view.recordIds.map((recordId) => decisionLine(orgId, recordId, now, `access request ${row.id} accepted but failed: ${failure}`)),
      );
      return;
    }
    await setStatus(tx, row, "PENDING", ["ACCEPTED"], now);
    await makeGrants(tx, provider, log, {
      id: row.id,
      requestedFor: row.requestedFor,
      recordIds: view.recordIds,
      scope: view.scope,
      expiresAt,
      grantedBy: orgId,
      parents,
      owners: new Map(view.recordIds.map((id) => [id, orgId])),
      now,
      fieldsOf,
    });
  });
  return viewOf((await load(db, requestId))!);
}

/** A refused or failed request, on the owner's record (the owner decided: the record is its own). */
const decisionLine = (owner: string, recordId: string, now: Date, detail: string): AccessLogDraft => ({
  at: now.toISOString(),
  actor: owner,
  action: "DENY",
  recordId,
  version: null,
  owner,
  detail,
});

/**
 * The requester withdraws its PENDING request, or the owner revokes an ACCEPTED one: its grants end
 * at once, with every grant delegated from them. Either way the request is REVOKED.
 */
export async function revokeAccessRequest(
  db: Db,
  _provider: DbProvider,
  log: AccessLogWriter,
  input: { orgId: string; requestId: string },
): Promise<AccessRequestView> {
  const { orgId, requestId } = input;
  const row = await load(db, requestId);
  if (!row || (row.requestedBy !== orgId && row.decider !== orgId)) return denied(log, orgId, requestId, "REVOKE");
  const now = new Date();
  if (row.requestedBy === orgId && row.status === "PENDING") {
    await writeTransaction(db, (tx) => setStatus(tx, row, "PENDING", ["REVOKED"], now));
  } else if (row.decider === orgId && row.status === "ACCEPTED") {
    await writeTransaction(db, async (tx) => {
      const grants = await tx.$queryRaw<{ id: string; recordId: string; grantee: string }[]>(
        sql`SELECT "id", "recordId", "grantee" FROM "Grant" WHERE "requestId" = ${row.id} AND "revokedAt" IS NULL`,
      );
      await setStatus(tx, row, "ACCEPTED", ["REVOKED"], now);
      await revokeGrants(
        tx,
        log,
        orgId,
        grants.map((g) => g.id),
        now,
      );
      await log.appendIn(
        tx,
        grants.map((g) => ({
          at: now.toISOString(),
          actor: orgId,
          action: "REVOKE_GRANT" as const,
          recordId: g.recordId,
          version: null,
          owner: orgId,
          detail: `from ${g.grantee} (access request ${row.id} revoked)`,
        })),
      );
    });
  } else {
    throw conflict(
      "access-request-not-revocable",
      `The request is ${row.status}: the requester withdraws a PENDING request, the owner revokes an ACCEPTED one.`,
    );
  }
  return viewOf((await load(db, requestId))!);
}

/** One request, for its requester or the owner who decides it; 404 for anyone else. */
export async function getAccessRequest(db: Db, orgId: string, requestId: string): Promise<AccessRequestView> {
  const row = await load(db, requestId);
  if (!row || (row.requestedBy !== orgId && row.decider !== orgId)) throw notFound();
  return viewOf(row);
}

/** The requests the organisation made (as requester) or decides (as owner), newest first. */
export async function listAccessRequests(
  db: Db,
  orgId: string,
  opts: { as: "owner" | "requester"; status?: AccessRequestStatus; limit?: number },
): Promise<AccessRequestView[]> {
  const who = opts.as === "owner" ? sql`"decider" = ${orgId}` : sql`"requestedBy" = ${orgId}`;
  const status = opts.status ? sql` AND "status" = ${opts.status}` : Prisma.empty;
  const limit = Prisma.raw(String(Math.min(1000, Math.max(1, Math.floor(opts.limit ?? 100)))));
  const rows = await db.$queryRaw<RequestRow[]>(
    sql`SELECT ${COLUMNS} FROM "AccessRequest" WHERE ${who}${status} ORDER BY "requestedAt" DESC, "id" LIMIT ${limit}`,
  );
  return rows.map(viewOf);
}
