-- Hub-attested records (issue 15, plain ONE Record clients): a record the hub signed for a member
-- that wrote without signing (owner: the operator, body.capturedBy: the member). The member is its
-- data holder in every respect; the access rule reads the holder from here. One row per record,
-- written with its first version. EPCIS events keep their own read path (the EPCIS query) and have
-- no row here.
CREATE TABLE "HubAttestation" (
    "recordId" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL
);
CREATE INDEX "HubAttestation_holder_idx" ON "HubAttestation"("holder");
