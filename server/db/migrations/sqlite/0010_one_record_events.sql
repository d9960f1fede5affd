-- ONE Record logistics events and subscriptions (docs/one-record.md, "Logistics events, subscriptions
-- and notifications"). The event index: one row per LogisticsEvent record naming an object of this hub
-- in eventFor (events are append-only: a row never changes). "createdAt" is the event's
-- cargo:creationDate, else when the hub stored it; "occurredAt" its cargo:eventDate.
CREATE TABLE "LogisticsEventIndex" (
    "eventId" TEXT NOT NULL PRIMARY KEY,
    "objectId" TEXT NOT NULL,
    "eventCode" TEXT,
    "createdAt" DATETIME NOT NULL,
    "occurredAt" DATETIME,
    "storedAt" DATETIME NOT NULL,
    "poster" TEXT NOT NULL
);
CREATE INDEX "LogisticsEventIndex_objectId_createdAt_idx" ON "LogisticsEventIndex"("objectId", "createdAt");
-- Subscriptions made through the ONE Record API: webhook bodies as api:Notification ("format"), a
-- topic by cargo class ("objectType", local name), an expiry, and the api:Subscription options kept
-- to show it back ("options", JSON).
ALTER TABLE "Subscription" ADD COLUMN "format" TEXT;
ALTER TABLE "Subscription" ADD COLUMN "objectType" TEXT;
ALTER TABLE "Subscription" ADD COLUMN "expiresAt" DATETIME;
ALTER TABLE "Subscription" ADD COLUMN "options" TEXT;
CREATE INDEX "Subscription_objectType_idx" ON "Subscription"("objectType");
