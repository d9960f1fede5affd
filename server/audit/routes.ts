import { timingSafeEqual } from "node:crypto";
import { Router, type RequestHandler } from "express";
import { z } from "zod";
import type { ProofService } from "../anchoring/proofs";
import type { AccessLogWriter } from "../access-log/writer";
import { deniedLookup } from "../access-log/logged";
import { callerOf } from "../auth/caller";
import type { Db, DbProvider } from "../db/client";
import { drainedOrClosed } from "../http/drain";
import { forbidden, fromZod } from "../http/problem";
import { exportLines, type ExportChain } from "./export";
import { renderMetrics } from "./metrics";
import type { SelfAudit } from "./self-audit";

export const ExportQuerySchema = z.object({
  scope: z.enum(["all", "own"]).default("own"),
  after: z.string().min(1).max(2000).optional(),
});

/**
 * `GET /v1/audit/export`: the hub's records, batches and access log as JSON Lines, streamed and
 * resumable (`after` = the cursor of the last line received). `scope=all` is for organisations
 * with the AUDITOR role; any organisation may export its own records with their proofs.
 */
export function auditRoutes(deps: {
  db: Db;
  provider: DbProvider;
  proofs: ProofService;
  chain: ExportChain;
  /** The chain's latest block number: an export shows the batches as they stood at it. */
  latestBlock: () => Promise<number>;
  auth: RequestHandler;
  accessLog: AccessLogWriter;
  selfAudit: SelfAudit;
  metricsToken?: string;
}): Router {
  const { db, provider, proofs, chain, latestBlock, auth, accessLog, selfAudit, metricsToken } = deps;
  const router = Router();

  // Prometheus scrapes with the static METRICS_TOKEN; operators and auditors may also use their access token.
  router.get(
    "/metrics",
    (req, res, next) => {
      const presented = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1];
      if (metricsToken && presented && sameSecret(presented, metricsToken)) return next("route");
      return auth(req, res, next);
    },
    (req, _res, next) => {
      const { roles } = callerOf(req);
      if (!roles.includes("OPERATOR") && !roles.includes("AUDITOR")) throw forbidden("metrics-forbidden", "Metrics are for the operator and auditors.");
      next("route");
    },
  );
  router.get("/metrics", async (_req, res) => {
    res
      .type("text/plain; version=0.0.4; charset=utf-8")
      .set("Cache-Control", "no-store")
      .send(await renderMetrics(db, await selfAudit.latest()));
  });

  router.get("/v1/audit/export", auth, async (req, res) => {
    const caller = callerOf(req);
    const query = ExportQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod("invalid-query", "scope is 'all' or 'own'; after is a cursor from an earlier export.", query.error);
    const { scope, after } = query.data;
    const at = new Date().toISOString();
    if (scope === "all" && !caller.roles.includes("AUDITOR")) {
      await accessLog.append(deniedLookup(caller.orgId, "EXPORT all"));
      throw forbidden("auditor-only", "Exporting the whole hub takes the AUDITOR role; use scope=own for your own records.");
    }
    const lines = exportLines(db, provider, proofs, chain, { scope, orgId: caller.orgId, roles: caller.roles, after, asOfBlock: await latestBlock() });
    // The first line (or a bad cursor's 400) before any byte is sent, so errors stay problems.
    const first = await lines.next();
    await accessLog.append({
      at,
      actor: caller.orgId,
      action: "EXPORT",
      recordId: null,
      version: null,
      owner: scope === "own" ? caller.orgId : null,
      detail: `scope=${scope}${after ? " resumed" : ""}`,
    });
    res.status(200).type("application/x-ndjson").set("Cache-Control", "no-store");
    let closed = false;
    res.on("close", () => (closed = true));
    if (!first.done) res.write(JSON.stringify(first.value) + "\n");
    for await (const line of lines) {
      if (closed) break;
      if (!res.write(JSON.stringify(line) + "\n") && !(await drainedOrClosed(res))) break;
    }
    res.end();
  });
  return router;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
