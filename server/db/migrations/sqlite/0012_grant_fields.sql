-- Field-level grants (docs/api.md "Grants and access requests"): the top-level body fields a grant
-- shares, and those an access request asks for, as a JSON array of names; NULL: the whole record
-- (every grant and request made before this).
ALTER TABLE "Grant" ADD COLUMN "fields" TEXT;
ALTER TABLE "AccessRequest" ADD COLUMN "fields" TEXT;
