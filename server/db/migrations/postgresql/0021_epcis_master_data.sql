-- EPCIS master data (issue 15): which organisation stated master data for which vocabulary element
-- (an SGLN or PGLN), so that a location's name can be looked up by its id. The statements themselves
-- are EpcisMasterData records (versioned, anchored); this index points at them.
CREATE TABLE "EpcisMasterData" (
    "recordId" TEXT NOT NULL PRIMARY KEY,
    "elementId" TEXT NOT NULL,
    "attester" TEXT NOT NULL
);
CREATE INDEX "EpcisMasterData_elementId_idx" ON "EpcisMasterData"("elementId");
