import { isReservedKey } from "../../json-shape";
import { EPCIS_CONTEXT } from "../document";
import {
  CBV_URN,
  CONTEXT_PREFIXES,
  bareWord,
  EPCIS_1_QUERY_XML_NS,
  EPCIS_1_XML_NS,
  EPCIS_QUERY_XML_NS,
  EPCIS_XML_NS,
  EPC_LISTS,
  EVENT_RANKS,
  PLACES,
  QUANTITY_LISTS,
  REQUIRED,
  SBDH_NS,
  SENSOR_METADATA_ATTRIBUTES,
  SENSOR_NUMBERS,
  SENSOR_REPORT_ATTRIBUTES,
  TEXT_FIELDS,
  isEventType,
  jsonIriOfNamespace,
  type EventType,
} from "./binding";
import { EpcisXmlError, XSI_NS, XML_NS, type XmlAttribute, type XmlElement } from "./tree";

/**
 * XML -> JSON-LD, per the EPCIS 2.0 XML binding: standard elements (no namespace) by their rules,
 * the 1.x `extension`/`baseExtension` wrappers unwrapped, and user extension elements (any other
 * namespace) as namespaced JSON-LD keys whose prefixes the produced @context declares.
 */

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isStandard = (el: { ns: string }) => el.ns === "" || el.ns === EPCIS_XML_NS || el.ns === EPCIS_1_XML_NS;
const fail = (el: { path: string }, rule: string, detail: string): never => {
  throw new EpcisXmlError(el.path, rule, detail);
};
const unknown = (el: XmlElement, where: string): never => fail(el, "unknown-element", `<${el.local}> is not an element of the EPCIS namespace ${where}`);

/** JSON-LD prefixes for the document's extension namespaces, declared in the produced @context. */
class Prefixes {
  private readonly byNs = new Map<string, string>();
  private readonly used = new Map<string, string>(Object.entries(CONTEXT_PREFIXES));
  readonly declared: Record<string, string> = {};

  keyOf(ns: string, prefix: string, local: string): string {
    return `${this.prefixOf(ns, prefix)}:${local}`;
  }

  private prefixOf(ns: string, written: string): string {
    const iri = jsonIriOfNamespace(ns);
    const known = this.byNs.get(iri);
    if (known !== undefined) return known;
    const standard = Object.entries(CONTEXT_PREFIXES).find(([, v]) => v === iri)?.[0];
    let prefix = standard;
    if (prefix === undefined) {
      // A usable JSON-LD prefix (not one that means something to JavaScript objects), else "ns".
      const base = /^[A-Za-z][\w.-]*$/.test(written) && !isReservedKey(written) ? written : "ns";
      prefix = base;
      for (let n = 2; this.used.has(prefix) && this.used.get(prefix) !== iri; n++) prefix = `${base}${n}`;
      this.declared[prefix] = iri;
    }
    this.used.set(prefix, iri);
    this.byNs.set(iri, prefix);
    return prefix;
  }
}

function ownAttributes(el: XmlElement): XmlAttribute[] {
  // xsi:type / xsi:nil / xsi:schemaLocation describe the XML, not the data (the binding is xsi:type-free).
  return el.attributes.filter((a) => a.ns !== XSI_NS && a.ns !== XML_NS);
}

function textOf(el: XmlElement): string {
  if (el.children.length > 0) fail(el.children[0]!, "simple-content", `<${el.local}> holds text, not elements`);
  return el.text.trim();
}

function requiredText(el: XmlElement): string {
  const text = textOf(el);
  if (text === "") fail(el, "required-value", `<${el.local}> is empty`);
  return text;
}

function noAttributes(el: XmlElement, allowed: readonly string[] = []): void {
  for (const a of ownAttributes(el))
    if (a.ns === "" && !allowed.includes(a.local)) fail(el, "unknown-attribute", `<${el.local}> has no attribute '${a.local}'`);
}

const DATE_TIME = /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const DOUBLE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function dateTime(el: XmlElement, value: string): string {
  if (!DATE_TIME.test(value)) fail(el, "dateTimeStamp", `'${value}' is not a date-time with a time zone (xsd:dateTimeStamp)`);
  return value;
}

export class XmlReader {
  private readonly prefixes = new Prefixes();

  document(root: XmlElement): Obj {
    const query = (root.ns === EPCIS_QUERY_XML_NS || root.ns === EPCIS_1_QUERY_XML_NS) && root.local === "EPCISQueryDocument";
    if (!query && (!(root.ns === EPCIS_XML_NS || root.ns === EPCIS_1_XML_NS) || root.local !== "EPCISDocument"))
      fail(
        root,
        "document-element",
        `the document element is {${EPCIS_XML_NS}}EPCISDocument (or {${EPCIS_QUERY_XML_NS}}EPCISQueryDocument), not {${root.ns}}${root.local}`,
      );
    const attr = (name: string) => root.attributes.find((a) => a.ns === "" && a.local === name)?.value.trim();
    noAttributes(root, ["schemaVersion", "creationDate"]);
    const schemaVersion = attr("schemaVersion");
    const creationDate = attr("creationDate");
    if (!schemaVersion) fail(root, "required-attribute", "EPCISDocument needs a schemaVersion attribute");
    if (!creationDate) fail(root, "required-attribute", "EPCISDocument needs a creationDate attribute");
    dateTime(root, creationDate!);
    const doc: Obj = { "@context": [], type: query ? "EPCISQueryDocument" : "EPCISDocument", schemaVersion: schemaVersion!, creationDate: creationDate! };
    this.qualifiedAttributes(root, doc);
    let body: XmlElement | undefined;
    let last = -1;
    const order = ["EPCISHeader", "EPCISBody", "extension"];
    for (const child of root.children) {
      if (!isStandard(child)) {
        this.extensionInto(doc, child);
        continue;
      }
      const r = order.indexOf(child.local);
      if (r < 0) unknown(child, "in EPCISDocument");
      if (r <= last) fail(child, "sequence", `<${child.local}> is out of order or repeated (EPCISHeader, EPCISBody, extension)`);
      last = r;
      if (child.local === "EPCISHeader") this.header(child, doc);
      else if (child.local === "EPCISBody") body = child;
      else if (child.children.length > 0) unknown(child.children[0]!, "in EPCISDocument/extension");
    }
    if (body === undefined) fail(root, "required-element", "EPCISDocument needs an EPCISBody");
    doc.epcisBody = query ? { queryResults: this.queryResults(body!) } : { eventList: this.body(body!) };
    const context: Json[] = [EPCIS_CONTEXT];
    if (Object.keys(this.prefixes.declared).length > 0) context.push({ ...this.prefixes.declared });
    doc["@context"] = context;
    return doc;
  }

  private header(el: XmlElement, doc: Obj): void {
    for (const child of el.children) {
      if (child.ns === SBDH_NS && child.local === "StandardBusinessDocumentHeader") this.sbdh(child, doc);
      else if (isStandard(child) && child.local === "extension") {
        for (const c of child.children) {
          if (isStandard(c) && c.local === "EPCISMasterData") doc.epcisHeader = { epcisMasterData: this.masterData(c) };
          else if (isStandard(c) && c.local === "extension" && c.children.length === 0) continue;
          else unknown(c, "in EPCISHeader/extension");
        }
      } else if (isStandard(child) && child.local === "EPCISMasterData") doc.epcisHeader = { epcisMasterData: this.masterData(child) };
      else if (isStandard(child)) unknown(child, "in EPCISHeader");
      else this.extensionInto(doc, child);
    }
  }

  /** The Standard Business Document Header's sender, receiver and instance identifier (the JSON binding's document fields). */
  private sbdh(el: XmlElement, doc: Obj): void {
    const find = (parent: XmlElement | undefined, name: string) => parent?.children.find((c) => c.ns === SBDH_NS && c.local === name);
    const sender = find(find(el, "Sender"), "Identifier");
    const receiver = find(find(el, "Receiver"), "Identifier");
    const instance = find(find(el, "DocumentIdentification"), "InstanceIdentifier");
    if (sender) doc.sender = requiredText(sender);
    if (receiver) doc.receiver = requiredText(receiver);
    if (instance) doc.instanceIdentifier = requiredText(instance);
  }

  private masterData(el: XmlElement): Obj {
    const vocabularyList: Json[] = [];
    for (const child of el.children) {
      if (!isStandard(child)) fail(child, "unknown-element", `<${child.local}> is not allowed in EPCISMasterData`);
      if (child.local === "extension") continue;
      if (child.local !== "VocabularyList") unknown(child, "in EPCISMasterData");
      for (const voc of child.children) {
        if (!isStandard(voc) || voc.local !== "Vocabulary") unknown(voc, "in VocabularyList");
        const type = voc.attributes.find((a) => a.ns === "" && a.local === "type")?.value.trim();
        if (!type) fail(voc, "required-attribute", "a Vocabulary needs a type attribute");
        const vocabulary: Obj = { type: type! };
        for (const list of voc.children) {
          if (!isStandard(list)) {
            this.extensionInto(vocabulary, list);
            continue;
          }
          if (list.local === "extension") continue;
          if (list.local !== "VocabularyElementList") unknown(list, "in Vocabulary");
          vocabulary.vocabularyElementList = list.children.map((ve) => this.vocabularyElement(ve));
        }
        vocabularyList.push(vocabulary);
      }
    }
    return { vocabularyList };
  }

  private vocabularyElement(ve: XmlElement): Obj {
    if (!isStandard(ve) || ve.local !== "VocabularyElement") unknown(ve, "in VocabularyElementList");
    const id = ve.attributes.find((a) => a.ns === "" && a.local === "id")?.value.trim();
    if (!id) fail(ve, "required-attribute", "a VocabularyElement needs an id attribute");
    const out: Obj = { id: id! };
    const attributes: Json[] = [];
    for (const c of ve.children) {
      if (!isStandard(c)) {
        this.extensionInto(out, c);
        continue;
      }
      if (c.local === "attribute") {
        const attrId = c.attributes.find((a) => a.ns === "" && a.local === "id")?.value.trim();
        if (!attrId) fail(c, "required-attribute", "an attribute needs an id attribute");
        // Mixed content: text, or elements (which read like user extensions).
        const value: Json = c.children.length === 0 ? c.text.trim() : this.extensionObject(c);
        attributes.push({ id: attrId!, attribute: value });
      } else if (c.local === "children") {
        out.children = c.children.map((idEl) => (isStandard(idEl) && idEl.local === "id" ? requiredText(idEl) : unknown(idEl, "in children")));
      } else if (c.local !== "extension") unknown(c, "in VocabularyElement");
    }
    if (attributes.length > 0) out.attributes = attributes;
    return out;
  }

  private body(el: XmlElement): Json[] {
    const events: Json[] = [];
    for (const child of el.children) {
      if (!isStandard(child)) fail(child, "unknown-element", "extension elements in EPCISBody have no JSON-LD counterpart");
      if (child.local === "EventList") for (const e of child.children) this.eventListEntry(e, events);
      else if (child.local !== "extension" || child.children.length > 0) unknown(child, "in EPCISBody");
    }
    return events;
  }

  /** EPCISBody of a query document: QueryResults (queryName, subscriptionID?, resultsBody/EventList). */
  private queryResults(body: XmlElement): Obj {
    const isQuery = (el: XmlElement, local: string) => (el.ns === EPCIS_QUERY_XML_NS || el.ns === EPCIS_1_QUERY_XML_NS) && el.local === local;
    const results = body.children.find((c) => isQuery(c, "QueryResults"));
    for (const c of body.children) if (c !== results) unknown(c, "in the EPCISBody of a query document");
    if (results === undefined) fail(body, "required-element", "a query document's EPCISBody holds QueryResults");
    const out: Obj = {};
    for (const c of results!.children) {
      if (!isStandard(c)) this.extensionInto(out, c);
      else if (c.local === "queryName" || c.local === "subscriptionID") out[c.local] = requiredText(c);
      else if (c.local === "resultsBody") {
        const events: Json[] = [];
        for (const list of c.children) {
          if (!isStandard(list) || list.local !== "EventList") unknown(list, "in resultsBody");
          for (const e of list.children) this.eventListEntry(e, events);
        }
        out.resultsBody = { eventList: events };
      } else if (c.local !== "extension" || c.children.length > 0) unknown(c, "in QueryResults");
    }
    if (out.queryName === undefined) fail(results!, "required-element", "QueryResults needs <queryName>");
    return out;
  }

  /** An event, or a 1.x `<extension>` of the event list holding events (TransformationEvent in 1.1/1.2). */
  private eventListEntry(el: XmlElement, events: Json[]): void {
    if (!isStandard(el)) fail(el, "unknown-element", `<${el.prefix ? `${el.prefix}:` : ""}${el.local}> is not an EPCIS event`);
    if (el.local === "extension") {
      for (const c of el.children) this.eventListEntry(c, events);
      return;
    }
    if (!isEventType(el.local))
      fail(
        el,
        "unknown-element",
        `<${el.local}> is not an EPCIS 2.0 event type (ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent)`,
      );
    events.push(this.event(el, el.local as EventType));
  }

  private event(el: XmlElement, type: EventType): Obj {
    const out: Obj = { type };
    this.qualifiedAttributes(el, out);
    noAttributes(el);
    const ranks = EVENT_RANKS[type];
    let last = -1;
    const seen = new Set<string>();
    const visit = (child: XmlElement, wrapped: boolean) => {
      if (!isStandard(child)) {
        this.extensionInto(out, child);
        return;
      }
      const name = child.local;
      const rank = ranks.get(name);
      if (rank === undefined && !(wrapped && name === "extension")) unknown(child, `in ${type}`);
      // The XSD's sequence, for the elements outside the 1.x wrappers.
      if (!wrapped) {
        if (rank! < last) fail(child, "sequence", `<${name}> comes too late in ${type} (the XSD's order)`);
        last = rank!;
      }
      if (name === "extension" || name === "baseExtension") {
        for (const c of child.children) visit(c, true);
        return;
      }
      if (seen.has(name) && name !== "certificationInfo") fail(child, "repeated-element", `<${name}> appears more than once in ${type}`);
      seen.add(name);
      this.field(out, child);
    };
    for (const child of el.children) visit(child, false);
    for (const name of ["eventTime", "eventTimeZoneOffset", ...REQUIRED[type]]) if (!seen.has(name)) fail(el, "required-element", `a ${type} needs <${name}>`);
    return out;
  }

  private field(out: Obj, el: XmlElement): void {
    const name = el.local;
    noAttributes(el);
    if (TEXT_FIELDS.has(name)) {
      const text = requiredText(el);
      if (name === "eventTime" || name === "recordTime") dateTime(el, text);
      if (name === "eventTimeZoneOffset" && !/^[+-]\d\d:\d\d$/.test(text))
        fail(el, "time-zone-offset", `'${text}' is not a time zone offset (+hh:mm or -hh:mm)`);
      if (name === "action" && !["ADD", "OBSERVE", "DELETE"].includes(text)) fail(el, "action", `'${text}' is not ADD, OBSERVE or DELETE`);
      if (name === "certificationInfo") {
        const prior = out.certificationInfo;
        out.certificationInfo = prior === undefined ? text : Array.isArray(prior) ? [...prior, text] : [prior, text];
      } else if (name === "bizStep") out[name] = bareWord(text, CBV_URN.bizStep);
      else if (name === "disposition") out[name] = bareWord(text, CBV_URN.disposition);
      else out[name] = text;
    } else if (EPC_LISTS.has(name)) out[name] = this.list(el, "epc", requiredText);
    else if (QUANTITY_LISTS.has(name)) out[name] = this.list(el, "quantityElement", (q) => this.quantity(q));
    else if (PLACES.has(name)) out[name] = this.place(el);
    else if (name === "bizTransactionList")
      out[name] = this.list(el, "bizTransaction", (b) => this.typed(b, "bizTransaction", false, CBV_URN.bizTransactionType));
    else if (name === "sourceList") out[name] = this.list(el, "source", (s) => this.typed(s, "source", true, CBV_URN.sourceDestType));
    else if (name === "destinationList") out[name] = this.list(el, "destination", (d) => this.typed(d, "destination", true, CBV_URN.sourceDestType));
    else if (name === "sensorElementList") out[name] = this.list(el, "sensorElement", (s) => this.sensorElement(s), true);
    else if (name === "persistentDisposition") out[name] = this.persistentDisposition(el);
    else if (name === "ilmd") out[name] = this.extensionsOnly(el, "ilmd");
    else if (name === "errorDeclaration") out[name] = this.errorDeclaration(el);
    else unknown(el, "here");
  }

  /** A list element holding only `member` elements (and, where the XSD has one, an empty `extension`). */
  private list<T extends Json>(el: XmlElement, member: string, read: (m: XmlElement) => T, extensible = false): T[] {
    if (el.text.trim() !== "") fail(el, "element-content", `<${el.local}> holds <${member}> elements, not text`);
    const out: T[] = [];
    for (const c of el.children) {
      if (isStandard(c) && c.local === member) out.push(read(c));
      else if (extensible && isStandard(c) && c.local === "extension" && c.children.length === 0) continue;
      else fail(c, "unknown-element", `<${el.local}> holds only <${member}> elements, not <${c.local}>`);
    }
    return out;
  }

  private quantity(el: XmlElement): Obj {
    const out: Obj = {};
    const order = ["epcClass", "quantity", "uom"];
    let last = -1;
    for (const c of el.children) {
      const r = isStandard(c) ? order.indexOf(c.local) : -1;
      if (r < 0) fail(c, "unknown-element", `a quantityElement holds epcClass, quantity and uom, not <${c.local}>`);
      if (r <= last) fail(c, "sequence", `<${c.local}> is out of order or repeated (epcClass, quantity, uom)`);
      last = r;
      if (c.local === "quantity") {
        const nil = c.attributes.some((a) => a.ns === XSI_NS && a.local === "nil" && /^(true|1)$/.test(a.value.trim()));
        if (nil) continue;
        const text = requiredText(c);
        if (!DECIMAL.test(text)) fail(c, "decimal", `'${text}' is not a decimal number (xsd:decimal)`);
        out.quantity = Number(text);
      } else out[c.local] = requiredText(c);
    }
    if (out.epcClass === undefined) fail(el, "required-element", "a quantityElement needs <epcClass>");
    return out;
  }

  private place(el: XmlElement): Obj {
    const out: Obj = {};
    for (const c of el.children) {
      if (!isStandard(c)) this.extensionInto(out, c);
      else if (c.local === "id" && out.id === undefined) out.id = requiredText(c);
      else if (c.local === "extension" && c.children.length === 0) continue;
      else unknown(c, `in ${el.local}`);
    }
    if (out.id === undefined) fail(el, "required-element", `<${el.local}> needs <id>`);
    return out;
  }

  private typed(el: XmlElement, member: string, typeRequired: boolean, vocabulary: string): Obj {
    noAttributes(el, ["type"]);
    const type = el.attributes.find((a) => a.ns === "" && a.local === "type")?.value.trim();
    if (typeRequired && !type) fail(el, "required-attribute", `<${member}> needs a type attribute`);
    const out: Obj = {};
    if (type) out.type = bareWord(type, vocabulary);
    out[member] = requiredText(el);
    return out;
  }

  private sensorElement(el: XmlElement): Obj {
    const out: Obj = {};
    const reports: Json[] = [];
    for (const c of el.children) {
      if (!isStandard(c)) this.extensionInto(out, c);
      else if (c.local === "sensorMetadata" && out.sensorMetadata === undefined && reports.length === 0)
        out.sensorMetadata = this.sensorAttributes(c, SENSOR_METADATA_ATTRIBUTES);
      else if (c.local === "sensorReport") reports.push(this.sensorAttributes(c, SENSOR_REPORT_ATTRIBUTES));
      else if (c.local === "extension" && c.children.length === 0) continue;
      else
        fail(
          c,
          c.local === "sensorMetadata" ? "sequence" : "unknown-element",
          `<${c.local}> is not allowed here in a sensorElement (sensorMetadata?, sensorReport+)`,
        );
    }
    if (reports.length === 0) fail(el, "required-element", "a sensorElement needs at least one <sensorReport>");
    out.sensorReport = reports;
    return out;
  }

  /** sensorMetadata / sensorReport: everything is in attributes (qualified ones are user extensions). */
  private sensorAttributes(el: XmlElement, names: readonly string[]): Obj {
    if (el.children.length > 0 || el.text.trim() !== "") fail(el, "empty-element", `<${el.local}> carries its data in attributes only`);
    const out: Obj = {};
    for (const a of ownAttributes(el)) {
      if (a.ns !== "") {
        out[this.prefixes.keyOf(a.ns, a.prefix, a.local)] = a.value;
        continue;
      }
      if (!names.includes(a.local)) fail(el, "unknown-attribute", `<${el.local}> has no attribute '${a.local}'`);
      const v = a.value.trim();
      if (SENSOR_NUMBERS.has(a.local)) {
        if (!DOUBLE.test(v)) fail(el, "double", `@${a.local} '${v}' is not a number (xsd:double)`);
        out[a.local] = Number(v);
      } else if (a.local === "booleanValue") {
        if (!/^(true|false|1|0)$/.test(v)) fail(el, "boolean", `@booleanValue '${v}' is not a boolean`);
        out[a.local] = v === "true" || v === "1";
      } else {
        if (["time", "startTime", "endTime"].includes(a.local)) dateTime(el, v);
        out[a.local] = v;
      }
    }
    return out;
  }

  private persistentDisposition(el: XmlElement): Obj {
    const set: string[] = [];
    const unset: string[] = [];
    for (const c of el.children) {
      if (isStandard(c) && c.local === "set") set.push(bareWord(requiredText(c), CBV_URN.disposition));
      else if (isStandard(c) && c.local === "unset") unset.push(bareWord(requiredText(c), CBV_URN.disposition));
      else fail(c, "unknown-element", `persistentDisposition holds set and unset, not <${c.local}>`);
    }
    const out: Obj = {};
    if (set.length > 0) out.set = set;
    if (unset.length > 0) out.unset = unset;
    return out;
  }

  private errorDeclaration(el: XmlElement): Obj {
    const out: Obj = {};
    for (const c of el.children) {
      if (!isStandard(c)) this.extensionInto(out, c);
      else if (c.local === "declarationTime" && out.declarationTime === undefined) out.declarationTime = dateTime(c, requiredText(c));
      else if (c.local === "reason" && out.reason === undefined) out.reason = bareWord(requiredText(c), CBV_URN.errorReason);
      else if (c.local === "correctiveEventIDs" && out.correctiveEventIDs === undefined)
        out.correctiveEventIDs = this.list(c, "correctiveEventID", requiredText);
      else if (c.local === "extension" && c.children.length === 0) continue;
      else
        fail(
          c,
          c.local === "declarationTime" || c.local === "reason" || c.local === "correctiveEventIDs" ? "repeated-element" : "unknown-element",
          `<${c.local}> is not allowed here in errorDeclaration`,
        );
    }
    if (out.declarationTime === undefined) fail(el, "required-element", "an errorDeclaration needs <declarationTime>");
    return out;
  }

  /** An element whose content is only user extensions (ilmd). */
  private extensionsOnly(el: XmlElement, name: string): Obj {
    const out: Obj = {};
    for (const c of el.children) {
      if (!isStandard(c)) this.extensionInto(out, c);
      else if (c.local === "extension") {
        for (const inner of c.children) {
          if (isStandard(inner)) unknown(inner, `in ${name}/extension`);
          else this.extensionInto(out, inner);
        }
      } else unknown(c, `in ${name}`);
    }
    return out;
  }

  private qualifiedAttributes(el: XmlElement, out: Obj): void {
    for (const a of ownAttributes(el)) if (a.ns !== "") out[this.prefixes.keyOf(a.ns, a.prefix, a.local)] = a.value;
  }

  /** A user extension element as `prefix:local`; a name that repeats becomes an array, in document order. */
  private extensionInto(out: Obj, el: XmlElement): void {
    const key = this.prefixes.keyOf(el.ns, el.prefix, el.local);
    const value = this.extensionValue(el);
    // Extension values are text or objects, never arrays: an array here was built from repetition.
    const prior = out[key];
    if (prior === undefined) out[key] = value;
    else if (Array.isArray(prior)) prior.push(value);
    else out[key] = [prior, value];
  }

  private extensionValue(el: XmlElement): Json {
    const attributes = ownAttributes(el);
    if (el.children.length === 0 && attributes.length === 0) return el.text.trim();
    return this.extensionObject(el);
  }

  /** Children (and attributes) as keys; the element's own text, if any beside them, under "#text". */
  private extensionObject(el: XmlElement): Obj {
    const out: Obj = {};
    for (const a of ownAttributes(el)) {
      // An unqualified attribute belongs to its element: it takes the element's namespace as a key.
      const ns = a.ns === "" ? el.ns : a.ns;
      if (ns === "") fail(el, "namespace", `the attribute '${a.local}' has no namespace to name it by in JSON-LD`);
      out[this.prefixes.keyOf(ns, a.ns === "" ? el.prefix : a.prefix, a.local)] = a.value;
    }
    for (const c of el.children) {
      if (c.ns === "") fail(c, "namespace", `<${c.local}> inside a user extension has no namespace to name it by in JSON-LD`);
      this.extensionInto(out, c);
    }
    const text = el.text.trim();
    if (text !== "") out["#text"] = text;
    return out;
  }
}
