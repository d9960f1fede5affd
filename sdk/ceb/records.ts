import { createHash } from "node:crypto";
import { z } from "zod";
import { OrgIdSchema, RecordIdSchema } from "../envelope";
import { RECORD_TYPES, type RecordBody } from "../records";
import { IataAirportCode, Party, UnLocode } from "../records/codes";
import { Amount, HsCode, roundAmount, type CebSource } from "../records/customs-common";
import { idTypeOf, isoCountryOf, isoCurrencyOf, isoOfC14, isoOfC8 } from "./codes";
import { CebMessageError, type Fields } from "./fields";
import { readCebDeclaration, type CebBusinessElement, type CebDeclaration, type CebDeclarationType } from "./message";

/**
 * The hub's records of an e-port import declaration: a CEB311 order becomes an Order, a CEB411
 * payment a Payment, a CEB511 waybill a PARCEL Waybill and a CEB621 inventory list a
 * CustomsDeclaration, each ready for its publisher to sign. Decisions (docs/customs.md, "E-port
 * messages"): the enterprise and customs-area codes are looked up in the operator's directory; the
 * sender's own code must be the signer's; appType 2 is the record's next version and appType 3 (delete)
 * is refused, since records are never deleted; a message saved but not declared (appStatus 1) is
 * refused; what a message does not carry but the hub's record needs comes from the sender's context.
 */

const EnterpriseCode = z.string().min(1).max(50);
/** A customs area (关区) code of JGS/T 18: four digits. */
const AreaCode = z.string().regex(/^\d{4}$/, "a customs area code is 4 digits");

/**
 * The operator's directory (CUSTOMS_CEB_DIRECTORY): which organisation each enterprise code is, and
 * which customs office and port each customs area is. Organisations do not declare their own codes:
 * a self-declared code would let anyone speak as another enterprise.
 */
export const CebDirectorySchema = z
  .object({
    enterprises: z.record(EnterpriseCode, OrgIdSchema),
    customsAreas: z.record(AreaCode, z.object({ customsOffice: OrgIdSchema.optional(), port: UnLocode.optional() }).strict()),
  })
  .strict();
export type CebDirectory = z.infer<typeof CebDirectorySchema>;

/** What the sender adds that its message does not carry (each field named where a message type needs it). */
export const CebContextSchema = z
  .object({
    /** CEB311: the order's supervision mode (the list carries it as tradeMode). */
    supervisionMode: z.enum(["9610", "1210"]).optional(),
    /** CEB311: the customs area declared at and the port's, as the list will name them. */
    customsCode: AreaCode.optional(),
    portCode: AreaCode.optional(),
    /** CEB311: the HS code of each item, by the line's itemNo (orders carry no HS code; lists do). */
    hsCodes: z.record(z.string().min(1).max(30), HsCode).optional(),
    /** CEB311: the logistics company and the declaring enterprise the order names, by enterprise code. */
    logisticsCode: EnterpriseCode.optional(),
    agentCode: EnterpriseCode.optional(),
    /** CEB511: the platform of the orders, by enterprise code (the waybill names only the order number). */
    ebpCode: EnterpriseCode.optional(),
    /** CEB511: airports and shipper of the parcels (the hub's waybill names them; the message does not). */
    origin: IataAirportCode.optional(),
    destination: IataAirportCode.optional(),
    shipper: Party.optional(),
    /** CEB621: the order's payment transaction (the list names the order, not its payment). */
    payTransactionId: z.string().min(1).max(60).optional(),
    /** CEB621: the tax withheld and the discount of the order (lists carry neither; customs returns the tax in CEB816). */
    tax: Amount.optional(),
    discount: Amount.optional(),
  })
  .strict();
export type CebContext = z.infer<typeof CebContextSchema>;

type CebRecordType = "Order" | "Payment" | "Waybill" | "CustomsDeclaration";

/** One record of a message, before signing: `change` for appType 2 (the record's next version). */
export interface CebDraft<T extends CebRecordType = CebRecordType> {
  type: T;
  id: string;
  change: boolean;
  body: RecordBody<T>;
}

/** The code naming a message's sender, which must be the signer's (the platform's order, the payment firm's payment...). */
export const SENDER_CODE: Record<CebDeclarationType, string> = { CEB311: "ebpCode", CEB411: "payCode", CEB511: "logisticsCode", CEB621: "agentCode" };

const RECORD_OF: Record<CebDeclarationType, CebRecordType> = { CEB311: "Order", CEB411: "Payment", CEB511: "Waybill", CEB621: "CustomsDeclaration" };

/**
 * A record id in the signer's namespace (`owner:`, as the hub requires of new ids) from the kind and
 * the business key; a key not valid in an id (or too long) is replaced by its hash, under another
 * prefix so the two forms never collide.
 */
function recordIdOf(kind: string, owner: string, key: string): string {
  const plain = `${owner}:ceb-${kind}:${key}`;
  if (RecordIdSchema.safeParse(plain).success) return plain;
  return `${owner}:ceb-h-${kind}:${createHash("sha256").update(key, "utf8").digest("hex").slice(0, 40)}`;
}

/** Collects a body and, for each of its fields, the element it came from (so a refusal names the element). */
class BodyBuilder {
  readonly body: Record<string, unknown> = {};
  readonly sources = new Map<string, string>();

  set(path: string, value: unknown, element: string): void {
    const keys = path.split(".");
    let target: Record<string, unknown> | unknown[] = this.body;
    for (let i = 0; i < keys.length - 1; i++) {
      const k = keys[i]!;
      const next = /^\d+$/.test(keys[i + 1]!) ? [] : {};
      const t = target as Record<string, unknown>;
      t[k] ??= next;
      target = t[k] as Record<string, unknown>;
    }
    (target as Record<string, unknown>)[keys[keys.length - 1]!] = value;
    this.sources.set(path, element);
  }

  /** The element a schema issue at `path` is about: the longest recorded prefix of it, else `fallback`. */
  elementOf(path: string, fallback: string): string {
    for (let p = path; p !== ""; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
      const found = this.sources.get(p);
      if (found) return found;
    }
    return fallback;
  }
}

interface Converter {
  directory: CebDirectory;
  context: CebContext;
}

function orgOf(c: Converter, code: string, path: string): string {
  const org = Object.hasOwn(c.directory.enterprises, code) ? c.directory.enterprises[code] : undefined;
  if (!org) throw new CebMessageError(path, "directory", `the enterprise code ${code} is not in the hub's directory`);
  return org;
}

function areaOf(c: Converter, code: string, path: string, need: "customsOffice" | "port"): string {
  const area = Object.hasOwn(c.directory.customsAreas, code) ? c.directory.customsAreas[code] : undefined;
  const value = area?.[need];
  if (!value)
    throw new CebMessageError(path, "directory", `the customs area ${code} names no ${need === "port" ? "port" : "customs office"} in the hub's directory`);
  return value;
}

function needContext<K extends keyof CebContext>(c: Converter, key: K, type: CebDeclarationType): NonNullable<CebContext[K]> {
  const v = c.context[key];
  if (v === undefined) throw new CebMessageError(`context.${key}`, "context", `a ${type} message does not carry ${key}: the sender gives it as context`);
  return v as NonNullable<CebContext[K]>;
}

const code = <T>(f: Fields, name: string, of: (v: string) => T | undefined, what: string): T => {
  const v = of(f.get(name));
  if (v === undefined) throw new CebMessageError(f.pathOf(name), "code", `${name} ${f.get(name)} is not a ${what} code this hub knows`);
  return v;
};
const country = (f: Fields, name: string) => code(f, name, isoCountryOf, "JGS-20 country");
const currency = (f: Fields, name: string) => code(f, name, isoCurrencyOf, "JGS-20 currency");
const time = (f: Fields, name: string) => code(f, name, isoOfC14, "YYYYMMDDhhmmss time");
const day = (f: Fields, name: string) => code(f, name, isoOfC8, "YYYYMMDD date");
const idType = (f: Fields, name: string) => code(f, name, idTypeOf, "identity document type (1 identity card, 2 other)");
const num = (f: Fields, name: string) => Number(f.get(name));

/** Sets a numeric, code or text field from an element. */
function put(b: BodyBuilder, f: Fields, path: string, name: string, as: (f: Fields, name: string) => unknown = (x, n) => x.get(n)): void {
  b.set(path, as(f, name), f.pathOf(name));
}

function orderDraft(c: Converter, el: CebBusinessElement): BodyBuilder {
  const h = el.head;
  if (h.get("orderType") !== "I") throw new CebMessageError(h.pathOf("orderType"), "code", "a CEB311 order is an import order (orderType I)");
  const b = new BodyBuilder();
  put(b, h, "orderNumber", "orderNo");
  b.set("supervisionMode", needContext(c, "supervisionMode", "CEB311"), "context.supervisionMode");
  b.set("direction", "IMPORT", h.pathOf("orderType"));
  b.set("customsOffice", areaOf(c, needContext(c, "customsCode", "CEB311"), "context.customsCode", "customsOffice"), "context.customsCode");
  b.set("port", areaOf(c, needContext(c, "portCode", "CEB311"), "context.portCode", "port"), "context.portCode");
  b.set("destinationCountry", "CN", h.pathOf("orderType"));
  // The order carries no time of ordering: its report time (appTime) stands for it.
  put(b, h, "orderedAt", "appTime", time);
  put(b, h, "buyer.name", "buyerName");
  put(b, h, "buyer.idType", "buyerIdType", idType);
  put(b, h, "buyer.idNumber", "buyerIdNumber");
  put(b, h, "consignee.name", "consignee");
  put(b, h, "consignee.address", "consigneeAddress");
  b.set("consignee.country", "CN", h.pathOf("orderType"));
  put(b, h, "consignee.phone", "consigneeTelephone");
  const cur = currency(h, "currency");
  b.set("currency", cur, h.pathOf("currency"));
  el.lines.forEach((l, i) => goodsLine(c, b, l, i, cur, "itemName"));
  put(b, h, "goodsValue", "goodsValue", num);
  put(b, h, "freight", "freight", num);
  b.set("insurance", 0, h.path);
  put(b, h, "discount", "discount", num);
  put(b, h, "tax", "taxTotal", num);
  put(b, h, "total", "acturalPaid", num);
  const pay = h.opt("payCode");
  if (pay) b.set("paymentProvider", orgOf(c, pay, h.pathOf("payCode")), h.pathOf("payCode"));
  if (c.context.logisticsCode) b.set("logisticsProvider", orgOf(c, c.context.logisticsCode, "context.logisticsCode"), "context.logisticsCode");
  if (c.context.agentCode) b.set("declarant", orgOf(c, c.context.agentCode, "context.agentCode"), "context.agentCode");
  source(b, "CEB311", h, {
    ebpCode: h.get("ebpCode"),
    ebcCode: h.get("ebcCode"),
    customsCode: c.context.customsCode,
    portCode: c.context.portCode,
    payCode: pay,
  });
  return b;
}

/** One goods line of an order (HS code from the context) or of a list (its gcode). */
function goodsLine(c: Converter, b: BodyBuilder, l: Fields, i: number, cur: string, description: string): void {
  const at = `lines.${i}`;
  b.set(`${at}.lineNo`, Number(l.get("gnum")), l.pathOf("gnum"));
  if (l.opt("gcode") !== undefined) put(b, l, `${at}.hsCode`, "gcode");
  else {
    const item = l.opt("itemNo");
    const hs = item !== undefined && c.context.hsCodes && Object.hasOwn(c.context.hsCodes, item) ? c.context.hsCodes[item] : undefined;
    if (!hs)
      throw new CebMessageError(
        l.pathOf("itemNo"),
        "context",
        item === undefined
          ? "an order line carries no HS code: give its itemNo and the item's HS code in context.hsCodes"
          : `context.hsCodes has no HS code for item ${item}`,
      );
    b.set(`${at}.hsCode`, hs, l.pathOf("itemNo"));
  }
  put(b, l, `${at}.description`, description);
  put(b, l, `${at}.quantity`, "qty", num);
  // JGS-20 unit codes are kept as written: both documents of a case name units in them.
  put(b, l, `${at}.unit`, "unit");
  put(b, l, `${at}.unitPrice`, "price", num);
  put(b, l, `${at}.value`, "totalPrice", num);
  put(b, l, `${at}.originCountry`, "country", country);
  if (currency(l, "currency") !== cur) throw new CebMessageError(l.pathOf("currency"), "currency", "a line's currency is its head's currency");
}

function source(b: BodyBuilder, message: CebSource["message"], h: Fields, codes: Record<string, string | undefined>): void {
  b.set("ceb.message", message, h.path);
  b.set("ceb.guid", h.get("guid"), h.pathOf("guid"));
  b.set("ceb.codes", Object.fromEntries(Object.entries(codes).filter((e) => e[1] !== undefined)), h.path);
}

function paymentDraft(c: Converter, el: CebBusinessElement): BodyBuilder {
  const h = el.head;
  const b = new BodyBuilder();
  put(b, h, "transactionNumber", "payTransactionId");
  b.set("platform", orgOf(c, h.get("ebpCode"), h.pathOf("ebpCode")), h.pathOf("ebpCode"));
  put(b, h, "orderNumber", "orderNo");
  put(b, h, "payer.name", "payerName");
  put(b, h, "payer.idType", "payerIdType", idType);
  put(b, h, "payer.idNumber", "payerIdNumber");
  put(b, h, "amount", "amountPaid", num);
  put(b, h, "currency", "currency", currency);
  put(b, h, "paidAt", "payTime", time);
  source(b, "CEB411", h, { payCode: h.get("payCode"), ebpCode: h.get("ebpCode") });
  return b;
}

function waybillDraft(c: Converter, el: CebBusinessElement): BodyBuilder {
  const h = el.head;
  const b = new BodyBuilder();
  b.set("waybillType", "PARCEL", h.path);
  put(b, h, "waybillNumber", "logisticsNo");
  b.set("origin", needContext(c, "origin", "CEB511"), "context.origin");
  b.set("destination", needContext(c, "destination", "CEB511"), "context.destination");
  b.set("shipper", needContext(c, "shipper", "CEB511"), "context.shipper");
  put(b, h, "consignee.name", "consignee");
  b.set("consignee.country", "CN", h.path);
  put(b, h, "consignee.address", "consigneeAddress");
  put(b, h, "pieceCount", "packNo", num);
  b.set("grossWeight.value", num(h, "weight"), h.pathOf("weight"));
  b.set("grossWeight.unit", "KGM", h.pathOf("weight"));
  const info = h.opt("goodsInfo");
  if (info === undefined) throw new CebMessageError(h.pathOf("goodsInfo"), "required", "the hub's waybill describes its goods: give goodsInfo");
  put(b, h, "goodsDescription", "goodsInfo");
  put(b, h, "orderNumber", "orderNo");
  const ebp = needContext(c, "ebpCode", "CEB511");
  b.set("platform", orgOf(c, ebp, "context.ebpCode"), "context.ebpCode");
  source(b, "CEB511", h, { logisticsCode: h.get("logisticsCode"), ebpCode: ebp });
  return b;
}

function declarationDraft(c: Converter, el: CebBusinessElement): BodyBuilder {
  const h = el.head;
  if (h.get("ieFlag") !== "I") throw new CebMessageError(h.pathOf("ieFlag"), "code", "a CEB621 list is an import list (ieFlag I)");
  const b = new BodyBuilder();
  // The customs list number once customs assigned one, else the enterprise's own number.
  const number = h.opt("invtNo") ?? h.opt("copNo");
  if (number === undefined) throw new CebMessageError(h.pathOf("copNo"), "required", "a list names itself: give copNo (or invtNo once customs assigned it)");
  b.set("declarationNumber", number, h.pathOf(h.opt("invtNo") ? "invtNo" : "copNo"));
  put(b, h, "supervisionMode", "tradeMode");
  b.set("direction", "IMPORT", h.pathOf("ieFlag"));
  b.set("customsOffice", areaOf(c, h.get("customsCode"), h.pathOf("customsCode"), "customsOffice"), h.pathOf("customsCode"));
  b.set("port", areaOf(c, h.get("portCode"), h.pathOf("portCode"), "port"), h.pathOf("portCode"));
  b.set("destinationCountry", "CN", h.pathOf("ieFlag"));
  day(h, "declTime"); // checked; the report time is the declaration's time of day
  put(b, h, "declaredAt", "appTime", time);
  b.set("platform", orgOf(c, h.get("ebpCode"), h.pathOf("ebpCode")), h.pathOf("ebpCode"));
  put(b, h, "orderNumber", "orderNo");
  if (c.context.payTransactionId) b.set("paymentTransactionNumber", c.context.payTransactionId, "context.payTransactionId");
  put(b, h, "waybillNumber", "logisticsNo");
  put(b, h, "buyer.name", "buyerName");
  put(b, h, "buyer.idType", "buyerIdType", idType);
  put(b, h, "buyer.idNumber", "buyerIdNumber");
  const cur = currency(h, "currency");
  b.set("currency", cur, h.pathOf("currency"));
  el.lines.forEach((l, i) => goodsLine(c, b, l, i, cur, "gname"));
  // The list has no goods value, tax or total: the goods value is its lines', the tax the sender's.
  const goods = el.lines.reduce((s, l) => s + num(l, "totalPrice"), 0);
  const tax = needContext(c, "tax", "CEB621");
  const discount = c.context.discount ?? 0;
  b.set("goodsValue", roundAmount(goods), h.path);
  put(b, h, "freight", "freight", num);
  put(b, h, "insurance", "insuredFee", num);
  if (c.context.discount !== undefined) b.set("discount", discount, "context.discount");
  b.set("tax", tax, "context.tax");
  b.set("total", roundAmount(goods + num(h, "freight") + num(h, "insuredFee") + tax - discount), h.path);
  b.set("netWeight.value", num(h, "netWeight"), h.pathOf("netWeight"));
  b.set("netWeight.unit", "KGM", h.pathOf("netWeight"));
  source(b, "CEB621", h, {
    ebpCode: h.get("ebpCode"),
    ebcCode: h.get("ebcCode"),
    agentCode: h.get("agentCode"),
    logisticsCode: h.get("logisticsCode"),
    customsCode: h.get("customsCode"),
    portCode: h.get("portCode"),
    copNo: h.opt("copNo"),
    invtNo: h.opt("invtNo"),
  });
  return b;
}

function recordKey(type: CebDeclarationType, h: Fields, platform: string | undefined): [kind: string, key: string] {
  switch (type) {
    case "CEB311":
      return ["order", h.get("orderNo")];
    case "CEB411":
      return ["payment", h.get("payTransactionId")];
    case "CEB511":
      return ["waybill", h.get("logisticsNo")];
    case "CEB621":
      return ["list", `${platform}:${h.get("orderNo")}`];
  }
}

/**
 * The records of a declaration for `signer` (the organisation that will sign them), or a
 * CebMessageError naming the element (or the context field) at fault.
 */
export function cebDrafts(message: CebDeclaration, directory: CebDirectory, context: CebContext, signer: string): CebDraft[] {
  const c: Converter = { directory, context };
  const transfer = message.transfer;
  if (orgOf(c, transfer.get("copCode"), transfer.pathOf("copCode")) !== signer)
    throw new CebMessageError(transfer.pathOf("copCode"), "sender", `copCode ${transfer.get("copCode")} is not ${signer}'s enterprise code`);
  return message.elements.map((el) => {
    const h = el.head;
    const appType = h.get("appType");
    if (appType === "3")
      throw new CebMessageError(h.pathOf("appType"), "app-type", "a record is never deleted: appType 3 is refused (send a change, appType 2)");
    if (appType !== "1" && appType !== "2") throw new CebMessageError(h.pathOf("appType"), "code", "appType is 1 (new), 2 (change) or 3 (delete)");
    if (h.get("appStatus") !== "2")
      throw new CebMessageError(h.pathOf("appStatus"), "app-status", "only a declared message (appStatus 2) is published; 1 means saved, not declared");
    const senderField = SENDER_CODE[message.type];
    const sender = orgOf(c, h.get(senderField), h.pathOf(senderField));
    if (sender !== signer)
      throw new CebMessageError(h.pathOf(senderField), "sender", `${senderField} ${h.get(senderField)} is ${sender}'s code, not the signer's (${signer})`);
    const b =
      message.type === "CEB311"
        ? orderDraft(c, el)
        : message.type === "CEB411"
          ? paymentDraft(c, el)
          : message.type === "CEB511"
            ? waybillDraft(c, el)
            : declarationDraft(c, el);
    const type = RECORD_OF[message.type];
    const parsed = RECORD_TYPES[type].safeParse(b.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issue.path.map(String).join(".");
      throw new CebMessageError(b.elementOf(path, h.path), "record", `${issue.message} (the hub's ${type} ${path || "body"})`);
    }
    const [kind, key] = recordKey(message.type, h, typeof b.body.platform === "string" ? b.body.platform : undefined);
    return { type, id: recordIdOf(kind, signer, key), change: appType === "2", body: parsed.data } as CebDraft;
  });
}

/** Reads an import declaration's XML and converts it (cebDrafts). */
export function cebDraftsOf(xml: string, directory: CebDirectory, context: CebContext, signer: string): CebDraft[] {
  return cebDrafts(readCebDeclaration(xml), directory, context, signer);
}
