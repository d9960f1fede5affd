import { Router, type RequestHandler } from "express";
import { AccessLogQuerySchema } from "../../sdk/api";
import type { AccessLogEntry } from "../../sdk/access-log";
import { callerOf } from "../auth/caller";
import type { Db } from "../db/client";
import { fromZod } from "../http/problem";

type Row = { seq: number; at: Date; actor: string; action: string; recordId: string | null; version: number | null; owner: string | null; detail: string | null; prevHash: string; hash: string };

export function entryOf(row: Row): AccessLogEntry {
  return { ...row, at: row.at.toISOString(), action: row.action as AccessLogEntry["action"] };
}

/**
 * `GET /v1/access-log`: the lines about the caller's records (who read them, was granted, denied or
 * notified), oldest first, each with its place in the hash chain. An auditor sees every line.
 */
export function accessLogRoutes(db: Db, auth: RequestHandler): Router {
  const router = Router();
  router.get("/v1/access-log", auth, async (req, res) => {
    const caller = callerOf(req);
    const query = AccessLogQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod("invalid-query", "after and limit must be non-negative integers (limit 1-1000).", query.error);
    const { after, limit, recordId } = query.data;
    const rows = await db.accessLogEntry.findMany({
      where: {
        seq: { gt: after },
        ...(caller.roles.includes("AUDITOR") ? {} : { owner: caller.orgId }),
        ...(recordId ? { recordId } : {}),
      },
      orderBy: { seq: "asc" },
      take: limit,
    });
    const entries = rows.map(entryOf);
    res.json({ entries, next: entries.length > 0 ? entries[entries.length - 1]!.seq : after });
  });
  return router;
}
