import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "./.generated/sqlite/client";
import { PrismaClient as PostgresClient } from "./.generated/postgresql/client";

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

export function openDatabase(url: string): Database {
  const provider = providerOf(url);
  if (provider === "sqlite") {
    const adapter = new PrismaBetterSqlite3({ url: sqliteFile(url), timeout: 10_000 }, { timestampFormat: "iso8601" });
    const db = new SqliteClient({ adapter });
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
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`UPDATE "AnchorLease" SET "holder" = "holder" WHERE 1 = 0`);
      return fn(tx);
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
}
