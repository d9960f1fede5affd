import { z } from "zod";
import { OrgIdSchema, RecordIdSchema } from "../envelope";
import { CountryCode, CurrencyCode, IsoDate } from "./codes";
import { ARITHMETIC_TOLERANCE, Amount, HsCode, roundAmount, withinTolerance } from "./customs-common";

/**
 * The periodic roll-up (汇总申报) of released export lists under 9610 or 1210: which lists it covers,
 * lines aggregated by HS code, destination and currency, and per-currency totals.
 */
export const SummaryDeclarationBody = z
  .object({
    summaryNumber: z.string().min(1).max(64),
    customsOffice: OrgIdSchema,
    supervisionMode: z.enum(["9610", "1210"]),
    period: z.object({ from: IsoDate, to: IsoDate }).strict(),
    lists: z
      .array(z.object({ recordId: RecordIdSchema, version: z.number().int().min(1).max(0xffff_ffff), declarationNumber: z.string().min(1).max(64) }).strict())
      .min(1, "a summary covers at least one list"),
    lines: z
      .array(z.object({ hsCode: HsCode, destinationCountry: CountryCode, currency: CurrencyCode, quantity: z.number().positive(), value: Amount }).strict())
      .min(1, "a summary has at least one line"),
    totals: z.array(z.object({ currency: CurrencyCode, value: Amount }).strict()).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.period && typeof s.period.from === "string" && s.period.to < s.period.from)
      ctx.addIssue({ code: "custom", path: ["period", "to"], message: "the period ends before it starts" });
    if (Array.isArray(s.lists)) {
      const ids = new Set<string>();
      s.lists.forEach((l, i) => {
        if (ids.has(l?.recordId)) ctx.addIssue({ code: "custom", path: ["lists", i, "recordId"], message: "a list is included twice" });
        ids.add(l?.recordId);
      });
    }
    if (!Array.isArray(s.lines) || !Array.isArray(s.totals)) return;
    const sums = new Map<string, number>();
    for (const l of s.lines) if (typeof l?.value === "number") sums.set(l.currency, (sums.get(l.currency) ?? 0) + l.value);
    const totalled = new Set<string>();
    s.totals.forEach((t, i) => {
      if (totalled.has(t?.currency)) ctx.addIssue({ code: "custom", path: ["totals", i, "currency"], message: "a currency is totalled twice" });
      totalled.add(t?.currency);
      const sum = sums.get(t?.currency);
      if (sum === undefined) ctx.addIssue({ code: "custom", path: ["totals", i, "currency"], message: "no line is in this currency" });
      else if (typeof t.value === "number" && !withinTolerance(t.value, sum, ARITHMETIC_TOLERANCE))
        ctx.addIssue({ code: "custom", path: ["totals", i, "value"], message: `a total is the sum of the lines in its currency (${roundAmount(sum)})` });
    });
    for (const currency of sums.keys())
      if (!totalled.has(currency)) ctx.addIssue({ code: "custom", path: ["totals"], message: `the lines in ${currency} have no total` });
  });
export type SummaryDeclarationBody = z.infer<typeof SummaryDeclarationBody>;
