-- ONE Record verification requests (issue 15, server/one-record/verification-requests.ts,
-- docs/one-record.md "Verification requests"): a party that may read a logistics object flags errors
-- in it (an api:Verification); the object's data holder ("dataHolder") acknowledges or rejects, the
-- requester may revoke. "revision" is the object revision the verification is about, "notify" the
-- requester's notifyRequestStatusChange (0/1), "errors" the api:Errors asked about (JSON, as
-- verificationOf reads them). PENDING is the only state that changes, once, by compare-and-set.
CREATE TABLE "VerificationRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "objectId" TEXT NOT NULL,
    "objectType" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "dataHolder" TEXT NOT NULL,
    "notify" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "statusSince" TIMESTAMP(3) NOT NULL,
    "decidedBy" TEXT,
    "errors" TEXT NOT NULL
);
CREATE INDEX "VerificationRequest_objectId_idx" ON "VerificationRequest"("objectId", "requestedAt");
