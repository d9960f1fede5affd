import { createHash } from "node:crypto";
import { canonicalGs1Uri } from "./gs1-uri";
import { checkJsonShape, JsonShapeError } from "../json-shape";
import { SENSOR_REPORT_ATTRIBUTES } from "./xml/binding";

/**
 * The CBV 2.0 canonical event hash ("EPCIS Event Hash ID"): the event's fields in CBV's canonical
 * property order, values normalised (UTC millisecond timestamps, web-URI vocabulary, canonical
 * Digital Links, numbers without trailing zeros), lists sorted, concatenated without separators,
 * SHA-256, written as `ni:///sha-256;{hex}?ver=CBV2.0`. Our own implementation of the published
 * rules; eventID, recordTime, errorDeclaration and certificationInfo take no part (CBV 2.0 does not
 * list them), nor do JSON-LD comments.
 */
export function eventHash(event: Record<string, unknown>, context?: unknown, profile: HashProfile = "cbv-2.0"): string {
  const hex = createHash("sha256")
    .update(preHashString(event, context, profile), "utf8")
    .digest("hex");
  return `ni:///sha-256;${hex}?ver=CBV2.0`;
}

export class EventHashError extends Error {}

/**
 * "cbv-2.0": the published rules. "urn-draft": the draft the EPCIS 2.0 example documents' eventIDs
 * were computed with (identifiers kept as written, bare CBV words expanded to urn:epcglobal:cbv
 * URNs); same structure, used only to test the structure against those published values.
 */
export type HashProfile = "cbv-2.0" | "urn-draft";

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const asList = (v: Json): Json[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const sorted = (xs: string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // code-unit order

const STANDARD_PREFIXES: Record<string, string> = {
  gs1: "https://gs1.org/voc/",
  cbv: "https://ref.gs1.org/cbv/",
  epcis: "https://ref.gs1.org/epcis/",
};

/** Namespace prefixes a JSON-LD @context declares (object entries mapping a term to an IRI string). */
export function contextPrefixes(context: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of asList(context)) {
    if (!isObj(c)) continue;
    for (const [k, v] of Object.entries(c)) if (typeof v === "string" && !k.startsWith("@") && /^[a-z][a-z]+:/i.test(v)) out[k] = v;
  }
  return out;
}

// Bare CBV words (JSON-LD's vocabulary notation) and their web-URI prefix, per field.
const BIZ_STEP = "https://ref.gs1.org/cbv/BizStep-";
const DISP = "https://ref.gs1.org/cbv/Disp-";
const BTT = "https://ref.gs1.org/cbv/BTT-";
const SDT = "https://ref.gs1.org/cbv/SDT-";
const COMP = "https://ref.gs1.org/cbv/Comp-";
const DRAFT_VOCABULARY: Record<string, string> = {
  [BIZ_STEP]: "urn:epcglobal:cbv:bizstep:",
  [DISP]: "urn:epcglobal:cbv:disp:",
  [BTT]: "urn:epcglobal:cbv:btt:",
  [SDT]: "urn:epcglobal:cbv:sdt:",
};
const GS1_VOC = "https://gs1.org/voc/";

const CBV_URNS: [string, string][] = [
  ["urn:epcglobal:cbv:bizstep:", BIZ_STEP],
  ["urn:epcglobal:cbv:disp:", DISP],
  ["urn:epcglobal:cbv:btt:", BTT],
  ["urn:epcglobal:cbv:sdt:", SDT],
  ["urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"],
];

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new EventHashError(`not a finite number: ${n}`);
  return String(n); // JavaScript's shortest round-trip form: no trailing zeros, "1" for 1.0
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

/** UTC with millisecond precision and a "Z" (finer fractions are rounded). */
export function normaliseTimestamp(value: string): string {
  const m = TIMESTAMP.exec(value.trim());
  if (!m) throw new EventHashError(`not an ISO 8601 date-time with a time zone: ${value}`);
  const base = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(base)) throw new EventHashError(`not a valid date-time: ${value}`);
  const ms = m[2] ? Math.round(Number(`0.${m[2]}`) * 1000) : 0;
  return new Date(base + ms).toISOString();
}

class PreHash {
  private readonly prefixes: Record<string, string>;

  constructor(
    context: Json,
    private readonly profile: HashProfile,
  ) {
    this.prefixes = { ...STANDARD_PREFIXES, ...contextPrefixes(context) };
  }

  /** A plain value: trimmed, CBV URNs and CURIEs expanded, numbers normalised, GS1 identifiers canonical. */
  value(v: Json, vocabulary?: string): string {
    if (typeof v === "number") return formatNumber(v);
    if (typeof v === "boolean") return String(v);
    if (typeof v !== "string") throw new EventHashError(`expected a text value, got ${JSON.stringify(v)}`);
    let text = v.trim();
    if (text === "") return "";
    const draft = this.profile === "urn-draft";
    if (vocabulary && !text.includes(":")) return (draft ? (DRAFT_VOCABULARY[vocabulary] ?? vocabulary) : vocabulary) + text;
    if (!draft) for (const [urn, web] of CBV_URNS) if (text.startsWith(urn)) return web + text.slice(urn.length);
    if (DECIMAL.test(text)) return formatNumber(Number(text));
    const curie = /^([A-Za-z][\w.-]*):(.*)$/.exec(text);
    if (curie && Object.hasOwn(this.prefixes, curie[1]!) && !curie[2]!.startsWith("//")) text = this.prefixes[curie[1]!] + curie[2];
    return draft ? text : canonicalGs1Uri(text);
  }

  field(name: string, v: Json, vocabulary?: string): string {
    if (v === undefined || v === null) return "";
    const text = this.value(v, vocabulary);
    return text === "" ? "" : `${name}=${text}`;
  }

  /** "listName" then its sorted entries, or nothing for an absent or empty list. */
  list(name: string, entries: string[]): string {
    const present = entries.filter((e) => e !== "");
    return present.length === 0 ? "" : name + sorted(present).join("");
  }

  /** A user extension key: `prefix:local` becomes `{namespace}local`. */
  extensionKey(key: string): string {
    const m = /^([A-Za-z][\w.-]*):(.+)$/.exec(key);
    // (The draft wrote the expanded IRI itself, without braces.)
    if (m && Object.hasOwn(this.prefixes, m[1]!)) return this.profile === "urn-draft" ? `${this.prefixes[m[1]!]}${m[2]}` : `{${this.prefixes[m[1]!]}}${m[2]}`;
    return key;
  }

  /** Extension elements (at any depth): key, "=value" when it has one, nested elements sorted. */
  extension(key: string, v: Json): string[] {
    if (Array.isArray(v)) return v.flatMap((item) => this.extension(key, item));
    const name = this.extensionKey(key);
    if (isObj(v)) {
      const own = v["@value"] ?? v["#text"];
      const text = own === undefined ? "" : this.value(own);
      const nested = this.extensions(v, new Set());
      return [`${name}${text === "" ? "" : `=${text}`}${nested}`];
    }
    if (v === null || v === undefined) return [name];
    const text = this.value(v);
    return [text === "" ? name : `${name}=${text}`];
  }

  /** Every member of `obj` not in `known` (nor JSON-LD keywords or comments), as sorted extension strings. */
  extensions(obj: Obj, known: ReadonlySet<string>): string {
    const out: string[] = [];
    for (const [k, v] of Object.entries(obj)) {
      if (known.has(k) || k.startsWith("@") || k === "#text" || IGNORED.has(k)) continue;
      out.push(...this.extension(k, v));
    }
    return sorted(out).join("");
  }
}

const IGNORED = new Set(["comment", "rdfs:comment"]);

const EVENT_FIELDS = new Set([
  "type",
  "eventID",
  "recordTime",
  "errorDeclaration",
  "certificationInfo",
  "eventTime",
  "eventTimeZoneOffset",
  "epcList",
  "parentID",
  "inputEPCList",
  "childEPCs",
  "quantityList",
  "childQuantityList",
  "inputQuantityList",
  "outputEPCList",
  "outputQuantityList",
  "action",
  "transformationID",
  "bizStep",
  "disposition",
  "persistentDisposition",
  "readPoint",
  "bizLocation",
  "bizTransactionList",
  "sourceList",
  "destinationList",
  "sensorElementList",
  "ilmd",
]);

const METADATA_FIELDS = ["time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"] as const;
// The sensorReport attributes in the standard's order: the order the hash takes them in, the XML binding's.
const REPORT_FIELDS = SENSOR_REPORT_ATTRIBUTES;
const REPORT_VOCABULARY: Record<string, string> = { type: GS1_VOC, exception: GS1_VOC, component: COMP };
const TIME_FIELDS = new Set(["time", "startTime", "endTime"]);

/** The pre-hash string of one event (exposed for tests and debugging). */
export function preHashString(event: Record<string, unknown>, context?: unknown, profile: HashProfile = "cbv-2.0"): string {
  // The field walks below recurse (extensions, sensor reports): refuse hostile nesting first.
  try {
    checkJsonShape(event);
    checkJsonShape(context);
  } catch (err) {
    throw err instanceof JsonShapeError ? new EventHashError(err.message) : err;
  }
  const ph = new PreHash([...asList(context), ...asList(event["@context"])], profile);
  const type = event.type;
  if (typeof type !== "string") throw new EventHashError("the event has no type");
  const eventTime = event.eventTime;
  if (typeof eventTime !== "string") throw new EventHashError("the event has no eventTime");

  const epcs = (name: string) =>
    ph.list(
      name,
      asList(event[name]).map((e) => ph.field("epc", e)),
    );
  const quantities = (name: string) =>
    ph.list(
      name,
      asList(event[name]).map((q) => {
        if (!isObj(q)) throw new EventHashError(`${name} holds a non-object`);
        return `quantityElement${ph.field("epcClass", q.epcClass)}${ph.field("quantity", q.quantity)}${ph.field("uom", q.uom)}`;
      }),
    );
  const place = (name: string) => {
    const p = event[name];
    if (p === undefined || p === null) return "";
    if (!isObj(p)) throw new EventHashError(`${name} is not an object`);
    return `${name}${ph.field("id", p.id)}${ph.extensions(p, new Set(["id"]))}`;
  };
  const typed = (listName: string, member: string, vocabulary: string) =>
    ph.list(
      listName,
      asList(event[listName]).map((t) => {
        if (!isObj(t)) throw new EventHashError(`${listName} holds a non-object`);
        // CBV: the type follows the identifier before the entries are sorted.
        return `${ph.field(member, t[member])}${ph.field("type", t.type, vocabulary)}`;
      }),
    );
  const persistent = () => {
    const pd = event.persistentDisposition;
    if (!isObj(pd)) return "";
    const set = sorted(asList(pd.set).map((d) => ph.field("set", d, DISP)));
    const unset = sorted(asList(pd.unset).map((d) => ph.field("unset", d, DISP)));
    const body = [...set, ...unset].join("");
    return body === "" ? "" : `persistentDisposition${body}`;
  };
  const ordered = (o: Obj, fields: readonly string[], vocab: Record<string, string> = {}) =>
    fields
      .map((f) => (TIME_FIELDS.has(f) && typeof o[f] === "string" ? ph.field(f, normaliseTimestamp(o[f] as string)) : ph.field(f, o[f], vocab[f])))
      .join("");
  const sensors = () =>
    ph.list(
      "sensorElementList",
      asList(event.sensorElementList).map((el) => {
        if (!isObj(el)) throw new EventHashError("sensorElementList holds a non-object");
        const md = isObj(el.sensorMetadata)
          ? `sensorMetadata${ordered(el.sensorMetadata, METADATA_FIELDS)}${ph.extensions(el.sensorMetadata, new Set(METADATA_FIELDS))}`
          : "";
        const reports = sorted(
          asList(el.sensorReport).map((r) => {
            if (!isObj(r)) throw new EventHashError("sensorReport holds a non-object");
            return `sensorReport${ordered(r, REPORT_FIELDS, REPORT_VOCABULARY)}${ph.extensions(r, new Set(REPORT_FIELDS))}`;
          }),
        ).join("");
        return `sensorElement${md}${reports}${ph.extensions(el, new Set(["sensorMetadata", "sensorReport"]))}`;
      }),
    );
  const ilmd = () => {
    const body = isObj(event.ilmd) ? ph.extensions(event.ilmd, new Set()) : "";
    return body === "" ? "" : `ilmd${body}`;
  };

  return [
    `eventType=${type}`,
    `eventTime=${normaliseTimestamp(eventTime)}`,
    ph.field("eventTimeZoneOffset", event.eventTimeZoneOffset),
    epcs("epcList"),
    ph.field("parentID", event.parentID),
    epcs("inputEPCList"),
    epcs("childEPCs"),
    quantities("quantityList"),
    quantities("childQuantityList"),
    quantities("inputQuantityList"),
    epcs("outputEPCList"),
    quantities("outputQuantityList"),
    ph.field("action", event.action),
    ph.field("transformationID", event.transformationID),
    ph.field("bizStep", event.bizStep, BIZ_STEP),
    ph.field("disposition", event.disposition, DISP),
    persistent(),
    place("readPoint"),
    place("bizLocation"),
    typed("bizTransactionList", "bizTransaction", BTT),
    typed("sourceList", "source", SDT),
    typed("destinationList", "destination", SDT),
    sensors(),
    ilmd(),
    ph.extensions(event, EVENT_FIELDS),
  ].join("");
}
