-- Several hubs (issue 17): rate limit counters every hub instance shares (server/http/rate-limit.ts,
-- rate-limiter-flexible's RateLimiterPrisma, which names the columns). One row per limit and client:
-- "points" used in the window that ends at "expire".
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "points" INTEGER NOT NULL,
    "expire" TIMESTAMP(3)
);
CREATE INDEX "RateLimit_expire_idx" ON "RateLimit"("expire");
