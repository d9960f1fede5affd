// A hub upgraded to per-owner access log chains (migration 0024) with a legacy log: the legacy
// lines keep their v1 hashes and are anchored once more, new lines start each chain at 1, an owner's
// own sequence goes on from its legacy lines, and the whole log audits clean.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { expect } from "chai";
import { Client as PgClient } from "pg";
import { ACCESS_LOG_GENESIS, chainAccessEntries, OwnAccessLogEntrySchema, type AccessLogDraft } from "../../sdk/access-log";
import { auditExport } from "../../sdk/audit/audit";
import { ExportLineSchema, type ExportLine } from "../../sdk/audit/export-format";
import { shipment } from "../fixtures";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  sql,
  startHubProcess,
  startTestChain,
  waitFor,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

const FORWARDER = "up-forwarder";

/** Applies the migrations before `upTo` as the hub's migrate() would have, recording them. */
async function migrateBefore(url: string, upTo: string): Promise<void> {
  const provider = isPostgres() ? "postgresql" : "sqlite";
  const dir = join(__dirname, "../../server/db/migrations", provider);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql") && f < upTo)
    .sort();
  const record = `CREATE TABLE IF NOT EXISTS "_cargoproof_migrations" ("name" TEXT PRIMARY KEY, "appliedAt" ${provider === "sqlite" ? "TEXT" : "TIMESTAMPTZ"} NOT NULL)`;
  if (provider === "sqlite") {
    const db = new BetterSqlite3(url.slice("file:".length));
    db.exec(record);
    for (const f of files) {
      db.exec(readFileSync(join(dir, f), "utf8"));
      db.prepare(`INSERT INTO "_cargoproof_migrations" VALUES (?, ?)`).run(f, new Date().toISOString());
    }
    db.close();
    return;
  }
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  await pg.query(record);
  for (const f of files) {
    await pg.query(readFileSync(join(dir, f), "utf8"));
    await pg.query(`INSERT INTO "_cargoproof_migrations" VALUES ($1, now())`, [f]);
  }
  await pg.end();
}

async function exportAll(hubUrl: string, org: TestOrg): Promise<ExportLine[]> {
  const res = await fetch(`${hubUrl}/v1/audit/export?scope=all`, { headers: { authorization: `Bearer ${await org.client.accessToken()}` } });
  expect(res.status).to.equal(200);
  return (await res.text())
    .split("\n")
    .filter(Boolean)
    .map((l) => ExportLineSchema.parse(JSON.parse(l)));
}

describe(`access log upgraded to per-owner chains (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess | undefined;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("keeps the legacy chain verifying and anchored, starts each chain at 1, continues the owner's own sequence", async function () {
    await migrateBefore(database.url, "0024");
    // A legacy log: three lines about the forwarder's records, one about no owner's, as hubs wrote it.
    const draft = (owner: string | null, i: number): AccessLogDraft => ({
      at: new Date(Date.now() - 60_000 + i).toISOString(),
      actor: "someone",
      action: owner ? "READ" : "DENY",
      recordId: owner ? `old-${i}` : "no-such",
      version: owner ? 1 : null,
      owner,
      detail: owner ? null : "READ",
    });
    const legacy = chainAccessEntries({ seq: 0, hash: ACCESS_LOG_GENESIS }, [draft(FORWARDER, 1), draft(null, 2), draft(FORWARDER, 3), draft(FORWARDER, 4)]);
    let own = 0;
    for (const e of legacy)
      await sql(
        database.url,
        `INSERT INTO "AccessLogEntry" ("seq", "ownerSeq", "at", "actor", "action", "recordId", "version", "owner", "detail", "prevHash", "hash") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [e.seq, e.owner ? ++own : null, e.at, e.actor, e.action, e.recordId, e.version, e.owner, e.detail, e.prevHash, e.hash],
      );
    await sql(database.url, `UPDATE "AccessLogHead" SET "seq" = $1, "hash" = $2 WHERE "id" = 1`, [legacy.length, legacy.at(-1)!.hash]);
    await sql(database.url, `INSERT INTO "AccessLogOwnerHead" ("owner", "seq") VALUES ($1, $2)`, [FORWARDER, own]);

    hub = await startHubProcess(hubEnv(chain, database.url)); // applies 0024 and on
    const forwarder = await admit(hub.url, FORWARDER, ["FORWARDER"]);
    const reader = await admit(hub.url, "up-airline", ["AIRLINE"]);
    const auditor = await admit(hub.url, "up-auditor", ["AUDITOR"]);
    const { record } = await forwarder.client.publish("Shipment", shipment());
    await forwarder.client.grant(record.id, reader.id);
    await reader.client.getRecord(record.id);
    await reader.client.getRecord(record.id);

    const rows = await sql<{ seq: unknown; chain: string | null; chainSeq: unknown; ownerSeq: unknown }>(
      database.url,
      `SELECT "seq", "chain", "chainSeq", "ownerSeq" FROM "AccessLogEntry" WHERE "owner" = $1 ORDER BY "seq"`,
      [FORWARDER],
    );
    const fresh = rows.filter((r) => r.chain !== null);
    expect(fresh.map((r) => Number(r.chainSeq))).to.deep.equal([1, 2, 3]);
    expect(rows.map((r) => Number(r.ownerSeq))).to.deep.equal([1, 2, 3, 4, 5, 6]);
    // New rows are numbered after the legacy ones (the database's counter starts past them).
    expect(Math.min(...fresh.map((r) => Number(r.seq)))).to.be.greaterThan(legacy.length);
    // Its own view: one gapless sequence across the upgrade.
    const res = await fetch(`${hub.url}/v1/access-log?limit=100`, { headers: { authorization: `Bearer ${await forwarder.client.accessToken()}` } });
    const body = (await res.json()) as { entries: unknown[] };
    expect(body.entries.map((e) => OwnAccessLogEntrySchema.strict().parse(e).seq)).to.deep.equal([1, 2, 3, 4, 5, 6]);

    // The legacy head is anchored once (accessLogHead), each chain's head with the batches.
    const lines = await waitFor(
      "the legacy head and the forwarder's chain anchored",
      async () => {
        const all = await exportAll(hub!.url, auditor);
        const batches = all.filter((l): l is Extract<ExportLine, { kind: "batch" }> => l.kind === "batch" && l.status === "ANCHORED");
        const legacyDone = batches.some((b) => b.accessLogHead?.seq === legacy.length);
        const chainDone = batches.some((b) => b.accessLogChains?.some((h) => h.chain === FORWARDER && h.seq >= 3));
        return legacyDone && chainDone ? all : undefined;
      },
      60_000,
    );
    expect(lines.filter((l) => l.kind === "batch" && l.accessLogHead !== undefined)).to.have.length(1);
    const access = lines.flatMap((l) => (l.kind === "access" ? [l.entry] : []));
    expect(access.slice(0, legacy.length)).to.deep.equal(legacy);
    const report = await auditExport(
      lines.map((l) => JSON.stringify(l)),
      {
        provider: chain.provider,
        contracts: { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry },
        workers: 0,
      },
    );
    expect(report.findings).to.deep.equal([]);
    expect(report.clean).to.equal(true);
  });
});
