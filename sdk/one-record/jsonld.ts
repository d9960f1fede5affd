/**
 * Compact ONE Record JSON-LD <-> record body. Only inline contexts are understood (prefixes, term
 * definitions with `@id`/`@type`/`@language`, a default `@language`, `@vocab`): a remote context
 * would need a network fetch, so it is refused. Values are normalised to full IRIs so that a body
 * does not depend on the prefixes its sender chose; keys in the cargo namespace become local names.
 */
import { FieldName } from "../envelope";
import { checkJsonShape, JsonShapeError, type JsonShapeLimits } from "../json-shape";
import { API, CARGO, ONE_RECORD_CONTEXT, compactIri, isAbsoluteIri, localName } from "./vocabulary";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A document that is not JSON-LD we can read; `path` names the offending property. */
export class JsonLdFormError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = "JsonLdFormError";
  }
}

type TermDefinition = { id?: string; type?: string; language?: string | null };
type ActiveContext = { terms: Record<string, TermDefinition>; language?: string | null; vocab?: string };

const EMPTY_CONTEXT: ActiveContext = { terms: {} };

export const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** A property's values: JSON-LD writes one value alone or in an array, and an absent property has none. */
export const valuesOf = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A literal's text (plain, or a value object's scalar `@value`), or a node reference's `@id`; else undefined. */
export const textOf = (v: Json | undefined): string | undefined => {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (isObject(v) && "@value" in v && v["@value"] !== null && typeof v["@value"] !== "object") return String(v["@value"]);
  if (isObject(v) && typeof v["@id"] === "string") return v["@id"];
  return undefined;
};

function expandIri(ctx: ActiveContext, value: string, vocab: boolean): string {
  if (value.startsWith("@")) return value;
  if (vocab && ctx.terms[value]?.id !== undefined) return ctx.terms[value].id as string;
  const colon = value.indexOf(":");
  if (colon > 0) {
    const prefix = value.slice(0, colon);
    const suffix = value.slice(colon + 1);
    if (prefix === "_" || suffix.startsWith("//")) return value;
    const ns = ctx.terms[prefix]?.id;
    return ns !== undefined ? ns + suffix : value;
  }
  return vocab && ctx.vocab !== undefined ? ctx.vocab + value : value;
}

function extendContext(active: ActiveContext, local: unknown, path: string): ActiveContext {
  if (local === null) return EMPTY_CONTEXT;
  if (Array.isArray(local)) return local.reduce<ActiveContext>((ctx, c) => extendContext(ctx, c, path), active);
  if (typeof local === "string") throw new JsonLdFormError(path, `remote context ${local} is not loaded: give the prefixes inline`);
  if (!isObject(local)) throw new JsonLdFormError(path, "@context must be an object");
  const ctx: ActiveContext = { ...active, terms: { ...active.terms } };
  for (const k of Object.keys(local))
    if (k.startsWith("@") && !["@language", "@vocab", "@version"].includes(k)) throw new JsonLdFormError(path, `context keyword ${k} is not supported`);
  if ("@language" in local) {
    const lang = local["@language"];
    if (lang !== null && typeof lang !== "string") throw new JsonLdFormError(path, "@language must be a string");
    ctx.language = lang;
  }
  if (typeof local["@vocab"] === "string") ctx.vocab = expandIri(ctx, local["@vocab"], false);
  // Prefixes first, so term definitions may use a prefix defined after them in the same object.
  const entries = Object.entries(local).filter(([k]) => !k.startsWith("@"));
  for (const [term, def] of entries) {
    if (def === null) delete ctx.terms[term];
    else if (typeof def === "string") ctx.terms[term] = { id: expandIri(ctx, def, false) };
  }
  for (const [term, def] of entries) {
    if (!isObject(def)) {
      if (def !== null && typeof def !== "string") throw new JsonLdFormError(path, `term definition of ${term} must be a string or an object`);
      continue;
    }
    const id = typeof def["@id"] === "string" ? expandIri(ctx, def["@id"], true) : expandIri(ctx, term, true);
    const out: TermDefinition = { id };
    if (typeof def["@type"] === "string") out.type = def["@type"].startsWith("@") ? def["@type"] : expandIri(ctx, def["@type"], true);
    if ("@language" in def) out.language = def["@language"] as string | null;
    ctx.terms[term] = out;
  }
  return ctx;
}

type NormalizeOptions = { ns: string; strict: boolean };

function normalizeValue(value: Json, ctx: ActiveContext, term: TermDefinition | undefined, opts: NormalizeOptions, path: string): Json {
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      if (Array.isArray(v)) throw new JsonLdFormError(`${path}[${i}]`, "nested arrays are not JSON-LD (use @list)");
      return normalizeValue(v, ctx, term, opts, `${path}[${i}]`);
    });
  }
  if (value === null) throw new JsonLdFormError(path, "null is no value: leave the property out");
  const coerce = term?.type;
  if (typeof value === "string") {
    if (coerce === "@id" || coerce === "@vocab") return { "@id": expandIri(ctx, value, coerce === "@vocab") };
    if (coerce !== undefined && coerce !== "@none") return { "@value": value, "@type": coerce };
    const language = term && "language" in term ? term.language : ctx.language;
    return language ? { "@value": value, "@language": language } : value;
  }
  if (typeof value === "number" || typeof value === "boolean") {
    return coerce !== undefined && !coerce.startsWith("@") ? { "@value": value, "@type": coerce } : value;
  }
  if ("@value" in value) {
    const out: JsonObject = { "@value": value["@value"] };
    for (const [k, v] of Object.entries(value)) {
      if (k === "@value") continue;
      if (k === "@type" && typeof v === "string") out["@type"] = expandIri(ctx, v, true);
      else if (k === "@language" && typeof v === "string") out["@language"] = v;
      else throw new JsonLdFormError(`${path}.${k}`, "a value object holds only @value, @type and @language");
    }
    return out;
  }
  if ("@set" in value) return normalizeValue(value["@set"], ctx, term, opts, path);
  if ("@list" in value) throw new JsonLdFormError(path, "@list is not supported");
  return normalizeNode(value, ctx, opts, path);
}

function normalizeNode(node: JsonObject, active: ActiveContext, opts: NormalizeOptions, path: string): JsonObject {
  const ctx = "@context" in node ? extendContext(active, node["@context"], `${path}@context`) : active;
  const out: JsonObject = {};
  const at = (k: string) => (path ? `${path}.${k}` : k);
  for (const [key, value] of Object.entries(node)) {
    if (key === "@context") continue;
    if (key === "@id") {
      if (typeof value !== "string") throw new JsonLdFormError(at(key), "@id must be a string");
      out["@id"] = expandIri(ctx, value, false);
    } else if (key === "@type") {
      const types = Array.isArray(value) ? value : [value];
      if (!types.every((t): t is string => typeof t === "string")) throw new JsonLdFormError(at(key), "@type must be a string or an array of strings");
      const expanded = types.map((t) => expandIri(ctx, t, true));
      out["@type"] = Array.isArray(value) ? expanded : expanded[0];
    } else if (key.startsWith("@")) {
      throw new JsonLdFormError(at(key), `keyword ${key} is not supported here`);
    } else {
      const iri = expandIri(ctx, key, true);
      if (!isAbsoluteIri(iri) && opts.strict) throw new JsonLdFormError(at(key), `${key} is no property IRI: write it as cargo:${key} or give a full IRI`);
      const name = isAbsoluteIri(iri) ? (localName(iri, opts.ns) ?? iri) : key;
      if (Object.hasOwn(out, name)) throw new JsonLdFormError(at(name), "property given twice (prefixed and in full)");
      out[name] = normalizeValue(value, ctx, ctx.terms[key], opts, at(name));
    }
  }
  return out;
}

/** The walks below recurse: a document nested too deep (or with a reserved key) is refused first. */
function checkShape(json: unknown, limits?: JsonShapeLimits): void {
  try {
    checkJsonShape(json, limits);
  } catch (err) {
    if (err instanceof JsonShapeError) throw new JsonLdFormError(err.path, err.reason);
    throw err;
  }
}

/**
 * A JSON-LD node in normal form: IRIs expanded, keys in namespace `ns` by local name, other keys
 * by full IRI. `strict` refuses keys that map to no IRI (JSON-LD would silently drop them).
 */
export function normalizeDocument(json: unknown, ns: string, strict: boolean): JsonObject {
  if (!isObject(json)) throw new JsonLdFormError("", "a JSON-LD object is expected");
  checkShape(json);
  return normalizeNode(json, EMPTY_CONTEXT, { ns, strict }, "");
}

/**
 * Body fields that are no cargo property: the class, any further classes the object was typed with,
 * and, on an object the hub attested for an organisation that wrote it unsigned, that organisation.
 */
export const OBJECT_TYPE_FIELD = "objectType";
export const ADDITIONAL_TYPES_FIELD = "additionalTypes";
export const CAPTURED_BY_FIELD = "capturedBy";
export const BODY_FIELDS: readonly string[] = [OBJECT_TYPE_FIELD, ADDITIONAL_TYPES_FIELD, CAPTURED_BY_FIELD];

/** The namespace of the hub's own terms in the JSON-LD it emits (the hub attestation of an object). */
export const CARGOPROOF = "https://cargoproof.dev/ns#";
export const ATTESTED_BY = `${CARGOPROOF}attestedBy`;
export const CAPTURED_BY = `${CARGOPROOF}capturedBy`;

const REVISION = `${API}hasRevision`;
const LATEST_REVISION = `${API}hasLatestRevision`;

export type ObjectOfJson = {
  objectType: string;
  /** The record body: `objectType`, maybe `additionalTypes`, and the cargo properties by local name. */
  body: JsonObject;
  /** The object's `@id` as given (the hub mints its own on create). */
  id?: string;
  revision?: number;
  latestRevision?: number;
};

function revisionNumber(value: Json, path: string): number {
  const raw = isObject(value) ? value["@value"] : value;
  const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) throw new JsonLdFormError(path, "a revision is a positive integer");
  return n;
}

/** The record body of a ONE Record logistics object (or event) in JSON-LD. */
export function bodyOfObject(json: unknown): ObjectOfJson {
  const node = normalizeDocument(json, CARGO, true);
  const { "@id": id, "@type": type, ...props } = node;
  const types = (Array.isArray(type) ? type : type === undefined ? [] : [type]) as string[];
  const main = types.findIndex((t) => localName(t, CARGO) !== undefined);
  if (main < 0) throw new JsonLdFormError("@type", "a logistics object has a class of the cargo ontology as @type, e.g. cargo:Shipment");
  const objectType = localName(types[main], CARGO) as string;
  const additional = types.filter((_, i) => i !== main).map((t) => localName(t, CARGO) ?? t);
  const result: ObjectOfJson = { objectType, body: {} };
  if (typeof id === "string") result.id = id;
  const body: JsonObject = { [OBJECT_TYPE_FIELD]: objectType };
  if (additional.length > 0) body[ADDITIONAL_TYPES_FIELD] = additional;
  for (const [key, value] of Object.entries(props)) {
    if (key === REVISION) result.revision = revisionNumber(value, "api:hasRevision");
    else if (key === LATEST_REVISION) result.latestRevision = revisionNumber(value, "api:hasLatestRevision");
    else if (BODY_FIELDS.includes(key)) throw new JsonLdFormError(key, `cargo:${key} clashes with the body field of that name`);
    else if (!FieldName.safeParse(key).success)
      throw new JsonLdFormError(key, "only properties of the cargo ontology (https://onerecord.iata.org/ns/cargo#) are kept at the top of an object");
    else body[key] = value;
  }
  result.body = body;
  return result;
}

function typeIri(t: string): string {
  return t.includes(":") ? compactIri(t) : `cargo:${t}`;
}

function jsonOfValue(value: Json): Json {
  if (Array.isArray(value)) return value.map(jsonOfValue);
  if (!isObject(value) || "@value" in value) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "@type") out[k] = Array.isArray(v) ? v.map((t) => typeIri(String(t))) : typeIri(String(v));
    else if (k.startsWith("@")) out[k] = v;
    else out[k.includes(":") ? k : `cargo:${k}`] = jsonOfValue(v);
  }
  return out;
}

/**
 * `attestation`: the party IRIs of a hub-attested object (body.capturedBy), emitted as
 * `https://cargoproof.dev/ns#attestedBy` (the hub) and `...#capturedBy` (the organisation it speaks
 * for) beside the cargo properties.
 */
export type ObjectMeta = { revision?: number; latestRevision?: number; attestation?: { attestedBy: string; capturedBy: string } };

/** The ONE Record JSON-LD of a record body; `id` is the object's IRI (none for an object not yet created). */
export function objectOfBody(objectType: string, body: Readonly<Record<string, unknown>>, id: string | undefined, meta: ObjectMeta = {}): JsonObject {
  checkShape(body, { depthOnly: true });
  const { [OBJECT_TYPE_FIELD]: _type, [ADDITIONAL_TYPES_FIELD]: additional, [CAPTURED_BY_FIELD]: _by, ...props } = body;
  const extra = Array.isArray(additional) ? additional.map(String) : [];
  const types = [objectType, ...extra].map(typeIri);
  const out: JsonObject = { "@context": { ...ONE_RECORD_CONTEXT } };
  if (id !== undefined) out["@id"] = id;
  out["@type"] = types.length === 1 ? types[0] : types;
  if (meta.revision !== undefined) out["api:hasRevision"] = meta.revision;
  if (meta.latestRevision !== undefined) out["api:hasLatestRevision"] = meta.latestRevision;
  if (meta.attestation) {
    // Full IRIs: the node keeps its meaning wherever it is embedded (an event list, ?embedded=true).
    out[ATTESTED_BY] = { "@id": meta.attestation.attestedBy };
    out[CAPTURED_BY] = { "@id": meta.attestation.capturedBy };
  }
  for (const [key, value] of Object.entries(props)) out[`cargo:${key}`] = jsonOfValue(value as Json);
  return out;
}

/** The record id of an object IRI: its last path segment (the UUID the hub minted). */
export function recordIdOfIri(iri: string): string {
  const path = iri
    .trim()
    .replace(/[?#].*$/, "")
    .replace(/\/+$/, "");
  return path.slice(path.lastIndexOf("/") + 1);
}
