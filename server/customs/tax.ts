import { roundAmount } from "../../sdk/records/customs-common";
import type { CustomsLine } from "../../sdk/records/customs-common";
import { cnyRate, taxRateOf, type MatchRules } from "./rules";

/**
 * The tax of a cross-border retail import (China, Caishui 2016 No. 18 and 2018 No. 49), pure: within
 * the personal limits no customs duty, and import VAT and consumption tax at 70% of their statutory
 * amounts; past the limits all three in full, as for general trade. docs/customs.md states the formula.
 */

/** Share of the statutory VAT and consumption tax levied within the personal limits (the duty is 0). */
export const RETAIL_TAX_SHARE = 0.7;

/** The money of an order or a list the tax is computed from (amounts in `currency`). */
export interface TaxedDocument {
  lines: Pick<CustomsLine, "lineNo" | "hsCode" | "value">[];
  currency: string;
  freight: number;
  insurance: number;
}

/** One line's expected tax, in CNY (each tax rounded to the fen). */
export interface LineTax {
  /** Index of the line in the document's `lines`. */
  index: number;
  lineNo: number;
  hsCode: string;
  dutiableValueCny: number;
  duty: number;
  consumptionTax: number;
  vat: number;
  /** duty + consumptionTax + vat. */
  tax: number;
}

export type TaxAssessment =
  | {
      ok: true;
      /** Sum of the lines' tax, CNY. */
      taxCny: number;
      /** taxCny in the document's currency (4 decimals), what its `tax` should say. */
      tax: number;
      lines: LineTax[];
    }
  /** No CNY exchange rate for the currency, or lines (by index) whose HS code has no configured rate. */
  | { ok: false; noExchangeRate: boolean; linesWithoutRate: number[] };

const fen = (n: number): number => Math.round(n * 100) / 100;

/**
 * The tax `doc` should declare. Each line's dutiable value is its value plus its share of freight and
 * insurance (by value; equal shares when every line is worth 0), in CNY; discounts are not deducted.
 * `fullTax`: the order is past a personal limit, so duty, consumption tax and VAT are levied in full.
 */
export function expectedTax(doc: TaxedDocument, fullTax: boolean, rules: MatchRules): TaxAssessment {
  const rate = cnyRate(rules, doc.currency);
  const rates = doc.lines.map((l) => taxRateOf(rules, l.hsCode));
  const linesWithoutRate = rates.flatMap((r, i) => (r === undefined ? [i] : []));
  if (rate === undefined || linesWithoutRate.length > 0) return { ok: false, noExchangeRate: rate === undefined, linesWithoutRate };
  const goods = doc.lines.reduce((s, l) => s + l.value, 0);
  const extras = doc.freight + doc.insurance;
  const share = fullTax ? 1 : RETAIL_TAX_SHARE;
  const lines: LineTax[] = doc.lines.map((line, index) => {
    const r = rates[index]!;
    const portion = goods > 0 ? line.value / goods : 1 / doc.lines.length;
    const dutiable = (line.value + extras * portion) * rate;
    // Statutory amounts: the consumption tax on the composite base (value + duty) / (1 - rate), VAT on value + duty + consumption tax.
    const duty = fullTax ? dutiable * r.dutyRate : 0;
    const consumption = ((dutiable + duty) / (1 - r.consumptionTaxRate)) * r.consumptionTaxRate;
    const vat = (dutiable + duty + consumption) * r.vatRate;
    const levied = { duty: fen(duty), consumptionTax: fen(consumption * share), vat: fen(vat * share) };
    return {
      index,
      lineNo: line.lineNo,
      hsCode: line.hsCode,
      dutiableValueCny: fen(dutiable),
      ...levied,
      tax: fen(levied.duty + levied.consumptionTax + levied.vat),
    };
  });
  const taxCny = fen(lines.reduce((s, l) => s + l.tax, 0));
  return { ok: true, taxCny, tax: roundAmount(taxCny / rate), lines };
}
