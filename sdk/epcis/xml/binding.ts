/**
 * The tables of the EPCIS 2.0 XML binding (XSD EPCglobal-epcis-2_0.xsd) both directions share:
 * namespaces, each event type's element sequence, the CBV vocabularies written as URNs in XML.
 */

export const EPCIS_XML_NS = "urn:epcglobal:epcis:xsd:2";
/** EPCIS 1.x documents (the 1.x `extension` wrappers are read too). */
export const EPCIS_1_XML_NS = "urn:epcglobal:epcis:xsd:1";
/** EPCISQueryDocument and its QueryResults (the query schema's namespace). */
export const EPCIS_QUERY_XML_NS = "urn:epcglobal:epcis-query:xsd:2";
export const EPCIS_1_QUERY_XML_NS = "urn:epcglobal:epcis-query:xsd:1";
export const SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader";

export const EVENT_TYPES = ["ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const isEventType = (name: string): name is EventType => (EVENT_TYPES as readonly string[]).includes(name);

/**
 * Every event type's elements in the XSD's order. The first group is EPCISEventType's; eventID,
 * errorDeclaration and certificationInfo share a rank (published 2.0 documents write them in
 * different orders), and so may come in any order among themselves.
 */
const COMMON: (string | string[])[] = ["eventTime", "recordTime", "eventTimeZoneOffset", ["eventID", "errorDeclaration", "certificationInfo"], "baseExtension"];
const WHAT_WHERE_WHY = ["action", "bizStep", "disposition", "readPoint", "bizLocation"];
const SEQUENCES: Record<EventType, (string | string[])[]> = {
  ObjectEvent: [
    ...COMMON,
    "epcList",
    ...WHAT_WHERE_WHY,
    "bizTransactionList",
    "quantityList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "persistentDisposition",
    "ilmd",
    "extension",
  ],
  AggregationEvent: [
    ...COMMON,
    "parentID",
    "childEPCs",
    ...WHAT_WHERE_WHY,
    "bizTransactionList",
    "childQuantityList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "persistentDisposition",
    "extension",
  ],
  TransactionEvent: [
    ...COMMON,
    "bizTransactionList",
    "parentID",
    "epcList",
    ...WHAT_WHERE_WHY,
    "quantityList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "persistentDisposition",
    "extension",
  ],
  TransformationEvent: [
    ...COMMON,
    "inputEPCList",
    "inputQuantityList",
    "outputEPCList",
    "outputQuantityList",
    "transformationID",
    "bizStep",
    "disposition",
    "readPoint",
    "bizLocation",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "persistentDisposition",
    "ilmd",
    "extension",
  ],
  AssociationEvent: [
    ...COMMON,
    "parentID",
    "childEPCs",
    "childQuantityList",
    ...WHAT_WHERE_WHY,
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "persistentDisposition",
    "extension",
  ],
};

function byType<T>(make: (type: EventType) => T): Record<EventType, T> {
  const out = {} as Record<EventType, T>;
  for (const t of EVENT_TYPES) out[t] = make(t);
  return out;
}

/** element name -> its rank in the type's sequence. */
export const EVENT_RANKS: Record<EventType, ReadonlyMap<string, number>> = byType(
  (t) => new Map(SEQUENCES[t].flatMap((entry, rank) => (Array.isArray(entry) ? entry : [entry]).map((name) => [name, rank] as const))),
);

/** The event's fields in the order XML writes them (wrappers excluded). */
export const EVENT_FIELD_ORDER: Record<EventType, readonly string[]> = byType((t) =>
  SEQUENCES[t].flat().filter((n) => n !== "baseExtension" && n !== "extension"),
);

/** What the XSD requires of each event type (besides eventTime and eventTimeZoneOffset). */
export const REQUIRED: Record<EventType, readonly string[]> = {
  ObjectEvent: ["epcList", "action"],
  AggregationEvent: ["childEPCs", "action"],
  TransactionEvent: ["bizTransactionList", "epcList", "action"],
  TransformationEvent: [],
  AssociationEvent: ["parentID", "action"],
};

export const TEXT_FIELDS = new Set([
  "eventTime",
  "recordTime",
  "eventTimeZoneOffset",
  "eventID",
  "certificationInfo",
  "action",
  "bizStep",
  "disposition",
  "parentID",
  "transformationID",
]);
export const EPC_LISTS = new Set(["epcList", "childEPCs", "inputEPCList", "outputEPCList"]);
export const QUANTITY_LISTS = new Set(["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"]);
export const PLACES = new Set(["readPoint", "bizLocation"]);

export const SENSOR_METADATA_ATTRIBUTES = [
  "time",
  "deviceID",
  "deviceMetadata",
  "rawData",
  "startTime",
  "endTime",
  "bizRules",
  "dataProcessingMethod",
] as const;
export const SENSOR_REPORT_ATTRIBUTES = [
  "type",
  "exception",
  "deviceID",
  "deviceMetadata",
  "rawData",
  "dataProcessingMethod",
  "time",
  "microorganism",
  "chemicalSubstance",
  "value",
  "component",
  "stringValue",
  "booleanValue",
  "hexBinaryValue",
  "uriValue",
  "minValue",
  "maxValue",
  "meanValue",
  "sDev",
  "percRank",
  "percValue",
  "uom",
  "coordinateReferenceSystem",
] as const;
/** xsd:double attributes of sensorReport (JSON numbers). */
export const SENSOR_NUMBERS = new Set(["value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"]);

/**
 * CBV 2.0 vocabularies: JSON-LD writes a bare word ("receiving"), XML the URN
 * (urn:epcglobal:cbv:bizstep:receiving); both name the same term (and hash alike).
 */
export const CBV_URN = {
  bizStep: "urn:epcglobal:cbv:bizstep:",
  disposition: "urn:epcglobal:cbv:disp:",
  bizTransactionType: "urn:epcglobal:cbv:btt:",
  sourceDestType: "urn:epcglobal:cbv:sdt:",
  errorReason: "urn:epcglobal:cbv:er:",
} as const;
/** GS1 Web Vocabulary terms (sensor measurement and alert types): bare words are gs1: terms. */
export const GS1_VOC_PREFIX = "gs1:";
/** CBV components (sensorReport/@component): bare words are cbv:Comp- terms. */
export const CBV_COMPONENT = "https://ref.gs1.org/cbv/Comp-";

/**
 * The JSON-LD form of a CBV URN of the expected vocabulary: its bare word (urn:epcglobal:cbv:bizstep:receiving
 * is "receiving"), which the EPCIS context expands to the CBV term; anything else is kept as written.
 */
export const bareWord = (value: string, urnPrefix: string): string =>
  value.startsWith(urnPrefix) && /^[A-Za-z0-9_]+$/.test(value.slice(urnPrefix.length)) ? value.slice(urnPrefix.length) : value;

/** A bare vocabulary word (no scheme, no prefix) becomes `prefix + word`; anything else is kept as written. */
export const vocabularyUri = (value: string, prefix: string): string => (value.includes(":") ? value : prefix + value);

/**
 * Prefixes the EPCIS 2.0 JSON-LD context defines (protected): an XML namespace that is one of these
 * IRIs uses the context's prefix; another namespace never takes one of these names.
 */
export const CONTEXT_PREFIXES: Readonly<Record<string, string>> = {
  epcis: "https://ref.gs1.org/epcis/",
  cbv: "https://ref.gs1.org/cbv/",
  cbvmda: "urn:epcglobal:cbv:mda:",
  gs1: "https://gs1.org/voc/",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  owl: "http://www.w3.org/2002/07/owl#",
  xsd: "http://www.w3.org/2001/XMLSchema#",
  dcterms: "http://purl.org/dc/terms/",
};

/** XML namespaces whose JSON-LD IRI is not the namespace itself (CBV master data: no trailing ':' in XML). */
const XML_TO_JSON_NS: Record<string, string> = { "urn:epcglobal:cbv:mda": "urn:epcglobal:cbv:mda:" };
const JSON_TO_XML_NS: Record<string, string> = Object.fromEntries(Object.entries(XML_TO_JSON_NS).map(([x, j]) => [j, x]));

/**
 * The JSON-LD IRI of an XML namespace. JSON-LD 1.1 only uses a term as a prefix when its IRI ends
 * in a gen-delim (: / ? # [ ] @), so a namespace ending otherwise gets a '/' (GS1's example pair
 * 9.6.1 does the same: xmlns:example="http://ns.example.com/epcis" is "http://ns.example.com/epcis/").
 */
export function jsonIriOfNamespace(ns: string): string {
  const known = XML_TO_JSON_NS[ns];
  if (known !== undefined) return known;
  return /[:/?#[\]@]$/.test(ns) ? ns : `${ns}/`;
}

/** The XML namespace of a JSON-LD prefix IRI (the IRI itself but for the known exceptions). */
export const namespaceOfJsonIri = (iri: string): string => JSON_TO_XML_NS[iri] ?? iri;
