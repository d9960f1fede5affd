import { setTimeout as sleep } from "node:timers/promises";
import type BetterSqlite3 from "better-sqlite3";
import type { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { giveTurnIfDue } from "./event-loop-turn";
import { storageFault, type StorageHealth } from "./faults";

type Adapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;
type Tx = Awaited<ReturnType<Adapter["startTransaction"]>>;
type Query = Parameters<Adapter["queryRaw"]>[0];

export interface SqliteConnectionOptions {
  /** How long one statement waits inside SQLite for another process's lock (blocks the event loop). */
  busyTimeoutMs: number;
  /** How long a write waits in all for the lock, in short asynchronous retries, before storage-busy. */
  lockWaitMs: number;
  /** After this long without a write, the write-ahead log is checkpointed and truncated. */
  checkpointIdleMs: number;
}

/**
 * The hub's one SQLite connection (the Prisma adapter's), made to wait for a lock without freezing
 * the hub. better-sqlite3 is synchronous: SQLite's busy timeout sleeps on the event loop, so a
 * write lock another process holds for 30 s froze every request for 30 s. Here a statement waits
 * at most `busyTimeoutMs` inside SQLite; after that it is retried after asynchronous pauses (the
 * hub serves reads meanwhile: WAL readers need no lock) until `lockWaitMs`, then fails SQLITE_BUSY
 * (503 storage-busy). Every transaction is BEGIN IMMEDIATE: it takes the write lock first, where
 * waiting is safe, rather than failing at its first write once it has read (a deferred
 * transaction cannot upgrade a stale snapshot). Idle periods truncate the write-ahead log.
 *
 * One connection writes, as PostgreSQL's pool would have one transaction per connection:
 * - a statement outside a transaction waits for the open transaction to end (it would otherwise
 *   run inside it, on the same connection: an acknowledged write rolled back with someone else's
 *   transaction, a read that saw rows never committed);
 * - reads outside a transaction (SELECT) go to a second, read-only connection (WAL readers need
 *   no lock and see only committed rows), so they do not wait for writes at all;
 * - a transaction's statements give the event loop a turn every few milliseconds
 *   (event-loop-turn.ts): the requests waiting meanwhile are served between them.
 */
export class SqliteConnection {
  private readonly startTransaction: (isolation?: Parameters<Adapter["startTransaction"]>[0]) => Promise<Tx>;
  private readonly executeRaw: (query: Query) => Promise<number>;
  private readonly queryRaw: Adapter["queryRaw"];
  /** Transactions one at a time (the connection is one): the tail of the queue. */
  private queue: Promise<void> = Promise.resolve();
  /**
   * While another process is known to hold the lock (a write met it, none has succeeded since):
   * since when, and the failure to repeat. Reads succeed meanwhile and say nothing about the lock.
   */
  private lockHeldSince: number | undefined;
  private lockFailure: unknown;
  private lastWriteAt = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly adapter: Adapter,
    private readonly client: BetterSqlite3.Database,
    private readonly opts: SqliteConnectionOptions,
    private readonly health: StorageHealth,
    /** The read-only connection for reads outside transactions; none for an in-memory database. */
    private readonly reader?: Adapter,
  ) {
    this.startTransaction = adapter.startTransaction.bind(adapter);
    this.executeRaw = adapter.executeRaw.bind(adapter);
    this.queryRaw = adapter.queryRaw.bind(adapter);
    adapter.startTransaction = (isolation) => this.begin(isolation);
    // Statements outside a transaction (a lease update, a single create) take their turn after the
    // open transaction and wait for another process's lock the same bounded way.
    // The bound counts from the call, as a transaction's from its BEGIN, not from its turn.
    adapter.executeRaw = (query) => {
      const startedAt = Date.now();
      return this.inTurn(() => this.withLock(() => this.executeRaw(query), startedAt, true)).then((n) => (this.checkpointWhenIdle(), n));
    };
    adapter.queryRaw = (query) => {
      if (reader && isRead(query.sql)) return reader.queryRaw(query);
      const startedAt = Date.now();
      return this.inTurn(() => this.withLock(() => this.queryRaw(query), startedAt, false));
    };
  }

  close(): void {
    clearTimeout(this.checkpointTimer);
    void this.reader?.dispose();
  }

  /** Runs `run` when the connection is free: after the transactions and statements queued before it. */
  private async inTurn<T>(run: () => Promise<T>): Promise<T> {
    const release = await this.nextTurn();
    try {
      return await run();
    } finally {
      release();
    }
  }

  private async nextTurn(): Promise<() => void> {
    let release!: () => void;
    const turn = this.queue;
    this.queue = new Promise<void>((r) => (release = r));
    await turn;
    return release;
  }

  private async begin(isolation?: Parameters<Adapter["startTransaction"]>[0]): Promise<Tx> {
    // The adapter's own answer to an isolation level SQLite does not have.
    if (isolation && isolation !== "SERIALIZABLE") return this.startTransaction(isolation);
    const startedAt = Date.now();
    const release = await this.nextTurn();
    try {
      await this.withLock(() => this.executeRaw({ sql: "BEGIN IMMEDIATE", args: [], argTypes: [] }), startedAt, true);
    } catch (err) {
      release();
      throw err;
    }
    return this.transaction(release);
  }

  /**
   * A write transaction on the connection itself, not through the client: `body` runs its statements
   * on `client` directly. It takes its turn and the write lock as the client's transactions do
   * (BEGIN IMMEDIATE, bounded asynchronous waits) and commits when `body` resolves, rolls back when
   * it throws. For small, frequent transactions whose cost through the client's interactive
   * transaction is mostly the client's (the access log's appends: about 2 ms for two lines).
   */
  async ownTransaction<T>(body: (client: BetterSqlite3.Database) => Promise<T>): Promise<T> {
    const startedAt = Date.now();
    const release = await this.nextTurn();
    try {
      await this.withLock(() => Promise.resolve(this.client.exec("BEGIN IMMEDIATE")), startedAt, true);
      let result: T;
      try {
        result = await body(this.client);
        this.client.exec("COMMIT");
      } catch (err) {
        // A COMMIT that failed (a full disk) may leave the transaction open: end it before the next.
        // A failing ROLLBACK is noted, not thrown: the caller is told why its transaction failed.
        try {
          if (this.client.inTransaction) this.client.exec("ROLLBACK");
        } catch (rollbackErr) {
          this.health.observe(rollbackErr);
        }
        throw err;
      }
      this.checkpointWhenIdle();
      return result;
    } catch (err) {
      this.health.observe(err);
      throw err;
    } finally {
      release();
    }
  }

  /** The transaction the Prisma client drives: it sends COMMIT / ROLLBACK itself (no phantom query). */
  private transaction(release: () => void): Tx {
    let open = true;
    const end = (committed: boolean) => {
      if (!open) return Promise.resolve();
      open = false;
      try {
        // A COMMIT that failed (a full disk) may leave the transaction open: end it before the next.
        if (!committed && this.client.inTransaction) this.client.exec("ROLLBACK");
      } catch (err) {
        this.health.observe(err);
      } finally {
        // Whatever happened, the next transaction's turn comes: a lost turn would stop every write.
        release();
      }
      if (committed) this.checkpointWhenIdle();
      return Promise.resolve();
    };
    const run = (sql: string) => this.executeRaw({ sql, args: [], argTypes: [] }).then(() => undefined);
    return {
      provider: this.adapter.provider,
      adapterName: this.adapter.adapterName,
      options: { usePhantomQuery: false },
      queryRaw: (query) => giveTurnIfDue().then(() => this.queryRaw(query)),
      executeRaw: (query) => giveTurnIfDue().then(() => this.executeRaw(query)),
      commit: () => end(true),
      rollback: () => end(false),
      createSavepoint: (name) => run(`SAVEPOINT ${name}`),
      rollbackToSavepoint: (name) => run(`ROLLBACK TO ${name}`),
      releaseSavepoint: (name) => run(`RELEASE SAVEPOINT ${name}`),
    };
  }

  /**
   * Runs a statement that may need the write lock. The first attempt waits up to the connection's
   * busy timeout inside SQLite; later ones do not wait there at all (busy_timeout 0 for that one
   * statement) but after growing asynchronous pauses (5 ms doubling to 200 ms), until `lockWaitMs`
   * after `startedAt`. A write's success (`wrote`) shows the lock free again.
   */
  private async withLock<T>(attempt: () => Promise<T>, startedAt: number, wrote: boolean): Promise<T> {
    const deadline = startedAt + this.opts.lockWaitMs;
    // Another caller just found the lock held and this one's bound is past: no further wait.
    if (this.lockFailure !== undefined && this.lockHeldSince !== undefined && Date.now() >= deadline) throw this.lockFailure;
    for (let pause = 5, first = true; ; pause = Math.min(pause * 2, 200), first = false) {
      try {
        let pending: Promise<T>;
        if (first && this.lockHeldSince === undefined) {
          const before = Date.now();
          pending = attempt();
          // The statement ran synchronously; one that sat out the whole busy timeout met the lock. Noted
          // at once, before its rejection is seen, so the statements queued meanwhile do not each wait
          // busy_timeout on the event loop too (that would add up to a freeze again).
          if (this.opts.busyTimeoutMs > 0 && Date.now() - before >= this.opts.busyTimeoutMs) this.lockHeldSince = before;
        } else pending = this.withoutBusyWait(attempt);
        const result = await pending;
        if (wrote) this.lockHeldSince = this.lockFailure = undefined;
        return result;
      } catch (err) {
        if (storageFault(err)?.kind !== "busy" || this.client.inTransaction) throw err;
        this.lockHeldSince ??= Date.now();
        this.lockFailure = err;
        if (Date.now() + pause >= deadline) throw err;
      }
      await sleep(pause);
    }
  }

  /**
   * Runs `run` with SQLite's busy wait off. A statement runs synchronously inside the adapter's call
   * (its promise is already settled), so the timeout is back before anything else runs.
   */
  private withoutBusyWait<T>(run: () => T): T {
    this.client.pragma("busy_timeout = 0");
    try {
      return run();
    } finally {
      this.client.pragma(`busy_timeout = ${this.opts.busyTimeoutMs}`);
    }
  }

  /** After a write (or a full disk): once writes pause for checkpointIdleMs, checkpoint. */
  checkpointWhenIdle(): void {
    this.lastWriteAt = Date.now();
    this.checkpointTimer ??= this.scheduleCheckpoint(this.opts.checkpointIdleMs);
  }

  private scheduleCheckpoint(delay: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.checkpointTimer = undefined;
      const idleFor = Date.now() - this.lastWriteAt;
      if (idleFor < this.opts.checkpointIdleMs || this.client.inTransaction) {
        this.checkpointTimer = this.scheduleCheckpoint(Math.max(10, this.opts.checkpointIdleMs - idleFor));
        return;
      }
      // Another process reading or writing kept the log: try again after a while.
      if (this.checkpoint().busy) this.checkpointTimer = this.scheduleCheckpoint(this.opts.checkpointIdleMs);
    }, delay);
    timer.unref();
    return timer;
  }

  /**
   * Copies the write-ahead log into the database and truncates it to zero bytes, giving its disk
   * space back (the log otherwise keeps its largest size; after a full disk it refilled the space
   * just freed). It does not wait for locks: if another process reads or writes, the next idle
   * period tries again.
   */
  checkpoint(): { busy: boolean } {
    try {
      const [row] = this.withoutBusyWait(() => this.client.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[]);
      return { busy: (row?.busy ?? 0) !== 0 };
    } catch (err) {
      // Another process's lock is no fault of storage; a full disk or an I/O error is.
      if (storageFault(err)?.kind !== "busy") this.health.observe(err);
      return { busy: true };
    }
  }
}

/**
 * A statement that only reads: a SELECT (Prisma's reads, and the hub's own raw queries). Anything
 * else (PRAGMA, INSERT ... RETURNING, WITH ...) runs on the writing connection.
 */
function isRead(sql: string): boolean {
  return /^\s*SELECT\b/i.test(sql);
}
