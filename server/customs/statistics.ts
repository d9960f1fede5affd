import type { z } from "zod";
import type { CustomsStatistics, CustomsStatisticsQuerySchema, StatisticsDimension } from "../../sdk/api";
import type { CustomsDeclarationBody } from "../../sdk/records/customs-declaration";
import type { OrderBody } from "../../sdk/records/order";
import type { Db, DbProvider } from "../db/client";
import { asNumber, query } from "../db/sql";

export const STAT_COLUMNS = [
  "caseId",
  "lineNo",
  "customsOffice",
  "supervisionMode",
  "direction",
  "hsChapter",
  "originCountry",
  "destinationCountry",
  "port",
  "day",
  "currency",
  "quantity",
  "value",
] as const;

/**
 * The statistics rows of a case: one per goods line of its declaration, else of its order (the
 * declaration is what customs is told). The day is the one written in declaredAt / orderedAt (the
 * declarant's local date).
 */
export function statLines(
  caseId: string,
  declared: { kind: "ORDER"; body: OrderBody } | { kind: "DECLARATION"; body: CustomsDeclarationBody },
): (string | number)[][] {
  const b = declared.body;
  const day = (declared.kind === "ORDER" ? (b as OrderBody).orderedAt : (b as CustomsDeclarationBody).declaredAt).slice(0, 10);
  return b.lines.map((l) => [
    caseId,
    l.lineNo,
    b.customsOffice,
    b.supervisionMode,
    b.direction,
    l.hsCode.slice(0, 2),
    l.originCountry,
    b.destinationCountry,
    b.port,
    day,
    b.currency,
    l.quantity,
    l.value,
  ]);
}

const COLUMN_OF: Record<StatisticsDimension, string> = {
  mode: "supervisionMode",
  direction: "direction",
  hsChapter: "hsChapter",
  origin: "originCountry",
  destination: "destinationCountry",
  port: "port",
  office: "customsOffice",
};

/** The period bucket as SQL over the day column (text YYYY-MM-DD), the same in SQLite and PostgreSQL. */
const PERIOD_SQL = {
  day: `"day"`,
  month: `substr("day", 1, 7)`,
  quarter: `substr("day", 1, 4) || '-Q' || CAST((CAST(substr("day", 6, 2) AS INTEGER) + 2) / 3 AS TEXT)`,
} as const;

/**
 * Counts of cases and lines, quantity and value per currency, per period and the chosen dimensions,
 * over one office's cases (`office`) or all of them (undefined: the operator).
 */
export async function customsStatistics(
  db: Db,
  provider: DbProvider,
  office: string | undefined,
  q: z.output<typeof CustomsStatisticsQuerySchema>,
): Promise<CustomsStatistics> {
  const conditions: string[] = [];
  const params: string[] = [];
  const bind = (v: string) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (office) conditions.push(`"customsOffice" = ${bind(office)}`);
  if (q.from) conditions.push(`"day" >= ${bind(q.from)}`);
  if (q.to) conditions.push(`"day" <= ${bind(q.to)}`);
  const dims = q.groupBy.map((d) => `"${COLUMN_OF[d]}" AS "${d}"`);
  const groups = ["1", ...q.groupBy.map((_, i) => String(i + 2)), String(q.groupBy.length + 2)];
  const rows = await query<Record<string, unknown>>(
    db,
    provider,
    `SELECT ${PERIOD_SQL[q.period]} AS "period", ${[...dims, `"currency"`].join(", ")},
            COUNT(DISTINCT "caseId") AS "cases", COUNT(*) AS "lines", SUM("quantity") AS "quantity", SUM("value") AS "value"
       FROM "CustomsStatLine" ${conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : ""}
      GROUP BY ${groups.join(", ")} ORDER BY ${groups.join(", ")}`,
    params,
  );
  return {
    period: q.period,
    groupBy: q.groupBy,
    rows: rows.map((r) => ({
      period: String(r.period),
      ...Object.fromEntries(q.groupBy.map((d) => [d, String(r[d])])),
      currency: String(r.currency),
      cases: asNumber(r.cases),
      lines: asNumber(r.lines),
      // Sums of 4-decimal amounts: rounded back to 4 decimals.
      quantity: Math.round(asNumber(r.quantity) * 1e4) / 1e4,
      value: Math.round(asNumber(r.value) * 1e4) / 1e4,
    })),
  };
}
