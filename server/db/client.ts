import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "./.generated/sqlite/client";
import { PrismaClient as PostgresClient } from "./.generated/postgresql/client";
import type BetterSqlite3 from "better-sqlite3";
import type { Config } from "../config";
import { StorageHealth } from "./faults";
import { observeStorageFaults } from "./observed-adapter";
import { SqliteConnection } from "./sqlite-connection";
import { statementsOf } from "./prepared-statements";
import type { Prisma } from "./.generated/sqlite/client";
import type { Runner } from "./sql";

/** The hub's database client. Both generated clients share one schema, so one type serves both. */
export type Db = SqliteClient;
export type DbProvider = "sqlite" | "postgresql";

export interface Database {
  db: Db;
  provider: DbProvider;
  /** The storage faults (full, busy, unavailable) its statements met lately: what /health reports. */
  health: StorageHealth;
  close(): Promise<void>;
}

/** How the hub's connection waits, times out and grows (docs/database.md "Storage faults"). */
export interface DatabaseOptions {
  /** SQLite: how long one statement waits inside SQLite for another process's lock (this blocks the event loop). */
  sqliteBusyTimeoutMs?: number;
  /** A write's whole wait for a lock: SQLite retries asynchronously up to it; PostgreSQL's lock_timeout. */
  lockWaitMs?: number;
  /** PostgreSQL's statement_timeout (0: none): no statement holds a request forever. */
  statementTimeoutMs?: number;
  /** SQLite: the most pages the database may grow to (PRAGMA max_page_count); unset: no limit. */
  sqliteMaxPageCount?: number;
  /** SQLite: after this long without a write, the write-ahead log is checkpointed and truncated. */
  checkpointIdleMs?: number;
  /** Where storage faults are logged as they begin and end. */
  log?: (line: string) => void;
}

/** The database settings of the hub's configuration. */
export function databaseOptions(config: Config, log?: (line: string) => void): DatabaseOptions {
  return {
    sqliteBusyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS,
    lockWaitMs: config.DB_LOCK_WAIT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    ...(config.SQLITE_MAX_PAGE_COUNT ? { sqliteMaxPageCount: config.SQLITE_MAX_PAGE_COUNT } : {}),
    ...(log ? { log } : {}),
  };
}

export function providerOf(url: string): DbProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (got ${url.split(":")[0]}:)`);
}

export function sqliteFile(url: string): string {
  return url.slice("file:".length);
}

/**
 * Per-connection SQLite settings (the adapter keeps one connection). A large page cache keeps the
 * indexes of a big day's records in memory; WAL checkpoints every 4,096 pages (16 MiB), rarer than
 * the default 1,000 so a commit seldom pays for copying the log back, and a checkpointed log is cut
 * back to 16 MiB (journal_size_limit): a log left at its largest size refilled the disk space freed
 * after a full disk (an idle connection also truncates it to nothing: SqliteConnection). Durability
 * is as before: WAL with synchronous = NORMAL (better-sqlite3's build default) survives a crash of
 * the hub process; a power cut may lose the last commits, which is why production runs on
 * PostgreSQL (docs/database.md).
 */
const SQLITE_PRAGMAS = [
  "PRAGMA cache_size = -262144",
  "PRAGMA wal_autocheckpoint = 4096",
  "PRAGMA journal_size_limit = 16777216",
  "PRAGMA temp_store = MEMORY",
];
/** The read-only connection's: its own page cache (the writer's is not shared) and in-memory sorts. */
const SQLITE_READER_PRAGMAS = ["cache_size = -65536", "temp_store = MEMORY"];
const DEFAULTS = { sqliteBusyTimeoutMs: 50, lockWaitMs: 5000, statementTimeoutMs: 60_000, checkpointIdleMs: 1000 };

/** A Database's storage health, by client (the routes and /health know the client only). */
const healthOf = new WeakMap<object, StorageHealth>();

export function storageHealthOf(db: Db): StorageHealth | undefined {
  return healthOf.get(db);
}

/**
 * The SQLite adapter's one connection, by client, and by open write transaction (see rawSqliteOf).
 * Prisma handles every bound value of a raw statement in JavaScript (~40 µs a row in a multi-row
 * INSERT); a prepared statement on the connection itself costs a few µs a row.
 */
const clientConnections = new WeakMap<object, BetterSqlite3.Database>();
const transactionConnections = new WeakMap<object, BetterSqlite3.Database>();
/** The read-only SQLite connection, by client (see readRows). */
const readerConnections = new WeakMap<object, BetterSqlite3.Database>();
/** The managed SQLite connection, by client (see ownWriteTransaction). */
const managedConnections = new WeakMap<object, SqliteConnection>();

/**
 * The adapter's factory, noting the connection it opens (if the adapter still exposes it), making
 * its lock waits bounded and asynchronous (SqliteConnection) and noting its storage faults.
 */
class SqliteAdapter extends PrismaBetterSqlite3 {
  connection: BetterSqlite3.Database | undefined;
  readerConnection: BetterSqlite3.Database | undefined;
  managed: SqliteConnection | undefined;
  constructor(
    private readonly file: string,
    private readonly opts: typeof DEFAULTS,
    private readonly health: StorageHealth,
  ) {
    super({ url: file, timeout: opts.sqliteBusyTimeoutMs }, { timestampFormat: "iso8601" });
  }
  override async connect() {
    const adapter = await super.connect();
    const client = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
    if (!client || typeof client.prepare !== "function")
      throw new Error("@prisma/adapter-better-sqlite3 no longer exposes its connection: server/db/sqlite-connection.ts needs it");
    this.connection = client;
    const managed = (this.managed = new SqliteConnection(
      adapter,
      client,
      { busyTimeoutMs: this.opts.sqliteBusyTimeoutMs, lockWaitMs: this.opts.lockWaitMs, checkpointIdleMs: this.opts.checkpointIdleMs },
      this.health,
      await this.reader(),
    ));
    // A full disk: give the write-ahead log's space back as soon as writes pause.
    return observeStorageFaults(adapter, this.health, (fault) => fault.kind === "full" && managed.checkpointWhenIdle());
  }

  /**
   * A second, read-only connection to the same file for reads outside transactions (see
   * SqliteConnection); none for an in-memory database, which a second connection would not see.
   */
  private async reader() {
    if (/^:memory:$|mode=memory/.test(this.file)) return undefined;
    const reader = await new PrismaBetterSqlite3(
      { url: this.file, timeout: this.opts.sqliteBusyTimeoutMs, readonly: true },
      { timestampFormat: "iso8601" },
    ).connect();
    const client = (reader as unknown as { client?: BetterSqlite3.Database }).client;
    for (const pragma of SQLITE_READER_PRAGMAS) client?.pragma(pragma);
    this.readerConnection = client;
    return reader;
  }
}

/** PostgreSQL's adapter, noting its storage faults. */
class PgAdapter extends PrismaPg {
  constructor(
    config: ConstructorParameters<typeof PrismaPg>[0],
    private readonly health: StorageHealth,
  ) {
    super(config);
  }
  override async connect() {
    return observeStorageFaults(await super.connect(), this.health);
  }
}

/**
 * The raw SQLite connection under a write transaction's client, for statements Prisma would make
 * slow; undefined on PostgreSQL or outside writeTransaction. Statements on it run inside the
 * transaction: it is the same connection, between the transaction's BEGIN and COMMIT/ROLLBACK.
 */
export function rawSqliteOf(tx: object): BetterSqlite3.Database | undefined {
  return transactionConnections.get(tx);
}

/**
 * A read of committed rows outside any transaction: on SQLite a prepared statement on the read-only
 * connection (prepared-statements.ts), elsewhere (PostgreSQL, an in-memory database) the client's raw
 * query. Rows come as the driver gives them: numbers, and timestamps as Date or ISO text (read them
 * with asNumber and asDate). For the hot read path (issue 17); anything else may keep the model API.
 */
export function readRows<T>(db: Db, statement: Prisma.Sql): Promise<T[]> {
  const reader = readerConnections.get(db);
  if (!reader) return db.$queryRaw<T[]>(statement);
  try {
    return Promise.resolve(statementsOf(reader).all<T>(statement.sql, statement.values));
  } catch (err) {
    healthOf.get(db)?.observe(err);
    return Promise.reject(err as Error);
  }
}

/**
 * A write transaction of raw statements (`query`, `execute`, `insertRows` on the runner it is
 * given). On SQLite it runs on the connection itself (SqliteConnection.ownTransaction: the same turn,
 * write lock and bounded waits as writeTransaction, without the client's interactive transaction,
 * which cost about 2 ms for an access-log append of two lines); elsewhere it is writeTransaction.
 */
export function ownWriteTransaction<T>(db: Db, fn: (tx: Runner) => Promise<T>): Promise<T> {
  const managed = managedConnections.get(db);
  if (!managed) return writeTransaction(db, fn);
  return managed.ownTransaction(async (connection) => {
    const statements = statementsOf(connection);
    // Prisma's raw-statement signatures: the values are bound in order, as the client binds them.
    const tx = {
      $queryRawUnsafe: (sql: string, ...values: unknown[]) => Promise.resolve(statements.all(sql, values)),
      $executeRawUnsafe: (sql: string, ...values: unknown[]) => Promise.resolve(statements.run(sql, values)),
    } as unknown as Runner;
    transactionConnections.set(tx, connection);
    try {
      return await fn(tx);
    } finally {
      transactionConnections.delete(tx);
    }
  });
}

export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<Database> {
  const provider = providerOf(url);
  const { log, sqliteMaxPageCount, ...waits } = options;
  const opts = { ...DEFAULTS, ...waits };
  const health = new StorageHealth(log);
  if (provider === "sqlite") {
    const adapter = new SqliteAdapter(sqliteFile(url), opts, health);
    const db = new SqliteClient({ adapter });
    const pragmas = [...SQLITE_PRAGMAS, ...(sqliteMaxPageCount ? [`PRAGMA max_page_count = ${Math.floor(sqliteMaxPageCount)}`] : [])];
    for (const pragma of pragmas) await db.$queryRawUnsafe(pragma);
    if (adapter.connection) clientConnections.set(db, adapter.connection);
    if (adapter.readerConnection) readerConnections.set(db, adapter.readerConnection);
    if (adapter.managed) managedConnections.set(db, adapter.managed);
    healthOf.set(db, health);
    return {
      db,
      provider,
      health,
      close: async () => {
        adapter.managed?.close();
        await db.$disconnect();
      },
    };
  }
  // A held row lock or a runaway statement fails (55P03, 57014: storage-busy) rather than holding a request forever.
  const adapter = new PgAdapter(
    { connectionString: url, lock_timeout: opts.lockWaitMs, ...(opts.statementTimeoutMs > 0 ? { statement_timeout: opts.statementTimeoutMs } : {}) },
    health,
  );
  // Same schema, other provider: the PostgreSQL client has the same model API.
  const db = new PostgresClient({ adapter }) as unknown as Db;
  healthOf.set(db, health);
  return { db, provider, health, close: () => db.$disconnect() };
}

export type TxClient = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * A read-then-write transaction. On SQLite every transaction takes the write lock up front (BEGIN
 * IMMEDIATE, waited for asynchronously: SqliteConnection), so one that reads first and writes later
 * cannot fail at its first write. Storage faults of the raw statements run on the connection
 * (bulk inserts, which bypass the adapter) are noted in the database's health too.
 */
export async function writeTransaction<T>(db: Db, fn: (tx: TxClient) => Promise<T>): Promise<T> {
  const connection = clientConnections.get(db);
  try {
    return await db.$transaction(
      async (tx) => {
        if (connection) transactionConnections.set(tx, connection);
        try {
          return await fn(tx);
        } finally {
          transactionConnections.delete(tx);
        }
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  } catch (err) {
    healthOf.get(db)?.observe(err);
    throw err;
  }
}
