-- Finality and fees (issue 14): a batch whose transaction is mined but not yet ANCHOR_CONFIRMATIONS
-- deep stays SIGNED with the block it was mined in (minedBlock, blockHash); an ANCHORED batch keeps
-- its block's hash, so a reorg that replaces the block is noticed. signedAt dates the current signed
-- transaction (a stuck one is replaced after ANCHOR_STUCK_MS); txHashes lists every transaction
-- signed at that nonce (the original and its fee-bumped replacements: whichever is mined counts).
ALTER TABLE "AnchorBatch" ADD COLUMN "minedBlock" INTEGER;
ALTER TABLE "AnchorBatch" ADD COLUMN "blockHash" TEXT;
ALTER TABLE "AnchorBatch" ADD COLUMN "signedAt" TIMESTAMP(3);
ALTER TABLE "AnchorBatch" ADD COLUMN "txHashes" TEXT;
