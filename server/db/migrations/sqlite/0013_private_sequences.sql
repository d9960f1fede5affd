-- Nothing reveals what a caller may not see (issue 13).
-- EPCIS: an event record is one organisation's claim (record id epcis:{attester}:{hash}); two
-- organisations stating identical content hold two records, so the event hash is no longer unique.
DROP INDEX "EpcisEvent_eventHash_key";
CREATE INDEX "EpcisEvent_eventHash_idx" ON "EpcisEvent"("eventHash");
