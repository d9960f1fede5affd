-- The hash-chained access log (sdk/access-log.ts), its head (one row: appends serialise on it), the
-- head anchored with each batch, named-policy grants and the per-organisation notification feed.
CREATE TABLE "AccessLogEntry" (
    "seq" INTEGER NOT NULL PRIMARY KEY,
    "at" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "recordId" TEXT,
    "version" INTEGER,
    "owner" TEXT,
    "detail" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);
CREATE INDEX "AccessLogEntry_owner_seq_idx" ON "AccessLogEntry"("owner", "seq");
CREATE TABLE "AccessLogHead" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL
);
INSERT INTO "AccessLogHead" ("id", "seq", "hash") VALUES (1, 0, '0x0000000000000000000000000000000000000000000000000000000000000000');
ALTER TABLE "AnchorBatch" ADD COLUMN "accessLogSeq" INTEGER;
ALTER TABLE "AnchorBatch" ADD COLUMN "accessLogHash" TEXT;
ALTER TABLE "Grant" ADD COLUMN "policy" TEXT;
CREATE TABLE "Notification" (
    "seq" SERIAL NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "recordId" TEXT,
    "version" INTEGER,
    "detail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "Notification_orgId_seq_idx" ON "Notification"("orgId", "seq");
