import { id as keccakOfText } from "ethers";
import type { Identity } from "../../sdk/records/customs-common";
import type { RecordBody } from "../../sdk/records";
import type { CaseDocument } from "../../server/customs/match";
import { identityKeyer } from "../../server/customs/identity";

/** Parties of the sample case: a bonded (1210) import through Hangzhou. */
export const PLATFORM = "shop-global";
export const PAYMENT_FIRM = "pay-firm";
export const CARRIER = "parcel-express";
export const BROKER = "hz-broker";
export const CUSTOMS = "hz-customs";
export const ORDER_NUMBER = "SO-2026-000123";

/** The example number of GB 11643 (valid check digit X). */
export const BUYER: Identity = { name: "Zhang San", idType: "ID_CARD", idNumber: "11010519491231002X" };
export const OTHER_PERSON: Identity = { name: "Wang Fang", idType: "ID_CARD", idNumber: "330106198804152314" };

export const identityKey = identityKeyer("test-secret-of-the-hub-0123456789");

const lines = (): RecordBody<"Order">["lines"] => [
  { lineNo: 1, hsCode: "3304990099", description: "Face cream 50 ml", quantity: 2, unit: "PCE", unitPrice: 199, value: 398, originCountry: "FR" },
  { lineNo: 2, hsCode: "2106909090", description: "Vitamin gummies", quantity: 3, unit: "PCE", unitPrice: 88.5, value: 265.5, originCountry: "AU" },
];

// goods 663.5 + freight 20 + insurance 0 + tax 62.2 - discount 10 = 735.7 CNY; the tax is the retail import tax
// at the default sample rates (server/customs/tax.ts): VAT 13% of (goods + freight) at 70%, no duty.
/** The order's money, which a matching list repeats. */
const MONEY = { currency: "CNY", goodsValue: 663.5, freight: 20, insurance: 0, discount: 10, tax: 62.2, total: 735.7 } as const;

export const order = (over: Partial<RecordBody<"Order">> = {}): RecordBody<"Order"> => ({
  orderNumber: ORDER_NUMBER,
  supervisionMode: "1210",
  direction: "IMPORT",
  customsOffice: CUSTOMS,
  port: "CNHGH",
  destinationCountry: "CN",
  orderedAt: "2026-11-11T00:05:00+08:00",
  buyer: { ...BUYER },
  consignee: { name: "Zhang San", address: "No. 18 Wensan Road, Xihu District, Hangzhou", country: "CN", phone: "+86 138 0000 0000" },
  lines: lines(),
  ...MONEY,
  // The parties whose documents count in the case (the platform's own always do).
  paymentProvider: PAYMENT_FIRM,
  logisticsProvider: CARRIER,
  declarant: BROKER,
  ...over,
});

export const payment = (over: Partial<RecordBody<"Payment">> = {}): RecordBody<"Payment"> => ({
  transactionNumber: "PAY-20261111-778899",
  platform: PLATFORM,
  orderNumber: ORDER_NUMBER,
  payer: { ...BUYER },
  amount: 735.7,
  currency: "CNY",
  paidAt: "2026-11-11T00:06:10+08:00",
  ...over,
});

export const parcelWaybill = (over: Partial<RecordBody<"Waybill">> = {}): RecordBody<"Waybill"> => ({
  waybillType: "PARCEL",
  waybillNumber: "PE7788990011CN",
  origin: "HGH",
  destination: "HGH",
  shipper: { name: "Hangzhou Bonded Warehouse", country: "CN" },
  consignee: { name: "ZHANG  san", country: "CN", address: "No. 18 Wensan Road,  Xihu District, Hangzhou" },
  pieceCount: 1,
  grossWeight: { value: 1.6, unit: "KGM" },
  goodsDescription: "Cosmetics and food supplements",
  orderNumber: ORDER_NUMBER,
  platform: PLATFORM,
  ...over,
});

export const declaration = (over: Partial<RecordBody<"CustomsDeclaration">> = {}): RecordBody<"CustomsDeclaration"> => ({
  declarationNumber: "29212026I000012345",
  supervisionMode: "1210",
  direction: "IMPORT",
  customsOffice: CUSTOMS,
  port: "CNHGH",
  destinationCountry: "CN",
  declaredAt: "2026-11-11T02:00:00+08:00",
  platform: PLATFORM,
  orderNumber: ORDER_NUMBER,
  paymentTransactionNumber: "PAY-20261111-778899",
  waybillNumber: "PE7788990011CN",
  buyer: { ...BUYER },
  lines: lines(),
  ...MONEY,
  netWeight: { value: 1.2, unit: "KGM" },
  ...over,
});

/** An order's money: goods lines and amounts, which its payment and declaration repeat. */
export type OrderMoney = Pick<RecordBody<"Order">, "lines" | "goodsValue" | "freight" | "insurance" | "discount" | "tax" | "total">;

/**
 * The four consistent documents of one 1210 import of `buyer` on `platform`, ordered on `day` of
 * November 2026, with numbers of its own: this file's goods and money unless `over` says otherwise.
 */
export function sampleCase(
  orderNumber: string,
  buyer: Identity,
  day: number,
  over: Partial<OrderMoney> & { port?: string; platform?: string } = {},
): { order: RecordBody<"Order">; payment: RecordBody<"Payment">; waybill: RecordBody<"Waybill">; declaration: RecordBody<"CustomsDeclaration"> } {
  const { platform = PLATFORM, ...money } = over;
  const date = `2026-11-${String(day).padStart(2, "0")}`;
  const consignee = { name: buyer.name, address: "No. 18 Wensan Road, Xihu District, Hangzhou", country: "CN" };
  const ref = { orderNumber, platform, paymentTransactionNumber: `PAY-${orderNumber}`, waybillNumber: `WB${orderNumber}` };
  return {
    order: order({ orderNumber, orderedAt: `${date}T10:00:00+08:00`, buyer: { ...buyer }, consignee, ...money }),
    payment: payment({
      orderNumber,
      platform,
      transactionNumber: ref.paymentTransactionNumber,
      payer: { ...buyer },
      paidAt: `${date}T10:01:00+08:00`,
      ...(money.total !== undefined ? { amount: money.total } : {}),
    }),
    waybill: parcelWaybill({ orderNumber, platform, waybillNumber: ref.waybillNumber, consignee }),
    declaration: declaration({ ...ref, declaredAt: `${date}T12:00:00+08:00`, buyer: { ...buyer }, ...money }),
  };
}

/** A case document as the hub would hand it to the matcher (the digest is a stand-in). */
export function caseDocument(kind: CaseDocument["kind"], body: unknown, options: { recordId?: string; version?: number } = {}): CaseDocument {
  const recordId = options.recordId ?? `${kind.toLowerCase()}-1`;
  const version = options.version ?? 1;
  const owner = { ORDER: PLATFORM, PAYMENT: PAYMENT_FIRM, WAYBILL: CARRIER, DECLARATION: BROKER }[kind];
  return { kind, recordId, version, owner, digest: keccakOfText(`${recordId}@${version}`), body };
}

/** The four documents of the sample 1210 import, all consistent. */
export const fourDocuments = (): CaseDocument[] => [
  caseDocument("ORDER", order()),
  caseDocument("PAYMENT", payment()),
  caseDocument("WAYBILL", parcelWaybill()),
  caseDocument("DECLARATION", declaration()),
];

export const decision = (over: Partial<RecordBody<"CustomsDecision">> = {}): RecordBody<"CustomsDecision"> => ({
  platform: PLATFORM,
  orderNumber: ORDER_NUMBER,
  matchResult: { recordId: "match-shop-global-SO-2026-000123", version: 1 },
  decision: "INSPECT",
  reasons: [{ code: "RISK-07", text: "Random inspection of cosmetics" }],
  decidedAt: "2026-11-11T05:00:00+08:00",
  ...over,
});

// Two export lists of one month: 5 + 3 sweaters to the US (USD), 2 lamps to Germany (EUR).
export const summaryDeclaration = (over: Partial<RecordBody<"SummaryDeclaration">> = {}): RecordBody<"SummaryDeclaration"> => ({
  summaryNumber: "SUM-2026-11-0001",
  customsOffice: CUSTOMS,
  supervisionMode: "9610",
  period: { from: "2026-11-01", to: "2026-11-30" },
  lists: [
    { recordId: "decl-ex-1", version: 1, declarationNumber: "29212026E000000001" },
    { recordId: "decl-ex-2", version: 2, declarationNumber: "29212026E000000002" },
  ],
  lines: [
    { hsCode: "6110200099", destinationCountry: "US", currency: "USD", quantity: 8, value: 240 },
    { hsCode: "9405110000", destinationCountry: "DE", currency: "EUR", quantity: 2, value: 59.9 },
  ],
  totals: [
    { currency: "USD", value: 240 },
    { currency: "EUR", value: 59.9 },
  ],
  ...over,
});
