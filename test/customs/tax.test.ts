import { expect } from "chai";
import { loadConfig } from "../../server/config";
import { DEFAULT_MATCH_RULES, onPositiveList, resolveMatchRules, taxRateOf, type MatchRules } from "../../server/customs/rules";
import { RETAIL_TAX_SHARE, expectedTax, type TaxAssessment, type TaxedDocument } from "../../server/customs/tax";
import { order } from "./fixtures";

const rules = (over: Partial<MatchRules> = {}): MatchRules => resolveMatchRules(over);
const assessed = (a: TaxAssessment) => {
  if (!a.ok) throw new Error(`not assessed: ${JSON.stringify(a)}`);
  return a;
};
const doc = (lines: TaxedDocument["lines"], over: Partial<TaxedDocument> = {}): TaxedDocument => ({
  lines,
  currency: "CNY",
  freight: 0,
  insurance: 0,
  ...over,
});

describe("retail import tax", () => {
  it("the sample order within the limits: no duty, VAT at 70%, freight shared by value", () => {
    // Line 1: 398 + 20 x 398/663.5 = 410.00 CNY dutiable; VAT 13% = 53.30, at 70% = 37.31.
    // Line 2: 265.5 + 20 x 265.5/663.5 = 273.50; VAT 35.56, at 70% = 24.89.
    const a = assessed(expectedTax(order(), false, DEFAULT_MATCH_RULES));
    expect(a.lines.map((l) => [l.lineNo, l.dutiableValueCny, l.duty, l.consumptionTax, l.vat, l.tax])).to.deep.equal([
      [1, 410, 0, 0, 37.31, 37.31],
      [2, 273.5, 0, 0, 24.89, 24.89],
    ]);
    expect(a.taxCny).to.equal(62.2);
    expect(a.tax).to.equal(order().tax);
  });

  it("the 70% factor: the retail tax is 70% of the statutory VAT and consumption tax, without duty", () => {
    const wine = doc([{ lineNo: 1, hsCode: "2204210000", value: 1000 }]);
    const retail = assessed(expectedTax(wine, false, DEFAULT_MATCH_RULES)).lines[0]!;
    // Statutory without duty: consumption tax 1000 / 0.9 x 0.1 = 111.111; VAT (1000 + 111.111) x 0.13 = 144.444.
    expect(RETAIL_TAX_SHARE).to.equal(0.7);
    expect(retail).to.include({ duty: 0, consumptionTax: 77.78, vat: 101.11, tax: 178.89 });
  });

  it("consumption-tax goods past the limits: duty, then consumption tax on the composite base, then VAT on all", () => {
    const wine = doc([{ lineNo: 1, hsCode: "2204210000", value: 1000 }]);
    const full = assessed(expectedTax(wine, true, DEFAULT_MATCH_RULES)).lines[0]!;
    // Duty 14% = 140; consumption tax (1000 + 140) / (1 - 0.1) x 0.1 = 126.67; VAT (1000 + 140 + 126.667) x 13% = 164.67.
    expect(full).to.include({ duty: 140, consumptionTax: 126.67, vat: 164.67, tax: 431.34 });
  });

  it("past the limits the full tax of each line, at its own rates", () => {
    const a = assessed(expectedTax(order(), true, DEFAULT_MATCH_RULES));
    // Cosmetics: duty 1% of 410 = 4.10, VAT (414.10) x 13% = 53.83; supplements: duty 15% of 273.5 = 41.03 (41.025), VAT 314.525 x 13% = 40.89.
    expect(a.lines.map((l) => [l.duty, l.vat, l.tax])).to.deep.equal([
      [4.1, 53.83, 57.93],
      [41.03, 40.89, 81.92],
    ]);
    expect(a.taxCny).to.equal(139.85);
  });

  it("a 9% VAT food, insurance shared like freight, equal shares of lines worth nothing", () => {
    const honey = assessed(expectedTax(doc([{ lineNo: 1, hsCode: "0409000000", value: 100 }], { insurance: 10 }), false, DEFAULT_MATCH_RULES));
    expect(honey.lines[0]).to.include({ dutiableValueCny: 110, vat: 6.93 }); // 110 x 9% x 70% = 6.93
    const free = doc(
      [
        { lineNo: 1, hsCode: "3304990099", value: 0 },
        { lineNo: 2, hsCode: "3401300000", value: 0 },
      ],
      { freight: 10 },
    );
    expect(assessed(expectedTax(free, false, DEFAULT_MATCH_RULES)).lines.map((l) => l.dutiableValueCny)).to.deep.equal([5, 5]);
  });

  it("rounds each tax of each line to the fen, in CNY, and converts the sum back to the document's currency", () => {
    // 3 x 0.05 = 0.15 dutiable; VAT 0.0195 x 0.7 = 0.01365: 0.01 per line, so 0.03 for three lines, not 0.04.
    const tiny = [1, 2, 3].map((lineNo) => ({ lineNo, hsCode: "3304990099", value: 0.15 }));
    expect(assessed(expectedTax(doc(tiny), false, DEFAULT_MATCH_RULES)).taxCny).to.equal(0.03);
    const usd = assessed(expectedTax({ ...order(), currency: "USD" }, false, rules({ cnyRates: { USD: 5 } })));
    // 3417.50 CNY dutiable; 186.55 + 124.44 = 310.99 CNY = 62.198 USD.
    expect(usd.taxCny).to.equal(310.99);
    expect(usd.tax).to.equal(62.198);
  });

  it("without an exchange rate or a line's tax rate there is no expected tax, and it says why", () => {
    expect(expectedTax({ ...order(), currency: "CHF" }, false, DEFAULT_MATCH_RULES)).to.deep.equal({ ok: false, noExchangeRate: true, linesWithoutRate: [] });
    const toy = doc([
      { lineNo: 1, hsCode: "3304990099", value: 10 },
      { lineNo: 2, hsCode: "9503000090", value: 10 },
    ]);
    expect(expectedTax(toy, false, DEFAULT_MATCH_RULES)).to.deep.equal({ ok: false, noExchangeRate: false, linesWithoutRate: [1] });
  });

  it("the longest configured prefix wins (10, 8, 6, 4 digits)", () => {
    const r = rules({
      taxRates: {
        "3304": { dutyRate: 0.01, vatRate: 0.13, consumptionTaxRate: 0 },
        "330499": { dutyRate: 0.02, vatRate: 0.13, consumptionTaxRate: 0 },
        "3304990039": { dutyRate: 0.01, vatRate: 0.13, consumptionTaxRate: 0.15 },
      },
    });
    expect(taxRateOf(r, "3304990039")?.consumptionTaxRate).to.equal(0.15);
    expect(taxRateOf(r, "3304990099")?.dutyRate).to.equal(0.02);
    expect(taxRateOf(r, "3304100000")?.dutyRate).to.equal(0.01);
    expect(taxRateOf(r, "3305100000")).to.equal(undefined);
    // A high-end cream configured with consumption tax 15%: 100 / 0.85 x 0.15 x 0.7 = 12.35.
    expect(assessed(expectedTax(doc([{ lineNo: 1, hsCode: "3304990039", value: 100 }]), false, r)).lines[0]).to.include({ consumptionTax: 12.35 });
  });

  it("the positive list admits codes under its prefixes only", () => {
    expect(onPositiveList(DEFAULT_MATCH_RULES, "3304990099")).to.equal(true);
    expect(onPositiveList(DEFAULT_MATCH_RULES, "2402200000"), "cigarettes").to.equal(false);
    const narrow = rules({ positiveList: ["21069090", "3304990099"] });
    expect(onPositiveList(narrow, "2106909090")).to.equal(true);
    expect(onPositiveList(narrow, "2106100000")).to.equal(false);
    expect(onPositiveList(narrow, "330499")).to.equal(false);
    expect(onPositiveList(rules({ positiveList: [] }), "3304990099")).to.equal(false);
  });

  it("bad rates or lists are refused naming the field, by the matcher and at the hub's start", () => {
    const rate = { dutyRate: 0.1, vatRate: 0.13, consumptionTaxRate: 0 };
    expect(() => rules({ taxRates: { "33041": rate } })).to.throw(/taxRates\.33041: a key is an HS code prefix/);
    expect(() => rules({ taxRates: { "3304": { ...rate, consumptionTaxRate: 1 } } })).to.throw(/taxRates\.3304\.consumptionTaxRate/);
    expect(() => rules({ taxRates: { "3304": { ...rate, vatRate: 13 } } })).to.throw(/taxRates\.3304\.vatRate/);
    expect(() => rules({ taxRates: { "3304": { dutyRate: 0, vatRate: 0.13 } } as never })).to.throw(/consumptionTaxRate/);
    expect(() => rules({ positiveList: ["33"] })).to.throw(/positiveList\.0/);
    expect(() => loadConfig({ CUSTOMS_MATCH_RULES: JSON.stringify({ positiveList: ["3304", "abcd"] }) })).to.throw(
      /CUSTOMS_MATCH_RULES: positiveList\.1: an HS code prefix is 4, 6, 8 or 10 digits/,
    );
    expect(() => loadConfig({ CUSTOMS_MATCH_RULES: JSON.stringify({ taxRates: { "3304": { ...rate, extra: 1 } } }) })).to.throw(
      /CUSTOMS_MATCH_RULES: taxRates\.3304/,
    );
  });

  it("the default sample covers every HS code of the tests and the benchmark, on the positive list", () => {
    for (const code of ["3304990099", "2106909090", "1901101000", "3401300000", "6403990090", "8509800000", "2204210000", "0409000000"]) {
      expect(taxRateOf(DEFAULT_MATCH_RULES, code), code).to.not.equal(undefined);
      expect(onPositiveList(DEFAULT_MATCH_RULES, code), code).to.equal(true);
    }
  });
});
