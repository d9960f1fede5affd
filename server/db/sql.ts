import type { DbProvider, TxClient } from "./client";

/** A Prisma client or transaction: what runs raw statements. */
export type Runner = Pick<TxClient, "$queryRawUnsafe" | "$executeRawUnsafe">;

type Param = string | number | null | Date;

/**
 * Statements are written once with PostgreSQL's numbered parameters ($1, $2, ...); for SQLite they
 * become positional `?` with the arguments in order of appearance, so one text serves both providers.
 */
function bind(provider: DbProvider, text: string, params: readonly Param[]): [string, unknown[]] {
  const values = params.map((v) => (v instanceof Date ? v.toISOString() : v));
  if (provider === "postgresql") return [text, values];
  const ordered: unknown[] = [];
  const sql = text.replace(/\$(\d+)/g, (_m, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new Error(`statement parameter $${n} has no value`);
    ordered.push(values[i]);
    return "?";
  });
  return [sql, ordered];
}

export function query<T>(db: Runner, provider: DbProvider, text: string, params: readonly Param[] = []): Promise<T[]> {
  const [sql, values] = bind(provider, text, params);
  return db.$queryRawUnsafe<T[]>(sql, ...values);
}

export function execute(db: Runner, provider: DbProvider, text: string, params: readonly Param[] = []): Promise<number> {
  const [sql, values] = bind(provider, text, params);
  return db.$executeRawUnsafe(sql, ...values);
}

/** "$k, $k+1, ..." for `count` values starting at parameter `first` (an IN list). */
export function placeholders(first: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(", ");
}

/** Values bound per IN list: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
export const IN_CHUNK = 5000;

export function chunks<T>(items: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A timestamp read by a raw query: a Date from PostgreSQL, a Date or an ISO string from SQLite. */
export function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  const d = v instanceof Date ? v : new Date(String(v));
  if (Number.isNaN(d.getTime())) throw new Error(`not a timestamp: ${String(v)}`);
  return d;
}

/** A number read by a raw query (COUNT and SUM may come back as bigint or text). */
export function asNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint" || typeof v === "string") return Number(v);
  if (v && typeof v === "object" && "toNumber" in v && typeof v.toNumber === "function") return (v as { toNumber(): number }).toNumber();
  throw new Error(`not a number: ${String(v)}`);
}

/**
 * Inserts rows that may already exist (`INSERT ... ON CONFLICT (key) DO NOTHING`, the same in SQLite
 * and PostgreSQL): concurrent transactions may each create the same row without either failing.
 */
export async function insertMissing(
  db: Runner,
  provider: DbProvider,
  table: string,
  key: string,
  columns: readonly string[],
  rows: readonly Param[][],
): Promise<void> {
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length));
  for (const part of chunks(rows, perStatement)) {
    let n = 0;
    const tuples = part.map(() => `(${columns.map(() => `$${++n}`).join(", ")})`);
    await execute(
      db,
      provider,
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")} ON CONFLICT ("${key}") DO NOTHING`,
      part.flat(),
    );
  }
}

/**
 * Locks rows for the rest of the transaction, in key order so that transactions locking overlapping
 * sets cannot deadlock (PostgreSQL; SQLite transactions already run one at a time).
 */
export async function lockRows(db: Runner, provider: DbProvider, table: string, key: string, ids: readonly string[]): Promise<void> {
  if (provider !== "postgresql") return;
  for (const part of chunks([...ids].sort()))
    await query(db, provider, `SELECT "${key}" FROM "${table}" WHERE "${key}" IN (${placeholders(1, part.length)}) ORDER BY "${key}" FOR UPDATE`, part);
}

/**
 * Updates many rows, each with its own values, in one statement per chunk:
 * `WITH v(key, c1, ...) AS (VALUES ...) UPDATE t SET ... FROM v WHERE t.key = v.key`. `set` holds
 * the SET assignments, reading the new values as v."<column>". PostgreSQL needs the type of each
 * value (`types`, e.g. "INTEGER", "TIMESTAMP(3)"); SQLite takes them as they come.
 */
export async function updateRows(
  db: Runner,
  provider: DbProvider,
  table: string,
  key: string,
  columns: readonly { name: string; type: string }[],
  set: string,
  rows: readonly Param[][],
): Promise<void> {
  const names = [key, ...columns.map((c) => c.name)];
  const types = ["TEXT", ...columns.map((c) => c.type)];
  const perStatement = Math.max(1, Math.floor(30_000 / names.length));
  for (const part of chunks(rows, perStatement)) {
    let n = 0;
    const tuples = part.map(() => `(${types.map((t) => (provider === "postgresql" ? `CAST($${++n} AS ${t})` : `$${++n}`)).join(", ")})`);
    await execute(
      db,
      provider,
      `WITH v(${names.map((c) => `"${c}"`).join(", ")}) AS (VALUES ${tuples.join(", ")})
       UPDATE "${table}" SET ${set} FROM v WHERE "${table}"."${key}" = v."${key}"`,
      part.flat(),
    );
  }
}

/**
 * Whether a database error is a unique-key violation (SQLite, PostgreSQL, through Prisma or the
 * drivers): two writers raced for the same key and this one lost.
 */
export function isUniqueViolation(err: unknown): boolean {
  const text = (e: unknown): string => (e instanceof Error ? `${(e as { code?: unknown }).code ?? ""} ${e.message} ${e.cause ? text(e.cause) : ""}` : "");
  return /P2002|23505|SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE|duplicate key|unique constraint/i.test(text(err));
}
