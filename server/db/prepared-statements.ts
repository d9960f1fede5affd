import type BetterSqlite3 from "better-sqlite3";

/** Distinct statement texts kept prepared per connection; past it the cache starts over (IN lists of many lengths). */
const MAX_STATEMENTS = 256;

type Bound = string | number | bigint | Buffer | null;

/**
 * Statements run on a SQLite connection itself, each text prepared once and kept. Through the
 * Prisma adapter every statement is prepared anew and its values handled by the client's runtime,
 * which was most of the cost of a record read and of a small write transaction (issue 17).
 */
export class PreparedStatements {
  private readonly prepared = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly connection: BetterSqlite3.Database) {}

  all<T>(sql: string, values: readonly unknown[]): T[] {
    return this.statement(sql).all(...values.map(bound)) as T[];
  }

  /** A statement that returns no rows (or whose rows are not wanted): the rows it changed. */
  run(sql: string, values: readonly unknown[]): number {
    return this.statement(sql).run(...values.map(bound)).changes;
  }

  private statement(sql: string): BetterSqlite3.Statement {
    let statement = this.prepared.get(sql);
    if (statement) return statement;
    statement = this.connection.prepare(sql);
    if (this.prepared.size >= MAX_STATEMENTS) this.prepared.clear();
    this.prepared.set(sql, statement);
    return statement;
  }
}

const byConnection = new WeakMap<BetterSqlite3.Database, PreparedStatements>();

/** The one statement cache of a connection. */
export function statementsOf(connection: BetterSqlite3.Database): PreparedStatements {
  let statements = byConnection.get(connection);
  if (!statements) byConnection.set(connection, (statements = new PreparedStatements(connection)));
  return statements;
}

/** A value as the adapter binds it: timestamps as ISO-8601 UTC (its configured format), booleans as 0/1. */
function bound(v: unknown): Bound {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "bigint" || v === null || Buffer.isBuffer(v)) return v;
  throw new Error(`a statement cannot bind a ${typeof v}`);
}
