CREATE TABLE "Organization" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "roles" TEXT NOT NULL,
    "signerAddress" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE "ClientAssertion" (
    "jti" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL
);
CREATE INDEX "ClientAssertion_expiresAt_idx" ON "ClientAssertion"("expiresAt");
CREATE TABLE "Record" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "latestVersion" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL
);
CREATE INDEX "Record_owner_idx" ON "Record"("owner");
CREATE TABLE "RecordVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "recordId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "salts" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "signer" TEXT NOT NULL,
    "publishedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "RecordVersion_digest_key" ON "RecordVersion"("digest");
CREATE UNIQUE INDEX "RecordVersion_recordId_version_key" ON "RecordVersion"("recordId", "version");
CREATE TABLE "Grant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "recordId" TEXT NOT NULL,
    "grantee" TEXT NOT NULL,
    "grantedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3)
);
CREATE INDEX "Grant_recordId_grantee_idx" ON "Grant"("recordId", "grantee");
CREATE INDEX "Grant_grantee_idx" ON "Grant"("grantee");
CREATE TABLE "AnchorItem" (
    "seq" SERIAL NOT NULL PRIMARY KEY,
    "digest" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "batchId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "AnchorItem_digest_key" ON "AnchorItem"("digest");
CREATE INDEX "AnchorItem_batchId_seq_idx" ON "AnchorItem"("batchId", "seq");
CREATE TABLE "AnchorBatch" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "root" TEXT NOT NULL,
    "leafCount" INTEGER NOT NULL,
    "leaves" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "rawTx" TEXT,
    "txHash" TEXT,
    "blockNumber" INTEGER,
    "blockTime" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "anchoredAt" TIMESTAMP(3)
);
CREATE UNIQUE INDEX "AnchorBatch_root_key" ON "AnchorBatch"("root");
CREATE INDEX "AnchorBatch_status_idx" ON "AnchorBatch"("status");
CREATE TABLE "AnchorLease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL
);
