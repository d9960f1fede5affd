-- ONE Record server to server (issue 15, server/one-record/remote-subscriptions.ts and
-- inbound-notifications.ts, docs/one-record.md "Server to server"). "RemoteSubscription": a member
-- organisation's subscription, made by this hub on its behalf, to one logistics object ("topic", its
-- IRI) on another ONE Record server. "subscriber" is the member's party IRI there, "remoteToken" the
-- bearer token it gave for that server, "secret" the callback secret the remote signs notifications
-- with (Cargoproof-Signature), "remoteSubscription" the IRI the remote gave the subscription. "copyId"
-- is the hub-attested RemoteObjectCopy record of the object, "copyRevision" the remote revision its
-- latest version holds. "RemoteNotification": each accepted inbound api:Notification, as received
-- ("body"), once per delivery ("deliveryId", the sender's Cargoproof-Delivery). Times are UTC ISO strings.
CREATE TABLE "RemoteSubscription" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "subscriber" TEXT NOT NULL,
    "remoteToken" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "remoteSubscription" TEXT,
    "copyId" TEXT NOT NULL,
    "copyRevision" INTEGER NOT NULL,
    "createdAt" TEXT NOT NULL
);
CREATE INDEX "RemoteSubscription_orgId_idx" ON "RemoteSubscription"("orgId");
CREATE TABLE "RemoteNotification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "subscriptionId" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "objectIri" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "copyVersion" INTEGER,
    "error" TEXT,
    "receivedAt" TEXT NOT NULL
);
CREATE UNIQUE INDEX "RemoteNotification_subscriptionId_deliveryId_key" ON "RemoteNotification"("subscriptionId", "deliveryId");
