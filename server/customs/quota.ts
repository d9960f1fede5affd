import type { QuotaCheck, QuotaCheckRequest } from "../../sdk/api";
import { roundAmount, type Identity } from "../../sdk/records/customs-common";
import type { DbProvider } from "../db/client";
import type { Runner } from "../db/sql";
import { badRequest } from "../http/problem";
import { annualKey, buyerYearCases } from "./annual-order";
import { cnyRate, type MatchRules } from "./rules";

/**
 * A platform's quota pre-check (docs/customs.md): the order's amount against the per-order limit, and
 * the buyer's personal imports of the calendar year so far (the matched cases the annual limit
 * counts, whichever platform sold them) plus this order against the annual limit. The answer holds
 * the sum only: no case, platform or date of the buyer's other orders. Amounts in CNY are rounded as
 * the matcher rounds them, and `within` is decided exactly as the matcher flags a limit.
 */
export async function quotaCheck(
  db: Runner,
  provider: DbProvider,
  identityKey: (id: Identity) => string,
  rules: MatchRules,
  request: QuotaCheckRequest,
  now: Date,
): Promise<QuotaCheck> {
  const rate = cnyRate(rules, request.currency);
  if (rate === undefined)
    throw badRequest("unknown-exchange-rate", `No CNY exchange rate is configured for ${request.currency}.`, [
      { path: "currency", message: "no CNY exchange rate is configured for this currency" },
    ]);
  // The year as written in orderedAt (the buyer's local date, as the matcher reads it), else now's.
  const year = request.year ?? (request.orderedAt ? Number(request.orderedAt.slice(0, 4)) : now.getUTCFullYear());
  const buyerKey = identityKey(request.buyer);
  const cases = (await buyerYearCases(db, provider, [buyerKey])).get(annualKey(buyerKey, year)) ?? [];
  const usedCny = roundAmount(cases.reduce((sum, c) => sum + c.totalCny, 0));
  const amountCny = roundAmount(request.amount * rate);
  return {
    perOrder: { limitCny: rules.perOrderLimitCny, amountCny, within: amountCny <= rules.perOrderLimitCny },
    annual: {
      limitCny: rules.annualLimitCny,
      usedCny,
      remainingCny: Math.max(0, roundAmount(rules.annualLimitCny - usedCny)),
      within: roundAmount(usedCny + amountCny) <= rules.annualLimitCny,
    },
  };
}
