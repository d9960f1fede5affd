import type { ExportLine } from "../../sdk/audit/export-format";
import type { AnchorProof, SignedRecord } from "../../sdk/envelope";
import { PERSONAL_FIELDS, isRecordType } from "../../sdk/records";
import { redact } from "../../sdk/redact";
import type { Role } from "../../sdk/roles";
import type { ProofService } from "../anchoring/proofs";
import type { Db, DbProvider } from "../db/client";
import { badRequest } from "../http/problem";
import { entryOf, ownEntries } from "../access-log/routes";
import { storedRecord } from "../records/service";

/** Rows per query: bounded memory whatever the hub holds. */
const PAGE = 1000;
/** Longer than a batch can take from its block being read as the head to the export starting. */
const ANCHORED_RACE_MS = 5_000;

export interface ExportScope {
  /** "all": every batch, record and log line (auditors). "own": the organisation's own records with proofs. */
  scope: "all" | "own";
  orgId: string;
  /** The exporter's roles: personal fields are shown only to their publisher and to customs. */
  roles: readonly Role[];
  /** Resume after this line (a cursor of an earlier export). */
  after?: string;
  /**
   * Batches as they stood at this block: one anchored later is shown as signed, not yet mined. The
   * hub's self-audit reads the chain up to a block and then the export, while batches keep being
   * anchored; without this a batch mined in between would look anchored with no event on chain.
   * Only a batch the hub marked anchored after the export began (ANCHORED_RACE_MS) can be such a
   * one: a batch marked before it, in a block beyond this one, is a batch the chain lost, and is
   * shown as anchored so the audit reports it.
   */
  asOfBlock?: number;
}

export interface ExportChain {
  chainId: number;
  participantRegistry: string;
  anchorRegistry: string;
  anchorer: string;
}

/** Where an export stands: which section, and the last key emitted in it. */
type Position =
  | { p: "b"; c: string; i: string } // after batch line (createdAt, id)
  | { p: "r"; c: string; i: string; q: number } // after a record of that batch, by outbox seq
  | { p: "u"; k: string } // after an unbatched record, by version id
  | { p: "o"; k: string } // after an own record, by version id
  | { p: "a"; q: number } // after an access log line, by seq (own lines: ownerSeq; else the legacy chain's)
  | { p: "c"; k: string; q: number }; // after a chained access log line, by (chain, chainSeq)

const encode = (pos: Position) => Buffer.from(JSON.stringify(pos)).toString("base64url");

function decode(cursor: string): Position {
  try {
    const pos = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Position;
    if (pos && typeof pos === "object" && ["b", "r", "u", "o", "a", "c"].includes(pos.p)) return pos;
  } catch {
    // fall through
  }
  throw badRequest("invalid-cursor", "The cursor is not one this hub issued.", [{ path: "after", message: "unknown cursor" }]);
}

/**
 * The record as the exporter may hold it: personal fields (PERSONAL_FIELDS) stay with their publisher
 * and customs, as on every read (server/records/service.ts disclosed()); anyone else, the auditor
 * included, gets their salted field hashes, from which the audit still recomputes the digest.
 */
function exported(record: SignedRecord, reader: { orgId: string; customs: boolean }): SignedRecord {
  if (reader.customs || record.owner === reader.orgId || !isRecordType(record.type)) return record;
  const personal = PERSONAL_FIELDS[record.type]?.filter((f) => Object.hasOwn(record.body, f));
  return personal && personal.length > 0 ? redact(record, personal) : record;
}

/** A stored version as the export shows it. */
type Show = (row: Parameters<typeof storedRecord>[0]) => SignedRecord;

type VersionRow = {
  id: string;
  recordId: string;
  version: number;
  type: string;
  owner: string;
  body: string;
  salts: string;
  digest: string;
  signature: string;
  publishedAt: Date | string;
};

/**
 * The export as JSON Lines objects (sdk/audit/export-format.ts), generated page by page: batches in
 * creation order each followed by its records, then records in no batch yet, then the access log.
 * The hub's own scheduled audit reads the same lines an auditor downloads.
 */
export async function* exportLines(db: Db, provider: DbProvider, proofs: ProofService, chain: ExportChain, scope: ExportScope): AsyncGenerator<ExportLine> {
  const from = scope.after ? decode(scope.after) : undefined;
  const own = scope.scope === "own";
  if (from && (own ? !["o", "a"].includes(from.p) : from.p === "o")) throw badRequest("invalid-cursor", "The cursor belongs to an export of another scope.");
  const logWhere = own ? { owner: scope.orgId } : {};
  const reader = { orgId: scope.orgId, customs: scope.roles.includes("CUSTOMS") };
  const show: Show = (row) => exported(storedRecord(row), reader);
  const [batchCount, recordCount, accessCount] = await Promise.all([
    own ? Promise.resolve(0) : db.anchorBatch.count(),
    db.recordVersion.count({ where: own ? { owner: scope.orgId } : {} }),
    db.accessLogEntry.count({ where: logWhere }),
  ]);
  yield {
    kind: "header",
    format: "cargoproof-export/1",
    scope: scope.scope,
    orgId: scope.orgId,
    chainId: chain.chainId,
    participantRegistry: chain.participantRegistry,
    anchorRegistry: chain.anchorRegistry,
    anchorer: chain.anchorer,
    exportedAt: new Date().toISOString(),
    ...(scope.asOfBlock !== undefined ? { chainBlock: scope.asOfBlock } : {}),
    expected: { batches: batchCount, records: recordCount, access: accessCount },
  };
  const counts = { batches: 0, records: 0, access: 0 };
  const section = from?.p ?? (own ? "o" : "b");

  if (!own && (section === "b" || section === "r")) {
    const asOf = scope.asOfBlock === undefined ? undefined : { block: scope.asOfBlock, markedBefore: Date.now() - ANCHORED_RACE_MS };
    for await (const line of batchSection(db, show, from && (from.p === "b" || from.p === "r") ? from : undefined, asOf)) {
      if (line.kind === "batch") counts.batches++;
      else counts.records++;
      yield line;
    }
  }
  if (!own && section !== "a" && section !== "c") {
    let key = from?.p === "u" ? from.k : "";
    for (;;) {
      const rows = await unbatchedVersions(db, provider, key);
      for (const row of rows) {
        counts.records++;
        yield { kind: "record", cursor: encode({ p: "u", k: row.id }), record: show(row), publishedAt: iso(row.publishedAt), batchId: null };
      }
      if (rows.length < PAGE) break;
      key = rows[rows.length - 1]!.id;
    }
  }
  if (own && section === "o") {
    let key = from?.p === "o" ? from.k : "";
    for (;;) {
      const rows = await db.recordVersion.findMany({ where: { owner: scope.orgId, id: { gt: key } }, orderBy: { id: "asc" }, take: PAGE });
      const items = await db.anchorItem.findMany({ where: { digest: { in: rows.map((r) => r.digest) } }, select: { digest: true, batchId: true } });
      const batchOf = new Map(items.map((i) => [i.digest, i.batchId]));
      for (const row of rows) {
        counts.records++;
        const proof = await proofs.proofOf(row.digest).catch((): AnchorProof | undefined => undefined);
        yield {
          kind: "record",
          cursor: encode({ p: "o", k: row.id }),
          record: show(row),
          publishedAt: row.publishedAt.toISOString(),
          batchId: batchOf.get(row.digest) ?? null,
          ...(proof ? { proof } : {}),
        };
      }
      if (rows.length < PAGE) break;
      key = rows[rows.length - 1]!.id;
    }
  }
  let seq = from?.p === "a" ? from.q : 0;
  // An organisation's own lines as its access log shows them: its own gapless sequence, no hash-chain
  // fields (they cover the hub-wide seq and would tell how busy the rest of the hub is).
  while (own) {
    const entries = await ownEntries(db, provider, scope.orgId, seq, PAGE * 5);
    for (const entry of entries) {
      counts.access++;
      yield { kind: "access", cursor: encode({ p: "a", q: entry.seq }), entry };
    }
    if (entries.length < PAGE * 5) break;
    seq = entries[entries.length - 1]!.seq;
  }
  // The legacy chain (lines from before chains) by seq, then each chain by chainSeq: within a chain
  // every line visible has its predecessors visible (they committed first, under the chain's lock),
  // which the hub-wide seq of chained lines, given without a lock, does not promise.
  while (!own && section !== "c") {
    const rows = await db.accessLogEntry.findMany({ where: { chain: null, seq: { gt: seq } }, orderBy: { seq: "asc" }, take: PAGE * 5 });
    for (const row of rows) {
      counts.access++;
      yield { kind: "access", cursor: encode({ p: "a", q: row.seq }), entry: entryOf(row) };
    }
    if (rows.length < PAGE * 5) break;
    seq = rows[rows.length - 1]!.seq;
  }
  let at = from?.p === "c" ? { k: from.k, q: from.q } : undefined;
  while (!own) {
    const rows = await db.accessLogEntry.findMany({
      where: at ? { OR: [{ chain: { gt: at.k } }, { chain: at.k, chainSeq: { gt: at.q } }] } : { chain: { not: null } },
      orderBy: [{ chain: "asc" }, { chainSeq: "asc" }],
      take: PAGE * 5,
    });
    for (const row of rows) {
      counts.access++;
      yield { kind: "access", cursor: encode({ p: "c", k: row.chain!, q: row.chainSeq! }), entry: entryOf(row) };
    }
    if (rows.length < PAGE * 5) break;
    const last = rows[rows.length - 1]!;
    at = { k: last.chain!, q: last.chainSeq! };
  }
  yield { kind: "end", counts };
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

/** Batches after `from` in creation order, each followed by its records in outbox order. */
async function* batchSection(
  db: Db,
  show: Show,
  from: Extract<Position, { p: "b" | "r" }> | undefined,
  asOf?: { block: number; markedBefore: number },
): AsyncGenerator<ExportLine> {
  let after = from ? { c: from.c, i: from.i } : undefined;
  // Resuming after a batch line or inside its records: finish its records first, without repeating the batch line.
  if (from) yield* batchRecords(db, show, from.i, from.c, from.p === "r" ? from.q : 0);
  for (;;) {
    const batches = await db.anchorBatch.findMany({
      where: after ? { OR: [{ createdAt: { gt: new Date(after.c) } }, { createdAt: new Date(after.c), id: { gt: after.i } }] } : {},
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: 20,
    });
    const heads = await db.anchorBatchAccessHead.findMany({
      where: { batchId: { in: batches.map((b) => b.id) } },
      orderBy: [{ batchId: "asc" }, { chain: "asc" }],
    });
    const headsOf = new Map<string, { chain: string; seq: number; hash: string }[]>();
    for (const h of heads) headsOf.set(h.batchId, [...(headsOf.get(h.batchId) ?? []), { chain: h.chain, seq: h.seq, hash: h.hash }]);
    for (const b of batches) {
      const c = b.createdAt.toISOString();
      const chains = headsOf.get(b.id);
      const later = asOf !== undefined && b.status === "ANCHORED" && (b.blockNumber ?? 0) > asOf.block && (b.anchoredAt?.getTime() ?? 0) >= asOf.markedBefore;
      yield {
        kind: "batch",
        cursor: encode({ p: "b", c, i: b.id }),
        id: b.id,
        root: b.root,
        leafCount: b.leafCount,
        leaves: JSON.parse(b.leaves) as string[],
        status: later ? "SIGNED" : (b.status as "BUILT" | "SIGNED" | "ANCHORED"),
        ...(b.txHash ? { txHash: b.txHash } : {}),
        ...(b.blockNumber !== null && !later ? { blockNumber: b.blockNumber } : {}),
        ...(b.accessLogSeq !== null && b.accessLogHash ? { accessLogHead: { seq: b.accessLogSeq, hash: b.accessLogHash } } : {}),
        ...(chains ? { accessLogChains: chains } : {}),
      };
      yield* batchRecords(db, show, b.id, c, 0);
    }
    if (batches.length < 20) return;
    const last = batches[batches.length - 1]!;
    after = { c: last.createdAt.toISOString(), i: last.id };
  }
}

async function* batchRecords(db: Db, show: Show, batchId: string, c: string, afterSeq: number): AsyncGenerator<ExportLine> {
  let seq = afterSeq;
  for (;;) {
    const items = await db.anchorItem.findMany({
      where: { batchId, seq: { gt: seq } },
      orderBy: { seq: "asc" },
      take: PAGE,
      select: { seq: true, digest: true },
    });
    const rows = await db.recordVersion.findMany({ where: { digest: { in: items.map((i) => i.digest) } } });
    const byDigest = new Map(rows.map((r) => [r.digest, r]));
    for (const item of items) {
      const row = byDigest.get(item.digest);
      // An outbox row without its version (a deleted row) shows as a leaf with no record: the audit reports it.
      if (!row) continue;
      yield {
        kind: "record",
        cursor: encode({ p: "r", c, i: batchId, q: item.seq }),
        record: show(row),
        publishedAt: row.publishedAt.toISOString(),
        batchId,
      };
    }
    if (items.length < PAGE) return;
    seq = items[items.length - 1]!.seq;
  }
}

/** Versions whose digest is in no batch (still pending, or with no outbox row at all), by id after `key`. */
function unbatchedVersions(db: Db, provider: DbProvider, key: string): Promise<VersionRow[]> {
  const p = (n: number) => (provider === "sqlite" ? "?" : `$${n}`);
  return db.$queryRawUnsafe<VersionRow[]>(
    `SELECT rv."id", rv."recordId", rv."version", rv."type", rv."owner", rv."body", rv."salts", rv."digest", rv."signature", rv."publishedAt"
       FROM "RecordVersion" rv LEFT JOIN "AnchorItem" ai ON ai."digest" = rv."digest"
      WHERE ai."batchId" IS NULL AND rv."id" > ${p(1)}
      ORDER BY rv."id" LIMIT ${PAGE}`,
    key,
  );
}
