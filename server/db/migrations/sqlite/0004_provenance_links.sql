-- Provenance codes (server/provenance, docs/provenance-codes.md): who owns each GTIN (the first
-- brand to publish a ProductBatch of it; the primary key settles concurrent first claims), which
-- codes the hub knows (each ProductBatch's latest version: its gtin + lot, and its serials), and
-- the links a GTIN's owner sets for the resolver. An empty lot or serial on a link means "any".
CREATE TABLE "GtinOwner" (
    "gtin" TEXT NOT NULL PRIMARY KEY,
    "owner" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "claimedAt" DATETIME NOT NULL,
    "linksUpdatedAt" DATETIME
);
CREATE INDEX "GtinOwner_owner_idx" ON "GtinOwner"("owner");
CREATE TABLE "ProductCodeBatch" (
    "recordId" TEXT NOT NULL PRIMARY KEY,
    "gtin" TEXT NOT NULL,
    "lot" TEXT NOT NULL
);
CREATE INDEX "ProductCodeBatch_gtin_lot_idx" ON "ProductCodeBatch"("gtin", "lot");
CREATE TABLE "ProductCodeSerial" (
    "gtin" TEXT NOT NULL,
    "serial" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "lot" TEXT NOT NULL,
    PRIMARY KEY ("gtin", "serial", "recordId")
);
CREATE INDEX "ProductCodeSerial_recordId_idx" ON "ProductCodeSerial"("recordId");
CREATE TABLE "GtinLink" (
    "gtin" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "lot" TEXT NOT NULL,
    "serial" TEXT NOT NULL,
    "linkType" TEXT NOT NULL,
    "href" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "hreflang" TEXT,
    "mediaType" TEXT,
    "isDefault" INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY ("gtin", "position")
);
