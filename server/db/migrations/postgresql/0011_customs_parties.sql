-- Who is a party of a customs case (docs/customs.md, "Who is a party of a case"): the case keeps the
-- parties its order names, and each document row whether it counts in its case (its publisher is the
-- platform, or the order names it for that kind of document). Orders indexed before this migration
-- name nobody, so only the platforms' own documents count until an order's new version names its
-- parties.
ALTER TABLE "CustomsCase" ADD COLUMN "paymentProvider" TEXT;
ALTER TABLE "CustomsCase" ADD COLUMN "logisticsProvider" TEXT;
ALTER TABLE "CustomsCase" ADD COLUMN "declarant" TEXT;
ALTER TABLE "CustomsDocument" ADD COLUMN "admitted" INTEGER NOT NULL DEFAULT 0;
UPDATE "CustomsDocument" SET "admitted" = 1
 WHERE "owner" = (SELECT c."platform" FROM "CustomsCase" c WHERE c."id" = "CustomsDocument"."caseId");
CREATE INDEX "CustomsDocument_caseId_admitted_idx" ON "CustomsDocument"("caseId", "admitted");
