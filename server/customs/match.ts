import { weightInKg } from "../../sdk/records/codes";
import { DocumentKind, roundAmount, withinTolerance, type Direction, type Identity, type SupervisionMode } from "../../sdk/records/customs-common";
import type { CustomsDeclarationBody } from "../../sdk/records/customs-declaration";
import type { Discrepancy, MatchResultBody, MatchStatus, MatchedDocument } from "../../sdk/records/match-result";
import type { OrderBody } from "../../sdk/records/order";
import type { PaymentBody } from "../../sdk/records/payment";
import type { WaybillBody } from "../../sdk/records/waybill";
import { admittedDocuments } from "./admission";
import { cnyRate, modeRule, onPositiveList, resolveMatchRules, type MatchRules } from "./rules";
import { expectedTax } from "./tax";

/**
 * The customs match of one order (China's "three/four documents" check): pure and deterministic, no
 * database, no I/O. It compares whatever documents are present, lists the required ones missing, and
 * never puts personal values (names, identity numbers, consignee details) in its findings. Only the
 * documents that count take part: the platform's own and those of the parties its order names
 * (admission.ts); any other document is left out as if it had never been published.
 * docs/customs.md lists the rules.
 */

export { DEFAULT_MATCH_RULES, type MatchRules } from "./rules";

/** A document of the case: the latest version of a record naming the order, with its body already validated by its type's schema. */
export interface CaseDocument {
  kind: DocumentKind;
  recordId: string;
  version: number;
  owner: string;
  digest: string;
  /** OrderBody, PaymentBody, WaybillBody (PARCEL) or CustomsDeclarationBody, by `kind`. */
  body: unknown;
}

export interface MatchInput {
  platform: string;
  orderNumber: string;
  /**
   * The latest version of every document naming this order (several records of one kind are a
   * discrepancy); documents of parties the order does not name may be among them and are ignored.
   */
  documents: CaseDocument[];
  /** Keyed hash of an identity (identity.ts): the matcher compares identities only through it. */
  identityKey: (identity: Identity) => string;
  /** The buyer's imports in CNY in other cases of this calendar year, for the annual limit. */
  buyerAnnualCnyBefore?: number;
  /** The deadline for missing documents has passed. */
  overdue: boolean;
  rules?: Partial<MatchRules>;
}

export interface MatchOutcome {
  status: MatchStatus;
  customsOffice?: string;
  supervisionMode?: SupervisionMode;
  direction?: Direction;
  port?: string;
  missing: DocumentKind[];
  discrepancies: Discrepancy[];
  /** identityKey of the buyer, when any document names one. */
  buyerKey?: string;
  /** The order's total in CNY, for the buyer's annual sum; only for personal imports, when a rate is known. */
  orderTotalCny?: number;
}

const KINDS = DocumentKind.options;
const KIND_NAMES: Record<DocumentKind, string> = { ORDER: "order", PAYMENT: "payment", WAYBILL: "waybill", DECLARATION: "declaration" };
// Weights are compared in kg; below a gram is rounding, not a discrepancy.
const WEIGHT_SLACK_KG = 1e-3;

interface CaseDocs {
  order?: OrderBody;
  payment?: PaymentBody;
  waybill?: WaybillBody;
  declaration?: CustomsDeclarationBody;
}

export function matchCase(input: MatchInput): MatchOutcome {
  const rules = resolveMatchRules(input.rules);
  const before = input.buyerAnnualCnyBefore ?? 0;
  if (!Number.isFinite(before) || before < 0) throw new Error("buyerAnnualCnyBefore must be a finite amount >= 0");
  const found: Discrepancy[] = [];
  const chosen = chooseDocuments(caseDocuments(input), found);
  const docs: CaseDocs = {
    order: chosen.ORDER?.body as OrderBody | undefined,
    payment: chosen.PAYMENT?.body as PaymentBody | undefined,
    waybill: chosen.WAYBILL?.body as WaybillBody | undefined,
    declaration: chosen.DECLARATION?.body as CustomsDeclarationBody | undefined,
  };
  const { order, declaration } = docs;
  const declared = order ?? declaration;
  const declaredKind: DocumentKind = order ? "ORDER" : "DECLARATION";

  let missing: DocumentKind[];
  let required: readonly DocumentKind[] = [];
  let personalLimits = false;
  if (!declared) {
    // Without an order or a list nothing says which mode applies, hence which documents it needs.
    missing = ["ORDER", "DECLARATION"];
  } else {
    if (order && declaration) compareModes(order, declaration, found);
    const rule = modeRule(declared.supervisionMode, declared.direction);
    if (!rule.valid)
      found.push({
        code: "mode",
        field: "direction",
        documents: [declaredKind],
        message: `supervision mode ${declared.supervisionMode} is for ${rule.validDirection.toLowerCase()}s only`,
        expected: rule.validDirection,
        found: declared.direction,
      });
    required = rule.requirements.required;
    missing = required.filter((k) => !chosen[k]);
    personalLimits = rule.valid && rule.requirements.personalLimits;
  }

  compareOffices(docs, found);
  compareReferences(docs, required, found);
  const buyerKey = compareIdentities(docs, input.identityKey, found);
  compareConsignee(docs, found);
  compareMoney(docs, rules, found);
  if (order && declaration) compareItems(order, declaration, rules, found);
  compareWeights(docs, rules, found);
  let orderTotalCny: number | undefined;
  if (personalLimits && declared) {
    const limits = checkLimits(declared, declaredKind, before, rules, found);
    orderTotalCny = limits.totalCny;
    if (checkPositiveList(declared, declaredKind, rules, found)) checkTax(declared, declaredKind, limits.past, rules, found);
  }

  const status: MatchStatus = missing.length > 0 ? (input.overdue ? "OVERDUE" : "INCOMPLETE") : found.length > 0 ? "DISCREPANCIES" : "MATCHED";
  const outcome: MatchOutcome = { status, missing, discrepancies: found };
  if (declared) {
    outcome.customsOffice = declared.customsOffice;
    outcome.supervisionMode = declared.supervisionMode;
    outcome.direction = declared.direction;
    outcome.port = declared.port;
  }
  if (buyerKey !== undefined) outcome.buyerKey = buyerKey;
  if (orderTotalCny !== undefined) outcome.orderTotalCny = orderTotalCny;
  return outcome;
}

/** The MatchResult record body the hub publishes for `outcome` (documents: every record looked at). */
export function matchResultBody(input: MatchInput, outcome: MatchOutcome, matchedAt: string): MatchResultBody {
  const documents: MatchedDocument[] = latestVersions(caseDocuments(input))
    .sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || compareStrings(a.recordId, b.recordId))
    .map(({ kind, recordId, version, owner, digest }) => ({ kind, recordId, version, owner, digest }));
  const body: MatchResultBody = {
    platform: input.platform,
    orderNumber: input.orderNumber,
    status: outcome.status,
    documents,
    missing: outcome.missing,
    discrepancies: outcome.discrepancies,
    matchedAt,
  };
  // Optional fields are left out rather than set to undefined: every body field is salted and hashed.
  if (outcome.customsOffice !== undefined) body.customsOffice = outcome.customsOffice;
  if (outcome.supervisionMode !== undefined) body.supervisionMode = outcome.supervisionMode;
  if (outcome.direction !== undefined) body.direction = outcome.direction;
  if (outcome.port !== undefined) body.port = outcome.port;
  return body;
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One entry per record: its highest version. */
function latestVersions(documents: CaseDocument[]): CaseDocument[] {
  const byId = new Map<string, CaseDocument>();
  for (const d of documents) {
    const seen = byId.get(d.recordId);
    if (!seen || d.version > seen.version) byId.set(d.recordId, d);
  }
  return [...byId.values()];
}

/** Checks every document belongs to this case (a caller's bug otherwise, so it throws). */
function assertBelongs(input: MatchInput, d: CaseDocument): void {
  if (!KINDS.includes(d.kind)) throw new Error(`document ${d.recordId}: unknown kind ${String(d.kind)}`);
  const body = d.body as Record<string, unknown> | null;
  if (typeof body !== "object" || body === null) throw new Error(`document ${d.recordId}: no body`);
  if (d.kind === "WAYBILL" && body.waybillType !== "PARCEL") throw new Error(`document ${d.recordId}: only a PARCEL waybill takes part in the customs match`);
  const platform = d.kind === "ORDER" ? d.owner : body.platform;
  if (platform !== input.platform || body.orderNumber !== input.orderNumber)
    throw new Error(`document ${d.recordId} belongs to another case than ${input.platform}/${input.orderNumber}`);
}

/** The documents of the case that count (every one given must belong to the case). */
function caseDocuments(input: MatchInput): CaseDocument[] {
  for (const d of input.documents) assertBelongs(input, d);
  return admittedDocuments(input.platform, latestVersions(input.documents));
}

/**
 * One document per kind. Two different records of one kind (e.g. two payments) are a
 * `duplicate-document` discrepancy; the first by record id is compared with the others.
 */
function chooseDocuments(documents: CaseDocument[], found: Discrepancy[]): Partial<Record<DocumentKind, CaseDocument>> {
  const chosen: Partial<Record<DocumentKind, CaseDocument>> = {};
  const latest = [...documents].sort((a, b) => compareStrings(a.recordId, b.recordId));
  for (const d of latest) {
    const first = chosen[d.kind];
    if (!first) {
      chosen[d.kind] = d;
      continue;
    }
    found.push({
      code: "duplicate-document",
      field: "orderNumber",
      documents: [d.kind],
      message: `two ${KIND_NAMES[d.kind]} records name this order (${first.recordId} and ${d.recordId}); the first is the one matched`,
      expected: first.recordId,
      found: d.recordId,
    });
  }
  return chosen;
}

function compareModes(order: OrderBody, declaration: CustomsDeclarationBody, found: Discrepancy[]): void {
  for (const field of ["supervisionMode", "direction"] as const)
    if (order[field] !== declaration[field])
      found.push({
        code: "mode",
        field,
        documents: ["ORDER", "DECLARATION"],
        message: `the declaration's ${field === "direction" ? "direction" : "supervision mode"} differs from the order's (the order's applies)`,
        expected: order[field],
        found: declaration[field],
      });
}

function compareOffices({ order, declaration }: CaseDocs, found: Discrepancy[]): void {
  if (!order || !declaration) return;
  const pairs = [
    ["customsOffice", "customs-office", "the declaration is addressed to another customs office than the order"],
    ["port", "customs-office", "the declaration names another port than the order"],
    ["destinationCountry", "destination", "the declaration names another destination country than the order"],
  ] as const;
  for (const [field, code, message] of pairs)
    if (order[field] !== declaration[field])
      found.push({ code, field, documents: ["ORDER", "DECLARATION"], message, expected: order[field], found: declaration[field] });
}

function compareReferences({ payment, waybill, declaration }: CaseDocs, required: readonly DocumentKind[], found: Discrepancy[]): void {
  if (!declaration) return;
  if (payment) {
    const named = declaration.paymentTransactionNumber;
    // A list may omit the payment only where the mode does not require one.
    if (named === undefined ? required.includes("PAYMENT") : named !== payment.transactionNumber)
      found.push({
        code: "reference",
        field: "paymentTransactionNumber",
        documents: ["DECLARATION", "PAYMENT"],
        message: named === undefined ? "the declaration does not name the payment's transaction number" : "the declaration names another payment transaction",
        expected: payment.transactionNumber,
        found: named ?? "(none)",
      });
  }
  if (waybill && declaration.waybillNumber !== waybill.waybillNumber)
    found.push({
      code: "reference",
      field: "waybillNumber",
      documents: ["DECLARATION", "WAYBILL"],
      message: "the declaration names another waybill",
      expected: waybill.waybillNumber,
      found: declaration.waybillNumber,
    });
}

/** Buyer, payer and declared buyer must be one person: compared by keyed hash only, no values reported. */
function compareIdentities({ order, payment, declaration }: CaseDocs, identityKey: (id: Identity) => string, found: Discrepancy[]): string | undefined {
  const orderKey = order && identityKey(order.buyer);
  const declKey = declaration && identityKey(declaration.buyer);
  const payKey = payment && identityKey(payment.payer);
  const buyerKey = orderKey ?? declKey;
  const buyerKind: DocumentKind = order ? "ORDER" : "DECLARATION";
  if (order && declKey !== undefined && declKey !== orderKey)
    found.push({ code: "buyer-identity", field: "buyer", documents: ["ORDER", "DECLARATION"], message: "the declaration's buyer is not the order's buyer" });
  if (buyerKey !== undefined && payKey !== undefined && payKey !== buyerKey)
    found.push({ code: "buyer-identity", field: "payer", documents: [buyerKind, "PAYMENT"], message: `the payer is not the ${KIND_NAMES[buyerKind]}'s buyer` });
  return buyerKey ?? payKey;
}

// Case- and whitespace-insensitive (also full-width vs ASCII forms, by NFKC).
const looseText = (s: string | undefined): string => (s ?? "").normalize("NFKC").toLowerCase().replace(/\s+/g, "");

/** The order's consignee is the waybill's: values are personal, so findings name the field only. */
function compareConsignee({ order, waybill }: CaseDocs, found: Discrepancy[]): void {
  if (!order || !waybill) return;
  const a = order.consignee;
  const b = waybill.consignee;
  const differs = { name: looseText(a.name) !== looseText(b.name), address: looseText(a.address) !== looseText(b.address), country: a.country !== b.country };
  for (const part of ["name", "address", "country"] as const)
    if (differs[part])
      found.push({
        code: "consignee",
        field: `consignee.${part}`,
        documents: ["ORDER", "WAYBILL"],
        message: `the waybill's consignee ${part} differs from the order's`,
      });
}

const amountText = (n: number): string => String(roundAmount(n));

/** Currencies, then amounts where the currencies agree (amounts in different currencies say nothing). */
function compareMoney({ order, payment, declaration }: CaseDocs, rules: MatchRules, found: Discrepancy[]): void {
  const reference = order ?? declaration;
  const referenceKind: DocumentKind = order ? "ORDER" : "DECLARATION";
  if (!reference) return;
  const sameCurrency = (kind: DocumentKind, currency: string): boolean => {
    if (currency === reference.currency) return true;
    found.push({
      code: "currency",
      field: "currency",
      documents: [referenceKind, kind],
      message: `the ${KIND_NAMES[kind]} is in another currency than the ${KIND_NAMES[referenceKind]}`,
      expected: reference.currency,
      found: currency,
    });
    return false;
  };
  if (payment && sameCurrency("PAYMENT", payment.currency) && !withinTolerance(payment.amount, reference.total, rules.tolerance))
    found.push({
      code: "amount",
      field: "amount",
      documents: [referenceKind, "PAYMENT"],
      message: `the payment's amount is not the ${KIND_NAMES[referenceKind]}'s total (${reference.currency}, tolerance ${rules.tolerance})`,
      expected: amountText(reference.total),
      found: amountText(payment.amount),
    });
  if (order && declaration && sameCurrency("DECLARATION", declaration.currency))
    for (const field of ["goodsValue", "freight", "insurance", "tax", "discount", "total"] as const) {
      const expected = order[field] ?? 0;
      const actual = declaration[field] ?? 0;
      if (!withinTolerance(actual, expected, rules.tolerance))
        found.push({
          code: "amount",
          field,
          documents: ["ORDER", "DECLARATION"],
          message: `the declaration's ${field} is not the order's (${order.currency}, tolerance ${rules.tolerance})`,
          expected: amountText(expected),
          found: amountText(actual),
        });
    }
}

type Line = OrderBody["lines"][number];
type IndexedLine = { line: Line; index: number };

/**
 * Order lines against declared lines: paired by HS code (in line-number order when a code repeats),
 * then leftovers by line number (a changed HS code), and what is still unpaired is missing or extra.
 */
function compareItems(order: OrderBody, declaration: CustomsDeclarationBody, rules: MatchRules, found: Discrepancy[]): void {
  const byLineNo = (a: IndexedLine, b: IndexedLine): number => a.line.lineNo - b.line.lineNo;
  const ordered = order.lines.map((line, index) => ({ line, index })).sort(byLineNo);
  const declared = declaration.lines.map((line, index) => ({ line, index })).sort(byLineNo);
  const pairs: [IndexedLine, IndexedLine][] = [];
  const unpairedDeclared = new Set(declared);
  const unpairedOrdered: IndexedLine[] = [];
  for (const o of ordered) {
    const d = declared.find((c) => unpairedDeclared.has(c) && c.line.hsCode === o.line.hsCode);
    if (d) {
      unpairedDeclared.delete(d);
      pairs.push([o, d]);
    } else unpairedOrdered.push(o);
  }
  const stillOrdered: IndexedLine[] = [];
  for (const o of unpairedOrdered) {
    const d = declared.find((c) => unpairedDeclared.has(c) && c.line.lineNo === o.line.lineNo);
    if (!d) {
      stillOrdered.push(o);
      continue;
    }
    unpairedDeclared.delete(d);
    pairs.push([o, d]);
    found.push({
      code: "items",
      field: `lines.${o.index}.hsCode`,
      documents: ["ORDER", "DECLARATION"],
      message: `declared line ${d.line.lineNo} has another HS code than order line ${o.line.lineNo}`,
      expected: o.line.hsCode,
      found: d.line.hsCode,
    });
  }
  const sameCurrency = order.currency === declaration.currency;
  for (const [o, d] of pairs) {
    const where = `order line ${o.line.lineNo} (HS ${o.line.hsCode}) and declared line ${d.line.lineNo}`;
    const check = (field: "quantity" | "unit" | "unitPrice" | "originCountry", differs: boolean): void => {
      if (differs)
        found.push({
          code: "items",
          field: `lines.${o.index}.${field}`,
          documents: ["ORDER", "DECLARATION"],
          message: `${where} differ in ${field}`,
          expected: String(o.line[field]),
          found: String(d.line[field]),
        });
    };
    check("quantity", !withinTolerance(o.line.quantity, d.line.quantity, 0));
    check("unit", o.line.unit !== d.line.unit);
    if (sameCurrency) check("unitPrice", !withinTolerance(o.line.unitPrice, d.line.unitPrice, rules.tolerance));
    check("originCountry", o.line.originCountry !== d.line.originCountry);
  }
  for (const o of stillOrdered)
    found.push({
      code: "items",
      field: `lines.${o.index}`,
      documents: ["ORDER", "DECLARATION"],
      message: `order line ${o.line.lineNo} (HS ${o.line.hsCode}) is not declared`,
      expected: o.line.hsCode,
      found: "(none)",
    });
  for (const d of declared)
    if (unpairedDeclared.has(d))
      found.push({
        code: "items",
        field: `lines.${d.index}`,
        documents: ["ORDER", "DECLARATION"],
        message: `declared line ${d.line.lineNo} (HS ${d.line.hsCode}) is in no order line`,
        expected: "(none)",
        found: d.line.hsCode,
      });
}

const kgText = (kg: number): string => `${Math.round(kg * 1000) / 1000} kg`;

/** The declared net weight fits in the waybill's gross weight, and the packaging is plausible. */
function compareWeights({ waybill, declaration }: CaseDocs, rules: MatchRules, found: Discrepancy[]): void {
  if (!waybill || !declaration) return;
  const net = weightInKg(declaration.netWeight);
  const gross = weightInKg(waybill.grossWeight);
  if (net > gross + WEIGHT_SLACK_KG)
    found.push({
      code: "weight",
      field: "netWeight",
      documents: ["DECLARATION", "WAYBILL"],
      message: "the declared net weight exceeds the waybill's gross weight",
      expected: `<= ${kgText(gross)}`,
      found: kgText(net),
    });
  const maxGross = net * rules.grossToNetFactor + rules.grossAllowanceKg;
  if (gross > maxGross + WEIGHT_SLACK_KG)
    found.push({
      code: "weight",
      field: "grossWeight",
      documents: ["DECLARATION", "WAYBILL"],
      message: `the waybill's gross weight is implausibly high for the declared net weight (at most net x ${rules.grossToNetFactor} + ${rules.grossAllowanceKg} kg)`,
      expected: `<= ${kgText(maxGross)}`,
      found: kgText(gross),
    });
}

/**
 * Personal import limits, per order and per buyer per year; returns the order's total in CNY when a
 * rate is known, and whether the order is past either limit.
 */
function checkLimits(
  declared: OrderBody | CustomsDeclarationBody,
  kind: DocumentKind,
  before: number,
  rules: MatchRules,
  found: Discrepancy[],
): { totalCny?: number; past: boolean } {
  const rate = cnyRate(rules, declared.currency);
  if (rate === undefined) {
    found.push({
      code: "exchange-rate",
      field: "currency",
      documents: [kind],
      message: `no CNY exchange rate is configured for ${declared.currency}, so the personal import limits cannot be checked`,
      found: declared.currency,
    });
    return { past: false };
  }
  const totalCny = roundAmount(declared.total * rate);
  const pastOrder = totalCny > rules.perOrderLimitCny;
  if (pastOrder)
    found.push({
      code: "limit-per-order",
      field: "total",
      documents: [kind],
      message: `the ${KIND_NAMES[kind]}'s total (${amountText(totalCny)} CNY) exceeds the personal import limit per order`,
      expected: `<= ${rules.perOrderLimitCny} CNY`,
      found: `${amountText(totalCny)} CNY`,
    });
  const yearTotal = roundAmount(before + totalCny);
  const pastYear = yearTotal > rules.annualLimitCny;
  if (pastYear)
    found.push({
      code: "limit-annual",
      field: "total",
      documents: [kind],
      message: `with this order the buyer's personal imports this calendar year come to ${amountText(yearTotal)} CNY, above the annual limit`,
      expected: `<= ${rules.annualLimitCny} CNY`,
      found: `${amountText(yearTotal)} CNY`,
    });
  return { totalCny, past: pastOrder || pastYear };
}

/** Every line's HS code is on the positive list of retail imports; returns whether all are. */
function checkPositiveList(declared: OrderBody | CustomsDeclarationBody, kind: DocumentKind, rules: MatchRules, found: Discrepancy[]): boolean {
  let all = true;
  declared.lines.forEach((line, index) => {
    if (onPositiveList(rules, line.hsCode)) return;
    all = false;
    found.push({
      code: "positive-list",
      field: `lines.${index}.hsCode`,
      documents: [kind],
      message: `line ${line.lineNo} (HS ${line.hsCode}) is not on the positive list of goods admitted for cross-border retail import`,
      found: line.hsCode,
    });
  });
  return all;
}

// `expected` of a tax finding: the total, then each line's share while they fit in the field.
function taxBreakdown(total: string, lines: string[]): string {
  let text = `${total} (`;
  for (let i = 0; i < lines.length; i++) {
    const more = i + 1 < lines.length ? "; " : ")";
    const rest = `... ${lines.length - i} more)`;
    if (text.length + lines[i]!.length + more.length + rest.length > 200) return text + rest;
    text += lines[i] + more;
  }
  return text;
}

/**
 * The declared tax against the tax of the configured rates (tax.ts): 70% of VAT and consumption tax
 * within the limits, full tax past them. Lines carry no tax of their own, so a finding is on `tax`
 * and names each line with its expected share.
 */
function checkTax(declared: OrderBody | CustomsDeclarationBody, kind: DocumentKind, fullTax: boolean, rules: MatchRules, found: Discrepancy[]): void {
  const assessed = expectedTax(declared, fullTax, rules);
  if (!assessed.ok) {
    // Without an exchange rate checkLimits has already said so.
    for (const index of assessed.linesWithoutRate) {
      const line = declared.lines[index]!;
      found.push({
        code: "tax-rate",
        field: `lines.${index}.hsCode`,
        documents: [kind],
        message: `no tax rate is configured for HS ${line.hsCode} (line ${line.lineNo}), so the declared tax cannot be checked`,
        found: line.hsCode,
      });
    }
    return;
  }
  if (withinTolerance(declared.tax, assessed.tax, rules.tolerance)) return;
  const currency = declared.currency;
  const cny = currency === "CNY" ? "" : ` = ${amountText(assessed.taxCny)} CNY`;
  const perLine = assessed.lines.map((l) => `line ${l.lineNo} HS ${l.hsCode}: ${amountText(l.tax)} CNY`);
  found.push({
    code: "tax",
    field: "tax",
    documents: [kind],
    message: (
      `the ${KIND_NAMES[kind]}'s tax is not the tax of its lines at the configured rates ` +
      `(${fullTax ? "past a personal limit: duty, VAT and consumption tax in full" : "within the personal limits: no duty, VAT and consumption tax at 70%"}; ` +
      `tolerance ${rules.tolerance} ${currency}): ${perLine.join(", ")}`
    ).slice(0, 1000),
    expected: taxBreakdown(`${amountText(assessed.tax)} ${currency}${cny}`, perLine),
    found: `${amountText(declared.tax)} ${currency}`,
  });
}
