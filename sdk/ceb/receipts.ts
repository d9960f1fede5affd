import { buildXml, type XmlLimits } from "../epcis/xml/tree";
import {
  CEB_NS,
  CebMessageError,
  INVENTORY_RETURN,
  LOGISTICS_RETURN,
  ORDER_RETURN,
  PAYMENT_RETURN,
  childrenNamed,
  readFields,
  type FieldRow,
  type Fields,
} from "./fields";
import { readRoot, type CebDeclarationType } from "./message";

/**
 * The e-port's receipts of the import declarations: CEB312 (order), CEB412 (payment), CEB512
 * (waybill) and CEB622 (inventory list), each a root holding its `XxxReturn` element(s) and no
 * BaseTransfer. Every return ends with returnStatus, returnTime (17 digits) and returnInfo.
 */
export const CEB_RECEIPTS = {
  CEB312: { element: "OrderReturn", fields: ORDER_RETURN },
  CEB412: { element: "PaymentReturn", fields: PAYMENT_RETURN },
  CEB512: { element: "LogisticsReturn", fields: LOGISTICS_RETURN },
  CEB622: { element: "InventoryReturn", fields: INVENTORY_RETURN },
} as const satisfies Record<string, { element: string; fields: readonly FieldRow[] }>;
export type CebReceiptType = keyof typeof CEB_RECEIPTS;

/** The receipt answering each declaration. */
export const RECEIPT_OF: Record<CebDeclarationType, CebReceiptType> = { CEB311: "CEB312", CEB411: "CEB412", CEB511: "CEB512", CEB621: "CEB622" };

/**
 * returnStatus codes of the receipts: 2 declaring at the e-port, 100 returned by customs (rejected),
 * 120 entered into customs' database, 399 concluded, 500 inspection, 599 other holds, 800 released.
 * A negative code is a processing error.
 */
export const RETURN_STATUS = { DECLARING: "2", RETURNED: "100", ENTERED: "120", CONCLUDED: "399", INSPECTION: "500", HELD: "599", RELEASED: "800" } as const;

export interface CebReceipt {
  type: CebReceiptType;
  /** The root's guid (an upper-case UUID). */
  guid: string;
  /** The return's fields by element name, in any order (written in the specification's). */
  returns: Record<string, string>[];
}

/** The receipt's XML, each return's fields in the order of the specification's table. Throws if a value breaks its format. */
export function writeCebReceipt(receipt: CebReceipt): string {
  const spec = CEB_RECEIPTS[receipt.type];
  const text = (v: string) => [{ "#text": v }];
  const returns = receipt.returns.map((r) => {
    const known = new Set(spec.fields.map((f) => f[0]));
    for (const k of Object.keys(r)) if (!known.has(k)) throw new Error(`${k} is not a field of ${spec.element}`);
    const children = spec.fields.filter(([name, , required]) => required || r[name] !== undefined).map(([name]) => ({ [name]: text(r[name] ?? "") }));
    return { [spec.element]: children };
  });
  const root = { [`${receipt.type}Message`]: returns, ":@": { "@_guid": receipt.guid, "@_version": "1.0", "@_xmlns": CEB_NS } };
  const xml = buildXml(root);
  readCebReceipt(xml); // what is written reads back under the format's rules, or this is a bug
  return xml;
}

export interface ReadReceipt {
  type: CebReceiptType;
  guid: string;
  returns: Fields[];
}

/** Reads a receipt, each return checked against its table (returnTime of 14 or 17 digits). */
export function readCebReceipt(xml: string, limits?: XmlLimits): ReadReceipt {
  const { root, type, guid } = readRoot(xml, CEB_RECEIPTS, limits);
  const spec = CEB_RECEIPTS[type];
  for (const child of root.children)
    if (child.ns !== CEB_NS || child.local !== spec.element)
      throw new CebMessageError(child.path, "unknown-element", `${child.local} is not an element of ${root.local}`);
  const elements = childrenNamed(root, spec.element);
  if (elements.length === 0) throw new CebMessageError(`${root.path}/${spec.element}`, "required", `${root.local} holds at least one ${spec.element}`);
  const returns = elements.map((el) => {
    const f = readFields(el, spec.fields);
    if (!/^\d{14}(\d{3})?$/.test(f.get("returnTime")))
      throw new CebMessageError(f.pathOf("returnTime"), "format", "returnTime is yyyyMMddHHmmssfff (17 digits; 14 are read too)");
    if (!/^-?\d+$/.test(f.get("returnStatus")))
      throw new CebMessageError(f.pathOf("returnStatus"), "format", "returnStatus is a whole number (negative for a processing error)");
    return f;
  });
  return { type, guid, returns };
}
