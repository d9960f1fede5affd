-- ONE Record change requests and access delegations (docs/one-record.md, "Change requests, action
-- requests and access delegations").
-- ChangeRequest: the state of each change request; what was asked is the signed ChangeRequest record
-- of the same id. "revision" is the object revision the change applies to, "dataHolder" the object's
-- owner (who decides), "notify" the requester's notifyRequestStatusChange (0/1). PENDING is the only
-- state that changes, once: statuses move by compare-and-set.
CREATE TABLE "ChangeRequest" (
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
    "acceptedRevision" INTEGER,
    "error" TEXT
);
CREATE INDEX "ChangeRequest_objectId_idx" ON "ChangeRequest"("objectId", "requestedAt");
CREATE INDEX "ChangeRequest_pending_idx" ON "ChangeRequest"("objectId", "revision", "status");
-- What an api:AccessDelegation adds to the access request it became (AccessRequest, 0008): the
-- permissions asked for and whether the requester wants to hear of status changes.
CREATE TABLE "AccessDelegation" (
    "requestId" TEXT NOT NULL PRIMARY KEY,
    "permissions" TEXT NOT NULL,
    "notify" INTEGER NOT NULL
);
