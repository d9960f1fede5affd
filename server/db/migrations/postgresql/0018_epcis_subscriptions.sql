-- EPCIS query subscriptions (issue 15, server/epcis/subscriptions*.ts, docs/epcis.md): a webhook
-- subscription of the REST binding to one of its organisation's named queries. Each has a row of the
-- hub's own "Subscription" with the same id (format 'epcis'): the webhook worker delivers its
-- reports (EPCIS_QUERY_RESULT notifications) with its cursor, lease, retries and dead letters.
-- "query": the named query's definition; stream 1: every newly captured matching event, else
-- "schedule" (JSON, EPCIS §8.2.5.3) with "nextRunAt" (the next query time) and "minRecordTime" (the
-- start of the next report's recordTime window). Times are UTC ISO strings with milliseconds.
CREATE TABLE "EpcisSubscription" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "queryName" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "dest" TEXT NOT NULL,
    "signatureToken" TEXT,
    "stream" INTEGER NOT NULL,
    "schedule" TEXT,
    "reportIfEmpty" INTEGER NOT NULL,
    "initialRecordTime" TEXT,
    "minRecordTime" TEXT,
    "nextRunAt" TEXT,
    "createdAt" TEXT NOT NULL
);
CREATE INDEX "EpcisSubscription_orgId_queryName_idx" ON "EpcisSubscription"("orgId", "queryName");
CREATE INDEX "EpcisSubscription_stream_idx" ON "EpcisSubscription"("stream");
CREATE INDEX "EpcisSubscription_nextRunAt_idx" ON "EpcisSubscription"("nextRunAt");
