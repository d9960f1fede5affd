-- Cross-border e-commerce customs (server/customs): one case per order, the documents naming it,
-- the statistics lines of each matched case, and which export lists a summary declaration covers.
CREATE TABLE "CustomsCase" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "platform" TEXT NOT NULL,
    "orderNumber" TEXT NOT NULL,
    "customsOffice" TEXT,
    "supervisionMode" TEXT,
    "direction" TEXT,
    "port" TEXT,
    "declaredAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "missing" TEXT,
    "discrepancyCount" INTEGER NOT NULL DEFAULT 0,
    "revision" INTEGER NOT NULL,
    "kinds" INTEGER NOT NULL DEFAULT 0,
    "required" INTEGER,
    "matchedRevision" INTEGER,
    "matchDue" DATETIME,
    "leaseUntil" DATETIME,
    "firstDocumentAt" DATETIME NOT NULL,
    "lastDocumentAt" DATETIME NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "matchResultId" TEXT,
    "matchResultVersion" INTEGER,
    "matchedAt" DATETIME,
    "buyerKey" TEXT,
    "year" INTEGER,
    "orderTotalCny" REAL,
    "decision" TEXT,
    "decisionRecordId" TEXT,
    "decisionVersion" INTEGER,
    "decidedAt" DATETIME
);
CREATE INDEX "CustomsCase_matchDue_idx" ON "CustomsCase"("matchDue");
CREATE INDEX "CustomsCase_customsOffice_declaredAt_id_idx" ON "CustomsCase"("customsOffice", "declaredAt", "id");
CREATE INDEX "CustomsCase_buyerKey_year_idx" ON "CustomsCase"("buyerKey", "year");
CREATE TABLE "CustomsDocument" (
    "recordId" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "customsOffice" TEXT,
    "supervisionMode" TEXT,
    "direction" TEXT,
    "day" TEXT
);
CREATE INDEX "CustomsDocument_caseId_idx" ON "CustomsDocument"("caseId");
CREATE INDEX "CustomsDocument_owner_kind_idx" ON "CustomsDocument"("owner", "kind");
CREATE TABLE "CustomsStatLine" (
    "caseId" TEXT NOT NULL,
    "lineNo" INTEGER NOT NULL,
    "customsOffice" TEXT NOT NULL,
    "supervisionMode" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "hsChapter" TEXT NOT NULL,
    "originCountry" TEXT NOT NULL,
    "destinationCountry" TEXT NOT NULL,
    "port" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "quantity" REAL NOT NULL,
    "value" REAL NOT NULL,
    PRIMARY KEY ("caseId", "lineNo")
);
CREATE INDEX "CustomsStatLine_customsOffice_day_idx" ON "CustomsStatLine"("customsOffice", "day");
CREATE INDEX "CustomsStatLine_day_idx" ON "CustomsStatLine"("day");
CREATE TABLE "CustomsSummaryList" (
    "declarationId" TEXT NOT NULL PRIMARY KEY,
    "declarationVersion" INTEGER NOT NULL,
    "summaryId" TEXT NOT NULL
);
CREATE INDEX "CustomsSummaryList_summaryId_idx" ON "CustomsSummaryList"("summaryId");
