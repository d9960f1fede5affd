import type { DbProvider } from "../db/client";
import { asDate, chunks, execute, placeholders, query, type Runner } from "../db/sql";

/**
 * A case's place among its buyer's imports of a year: the annual limit counts them in date order
 * (then by case id), whatever order they arrived in. A case counts once it has a buyer, a year, a
 * date and a total in CNY.
 */
export interface AnnualPlace {
  caseId: string;
  buyerKey: string | null;
  year: number | null;
  declaredAt: Date | null;
  totalCny: number | null;
}

type Counted = AnnualPlace & { buyerKey: string; year: number; declaredAt: Date; totalCny: number };

const counts = (p: AnnualPlace): p is Counted => p.buyerKey !== null && p.year !== null && p.declaredAt !== null && p.totalCny !== null;
const keyOf = (p: Counted) => annualKey(p.buyerKey, p.year);
const sameKey = (a: AnnualPlace, b: AnnualPlace) => a.buyerKey === b.buyerKey && a.year === b.year;
const samePlace = (a: AnnualPlace, b: AnnualPlace) =>
  sameKey(a, b) && a.totalCny === b.totalCny && (a.declaredAt?.getTime() ?? null) === (b.declaredAt?.getTime() ?? null);
/** Whether `c` comes after `p` in the date order of their buyer's year. */
const isLater = (c: { declaredAt: Date; caseId: string }, p: { declaredAt: Date; caseId: string }) =>
  c.declaredAt.getTime() > p.declaredAt.getTime() || (c.declaredAt.getTime() === p.declaredAt.getTime() && c.caseId > p.caseId);

/** The key of one buyer's calendar year in buyerYearCases' answer. */
export const annualKey = (buyerKey: string, year: number): string => `${year}|${buyerKey}`;

/** A counted case of a buyer's year: its date and its total in CNY (the match outcome's orderTotalCny). */
export interface YearCase {
  caseId: string;
  declaredAt: Date;
  totalCny: number;
}

/**
 * The buyers' personal imports, case by case, grouped by calendar year (annualKey), from the stored
 * match outcomes: the one source of the annual limit, for the matcher's sums, for which cases to
 * match again, and for the platforms' quota pre-check. A case counts once matched with a date and a
 * total in CNY.
 */
export async function buyerYearCases(db: Runner, provider: DbProvider, buyerKeys: readonly string[]): Promise<Map<string, YearCase[]>> {
  const byKey = new Map<string, YearCase[]>();
  for (const part of chunks([...new Set(buyerKeys)])) {
    const rows = await query<{ id: string; buyerKey: string; year: unknown; declaredAt: unknown; orderTotalCny: unknown }>(
      db,
      provider,
      `SELECT "id", "buyerKey", "year", "declaredAt", "orderTotalCny" FROM "CustomsCase"
        WHERE "buyerKey" IN (${placeholders(1, part.length)}) AND "orderTotalCny" IS NOT NULL AND "declaredAt" IS NOT NULL`,
      part,
    );
    for (const r of rows) {
      const k = annualKey(r.buyerKey, Number(r.year));
      byKey.set(k, [...(byKey.get(k) ?? []), { caseId: r.id, declaredAt: asDate(r.declaredAt)!, totalCny: Number(r.orderTotalCny) }]);
    }
  }
  return byKey;
}

/** Where the cases' places are stored now (before this commit writes their new ones). */
export async function storedPlaces(tx: Runner, provider: DbProvider, caseIds: readonly string[]): Promise<Map<string, AnnualPlace>> {
  const out = new Map<string, AnnualPlace>();
  for (const part of chunks([...caseIds])) {
    const rows = await query<{ id: string; buyerKey: string | null; year: unknown; declaredAt: unknown; orderTotalCny: unknown }>(
      tx,
      provider,
      `SELECT "id", "buyerKey", "year", "declaredAt", "orderTotalCny" FROM "CustomsCase" WHERE "id" IN (${placeholders(1, part.length)})`,
      part,
    );
    for (const r of rows)
      out.set(r.id, {
        caseId: r.id,
        buyerKey: r.buyerKey,
        year: r.year === null ? null : Number(r.year),
        declaredAt: asDate(r.declaredAt),
        totalCny: r.orderTotalCny === null ? null : Number(r.orderTotalCny),
      });
  }
  return out;
}

/**
 * The matched cases to match again because cases of this commit take a new place among their
 * buyer's imports of the year (a new case, another date, total or buyer): every later-dated case of
 * the same buyer and year whose sum before it changed. Only where that year's total is above the
 * limit before or after the change (below it no case is flagged, so no flag can change). Cases of
 * this commit are left out: they were matched against each other in date order already.
 *
 * On PostgreSQL each buyer's year is locked for the transaction (in key order), so two commits
 * changing one buyer's year see each other's totals and neither misses the other's change.
 */
export async function casesToMatchAgain(
  tx: Runner,
  provider: DbProvider,
  changes: readonly { before: AnnualPlace; after: AnnualPlace }[],
  limitCny: number,
): Promise<string[]> {
  const moved = changes.filter(({ before, after }) => !samePlace(before, after));
  const committed = new Set(changes.map((c) => c.after.caseId));
  const keys = new Map<string, { buyerKey: string; year: number }>();
  for (const { before, after } of moved) for (const p of [before, after]) if (counts(p)) keys.set(keyOf(p), p);
  if (keys.size === 0) return [];
  const sorted = [...keys.keys()].sort();
  // In key order, in one statement per chunk (OFFSET 0 keeps the sorted subquery's order for the locks);
  // run as a statement, since the locks' void results are not a row type Prisma reads.
  if (provider === "postgresql")
    for (const part of chunks(sorted))
      await execute(
        tx,
        provider,
        `SELECT pg_advisory_xact_lock(hashtext('customs-annual|' || s.k)) FROM (SELECT v.k FROM (VALUES ${part.map((_, i) => `($${i + 1})`).join(", ")}) AS v(k) ORDER BY v.k OFFSET 0) AS s`,
        part,
      );

  // One read for every buyer concerned, the one the matcher's annual sums come from.
  const byKey = await buyerYearCases(
    tx,
    provider,
    [...keys.values()].map((k) => k.buyerKey),
  );

  const again = new Set<string>();
  for (const k of sorted) {
    const { buyerKey, year } = keys.get(k)!;
    const stored = byKey.get(k) ?? [];
    const inKey = (p: AnnualPlace): p is Counted => counts(p) && p.buyerKey === buyerKey && p.year === year;
    const totalBefore = stored.reduce((s, c) => s + c.totalCny, 0);
    const totalAfter =
      stored.filter((c) => !committed.has(c.caseId)).reduce((s, c) => s + c.totalCny, 0) +
      changes.reduce((s, { after }) => s + (inKey(after) ? after.totalCny : 0), 0);
    if (Math.max(totalBefore, totalAfter) <= limitCny) continue;
    // The earliest place a change of this key touches: every matched case after it is matched again.
    const places = moved.flatMap(({ before, after }) => [before, after].filter(inKey));
    const first = places.reduce((a, b) => (isLater(a, b) ? b : a));
    for (const c of stored) if (!committed.has(c.caseId) && isLater(c, first)) again.add(c.caseId);
  }
  return [...again];
}

/** Makes the cases due now as if a document had arrived (their revision moves), so a commit of a match in flight keeps them due. */
export async function matchAgain(tx: Runner, provider: DbProvider, caseIds: readonly string[], now: Date): Promise<void> {
  for (const part of chunks([...caseIds]))
    await execute(tx, provider, `UPDATE "CustomsCase" SET "revision" = "revision" + 1, "matchDue" = $1 WHERE "id" IN (${placeholders(2, part.length)})`, [
      now,
      ...part,
    ]);
}
