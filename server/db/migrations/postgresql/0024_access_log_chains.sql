-- The access log as one hash chain per owner organisation (issue 17: no per-request global lock;
-- sdk/access-log.ts, server/access-log/writer.ts). A line goes to its owner's chain ("chain" = the
-- owner; "" = the hub's own, for lines without an owner) at "chainSeq" 1, 2, 3, ... (gapless per
-- chain), hashed under the v2 domain; appends lock only their chains' head rows. Lines written before
-- (chain NULL) stay as they are: the legacy chain by the hub-wide "seq", its head in "AccessLogHead".
-- The hub-wide "seq" of new lines is only a row number, given by the database without a lock.
ALTER TABLE "AccessLogEntry" ADD COLUMN "chain" TEXT;
ALTER TABLE "AccessLogEntry" ADD COLUMN "chainSeq" INTEGER;
CREATE UNIQUE INDEX "AccessLogEntry_chain_chainSeq_key" ON "AccessLogEntry"("chain", "chainSeq");
CREATE SEQUENCE "AccessLogEntry_seq_seq" OWNED BY "AccessLogEntry"."seq";
SELECT setval('"AccessLogEntry_seq_seq"', COALESCE((SELECT MAX("seq") FROM "AccessLogEntry"), 0) + 1, false);
ALTER TABLE "AccessLogEntry" ALTER COLUMN "seq" SET DEFAULT nextval('"AccessLogEntry_seq_seq"');
-- Each chain's head. "ownerSeqBase": the owner's lines in the legacy chain, so its own sequence
-- ("ownerSeq", what GET /v1/access-log shows it) goes on from there: ownerSeq = ownerSeqBase + chainSeq.
CREATE TABLE "AccessLogChainHead" (
    "chain" TEXT NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "ownerSeqBase" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "AccessLogChainHead" ("chain", "seq", "hash", "ownerSeqBase")
  SELECT "owner", 0, '0x0000000000000000000000000000000000000000000000000000000000000000', "seq" FROM "AccessLogOwnerHead";
-- The owner counters are now the chains' heads.
DROP TABLE "AccessLogOwnerHead";
-- The chain heads anchored with each batch (one leaf each, sdk accessChainHeadLeaf).
CREATE TABLE "AnchorBatchAccessHead" (
    "batchId" TEXT NOT NULL,
    "chain" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    PRIMARY KEY ("batchId", "chain")
);
CREATE INDEX "AnchorBatchAccessHead_chain_seq_idx" ON "AnchorBatchAccessHead"("chain", "seq");
