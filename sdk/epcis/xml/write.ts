import {
  CBV_COMPONENT,
  CBV_URN,
  CONTEXT_PREFIXES,
  EPCIS_QUERY_XML_NS,
  EPCIS_XML_NS,
  EPC_LISTS,
  EVENT_FIELD_ORDER,
  GS1_VOC_PREFIX,
  PLACES,
  QUANTITY_LISTS,
  REQUIRED,
  SBDH_NS,
  SENSOR_METADATA_ATTRIBUTES,
  SENSOR_REPORT_ATTRIBUTES,
  TEXT_FIELDS,
  isEventType,
  namespaceOfJsonIri,
  vocabularyUri,
  type EventType,
} from "./binding";
import { EpcisXmlError, buildXml } from "./tree";

/**
 * JSON-LD -> XML, per the EPCIS 2.0 XML binding: each event's elements in the XSD's order, CBV
 * bare words as their URNs, namespaced JSON-LD keys as elements of the namespace their context
 * prefix names (declared on the document element, or on the event for an event's own @context).
 * XML attributes on extension elements are not produced (a JSON-LD key cannot say it was one).
 */

type Node = Record<string, unknown>;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const text = (v: string): Node => ({ "#text": v });
const element = (name: string, children: Node[] = [], attributes?: Record<string, string>): Node =>
  attributes && Object.keys(attributes).length > 0
    ? { [name]: children, ":@": Object.fromEntries(Object.entries(attributes).map(([k, v]) => [`@_${k}`, v])) }
    : { [name]: children };

const fail = (path: string, rule: string, detail: string): never => {
  throw new EpcisXmlError(path, rule, detail);
};

function scalar(v: unknown, path: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "boolean") return String(v);
  return fail(path, "simple-value", `expected text, a number or a boolean, got ${JSON.stringify(v)?.slice(0, 60)}`);
}

/** prefix -> IRI from a JSON-LD @context (its object entries mapping a term to an IRI string). */
function contextPrefixes(context: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of asList(context))
    if (isObj(c)) for (const [k, v] of Object.entries(c)) if (typeof v === "string" && !k.startsWith("@") && /^[A-Za-z][\w+.-]*:/.test(v)) out[k] = v;
  return out;
}

/** Namespace bindings: which prefixes the written elements used, to declare them. */
class Namespaces {
  private readonly declared = new Map<string, string>();
  private generated = 0;

  constructor(private readonly prefixes: Record<string, string>) {}

  /** This scope with an event's own @context on top. */
  child(context: unknown): Namespaces {
    return new Namespaces({ ...this.prefixes, ...contextPrefixes(context) });
  }

  /** The XML qualified name of a JSON-LD key `prefix:local` (or an absolute IRI). */
  qname(key: string, path: string): string {
    const m = /^([A-Za-z][\w.-]*):(.+)$/.exec(key);
    if (m && !m[2]!.startsWith("//") && Object.hasOwn(this.prefixes, m[1]!)) {
      this.declare(m[1]!, namespaceOfJsonIri(this.prefixes[m[1]!]!));
      if (!/^[A-Za-z_][\w.-]*$/.test(m[2]!)) fail(path, "xml-name", `'${m[2]}' cannot be an XML element name`);
      return key;
    }
    const iri = /^(.*[/#])([A-Za-z_][\w.-]*)$/.exec(key);
    if (iri && /^[a-z][a-z0-9+.-]*:/i.test(key)) {
      const prefix = this.prefixFor(iri[1]!);
      return `${prefix}:${iri[2]}`;
    }
    return fail(
      path,
      "no-namespace",
      m
        ? `the prefix '${m[1]}' is not declared in @context`
        : `'${key}' is neither an EPCIS field nor a namespaced key (prefix:name): XML has no element for it`,
    );
  }

  private prefixFor(ns: string): string {
    for (const [p, v] of this.declared) if (v === ns) return p;
    let p: string;
    do p = `ns${++this.generated}`;
    while (Object.hasOwn(this.prefixes, p) || this.declared.has(p));
    this.declared.set(p, ns);
    return p;
  }

  private declare(prefix: string, ns: string) {
    this.declared.set(prefix, ns);
  }

  /** xmlns attributes for what was used, leaving out what `outer` already declares alike. */
  declarations(outer?: Namespaces): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [p, ns] of this.declared) if (outer?.declared.get(p) !== ns) out[`xmlns:${p}`] = ns;
    return out;
  }

  /** Moves the bindings this (event) scope shares with `outer` up to it. */
  hoistInto(outer: Namespaces): void {
    for (const [p, ns] of this.declared) if (outer.prefixes[p] === this.prefixes[p] && !outer.declared.has(p)) outer.declared.set(p, ns);
  }
}

class XmlWriter {
  constructor(private readonly ns: Namespaces) {}

  /** Extension members of `obj` (those not in `known`) as elements. */
  extensions(obj: Obj, known: ReadonlySet<string>, path: string): Node[] {
    const out: Node[] = [];
    for (const [k, v] of Object.entries(obj)) {
      if (known.has(k) || k.startsWith("@")) continue;
      out.push(...this.extension(k, v, `${path}.${k}`));
    }
    return out;
  }

  extension(key: string, v: unknown, path: string): Node[] {
    if (Array.isArray(v)) return v.flatMap((item, i) => this.extension(key, item, `${path}.${i}`));
    const name = this.ns.qname(key, path);
    if (v === null || v === undefined) return [element(name)];
    if (!isObj(v)) return [element(name, [text(scalar(v, path))])];
    const own = v["@value"] ?? v["#text"];
    const children: Node[] = own === undefined ? [] : [text(scalar(own, path))];
    for (const [k, inner] of Object.entries(v)) if (k !== "#text" && !k.startsWith("@")) children.push(...this.extension(k, inner, `${path}.${k}`));
    return [element(name, children)];
  }

  event(e: Obj, path: string): Node {
    const type = e.type;
    if (typeof type !== "string" || !isEventType(type)) return fail(`${path}.type`, "event-type", `'${String(type)}' is not an EPCIS 2.0 event type`);
    const children: Node[] = [];
    for (const field of EVENT_FIELD_ORDER[type as EventType]) {
      const v = e[field];
      if (v === undefined || v === null) {
        if (EPC_LISTS.has(field) && REQUIRED[type as EventType].includes(field)) children.push(element(field));
        continue;
      }
      children.push(...this.field(field, v, `${path}.${field}`));
    }
    children.push(...this.extensions(e, KNOWN_EVENT_KEYS, path));
    return element(type, children);
  }

  private field(name: string, v: unknown, path: string): Node[] {
    if (TEXT_FIELDS.has(name)) {
      const vocabulary = name === "bizStep" ? CBV_URN.bizStep : name === "disposition" ? CBV_URN.disposition : undefined;
      return asList(v).map((item, i) => {
        const s = scalar(item, `${path}${Array.isArray(v) ? `.${i}` : ""}`);
        return element(name, [text(vocabulary ? vocabularyUri(s, vocabulary) : s)]);
      });
    }
    if (EPC_LISTS.has(name))
      return [
        element(
          name,
          asList(v).map((epc, i) => element("epc", [text(scalar(epc, `${path}.${i}`))])),
        ),
      ];
    if (QUANTITY_LISTS.has(name))
      return [
        element(
          name,
          asList(v).map((q, i) => this.quantity(q, `${path}.${i}`)),
        ),
      ];
    if (PLACES.has(name)) {
      if (!isObj(v)) return fail(path, "object", `${name} is an object with an id`);
      return [element(name, [element("id", [text(scalar(v.id, `${path}.id`))]), ...this.extensions(v, new Set(["id"]), path)])];
    }
    if (name === "bizTransactionList") return [element(name, this.typed(v, "bizTransaction", CBV_URN.bizTransactionType, path))];
    if (name === "sourceList") return [element(name, this.typed(v, "source", CBV_URN.sourceDestType, path))];
    if (name === "destinationList") return [element(name, this.typed(v, "destination", CBV_URN.sourceDestType, path))];
    if (name === "sensorElementList")
      return [
        element(
          name,
          asList(v).map((s, i) => this.sensorElement(s, `${path}.${i}`)),
        ),
      ];
    if (name === "persistentDisposition") {
      if (!isObj(v)) return fail(path, "object", "persistentDisposition is an object with set and unset");
      const list = (member: "set" | "unset") =>
        asList(v[member]).map((d, i) => element(member, [text(vocabularyUri(scalar(d, `${path}.${member}.${i}`), CBV_URN.disposition))]));
      return [element(name, [...list("unset"), ...list("set")])];
    }
    if (name === "ilmd") {
      if (!isObj(v)) return fail(path, "object", "ilmd is an object");
      return [element(name, this.extensions(v, new Set(), path))];
    }
    if (name === "errorDeclaration") {
      if (!isObj(v)) return fail(path, "object", "errorDeclaration is an object");
      const children: Node[] = [element("declarationTime", [text(scalar(v.declarationTime, `${path}.declarationTime`))])];
      if (v.reason !== undefined) children.push(element("reason", [text(vocabularyUri(scalar(v.reason, `${path}.reason`), CBV_URN.errorReason))]));
      if (v.correctiveEventIDs !== undefined)
        children.push(
          element(
            "correctiveEventIDs",
            asList(v.correctiveEventIDs).map((id, i) => element("correctiveEventID", [text(scalar(id, `${path}.correctiveEventIDs.${i}`))])),
          ),
        );
      children.push(...this.extensions(v, new Set(["declarationTime", "reason", "correctiveEventIDs"]), path));
      return [element(name, children)];
    }
    return fail(path, "unknown-field", `${name} has no XML element`);
  }

  private quantity(q: unknown, path: string): Node {
    if (!isObj(q)) return fail(path, "object", "a quantity element is an object");
    const children = [element("epcClass", [text(scalar(q.epcClass, `${path}.epcClass`))])];
    if (q.quantity !== undefined && q.quantity !== null) children.push(element("quantity", [text(scalar(q.quantity, `${path}.quantity`))]));
    if (q.uom !== undefined && q.uom !== null) {
      if (q.quantity === undefined || q.quantity === null) fail(`${path}.uom`, "sequence", "a uom needs a quantity (XSD: quantity, then uom)");
      children.push(element("uom", [text(scalar(q.uom, `${path}.uom`))]));
    }
    return element("quantityElement", children);
  }

  private typed(list: unknown, member: string, vocabulary: string, path: string): Node[] {
    return asList(list).map((t, i) => {
      const p = `${path}.${i}`;
      if (!isObj(t)) return fail(p, "object", `a ${member} is an object`);
      const attributes = t.type === undefined ? undefined : { type: vocabularyUri(scalar(t.type, `${p}.type`), vocabulary) };
      return element(member, [text(scalar(t[member], `${p}.${member}`))], attributes);
    });
  }

  private sensorElement(s: unknown, path: string): Node {
    if (!isObj(s)) return fail(path, "object", "a sensorElement is an object");
    const children: Node[] = [];
    if (s.sensorMetadata !== undefined)
      children.push(element("sensorMetadata", [], this.sensorAttributes(s.sensorMetadata, SENSOR_METADATA_ATTRIBUTES, `${path}.sensorMetadata`)));
    for (const [i, r] of asList(s.sensorReport).entries())
      children.push(element("sensorReport", [], this.sensorAttributes(r, SENSOR_REPORT_ATTRIBUTES, `${path}.sensorReport.${i}`)));
    children.push(...this.extensions(s, new Set(["sensorMetadata", "sensorReport"]), path));
    return element("sensorElement", children);
  }

  private sensorAttributes(o: unknown, names: readonly string[], path: string): Record<string, string> {
    if (!isObj(o)) return fail(path, "object", "sensor metadata and reports are objects");
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k.startsWith("@")) continue;
      const value = scalar(v, `${path}.${k}`);
      if (names.includes(k)) {
        out[k] = k === "type" || k === "exception" ? vocabularyUri(value, GS1_VOC_PREFIX) : k === "component" ? vocabularyUri(value, CBV_COMPONENT) : value;
      } else out[this.ns.qname(k, `${path}.${k}`)] = value;
    }
    return out;
  }

  masterData(md: unknown, path: string): Node {
    if (!isObj(md)) return fail(path, "object", "epcisMasterData is an object");
    const vocabularies = asList(md.vocabularyList).map((voc, i) => {
      const p = `${path}.vocabularyList.${i}`;
      if (!isObj(voc)) return fail(p, "object", "a vocabulary is an object");
      const elements = asList(voc.vocabularyElementList).map((ve, j) => {
        const q = `${p}.vocabularyElementList.${j}`;
        if (!isObj(ve)) return fail(q, "object", "a vocabulary element is an object");
        const children: Node[] = asList(ve.attributes).map((a, k) => {
          if (!isObj(a)) return fail(`${q}.attributes.${k}`, "object", "an attribute is an object");
          const value = isObj(a.attribute)
            ? this.extensions(a.attribute, new Set(), `${q}.attributes.${k}.attribute`)
            : a.attribute === undefined
              ? []
              : [text(scalar(a.attribute, `${q}.attributes.${k}.attribute`))];
          return element("attribute", value, { id: scalar(a.id, `${q}.attributes.${k}.id`) });
        });
        if (ve.children !== undefined)
          children.push(
            element(
              "children",
              asList(ve.children).map((c, k) => element("id", [text(scalar(c, `${q}.children.${k}`))])),
            ),
          );
        children.push(...this.extensions(ve, new Set(["id", "attributes", "children"]), q));
        return element("VocabularyElement", children, { id: scalar(ve.id, `${q}.id`) });
      });
      return element("Vocabulary", [element("VocabularyElementList", elements), ...this.extensions(voc, new Set(["type", "vocabularyElementList"]), p)], {
        type: scalar(voc.type, `${p}.type`),
      });
    });
    return element("EPCISMasterData", [element("VocabularyList", vocabularies)]);
  }
}

const KNOWN_EVENT_KEYS: ReadonlySet<string> = new Set(["type", ...new Set(Object.values(EVENT_FIELD_ORDER).flat())]);
const DOCUMENT_KEYS = new Set(["type", "schemaVersion", "creationDate", "sender", "receiver", "instanceIdentifier", "epcisHeader", "epcisBody", "id"]);

/** The XML of an EPCISDocument or EPCISQueryDocument (JSON-LD), per the EPCIS 2.0 XML binding. */
export function writeXml(doc: Obj): string {
  const type = doc.type;
  if (type !== "EPCISDocument" && type !== "EPCISQueryDocument") fail("type", "document-type", "an EPCISDocument or EPCISQueryDocument is written as XML");
  const rootNs = new Namespaces({ ...CONTEXT_PREFIXES, ...contextPrefixes(doc["@context"]) });
  const writer = new XmlWriter(rootNs);
  const body = isObj(doc.epcisBody) ? doc.epcisBody : fail("epcisBody", "required", "the document has no epcisBody");
  const query = type === "EPCISQueryDocument";
  const results = query
    ? isObj(body.queryResults)
      ? body.queryResults
      : fail("epcisBody.queryResults", "required", "a query document has queryResults")
    : undefined;
  const listPath = query ? "epcisBody.queryResults.resultsBody.eventList" : "epcisBody.eventList";
  const list = query ? (isObj(results!.resultsBody) ? results!.resultsBody.eventList : undefined) : body.eventList;
  const events = asList(list).map((e, i) => {
    const path = `${listPath}.${i}`;
    if (!isObj(e)) return fail(path, "object", "an event is an object");
    const scope = rootNs.child(e["@context"]);
    const node = new XmlWriter(scope).event(e, path);
    scope.hoistInto(rootNs);
    const own = scope.declarations(rootNs);
    if (Object.keys(own).length > 0)
      node[":@"] = { ...(node[":@"] as object | undefined), ...Object.fromEntries(Object.entries(own).map(([k, v]) => [`@_${k}`, v])) };
    return node;
  });

  const children: Node[] = [];
  const header = headerOf(doc, writer);
  if (header) children.push(header);
  const eventList = element("EventList", events);
  children.push(
    query
      ? element("EPCISBody", [
          element("epcisq:QueryResults", [
            element("queryName", [text(scalar(results!.queryName ?? "SimpleEventQuery", "epcisBody.queryResults.queryName"))]),
            ...(results!.subscriptionID === undefined
              ? []
              : [element("subscriptionID", [text(scalar(results!.subscriptionID, "epcisBody.queryResults.subscriptionID"))])]),
            element("resultsBody", [eventList]),
          ]),
        ])
      : element("EPCISBody", [eventList]),
  );
  children.push(...writer.extensions(doc, DOCUMENT_KEYS, ""));
  const rootName = query ? "epcisq:EPCISQueryDocument" : "epcis:EPCISDocument";
  const usesSbdh = header !== undefined && (doc.sender !== undefined || doc.receiver !== undefined || doc.instanceIdentifier !== undefined);
  const attributes: Record<string, string> = {
    ...(usesSbdh ? { "xmlns:sbdh": SBDH_NS } : {}),
    [query ? "xmlns:epcisq" : "xmlns:epcis"]: query ? EPCIS_QUERY_XML_NS : EPCIS_XML_NS,
    ...(query ? { "xmlns:epcis": EPCIS_XML_NS } : {}),
    ...rootNs.declarations(),
    schemaVersion: scalar(doc.schemaVersion, "schemaVersion"),
    creationDate: scalar(doc.creationDate, "creationDate"),
  };
  return buildXml(element(rootName, children, attributes));
}

/** EPCISHeader: the SBDH for sender, receiver and instanceIdentifier; master data in its extension. */
function headerOf(doc: Obj, writer: XmlWriter): Node | undefined {
  const parts: Node[] = [];
  if (doc.sender !== undefined || doc.receiver !== undefined || doc.instanceIdentifier !== undefined) {
    const sbdh: Node[] = [element("sbdh:HeaderVersion", [text("1.0")])];
    if (doc.sender !== undefined) sbdh.push(element("sbdh:Sender", [element("sbdh:Identifier", [text(scalar(doc.sender, "sender"))])]));
    if (doc.receiver !== undefined) sbdh.push(element("sbdh:Receiver", [element("sbdh:Identifier", [text(scalar(doc.receiver, "receiver"))])]));
    const identification: Node[] = [element("sbdh:Standard", [text("EPCglobal")]), element("sbdh:TypeVersion", [text("2.0")])];
    if (doc.instanceIdentifier !== undefined)
      identification.push(element("sbdh:InstanceIdentifier", [text(scalar(doc.instanceIdentifier, "instanceIdentifier"))]));
    identification.push(element("sbdh:Type", [text("Events")]), element("sbdh:CreationDateAndTime", [text(scalar(doc.creationDate, "creationDate"))]));
    sbdh.push(element("sbdh:DocumentIdentification", identification));
    parts.push(element("sbdh:StandardBusinessDocumentHeader", sbdh));
  }
  const header = isObj(doc.epcisHeader) ? doc.epcisHeader : undefined;
  if (header?.epcisMasterData !== undefined) parts.push(element("extension", [writer.masterData(header.epcisMasterData, "epcisHeader.epcisMasterData")]));
  return parts.length > 0 ? element("EPCISHeader", parts) : undefined;
}
