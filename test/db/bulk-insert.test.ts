import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, rawSqliteOf, writeTransaction, type Database } from "../../server/db/client";
import { insertRows } from "../../server/db/bulk-insert";
import { migrate } from "../../server/db/migrate";

describe("insertRows on SQLite inside a write transaction (the connection's own prepared statements)", function () {
  let dir: string;
  let database: Database;
  const columns = ["orgId", "kind", "recordId", "version", "detail", "createdAt"];
  const row = (i: number) => ["org-a", "TEST", `rec-${i}`, i, null, new Date(Date.UTC(2026, 10, 23, 12, 0, i))];
  const count = async () =>
    Number((await database.db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT COUNT(*) AS n FROM "Notification" WHERE "kind" = 'TEST'`))[0]!.n);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cargoproof-bulk-"));
    const url = `file:${join(dir, "hub.db")}`;
    await migrate(url);
    database = await openDatabase(url);
  });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes the fast path, and the rows commit with the transaction, values as Prisma wrote them", async function () {
    await writeTransaction(database.db, async (tx) => {
      expect(rawSqliteOf(tx), "the raw connection is known inside the transaction").to.not.equal(undefined);
      await insertRows(tx, "sqlite", "Notification", columns, [row(1), row(2), row(3)]);
    });
    expect(await count()).to.equal(3);
    const stored = await database.db.notification.findMany({ where: { kind: "TEST" }, orderBy: { version: "asc" } });
    expect(stored.map((n) => [n.recordId, n.version, n.createdAt.toISOString()])).to.deep.equal([
      ["rec-1", 1, "2026-11-23T12:00:01.000Z"],
      ["rec-2", 2, "2026-11-23T12:00:02.000Z"],
      ["rec-3", 3, "2026-11-23T12:00:03.000Z"],
    ]);
  });

  it("rolls the rows back when the transaction fails after them", async function () {
    const before = await count();
    const failed = await writeTransaction(database.db, async (tx) => {
      await insertRows(tx, "sqlite", "Notification", columns, [row(4), row(5)]);
      throw new Error("refused after the insert");
    }).catch((e: Error) => e.message);
    expect(failed).to.equal("refused after the insert");
    expect(await count()).to.equal(before);
  });

  it("is not used outside a write transaction", function () {
    expect(rawSqliteOf(database.db)).to.equal(undefined);
  });
});
