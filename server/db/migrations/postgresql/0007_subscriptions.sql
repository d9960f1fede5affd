-- Subscriptions to notifications (server/notifications, docs/notifications.md): what an organisation
-- wants to hear about and where its webhook is; the delivery cursor and lease of each subscription,
-- the log of delivery attempts, and the dead letters of notifications that could not be delivered.
CREATE TABLE "Subscription" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "recordId" TEXT,
    "recordType" TEXT,
    "kinds" TEXT,
    "filter" TEXT,
    "url" TEXT,
    "secret" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "cursor" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "leaseUntil" TIMESTAMP(3),
    "leaseOwner" TEXT
);
CREATE INDEX "Subscription_orgId_idx" ON "Subscription"("orgId");
CREATE INDEX "Subscription_recordId_idx" ON "Subscription"("recordId");
CREATE INDEX "Subscription_recordType_idx" ON "Subscription"("recordType");
CREATE INDEX "Subscription_nextAttemptAt_idx" ON "Subscription"("nextAttemptAt");
CREATE TABLE "WebhookDelivery" (
    "seq" SERIAL NOT NULL PRIMARY KEY,
    "subscriptionId" TEXT NOT NULL,
    "notificationSeq" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "statusCode" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL
);
CREATE INDEX "WebhookDelivery_subscriptionId_seq_idx" ON "WebhookDelivery"("subscriptionId", "seq");
CREATE TABLE "WebhookDeadLetter" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "subscriptionId" TEXT NOT NULL,
    "notificationSeq" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "deliveredAt" TIMESTAMP(3)
);
CREATE INDEX "WebhookDeadLetter_subscriptionId_idx" ON "WebhookDeadLetter"("subscriptionId", "createdAt");
