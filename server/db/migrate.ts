import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Client as PgClient } from "pg";
import { providerOf, sqliteFile, type DbProvider } from "./client";

const MIGRATIONS_TABLE = "_cargoproof_migrations";

function migrationFiles(provider: DbProvider): { name: string; sql: string }[] {
  const dir = join(__dirname, "migrations", provider);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), "utf8") }));
}

/**
 * Applies the SQL migrations not yet applied, each in its own transaction, and records them.
 * Safe to run from several hub instances at once on PostgreSQL (an advisory lock serialises them).
 * Returns the names applied by this call.
 */
export async function migrate(url: string): Promise<string[]> {
  const provider = providerOf(url);
  const files = migrationFiles(provider);
  const applied: string[] = [];
  if (provider === "sqlite") {
    const file = sqliteFile(url);
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const sqlite = new BetterSqlite3(file, { timeout: 10_000 });
    try {
      // WAL lets readers proceed while the anchoring worker or an ingest batch writes.
      sqlite.pragma("journal_mode = WAL");
      sqlite.exec(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" ("name" TEXT PRIMARY KEY, "appliedAt" TEXT NOT NULL)`);
      const done = new Set((sqlite.prepare(`SELECT "name" FROM "${MIGRATIONS_TABLE}"`).all() as { name: string }[]).map((r) => r.name));
      for (const f of files) {
        if (done.has(f.name)) continue;
        sqlite
          .transaction(() => {
            sqlite.exec(f.sql);
            sqlite.prepare(`INSERT INTO "${MIGRATIONS_TABLE}" ("name", "appliedAt") VALUES (?, ?)`).run(f.name, new Date().toISOString());
          })
          .immediate();
        applied.push(f.name);
      }
    } finally {
      sqlite.close();
    }
    return applied;
  }
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  try {
    await pg.query("SELECT pg_advisory_lock(727274)");
    await pg.query(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" ("name" TEXT PRIMARY KEY, "appliedAt" TIMESTAMPTZ NOT NULL)`);
    const done = new Set((await pg.query<{ name: string }>(`SELECT "name" FROM "${MIGRATIONS_TABLE}"`)).rows.map((r) => r.name));
    for (const f of files) {
      if (done.has(f.name)) continue;
      await pg.query("BEGIN");
      try {
        await pg.query(f.sql);
        await pg.query(`INSERT INTO "${MIGRATIONS_TABLE}" ("name", "appliedAt") VALUES ($1, now())`, [f.name]);
        await pg.query("COMMIT");
      } catch (err) {
        await pg.query("ROLLBACK");
        throw new Error(`migration ${f.name} failed: ${(err as Error).message}`);
      }
      applied.push(f.name);
    }
  } finally {
    await pg.query("SELECT pg_advisory_unlock(727274)").catch(() => undefined);
    await pg.end();
  }
  return applied;
}
