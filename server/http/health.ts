import type { RequestHandler } from "express";
import type { StorageHealth } from "../db/faults";
import { serviceUnavailable } from "./problem";

/**
 * GET /health: 200 `{status:"ok"}`, or, while the database keeps meeting storage faults (full,
 * busy, unavailable), 503 with the worst one's problem and Retry-After, so a load balancer or a
 * readiness probe takes the hub out until it recovers by itself (server/db/faults.ts StorageHealth).
 * It reads no table: it answers at once even while another process holds the database's lock.
 */
export function healthRoute(health: StorageHealth | undefined): RequestHandler {
  return (_req, res, next) => {
    const faults = health?.current() ?? [];
    const worst = faults[0];
    if (!worst) {
      res.json({ status: "ok" });
      return;
    }
    const spells = faults.map((f) => `${f.problem} since ${f.since} (last ${f.lastAt}, ${f.count} in all)`).join("; ");
    next(serviceUnavailable(worst.problem, `Degraded: ${spells}.`, worst.retryAfterS));
  };
}
