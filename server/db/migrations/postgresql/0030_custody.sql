-- Custody handovers (issue 18, server/custody/): one row per CustodyHandover record, from its latest
-- version, with the CustodyReceipt answering it (at most one: "receiptId" is unique). Times are ISO
-- 8601 UTC text as Date.toISOString() writes it, so text order is time order in both dialects.
-- "status" and "discrepancies" (JSON) are sdk/custody.ts custodyStatus of the pair.
CREATE TABLE "CustodyHandover" (
    "recordId" TEXT NOT NULL PRIMARY KEY,
    "version" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "hander" TEXT NOT NULL,
    "receiver" TEXT NOT NULL,
    "handedOverAt" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "discrepancies" TEXT NOT NULL,
    "receiptId" TEXT,
    "receiptVersion" INTEGER,
    "receiptDigest" TEXT,
    "decision" TEXT,
    "receivedAt" TEXT
);
CREATE UNIQUE INDEX "CustodyHandover_receiptId_key" ON "CustodyHandover"("receiptId");
CREATE INDEX "CustodyHandover_receiver_idx" ON "CustodyHandover"("receiver", "status");
CREATE INDEX "CustodyHandover_hander_idx" ON "CustodyHandover"("hander", "status");
-- The items (pieces, ULDs, packages) each handover names: the custody chain of an item.
CREATE TABLE "CustodyItem" (
    "itemId" TEXT NOT NULL,
    "handoverId" TEXT NOT NULL,
    PRIMARY KEY ("itemId", "handoverId")
);
CREATE INDEX "CustodyItem_handoverId_idx" ON "CustodyItem"("handoverId");
