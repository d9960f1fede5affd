import type { RequestHandler } from "express";
import { HttpProblem } from "./problem";

/**
 * A per-client fixed-window limit for public, unauthenticated endpoints whose work is costly (chain
 * queries). In-memory and per instance: enough to stop one client from monopolising a hub.
 */
export function rateLimit(perMinute: number): RequestHandler {
  const windows = new Map<string, { start: number; count: number }>();
  return (req, res, next) => {
    const now = Date.now();
    const client = req.socket.remoteAddress ?? "unknown";
    let w = windows.get(client);
    if (!w || now - w.start >= 60_000) {
      if (windows.size > 10_000) windows.clear(); // bounded memory under many clients
      w = { start: now, count: 0 };
      windows.set(client, w);
    }
    if (++w.count > perMinute) {
      const retryAfter = Math.ceil((w.start + 60_000 - now) / 1000);
      throw new HttpProblem(429, "rate-limited", "Too many requests", `At most ${perMinute} requests a minute; retry in ${retryAfter} s.`, undefined, {
        "Retry-After": String(retryAfter),
      });
    }
    next();
  };
}
