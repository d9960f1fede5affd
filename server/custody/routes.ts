import { Router, type RequestHandler } from "express";
import type { AccessLogDraft } from "../../sdk/access-log";
import {
  CustodyChainQuerySchema,
  CustodyDiscrepancySchema,
  CustodyHandoverQuerySchema,
  type CustodyChain,
  type CustodyHandoverView,
  type CustodyStatusName,
} from "../../sdk/custody";
import type { AccessLogWriter } from "../access-log/writer";
import { deniedLookup, readLine } from "../access-log/logged";
import { callerOf } from "../auth/caller";
import type { Db, DbProvider } from "../db/client";
import { asNumber, query } from "../db/sql";
import { fromZod, notFound } from "../http/problem";
import { NO_RECORD, accessOf } from "../records/access";

export interface CustodyRouteDeps {
  db: Db;
  provider: DbProvider;
  auth: RequestHandler;
  accessLog: AccessLogWriter;
}

interface Row {
  recordId: string;
  version: unknown;
  digest: string;
  hander: string;
  receiver: string;
  handedOverAt: string;
  status: string;
  discrepancies: string;
  receiptId: string | null;
  receiptVersion: unknown;
  receiptDigest: string | null;
  decision: string | null;
  receivedAt: string | null;
}

const COLUMNS = `h."recordId", h."version", h."digest", h."hander", h."receiver", h."handedOverAt", h."status", h."discrepancies",
  h."receiptId", h."receiptVersion", h."receiptDigest", h."decision", h."receivedAt"`;

/**
 * The rows the caller may read, as views. A receipt the caller may not read is left out, and the
 * handover then shows as one-sided: what the caller may not see is answered as unknown.
 */
async function readableViews(db: Db, orgId: string, rows: readonly Row[]): Promise<CustodyHandoverView[]> {
  // NO_RECORD keeps the statements the same when there is nothing to check.
  const ids = [...rows.flatMap((r) => (r.receiptId ? [r.recordId, r.receiptId] : [r.recordId])), NO_RECORD];
  const access = await accessOf(db, orgId, ids);
  const out: CustodyHandoverView[] = [];
  for (const r of rows) {
    if (!access.has(r.recordId)) continue;
    const answered = r.receiptId !== null && access.has(r.receiptId);
    out.push({
      handover: { id: r.recordId, version: asNumber(r.version), digest: r.digest },
      hander: r.hander,
      receiver: r.receiver,
      handedOverAt: r.handedOverAt,
      status: answered ? (r.status as CustodyStatusName) : "one-sided",
      ...(answered
        ? {
            receipt: {
              id: r.receiptId!,
              version: asNumber(r.receiptVersion),
              digest: r.receiptDigest!,
              decision: r.decision === "REFUSED" ? ("REFUSED" as const) : ("ACCEPTED" as const),
              receivedAt: r.receivedAt!,
            },
          }
        : {}),
      discrepancies: answered ? CustodyDiscrepancySchema.array().parse(JSON.parse(r.discrepancies)) : [],
    });
  }
  return out;
}

/** One READ line per handover shown (and per receipt shown with it). */
function readLines(orgId: string, views: readonly CustodyHandoverView[], detail: string): AccessLogDraft[] {
  const at = new Date().toISOString();
  return views.flatMap((v) => [
    readLine(orgId, { ...v.handover, owner: v.hander }, detail, at),
    ...(v.receipt ? [readLine(orgId, { ...v.receipt, owner: v.receiver }, detail, at)] : []),
  ]);
}

/** Custody handovers (docs/custody.md): what awaits the caller's countersignature, and an item's custody chain. */
export function custodyRoutes(deps: CustodyRouteDeps): Router {
  const { db, provider, auth, accessLog } = deps;
  const router = Router();

  router.get("/v1/custody/handovers", auth, async (req, res) => {
    const { orgId } = callerOf(req);
    const q = CustodyHandoverQuerySchema.safeParse(req.query);
    if (!q.success) throw fromZod("invalid-query", "Expected ?as=receiver|hander&status=pending|one-sided|countersigned|refused&limit=1-500.", q.error);
    const party = q.data.as === "receiver" ? `"receiver"` : `"hander"`;
    const status = q.data.status === "pending" ? "one-sided" : q.data.status;
    const rows = await query<Row>(
      db,
      provider,
      `SELECT ${COLUMNS} FROM "CustodyHandover" h WHERE h.${party} = $1 ${status ? `AND h."status" = $2` : ""}
        ORDER BY h."handedOverAt" DESC, h."recordId" LIMIT ${Math.floor(q.data.limit)}`,
      status ? [orgId, status] : [orgId],
    );
    const handovers = await readableViews(db, orgId, rows);
    await accessLog.append(...readLines(orgId, handovers, `custody handovers as ${q.data.as}`));
    res.json({ handovers });
  });

  router.get("/v1/custody", auth, async (req, res) => {
    const { orgId } = callerOf(req);
    const q = CustodyChainQuerySchema.safeParse(req.query);
    if (!q.success) throw fromZod("invalid-query", "Expected ?item=<piece, ULD or package id>&at=<ISO 8601 date-time>.", q.error);
    const at = q.data.at ? new Date(q.data.at).toISOString() : new Date().toISOString();
    const rows = await query<Row>(
      db,
      provider,
      `SELECT ${COLUMNS} FROM "CustodyItem" i JOIN "CustodyHandover" h ON h."recordId" = i."handoverId"
        WHERE i."itemId" = $1 AND h."handedOverAt" <= $2 ORDER BY h."handedOverAt", h."recordId"`,
      [q.data.item, at],
    );
    const handovers = await readableViews(db, orgId, rows);
    const detail = `custody of ${q.data.item.slice(0, 200)}`;
    if (handovers.length === 0) {
      // Nothing readable is the same 404 as an item nobody handed over; the attempt is logged all the same.
      await accessLog.append(deniedLookup(orgId, `${detail}: READ`));
      throw notFound();
    }
    const held = handovers.filter((h) => h.status === "countersigned").at(-1);
    const chain: CustodyChain = {
      item: q.data.item,
      at,
      ...(held ? { holder: held.receiver, since: held.handedOverAt } : {}),
      handovers,
    };
    await accessLog.append(...readLines(orgId, handovers, detail));
    res.json(chain);
  });

  return router;
}
