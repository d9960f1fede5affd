-- Nothing reveals what a caller may not see (issue 13).
-- EPCIS: an event record is one organisation's claim (record id epcis:{attester}:{hash}); two
-- organisations stating identical content hold two records, so the event hash is no longer unique.
DROP INDEX "EpcisEvent_eventHash_key";
CREATE INDEX "EpcisEvent_eventHash_idx" ON "EpcisEvent"("eventHash");

-- The access log: each organisation numbers the lines about its records 1, 2, 3, ... with no gaps
-- ("ownerSeq"), so its own view shows nothing of the hub's other activity; the hub-wide "seq" and the
-- hash chain over it stay as they are (auditors, the anchored head). One counter row per owner,
-- advanced in the appending transaction (appends are serialised by the head row's lock).
ALTER TABLE "AccessLogEntry" ADD COLUMN "ownerSeq" INTEGER;
UPDATE "AccessLogEntry" SET "ownerSeq" = n."n"
  FROM (SELECT "seq", ROW_NUMBER() OVER (PARTITION BY "owner" ORDER BY "seq") AS "n" FROM "AccessLogEntry" WHERE "owner" IS NOT NULL) n
 WHERE n."seq" = "AccessLogEntry"."seq";
CREATE UNIQUE INDEX "AccessLogEntry_owner_ownerSeq_key" ON "AccessLogEntry"("owner", "ownerSeq");
CREATE TABLE "AccessLogOwnerHead" (
    "owner" TEXT NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL
);
INSERT INTO "AccessLogOwnerHead" ("owner", "seq")
  SELECT "owner", MAX("ownerSeq") FROM "AccessLogEntry" WHERE "owner" IS NOT NULL GROUP BY "owner";
