import { rawSqliteOf, type DbProvider } from "./client";
import { giveTurnIfDue } from "./event-loop-turn";
import { statementsOf } from "./prepared-statements";
import type { Runner } from "./sql";

type Value = string | number | null | Date;

/** Rows per statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const MAX_PARAMS = 30_000;

/**
 * Inserts many rows with multi-row INSERT statements. Prisma's createMany costs ~250 µs a row on
 * SQLite here (its query interpreter handles each value); this costs ~40 µs, which is what lets one
 * hub ingest thousands of records a second. Dates are written as ISO-8601 UTC, the format the
 * SQLite adapter is configured for and one PostgreSQL's timestamp columns read as UTC.
 */
export async function insertRows(tx: Runner, provider: DbProvider, table: string, columns: readonly string[], rows: readonly Value[][]): Promise<void> {
  if (rows.length === 0) return;
  const connection = provider === "sqlite" ? rawSqliteOf(tx) : undefined;
  if (connection) {
    // Inside a write transaction on SQLite: one prepared statement, run per row (a few µs each; a
    // multi-row statement measured no cheaper a row: the cost is SQLite's index inserts), giving the
    // event loop its turns between rows.
    const statements = statementsOf(connection);
    const text = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
    for (const row of rows) {
      await giveTurnIfDue();
      statements.run(text, row);
    }
    return;
  }
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES `;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    let n = 0;
    const tuples = chunk.map(() => `(${columns.map(() => (provider === "sqlite" ? "?" : `$${++n}`)).join(", ")})`);
    const params = chunk.flat().map((v) => (v instanceof Date ? v.toISOString() : v));
    await tx.$executeRawUnsafe(head + tuples.join(", "), ...params);
  }
}
