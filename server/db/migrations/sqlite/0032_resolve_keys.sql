-- The identifier bridge (server/resolve, docs/resolve.md): identifiers of records no other index
-- keeps. "kind" = 'leaf': the Merkle leaf of each version's digest (keccak256(keccak256(digest)));
-- 'awb': a master air waybill number's eleven digits, of each Waybill's latest version (a master's
-- own number, a house or parcel waybill's master). Leaves are written by the publishing
-- transaction only: versions stored before this migration resolve by digest, not by leaf.
CREATE TABLE "ResolveKey" (
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    PRIMARY KEY ("kind", "value", "recordId", "version")
);
CREATE INDEX "ResolveKey_recordId_idx" ON "ResolveKey"("recordId", "kind");
INSERT INTO "ResolveKey" ("kind", "value", "recordId", "version")
  SELECT 'awb', REPLACE(CASE WHEN json_extract(v."body", '$.waybillType') = 'MASTER' THEN json_extract(v."body", '$.waybillNumber')
                             ELSE json_extract(v."body", '$.masterWaybillNumber') END, '-', ''), v."recordId", v."version"
    FROM "Record" r JOIN "RecordVersion" v ON v."recordId" = r."id" AND v."version" = r."latestVersion"
   WHERE r."type" = 'Waybill'
     AND (CASE WHEN json_extract(v."body", '$.waybillType') = 'MASTER' THEN json_extract(v."body", '$.waybillNumber')
               ELSE json_extract(v."body", '$.masterWaybillNumber') END) IS NOT NULL;
