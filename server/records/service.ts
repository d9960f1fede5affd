import type { SignedRecord } from "../../sdk/envelope";
import { readRows, writeTransaction, type Db, type DbProvider } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import { asDate, asNumber, isUniqueViolation } from "../db/sql";
import { Prisma } from "../db/.generated/sqlite/client";
import { HttpProblem, badRequest, conflict, forbidden, notFound } from "../http/problem";
import { checkRecord, type CheckedRecord, type FieldError } from "./check";
import { RecordChecks } from "./check-pool";
import { accessOf, recordAccess, visibleFields, type Access, type AccessRunner } from "./access";
import type { Published, StoredRecord } from "../../sdk/api";
import { PERSONAL_FIELDS, isRecordType } from "../../sdk/records";
import { redact } from "../../sdk/redact";
import type { Role } from "../../sdk/roles";
import { toView } from "../orgs/service";
import { recordPaths, type RecordObserver } from "./observers";
import { checkNewRecordIds } from "./record-ids";

export interface PublishOptions {
  /** Worker threads for the record checks of large batches (inline without). */
  checks?: RecordChecks;
  /** The records were just digested and signed by the hub itself (HubPublisher): skip re-checking that. */
  selfSigned?: boolean;
}

const inlineChecks = new RecordChecks(0);

/**
 * Checks and stores record versions, all or nothing. Each version, its digest and its outbox row
 * (AnchorItem) are written in one transaction, so an acknowledged record is never lost and is
 * always anchored later. Observers see the stored versions inside that transaction.
 */
export async function publishRecords(
  db: Db,
  provider: DbProvider,
  orgId: string,
  raws: unknown[],
  single: boolean,
  observers: readonly RecordObserver[] = [],
  opts: PublishOptions = {},
): Promise<Published[]> {
  const org = await db.organization.findUniqueOrThrow({ where: { id: orgId } });
  const records: SignedRecord[] = [];
  const errors: FieldError[] = [];
  let kind = "invalid-record";
  const paths = recordPaths(single);
  const prefixOf = (i: number) => paths.path(i, "");
  const results: CheckedRecord[] = opts.selfSigned
    ? raws.map((raw, i) => checkRecord(raw, orgId, org.signerAddress, prefixOf(i), true))
    : await (opts.checks ?? inlineChecks).check(raws.map((raw, i) => ({ raw, owner: orgId, signer: org.signerAddress, prefix: prefixOf(i) })));
  results.forEach((checked) => {
    if (checked.ok) records.push(checked.record);
    else {
      if (errors.length === 0) kind = checked.kind;
      errors.push(...checked.errors);
    }
  });
  if (errors.length > 0) {
    if (kind === "wrong-owner") throw forbidden(kind, errors[0]!.message);
    throw badRequest(kind, single ? errors[0]!.message : `${errors.length} problem(s) in the batch; nothing was stored.`, errors);
  }

  for (const o of observers) await o.beforeStore?.(records, paths);
  // Before the store looks the ids up: the answer must not depend on anyone else's records.
  checkNewRecordIds(orgId, records, single);

  const ids = [...new Set(records.map((r) => r.id))];
  try {
    await writeTransaction(db, async (tx) => {
      const existing = await tx.record.findMany({ where: { id: { in: ids } }, select: { id: true, owner: true, latestVersion: true } });
      // Another organisation's record is answered as an id nobody has: a later version of it is the
      // same version-conflict as for a free id. A member's first version is named in its own namespace
      // (record-ids.ts), so it meets another's record only by reusing a UUID it was shown: 409.
      const theirs = new Set(existing.filter((r) => r.owner !== orgId).map((r) => r.id));
      const latest = new Map(existing.filter((r) => !theirs.has(r.id)).map((r) => [r.id, r.latestVersion]));
      for (const r of records) {
        if (theirs.has(r.id) && r.version === 1) throw conflict("record-id-unavailable", `Record id ${r.id} is not available; choose another.`);
        const expected = (latest.get(r.id) ?? 0) + 1;
        if (r.version !== expected)
          throw conflict(
            "version-conflict",
            `Record ${r.id}: version ${r.version} submitted, ${expected} expected (versions are consecutive; the latest is ${expected - 1}).`,
          );
        latest.set(r.id, expected);
      }
      const now = new Date();
      await insertRows(
        tx,
        provider,
        "RecordVersion",
        ["id", "recordId", "version", "type", "owner", "body", "salts", "digest", "signature", "signer", "publishedAt"],
        records.map((r) => [
          `${r.id}@${r.version}`,
          r.id,
          r.version,
          r.type,
          r.owner,
          JSON.stringify(r.body),
          JSON.stringify(r.salts),
          r.digest,
          r.signature,
          org.signerAddress,
          now,
        ]),
      );
      await insertRows(
        tx,
        provider,
        "AnchorItem",
        ["digest", "kind", "createdAt"],
        records.map((r) => [r.digest, "RECORD", now]),
      );
      const known = new Set(existing.map((r) => r.id));
      const fresh = records.filter((r) => r.version === 1 && !known.has(r.id));
      const freshIds = new Set(fresh.map((r) => r.id));
      await insertRows(
        tx,
        provider,
        "Record",
        ["id", "type", "owner", "latestVersion", "createdAt", "updatedAt"],
        fresh.map((r) => [r.id, r.type, r.owner, latest.get(r.id)!, now, now]),
      );
      for (const id of ids.filter((i) => !freshIds.has(i))) await tx.record.update({ where: { id }, data: { latestVersion: latest.get(id)!, updatedAt: now } });
      const publisher = { orgId, roles: toView(org).roles };
      for (const o of observers) await o.onStored(records, { tx, provider, publisher, now, paths });
    });
  } catch (err) {
    // A concurrent publication stored the same version first (the version check above read before it committed).
    if (!(err instanceof HttpProblem) && isUniqueViolation(err))
      throw conflict("version-conflict", "A version of these records was stored meanwhile by a concurrent publication; read the latest and publish the next.");
    throw err;
  }
  for (const o of observers) o.afterCommit?.(records);
  return records.map((r) => ({ id: r.id, version: r.version, digest: r.digest, status: "PENDING" as const }));
}

/** The signed record of a stored version row. */
export function storedRecord(row: {
  type: string;
  recordId: string;
  version: number;
  owner: string;
  body: string;
  salts: string;
  digest: string;
  signature: string;
}): SignedRecord {
  return {
    type: row.type,
    id: row.recordId,
    version: row.version,
    owner: row.owner,
    body: JSON.parse(row.body) as Record<string, unknown>,
    salts: JSON.parse(row.salts) as Record<string, string>,
    digest: row.digest,
    signature: row.signature,
  };
}

function parseVersion(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || !/^[1-9]\d{0,8}$/.test(raw)) throw badRequest("invalid-version", "version must be a positive integer.");
  return Number(raw);
}

/** The stored row of one version (the latest by default) of a record the caller may read, with how it reads it; 404 otherwise. */
export async function readableVersion(db: Db, orgId: string, recordId: string, versionParam?: unknown) {
  const { record: header, access } = await recordAccess(db, orgId, recordId);
  const version = parseVersion(versionParam) ?? header.latestVersion;
  const row = await db.recordVersion.findUnique({ where: { recordId_version: { recordId, version } } });
  if (!row) throw notFound();
  return { ...row, access };
}

/** Who reads a record: personal fields are shown only to their publisher and to customs. */
export interface Reader {
  orgId: string;
  roles: readonly Role[];
}

/**
 * The record as `reader` may see it, reading it by `access` (server/records/access.ts): the one way a
 * stored body is shown to anyone but its publisher. Personal fields (PERSONAL_FIELDS of its type) are
 * redacted unless the reader published it or is customs; so is every field a field-level grant does
 * not share. The redacted form keeps its digest, signature and proof: it still verifies.
 */
export function disclosed(record: SignedRecord, reader: Reader, access: Access): SignedRecord {
  if (record.owner === reader.orgId) return record;
  const personal = reader.roles.includes("CUSTOMS") || !isRecordType(record.type) ? [] : (PERSONAL_FIELDS[record.type] ?? []);
  const shared = visibleFields(access);
  const hide = Object.keys(record.body).filter((f) => personal.includes(f) || (shared !== null && !shared.includes(f)));
  return hide.length > 0 ? redact(record, hide) : record;
}

/**
 * disclosed() for several records at once: each as `reader` may see it; those it may not read are
 * left out. For lists, embedded objects and notification bodies.
 */
export async function disclosedAll(db: AccessRunner, reader: Reader, records: readonly SignedRecord[]): Promise<Map<string, SignedRecord>> {
  const access = await accessOf(
    db,
    reader.orgId,
    records.map((r) => r.id),
  );
  const out = new Map<string, SignedRecord>();
  for (const r of records) {
    const a = access.get(r.id);
    if (a) out.set(r.id, disclosed(r, reader, a));
  }
  return out;
}

/** A RecordVersion row as a raw query returns it (numbers and timestamps as the driver gives them). */
export interface StoredVersionRow {
  type: string;
  recordId: string;
  version: unknown;
  owner: string;
  body: string;
  salts: string;
  digest: string;
  signature: string;
  publishedAt: unknown;
}

interface VersionAnchorRow extends StoredVersionRow {
  status: string | null;
  root: string | null;
  txHash: string | null;
  blockNumber: unknown;
  blockTime: unknown;
}

/**
 * One version (the latest by default) of a record the caller may read, with its anchoring status.
 * The version and its batch come in one statement: the read path's cost is mostly per statement
 * (the client runtime's work, not SQLite's), and this was three (issue 17).
 */
export async function getRecord(db: Db, reader: Reader, recordId: string, versionParam?: unknown): Promise<StoredRecord> {
  const { record: header, access } = await recordAccess(db, reader.orgId, recordId);
  const version = parseVersion(versionParam) ?? header.latestVersion;
  const [row] = await readRows<VersionAnchorRow>(
    db,
    Prisma.sql`
    SELECT v."type", v."recordId", v."version", v."owner", v."body", v."salts", v."digest", v."signature", v."publishedAt",
           b."status", b."root", b."txHash", b."blockNumber", b."blockTime"
      FROM "RecordVersion" v
      LEFT JOIN "AnchorItem" i ON i."digest" = v."digest"
      LEFT JOIN "AnchorBatch" b ON b."id" = i."batchId"
     WHERE v."recordId" = ${recordId} AND v."version" = ${version}`,
  );
  if (!row) throw notFound();
  const anchored = row.status === "ANCHORED" && row.root !== null;
  const blockTime = asDate(row.blockTime);
  return {
    record: disclosed(storedRecord({ ...row, version: asNumber(row.version) }), reader, access),
    publishedAt: asDate(row.publishedAt)!.toISOString(),
    anchor: anchored
      ? {
          status: "ANCHORED",
          root: row.root!,
          txHash: row.txHash ?? undefined,
          blockNumber: row.blockNumber === null || row.blockNumber === undefined ? undefined : asNumber(row.blockNumber),
          blockTime: blockTime?.toISOString(),
        }
      : { status: "PENDING" },
  };
}
