import { Router, type RequestHandler } from "express";
import { ConsolidationQuerySchema } from "../../sdk/consolidation";
import type { AccessLogWriter } from "../access-log/writer";
import { deniedLookup, readLine } from "../access-log/logged";
import { callerOf } from "../auth/caller";
import type { Db, DbProvider } from "../db/client";
import { fromZod, notFound } from "../http/problem";
import { consolidationView } from "./view";

export interface ConsolidationRouteDeps {
  db: Db;
  provider: DbProvider;
  auth: RequestHandler;
  accessLog: AccessLogWriter;
}

/** The consolidation index (docs/consolidation.md): what contains a node and what it contains, as of a time. */
export function consolidationRoutes(deps: ConsolidationRouteDeps): Router {
  const { db, provider, auth, accessLog } = deps;
  const router = Router();

  router.get("/v1/consolidation", auth, async (req, res) => {
    const { orgId } = callerOf(req);
    const q = ConsolidationQuerySchema.safeParse(req.query);
    if (!q.success) throw fromZod("invalid-query", "Expected ?id=<parcel, piece, ULD, package or waybill number>&at=<ISO 8601 date-time>.", q.error);
    const at = q.data.at ? new Date(q.data.at).toISOString() : new Date().toISOString();
    const id = q.data.id;
    const detail = `consolidation of ${id.slice(0, 200)}`;
    const found = await consolidationView(db, provider, orgId, id, at);
    if (!found) {
      // The refused lookup is logged all the same.
      await accessLog.append(deniedLookup(orgId, `${detail}: READ`));
      throw notFound();
    }
    const now = new Date().toISOString();
    await accessLog.append(...found.shown.map((r) => readLine(orgId, r, detail, now)));
    res.json(found.view);
  });

  return router;
}
