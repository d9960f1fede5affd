-- The consumer's provenance page (server/provenance/page, docs/provenance-page.md): which records
-- belong to which product code (the serials of each batch are in 0004's ProductCodeSerial), event links waiting for their record,
-- and the scans of each code (counts and keyed hashes of coarse networks only: no IP address).
-- An empty lot or serial means "any": a row (gtin, '', '') belongs to every batch of the GTIN.
CREATE TABLE "ProductIndex" (
    "gtin" TEXT NOT NULL,
    "lot" TEXT NOT NULL,
    "serial" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    PRIMARY KEY ("gtin", "lot", "serial", "recordId", "source")
);
CREATE INDEX "ProductIndex_source_idx" ON "ProductIndex"("source");
CREATE INDEX "ProductIndex_gtin_serial_idx" ON "ProductIndex"("gtin", "serial");
CREATE TABLE "ProductLink" (
    "linkedId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    PRIMARY KEY ("linkedId", "eventId")
);
CREATE INDEX "ProductLink_eventId_idx" ON "ProductLink"("eventId");
CREATE TABLE "ProductScan" (
    "code" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL DEFAULT 0,
    "firstAt" TIMESTAMP(3),
    "lastAt" TIMESTAMP(3),
    "soldAt" TIMESTAMP(3),
    "afterSold" INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE "ProductScanPlace" (
    "code" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "place" TEXT NOT NULL,
    PRIMARY KEY ("code", "day", "place")
);
