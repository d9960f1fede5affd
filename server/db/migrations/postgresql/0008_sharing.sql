-- Sharing (docs/one-record.md, "Sharing"): a grant's scope (one object, or a shipment with everything
-- linked to it), the grant it was delegated from and the access request that made it; the index of
-- references between logistics objects (latest versions only); and access requests.
ALTER TABLE "Grant" ADD COLUMN "scope" TEXT NOT NULL DEFAULT 'object';
ALTER TABLE "Grant" ADD COLUMN "parentGrantId" TEXT;
ALTER TABLE "Grant" ADD COLUMN "requestId" TEXT;
CREATE INDEX "Grant_parentGrantId_idx" ON "Grant"("parentGrantId");
CREATE INDEX "Grant_requestId_idx" ON "Grant"("requestId");
CREATE TABLE "RecordLink" (
    "fromId" TEXT NOT NULL,
    "toId" TEXT NOT NULL,
    "property" TEXT NOT NULL,
    "fromObjectType" TEXT NOT NULL,
    PRIMARY KEY ("fromId", "toId", "property")
);
CREATE INDEX "RecordLink_toId_property_idx" ON "RecordLink"("toId", "property");
CREATE TABLE "AccessRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestedBy" TEXT NOT NULL,
    "requestedFor" TEXT NOT NULL,
    "recordIds" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "description" TEXT,
    "expiresAt" TIMESTAMP(3),
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "statusHistory" TEXT NOT NULL,
    "decider" TEXT,
    "delegatedFrom" TEXT
);
CREATE INDEX "AccessRequest_requestedBy_idx" ON "AccessRequest"("requestedBy", "requestedAt");
CREATE INDEX "AccessRequest_decider_idx" ON "AccessRequest"("decider", "requestedAt");
