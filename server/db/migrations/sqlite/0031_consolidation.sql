-- The consolidation index (issue 18 §2, server/consolidation/): what contains what, from the records
-- that say so (Consolidation, ConsignmentSplit, HOUSE and PARCEL Waybills naming their master), per
-- record version, valid from "validFrom" until a newer version of the same record ("validTo"; NULL:
-- still valid). Times are ISO 8601 UTC text as Date.toISOString() writes it, so text order is time
-- order in both dialects. "discrepancies" and "origin" (JSON) are sdk/consolidation.ts containmentOf.
CREATE TABLE "ContainmentStatement" (
    "recordId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "recordType" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "containerKind" TEXT NOT NULL,
    "containerId" TEXT NOT NULL,
    "validFrom" TEXT NOT NULL,
    "validTo" TEXT,
    "discrepancies" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    PRIMARY KEY ("recordId", "version")
);
-- One row per containment a statement makes: container -> content.
CREATE TABLE "ContainmentEdge" (
    "recordId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "containerKind" TEXT NOT NULL,
    "containerId" TEXT NOT NULL,
    "contentKind" TEXT NOT NULL,
    "contentId" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "pieceCount" INTEGER NOT NULL,
    "grossWeight" TEXT NOT NULL,
    "flight" TEXT,
    "date" TEXT,
    "validFrom" TEXT NOT NULL,
    "validTo" TEXT,
    PRIMARY KEY ("recordId", "version", "contentId")
);
CREATE INDEX "ContainmentEdge_containerId_idx" ON "ContainmentEdge"("containerId", "validFrom");
CREATE INDEX "ContainmentEdge_contentId_idx" ON "ContainmentEdge"("contentId", "validFrom");
-- Waybill records by number (every type, MASTER too): a node's waybill, and a parcel's order.
CREATE TABLE "ContainmentWaybill" (
    "recordId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "waybillNumber" TEXT NOT NULL,
    "waybillType" TEXT NOT NULL,
    "orderNumber" TEXT,
    "platform" TEXT,
    "validFrom" TEXT NOT NULL,
    "validTo" TEXT,
    PRIMARY KEY ("recordId", "version")
);
CREATE INDEX "ContainmentWaybill_waybillNumber_idx" ON "ContainmentWaybill"("waybillNumber", "validFrom");
