/**
 * ONE Record change requests: an api:Change (ADD/DELETE operations on triples of one object) in a
 * normal form, and the one implementation of applying it to an object's record body. The hub applies
 * it when the data holder accepts (and checks that the holder signed exactly its result); the SDK
 * applies it to sign that revision. Both must agree to the byte, so everything here is deterministic.
 *
 * The body is a tree (jsonld.ts): the object's cargo properties by local name, embedded nodes inside.
 * A subject `s` is the object's IRI or the `@id` of a node embedded in it; a blank node (`_:b0`) of
 * the change is a new embedded node, named by a skolem IRI derived from the object, the revision and
 * the label, so the hub and the SDK name it alike.
 */
import { z } from "zod";
import { FieldName } from "../envelope";
import { keccak, toHex, utf8 } from "../bytes";
import { apiClassOf, apiObjectOf, API_SCHEMAS } from "./api-objects";
import { BODY_FIELDS, isObject, JsonLdFormError, recordIdOfIri, textOf, valuesOf as many, type Json, type JsonObject } from "./jsonld";
import { API, CARGO, XSD, isAbsoluteIri, localName } from "./vocabulary";
import { LOGISTICS_EVENT_CLASSES, LOGISTICS_OBJECT_CLASSES } from "./classes";

export const CHANGE_OPS = ["ADD", "DELETE"] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];

/** One value of an operation: its datatype IRI and its lexical form (an IRI for references). */
export const OperationValueSchema = z.strictObject({ datatype: z.string().min(1).max(2048), value: z.string().max(100_000) });
export const ChangeOperationSchema = z.strictObject({
  op: z.enum(CHANGE_OPS),
  s: z.string().min(1).max(2048),
  p: z.string().min(1).max(2048),
  o: z.array(OperationValueSchema).min(1).max(1000),
});
export type ChangeOperation = z.infer<typeof ChangeOperationSchema>;

/** An api:Change in normal form: the object by IRI, the revision it applies to, its operations in order. */
export interface Change {
  object: string;
  revision: number;
  operations: ChangeOperation[];
  description?: string;
  notifyRequestStatusChange?: boolean;
}

/** A change that cannot be applied: `operation` is the index of the operation at fault. */
export class ChangeError extends Error {
  constructor(
    readonly operation: number,
    readonly reason: string,
    /** The property IRI the operation is about, when there is one. */
    readonly property?: string,
  ) {
    super(`operation ${operation + 1}: ${reason}`);
    this.name = "ChangeError";
  }
}

const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const STRING = `${XSD}string`;
const BOOLEAN = `${XSD}boolean`;
const INTEGER = `${XSD}integer`;
const ANY_URI = `${XSD}anyURI`;
const DATE_TIME = `${XSD}dateTime`;
const NUMERIC = new Set(
  [
    "integer",
    "int",
    "long",
    "short",
    "byte",
    "decimal",
    "double",
    "float",
    "nonNegativeInteger",
    "positiveInteger",
    "negativeInteger",
    "nonPositiveInteger",
    "unsignedInt",
    "unsignedLong",
  ].map((t) => XSD + t),
);
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER_RE = /^[+-]?\d+$/;
const DATE_TIME_RE = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

// ---------------------------------------------------------------------------------------------
// JSON-LD <-> normal form

/**
 * The normal form of an api:Change in JSON-LD. Throws JsonLdFormError (its path names the api
 * property) when the document is no Change we can read.
 */
export function changeOfJsonLd(json: unknown): Change {
  const node = apiObjectOf(json);
  if (apiClassOf(node) !== "Change") throw new JsonLdFormError("@type", "an api:Change is expected");
  const parsed = API_SCHEMAS.Change.safeParse(node);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new JsonLdFormError(`api:${issue.path.map(String).join(".")}`, issue.message);
  }
  const object = textOf(node.hasLogisticsObject);
  if (!object || !isAbsoluteIri(object)) throw new JsonLdFormError("api:hasLogisticsObject", "the object's IRI is expected");
  const rawRevision = textOf(node.hasRevision);
  const revision = rawRevision !== undefined && /^\d{1,9}$/.test(rawRevision) ? Number(rawRevision) : NaN;
  if (!Number.isSafeInteger(revision) || revision < 1) throw new JsonLdFormError("api:hasRevision", "a revision is a positive integer");
  const operations = many(node.hasOperation).map((raw, i): ChangeOperation => {
    const at = (k: string) => `api:hasOperation[${i}].api:${k}`;
    if (!isObject(raw)) throw new JsonLdFormError(at("op"), "an operation is an object");
    const opIri = textOf(raw.op);
    const op = CHANGE_OPS.find((o) => opIri === API + o);
    if (!op) throw new JsonLdFormError(at("op"), "op is api:ADD or api:DELETE");
    const s = textOf(raw.s);
    if (!s || !(isAbsoluteIri(s) || s.startsWith("_:"))) throw new JsonLdFormError(at("s"), "the subject is an IRI or a blank node");
    const p = textOf(raw.p);
    if (!p || !isAbsoluteIri(p)) throw new JsonLdFormError(at("p"), "the property is an IRI");
    const o = many(raw.o).map((value, j) => {
      const datatype = isObject(value) ? textOf(value.hasDatatype) : undefined;
      const lexical = isObject(value) ? textOf(value.hasValue) : undefined;
      if (!datatype || !isAbsoluteIri(datatype)) throw new JsonLdFormError(`${at("o")}[${j}].api:hasDatatype`, "the datatype is an IRI");
      if (lexical === undefined) throw new JsonLdFormError(`${at("o")}[${j}].api:hasValue`, "a value is expected");
      return { datatype, value: lexical };
    });
    if (o.length === 0) throw new JsonLdFormError(at("o"), "an operation has at least one value");
    return { op, s, p, o };
  });
  if (operations.length === 0) throw new JsonLdFormError("api:hasOperation", "a change has at least one operation");
  const change: Change = { object, revision, operations };
  const description = textOf(node.hasDescription);
  if (description !== undefined) change.description = description;
  const notify = node.notifyRequestStatusChange;
  if (notify !== undefined) change.notifyRequestStatusChange = notify === true || textOf(notify) === "true" || textOf(notify) === "1";
  return change;
}

/** An api:Change as JSON-LD (compact IRIs under the hub's context; the caller adds `@context`). */
export function jsonLdOfChange(change: Change): JsonObject {
  const out: JsonObject = { "@type": "api:Change", "api:hasLogisticsObject": { "@id": change.object } };
  if (change.description !== undefined) out["api:hasDescription"] = change.description;
  out["api:hasOperation"] = change.operations.map((op) => ({
    "@type": "api:Operation",
    "api:op": { "@id": `api:${op.op}` },
    "api:s": op.s,
    "api:p": { "@value": op.p, "@type": "xsd:anyURI" },
    "api:o": op.o.map((v) => ({ "@type": "api:OperationObject", "api:hasDatatype": { "@value": v.datatype, "@type": "xsd:anyURI" }, "api:hasValue": v.value })),
  }));
  out["api:hasRevision"] = { "@value": String(change.revision), "@type": "xsd:positiveInteger" };
  if (change.notifyRequestStatusChange !== undefined) out["api:notifyRequestStatusChange"] = change.notifyRequestStatusChange;
  return out;
}

/**
 * The body of the ChangeRequest record a requester signs for `change` (sdk/records/change-request.ts):
 * the same on both sides because both derive it from the same JSON-LD with this function.
 */
export function changeRequestBodyOf(change: Change): ChangeRequestFields {
  const body: ChangeRequestFields = { object: recordIdOfIri(change.object), revision: change.revision, operations: change.operations };
  if (change.description !== undefined) body.description = change.description;
  if (change.notifyRequestStatusChange !== undefined) body.notifyRequestStatusChange = change.notifyRequestStatusChange;
  return body;
}

export interface ChangeRequestFields {
  /** The object's record id. */
  object: string;
  revision: number;
  operations: ChangeOperation[];
  description?: string;
  notifyRequestStatusChange?: boolean;
}

/** The Change of a ChangeRequest record's body, given the object's IRI on this hub. */
export function changeOfRequestBody(body: ChangeRequestFields, objectIri: string): Change {
  const change: Change = { object: objectIri, revision: body.revision, operations: body.operations };
  if (body.description !== undefined) change.description = body.description;
  if (body.notifyRequestStatusChange !== undefined) change.notifyRequestStatusChange = body.notifyRequestStatusChange;
  return change;
}

/**
 * Properties no Change may touch ("Update a Logistics Object": the server MUST reject changes with
 * operations on hasLogisticsEvent). A logistics object's events are an append-only log, written by
 * POST .../logistics-events only. The specification's text names hasLogisticsEvent; the data model
 * (cargo 3.x) names the property cargo:events.
 */
export const EVENT_LOG_PROPERTIES: readonly string[] = [`${CARGO}events`, `${CARGO}hasLogisticsEvent`, `${API}hasLogisticsEvent`];

/** The first operation of `change` on a property of EVENT_LOG_PROPERTIES (its index and property), if any. */
export function eventLogOperation(change: Pick<Change, "operations">): { operation: number; property: string } | undefined {
  const i = change.operations.findIndex((o) => EVENT_LOG_PROPERTIES.includes(o.p));
  return i < 0 ? undefined : { operation: i, property: change.operations[i]!.p };
}

const RESOURCE_CLASSES = new Set([...LOGISTICS_OBJECT_CLASSES, ...LOGISTICS_EVENT_CLASSES].map((c) => CARGO + c));

/**
 * The first operation of `change` whose value is a new node (a blank node) of a logistics object or
 * event class: it would create a logistics object inside another, which a Change may not do (only
 * link an existing one by its IRI).
 */
export function objectCreation(change: Pick<Change, "operations">): { operation: number; property: string; datatype: string } | undefined {
  for (const [i, o] of change.operations.entries()) {
    const created = o.o.find((v) => v.value.startsWith("_:") && RESOURCE_CLASSES.has(v.datatype));
    if (created) return { operation: i, property: o.p, datatype: created.datatype };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Terms: what a stored value and an operation's value are, for comparing them

type Term = { kind: "node"; id: string } | { kind: "literal"; datatype: string; lexical: string } | { kind: "anonymous" };

function termOfStored(v: Json): Term {
  if (typeof v === "string") return { kind: "literal", datatype: STRING, lexical: v };
  if (typeof v === "boolean") return { kind: "literal", datatype: BOOLEAN, lexical: String(v) };
  if (typeof v === "number") return { kind: "literal", datatype: Number.isInteger(v) ? INTEGER : `${XSD}double`, lexical: String(v) };
  if (!isObject(v)) return { kind: "anonymous" };
  if ("@value" in v) {
    const raw = v["@value"];
    if (typeof v["@type"] === "string") return { kind: "literal", datatype: v["@type"], lexical: String(raw) };
    // A language-tagged string is compared by its text: an operation cannot name a language.
    if (typeof raw === "string") return { kind: "literal", datatype: STRING, lexical: raw };
    return raw === null || typeof raw === "object" ? { kind: "anonymous" } : termOfStored(raw);
  }
  return typeof v["@id"] === "string" ? { kind: "node", id: v["@id"] } : { kind: "anonymous" };
}

const isBoolean = (d: string) => d === BOOLEAN;
const booleanOf = (lexical: string) => lexical === "true" || lexical === "1";

/** RDF term equality, lenient where JSON's number and string forms blur the datatype. */
function sameTerm(a: Term, b: Term): boolean {
  if (a.kind === "anonymous" || b.kind === "anonymous") return false;
  if (a.kind === "node" || b.kind === "node") {
    const id = (t: Term) => (t.kind === "node" ? t.id : t.kind === "literal" && t.datatype === ANY_URI ? t.lexical : undefined);
    const x = id(a);
    return x !== undefined && x === id(b);
  }
  if (NUMERIC.has(a.datatype) && NUMERIC.has(b.datatype))
    return NUMBER_RE.test(a.lexical) && NUMBER_RE.test(b.lexical) && Number(a.lexical) === Number(b.lexical);
  if (isBoolean(a.datatype) && isBoolean(b.datatype)) return booleanOf(a.lexical) === booleanOf(b.lexical);
  if (a.datatype === DATE_TIME && b.datatype === DATE_TIME) return Date.parse(a.lexical) === Date.parse(b.lexical) && !Number.isNaN(Date.parse(a.lexical));
  return a.datatype === b.datatype && a.lexical === b.lexical;
}

// ---------------------------------------------------------------------------------------------
// Applying

/** The skolem IRI naming blank node `label` of a change on `revision` of `objectIri` (RDF 1.1 §3.5). */
export function skolemIri(objectIri: string, revision: number, label: string): string {
  const at = objectIri.indexOf("/logistics-objects/");
  const base = at > 0 ? objectIri.slice(0, at) : new URL(objectIri).origin;
  const hash = toHex(keccak(utf8(`${objectIri}\n${revision}\n${label}`))).slice(2, 34);
  return `${base}/.well-known/genid/${hash}`;
}

interface Context {
  objectIri: string;
  revision: number;
  top: JsonObject;
  /** Embedded nodes by @id: those in the body, those created by this change, and those it unlinked (still addressable). */
  nodes: Map<string, JsonObject[]>;
  /** Nodes created by this change, with the operation that first named them. */
  created: Map<string, { node: JsonObject; operation: number; linked: boolean }>;
  detached: Set<JsonObject>;
}

const isEmbeddedNode = (v: Json): v is JsonObject =>
  isObject(v) && !("@value" in v) && typeof v["@id"] === "string" && Object.keys(v).some((k) => k !== "@id" && k !== "@type");

function indexNodes(value: Json, nodes: Map<string, JsonObject[]>): void {
  if (Array.isArray(value)) return value.forEach((v) => indexNodes(v, nodes));
  if (!isObject(value) || "@value" in value) return;
  if (isEmbeddedNode(value)) nodes.set(value["@id"] as string, [...(nodes.get(value["@id"] as string) ?? []), value]);
  for (const [k, v] of Object.entries(value)) if (!k.startsWith("@")) indexNodes(v, nodes);
}

function contains(root: Json, target: JsonObject): boolean {
  if (root === target) return true;
  if (Array.isArray(root)) return root.some((v) => contains(v, target));
  if (!isObject(root) || "@value" in root) return false;
  return Object.entries(root).some(([k, v]) => !k.startsWith("@") && contains(v, target));
}

function subjectsOf(ctx: Context, s: string, i: number): { nodes: JsonObject[]; top: boolean } {
  if (s === ctx.objectIri) return { nodes: [ctx.top], top: true };
  if (s.startsWith("_:")) {
    const id = skolemIri(ctx.objectIri, ctx.revision, s);
    const found = ctx.nodes.get(id);
    if (found) return { nodes: found, top: false };
    const node: JsonObject = { "@id": id };
    ctx.nodes.set(id, [node]);
    ctx.created.set(id, { node, operation: i, linked: false });
    return { nodes: [node], top: false };
  }
  const found = ctx.nodes.get(s);
  if (!found) throw new ChangeError(i, `the subject ${s} is neither this object nor a node embedded in it`);
  return { nodes: found, top: false };
}

function keyOf(p: string, top: boolean, i: number): string {
  if (p === RDF_TYPE || p.startsWith("@")) throw new ChangeError(i, "the class of an object or node is not changed by a change request", p);
  const local = localName(p, CARGO);
  if (top) {
    if (local === undefined || !FieldName.safeParse(local).success || BODY_FIELDS.includes(local))
      throw new ChangeError(i, "only properties of the cargo ontology are at the top of an object", p);
    return local;
  }
  if (local !== undefined) return local;
  if (!isAbsoluteIri(p)) throw new ChangeError(i, "the property is no IRI", p);
  return p;
}

/** The stored form of an operation's value (what an ADD writes), and its term. */
function valueOf(ctx: Context, v: { datatype: string; value: string }, i: number, p: string): { stored: Json; term: Term; node?: JsonObject } {
  const { datatype: dt, value: lexical } = v;
  const bad = (what: string) => new ChangeError(i, `${JSON.stringify(lexical)} is not ${what}`, p);
  if (dt.startsWith(XSD)) {
    const literal = { kind: "literal" as const, datatype: dt, lexical };
    if (dt === STRING) return { stored: lexical, term: literal };
    if (dt === BOOLEAN) {
      if (!["true", "false", "1", "0"].includes(lexical)) throw bad("an xsd:boolean");
      return { stored: booleanOf(lexical), term: literal };
    }
    if (dt === INTEGER) {
      if (!INTEGER_RE.test(lexical)) throw bad("an xsd:integer");
      const n = Number(lexical);
      return { stored: Number.isSafeInteger(n) ? n : { "@value": lexical, "@type": dt }, term: literal };
    }
    if (NUMERIC.has(dt)) {
      if (!NUMBER_RE.test(lexical)) throw bad(`a number (${dt})`);
      return { stored: { "@value": lexical, "@type": dt }, term: literal };
    }
    if (dt === DATE_TIME) {
      if (!DATE_TIME_RE.test(lexical) || Number.isNaN(Date.parse(lexical))) throw bad("an xsd:dateTime");
      return { stored: { "@value": lexical, "@type": dt }, term: literal };
    }
    if (dt === ANY_URI) {
      if (!isAbsoluteIri(lexical)) throw bad("an absolute IRI");
      return { stored: { "@id": lexical }, term: { kind: "node", id: lexical } };
    }
    return { stored: { "@value": lexical, "@type": dt }, term: literal };
  }
  // Any other datatype is a class (cargo:Value, a code list, ...): the value is a node of it.
  if (lexical.startsWith("_:")) {
    const id = skolemIri(ctx.objectIri, ctx.revision, lexical);
    const { nodes } = subjectsOf(ctx, lexical, i);
    const node = nodes[0]!;
    if (node["@type"] === undefined && ctx.created.has(id)) {
      // The class first, as embedded nodes are written.
      const { "@id": _id, ...rest } = node;
      for (const k of Object.keys(node)) delete node[k];
      Object.assign(node, { "@id": id, "@type": dt }, rest);
    }
    return { stored: node, term: { kind: "node", id }, node };
  }
  if (!isAbsoluteIri(lexical)) throw bad("an IRI (a node of the class given as datatype)");
  const existing = ctx.nodes.get(lexical)?.find((n) => ctx.detached.has(n));
  // A node this change unlinked may be linked again (moved); anything else is a reference.
  return existing
    ? { stored: existing, term: { kind: "node", id: lexical }, node: existing }
    : { stored: { "@id": lexical }, term: { kind: "node", id: lexical } };
}

function add(ctx: Context, subject: JsonObject, key: string, v: { stored: Json; term: Term; node?: JsonObject }, i: number, p: string): void {
  const current = many(subject[key]);
  if (current.some((c) => sameTerm(termOfStored(c), v.term))) return; // a triple is there once (RDF graphs are sets)
  if (v.node) {
    if (contains(v.node, subject)) throw new ChangeError(i, "a node cannot be embedded in itself", p);
    ctx.detached.delete(v.node);
    const created = v.term.kind === "node" ? ctx.created.get(v.term.id) : undefined;
    if (created) created.linked = true;
  }
  const before = subject[key];
  subject[key] = before === undefined ? v.stored : Array.isArray(before) ? [...before, v.stored] : [before, v.stored];
}

function remove(ctx: Context, subject: JsonObject, key: string, term: Term): boolean {
  const before = subject[key];
  if (before === undefined) return false;
  const values = many(before);
  const at = values.findIndex((c) => sameTerm(termOfStored(c), term));
  if (at < 0) return false;
  const [gone] = values.splice(at, 1);
  // An unlinked embedded node stays addressable for the rest of the change (its own triples are deleted after it).
  if (isObject(gone) && ctx.nodes.get(String(gone["@id"]))?.includes(gone)) ctx.detached.add(gone);
  if (values.length === 0) delete subject[key];
  else subject[key] = Array.isArray(before) ? values : values[0]!;
  return true;
}

/**
 * The body of revision n+1: `change`'s operations applied in order to `body` (revision n of the
 * object `objectIri`). Throws ChangeError naming the first operation that does not apply: a DELETE
 * of a value that is not there, a subject that is not in the object, a value not of its datatype,
 * a new node left unlinked. The input is not modified.
 */
export function applyChange(body: JsonObject, change: Pick<Change, "revision" | "operations">, objectIri: string): JsonObject {
  const top = JSON.parse(JSON.stringify(body)) as JsonObject;
  const ctx: Context = { objectIri, revision: change.revision, top, nodes: new Map(), created: new Map(), detached: new Set() };
  for (const [k, v] of Object.entries(top)) if (!BODY_FIELDS.includes(k)) indexNodes(v, ctx.nodes);
  change.operations.forEach((operation, i) => {
    const { nodes, top: isTop } = subjectsOf(ctx, operation.s, i);
    const key = keyOf(operation.p, isTop, i);
    for (const value of operation.o) {
      const v = valueOf(ctx, value, i, operation.p);
      if (operation.op === "ADD") for (const n of nodes) add(ctx, n, key, v, i, operation.p);
      else {
        let removed = false;
        for (const n of nodes) removed = remove(ctx, n, key, v.term) || removed;
        if (!removed) throw new ChangeError(i, `${operation.p} of ${operation.s} has no value ${JSON.stringify(value.value)} to delete`, operation.p);
      }
    }
  });
  for (const [, c] of ctx.created) if (!c.linked) throw new ChangeError(c.operation, "a new node is never linked to the object");
  // Shared node instances become copies: the body is a plain tree again.
  return JSON.parse(JSON.stringify(top)) as JsonObject;
}
