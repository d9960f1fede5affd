-- Several hubs (issue 17): the latest self-audit pass of the whole hub, whichever instance ran it
-- (server/audit/self-audit.ts), so /metrics on every instance shows it. One row; "result" is its
-- summary as JSON (what /metrics shows).
CREATE TABLE "SelfAuditLatest" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "instance" TEXT NOT NULL,
    "result" TEXT NOT NULL
);
