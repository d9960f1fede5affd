-- ONE Record objects feed the consolidation index (server/consolidation/, docs/consolidation.md):
-- their edges carry no counts or weights (the figures are in other objects than the one stating the
-- edge), and one object may be the content of several edges it states (its master, its shipment,
-- the number that identifies it), so an edge is keyed by its container too; "fields" (JSON, NULL for
-- native records) are the body fields stating it, all of which a reader seeing only some fields of the
-- record (a field-level grant) must see to see the edge. SQLite cannot change a
-- column's nullability or a primary key in place: the table is rebuilt.
CREATE TABLE "ContainmentEdge_new" (
    "recordId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "containerKind" TEXT NOT NULL,
    "containerId" TEXT NOT NULL,
    "contentKind" TEXT NOT NULL,
    "contentId" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "pieceCount" INTEGER,
    "grossWeight" TEXT,
    "flight" TEXT,
    "date" TEXT,
    "fields" TEXT,
    "validFrom" TEXT NOT NULL,
    "validTo" TEXT,
    PRIMARY KEY ("recordId", "version", "containerId", "contentId")
);
INSERT INTO "ContainmentEdge_new" SELECT "recordId", "version", "containerKind", "containerId", "contentKind", "contentId", "relation", "pieceCount", "grossWeight", "flight", "date", NULL, "validFrom", "validTo" FROM "ContainmentEdge";
DROP TABLE "ContainmentEdge";
ALTER TABLE "ContainmentEdge_new" RENAME TO "ContainmentEdge";
CREATE INDEX "ContainmentEdge_containerId_idx" ON "ContainmentEdge"("containerId", "validFrom");
CREATE INDEX "ContainmentEdge_contentId_idx" ON "ContainmentEdge"("contentId", "validFrom");
