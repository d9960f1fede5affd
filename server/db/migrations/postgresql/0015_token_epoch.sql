-- Access tokens issued before an organisation's key rotation or suspension stop working at once:
-- each token carries the epoch it was issued at, checked against this on every request.
ALTER TABLE "Organization" ADD COLUMN "tokenEpoch" INTEGER NOT NULL DEFAULT 0;
