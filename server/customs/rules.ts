import { z } from "zod";
import { CurrencyCode } from "../../sdk/records/codes";
import type { Direction, DocumentKind, SupervisionMode } from "../../sdk/records/customs-common";

/**
 * What each supervision mode requires, and the configurable numbers of the customs match
 * (tolerance, personal import limits, exchange rates, weight plausibility). docs/customs.md explains them.
 */

export interface ModeRequirements {
  /** Must all be present before the case can be MATCHED. */
  required: readonly DocumentKind[];
  /** Matched when present, never missing. */
  optional: readonly DocumentKind[];
  /** China's personal cross-border retail import limits apply (per order and per buyer per year). */
  personalLimits: boolean;
}

const IMPORT_3: ModeRequirements = { required: ["ORDER", "PAYMENT", "WAYBILL"], optional: ["DECLARATION"], personalLimits: true };
const IMPORT_4: ModeRequirements = { required: ["ORDER", "PAYMENT", "WAYBILL", "DECLARATION"], optional: [], personalLimits: true };
const EXPORT_LIST: ModeRequirements = { required: ["ORDER", "WAYBILL", "DECLARATION"], optional: ["PAYMENT"], personalLimits: false };
const EXPORT_B2B_OVERSEAS_WAREHOUSE: ModeRequirements = { required: ["WAYBILL", "DECLARATION"], optional: ["ORDER", "PAYMENT"], personalLimits: false };

/** The table of docs/customs.md; a missing entry is a mode used in the wrong direction. */
const TABLE: Record<SupervisionMode, Partial<Record<Direction, ModeRequirements>>> = {
  "9610": { IMPORT: IMPORT_3, EXPORT: EXPORT_LIST },
  "1210": { IMPORT: IMPORT_4, EXPORT: EXPORT_LIST },
  "1239": { IMPORT: IMPORT_4 },
  "9710": { EXPORT: EXPORT_LIST },
  "9810": { EXPORT: EXPORT_B2B_OVERSEAS_WAREHOUSE },
};

export type ModeRule = { valid: true; requirements: ModeRequirements } | { valid: false; validDirection: Direction; requirements: ModeRequirements };

/**
 * The requirements of a mode and direction. A mode used in the wrong direction (1239 EXPORT,
 * 9710 or 9810 IMPORT) is invalid; its requirements are then those of the mode's one direction,
 * so the case still lists what is missing.
 */
export function modeRule(mode: SupervisionMode, direction: Direction): ModeRule {
  const row = TABLE[mode];
  const requirements = row[direction];
  if (requirements) return { valid: true, requirements };
  const validDirection: Direction = direction === "IMPORT" ? "EXPORT" : "IMPORT";
  return { valid: false, validDirection, requirements: row[validDirection]! };
}

const positive = z.number().finite().positive();
const fraction = z.number().finite().min(0).max(1);

/** An HS code prefix of a rates table or the positive list: a heading (4 digits), subheading (6), or national item (8 or 10). */
export const HsPrefix = z.string().regex(/^(\d{4}|\d{6}|\d{8}|\d{10})$/, "an HS code prefix is 4, 6, 8 or 10 digits");

/** Statutory rates of one HS code prefix, as fractions (0.13 is 13%). */
export const TaxRate = z
  .object({
    dutyRate: fraction,
    vatRate: fraction,
    // Below 1: the consumption tax's base divides by (1 - rate).
    consumptionTaxRate: z.number().finite().min(0).lt(1),
  })
  .strict();
export type TaxRate = z.infer<typeof TaxRate>;

export const MatchRulesSchema = z
  .object({
    /** Absolute tolerance of amount comparisons between documents, in the documents' currency. */
    tolerance: z.number().finite().min(0).max(1000),
    /** Personal import limit per order (China: 5,000 CNY). */
    perOrderLimitCny: positive,
    /** Personal import limit per buyer per calendar year (China: 26,000 CNY). */
    annualLimitCny: positive,
    /** CNY per unit of each currency, for the personal limits (CNY itself is always 1). Replaces the default table as a whole. */
    cnyRates: z.record(CurrencyCode, positive),
    /** Waybill gross weight may be at most net * grossToNetFactor + grossAllowanceKg. */
    grossToNetFactor: z.number().finite().min(1),
    grossAllowanceKg: z.number().finite().min(0),
    /** Statutory rates by HS code prefix (the longest matching prefix applies). Replaces the default table as a whole. */
    taxRates: z.record(HsPrefix, TaxRate, {
      error: (issue) => (issue.code === "invalid_key" ? "a key is an HS code prefix of 4, 6, 8 or 10 digits" : undefined),
    }),
    /** HS code prefixes of the goods admitted for cross-border retail import. Replaces the default list as a whole. */
    positiveList: z.array(HsPrefix).max(20_000),
  })
  .strict();
export type MatchRules = z.infer<typeof MatchRulesSchema>;

/**
 * Sample statutory rates of the goods in the tests and the benchmark: indicative only (MFN duty, VAT
 * 13% or 9% for agricultural products such as honey, consumption tax on wine), to be replaced by the
 * tariff the operator configures. Cosmetics (3304) carry no consumption tax here: only high-end ones
 * (a price per ml, g or piece above a threshold) do, which the HS code alone does not tell; an
 * operator lists such codes with consumptionTaxRate 0.15.
 */
const SAMPLE_TAX_RATES: Record<string, TaxRate> = {
  "0409": { dutyRate: 0.15, vatRate: 0.09, consumptionTaxRate: 0 }, // natural honey
  "1901": { dutyRate: 0.15, vatRate: 0.13, consumptionTaxRate: 0 }, // infant formula, malt extract preparations
  "2106": { dutyRate: 0.15, vatRate: 0.13, consumptionTaxRate: 0 }, // food preparations (supplements)
  "2204": { dutyRate: 0.14, vatRate: 0.13, consumptionTaxRate: 0.1 }, // wine
  "3304": { dutyRate: 0.01, vatRate: 0.13, consumptionTaxRate: 0 }, // beauty and skin-care preparations
  "3401": { dutyRate: 0.065, vatRate: 0.13, consumptionTaxRate: 0 }, // soap, skin-washing preparations
  "6403": { dutyRate: 0.1, vatRate: 0.13, consumptionTaxRate: 0 }, // leather footwear
  "8509": { dutyRate: 0.08, vatRate: 0.13, consumptionTaxRate: 0 }, // domestic electromechanical appliances
};

/**
 * Defaults. The exchange and tax rates are indicative (mid 2025) and only stand in until the operator
 * configures the rates customs uses for the month; the limits are China's 2019 retail import policy.
 */
export const DEFAULT_MATCH_RULES: MatchRules = Object.freeze({
  tolerance: 0.01,
  perOrderLimitCny: 5000,
  annualLimitCny: 26000,
  cnyRates: Object.freeze({ USD: 7.2, EUR: 8.2, HKD: 0.92, JPY: 0.049, GBP: 9.6, AUD: 4.7, KRW: 0.0052 }),
  grossToNetFactor: 1.5,
  grossAllowanceKg: 2,
  taxRates: Object.freeze(SAMPLE_TAX_RATES),
  positiveList: Object.freeze(Object.keys(SAMPLE_TAX_RATES)) as string[],
});

// Callers pass the same rules object for many cases: validate it once.
const checked = new WeakMap<object, MatchRules>();

/** The defaults overridden by `overrides`, validated (a bad value throws naming the field). */
export function resolveMatchRules(overrides?: Partial<MatchRules>): MatchRules {
  if (!overrides) return DEFAULT_MATCH_RULES;
  const cached = checked.get(overrides);
  if (cached) return cached;
  const parsed = MatchRulesSchema.safeParse({ ...DEFAULT_MATCH_RULES, ...overrides });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid customs match rules: ${issues}`);
  }
  checked.set(overrides, parsed.data);
  return parsed.data;
}

/** CNY per unit of `currency` under `rules`, or undefined if no rate is configured. */
export function cnyRate(rules: MatchRules, currency: string): number | undefined {
  return currency === "CNY" ? 1 : Object.hasOwn(rules.cnyRates, currency) ? rules.cnyRates[currency] : undefined;
}

/** The rates of the longest prefix of `hsCode` in the table (10, 8, 6 then 4 digits), or undefined. */
export function taxRateOf(rules: MatchRules, hsCode: string): TaxRate | undefined {
  for (const digits of [10, 8, 6, 4]) {
    if (hsCode.length < digits) continue;
    const prefix = hsCode.slice(0, digits);
    if (Object.hasOwn(rules.taxRates, prefix)) return rules.taxRates[prefix];
  }
  return undefined;
}

// The positive list as a set, once per rules object.
const positiveSets = new WeakMap<object, Set<string>>();

/** Whether `hsCode` falls under an entry of the positive list (at any of the allowed prefix lengths). */
export function onPositiveList(rules: MatchRules, hsCode: string): boolean {
  let set = positiveSets.get(rules.positiveList);
  if (!set) positiveSets.set(rules.positiveList, (set = new Set(rules.positiveList)));
  for (const digits of [4, 6, 8, 10]) if (hsCode.length >= digits && set.has(hsCode.slice(0, digits))) return true;
  return false;
}
