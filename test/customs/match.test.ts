import { expect } from "chai";
import type { RecordBody } from "../../sdk/records";
import { roundAmount, type Direction, type DocumentKind, type SupervisionMode } from "../../sdk/records/customs-common";
import { DiscrepancyCode, MatchResultBody } from "../../sdk/records/match-result";
import { identityKeyer } from "../../server/customs/identity";
import { DEFAULT_MATCH_RULES, matchCase, matchResultBody, type CaseDocument, type MatchInput, type MatchOutcome } from "../../server/customs/match";
import { BUYER, ORDER_NUMBER, OTHER_PERSON, PLATFORM, caseDocument, declaration, fourDocuments, identityKey, order, parcelWaybill, payment } from "./fixtures";

const ALL: DocumentKind[] = ["ORDER", "PAYMENT", "WAYBILL", "DECLARATION"];

const input = (documents: CaseDocument[], over: Partial<MatchInput> = {}): MatchInput => ({
  platform: PLATFORM,
  orderNumber: ORDER_NUMBER,
  documents,
  identityKey,
  overdue: false,
  ...over,
});

const run = (documents: CaseDocument[], over: Partial<MatchInput> = {}): MatchOutcome => matchCase(input(documents, over));

/** [code, field] of each discrepancy, sorted, for exact comparisons. */
const findings = (o: MatchOutcome): string[][] => o.discrepancies.map((d) => [d.code, d.field]).sort((a, b) => a.join().localeCompare(b.join()));

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** Replaces the body of the documents of the given kinds (same record, version 1). */
function withBodies(bodies: Partial<Record<DocumentKind, unknown>>): CaseDocument[] {
  return fourDocuments().map((d) => (Object.hasOwn(bodies, d.kind) ? { ...d, body: bodies[d.kind] } : d));
}

// A consistent case above the 5,000 CNY per-order limit: 30 jars of face cream, with the full tax
// (duty, VAT) due past the limit; 569.25 is the 70% tax of the same goods within a limit.
const BIG_FULL_TAX = 926.04;
const BIG_RETAIL_TAX = 569.25;
function bigOrderBodies(tax = BIG_FULL_TAX): Partial<Record<DocumentKind, unknown>> {
  const lines = order().lines.map((l) => (l.lineNo === 1 ? { ...l, quantity: 30, value: roundAmount(30 * l.unitPrice) } : l));
  const goodsValue = roundAmount(lines.reduce((s, l) => s + l.value, 0));
  const total = roundAmount(goodsValue + 20 + tax - 10);
  return {
    ORDER: order({ lines, goodsValue, tax, total }),
    PAYMENT: payment({ amount: total }),
    DECLARATION: declaration({ lines, goodsValue, tax, total }),
  };
}

/** Order and list with other lines (and the money that follows from them); the payment pays the total. */
function withLines(lines: RecordBody<"Order">["lines"], tax: number): Partial<Record<DocumentKind, unknown>> {
  const goodsValue = roundAmount(lines.reduce((s, l) => s + l.value, 0));
  const total = roundAmount(goodsValue + 20 + tax - 10);
  return {
    ORDER: order({ lines, goodsValue, tax, total }),
    PAYMENT: payment({ amount: total }),
    DECLARATION: declaration({ lines, goodsValue, tax, total }),
  };
}

const TOY = { lineNo: 3, hsCode: "9503000090", description: "Toy", quantity: 1, unit: "PCE", unitPrice: 10, value: 10, originCountry: "CN" };
const CIGARETTES = { lineNo: 3, hsCode: "2402200000", description: "Cigarettes", quantity: 1, unit: "PCE", unitPrice: 10, value: 10, originCountry: "KR" };

// The sample case in another currency throughout.
function inCurrency(currency: string): Partial<Record<DocumentKind, unknown>> {
  return { ORDER: order({ currency }), PAYMENT: payment({ currency }), DECLARATION: declaration({ currency }) };
}

const declLines = declaration().lines;

interface DiscrepancyCase {
  name: string;
  /** Bodies replacing the sample's (version 1); the correction republishes the sample's as version 2. */
  bodies?: Partial<Record<DocumentKind, unknown>>;
  extra?: CaseDocument[];
  over?: Partial<MatchInput>;
  expected: [string, string][];
}

const CASES: DiscrepancyCase[] = [
  {
    name: "a second payment record",
    extra: [caseDocument("PAYMENT", payment({ transactionNumber: "PAY-2" }), { recordId: "payment-2" })],
    expected: [["duplicate-document", "orderNumber"]],
  },
  { name: "the list under another mode", bodies: { DECLARATION: declaration({ supervisionMode: "9610" }) }, expected: [["mode", "supervisionMode"]] },
  { name: "the list as an export", bodies: { DECLARATION: declaration({ direction: "EXPORT" }) }, expected: [["mode", "direction"]] },
  {
    name: "1239 used for an export",
    bodies: { ORDER: order({ supervisionMode: "1239", direction: "EXPORT" }), DECLARATION: declaration({ supervisionMode: "1239", direction: "EXPORT" }) },
    expected: [["mode", "direction"]],
  },
  {
    name: "the list to another customs office",
    bodies: { DECLARATION: declaration({ customsOffice: "sh-customs" }) },
    expected: [["customs-office", "customsOffice"]],
  },
  { name: "the list at another port", bodies: { DECLARATION: declaration({ port: "CNSHA" }) }, expected: [["customs-office", "port"]] },
  {
    name: "the list to another destination",
    bodies: { DECLARATION: declaration({ destinationCountry: "HK" }) },
    expected: [["destination", "destinationCountry"]],
  },
  {
    name: "the list names another payment",
    bodies: { DECLARATION: declaration({ paymentTransactionNumber: "PAY-OTHER" }) },
    expected: [["reference", "paymentTransactionNumber"]],
  },
  {
    name: "the list names no payment (required in 1210)",
    bodies: { DECLARATION: declaration({ paymentTransactionNumber: undefined }) },
    expected: [["reference", "paymentTransactionNumber"]],
  },
  {
    name: "the list names another waybill",
    bodies: { DECLARATION: declaration({ waybillNumber: "PE0000000000CN" }) },
    expected: [["reference", "waybillNumber"]],
  },
  { name: "someone else paid", bodies: { PAYMENT: payment({ payer: { ...OTHER_PERSON } }) }, expected: [["buyer-identity", "payer"]] },
  { name: "the list names another buyer", bodies: { DECLARATION: declaration({ buyer: { ...OTHER_PERSON } }) }, expected: [["buyer-identity", "buyer"]] },
  {
    name: "the buyer's id number differs in the payment",
    bodies: { PAYMENT: payment({ payer: { ...BUYER, idNumber: "110105194912310038" } }) },
    expected: [["buyer-identity", "payer"]],
  },
  {
    name: "the parcel goes to someone else",
    bodies: { WAYBILL: parcelWaybill({ consignee: { name: "Li Si", country: "CN", address: order().consignee.address } }) },
    expected: [["consignee", "consignee.name"]],
  },
  {
    name: "the parcel goes to another address",
    bodies: { WAYBILL: parcelWaybill({ consignee: { name: "Zhang San", country: "CN", address: "No. 99 Nanshan Road, Hangzhou" } }) },
    expected: [["consignee", "consignee.address"]],
  },
  {
    name: "the parcel goes abroad",
    bodies: { WAYBILL: parcelWaybill({ consignee: { ...parcelWaybill().consignee, country: "HK" } }) },
    expected: [["consignee", "consignee.country"]],
  },
  { name: "paid in dollars", bodies: { PAYMENT: payment({ currency: "USD" }) }, expected: [["currency", "currency"]] },
  { name: "declared in dollars", bodies: { DECLARATION: declaration({ currency: "USD" }) }, expected: [["currency", "currency"]] },
  { name: "paid too little", bodies: { PAYMENT: payment({ amount: 700 }) }, expected: [["amount", "amount"]] },
  {
    name: "declared freight differs",
    bodies: { DECLARATION: declaration({ freight: 25, total: 740.7 }) },
    expected: [
      ["amount", "freight"],
      ["amount", "total"],
    ],
  },
  {
    name: "declared tax differs",
    bodies: { DECLARATION: declaration({ tax: 50, total: 723.5 }) },
    expected: [
      ["amount", "tax"],
      ["amount", "total"],
    ],
  },
  {
    name: "declared without the discount",
    bodies: { DECLARATION: declaration({ discount: undefined, total: 745.7 }) },
    expected: [
      ["amount", "discount"],
      ["amount", "total"],
    ],
  },
  {
    name: "a line declared as 6 at half the price",
    bodies: { DECLARATION: declaration({ lines: [declLines[0], { ...declLines[1], quantity: 6, unitPrice: 44.25 }] }) },
    expected: [
      ["items", "lines.1.quantity"],
      ["items", "lines.1.unitPrice"],
    ],
  },
  {
    name: "a line declared in another unit and origin",
    bodies: { DECLARATION: declaration({ lines: [{ ...declLines[0], unit: "BOX", originCountry: "KR" }, declLines[1]] }) },
    expected: [
      ["items", "lines.0.originCountry"],
      ["items", "lines.0.unit"],
    ],
  },
  {
    name: "a line not declared",
    bodies: { DECLARATION: declaration({ lines: [declLines[0]], goodsValue: 398, total: 470.2 }) },
    expected: [
      ["amount", "goodsValue"],
      ["amount", "total"],
      ["items", "lines.1"],
    ],
  },
  {
    name: "an extra declared line",
    bodies: {
      DECLARATION: declaration({
        lines: [...declLines, { lineNo: 3, hsCode: "9503000090", description: "Toy", quantity: 1, unit: "PCE", unitPrice: 10, value: 10, originCountry: "CN" }],
        goodsValue: 673.5,
        total: 745.7,
      }),
    },
    expected: [
      ["amount", "goodsValue"],
      ["amount", "total"],
      ["items", "lines.2"],
    ],
  },
  {
    name: "a line declared under another HS code",
    bodies: { DECLARATION: declaration({ lines: [declLines[0], { ...declLines[1], hsCode: "2106909010" }] }) },
    expected: [["items", "lines.1.hsCode"]],
  },
  { name: "net weight above the gross", bodies: { DECLARATION: declaration({ netWeight: { value: 2, unit: "KGM" } }) }, expected: [["weight", "netWeight"]] },
  {
    name: "a gross weight far above the net",
    bodies: { WAYBILL: parcelWaybill({ grossWeight: { value: 9, unit: "LBR" } }) },
    expected: [["weight", "grossWeight"]],
  },
  { name: "an order above 5,000 CNY", bodies: bigOrderBodies(), expected: [["limit-per-order", "total"]] },
  {
    // Past the limit the full tax is due, not the 70% one the sample declares.
    name: "an order in dollars above 5,000 CNY at the default rate",
    bodies: inCurrency("USD"),
    expected: [
      ["limit-per-order", "total"],
      ["tax", "tax"],
    ],
  },
  { name: "a currency without a configured rate", bodies: inCurrency("CHF"), expected: [["exchange-rate", "currency"]] },
  {
    name: "the buyer's year above 26,000 CNY",
    over: { buyerAnnualCnyBefore: 25300 },
    expected: [
      ["limit-annual", "total"],
      ["tax", "tax"],
    ],
  },
  {
    name: "the tax declared at the old flat 9.1% of the goods",
    bodies: withLines(order().lines, 60.38),
    expected: [["tax", "tax"]],
  },
  {
    name: "an order within the limit declaring the full tax",
    bodies: bigOrderBodies(),
    over: { rules: { perOrderLimitCny: 8000 } },
    expected: [["tax", "tax"]],
  },
  {
    name: "a line outside the positive list (cigarettes)",
    bodies: withLines([...order().lines, CIGARETTES], 62.2),
    expected: [["positive-list", "lines.2.hsCode"]],
  },
  {
    name: "a line on the positive list without a configured tax rate",
    bodies: withLines([...order().lines, TOY], 62.2),
    over: { rules: { positiveList: [...DEFAULT_MATCH_RULES.positiveList, "9503"] } },
    expected: [["tax-rate", "lines.2.hsCode"]],
  },
];

// Values that are personal: none may appear anywhere in an outcome or a MatchResult body.
const PERSONAL = [BUYER.name, BUYER.idNumber, OTHER_PERSON.name, OTHER_PERSON.idNumber, "110105194912310038", "Li Si", "Wensan", "Nanshan", "138 0000"];
function expectNoPersonalData(text: string): void {
  for (const value of PERSONAL) expect(text.toLowerCase(), `leaks ${value}`).to.not.include(value.toLowerCase());
}

describe("customs match", () => {
  it("matches the four consistent documents of a 1210 import", () => {
    const o = run(fourDocuments());
    expect(o).to.deep.equal({
      status: "MATCHED",
      customsOffice: "hz-customs",
      supervisionMode: "1210",
      direction: "IMPORT",
      port: "CNHGH",
      missing: [],
      discrepancies: [],
      buyerKey: identityKey(BUYER),
      orderTotalCny: 735.7,
    });
  });

  it("gives the right result after each arrival, in all 24 orders of arrival", () => {
    const docs = fourDocuments();
    const finals = new Set<string>();
    for (const arrival of permutations(docs)) {
      for (let n = 1; n <= arrival.length; n++) {
        const arrived = new Set(arrival.slice(0, n).map((d) => d.kind));
        // The others' documents count once the order naming them is there.
        const present = arrived.has("ORDER") ? arrived : new Set<DocumentKind>();
        // Without an order or a list the mode is unknown, so only those two are known to be missing.
        const modeKnown = present.has("ORDER") || present.has("DECLARATION");
        const expectedMissing = modeKnown ? ALL.filter((k) => !present.has(k)) : ["ORDER", "DECLARATION"];
        const label = `${arrival.map((d) => d.kind).join(",")} after ${n}`;
        const o = run(arrival.slice(0, n));
        expect(o.missing, label).to.deep.equal(expectedMissing);
        expect(
          matchResultBody(input(arrival.slice(0, n)), o, "2026-11-11T03:00:00Z")
            .documents.map((d) => d.kind)
            .sort(),
          label,
        ).to.deep.equal([...present].sort());
        expect(o.discrepancies, label).to.deep.equal([]);
        expect(o.status, label).to.equal(n < 4 ? "INCOMPLETE" : "MATCHED");
        expect(run(arrival.slice(0, n), { overdue: true }).status, label).to.equal(n < 4 ? "OVERDUE" : "MATCHED");
        if (n === 4) finals.add(JSON.stringify(o));
      }
    }
    expect(finals.size, "the result does not depend on the order of arrival").to.equal(1);
  });

  it("with one document missing: INCOMPLETE naming it, OVERDUE after the deadline", () => {
    for (const kind of ALL) {
      const docs = fourDocuments().filter((d) => d.kind !== kind);
      // Without the order nobody is named: nothing counts, so the mode is unknown too.
      const missing = kind === "ORDER" ? ["ORDER", "DECLARATION"] : [kind];
      expect(run(docs), kind).to.include({ status: "INCOMPLETE" });
      expect(run(docs).missing, kind).to.deep.equal(missing);
      expect(run(docs, { overdue: true }), kind).to.include({ status: "OVERDUE" });
      expect(run(docs, { overdue: true }).missing, kind).to.deep.equal(missing);
    }
  });

  it("with neither order nor list: both missing, and no mode", () => {
    // The platform's own payment (it may hold the PAYMENT role too) counts without an order.
    const own = { ...caseDocument("PAYMENT", payment()), owner: PLATFORM };
    const o = run([own, ...fourDocuments().filter((d) => d.kind === "WAYBILL")]);
    expect(o.status).to.equal("INCOMPLETE");
    expect(o.missing).to.deep.equal(["ORDER", "DECLARATION"]);
    expect(o.supervisionMode).to.equal(undefined);
    expect(o.buyerKey).to.equal(identityKey(BUYER));
    expect(run([]).missing).to.deep.equal(["ORDER", "DECLARATION"]);
  });

  it("still compares the documents present while one is missing", () => {
    const docs = withBodies({ PAYMENT: payment({ amount: 700 }) }).filter((d) => d.kind !== "WAYBILL");
    const o = run(docs);
    expect(o.status).to.equal("INCOMPLETE");
    expect(o.missing).to.deep.equal(["WAYBILL"]);
    expect(findings(o)).to.deep.equal([["amount", "amount"]]);
  });

  describe("each discrepancy, named with its field, and cleared by a corrected version", () => {
    for (const c of CASES) {
      it(c.name, () => {
        const docs = [...withBodies(c.bodies ?? {}), ...(c.extra ?? [])];
        const o = run(docs, c.over);
        expect(findings(o)).to.deep.equal([...c.expected].sort((a, b) => a.join().localeCompare(b.join())));
        expect(o.status).to.equal("DISCREPANCIES");
        for (const d of o.discrepancies) {
          expect(d.message.length).to.be.greaterThan(10);
          expect(d.documents.length).to.be.greaterThan(0);
        }
        // Never a personal value, in the outcome nor in the published body.
        const body = matchResultBody(input(docs, c.over), o, "2026-11-11T03:00:00Z");
        expect(MatchResultBody.safeParse(body).success, JSON.stringify(MatchResultBody.safeParse(body).error?.issues)).to.equal(true);
        expectNoPersonalData(JSON.stringify(o) + JSON.stringify(body));

        if (c.bodies) {
          // The parties publish corrected versions (version 2, the consistent bodies).
          const corrected = fourDocuments()
            .filter((d) => Object.hasOwn(c.bodies!, d.kind))
            .map((d) => ({ ...d, version: 2 }));
          const after = run([...docs, ...corrected], c.over);
          expect(after.discrepancies).to.deep.equal([]);
          expect(after.status).to.equal("MATCHED");
          const published = matchResultBody(input([...docs, ...corrected]), after, "2026-11-11T04:00:00Z");
          expect(published.documents.map((d) => d.version)).to.deep.equal(ALL.map((k) => (Object.hasOwn(c.bodies!, k) ? 2 : 1)));
        }
      });
    }
  });

  it("covers every discrepancy code", () => {
    const produced = new Set(CASES.flatMap((c) => c.expected.map(([code]) => code)));
    expect([...produced].sort()).to.deep.equal([...DiscrepancyCode.options].sort());
  });

  it("tolerates the stated tolerance and no more", () => {
    expect(run(withBodies({ PAYMENT: payment({ amount: 735.71 }) })).status).to.equal("MATCHED");
    expect(findings(run(withBodies({ PAYMENT: payment({ amount: 735.72 }) })))).to.deep.equal([["amount", "amount"]]);
    expect(run(withBodies({ PAYMENT: payment({ amount: 735.72 }) }), { rules: { tolerance: 0.05 } }).status).to.equal("MATCHED");
  });

  it("compares names and addresses loosely but identities exactly through their keys", () => {
    // The fixture's waybill already spells the consignee "ZHANG  san" with other spacing.
    expect(parcelWaybill().consignee.name).to.not.equal(order().consignee.name);
    const renamed = withBodies({ PAYMENT: payment({ payer: { ...BUYER, name: "  ZHANG SAN " } }) });
    expect(run(renamed).status).to.equal("MATCHED");
    const passport = withBodies({ PAYMENT: payment({ payer: { ...BUYER, idType: "PASSPORT" } }) });
    expect(findings(run(passport))).to.deep.equal([["buyer-identity", "payer"]]);
  });

  it("checks the limits at their boundaries, in CNY", () => {
    expect(run(fourDocuments(), { buyerAnnualCnyBefore: 26000 - 735.7 }).status).to.equal("MATCHED");
    // Past the year's limit the full tax is due, so the 70% tax of the sample is a finding too.
    expect(run(fourDocuments(), { buyerAnnualCnyBefore: 26000 - 735.69 }).discrepancies.map((d) => d.code)).to.deep.equal(["limit-annual", "tax"]);
    const usd = run(withBodies(inCurrency("USD")), { rules: { cnyRates: { USD: 5 } } });
    expect(usd.status).to.equal("MATCHED");
    expect(usd.orderTotalCny).to.equal(roundAmount(735.7 * 5));
    expect(run(withBodies(inCurrency("CHF")), { rules: { cnyRates: { CHF: 6 } } }).status).to.equal("MATCHED");
    expect(run(withBodies(inCurrency("CHF"))).orderTotalCny).to.equal(undefined);
    expect(run(withBodies(bigOrderBodies(BIG_RETAIL_TAX)), { rules: { perOrderLimitCny: 8000 } }).status).to.equal("MATCHED");
  });

  it("converts pounds for the weight check", () => {
    // 2.6 lb = 1.179 kg fits in 1.6 kg gross; 4 lb = 1.814 kg does not.
    expect(run(withBodies({ DECLARATION: declaration({ netWeight: { value: 2.6, unit: "LBR" } }) })).status).to.equal("MATCHED");
    expect(findings(run(withBodies({ DECLARATION: declaration({ netWeight: { value: 4, unit: "LBR" } }) })))).to.deep.equal([["weight", "netWeight"]]);
    expect(run(withBodies({ WAYBILL: parcelWaybill({ grossWeight: { value: 9, unit: "LBR" } }) }), { rules: { grossAllowanceKg: 3 } }).status).to.equal(
      "MATCHED",
    );
  });

  it("matches the latest version of each record and lists every record in the result", () => {
    const docs = [...fourDocuments(), caseDocument("PAYMENT", payment({ amount: 1 }), { version: 3 })];
    expect(findings(run(docs))).to.deep.equal([["amount", "amount"]]);
    const dup = [...fourDocuments(), caseDocument("ORDER", order(), { recordId: "order-0" })];
    const o = run(dup);
    expect(o.discrepancies[0]).to.include({ code: "duplicate-document", expected: "order-0", found: "order-1" });
    expect(matchResultBody(input(dup), o, "2026-11-11T03:00:00Z").documents.map((d) => d.recordId)).to.deep.equal([
      "order-0",
      "order-1",
      "payment-1",
      "waybill-1",
      "declaration-1",
    ]);
  });

  describe("each mode's required documents", () => {
    const TABLE: { mode: SupervisionMode; direction: Direction; required: DocumentKind[]; limits: boolean }[] = [
      { mode: "9610", direction: "IMPORT", required: ["ORDER", "PAYMENT", "WAYBILL"], limits: true },
      { mode: "1210", direction: "IMPORT", required: ["ORDER", "PAYMENT", "WAYBILL", "DECLARATION"], limits: true },
      { mode: "1239", direction: "IMPORT", required: ["ORDER", "PAYMENT", "WAYBILL", "DECLARATION"], limits: true },
      { mode: "9610", direction: "EXPORT", required: ["ORDER", "WAYBILL", "DECLARATION"], limits: false },
      { mode: "1210", direction: "EXPORT", required: ["ORDER", "WAYBILL", "DECLARATION"], limits: false },
      { mode: "9710", direction: "EXPORT", required: ["ORDER", "WAYBILL", "DECLARATION"], limits: false },
      { mode: "9810", direction: "EXPORT", required: ["WAYBILL", "DECLARATION"], limits: false },
    ];
    for (const row of TABLE) {
      it(`${row.mode} ${row.direction}`, () => {
        const declared = { supervisionMode: row.mode, direction: row.direction };
        const docs = withBodies({ ORDER: order(declared), DECLARATION: declaration(declared) });
        expect(run(docs)).to.include({ status: "MATCHED", supervisionMode: row.mode, direction: row.direction });
        for (const kind of ALL) {
          const o = run(docs.filter((d) => d.kind !== kind));
          // Without the order, the others' documents are named by nobody: nothing counts.
          const missing = kind === "ORDER" ? ["ORDER", "DECLARATION"] : row.required.includes(kind) ? [kind] : [];
          expect(o.missing, `without ${kind}`).to.deep.equal(missing);
          expect(o.status, `without ${kind}`).to.equal(missing.length > 0 ? "INCOMPLETE" : "MATCHED");
        }
        // A platform filing the documents itself needs no order to name it.
        const own = docs.filter((d) => d.kind !== "ORDER").map((d) => ({ ...d, owner: PLATFORM }));
        expect(run(own).missing, "the platform's own documents, no order").to.deep.equal(row.required.filter((k) => k === "ORDER"));
        // Personal limits only for imports: a large order is fine for an export.
        const big = bigOrderBodies() as Record<"ORDER" | "PAYMENT" | "DECLARATION", RecordBody<"Order"> & RecordBody<"CustomsDeclaration">>;
        const bigDocs = withBodies({ ...big, ORDER: { ...big.ORDER, ...declared }, DECLARATION: { ...big.DECLARATION, ...declared } });
        expect(run(bigDocs).discrepancies.map((d) => d.code)).to.deep.equal(row.limits ? ["limit-per-order"] : []);
        expect(run(bigDocs).orderTotalCny === undefined).to.equal(!row.limits);
      });
    }
    for (const [mode, direction, valid] of [
      ["1239", "EXPORT", "IMPORT"],
      ["9710", "IMPORT", "EXPORT"],
      ["9810", "IMPORT", "EXPORT"],
    ] as const) {
      it(`${mode} ${direction} is a mode discrepancy`, () => {
        const declared = { supervisionMode: mode, direction };
        const o = run(withBodies({ ORDER: order(declared), DECLARATION: declaration(declared) }));
        expect(o.discrepancies).to.have.length(1);
        expect(o.discrepancies[0]).to.include({ code: "mode", field: "direction", expected: valid, found: direction });
      });
    }
  });

  it("refuses documents of another case, non-parcel waybills and bad rules", () => {
    const foreign = caseDocument("PAYMENT", payment({ orderNumber: "SO-OTHER" }));
    expect(() => run([foreign])).to.throw(/another case/);
    const notOurs = { ...caseDocument("ORDER", order()), owner: "other-platform" };
    expect(() => run([notOurs])).to.throw(/another case/);
    const master = caseDocument("WAYBILL", { ...parcelWaybill(), waybillType: "MASTER" });
    expect(() => run([master])).to.throw(/PARCEL/);
    expect(() => run(fourDocuments(), { rules: { tolerance: -1 } })).to.throw(/tolerance/);
    expect(() => run(fourDocuments(), { rules: { cnyRates: { XXQ: 1 } } })).to.throw(/cnyRates/);
    expect(() => run(fourDocuments(), { buyerAnnualCnyBefore: Number.NaN })).to.throw(/buyerAnnualCnyBefore/);
    expect(DEFAULT_MATCH_RULES.tolerance).to.equal(0.01);
  });
});

describe("customs match: who is a party (the order names them)", () => {
  const INTRUDER = "other-forwarder";
  const at = "2026-11-11T03:00:00Z";
  const body = (docs: CaseDocument[]) => JSON.stringify(matchResultBody(input(docs), run(docs), at));
  /** Documents naming the order from organisations the order does not name, each trying something. */
  const intruders = (): CaseDocument[] => [
    {
      ...caseDocument("WAYBILL", parcelWaybill({ waybillNumber: "XX000000001", grossWeight: { value: 99, unit: "KGM" } }), { recordId: "w-intruder" }),
      owner: INTRUDER,
    },
    // A guess of the buyer: right or wrong, it must tell nothing.
    {
      ...caseDocument("DECLARATION", declaration({ buyer: { ...OTHER_PERSON }, total: 1, waybillNumber: "XX000000001" }), { recordId: "d-intruder" }),
      owner: "other-broker",
    },
    { ...caseDocument("DECLARATION", declaration({ buyer: { ...BUYER } }), { recordId: "d-guess" }), owner: "other-broker" },
    { ...caseDocument("PAYMENT", payment({ amount: 1, payer: { ...OTHER_PERSON } }), { recordId: "p-intruder" }), owner: "other-pay" },
  ];

  it("an unnamed publisher's documents change nothing, whatever they say and in every order of arrival", () => {
    const real = fourDocuments();
    const expected = body(real);
    const all = [...real, ...intruders()];
    // Every arrival order of the real four with the intruders at every position (7! = 5,040).
    for (const arrival of permutations(all)) expect(body(arrival)).to.equal(expected);
    // Before the order: with or without the intruders, the same as no document at all.
    const beforeOrder = [...real.filter((d) => d.kind !== "ORDER"), ...intruders()];
    expect(body(beforeOrder)).to.equal(body(real.filter((d) => d.kind !== "ORDER")));
    expect(body(beforeOrder)).to.equal(body([]));
    expect(body([...intruders(), real.find((d) => d.kind === "ORDER")!])).to.equal(body([real.find((d) => d.kind === "ORDER")!]));
  });

  it("a guess of the buyer's identity through an unnamed declaration finds nothing, right or wrong", () => {
    const [w, wrong, right] = intruders();
    const base = fourDocuments().filter((d) => d.kind !== "DECLARATION");
    const outcomes = [base, [...base, wrong!], [...base, right!], [...base, w!, wrong!]].map((docs) => JSON.stringify(run(docs)));
    expect(new Set(outcomes).size).to.equal(1);
    expect(run([...base, right!]).discrepancies).to.deep.equal([]);
  });

  it("the order names each party for its own kind of document only", () => {
    // The payment firm's waybill (were it a carrier too) is not the named carrier's.
    const docs = fourDocuments().map((d) => (d.kind === "WAYBILL" ? { ...d, owner: "pay-firm" } : d));
    expect(run(docs).missing).to.deep.equal(["WAYBILL"]);
    expect(matchResultBody(input(docs), run(docs), at).documents.map((d) => d.kind)).to.not.include("WAYBILL");
  });

  it("a new version of the order names a party after the fact, or stops naming one", () => {
    const unnamed = order({ logisticsProvider: undefined });
    delete (unnamed as { logisticsProvider?: string }).logisticsProvider;
    const v1 = withBodies({ ORDER: unnamed });
    expect(run(v1).missing).to.deep.equal(["WAYBILL"]);
    const v2 = [...v1, caseDocument("ORDER", order(), { version: 2 })];
    expect(run(v2).status).to.equal("MATCHED");
    const v3 = [...v2, caseDocument("ORDER", order({ logisticsProvider: "another-carrier" }), { version: 3 })];
    expect(run(v3).missing).to.deep.equal(["WAYBILL"]);
    expect(body(v3)).to.not.include("parcel-express");
  });

  it("the platform's own documents count unnamed; with two orders the one compared names the parties", () => {
    const ownList = { ...caseDocument("DECLARATION", declaration()), owner: PLATFORM };
    const docs = [...fourDocuments().filter((d) => d.kind !== "DECLARATION"), ownList];
    expect(run(docs).status).to.equal("MATCHED");
    // A second order record (a duplicate) naming another payment firm names nobody.
    const second = caseDocument("ORDER", order({ paymentProvider: "other-pay" }), { recordId: "order-2" });
    const other = { ...caseDocument("PAYMENT", payment(), { recordId: "payment-2" }), owner: "other-pay" };
    const o = run([...fourDocuments(), second, other]);
    expect(findings(o)).to.deep.equal([["duplicate-document", "orderNumber"]]);
    expect(o.discrepancies[0]!.found).to.equal("order-2");
  });
});

describe("identity keys", () => {
  it("are keyed, normalised, and refuse a weak secret", () => {
    const other = identityKeyer("another-secret-0123456789");
    expect(identityKey(BUYER)).to.match(/^[0-9a-f]{64}$/);
    expect(other(BUYER)).to.not.equal(identityKey(BUYER));
    expect(identityKey({ ...BUYER, name: " ｚｈａｎｇ   SAN ", idNumber: "110105 19491231 002x" })).to.equal(identityKey(BUYER));
    expect(identityKey({ ...BUYER, idType: "OTHER" })).to.not.equal(identityKey(BUYER));
    expect(identityKey({ ...BUYER, name: "Zhang Sa" })).to.not.equal(identityKey(BUYER));
    expect(identityKey(BUYER)).to.not.include(BUYER.idNumber);
    expect(() => identityKeyer("short")).to.throw(/at least 16/);
  });
});
