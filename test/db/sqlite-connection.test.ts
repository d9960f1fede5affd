// The hub's one writing SQLite connection shared by concurrent requests (server/db/sqlite-connection.ts):
// a statement outside a transaction never runs inside someone else's open transaction, reads outside
// transactions see only committed rows, and a long transaction gives the event loop turns.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { insertRows } from "../../server/db/bulk-insert";
import { openDatabase, ownWriteTransaction, readRows, writeTransaction, type Database } from "../../server/db/client";
import { Prisma } from "../../server/db/.generated/sqlite/client";
import { execute } from "../../server/db/sql";
import { migrate } from "../../server/db/migrate";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the hub's SQLite connection shared by concurrent requests", function () {
  this.timeout(60_000);
  let dir: string;
  let database: Database;
  const note = (recordId: string) => ({ orgId: "org-a", kind: "TEST", recordId, version: 1, detail: null });
  const notes = async () => (await database.db.notification.findMany({ where: { kind: "TEST" }, orderBy: { seq: "asc" } })).map((n) => n.recordId);

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "cargoproof-connection-"));
    const url = `file:${join(dir, "hub.db")}`;
    await migrate(url);
    database = await openDatabase(url, { log: () => undefined });
  });
  afterEach(async () => {
    await database.db.notification.deleteMany({ where: { kind: "TEST" } });
  });
  after(async function () {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A transaction that writes `recordId`, lets `during` run while it is open, then fails (rolled back). */
  async function failingTransaction<T>(recordId: string, during: (stillOpen: () => boolean) => Promise<T>): Promise<T> {
    let started!: () => void;
    let ended = false;
    const open = new Promise<void>((r) => (started = r));
    const tx = writeTransaction(database.db, async (tx) => {
      await tx.notification.create({ data: note(recordId) });
      started();
      await sleep(200);
      ended = true;
      throw new Error("the transaction fails after its write");
    }).catch((e: unknown) => e);
    await open;
    const outcome = await during(() => !ended);
    expect(await tx).to.be.instanceOf(Error);
    return outcome;
  }

  it("a write outside a transaction, made while another request's transaction is open, is kept when that transaction rolls back", async () => {
    await failingTransaction("rolled-back", async () => {
      // Acknowledged while the other transaction is still open: it must not be part of it.
      await database.db.notification.create({ data: note("acknowledged") });
      await database.db.$executeRawUnsafe(`UPDATE "Notification" SET "detail" = 'kept' WHERE "recordId" = 'acknowledged'`);
    });
    expect(await notes()).to.deep.equal(["acknowledged"]);
    expect((await database.db.notification.findFirst({ where: { recordId: "acknowledged" } }))?.detail).to.equal("kept");
  });

  it("a read outside a transaction does not see another transaction's uncommitted rows, and does not wait for it", async () => {
    const seen = await failingTransaction("uncommitted", async (stillOpen) => ({ rows: await notes(), answeredWhileOpen: stillOpen() }));
    expect(seen).to.deep.equal({ rows: [], answeredWhileOpen: true });
    expect(await notes()).to.deep.equal([]);
  });

  it("reads outside a transaction see what was committed before them (read your writes)", async () => {
    for (let i = 0; i < 20; i++) {
      await writeTransaction(database.db, (tx) => tx.notification.create({ data: note(`r${i}`) }));
      expect(await database.db.notification.count({ where: { kind: "TEST" } })).to.equal(i + 1);
    }
  });

  it("a long transaction gives the event loop turns: timers and other requests run between its statements", async () => {
    const columns = ["orgId", "kind", "recordId", "version", "detail", "createdAt"];
    const rows = Array.from({ length: 20_000 }, (_, i) => ["org-a", "TEST", `bulk-${i}`, 1, "x".repeat(200), new Date()]);
    let turns = 0;
    let inside = false;
    const ticker = setInterval(() => inside && turns++, 1);
    let readDuring: number | undefined;
    try {
      await writeTransaction(database.db, async (tx) => {
        inside = true;
        const reading = database.db.notification.count({ where: { kind: "TEST" } }).then((n) => (readDuring = n));
        await insertRows(tx, database.provider, "Notification", columns, rows);
        inside = false;
        await reading;
      });
    } finally {
      clearInterval(ticker);
    }
    expect(turns, "timers ran while the rows were inserted").to.be.greaterThan(2);
    expect(readDuring, "a read answered during the transaction, from committed rows").to.equal(0);
    expect(await database.db.notification.count({ where: { kind: "TEST" } })).to.equal(20_000);
  });

  // The access log's own transactions (ownWriteTransaction) and the record read's readRows run on the
  // connections themselves, not through the client: the same rules must hold for them.
  it("an own write transaction is not mixed with a client transaction or a statement outside: each waits its turn, a rollback takes only its rows", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const own = ownWriteTransaction(database.db, async (tx) => {
      await execute(tx, "sqlite", `INSERT INTO "Notification" ("orgId", "kind", "recordId", "version") VALUES ('org-a', 'TEST', 'own-rolled-back', 1)`);
      entered();
      await held;
      throw new Error("the own transaction fails after its write");
    }).catch((e: unknown) => e);
    await inside;
    const outside = database.db.notification.create({ data: note("outside") });
    const client = writeTransaction(database.db, (tx) => tx.notification.create({ data: note("client") }));
    const seen = await readRows<{ recordId: string }>(database.db, Prisma.sql`SELECT "recordId" FROM "Notification" WHERE "kind" = 'TEST'`);
    expect(seen, "a read does not see the open transaction's row").to.deep.equal([]);
    await sleep(100);
    release();
    expect(await own).to.be.instanceOf(Error);
    await Promise.all([outside, client]);
    expect((await notes()).sort()).to.deep.equal(["client", "outside"]);
  });

  it("readRows answers from committed rows, the same rows as the client's raw query, with its values bound", async () => {
    await writeTransaction(database.db, async (tx) => {
      await tx.notification.create({ data: note("a") });
      await tx.notification.create({ data: note("b") });
    });
    const statement = (id: string) => Prisma.sql`SELECT "recordId", "version", "createdAt" FROM "Notification" WHERE "kind" = 'TEST' AND "recordId" = ${id}`;
    for (const id of ["a", "b", "c"]) {
      const fast = await readRows<{ recordId: string; version: unknown; createdAt: unknown }>(database.db, statement(id));
      const slow = await database.db.$queryRaw<{ recordId: string; version: unknown; createdAt: unknown }[]>(statement(id));
      const same = (rows: typeof fast) =>
        rows.map((r) => [r.recordId, Number(r.version), new Date(String(r.createdAt instanceof Date ? r.createdAt.toISOString() : r.createdAt)).getTime()]);
      expect(same(fast)).to.deep.equal(same(slow));
      expect(fast.length).to.equal(id === "c" ? 0 : 1);
    }
  });
});
