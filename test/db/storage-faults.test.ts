import { expect } from "chai";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { openDatabase, ownWriteTransaction, writeTransaction, type Database } from "../../server/db/client";
import { StorageHealth, storageFault } from "../../server/db/faults";
import { migrate } from "../../server/db/migrate";
import { execute } from "../../server/db/sql";
import { RepeatingTask } from "../../server/repeating-task";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Prisma's shape of a driver error (PrismaClientKnownRequestError P2010 / P2039 around the adapter's). */
const prismaWrapped = (cause: Record<string, unknown>) =>
  Object.assign(new Error("Raw query failed."), { code: "P2010", meta: { driverAdapterError: Object.assign(new Error("x"), { cause }) } });
const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code, severity: "ERROR" });

describe("storage faults: one classification", function () {
  it("tells full, busy and unavailable storage apart, through the wrappers errors arrive in", function () {
    const cases: [unknown, string | undefined][] = [
      [Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }), "storage-full"],
      [prismaWrapped({ originalCode: "SQLITE_FULL", kind: "sqlite" }), "storage-full"],
      [prismaWrapped({ originalCode: "53100", kind: "postgres", code: "53100" }), "storage-full"],
      [Object.assign(new Error("write"), { code: "ENOSPC" }), "storage-full"],
      [prismaWrapped({ originalCode: "SQLITE_BUSY", kind: "SocketTimeout" }), "storage-busy"],
      [Object.assign(new Error("locked"), { code: "SQLITE_BUSY_SNAPSHOT" }), "storage-busy"],
      [pgError("55P03"), "storage-busy"],
      [pgError("57014"), "storage-busy"],
      [prismaWrapped({ originalCode: "53300", kind: "TooManyConnections" }), "storage-busy"],
      [Object.assign(new Error("Transaction API error: Unable to start a transaction in the given time."), { code: "P2028" }), "storage-busy"],
      [Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR_WRITE" }), "storage-unavailable"],
      [pgError("53200"), "storage-unavailable"],
      [pgError("08006"), "storage-unavailable"],
      // A full disk wrapped in a transaction's failure is still a full disk (the most severe code wins).
      [Object.assign(new Error("tx failed"), { code: "P2028", cause: Object.assign(new Error("full"), { code: "SQLITE_FULL" }) }), "storage-full"],
      // Everything else stays the hub's own fault (500 internal) or a caller's.
      [prismaWrapped({ originalCode: "SQLITE_CONSTRAINT_UNIQUE", kind: "UniqueConstraintViolation" }), undefined],
      [pgError("23505"), undefined],
      [new TypeError("x is undefined"), undefined],
      [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" }), undefined],
      [Object.assign(new Error("not found"), { kind: "not-found", status: 404 }), undefined],
      ["a string", undefined],
      [undefined, undefined],
    ];
    for (const [err, problem] of cases) expect(storageFault(err)?.problem, String((err as Error)?.message ?? err)).to.equal(problem);
    expect(storageFault(pgError("53100"))!.retryAfterS).to.be.greaterThan(0);
    expect(storageFault(pgError("53100"))!.detail, "the caller is told nothing of the database's words").to.not.include("pg");
  });

  it("a cyclic error graph is walked a bounded way", function () {
    const a: Record<string, unknown> = { code: "P2010" };
    a.cause = { cause: a, code: "SQLITE_FULL" };
    expect(storageFault(a)?.problem).to.equal("storage-full");
  });

  it("health reports a fault while it recurs, worst first, and forgets it holdMs after the last one", function () {
    const lines: string[] = [];
    const health = new StorageHealth((l) => lines.push(l), 5000);
    expect(health.observe(new TypeError("not storage"), 0)).to.equal(undefined);
    expect(health.current(0)).to.deep.equal([]);
    health.observe(pgError("55P03"), 3000);
    health.observe(pgError("53100"), 2000);
    health.observe(pgError("53100"), 6000);
    expect(health.current(6500).map((f) => [f.problem, f.count])).to.deep.equal([
      ["storage-full", 2],
      ["storage-busy", 1],
    ]);
    expect(health.current(6500)[0]!.since).to.equal(new Date(2000).toISOString());
    // The busy spell ends 5 s after its last fault (8 s); the full one goes on until 11 s.
    expect(health.current(10_999).map((f) => f.problem)).to.deep.equal(["storage-full"]);
    expect(health.current(11_000)).to.deep.equal([]);
    expect(lines.filter((l) => l.includes("storage-full")).length, "logged when the spell began and when it ended, not per fault").to.equal(2);
  });
});

describe("the hub's SQLite connection under storage faults", function () {
  let dir: string;
  let file: string;
  let database: Database;
  const LOCK_WAIT_MS = 1500;
  const note = (i: number) => ({ orgId: "org-a", kind: "TEST", recordId: `rec-${i}`, version: i, detail: "x".repeat(2000) });
  const count = async () => database.db.notification.count({ where: { kind: "TEST" } });

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "cargoproof-faults-"));
    file = join(dir, "hub.db");
    await migrate(`file:${file}`);
    database = await openDatabase(`file:${file}`, { lockWaitMs: LOCK_WAIT_MS, sqliteBusyTimeoutMs: 50, checkpointIdleMs: 200, log: () => undefined });
  });
  after(async function () {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The longest the event loop was kept from running a 10 ms timer while `work` ran. */
  async function eventLoopStall<T>(work: Promise<T>): Promise<{ result: PromiseSettledResult<T>; stallMs: number }> {
    let stallMs = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      stallMs = Math.max(stallMs, now - last);
      last = now;
    }, 10);
    const [result] = await Promise.allSettled([work]);
    clearInterval(timer);
    return { result: result!, stallMs };
  }

  it("a lock another process holds: the write fails storage-busy after the bounded wait, the event loop keeps running, reads go on", async function () {
    const holder = new BetterSqlite3(file);
    try {
      holder.exec("BEGIN IMMEDIATE");
      const started = Date.now();
      let reads = 0;
      const reading = (async () => {
        while (Date.now() - started < LOCK_WAIT_MS) {
          await count();
          reads++;
          await sleep(20);
        }
      })();
      const { result, stallMs } = await eventLoopStall(writeTransaction(database.db, (tx) => tx.notification.create({ data: note(1) })));
      await reading;
      const elapsed = Date.now() - started;
      expect(result.status).to.equal("rejected");
      expect(storageFault((result as PromiseRejectedResult).reason)?.problem).to.equal("storage-busy");
      expect(elapsed, "waited about the bound").to.be.within(LOCK_WAIT_MS - 100, LOCK_WAIT_MS + 1500);
      // The old driver wait (10 s busy_timeout) kept the event loop from running for the whole wait.
      expect(stallMs, "the event loop was never held for long").to.be.lessThan(500);
      expect(reads, "reads were answered while the lock was held").to.be.greaterThan(5);
      expect(database.health.current().map((f) => f.problem)).to.deep.equal(["storage-busy"]);
      // A plain write outside a transaction (a lease update) waits the same bounded way.
      const plain = await database.db.anchorLease.updateMany({ data: { holder: "x" } }).catch((e: unknown) => e);
      expect(storageFault(plain)?.problem).to.equal("storage-busy");
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    expect(await count()).to.equal(0);
  });

  it("many writes waiting for a held lock at once do not add up to a freeze (only the first waits inside SQLite)", async function () {
    const holder = new BetterSqlite3(file);
    try {
      holder.exec("BEGIN IMMEDIATE");
      const writes = Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? database.db.anchorLease.updateMany({ data: { holder: `w${i}` } })
          : writeTransaction(database.db, (tx) => tx.notification.create({ data: note(500 + i) })),
      );
      const { stallMs } = await eventLoopStall(Promise.allSettled(writes));
      const outcomes = await Promise.allSettled(writes);
      expect(outcomes.map((o) => (o.status === "rejected" ? storageFault(o.reason)?.problem : "written"))).to.deep.equal(Array(40).fill("storage-busy"));
      expect(stallMs, "40 writes x a 50 ms in-driver wait would stall 2 s").to.be.lessThan(500);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  });

  it("a write that starts while the lock is held and outlasts it succeeds, in order with the writes queued behind it", async function () {
    const holder = new BetterSqlite3(file);
    holder.exec("BEGIN IMMEDIATE");
    const writes = [2, 3, 4].map((i) => writeTransaction(database.db, (tx) => tx.notification.create({ data: note(i) })));
    await sleep(400);
    holder.exec("ROLLBACK");
    holder.close();
    await Promise.all(writes);
    expect((await database.db.notification.findMany({ where: { kind: "TEST" }, orderBy: { seq: "asc" } })).map((n) => n.version)).to.deep.equal([2, 3, 4]);
  });

  it("a transaction that reads first and writes later cannot fail at its write (it holds the lock from BEGIN)", async function () {
    const holder = new BetterSqlite3(file, { timeout: 0 });
    const done = writeTransaction(database.db, async (tx) => {
      const n = await tx.notification.count();
      // Another process tries to write meanwhile: it is the one that waits.
      expect(() => holder.exec("BEGIN IMMEDIATE")).to.throw(/locked|busy/i);
      await sleep(50);
      await tx.notification.create({ data: note(100 + n) });
    });
    await done;
    holder.close();
  });

  it("a COMMIT that fails leaves no transaction open behind it: its rows are gone and the next write starts cleanly", async function () {
    // A deferred foreign key makes COMMIT itself fail, as a full disk can; SQLite then keeps the transaction open.
    await database.db.$executeRawUnsafe(`CREATE TABLE "_parent" ("id" TEXT PRIMARY KEY)`);
    await database.db.$executeRawUnsafe(`CREATE TABLE "_child" ("p" TEXT REFERENCES "_parent"("id"))`);
    const failed = await writeTransaction(database.db, async (tx) => {
      await tx.$executeRawUnsafe("PRAGMA defer_foreign_keys = ON");
      await tx.$executeRawUnsafe(`INSERT INTO "_child" ("p") VALUES ('nobody')`);
    }).then(
      () => "committed",
      () => "refused",
    );
    expect(failed).to.equal("refused");
    await writeTransaction(database.db, (tx) => tx.notification.create({ data: note(300) }));
    const [{ n }] = await database.db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT COUNT(*) AS n FROM "_child"`);
    expect(Number(n), "the refused row was not carried into the next transaction").to.equal(0);
  });

  // The access log's appends run on the connection itself (ownWriteTransaction), not through the
  // client: the same bounded lock wait and the same clean end after a failed COMMIT.
  const ownInsert = (i: number) =>
    ownWriteTransaction(database.db, (tx) =>
      execute(tx, "sqlite", `INSERT INTO "Notification" ("orgId", "kind", "recordId", "version", "detail") VALUES ('org-a', 'TEST', $1, $2, 'own')`, [
        `own-${i}`,
        i,
      ]),
    );

  it("an own write transaction under another process's lock: storage-busy after the bounded wait, no freeze; after the lock, it writes", async function () {
    const before = await count();
    const holder = new BetterSqlite3(file);
    try {
      holder.exec("BEGIN IMMEDIATE");
      const started = Date.now();
      const { result, stallMs } = await eventLoopStall(ownInsert(1));
      expect(result.status).to.equal("rejected");
      expect(storageFault((result as PromiseRejectedResult).reason)?.problem).to.equal("storage-busy");
      // It gives up when its next pause (at most 200 ms) would pass the bound.
      expect(Date.now() - started, "waited about the bound").to.be.within(LOCK_WAIT_MS - 250, LOCK_WAIT_MS + 1500);
      expect(stallMs, "the event loop was never held for long").to.be.lessThan(500);
      expect(database.health.current().map((f) => f.problem)).to.include("storage-busy");
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    expect(await count()).to.equal(before);
    await ownInsert(2);
    expect(await count()).to.equal(before + 1);
  });

  it("an own write transaction whose COMMIT fails leaves nothing open behind it: its rows are gone, the next write starts cleanly", async function () {
    await database.db.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS "_parent" ("id" TEXT PRIMARY KEY)`);
    await database.db.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS "_child" ("p" TEXT REFERENCES "_parent"("id"))`);
    const failed = await ownWriteTransaction(database.db, async (tx) => {
      await execute(tx, "sqlite", "PRAGMA defer_foreign_keys = ON");
      await execute(tx, "sqlite", `INSERT INTO "_child" ("p") VALUES ('nobody-own')`);
    }).then(
      () => "committed",
      () => "refused",
    );
    expect(failed).to.equal("refused");
    await writeTransaction(database.db, (tx) => tx.notification.create({ data: note(301) }));
    await ownInsert(3);
    const [{ n }] = await database.db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT COUNT(*) AS n FROM "_child" WHERE "p" = 'nobody-own'`);
    expect(Number(n), "the refused row was not carried into the next transaction").to.equal(0);
  });

  it("idle, the write-ahead log is checkpointed and truncated to nothing (its disk space given back)", async function () {
    for (let i = 10; i < 60; i++) await writeTransaction(database.db, (tx) => tx.notification.create({ data: note(i) }));
    expect(statSync(`${file}-wal`).size, "the writes went to the log").to.be.greaterThan(0);
    await sleep(600);
    expect(statSync(`${file}-wal`).size).to.equal(0);
    const pragmas = await database.db.$queryRawUnsafe<{ journal_size_limit: bigint }[]>("PRAGMA journal_size_limit");
    expect(Number(pragmas[0]!.journal_size_limit)).to.equal(16 * 1024 * 1024);
  });

  it("a database at its page limit: writes fail storage-full (noted in its health), and succeed again once pages are free", async function () {
    const limited = await openDatabase(`file:${file}`, { sqliteMaxPageCount: 1, log: () => undefined });
    try {
      const [{ page_count }] = await limited.db.$queryRawUnsafe<{ page_count: bigint }[]>("PRAGMA page_count");
      const [{ max_page_count }] = await limited.db.$queryRawUnsafe<{ max_page_count: bigint }[]>("PRAGMA max_page_count");
      // SQLite raises a limit below the current size to the current size: the file is full as it stands.
      expect(Number(max_page_count)).to.equal(Number(page_count));
      let failure: unknown;
      for (let i = 0; i < 500 && !failure; i++)
        await writeTransaction(limited.db, (tx) => tx.notification.create({ data: note(1000 + i) })).catch((e: unknown) => (failure = e));
      expect(storageFault(failure)?.problem).to.equal("storage-full");
      expect(limited.health.current().map((f) => f.problem)).to.deep.equal(["storage-full"]);
      // Free pages (another connection deletes rows): the limited connection reuses them.
      const other = new BetterSqlite3(file);
      other.exec(`DELETE FROM "Notification" WHERE "kind" = 'TEST'`);
      other.close();
      await writeTransaction(limited.db, (tx) => tx.notification.create({ data: note(2000) }));
    } finally {
      await limited.close();
    }
  });
});

describe("RepeatingTask: failures in a row back off", function () {
  it("a pass that keeps failing is retried less and less often (not spun), and a success resets the pace", async function () {
    let passes = 0;
    let fail = true;
    const failures: number[] = [];
    const task = new RepeatingTask(
      async () => {
        passes++;
        if (fail) throw new Error("database or disk is full");
      },
      () => 0,
      (_err, inARow) => failures.push(inARow),
    );
    task.start();
    await sleep(1000);
    const failedPasses = passes;
    // Without backoff a 0 ms job runs hundreds of times a second; with it: 100, 200, 400 ms... apart.
    expect(failedPasses).to.be.within(2, 6);
    expect(failures).to.deep.equal(Array.from({ length: failures.length }, (_, i) => i + 1));
    fail = false;
    await sleep(1500);
    await task.stop();
    expect(passes - failedPasses, "after the first success it runs at its own pace again").to.be.greaterThan(20);
  });
});
