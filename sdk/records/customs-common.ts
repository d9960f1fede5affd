import { z } from "zod";
import { OrgIdSchema } from "../envelope";
import { CountryCode, CurrencyCode, UnLocode } from "./codes";

/**
 * Pieces shared by the cross-border e-commerce customs records (Order, Payment, CustomsDeclaration,
 * MatchResult, CustomsDecision, SummaryDeclaration), after the WCO cross-border e-commerce data model
 * and China's e-commerce supervision modes.
 */

/** Tolerance of the arithmetic checks inside one document (line value, goods value, total). */
export const ARITHMETIC_TOLERANCE = 0.01;
// Float sums of 4-decimal amounts are off by far less than this; it keeps 0.01 itself inclusive.
const FLOAT_SLACK = 1e-9;

/** |a - b| within `tolerance` (inclusive, up to floating-point noise). */
export function withinTolerance(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance + FLOAT_SLACK;
}

/**
 * Rounds to 4 decimal places so the result passes `Amount` (e.g. 1.1 * 3 is 3.3000000000000003
 * in binary floating point; publishers round computed amounts with this before signing them).
 */
export function roundAmount(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}

// The shortest decimal form of the number (what canonical JSON signs) must have at most 4 decimals.
function atMostFourDecimals(n: number): boolean {
  const s = String(n);
  if (s.includes("e")) return n === 0;
  const dot = s.indexOf(".");
  return dot < 0 || s.length - dot - 1 <= 4;
}

/** A money amount: finite, 0 to 1e12, at most 4 decimal places (as signed: the JSON number). */
export const Amount = z
  .number()
  .min(0, "an amount is not negative")
  .max(1e12, "an amount is at most 1e12")
  .refine(atMostFourDecimals, "an amount has at most 4 decimal places (round it, e.g. with roundAmount)");
export type Amount = z.infer<typeof Amount>;

/** Harmonized System code: the 6 HS digits plus up to 4 national digits (China uses 10). */
export const HsCode = z.string().regex(/^\d{6,10}$/, "an HS code is 6 to 10 digits, e.g. 3304990099");

/** China's cross-border e-commerce supervision modes (customs procedure codes). */
export const SupervisionMode = z.enum(["9610", "1210", "1239", "9710", "9810"]);
export type SupervisionMode = z.infer<typeof SupervisionMode>;

export const Direction = z.enum(["IMPORT", "EXPORT"]);
export type Direction = z.infer<typeof Direction>;

/** The documents the customs match compares (record types Order, Payment, PARCEL Waybill, CustomsDeclaration). */
export const DocumentKind = z.enum(["ORDER", "PAYMENT", "WAYBILL", "DECLARATION"]);
export type DocumentKind = z.infer<typeof DocumentKind>;

export const OrderNumber = z.string().min(1).max(64);

// ISO 7064 MOD 11-2 weights for the 17 digits of a PRC resident identity number (2^(17-i) mod 11).
const PRC_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const PRC_ID_CHECK = "10X98765432";

/** The check character of the 17 leading digits of a PRC resident identity number (GB 11643). */
export function prcIdCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error("a PRC identity number starts with 17 digits");
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * PRC_ID_WEIGHTS[i];
  return PRC_ID_CHECK[sum % 11];
}

/** A buyer's or payer's identity: personal data, redacted for parties that are neither its publisher nor customs. */
export const Identity = z
  .object({
    name: z.string().min(1).max(100),
    idType: z.enum(["ID_CARD", "PASSPORT", "OTHER"]),
    idNumber: z.string().min(1).max(40),
  })
  .strict()
  .superRefine((id, ctx) => {
    if (id.idType !== "ID_CARD" || typeof id.idNumber !== "string") return;
    if (!/^\d{17}[\dX]$/.test(id.idNumber)) {
      ctx.addIssue({ code: "custom", path: ["idNumber"], message: "a PRC resident identity number is 17 digits and a check digit (0-9 or X)" });
    } else if (prcIdCheckCharacter(id.idNumber.slice(0, 17)) !== id.idNumber[17]) {
      ctx.addIssue({ code: "custom", path: ["idNumber"], message: "the identity number's check digit (ISO 7064 MOD 11-2) is wrong" });
    }
  });
export type Identity = z.infer<typeof Identity>;

/** Who receives the parcel (name and address are personal: never echoed in match results). */
export const Consignee = z
  .object({
    name: z.string().min(1).max(200),
    address: z.string().min(1).max(500),
    country: CountryCode,
    phone: z
      .string()
      .regex(/^\+?[0-9][0-9 ()-]{2,31}$/, "a phone number is digits, spaces, '-', '(' and ')', optionally after '+'")
      .optional(),
  })
  .strict();
export type Consignee = z.infer<typeof Consignee>;

/** One goods line of an order or a customs list; amounts are in the document's currency. */
export const CustomsLine = z
  .object({
    lineNo: z.number().int().min(1),
    hsCode: HsCode,
    description: z.string().min(1).max(500),
    quantity: z.number().positive().max(1e9),
    unit: z.string().min(1).max(8),
    unitPrice: Amount,
    value: Amount,
    originCountry: CountryCode,
  })
  .strict()
  .refine(
    (l) => typeof l.quantity !== "number" || typeof l.unitPrice !== "number" || withinTolerance(l.value, l.quantity * l.unitPrice, ARITHMETIC_TOLERANCE),
    { path: ["value"], message: `a line's value is its quantity times its unit price (within ${ARITHMETIC_TOLERANCE})` },
  );
export type CustomsLine = z.infer<typeof CustomsLine>;

export const CustomsLines = z.array(CustomsLine).min(1, "at least one goods line").max(1000);

/** The fields an order and a customs list share, with their arithmetic checked by `checkDocumentTotals`. */
export interface DocumentTotals {
  lines: { lineNo: number; value: number }[];
  goodsValue: number;
  freight: number;
  insurance: number;
  tax: number;
  discount?: number;
  total: number;
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * Line numbers unique, goodsValue = sum of line values, total = goods + freight + insurance + tax -
 * discount, each within ARITHMETIC_TOLERANCE; issues name the field. Defensive about types, since
 * zod runs refinements even when some field already failed.
 */
export function checkDocumentTotals(doc: DocumentTotals, ctx: z.RefinementCtx): void {
  if (!Array.isArray(doc.lines)) return;
  const seen = new Set<number>();
  let sum = 0;
  let sumKnown = true;
  doc.lines.forEach((line, i) => {
    if (seen.has(line?.lineNo)) ctx.addIssue({ code: "custom", path: ["lines", i, "lineNo"], message: `line number ${line.lineNo} appears twice` });
    seen.add(line?.lineNo);
    if (isNum(line?.value)) sum += line.value;
    else sumKnown = false;
  });
  if (sumKnown && isNum(doc.goodsValue) && !withinTolerance(doc.goodsValue, sum, ARITHMETIC_TOLERANCE))
    ctx.addIssue({ code: "custom", path: ["goodsValue"], message: `goodsValue is the sum of the line values (${roundAmount(sum)})` });
  const parts = [doc.goodsValue, doc.freight, doc.insurance, doc.tax, doc.discount ?? 0];
  if (parts.every(isNum) && isNum(doc.total)) {
    const expected = doc.goodsValue + doc.freight + doc.insurance + doc.tax - (doc.discount ?? 0);
    if (!withinTolerance(doc.total, expected, ARITHMETIC_TOLERANCE))
      ctx.addIssue({
        code: "custom",
        path: ["total"],
        message: `total is goodsValue + freight + insurance + tax - discount (${roundAmount(expected)})`,
      });
  }
}

/**
 * The China e-port message a document was converted from (sdk/ceb): its type, its head's guid and
 * the codes it named the enterprises, the customs areas and the list by, as declared. The receipt
 * of the document answers in these codes.
 */
/** The guid of a CEB message or head: an upper-case UUID (C36). */
export const CEB_GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

export const CebSource = z
  .object({
    message: z.enum(["CEB311", "CEB411", "CEB511", "CEB621"]),
    guid: z.string().regex(CEB_GUID, "a CEB guid is an upper-case UUID"),
    codes: z.partialRecord(
      z.enum(["ebpCode", "ebcCode", "payCode", "logisticsCode", "agentCode", "customsCode", "portCode", "copNo", "invtNo"]),
      z.string().min(1).max(50),
    ),
  })
  .strict();
export type CebSource = z.infer<typeof CebSource>;

/** Fields naming where and how goods are declared, shared by Order and CustomsDeclaration. */
export const declaredShape = {
  supervisionMode: SupervisionMode,
  direction: Direction,
  customsOffice: OrgIdSchema,
  port: UnLocode,
  destinationCountry: CountryCode,
};

/** The money fields shared by Order and CustomsDeclaration. */
export const moneyShape = {
  lines: CustomsLines,
  currency: CurrencyCode,
  goodsValue: Amount,
  freight: Amount,
  insurance: Amount,
  discount: Amount.optional(),
  tax: Amount,
  total: Amount,
};
