-- ONE Record objects feed the consolidation index (server/consolidation/, docs/consolidation.md):
-- their edges carry no counts or weights (the figures are in other objects than the one stating the
-- edge), and one object may be the content of several edges it states (its master, its shipment,
-- the number that identifies it), so an edge is keyed by its container too; "fields" (JSON, NULL for
-- native records) are the body fields stating it, all of which a reader seeing only some fields of the
-- record (a field-level grant) must see to see the edge.
ALTER TABLE "ContainmentEdge" ALTER COLUMN "pieceCount" DROP NOT NULL;
ALTER TABLE "ContainmentEdge" ALTER COLUMN "grossWeight" DROP NOT NULL;
ALTER TABLE "ContainmentEdge" DROP CONSTRAINT "ContainmentEdge_pkey";
ALTER TABLE "ContainmentEdge" ADD PRIMARY KEY ("recordId", "version", "containerId", "contentId");
ALTER TABLE "ContainmentEdge" ADD COLUMN "fields" TEXT;
