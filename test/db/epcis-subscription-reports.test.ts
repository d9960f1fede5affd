import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { AccessLogWriter } from "../../server/access-log/writer";
import { openDatabase, type Database } from "../../server/db/client";
import { execute, query } from "../../server/db/sql";
import { migrate } from "../../server/db/migrate";
import { EpcisReports } from "../../server/epcis/subscriptions-delivery";
import { EPCIS_FORMAT, EPCIS_QUERY_RESULT } from "../../server/epcis/subscriptions";

/**
 * The EPCIS report scheduler against a real (SQLite) database: of two schedulers (two hub
 * instances) that both see a query time due, exactly one makes its report; query times missed while
 * no hub ran make one report, not one each.
 */
describe("EPCIS scheduled subscription reports (real database)", function () {
  let dir: string;
  let database: Database;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cargoproof-epcis-reports-"));
    const url = `file:${join(dir, "hub.db")}`;
    await migrate(url);
    database = await openDatabase(url);
  });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A scheduled subscription (every second, reportIfEmpty) whose next query time is `due`. */
  async function scheduled(due: Date): Promise<string> {
    const id = randomUUID();
    const db = database.db;
    const start = new Date(due.getTime() - 60_000).toISOString();
    await execute(
      db,
      "sqlite",
      `INSERT INTO "Subscription" ("id", "orgId", "kinds", "filter", "url", "secret", "createdAt", "cursor", "attempts", "format") VALUES ($1, 'org-a', $2, $3, 'https://receiver.example/cb', 'whsec_x', $4, 0, 0, $5)`,
      [id, JSON.stringify([EPCIS_QUERY_RESULT]), JSON.stringify({ subscriptionId: [id] }), new Date(), EPCIS_FORMAT],
    );
    await execute(
      db,
      "sqlite",
      `INSERT INTO "EpcisSubscription" ("id", "orgId", "queryName", "query", "dest", "stream", "schedule", "reportIfEmpty", "initialRecordTime", "minRecordTime", "nextRunAt", "createdAt")
       VALUES ($1, 'org-a', 'Q', '{}', 'https://receiver.example/cb', 0, $2, 1, $3, $3, $4, $3)`,
      [id, JSON.stringify({ second: "[0-59]" }), start, due.toISOString()],
    );
    return id;
  }

  const reportsOf = async (id: string) =>
    (await query<{ detail: string }>(database.db, "sqlite", `SELECT "detail" FROM "Notification" WHERE "kind" = $1`, [EPCIS_QUERY_RESULT])).filter(
      (n) => (JSON.parse(n.detail) as { subscriptionId: string }).subscriptionId === id,
    );
  const schedulers = () =>
    [1, 2].map(() => new EpcisReports(database.db, "sqlite", new AccessLogWriter(database.db, "sqlite"), { pollMs: 1000, settleMs: 1000 }));

  it("two schedulers that both find a query time due make one report of it", async function () {
    const due = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);
    const id = await scheduled(due);
    const [a, b] = schedulers();
    await Promise.all([a!.tick(), b!.tick()]);
    const reports = await reportsOf(id);
    expect(reports).to.have.length(1);
    expect(JSON.parse(reports[0]!.detail)).to.deep.equal({ subscriptionId: id, queryName: "Q", events: [] });
    const [row] = await query<{ minRecordTime: string; nextRunAt: string }>(
      database.db,
      "sqlite",
      `SELECT "minRecordTime", "nextRunAt" FROM "EpcisSubscription" WHERE "id" = $1`,
      [id],
    );
    expect(row!.minRecordTime).to.equal(due.toISOString());
    expect(Date.parse(row!.nextRunAt)).to.be.greaterThan(due.getTime());
  });

  it("query times missed while no hub ran make one report, and the next query time is from now on", async function () {
    const due = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    const id = await scheduled(due);
    const [a] = schedulers();
    await a!.tick();
    expect(await reportsOf(id)).to.have.length(1);
    const [row] = await query<{ nextRunAt: string }>(database.db, "sqlite", `SELECT "nextRunAt" FROM "EpcisSubscription" WHERE "id" = $1`, [id]);
    expect(Date.parse(row!.nextRunAt)).to.be.greaterThan(Date.now() - 2000);
  });
});
