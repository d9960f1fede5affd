import { canonicalGs1Uri, digitalLinkToEpcUrn } from "../../sdk/epcis/gs1-uri";
import { normaliseTimestamp } from "../../sdk/epcis/event-hash";
import { sameWord, type Vocabulary } from "./vocabulary";

/**
 * The EPCIS 2.0 query language (§8.2.7.1, SimpleEventQuery) evaluated over one stored event: the
 * parameters the hub's index does not hold (server/epcis/query.ts applies the indexed ones in SQL
 * first, then these over the candidate events it found). Each predicate is written from the
 * parameter's text in the standard and the REST binding (openapi.yaml, components/parameters).
 */

export type QueryValue = string | string[] | number | boolean;

/** An event as captured, with the context it was captured under (to resolve extension field names). */
export interface MatchableEvent {
  event: Record<string, unknown>;
  context: readonly unknown[];
}

export type EventPredicate = (e: MatchableEvent) => boolean;

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const objects = (v: unknown): Record<string, unknown>[] => list(v).flatMap((x) => (obj(x) ? [obj(x)!] : []));
const values = (v: QueryValue): string[] => (Array.isArray(v) ? v : [String(v)]);

function instant(v: unknown): number | undefined {
  if (typeof v !== "string" || !/^\d{4}-\d\d-\d\dT/.test(v)) return undefined;
  try {
    return Date.parse(normaliseTimestamp(v));
  } catch {
    return undefined;
  }
}

function numeric(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

export type Comparison = "EQ" | "GT" | "GE" | "LT" | "LE";

const compare = (op: Comparison, a: number, b: number) => (op === "EQ" ? a === b : op === "GT" ? a > b : op === "GE" ? a >= b : op === "LT" ? a < b : a <= b);

/** A field's value against a GT_/GE_/LT_/LE_/EQ_ bound: numbers as numbers, times as instants (Int, Float, Time fields). */
function ordered(op: Comparison, field: unknown, bound: string | number): boolean {
  const n = numeric(bound);
  if (n !== undefined) {
    const f = numeric(field);
    return f !== undefined && compare(op, f, n);
  }
  const t = instant(bound);
  const f = instant(field);
  return t !== undefined && f !== undefined && compare(op, f, t);
}

/** EQ_ on an extension field: the same string, number, boolean or instant. */
function equalsAny(field: unknown, wanted: readonly string[]): boolean {
  return wanted.some((w) => {
    if (typeof field === "string" && field === w) return true;
    if (typeof field === "boolean") return String(field) === w;
    const a = numeric(field);
    const b = numeric(w);
    if (a !== undefined && b !== undefined) return a === b;
    const ta = instant(field);
    return ta !== undefined && ta === instant(w);
  });
}

// ---- EPCs and patterns (§8.2.7.1.1) ----

/** An EPC pattern URI (urn:epc:idpat:...) matches an EPC or EPC class field by field, "*" matching any value. */
function patternMatches(pattern: string, epc: string): boolean {
  const p = /^urn:epc:idpat:([a-z0-9]+):(.+)$/.exec(pattern);
  if (!p) return false;
  const [, scheme, rest] = p as unknown as [string, string, string];
  const fields = rest.split(".");
  let urn = epc;
  if (!epc.startsWith("urn:")) {
    try {
      urn = digitalLinkToEpcUrn(epc, fields[0]!.length) ?? epc; // the pattern's company prefix gives its length
    } catch {
      return false;
    }
  }
  const m = /^urn:epc:(id|class):([a-z0-9]+):(.+)$/.exec(urn);
  if (!m) return false;
  const [, kind, epcScheme, epcRest] = m as unknown as [string, string, string, string];
  const sameScheme = epcScheme === scheme || (kind === "class" && epcScheme === "lgtin" && scheme === "sgtin");
  const epcFields = epcRest.split(".");
  return sameScheme && epcFields.length === fields.length && fields.every((f, i) => f === "*" || f === epcFields[i]);
}

export const isEpcPattern = (v: string) => v.startsWith("urn:epc:idpat:");

function epcMatches(wanted: string, epc: unknown): boolean {
  if (typeof epc !== "string") return false;
  if (isEpcPattern(wanted)) return patternMatches(wanted, epc);
  return wanted === epc || canonicalGs1Uri(wanted) === canonicalGs1Uri(epc);
}

const EPC_FIELDS = {
  epc: ["epcList", "childEPCs"],
  parentID: ["parentID"],
  inputEPC: ["inputEPCList"],
  outputEPC: ["outputEPCList"],
  anyEPC: ["epcList", "childEPCs", "parentID", "inputEPCList", "outputEPCList"],
  epcClass: ["quantityList", "childQuantityList"],
  inputEPCClass: ["inputQuantityList"],
  outputEPCClass: ["outputQuantityList"],
  anyEPCClass: ["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"],
} as const;
export type EpcField = keyof typeof EPC_FIELDS;

function epcsOf(event: Record<string, unknown>, which: EpcField): unknown[] {
  return EPC_FIELDS[which].flatMap((f) => (f.endsWith("QuantityList") || f === "quantityList" ? objects(event[f]).map((q) => q.epcClass) : list(event[f])));
}

// ---- extension fields (EQ_fieldname and its family) ----

/** The prefixes and terms of an event's contexts: an extension field "ex:temp" is the IRI the prefix "ex" names + "temp". */
function prefixes(e: MatchableEvent): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of [...e.context, ...list(e.event["@context"])]) {
    const o = obj(c);
    if (o) for (const [k, v] of Object.entries(o)) if (typeof v === "string") out.set(k, v);
  }
  return out;
}

function iriOf(key: string, names: Map<string, string>): string | undefined {
  const m = /^([A-Za-z_][\w.-]*):(.*)$/.exec(key);
  if (m && !m[2]!.startsWith("//")) {
    const ns = names.get(m[1]!);
    return ns === undefined ? undefined : ns + m[2];
  }
  const term = names.get(key);
  return term !== undefined && term.includes(":") ? term : undefined;
}

/**
 * Whether an event key is the extension field a parameter names. The standard's name is the
 * namespace, "#" and the local name; the JSON-LD IRI of "ns/" + "#name" is "ns/name". The key as
 * written (a CURIE, or a term of the event's context) is accepted too.
 */
function isField(key: string, field: string, names: Map<string, string>): boolean {
  if (key === field) return true;
  const iri = iriOf(key, names);
  if (iri === undefined) return false;
  if (iri === field) return true;
  const hash = field.lastIndexOf("#");
  return hash > 0 && /[/#]$/.test(field.slice(0, hash)) && iri === field.slice(0, hash) + field.slice(hash + 1);
}

/** A qualified (namespaced) field name: what the extension-field parameters name. */
export const isQualified = (name: string) => name.includes(":") || name.includes("#");

export const CONTAINERS = ["ILMD", "SENSORELEMENT", "SENSORMETADATA", "SENSORREPORT", "readPoint", "bizLocation", "ERROR_DECLARATION"] as const;
export type Container = (typeof CONTAINERS)[number] | "event";

function containersOf(event: Record<string, unknown>, c: Container): Record<string, unknown>[] {
  const elements = objects(event.sensorElementList);
  switch (c) {
    case "event":
      return [event];
    case "ILMD":
      return objects(event.ilmd);
    case "SENSORELEMENT":
      return elements;
    case "SENSORMETADATA":
      return elements.flatMap((s) => objects(s.sensorMetadata));
    case "SENSORREPORT":
      return elements.flatMap((s) => objects(s.sensorReport));
    case "readPoint":
      return objects(event.readPoint);
    case "bizLocation":
      return objects(event.bizLocation);
    case "ERROR_DECLARATION":
      return objects(event.errorDeclaration);
  }
}

const leaves = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(leaves) : v === null || v === undefined ? [] : [v]);

/** Everything nested inside a value (objects within arrays within objects...). */
function nestedObjects(v: unknown): Record<string, unknown>[] {
  if (Array.isArray(v)) return v.flatMap(nestedObjects);
  const o = obj(v);
  return o ? [o, ...Object.values(o).flatMap(nestedObjects)] : [];
}

/**
 * The values of a field in a container (EQ_fieldname, EQ_ILMD_fieldname, ...) or, for INNER,
 * anywhere inside the container's extension elements (EQ_INNER_fieldname: "an extension element
 * anywhere within an extension element at the top level").
 */
export function fieldValues(e: MatchableEvent, container: Container, field: string, inner: boolean): unknown[] {
  const names = prefixes(e);
  const out: unknown[] = [];
  for (const c of containersOf(e.event, container)) {
    const scopes = inner
      ? Object.entries(c)
          .filter(([k]) => k !== "@context" && isQualified(k))
          .flatMap(([, v]) => nestedObjects(v))
      : [c];
    for (const s of scopes) for (const [k, v] of Object.entries(s)) if (isField(k, field, names)) out.push(v);
  }
  return out;
}

export function extensionPredicate(op: Comparison | "EXISTS", container: Container, field: string, inner: boolean, v: QueryValue): EventPredicate {
  return (e) => {
    const found = fieldValues(e, container, field, inner);
    if (op === "EXISTS") return found.some((x) => x !== null && x !== undefined && x !== "");
    const ls = found.flatMap(leaves);
    if (op === "EQ") return ls.some((l) => equalsAny(l, values(v)));
    return ls.some((l) => ordered(op, l, typeof v === "number" ? v : String(v)));
  };
}

/** The sort key of an orderBy extension field (Int, Float, Time or String): its first value. */
export function orderKey(e: MatchableEvent, field: string): number | string | null {
  const [first] = fieldValues(e, "event", field, false).flatMap(leaves);
  const n = numeric(first);
  if (n !== undefined) return n;
  if (typeof first !== "string") return null;
  const t = instant(first);
  return t !== undefined ? new Date(t).toISOString() : first;
}

// ---- sensor data (§7.3.8 SensorElement; the sensor query parameters) ----

const sensorElements = (e: MatchableEvent) => objects(e.event.sensorElementList);
const metadata = (e: MatchableEvent) => sensorElements(e).flatMap((s) => objects(s.sensorMetadata));
const reports = (e: MatchableEvent) => sensorElements(e).flatMap((s) => objects(s.sensorReport));

/** Sensor attributes and where the standard puts them (metadata, report, or both). */
const SENSOR_ATTRIBUTES = {
  deviceID: ["metadata", "report"],
  dataProcessingMethod: ["metadata", "report"],
  microorganism: ["report"],
  chemicalSubstance: ["report"],
  bizRules: ["metadata"],
  stringValue: ["report"],
  hexBinaryValue: ["report"],
  uriValue: ["report"],
} satisfies Record<string, readonly ("metadata" | "report")[]>;
export type SensorAttribute = keyof typeof SENSOR_ATTRIBUTES;
export const SENSOR_EQ_PARAMS: readonly string[] = Object.keys(SENSOR_ATTRIBUTES).map((a) => `EQ_${a}`);

function sensorHolders(e: MatchableEvent, where: readonly ("metadata" | "report")[]): Record<string, unknown>[] {
  return [...(where.includes("metadata") ? metadata(e) : []), ...(where.includes("report") ? reports(e) : [])];
}

export function sensorAttributePredicate(attribute: string, v: QueryValue): EventPredicate {
  const where: readonly ("metadata" | "report")[] = SENSOR_ATTRIBUTES[attribute as SensorAttribute];
  const wanted = values(v);
  const same = attribute === "hexBinaryValue" ? (a: string, b: string) => a.toLowerCase() === b.toLowerCase() : (a: string, b: string) => a === b;
  return (e) => sensorHolders(e, where).some((h) => typeof h[attribute] === "string" && wanted.some((w) => same(h[attribute] as string, w)));
}

/** EQ_type: a sensorReport whose measurement type is one of the values (bare words, gs1: CURIEs, https://gs1.org/voc/ IRIs). */
export const sensorTypePredicate =
  (v: QueryValue): EventPredicate =>
  (e) =>
    reports(e).some((r) => typeof r.type === "string" && values(v).some((w) => sameWord("measurementType", w, r.type as string)));

export const booleanValuePredicate =
  (v: boolean): EventPredicate =>
  (e) =>
    reports(e).some((r) => r.booleanValue === v);

/** GE_time / LT_time (metadata or report time), GE_/LT_startTime and endTime (metadata). */
export function sensorTimePredicate(
  op: "GE" | "LT",
  attribute: "time" | "startTime" | "endTime",
  at: string,
  where: readonly ("metadata" | "report")[],
): EventPredicate {
  const bound = Date.parse(at);
  return (e) =>
    sensorHolders(e, where).some((h) => {
      const t = instant(h[attribute]);
      return t !== undefined && compare(op, t, bound);
    });
}

/** GT_value_CEL etc.: a sensorReport in that unit whose value (or minValue, ...) compares; percRank has no unit. */
export function sensorValuePredicate(op: Comparison, attribute: string, uom: string | undefined, bound: number): EventPredicate {
  return (e) =>
    reports(e).some((r) => (uom === undefined || r.uom === uom) && numeric(r[attribute]) !== undefined && compare(op, numeric(r[attribute])!, bound));
}

// ---- the other fields ----

/** EQ_quantity, GT_quantity_KGM, ...: a QuantityElement (of any quantity list) whose quantity compares, in that unit when named. */
export function quantityPredicate(op: Comparison, uom: string | undefined, bound: number): EventPredicate {
  return (e) =>
    EPC_FIELDS.anyEPCClass
      .flatMap((f) => objects(e.event[f]))
      .some((q) => (uom === undefined || q.uom === uom) && numeric(q.quantity) !== undefined && compare(op, numeric(q.quantity)!, bound));
}

export function epcPredicate(which: EpcField, v: QueryValue): EventPredicate {
  const wanted = values(v);
  return (e) => epcsOf(e.event, which).some((epc) => wanted.some((w) => epcMatches(w, epc)));
}

/** EQ_bizTransaction_{type}, EQ_source_{type}, EQ_destination_{type}: an entry of that type whose value is one of the values. */
export function typedListPredicate(kind: "bizTransaction" | "source" | "destination", type: string, v: QueryValue): EventPredicate {
  const listName = `${kind}List`;
  const vocabulary: Vocabulary = kind === "bizTransaction" ? "bizTransactionType" : "sourceDestType";
  const wanted = values(v);
  return (e) =>
    objects(e.event[listName]).some(
      (entry) =>
        typeof entry.type === "string" &&
        sameWord(vocabulary, type, entry.type) &&
        typeof entry[kind] === "string" &&
        wanted.some((w) => epcMatches(w, entry[kind])),
    );
}

export const fieldInPredicate =
  (field: string, v: QueryValue): EventPredicate =>
  (e) =>
    typeof e.event[field] === "string" && values(v).includes(e.event[field] as string);

export function persistentDispositionPredicate(which: "set" | "unset", v: QueryValue): EventPredicate {
  return (e) => list(obj(e.event.persistentDisposition)?.[which]).some((d) => typeof d === "string" && values(v).some((w) => sameWord("disposition", w, d)));
}

// ---- master data (WD_readPoint, WD_bizLocation, HASATTR_fieldname, EQATTR_fieldname_attrname) ----

/** What the counted master data (server/epcis/master-data.ts PlaceNames.counted) says of one element. */
export interface MasterDataFacts {
  attributes: { id: string; attribute?: unknown }[];
  children: string[];
}
/** Per element, keyed by its canonical id (canonicalGs1Uri): only statements a query may count. */
export type CountedMasterData = ReadonlyMap<string, MasterDataFacts>;

/** The forms of a CBV master data attribute name: 2.0 `urn:epcglobal:cbv:mda:x`, 1.x `...mda#x`, JSON-LD `cbvmda:x`. */
export const MDA_PREFIXES = ["urn:epcglobal:cbv:mda:", "urn:epcglobal:cbv:mda#", "cbvmda:"];
const attributeName = (id: string) => {
  const p = MDA_PREFIXES.find((x) => id.startsWith(x));
  return p ? MDA_PREFIXES[0] + id.slice(p.length) : id;
};

/** How deep and how wide WD_ follows `children`: a deeper or wider hierarchy is a 413 (too complex). */
export const WD_MAX_DEPTH = 16;
export const WD_MAX_PLACES = 1000;

/**
 * The places named and their direct or indirect descendants by the master data's `children`
 * (EPCIS 2.0 §8.2.7.1 WD_: "with descendants", the hierarchy of §6.5), breadth first, each once
 * (cycle-safe), at most WD_MAX_DEPTH levels below the roots; stops past WD_MAX_PLACES places.
 */
export function withDescendants(roots: readonly string[], md: CountedMasterData): Set<string> {
  const out = new Set(roots);
  let level = [...out];
  for (let depth = 0; depth < WD_MAX_DEPTH && level.length > 0 && out.size <= WD_MAX_PLACES; depth++) {
    const next: string[] = [];
    for (const id of level)
      for (const child of md.get(canonicalGs1Uri(id))?.children ?? [])
        if (!out.has(child)) {
          out.add(child);
          next.push(child);
        }
    level = next;
  }
  return out;
}

/** The vocabulary element a top-level field names: a string (bizStep, ...) or an object's id (readPoint, bizLocation). */
export function vocabularyElementOf(event: Record<string, unknown>, field: string): string | undefined {
  const v = event[field];
  if (typeof v === "string") return v;
  const id = obj(v)?.id;
  return typeof id === "string" ? id : undefined;
}

/**
 * HASATTR_fieldname (attrname undefined: the element has a non-null attribute whose name is one of
 * the values) and EQATTR_fieldname_attrname (its attribute attrname equals one of the values), over
 * the master data of the element the event's field names (§8.2.7.1).
 */
export function masterDataPredicate(field: string, attrname: string | undefined, v: QueryValue, md: CountedMasterData): EventPredicate {
  const wanted = values(v);
  const names = attrname === undefined ? wanted.map(attributeName) : [attributeName(attrname)];
  return (e) => {
    const id = vocabularyElementOf(e.event, field);
    const facts = id === undefined ? undefined : md.get(canonicalGs1Uri(id));
    return (facts?.attributes ?? []).some(
      (a) =>
        a.attribute !== undefined && a.attribute !== null && names.includes(attributeName(a.id)) && (attrname === undefined || equalsAny(a.attribute, wanted)),
    );
  };
}
