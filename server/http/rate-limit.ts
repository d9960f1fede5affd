import type { Request, RequestHandler } from "express";
import { RLWrapperTimeouts, RateLimiterMemory, RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import type { Db } from "../db/client";
import { HttpProblem } from "./problem";

/** How long the shared count may take before this instance decides alone. */
const STORE_TIMEOUT_MS = 1000;

/**
 * A per-client fixed-window limit (a minute) for public, unauthenticated endpoints whose work is
 * costly (chain queries). Counted in the database every hub instance shares (the RateLimit table,
 * through rate-limiter-flexible's RateLimiterPrisma, which serves both of our dialects with the
 * hub's own client), so N instances together allow the limit, not N times it.
 *
 * When the database fails or is slow, each instance counts in memory instead, with the same limit:
 * neither open (one client could then flood the chain) nor closed (a database fault would refuse
 * public verification, which needs only the chain). At worst N times the limit, while the fault lasts.
 * A client over the limit is refused from memory until its window ends, without a database write.
 */
export function rateLimit(
  db: Db,
  name: string,
  perMinute: number,
  /** Whom a request counts against: by default its client address (an authenticated route may count per organisation). */
  clientOf: (req: Request) => string = (req) => req.socket.remoteAddress ?? "unknown",
): RequestHandler {
  const insurance = new RateLimiterMemory({ keyPrefix: name, points: perMinute, duration: 60 });
  const shared = new RateLimiterPrisma({
    storeClient: db,
    tableName: "rateLimit",
    keyPrefix: name,
    points: perMinute,
    duration: 60,
    inMemoryBlockOnConsumed: perMinute + 1,
    insuranceLimiter: insurance,
  });
  const limiter = new RLWrapperTimeouts({ limiter: shared, timeoutMs: STORE_TIMEOUT_MS, insuranceLimiter: insurance });
  return (req, _res, next) => {
    limiter.consume(clientOf(req)).then(
      () => next(),
      (refusal: unknown) => {
        if (!(refusal instanceof RateLimiterRes)) return next(refusal);
        const retryAfter = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
        next(
          new HttpProblem(429, "rate-limited", "Too many requests", `At most ${perMinute} requests a minute; retry in ${retryAfter} s.`, undefined, {
            "Retry-After": String(retryAfter),
          }),
        );
      },
    );
  };
}
