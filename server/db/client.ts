import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "./.generated/sqlite/client";
import { PrismaClient as PostgresClient } from "./.generated/postgresql/client";
import type BetterSqlite3 from "better-sqlite3";

/** The hub's database client. Both generated clients share one schema, so one type serves both. */
export type Db = SqliteClient;
export type DbProvider = "sqlite" | "postgresql";

export interface Database {
  db: Db;
  provider: DbProvider;
  close(): Promise<void>;
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
 * indexes of a big day's records in memory; rarer WAL checkpoints stop each commit that crosses the
 * default 1,000 pages from paying for copying the log back. Durability is as before: WAL with
 * synchronous = NORMAL (better-sqlite3's build default) survives a crash of the hub process; a
 * power cut may lose the last commits, which is why production runs on PostgreSQL (docs/database.md).
 */
const SQLITE_PRAGMAS = ["PRAGMA cache_size = -262144", "PRAGMA wal_autocheckpoint = 16384", "PRAGMA temp_store = MEMORY"];

/**
 * The SQLite adapter's one connection, by client, and by open write transaction (see rawSqliteOf).
 * Prisma handles every bound value of a raw statement in JavaScript (~40 µs a row in a multi-row
 * INSERT); a prepared statement on the connection itself costs a few µs a row.
 */
const clientConnections = new WeakMap<object, BetterSqlite3.Database>();
const transactionConnections = new WeakMap<object, BetterSqlite3.Database>();

/** The adapter's factory, noting the connection it opens (if the adapter still exposes it). */
class SqliteAdapter extends PrismaBetterSqlite3 {
  connection: BetterSqlite3.Database | undefined;
  override async connect() {
    const adapter = await super.connect();
    const client = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
    if (client && typeof client.prepare === "function") this.connection = client;
    return adapter;
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

export async function openDatabase(url: string): Promise<Database> {
  const provider = providerOf(url);
  if (provider === "sqlite") {
    const adapter = new SqliteAdapter({ url: sqliteFile(url), timeout: 10_000 }, { timestampFormat: "iso8601" });
    const db = new SqliteClient({ adapter });
    for (const pragma of SQLITE_PRAGMAS) await db.$queryRawUnsafe(pragma);
    if (adapter.connection) clientConnections.set(db, adapter.connection);
    return { db, provider, close: () => db.$disconnect() };
  }
  const adapter = new PrismaPg({ connectionString: url });
  // Same schema, other provider: the PostgreSQL client has the same model API.
  const db = new PostgresClient({ adapter }) as unknown as Db;
  return { db, provider, close: () => db.$disconnect() };
}

export type TxClient = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * A read-then-write transaction. SQLite starts transactions deferred: a transaction that reads first
 * and writes later cannot wait for another process's write lock (SQLITE_BUSY at once, no retry).
 * Writing first takes the lock up front, where SQLite's busy timeout does wait; PostgreSQL is
 * unaffected by the no-op.
 */
export function writeTransaction<T>(db: Db, fn: (tx: TxClient) => Promise<T>): Promise<T> {
  const connection = clientConnections.get(db);
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`UPDATE "AnchorLease" SET "holder" = "holder" WHERE 1 = 0`);
      if (connection) transactionConnections.set(tx, connection);
      try {
        return await fn(tx);
      } finally {
        transactionConnections.delete(tx);
      }
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
}
