import type { XmlElement } from "../epcis/xml/tree";

/**
 * The field tables of the e-port's enterprise-access messages, as the published specification
 * writes them: each element's name, its format (`C36` exactly 36 characters, `C..60` up to 60,
 * `C1..10` 1 to 10, `N19,5` a decimal of up to 19 digits with up to 5 after the point, `N4` an
 * integer of up to 4 digits) and whether it is required. Reading checks a group element against its
 * table: every required element present once, nothing unknown, every value in its format.
 */

/** Namespace of every CEB message element. */
export const CEB_NS = "http://www.chinaport.gov.cn/ceb";
/** The enveloped XML signature a declaration may carry (checked by the e-port's client, not here). */
export const XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#";

/** Where a message breaks the format: `path` names the element, `rule` what it breaks. */
export class CebMessageError extends Error {
  constructor(
    readonly path: string,
    readonly rule: string,
    /** What is wrong, without the path. */
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = "CebMessageError";
  }
}

/** One row of a field table: [element, format, required]. */
export type FieldRow = readonly [name: string, format: string, required: boolean];

/** A format of the specification's notation, as a test of a value. */
function formatTest(format: string): (v: string) => boolean {
  let m = /^C(\d+)$/.exec(format);
  if (m) return (v) => v.length === Number(m![1]);
  m = /^C(\d+)?\.\.(\d+)$/.exec(format);
  if (m) {
    const [min, max] = [Number(m[1] ?? 1), Number(m[2])];
    return (v) => v.length >= min && v.length <= max;
  }
  m = /^N(\d+),(\d+)$/.exec(format);
  if (m) {
    const [digits, decimals] = [Number(m[1]), Number(m[2])];
    const re = new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`);
    return (v) => re.test(v) && v.replace(".", "").length <= digits;
  }
  m = /^N(\d+)$/.exec(format);
  if (m) {
    const re = new RegExp(`^\\d{1,${m[1]}}$`);
    return (v) => re.test(v);
  }
  throw new Error(`unknown field format ${format}`);
}

const describe = (format: string): string => {
  if (/^C\d+$/.test(format)) return `exactly ${format.slice(1)} characters`;
  if (format.startsWith("C")) return `${format.slice(1).replace("..", " to ")} characters`.replace(/^ to/, "up to");
  if (format.includes(",")) {
    const [d, f] = format.slice(1).split(",");
    return `a decimal number of up to ${d} digits, ${f} after the point`;
  }
  return `a whole number of up to ${format.slice(1)} digits`;
};

/** A group element's fields by name (text trimmed), with the path of each for errors. */
export interface Fields {
  readonly path: string;
  readonly values: ReadonlyMap<string, string>;
  /** The value of a field (required fields are always present). */
  get(name: string): string;
  opt(name: string): string | undefined;
  pathOf(name: string): string;
}

/** The CEB-namespace children of `el` named `local`. */
export const childrenNamed = (el: XmlElement, local: string): XmlElement[] => el.children.filter((c) => c.ns === CEB_NS && c.local === local);

/** Reads a group element (e.g. OrderHead) against its table. */
export function readFields(el: XmlElement, table: readonly FieldRow[]): Fields {
  const rows = new Map(table.map((r) => [r[0], r]));
  const values = new Map<string, string>();
  const paths = new Map<string, string>();
  for (const child of el.children) {
    if (child.ns !== CEB_NS) throw new CebMessageError(child.path, "namespace", `an element of ${el.local} is in the namespace ${CEB_NS}`);
    const row = rows.get(child.local);
    if (!row) throw new CebMessageError(child.path, "unknown-element", `${child.local} is not an element of ${el.local}`);
    if (values.has(child.local)) throw new CebMessageError(child.path, "repeated", `${child.local} appears more than once in ${el.local}`);
    if (child.children.length > 0) throw new CebMessageError(child.path, "format", `${child.local} holds text, not elements`);
    const text = child.text.trim();
    // An empty optional element is the same as an absent one (publishers write both).
    if (text === "" && !row[2]) continue;
    if (!formatTest(row[1])(text))
      throw new CebMessageError(child.path, "format", `${child.local} is ${describe(row[1])} (${row[1]}); found "${text.slice(0, 40)}"`);
    values.set(child.local, text);
    paths.set(child.local, child.path);
  }
  for (const [name, , required] of table)
    if (required && !values.has(name)) throw new CebMessageError(`${el.path}/${name}`, "required", `${el.local} requires ${name}`);
  return {
    path: el.path,
    values,
    get: (name) => {
      const v = values.get(name);
      if (v === undefined) throw new CebMessageError(`${el.path}/${name}`, "required", `${el.local} requires ${name}`);
      return v;
    },
    opt: (name) => values.get(name),
    pathOf: (name) => paths.get(name) ?? `${el.path}/${name}`,
  };
}

/** The one child named `local`, or a problem naming it. */
export function onlyChild(el: XmlElement, local: string): XmlElement {
  const found = childrenNamed(el, local);
  if (found.length !== 1)
    throw new CebMessageError(found[1]?.path ?? `${el.path}/${local}`, found.length === 0 ? "required" : "repeated", `${el.local} holds exactly one ${local}`);
  return found[0]!;
}

// The heads every declaration shares.
const GUID = ["guid", "C36", true] as const;
const APP = [
  ["appType", "C1", true],
  ["appTime", "C14", true],
  ["appStatus", "C..3", true],
] as const;
const NOTE = ["note", "C..1000", false] as const;

/** BaseTransfer: who transmits the message. */
export const BASE_TRANSFER: readonly FieldRow[] = [
  ["copCode", "C..18", true],
  ["copName", "C..100", true],
  ["dxpMode", "C3", true],
  ["dxpId", "C..30", true],
  NOTE,
];

/** CEB311 OrderHead (import order). */
export const ORDER_HEAD: readonly FieldRow[] = [
  GUID,
  ...APP,
  ["orderType", "C1", true],
  ["orderNo", "C..60", true],
  // 18 in the 2016 import tables, 50 in the 2018 ones: the longer is accepted.
  ["ebpCode", "C..50", true],
  ["ebpName", "C..100", true],
  ["ebcCode", "C..50", true],
  ["ebcName", "C..100", true],
  ["goodsValue", "N19,5", true],
  ["freight", "N19,5", true],
  ["discount", "N19,5", true],
  ["taxTotal", "N19,5", true],
  ["acturalPaid", "N19,5", true],
  ["currency", "C3", true],
  ["buyerRegNo", "C..60", true],
  ["buyerName", "C..60", true],
  ["buyerTelephone", "C..30", true],
  ["buyerIdType", "C1", true],
  ["buyerIdNumber", "C..60", true],
  ["payCode", "C..18", false],
  ["payName", "C..100", false],
  ["payTransactionId", "C..60", false],
  ["batchNumbers", "C..100", false],
  ["consignee", "C..100", true],
  ["consigneeTelephone", "C..50", true],
  ["consigneeAddress", "C..200", true],
  ["consigneeDistrict", "C6", false],
  NOTE,
];

/** CEB311 OrderList (one goods line). */
export const ORDER_LIST: readonly FieldRow[] = [
  ["gnum", "N4", true],
  ["itemNo", "C..30", false],
  ["itemName", "C..250", true],
  ["gmodel", "C..250", false],
  ["itemDescribe", "C..1000", false],
  ["barCode", "C..50", false],
  ["unit", "C3", true],
  ["qty", "N19,5", true],
  ["price", "N19,5", true],
  ["totalPrice", "N19,5", true],
  ["currency", "C3", true],
  ["country", "C3", true],
  NOTE,
];

/** CEB411 PaymentHead. */
export const PAYMENT_HEAD: readonly FieldRow[] = [
  GUID,
  ...APP,
  ["payCode", "C..18", true],
  ["payName", "C..100", true],
  ["payTransactionId", "C..60", true],
  ["orderNo", "C..60", true],
  ["ebpCode", "C..50", true],
  ["ebpName", "C..100", true],
  ["payerIdType", "C1", true],
  ["payerIdNumber", "C..60", true],
  ["payerName", "C..60", true],
  ["telephone", "C..60", false],
  ["amountPaid", "N19,5", true],
  ["currency", "C3", true],
  ["payTime", "C14", true],
  NOTE,
];

/** CEB511 LogisticsHead (import waybill). */
export const LOGISTICS_HEAD: readonly FieldRow[] = [
  GUID,
  ...APP,
  ["logisticsCode", "C..18", true],
  ["logisticsName", "C..100", true],
  ["logisticsNo", "C..60", true],
  ["billNo", "C..37", false],
  ["orderNo", "C..60", true],
  ["freight", "N19,5", false],
  ["insuredFee", "N19,5", false],
  ["currency", "C3", false],
  ["weight", "N19,5", true],
  ["packNo", "N9", true],
  ["goodsInfo", "C..200", false],
  ["consignee", "C..100", true],
  ["consigneeAddress", "C..200", true],
  ["consigneeTelephone", "C..50", true],
  NOTE,
];

/** CEB621 InventoryHead (import list). */
export const INVENTORY_HEAD: readonly FieldRow[] = [
  GUID,
  ...APP,
  ["orderNo", "C..60", true],
  ["ebpCode", "C..50", true],
  ["ebpName", "C..100", true],
  ["ebcCode", "C..50", true],
  ["ebcName", "C..100", true],
  ["logisticsNo", "C..60", true],
  ["logisticsCode", "C..18", true],
  ["logisticsName", "C..100", true],
  ["copNo", "C..20", false],
  ["preNo", "C18", false],
  ["assureCode", "C..30", false],
  ["emsNo", "C..30", false],
  ["invtNo", "C18", false],
  ["ieFlag", "C1", true],
  ["declTime", "C8", true],
  ["customsCode", "C4", true],
  ["portCode", "C4", true],
  ["ieDate", "C8", true],
  ["buyerIdType", "C1", true],
  ["buyerIdNumber", "C..60", true],
  ["buyerName", "C..60", true],
  ["buyerTelephone", "C..30", true],
  ["consigneeAddress", "C..200", true],
  ["agentCode", "C..18", true],
  ["agentName", "C..100", true],
  ["areaCode", "C..18", false],
  ["areaName", "C..100", false],
  ["tradeMode", "C4", true],
  ["trafMode", "C1", true],
  ["trafNo", "C..100", false],
  ["voyageNo", "C..32", false],
  ["billNo", "C..37", false],
  ["loctNo", "C..10", false],
  ["licenseNo", "C..19", false],
  ["country", "C3", true],
  ["freight", "N19,5", true],
  ["insuredFee", "N19,5", true],
  ["currency", "C3", true],
  ["wrapType", "C1", false],
  ["packNo", "N9", true],
  ["grossWeight", "N19,5", true],
  ["netWeight", "N19,5", true],
  NOTE,
];

/** CEB621 InventoryList (one goods line). */
export const INVENTORY_LIST: readonly FieldRow[] = [
  ["gnum", "N4", true],
  ["itemRecordNo", "C..30", false],
  ["itemNo", "C..30", false],
  ["itemName", "C..250", false],
  ["gcode", "C10", true],
  ["gname", "C..250", true],
  ["gmodel", "C..250", true],
  ["barCode", "C..50", false],
  ["country", "C3", true],
  ["tradeCountry", "C3", false],
  ["currency", "C3", true],
  ["qty", "N19,5", true],
  ["unit", "C3", true],
  ["qty1", "N19,5", true],
  ["unit1", "C3", true],
  ["qty2", "N19,5", false],
  ["unit2", "C3", false],
  ["price", "N19,5", true],
  ["totalPrice", "N19,5", true],
  NOTE,
];

/** The receipts' fields, in the order they are written (each ends with the status, time and text). */
const RETURN_TAIL = [
  ["returnStatus", "C1..10", true],
  // 17 digits (yyyyMMddHHmmssfff) in the XSD and every sample, 14 in the 2016 text: both are read, 17 written.
  ["returnTime", "C14..17", true],
  ["returnInfo", "C..1000", true],
] as const;
export const ORDER_RETURN: readonly FieldRow[] = [GUID, ["ebpCode", "C..50", true], ["ebcCode", "C..50", true], ["orderNo", "C..60", true], ...RETURN_TAIL];
export const PAYMENT_RETURN: readonly FieldRow[] = [GUID, ["payCode", "C..18", true], ["payTransactionId", "C..60", true], ...RETURN_TAIL];
export const LOGISTICS_RETURN: readonly FieldRow[] = [GUID, ["logisticsCode", "C..18", true], ["logisticsNo", "C..60", true], ...RETURN_TAIL];
export const INVENTORY_RETURN: readonly FieldRow[] = [
  GUID,
  ["customsCode", "C4", true],
  ["ebpCode", "C..50", true],
  ["ebcCode", "C..50", true],
  ["agentCode", "C..18", true],
  ["copNo", "C..20", true],
  ["preNo", "C18", true],
  ["invtNo", "C18", false],
  ...RETURN_TAIL,
];
