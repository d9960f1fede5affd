-- EPCIS 2.0 (server/epcis, docs/epcis.md): the query index of EpcisEvent records, the EPCs each
-- names (role: epc = epcList/childEPCs, parent, input, output, class = quantity lists; canonical:
-- the GS1 Digital Link form; the product code of trade items), capture jobs and named queries. Times are UTC ISO
-- strings with milliseconds ("...T...sssZ"), so text order is time order on both providers.
CREATE TABLE "EpcisEvent" (
    "recordId" TEXT NOT NULL PRIMARY KEY,
    "eventHash" TEXT NOT NULL,
    "eventId" TEXT,
    "owner" TEXT NOT NULL,
    "capturedBy" TEXT,
    "eventType" TEXT NOT NULL,
    "eventTime" TEXT NOT NULL,
    "recordTime" TEXT NOT NULL,
    "bizStep" TEXT,
    "disposition" TEXT,
    "readPoint" TEXT,
    "bizLocation" TEXT
);
CREATE UNIQUE INDEX "EpcisEvent_eventHash_key" ON "EpcisEvent"("eventHash");
CREATE INDEX "EpcisEvent_eventId_idx" ON "EpcisEvent"("eventId");
CREATE INDEX "EpcisEvent_recordTime_recordId_idx" ON "EpcisEvent"("recordTime", "recordId");
CREATE INDEX "EpcisEvent_owner_idx" ON "EpcisEvent"("owner");
CREATE INDEX "EpcisEvent_capturedBy_idx" ON "EpcisEvent"("capturedBy");
CREATE TABLE "EpcisEventEpc" (
    "recordId" TEXT NOT NULL,
    "epc" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "canonical" TEXT NOT NULL,
    "gtin" TEXT,
    "lot" TEXT,
    "serial" TEXT,
    PRIMARY KEY ("recordId", "epc", "role")
);
CREATE INDEX "EpcisEventEpc_epc_idx" ON "EpcisEventEpc"("epc");
CREATE INDEX "EpcisEventEpc_canonical_idx" ON "EpcisEventEpc"("canonical");
CREATE INDEX "EpcisEventEpc_gtin_lot_serial_idx" ON "EpcisEventEpc"("gtin", "lot", "serial");
CREATE TABLE "EpcisCapture" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "behaviour" TEXT NOT NULL,
    "running" INTEGER NOT NULL,
    "success" INTEGER NOT NULL,
    "eventCount" INTEGER NOT NULL,
    "createdAt" TEXT NOT NULL,
    "finishedAt" TEXT,
    "result" TEXT
);
CREATE INDEX "EpcisCapture_orgId_idx" ON "EpcisCapture"("orgId");
CREATE TABLE "EpcisNamedQuery" (
    "owner" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "createdAt" TEXT NOT NULL,
    PRIMARY KEY ("owner", "name")
);
