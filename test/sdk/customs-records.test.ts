import { expect } from "chai";
import { Wallet } from "ethers";
import type { z } from "zod";
import { computeDigest, prepareRecord } from "../../sdk/digest";
import { redact } from "../../sdk/redact";
import { CUSTOMS_DOCUMENT_KINDS, PERSONAL_FIELDS, RECORD_TYPES, customsCaseKey, customsDocumentKind, type RecordType } from "../../sdk/records";
import { Amount, Identity, prcIdCheckCharacter, roundAmount } from "../../sdk/records/customs-common";
import { recoverSigner, signRecord } from "../../sdk/signature";
import { matchCase, matchResultBody } from "../../server/customs/match";
import { masterWaybill } from "../fixtures";
import {
  BUYER,
  ORDER_NUMBER,
  PLATFORM,
  declaration,
  decision,
  fourDocuments,
  identityKey,
  order,
  parcelWaybill,
  payment,
  summaryDeclaration,
} from "../customs/fixtures";

/** The paths (dot-joined) of the issues when `body` is parsed as `type`; [] when it is valid. */
function issuePaths(type: RecordType, body: unknown): string[] {
  const r = (RECORD_TYPES[type] as z.ZodType).safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => i.path.map(String).join("."));
}

function messageAt(type: RecordType, body: unknown, path: string): string {
  const r = (RECORD_TYPES[type] as z.ZodType).safeParse(body);
  return r.success
    ? ""
    : r.error.issues
        .filter((i) => i.path.map(String).join(".") === path)
        .map((i) => i.message)
        .join("; ");
}

const matchResult = () => {
  const docs = fourDocuments();
  const input = { platform: PLATFORM, orderNumber: ORDER_NUMBER, documents: docs, identityKey, overdue: false };
  return matchResultBody(input, matchCase(input), "2026-11-11T03:00:00Z");
};

const FIXTURES: [RecordType, () => unknown][] = [
  ["Order", order],
  ["Payment", payment],
  ["Waybill", parcelWaybill],
  ["CustomsDeclaration", declaration],
  ["MatchResult", matchResult],
  ["CustomsDecision", decision],
  ["SummaryDeclaration", summaryDeclaration],
];

describe("customs record types", () => {
  for (const [type, fixture] of FIXTURES)
    it(`${type} accepts its fixture and refuses unknown fields`, () => {
      expect(issuePaths(type, fixture())).to.deep.equal([]);
      expect(issuePaths(type, { ...(fixture() as object), remark: "x" })).to.deep.equal([""]);
    });

  describe("Order and CustomsDeclaration", () => {
    for (const [type, fixture] of [
      ["Order", order],
      ["CustomsDeclaration", declaration],
    ] as const) {
      const lines = () => fixture().lines;
      it(`${type}: codes are checked where they are`, () => {
        expect(issuePaths(type, fixture({ lines: [{ ...lines()[0], hsCode: "33049" }, lines()[1]] }))).to.deep.equal(["lines.0.hsCode"]);
        expect(issuePaths(type, fixture({ lines: [lines()[0], { ...lines()[1], originCountry: "ZZ" }] }))).to.deep.equal(["lines.1.originCountry"]);
        expect(issuePaths(type, fixture({ currency: "ABC" }))).to.deep.equal(["currency"]);
        expect(issuePaths(type, fixture({ destinationCountry: "XK1" }))).to.deep.equal(["destinationCountry"]);
        expect(issuePaths(type, fixture({ port: "CNHG1" }))).to.deep.equal(["port"]);
        expect(issuePaths(type, fixture({ supervisionMode: "9999" as never }))).to.deep.equal(["supervisionMode"]);
        expect(issuePaths(type, fixture({ customsOffice: "HZ Customs" }))).to.deep.equal(["customsOffice"]);
      });
      it(`${type}: the buyer's PRC identity number has a valid check digit`, () => {
        expect(issuePaths(type, fixture({ buyer: { ...BUYER, idNumber: "110105194912310021" } }))).to.deep.equal(["buyer.idNumber"]);
        expect(messageAt(type, fixture({ buyer: { ...BUYER, idNumber: "110105194912310021" } }), "buyer.idNumber")).to.match(/check digit/);
      });
      it(`${type}: the arithmetic adds up, each error naming its field`, () => {
        expect(issuePaths(type, fixture({ goodsValue: 663.52, total: 735.72 }))).to.deep.equal(["goodsValue"]);
        expect(issuePaths(type, fixture({ total: 735.72 }))).to.deep.equal(["total"]);
        expect(issuePaths(type, fixture({ total: 735.71 }))).to.deep.equal([]); // within 0.01
        expect(issuePaths(type, fixture({ discount: undefined }))).to.deep.equal(["total"]);
        expect(issuePaths(type, fixture({ lines: [{ ...lines()[0], value: 400 }, lines()[1]] }))).to.deep.equal(["lines.0.value", "goodsValue"]);
        expect(issuePaths(type, fixture({ lines: [lines()[0], { ...lines()[1], lineNo: 1 }] }))).to.deep.equal(["lines.1.lineNo"]);
        expect(issuePaths(type, fixture({ lines: [] }))).to.deep.equal(["lines", "goodsValue"]);
        expect(issuePaths(type, fixture({ freight: 20.00001, total: 735.70001 }))).to.deep.equal(["freight", "total"]);
        expect(issuePaths(type, fixture({ insurance: -1 }))).to.include("insurance");
      });
    }
    it("CustomsDeclaration: a net weight is positive", () => {
      expect(issuePaths("CustomsDeclaration", declaration({ netWeight: { value: 0, unit: "KGM" } }))).to.deep.equal(["netWeight.value"]);
    });
  });

  it("Payment: payer identity, currency and amount", () => {
    expect(issuePaths("Payment", payment({ payer: { ...BUYER, idNumber: "11010519491231002x" } }))).to.deep.equal(["payer.idNumber"]);
    expect(issuePaths("Payment", payment({ payer: { ...BUYER, idType: "PASSPORT", idNumber: "E12345678" } }))).to.deep.equal([]);
    expect(issuePaths("Payment", payment({ currency: "RMB" }))).to.deep.equal(["currency"]);
    expect(issuePaths("Payment", payment({ amount: 735.70001 }))).to.deep.equal(["amount"]);
    expect(issuePaths("Payment", payment({ platform: "Shop Global" }))).to.deep.equal(["platform"]);
  });

  it("Waybill: a PARCEL names its order and platform, and only a PARCEL does; MASTER and HOUSE unchanged", () => {
    expect(issuePaths("Waybill", parcelWaybill({ masterWaybillNumber: "020-12345675" }))).to.deep.equal([]);
    expect(issuePaths("Waybill", parcelWaybill({ orderNumber: undefined }))).to.deep.equal(["orderNumber"]);
    expect(issuePaths("Waybill", parcelWaybill({ platform: undefined }))).to.deep.equal(["platform"]);
    expect(issuePaths("Waybill", parcelWaybill({ consignee: { name: "Zhang San", country: "CN" } }))).to.deep.equal(["consignee.address"]);
    expect(issuePaths("Waybill", masterWaybill())).to.deep.equal([]);
    expect(issuePaths("Waybill", masterWaybill({ orderNumber: ORDER_NUMBER }))).to.deep.equal(["orderNumber"]);
    expect(issuePaths("Waybill", masterWaybill({ waybillType: "HOUSE", waybillNumber: "H-1", platform: PLATFORM }))).to.deep.equal([
      "platform",
      "masterWaybillNumber",
    ]);
    expect(issuePaths("Waybill", masterWaybill({ waybillNumber: "020-12345670" }))).to.deep.equal(["waybillNumber"]);
  });

  it("MatchResult: status, missing and discrepancies agree", () => {
    expect(issuePaths("MatchResult", { ...matchResult(), missing: ["PAYMENT"] })).to.deep.equal(["status", "documents.1.kind"]);
    expect(issuePaths("MatchResult", { ...matchResult(), status: "INCOMPLETE" })).to.deep.equal(["missing"]);
    expect(issuePaths("MatchResult", { ...matchResult(), status: "DISCREPANCIES" })).to.deep.equal(["discrepancies"]);
    const bad = matchResult();
    bad.discrepancies = [{ code: "weight", field: "netWeight", documents: ["DECLARATION", "WAYBILL"], message: "too heavy" }];
    expect(issuePaths("MatchResult", bad)).to.deep.equal(["status"]);
    expect(issuePaths("MatchResult", { ...bad, status: "DISCREPANCIES" })).to.deep.equal([]);
    expect(issuePaths("MatchResult", { ...bad, status: "DISCREPANCIES", discrepancies: [{ ...bad.discrepancies[0], code: "heavy" }] })).to.deep.equal([
      "discrepancies.0.code",
    ]);
    const doc = matchResult().documents[0];
    expect(issuePaths("MatchResult", { ...matchResult(), documents: [{ ...doc, digest: "0x12" }] })).to.deep.equal(["documents.0.digest"]);
    expect(issuePaths("MatchResult", { ...matchResult(), documents: [doc, doc] })).to.deep.equal(["documents.1.recordId"]);
  });

  it("CustomsDecision: reasons unless released", () => {
    expect(issuePaths("CustomsDecision", decision({ decision: "RELEASE", reasons: [] }))).to.deep.equal([]);
    for (const d of ["HOLD", "INSPECT", "REJECT"] as const)
      expect(issuePaths("CustomsDecision", decision({ decision: d, reasons: [] }))).to.deep.equal(["reasons"]);
    expect(issuePaths("CustomsDecision", decision({ decision: "PASS" as never }))).to.deep.equal(["decision"]);
    expect(issuePaths("CustomsDecision", decision({ matchResult: { recordId: "m-1", version: 0 } }))).to.deep.equal(["matchResult.version"]);
  });

  it("SummaryDeclaration: modes, period, lists and totals", () => {
    expect(issuePaths("SummaryDeclaration", summaryDeclaration({ supervisionMode: "9710" as never }))).to.deep.equal(["supervisionMode"]);
    expect(issuePaths("SummaryDeclaration", summaryDeclaration({ period: { from: "2026-11-30", to: "2026-11-01" } }))).to.deep.equal(["period.to"]);
    expect(issuePaths("SummaryDeclaration", summaryDeclaration({ period: { from: "2026-11-31", to: "2026-12-01" } }))).to.deep.equal(["period.from"]);
    const lists = summaryDeclaration().lists;
    expect(issuePaths("SummaryDeclaration", summaryDeclaration({ lists: [lists[0], { ...lists[1], recordId: lists[0].recordId }] }))).to.deep.equal([
      "lists.1.recordId",
    ]);
    expect(issuePaths("SummaryDeclaration", summaryDeclaration({ lists: [] }))).to.deep.equal(["lists"]);
    const totals = summaryDeclaration().totals;
    expect(issuePaths("SummaryDeclaration", summaryDeclaration({ totals: [{ currency: "USD", value: 250 }, totals[1]] }))).to.deep.equal(["totals.0.value"]);
    expect(issuePaths("SummaryDeclaration", summaryDeclaration({ totals: [totals[0]] }))).to.deep.equal(["totals"]);
    expect(issuePaths("SummaryDeclaration", summaryDeclaration({ totals: [...totals, { currency: "GBP", value: 1 }] }))).to.deep.equal(["totals.2.currency"]);
    const line = summaryDeclaration().lines[0];
    expect(issuePaths("SummaryDeclaration", summaryDeclaration({ lines: [{ ...line, hsCode: "61102" }, summaryDeclaration().lines[1]] }))).to.deep.equal([
      "lines.0.hsCode",
    ]);
  });

  it("amounts: at most 4 decimal places, as signed", () => {
    expect(Amount.safeParse(12.3456).success).to.equal(true);
    expect(Amount.safeParse(12.34567).success).to.equal(false);
    expect(Amount.safeParse(1.1 * 3).success).to.equal(false); // 3.3000000000000003
    expect(Amount.safeParse(roundAmount(1.1 * 3)).success).to.equal(true);
    expect(Amount.safeParse(1e12).success).to.equal(true);
    expect(Amount.safeParse(1e12 + 1).success).to.equal(false);
    expect(Amount.safeParse(1e-7).success).to.equal(false);
    expect(Amount.safeParse(Number.POSITIVE_INFINITY).success).to.equal(false);
  });

  it("PRC identity numbers: the GB 11643 check character", () => {
    expect(prcIdCheckCharacter("11010519491231002")).to.equal("X");
    expect(Identity.safeParse(BUYER).success).to.equal(true);
    for (const idNumber of ["11010519491231002", "1101051949123100211", "11010519491231002Y"])
      expect(Identity.safeParse({ ...BUYER, idNumber }).error?.issues.map((i) => i.path.join("."))).to.deep.equal(["idNumber"]);
    expect(Identity.safeParse({ ...BUYER, idType: "OTHER", idNumber: "anything" }).success).to.equal(true);
  });

  it("the registry: personal fields, document kinds and case keys", () => {
    for (const [type, fields] of Object.entries(PERSONAL_FIELDS)) {
      const shape = (RECORD_TYPES[type as RecordType] as unknown as { shape: Record<string, unknown> }).shape;
      for (const f of fields!) expect(shape, `${type}.${f}`).to.have.property(f);
    }
    expect(CUSTOMS_DOCUMENT_KINDS).to.deep.equal({ Order: "ORDER", Payment: "PAYMENT", Waybill: "WAYBILL", CustomsDeclaration: "DECLARATION" });
    expect(customsDocumentKind("Waybill", parcelWaybill())).to.equal("WAYBILL");
    expect(customsDocumentKind("Waybill", masterWaybill())).to.equal(undefined);
    expect(customsDocumentKind("MatchResult", matchResult())).to.equal(undefined);
    const key = { platform: PLATFORM, orderNumber: ORDER_NUMBER };
    expect(customsCaseKey("Order", order(), PLATFORM)).to.deep.equal(key);
    expect(customsCaseKey("Order", order(), "someone-else")).to.deep.equal({ ...key, platform: "someone-else" });
    expect(customsCaseKey("Payment", payment(), "pay-firm")).to.deep.equal(key);
    expect(customsCaseKey("Waybill", parcelWaybill(), "parcel-express")).to.deep.equal(key);
    expect(customsCaseKey("CustomsDeclaration", declaration(), "hz-broker")).to.deep.equal(key);
    expect(customsCaseKey("Waybill", masterWaybill(), "airline")).to.equal(undefined);
    expect(customsCaseKey("CustomsDecision", decision(), "hz-customs")).to.equal(undefined);
    expect(customsCaseKey("Shipment", {}, "x")).to.equal(undefined);
  });

  it("personal fields redacted, the record still verifies and shows no personal value", () => {
    const wallet = Wallet.createRandom();
    for (const [type, body] of [
      ["Order", order()],
      ["Payment", payment()],
      ["CustomsDeclaration", declaration()],
    ] as const) {
      const signed = signRecord(wallet.privateKey, prepareRecord({ type, id: `${type.toLowerCase()}-1`, version: 1, owner: PLATFORM }, body));
      const shown = redact(signed, [...PERSONAL_FIELDS[type]!]);
      expect(computeDigest(shown)).to.equal(signed.digest);
      expect(recoverSigner(shown.digest, shown.signature)).to.equal(wallet.address);
      expect(JSON.stringify(shown)).to.not.include(BUYER.idNumber);
      if (type !== "Order") expect(JSON.stringify(shown)).to.not.include(BUYER.name); // an order's consignee may be the buyer
    }
  });
});
