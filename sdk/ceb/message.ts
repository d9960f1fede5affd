import { CEB_GUID } from "../records/customs-common";
import { EpcisXmlError, parseXml, type XmlElement, type XmlLimits } from "../epcis/xml/tree";
import {
  BASE_TRANSFER,
  CEB_NS,
  CebMessageError,
  INVENTORY_HEAD,
  INVENTORY_LIST,
  LOGISTICS_HEAD,
  ORDER_HEAD,
  ORDER_LIST,
  PAYMENT_HEAD,
  XMLDSIG_NS,
  childrenNamed,
  onlyChild,
  readFields,
  type FieldRow,
  type Fields,
} from "./fields";

/**
 * The declarations of the e-port's import messages: CEB311 orders, CEB411 payments, CEB511
 * waybills and CEB621 inventory lists. A message holds up to 100 business elements (each a head
 * and, for orders and lists, up to 99 goods lines) and one BaseTransfer naming who transmits it.
 */
export const CEB_DECLARATIONS = {
  CEB311: { element: "Order", head: ["OrderHead", ORDER_HEAD], list: ["OrderList", ORDER_LIST] },
  CEB411: { element: "Payment", head: ["PaymentHead", PAYMENT_HEAD] },
  CEB511: { element: "Logistics", head: ["LogisticsHead", LOGISTICS_HEAD] },
  CEB621: { element: "Inventory", head: ["InventoryHead", INVENTORY_HEAD], list: ["InventoryList", INVENTORY_LIST] },
} as const satisfies Record<string, { element: string; head: readonly [string, readonly FieldRow[]]; list?: readonly [string, readonly FieldRow[]] }>;
export type CebDeclarationType = keyof typeof CEB_DECLARATIONS;

/** At most this many business elements per message, and goods lines per element (the XSD's maxOccurs). */
export const MAX_ELEMENTS = 100;
export const MAX_LINES = 99;

export interface CebBusinessElement {
  head: Fields;
  lines: Fields[];
}

export interface CebDeclaration {
  type: CebDeclarationType;
  guid: string;
  elements: CebBusinessElement[];
  transfer: Fields;
}

/** Parses XML with the EPCIS binding's safe reader (no DTD, bounded), its faults as CebMessageError. */
export function readXml(xml: string, limits?: XmlLimits): XmlElement {
  try {
    return parseXml(xml, limits);
  } catch (err) {
    if (err instanceof EpcisXmlError) throw new CebMessageError(err.path, err.rule, err.detail);
    throw err;
  }
}

/** The root's `guid` and `version` attributes, checked. */
export function rootGuid(root: XmlElement): string {
  const attr = (name: string) => root.attributes.find((a) => a.ns === "" && a.local === name)?.value;
  const guid = attr("guid");
  if (guid === undefined || !CEB_GUID.test(guid))
    throw new CebMessageError(`${root.path}/@guid`, "format", "a message's guid is an upper-case UUID of 36 characters (C36)");
  const version = attr("version");
  if (version === undefined || version.length < 1 || version.length > 10)
    throw new CebMessageError(`${root.path}/@version`, "required", "a message has a version attribute (1 to 10 characters, e.g. 1.0)");
  return guid;
}

/** Parses a message and checks its root: a `CEBnnnMessage` of one of `types`, in the CEB namespace, with its guid and version. */
export function readRoot<T extends string>(xml: string, types: Record<T, unknown>, limits?: XmlLimits): { root: XmlElement; type: T; guid: string } {
  const root = readXml(xml, limits);
  const type = /^(CEB\d{3})Message$/.exec(root.local)?.[1];
  if (root.ns !== CEB_NS || type === undefined || !Object.hasOwn(types, type)) {
    const names = Object.keys(types).map((t) => `${t}Message`);
    throw new CebMessageError(root.path, "message-type", `the root is one of ${names.join(", ")} in the namespace ${CEB_NS}`);
  }
  return { root, type: type as T, guid: rootGuid(root) };
}

/** Reads an import declaration: its type from the root element, every element checked against the field tables. */
export function readCebDeclaration(xml: string, limits?: XmlLimits): CebDeclaration {
  const { root, type, guid } = readRoot(xml, CEB_DECLARATIONS, limits);
  const spec = CEB_DECLARATIONS[type];
  const known = new Set<string>([spec.element, "BaseTransfer", "BaseSubscribe", "ExtendMessage"]);
  for (const child of root.children) {
    if (child.ns === XMLDSIG_NS && child.local === "Signature") continue;
    if (child.ns !== CEB_NS || !known.has(child.local))
      throw new CebMessageError(child.path, "unknown-element", `${child.local} is not an element of ${root.local}`);
  }
  const business = childrenNamed(root, spec.element);
  if (business.length === 0) throw new CebMessageError(`${root.path}/${spec.element}`, "required", `${root.local} holds at least one ${spec.element}`);
  if (business.length > MAX_ELEMENTS)
    throw new CebMessageError(business[MAX_ELEMENTS]!.path, "too-many", `${root.local} holds at most ${MAX_ELEMENTS} ${spec.element} elements`);
  const elements = business.map((el) => {
    const list = "list" in spec ? spec.list : undefined;
    const allowed = new Set<string>([spec.head[0], ...(list ? [list[0]] : [])]);
    for (const child of el.children)
      if (child.ns !== CEB_NS || !allowed.has(child.local))
        throw new CebMessageError(child.path, "unknown-element", `${child.local} is not an element of ${el.local}`);
    const head = readFields(onlyChild(el, spec.head[0]), spec.head[1]);
    if (!CEB_GUID.test(head.get("guid")))
      throw new CebMessageError(head.pathOf("guid"), "format", "a head's guid is an upper-case UUID of 36 characters (C36)");
    const lineElements = list ? childrenNamed(el, list[0]) : [];
    if (list && lineElements.length === 0) throw new CebMessageError(`${el.path}/${list[0]}`, "required", `${el.local} holds at least one ${list[0]}`);
    if (lineElements.length > MAX_LINES)
      throw new CebMessageError(lineElements[MAX_LINES]!.path, "too-many", `${el.local} holds at most ${MAX_LINES} ${list![0]} elements`);
    return { head, lines: lineElements.map((l) => readFields(l, list![1])) };
  });
  const transfer = readFields(onlyChild(root, "BaseTransfer"), BASE_TRANSFER);
  if (transfer.get("dxpMode") !== "DXP") throw new CebMessageError(transfer.pathOf("dxpMode"), "code", "dxpMode is DXP (the e-port's data exchange platform)");
  return { type, guid, elements, transfer };
}
