-- Faults (issue 13): a hub's stable identity for its leases (server/instance-identity.ts). A slot per
-- host: a restarted hub takes back the slot whose holder process is gone, and with it its leases.
CREATE TABLE "HubInstance" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "host" TEXT NOT NULL,
  "pid" INTEGER NOT NULL,
  "claimedAt" BIGINT NOT NULL
);
