import { Router, type RequestHandler } from "express";
import { AccessLogQuerySchema } from "../../sdk/api";
import type { AccessLogEntry, OwnAccessLogEntry } from "../../sdk/access-log";
import { callerOf } from "../auth/caller";
import type { Db, DbProvider } from "../db/client";
import { asDate, query as sqlQuery } from "../db/sql";
import { fromZod } from "../http/problem";

type Row = {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  recordId: string | null;
  version: number | null;
  owner: string | null;
  detail: string | null;
  prevHash: string;
  hash: string;
  chain: string | null;
  chainSeq: number | null;
};

/** The entry of a stored line: its fields named one by one, so a column added to the table never leaks into the answer. */
export function entryOf(row: Row): AccessLogEntry {
  const { seq, actor, recordId, version, owner, detail, prevHash, hash, chain, chainSeq } = row;
  const entry: AccessLogEntry = {
    seq,
    at: row.at.toISOString(),
    actor,
    action: row.action as AccessLogEntry["action"],
    recordId,
    version,
    owner,
    detail,
    prevHash,
    hash,
  };
  // A legacy line (from before chains) has neither.
  if (chain !== null && chainSeq !== null) Object.assign(entry, { chain, chainSeq });
  return entry;
}

/**
 * `GET /v1/access-log`: the lines about the caller's records (who read them, was granted, denied or
 * notified), oldest first. An auditor sees every line with its place in the hash chain; anyone else
 * its own lines numbered by its own sequence (OwnAccessLogEntry), `after` counting in it.
 */
export function accessLogRoutes(db: Db, provider: DbProvider, auth: RequestHandler): Router {
  const router = Router();
  router.get("/v1/access-log", auth, async (req, res) => {
    const caller = callerOf(req);
    const query = AccessLogQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod("invalid-query", "after and limit must be non-negative integers (limit 1-1000).", query.error);
    const { after, limit, recordId } = query.data;
    if (!caller.roles.includes("AUDITOR")) {
      const entries = await ownEntries(db, provider, caller.orgId, after, limit, recordId);
      res.json({ entries, next: entries.length > 0 ? entries[entries.length - 1]!.seq : after });
      return;
    }
    const { chain } = query.data;
    const rows = await db.accessLogEntry.findMany({
      where:
        chain === undefined ? { seq: { gt: after }, ...(recordId ? { recordId } : {}) } : { chain, chainSeq: { gt: after }, ...(recordId ? { recordId } : {}) },
      orderBy: chain === undefined ? { seq: "asc" } : { chainSeq: "asc" },
      take: limit,
    });
    const entries = rows.map(entryOf);
    const last = entries[entries.length - 1];
    res.json({ entries, next: last ? (chain === undefined ? last.seq : last.chainSeq!) : after });
  });
  return router;
}

type OwnRow = Omit<Row, "seq" | "at" | "prevHash" | "hash" | "chain" | "chainSeq"> & { ownerSeq: unknown; at: unknown; version: unknown };

/** The owner's lines after its own `after`, by its own sequence (also its own-scope audit export). */
export async function ownEntries(db: Db, provider: DbProvider, owner: string, after: number, limit: number, recordId?: string): Promise<OwnAccessLogEntry[]> {
  const params: (string | number)[] = [owner, after];
  const byRecord = recordId ? ` AND "recordId" = $${params.push(recordId)}` : "";
  const rows = await sqlQuery<OwnRow>(
    db,
    provider,
    `SELECT "ownerSeq", "at", "actor", "action", "recordId", "version", "owner", "detail" FROM "AccessLogEntry"
      WHERE "owner" = $1 AND "ownerSeq" > $2${byRecord} ORDER BY "ownerSeq" LIMIT ${Math.floor(limit)}`,
    params,
  );
  return rows.map((r) => ({
    seq: Number(r.ownerSeq),
    at: asDate(r.at)!.toISOString(),
    actor: r.actor,
    action: r.action as OwnAccessLogEntry["action"],
    recordId: r.recordId,
    version: r.version === null ? null : Number(r.version),
    owner: r.owner,
    detail: r.detail,
  }));
}
