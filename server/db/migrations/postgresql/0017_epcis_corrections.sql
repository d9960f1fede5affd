-- EPCIS corrections are data (issue 15): an event with an errorDeclaration hashes like the event it
-- corrects and is stored as its own record. The index keeps its declaration (time as UTC ISO with
-- milliseconds, reason as written) and its correctiveEventIDs for the EXISTS_/GE_/LT_errorDeclaration*,
-- EQ_errorReason and EQ_correctiveEventID query parameters. capturedDigest: the SHA-256 of the event
-- as captured (canonical JSON of the event and its document's context), which tells two captures
-- with one event hash apart; null for events indexed before this migration.
ALTER TABLE "EpcisEvent" ADD COLUMN "capturedDigest" TEXT;
ALTER TABLE "EpcisEvent" ADD COLUMN "errorDeclarationTime" TEXT;
ALTER TABLE "EpcisEvent" ADD COLUMN "errorReason" TEXT;
CREATE INDEX "EpcisEvent_eventHash_capturedDigest_idx" ON "EpcisEvent"("eventHash", "capturedDigest");
CREATE INDEX "EpcisEvent_errorDeclarationTime_idx" ON "EpcisEvent"("errorDeclarationTime");
CREATE TABLE "EpcisCorrectiveEvent" (
    "recordId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    PRIMARY KEY ("recordId", "eventId")
);
CREATE INDEX "EpcisCorrectiveEvent_eventId_idx" ON "EpcisCorrectiveEvent"("eventId");
-- Declarations stored before (captured when the event they correct was not there yet).
UPDATE "EpcisEvent" e SET
    "errorDeclarationTime" = to_char((v."body"::jsonb #>> '{event,errorDeclaration,declarationTime}')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    "errorReason" = v."body"::jsonb #>> '{event,errorDeclaration,reason}'
  FROM "RecordVersion" v
 WHERE v."recordId" = e."recordId" AND v."version" = 1
   AND (v."body"::jsonb #>> '{event,errorDeclaration,declarationTime}') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$';
INSERT INTO "EpcisCorrectiveEvent" ("recordId", "eventId")
  SELECT DISTINCT v."recordId", c.value FROM "RecordVersion" v JOIN "EpcisEvent" e ON e."recordId" = v."recordId",
         jsonb_array_elements_text(CASE WHEN jsonb_typeof(v."body"::jsonb #> '{event,errorDeclaration,correctiveEventIDs}') = 'array' THEN v."body"::jsonb #> '{event,errorDeclaration,correctiveEventIDs}' ELSE '[]'::jsonb END) c
   WHERE v."version" = 1;
