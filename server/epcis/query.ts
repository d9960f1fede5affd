import { createHash } from "node:crypto";
import { z } from "zod";
import { EPCIS_EVENT_TYPES } from "../../sdk/records/epcis-event";
import type { EpcisEventBody } from "../../sdk/records/epcis-event";
import { canonicalGs1Uri } from "../../sdk/epcis/gs1-uri";
import { normaliseTimestamp } from "../../sdk/epcis/event-hash";
import { eventContext } from "../../sdk/epcis/records";
import type { ProductCode } from "../../sdk/provenance/digital-link";
import type { Db, DbProvider } from "../db/client";
import { chunks, placeholders, query, type Runner } from "../db/sql";
import { HttpProblem, badRequest } from "../http/problem";
import {
  CONTAINERS,
  SENSOR_EQ_PARAMS,
  booleanValuePredicate,
  epcPredicate,
  extensionPredicate,
  fieldInPredicate,
  isEpcPattern,
  isQualified,
  masterDataPredicate,
  orderKey,
  persistentDispositionPredicate,
  quantityPredicate,
  sensorAttributePredicate,
  sensorTimePredicate,
  sensorTypePredicate,
  sensorValuePredicate,
  typedListPredicate,
  vocabularyElementOf,
  withDescendants,
  WD_MAX_PLACES,
  type Comparison,
  type CountedMasterData,
  type MasterDataFacts,
  type Container,
  type EpcField,
  type EventPredicate,
  type SensorAttribute,
  type MatchableEvent,
  type QueryValue,
} from "./event-match";
import { vocabularyForms } from "./vocabulary";
import { EPCIS_QUERY_PARAMETERS, type EpcisQueryParameter } from "../../sdk/epcis/api";

export { vocabularyForms };

/**
 * An EPCIS 2.0 query (§8.2.7.1 SimpleEventQuery, every parameter of the standard): parameter name
 * to its value, normalised by parseEventQuery (lists as arrays, times in UTC, numbers as numbers).
 * The names are open-ended (EQ_{extension field}, GT_value_{uom}, EQ_bizTransaction_{type}, ...),
 * so the schema is a record; PARAMETERS below is the grammar.
 */
export const EventQuerySchema = z
  .record(z.string(), z.union([z.array(z.string()), z.string(), z.number(), z.boolean()]))
  .describe('EPCIS 2.0 SimpleEventQuery parameters (EPCIS 2.0 §8.2.7.1), e.g. { "EQ_bizStep": ["shipping"], "GE_eventTime": "2024-01-01T00:00:00Z" }');
export type EventQuery = Record<string, QueryValue>;

type Kind = "list" | "time" | "number" | "bool" | "count" | "bound" | "void" | "orderBy" | "direction" | "action";

const queryProblem = (detail: string, errors?: { path: string; message: string }[]) =>
  new HttpProblem(400, "epcis-query-parameter", "Bad request", detail, errors);

const FIXED: Readonly<Record<string, Kind>> = EPCIS_QUERY_PARAMETERS;

// The SDK's list names exactly the EPC fields and sensor attributes the matcher reads (a compile-time check).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const fixedNamesAgree: [
  Same<Extract<EpcisQueryParameter, `MATCH_${string}`>, `MATCH_${EpcField}`>,
  Same<`EQ_${SensorAttribute}`, Extract<EpcisQueryParameter, `EQ_${SensorAttribute}`>>,
] = [true, true];
void fixedNamesAgree;

const CMP = "(EQ|GT|GE|LT|LE)";
const QUANTITY = new RegExp(`^${CMP}_quantity(?:_(.+))?$`);
const SENSOR_VALUE = new RegExp(`^${CMP}_(value|minValue|maxValue|meanValue|sDev|percValue)_(.+)$`);
const PERC_RANK = new RegExp(`^${CMP}_percRank$`);
const TYPED_LIST = /^EQ_(bizTransaction|source|destination)_(.+)$/;
/** HASATTR_fieldname, EQATTR_fieldname_attrname (a top-level field's name has no "_"; the attribute's may). */
const MASTER_DATA = /^(?:HASATTR_([^_]+)|EQATTR_([^_]+)_(.+))$/;
const EXTENSION = new RegExp(`^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(?:(${CONTAINERS.join("|")})_)?(.+)$`);

interface Extension {
  op: Comparison | "EXISTS";
  inner: boolean;
  container: Container;
  field: string;
}

/** EQ_[INNER_][ILMD_|SENSORELEMENT_|...]fieldname: a qualified extension field (sensor metadata and report attributes may be named bare). */
function extensionOf(name: string): Extension | undefined {
  const m = EXTENSION.exec(name);
  if (!m) return undefined;
  const container = (m[3] ?? "event") as Container;
  const field = m[4]!;
  const bareAllowed = container === "SENSORMETADATA" || container === "SENSORREPORT";
  if (!isQualified(field) && !bareAllowed) return undefined;
  return { op: m[1] as Extension["op"], inner: m[2] !== undefined, container, field };
}

/** The kind of value a parameter takes, or undefined for a name the query language does not have. */
function kindOf(name: string): Kind | undefined {
  if (FIXED[name]) return FIXED[name];
  if (QUANTITY.test(name) || SENSOR_VALUE.test(name) || PERC_RANK.test(name)) return "number";
  if (TYPED_LIST.test(name) || MASTER_DATA.test(name)) return "list";
  const ext = extensionOf(name);
  if (ext) return ext.op === "EXISTS" ? "void" : ext.op === "EQ" ? "list" : "bound";
  return undefined;
}

function time(name: string, v: unknown): string {
  try {
    if (typeof v !== "string") throw new Error();
    return normaliseTimestamp(v);
  } catch {
    throw queryProblem(`${name} is not an ISO 8601 date-time with a time zone.`, [{ path: name, message: "expected e.g. 2024-01-31T12:00:00Z" }]);
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseValue(name: string, kind: Kind, raw: unknown, fromUrl: boolean): QueryValue {
  const bad = (message: string) => queryProblem(`${name}: ${message}`, [{ path: name, message }]);
  switch (kind) {
    case "list":
    case "action": {
      const items = typeof raw === "string" ? (fromUrl || kind === "list" ? raw.split("|") : [raw]) : raw;
      if (!Array.isArray(items) || items.length === 0 || !items.every((x) => typeof x === "string" && x.length > 0))
        throw bad("expected a non-empty list of non-empty strings");
      if (kind === "action" && !items.every((x) => x === "ADD" || x === "OBSERVE" || x === "DELETE")) throw bad("each action is ADD, OBSERVE or DELETE");
      return items as string[];
    }
    case "time":
      return time(name, raw);
    case "number": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && NUMBER.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw bad("expected a number");
      return n;
    }
    case "count": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < 0) throw bad("expected a non-negative integer");
      return n;
    }
    case "bool":
      if (raw === true || raw === "true") return true;
      if (raw === false || raw === "false") return false;
      throw bad("expected true or false");
    case "bound": {
      if (typeof raw === "number" && Number.isFinite(raw)) return raw;
      if (typeof raw === "string" && NUMBER.test(raw.trim())) return Number(raw);
      if (typeof raw === "string" && /^\d{4}-\d\d-\d\dT/.test(raw)) return time(name, raw);
      throw bad("expected a number or an ISO 8601 date-time (an Int, Float or Time field)");
    }
    case "void":
      return true; // EXISTS_ parameters take no value (the standard: Void)
    case "orderBy":
      if (raw === "eventTime" || raw === "recordTime" || (typeof raw === "string" && isQualified(raw))) return raw;
      throw bad("orderBy is eventTime, recordTime or the qualified name of an extension field");
    case "direction":
      if (raw === "ASC" || raw === "DESC") return raw;
      throw bad("orderDirection is ASC or DESC");
  }
}

function parse(raw: unknown, fromUrl: boolean): EventQuery {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw queryProblem("A query is a JSON object of EPCIS query parameters.");
  const out: EventQuery = {};
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const kind = kindOf(name);
    if (!kind) unknown.push(name);
    else out[name] = parseValue(name, kind, value, fromUrl);
  }
  if (unknown.length > 0)
    throw queryProblem(
      "Unsupported or malformed query parameter.",
      unknown.map((n) => ({ path: n, message: "not a parameter of the EPCIS 2.0 query language (§8.2.7.1)" })),
    );
  // §8.2.7.1: eventCountLimit and maxEventCount exclude each other, and eventCountLimit needs orderBy.
  if (out.eventCountLimit !== undefined && out.maxEventCount !== undefined) throw queryProblem("eventCountLimit and maxEventCount are mutually exclusive.");
  if (out.eventCountLimit !== undefined && out.orderBy === undefined) throw queryProblem("eventCountLimit may only be used with orderBy.");
  return out;
}

/** A query from JSON (a named query's definition): single values are accepted where lists are expected. */
export function parseEventQuery(raw: unknown): EventQuery {
  return parse(raw, false);
}

/** A query from URL parameters (lists "|"-separated); `perPage` and `nextPageToken` are split off. */
export function parseUrlQuery(params: Record<string, unknown>): { query: EventQuery; perPage: number; pageToken?: string } {
  const { perPage, nextPageToken, ...rest } = params;
  for (const [k, v] of Object.entries(rest)) if (typeof v !== "string") throw queryProblem(`${k} is given more than once.`);
  return { query: parse(rest, true), perPage: parsePerPage(perPage), ...(typeof nextPageToken === "string" ? { pageToken: nextPageToken } : {}) };
}

export const DEFAULT_PER_PAGE = 100;
export const MAX_PER_PAGE = 1000;

export function parsePerPage(raw: unknown): number {
  if (raw === undefined) return DEFAULT_PER_PAGE;
  if (typeof raw !== "string" || !/^[1-9]\d{0,6}$/.test(raw)) throw queryProblem("perPage is a positive integer.");
  return Math.min(Number(raw), MAX_PER_PAGE);
}

/** A place or EPC asked for as a URN or a Digital Link matches either form. */
const idForms = (value: string) => [...new Set([value, canonicalGs1Uri(value)])];

/**
 * Where the caller may see an event: it owns it, captured it (hub-attested), or holds an active grant.
 * This is readableRecord's rule (server/records/access.ts) in SQL, so pages and counts stay exact:
 * EPCIS events have no links (only logistics objects do), and revoking a grant writes revokedAt on
 * every grant delegated from it, so a direct row is the whole rule for them. A field-level grant
 * shows the event only as its redacted record (GET /v1/records/{id}), never here.
 */
export function visibility(p: (v: string) => string, caller: string, now: string, provider: DbProvider): string {
  const at = provider === "postgresql" ? `CAST(${p(now)} AS TIMESTAMP(3))` : p(now);
  const c = p(caller);
  return `(e."owner" = ${c} OR e."capturedBy" = ${c} OR EXISTS (SELECT 1 FROM "Grant" g WHERE g."recordId" = e."recordId" AND g."grantee" = ${c} AND g."fields" IS NULL AND g."revokedAt" IS NULL AND (g."expiresAt" IS NULL OR g."expiresAt" > ${at})))`;
}

/**
 * The events named `eventId` (their eventID or hash) that the caller may not see, with their
 * attesters: whose access log shows the refused read. Never part of an answer.
 */
export async function hiddenEvents(db: Runner, provider: DbProvider, caller: string, eventId: string): Promise<{ recordId: string; attester: string }[]> {
  const params: string[] = [];
  const p = (v: string) => {
    params.push(v);
    return `$${params.length}`;
  };
  const id = p(eventId);
  return query<{ recordId: string; attester: string }>(
    db,
    provider,
    `SELECT e."recordId", COALESCE(e."capturedBy", e."owner") AS "attester" FROM "EpcisEvent" e WHERE (e."eventHash" = ${id} OR e."eventId" = ${id}) AND NOT ${visibility(p, caller, new Date().toISOString(), provider)} ORDER BY e."recordId" LIMIT 100`,
    params,
  );
}

export interface EventPage {
  recordIds: { recordId: string; recordTime: string }[];
  nextPageToken?: string;
}

/**
 * What selects events besides the query parameters: one event, the events naming a product, or some
 * records (a subscription's events: which of them the caller may see and the query matches).
 */
export type EventSelector = { eventId: string } | { epc: string; product?: ProductCode } | { recordIds: readonly string[] } | Record<string, never>;

/** Roles of the EPC index (server/epcis/indexer.ts epcRoles) for the MATCH_ parameters it can answer. */
const INDEXED_EPC_ROLES: Partial<Record<EpcField, string[]>> = {
  epc: ["epc"],
  parentID: ["parent"],
  inputEPC: ["input"],
  outputEPC: ["output"],
  anyEPC: ["epc", "parent", "input", "output"],
  anyEPCClass: ["class"],
};

/**
 * The candidate set evaluated in memory (parameters the index does not hold, orderBy an extension
 * field) is at most this many events after the indexed filters: beyond, the query is too complex
 * to answer (413 QueryTooComplexException) and should be narrowed with indexed parameters.
 */
export const CANDIDATE_LIMIT = 5000;

export const queryTooLarge = (detail: string) => new HttpProblem(413, "epcis-query-too-large", "Query too large (QueryTooLargeException)", detail);
export const queryTooComplex = (detail: string) => new HttpProblem(413, "epcis-query-too-complex", "Query too complex (QueryTooComplexException)", detail);

interface Compiled {
  /** SQL over the index (EpcisEvent e). */
  sql: string[];
  /** Predicates over the stored events, for what the index does not hold. */
  tests: EventPredicate[];
  /** HASATTR_/EQATTR_: the field whose element's master data they read, and the predicate given it. */
  attributeTests: { field: string; test: (md: CountedMasterData) => EventPredicate }[];
}

/**
 * The master data a query reads, for `caller`: the statements it may count (PlaceNames.counted:
 * the element's owner's and the caller's own), read on `db`, the query's own runner (a stream
 * subscription matches inside the capture's transaction). Without one, no master data counts
 * (WD_ is EQ_, HASATTR_/EQATTR_ match nothing).
 */
export interface MasterDataSource {
  counted(caller: string, ids: readonly string[], db: Runner): Promise<CountedMasterData>;
  /** An organisation's GS1 Company Prefixes (its credentials in force), for GS1-EPC-Format Always_EPC_URN. */
  companyPrefixes?(orgId: string): Promise<string[]>;
}

const WD_PARAMS = ["WD_readPoint", "WD_bizLocation"] as const;

/**
 * The counted master data of the places WD_ names and of their descendants, read level by level
 * (withDescendants is the one walk: each round reads what the last one found), before matching.
 */
async function hierarchyOf(db: Runner, source: MasterDataSource | undefined, caller: string, q: EventQuery): Promise<CountedMasterData> {
  const roots = WD_PARAMS.flatMap((n) => (Array.isArray(q[n]) ? (q[n] as string[]) : []));
  const md = new Map<string, MasterDataFacts>();
  if (!source || roots.length === 0) return md;
  const read = new Set<string>();
  for (;;) {
    const places = withDescendants(roots, md);
    if (places.size > WD_MAX_PLACES) throw queryTooComplex(`WD_ names more than ${WD_MAX_PLACES} places with their descendants; name fewer or use EQ_.`);
    const unread = [...places].filter((id) => !read.has(id));
    if (unread.length === 0) return md;
    unread.forEach((id) => read.add(id));
    for (const [id, facts] of await source.counted(caller, unread, db)) md.set(id, facts);
  }
}

/** Each parameter as SQL over the index where the index holds its data, else as a predicate over the stored event. */
function compile(q: EventQuery, p: (v: string) => string, hierarchy: CountedMasterData): Compiled {
  const list = (vs: readonly string[]) => vs.map(p).join(", ");
  const sql: string[] = [];
  const tests: EventPredicate[] = [];
  const attributeTests: Compiled["attributeTests"] = [];
  const strings = (v: QueryValue) => (Array.isArray(v) ? v : [String(v)]);
  for (const [name, v] of Object.entries(q)) {
    const vs = strings(v);
    switch (name) {
      case "eventType":
        sql.push(`e."eventType" IN (${list(vs)})`);
        continue;
      case "EQ_bizStep":
        sql.push(`e."bizStep" IN (${list(vs.flatMap((x) => vocabularyForms("bizStep", x)))})`);
        continue;
      case "EQ_disposition":
        sql.push(`e."disposition" IN (${list(vs.flatMap((x) => vocabularyForms("disposition", x)))})`);
        continue;
      // WD_ (with descendants): the places and what the counted master data's children put below them.
      case "EQ_readPoint":
        sql.push(`e."readPoint" IN (${list(vs.flatMap(idForms))})`);
        continue;
      case "WD_readPoint":
        sql.push(`e."readPoint" IN (${list([...withDescendants(vs, hierarchy)].flatMap(idForms))})`);
        continue;
      case "EQ_bizLocation":
        sql.push(`e."bizLocation" IN (${list(vs.flatMap(idForms))})`);
        continue;
      case "WD_bizLocation":
        sql.push(`e."bizLocation" IN (${list([...withDescendants(vs, hierarchy)].flatMap(idForms))})`);
        continue;
      case "GE_eventTime":
        sql.push(`e."eventTime" >= ${p(String(v))}`);
        continue;
      case "LT_eventTime":
        sql.push(`e."eventTime" < ${p(String(v))}`);
        continue;
      case "GE_recordTime":
        sql.push(`e."recordTime" >= ${p(String(v))}`);
        continue;
      case "LT_recordTime":
        sql.push(`e."recordTime" < ${p(String(v))}`);
        continue;
      case "EQ_eventID":
        sql.push(`e."eventId" IN (${list(vs)})`);
        continue;
      // Each of these selects only events that declare an error; false EXISTS_ selects all.
      case "EXISTS_errorDeclaration":
        if (v === true) sql.push(`e."errorDeclarationTime" IS NOT NULL`);
        continue;
      case "GE_errorDeclarationTime":
        sql.push(`e."errorDeclarationTime" >= ${p(String(v))}`);
        continue;
      case "LT_errorDeclarationTime":
        sql.push(`e."errorDeclarationTime" < ${p(String(v))}`);
        continue;
      case "EQ_errorReason":
        sql.push(`e."errorReason" IN (${list(vs.flatMap((x) => vocabularyForms("errorReason", x)))})`);
        continue;
      case "EQ_correctiveEventID":
        sql.push(`EXISTS (SELECT 1 FROM "EpcisCorrectiveEvent" c WHERE c."recordId" = e."recordId" AND c."eventId" IN (${list(vs)}))`);
        continue;
      case "EQ_action":
      case "EQ_transformationID":
        tests.push(fieldInPredicate(name.slice(3), v));
        continue;
      case "EQ_persistentDisposition_set":
      case "EQ_persistentDisposition_unset":
        tests.push(persistentDispositionPredicate(name.endsWith("_set") ? "set" : "unset", v));
        continue;
      case "EQ_type":
        tests.push(sensorTypePredicate(v));
        continue;
      case "EQ_booleanValue":
        tests.push(booleanValuePredicate(v === true));
        continue;
      case "GE_time":
      case "LT_time":
        tests.push(sensorTimePredicate(name.slice(0, 2) as "GE" | "LT", "time", String(v), ["metadata", "report"]));
        continue;
      case "GE_startTime":
      case "LT_startTime":
      case "GE_endTime":
      case "LT_endTime":
        tests.push(sensorTimePredicate(name.slice(0, 2) as "GE" | "LT", name.slice(3) as "startTime" | "endTime", String(v), ["metadata"]));
        continue;
      case "orderBy":
      case "orderDirection":
      case "eventCountLimit":
      case "maxEventCount":
        continue;
    }
    if (name.startsWith("MATCH_")) {
      const field = name.slice(6) as EpcField;
      const roles = INDEXED_EPC_ROLES[field];
      if (roles && !vs.some(isEpcPattern)) {
        const forms = vs.flatMap(idForms);
        sql.push(
          `EXISTS (SELECT 1 FROM "EpcisEventEpc" m WHERE m."recordId" = e."recordId" AND m."role" IN (${list(roles)}) AND (m."epc" IN (${list(forms)}) OR m."canonical" IN (${list(forms.map(canonicalGs1Uri))})))`,
        );
      } else tests.push(epcPredicate(field, v)); // patterns, and the class lists the index keeps as one
      continue;
    }
    if (SENSOR_EQ_PARAMS.includes(name)) {
      tests.push(sensorAttributePredicate(name.slice(3), v));
      continue;
    }
    let m = QUANTITY.exec(name);
    if (m) {
      tests.push(quantityPredicate(m[1] as Comparison, m[2], Number(v)));
      continue;
    }
    if ((m = SENSOR_VALUE.exec(name))) {
      tests.push(sensorValuePredicate(m[1] as Comparison, m[2]!, m[3], Number(v)));
      continue;
    }
    if ((m = PERC_RANK.exec(name))) {
      tests.push(sensorValuePredicate(m[1] as Comparison, "percRank", undefined, Number(v)));
      continue;
    }
    if ((m = TYPED_LIST.exec(name))) {
      tests.push(typedListPredicate(m[1] as "bizTransaction" | "source" | "destination", m[2]!, v));
      continue;
    }
    // HASATTR_/EQATTR_: over the counted master data of the candidates' field values, read once they are known.
    if ((m = MASTER_DATA.exec(name))) {
      const field = m[1] ?? m[2]!;
      const attrname = m[3];
      attributeTests.push({ field, test: (md) => masterDataPredicate(field, attrname, v, md) });
      continue;
    }
    const ext = extensionOf(name);
    if (ext) tests.push(extensionPredicate(ext.op, ext.container, ext.field, ext.inner, v));
  }
  return { sql, tests, attributeTests };
}

type SortKey = string | number | null;

interface PageCursor {
  /** The last event's sort key and record id, and how many events the pages so far held. */
  k: SortKey;
  i: string;
  n: number;
  f: string;
}

function fingerprint(caller: string, selector: EventSelector, q: EventQuery, perPage: number): string {
  return createHash("sha256")
    .update(JSON.stringify([caller, selector, Object.entries(q).sort(), perPage]))
    .digest("base64url")
    .slice(0, 16);
}

interface Order {
  key: string;
  ascending: boolean;
}

/** orderBy and orderDirection (DESC when omitted, §8.2.7.1); no orderBy: the hub's record order, oldest first. */
function orderOf(q: EventQuery): Order {
  if (typeof q.orderBy !== "string") return { key: "recordTime", ascending: true };
  return { key: q.orderBy, ascending: q.orderDirection === "ASC" };
}

/** Events lacking the field go last whichever the direction ("may occur in any position"); numbers before strings. */
function compareKeys(a: { k: SortKey; i: string }, b: { k: SortKey; i: string }, ascending: boolean): number {
  if (a.k === null || b.k === null) {
    if (a.k !== b.k) return a.k === null ? 1 : -1;
  } else if (a.k !== b.k) {
    const c = typeof a.k === typeof b.k ? (a.k < b.k ? -1 : 1) : typeof a.k === "number" ? -1 : 1;
    return ascending ? c : -c;
  }
  const c = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  return ascending ? c : -c;
}

/**
 * One page of the events the caller may see that match, in the query's order (orderBy, else oldest
 * record first). The page token is opaque (the last event's position and a fingerprint of the
 * query) and stable: events stored later never shift a page already read in record order.
 * Parameters over indexed data run in SQL; the others (EQ_action, extension fields, sensor data,
 * quantities, EPC patterns, ...) over the stored events of the indexed candidate set, at most
 * CANDIDATE_LIMIT of them.
 */
export async function findEvents(
  db: Runner,
  provider: DbProvider,
  caller: string,
  selector: EventSelector,
  q: EventQuery,
  perPage: number,
  pageToken?: string,
  masterData?: MasterDataSource,
): Promise<EventPage> {
  const params: string[] = [];
  const p = (v: string) => {
    params.push(v);
    return `$${params.length}`;
  };
  const list = (vs: readonly string[]) => vs.map(p).join(", ");
  const where: string[] = [visibility(p, caller, new Date().toISOString(), provider)];
  if ("eventId" in selector) where.push(`(e."eventHash" = ${p(selector.eventId)} OR e."eventId" = ${p(selector.eventId)})`);
  if ("recordIds" in selector) where.push(selector.recordIds.length > 0 ? `e."recordId" IN (${list(selector.recordIds)})` : "1 = 0");
  if ("epc" in selector) {
    const alt = [`x."epc" IN (${list(idForms(selector.epc))})`, `x."canonical" IN (${list(idForms(selector.epc).map(canonicalGs1Uri))})`];
    if (selector.product) {
      const pr = selector.product;
      alt.push(
        `(x."gtin" = ${p(pr.gtin)}${pr.lot !== undefined ? ` AND x."lot" = ${p(pr.lot)}` : ""}${pr.serial !== undefined ? ` AND x."serial" = ${p(pr.serial)}` : ""})`,
      );
    }
    where.push(`EXISTS (SELECT 1 FROM "EpcisEventEpc" x WHERE x."recordId" = e."recordId" AND (${alt.join(" OR ")}))`);
  }
  const { sql, tests, attributeTests } = compile(q, p, await hierarchyOf(db, masterData, caller, q));
  where.push(...sql);

  const print = fingerprint(caller, selector, q, perPage);
  const cursor = pageToken === undefined ? undefined : decodeToken(pageToken);
  if (cursor && cursor.f !== print) throw badRequest("invalid-page-token", "nextPageToken belongs to another query.");
  const order = orderOf(q);
  const limit = typeof q.eventCountLimit === "number" ? q.eventCountLimit : undefined;
  const max = typeof q.maxEventCount === "number" ? q.maxEventCount : undefined;
  const tooLarge = () => queryTooLarge(`More than maxEventCount (${max}) events match.`);

  if (tests.length > 0 || attributeTests.length > 0 || (order.key !== "recordTime" && order.key !== "eventTime")) {
    const candidates = await query<{ recordId: string; recordTime: string; eventTime: string }>(
      db,
      provider,
      `SELECT e."recordId", e."recordTime", e."eventTime" FROM "EpcisEvent" e WHERE ${where.join(" AND ")} ORDER BY e."recordTime", e."recordId" LIMIT ${CANDIDATE_LIMIT + 1}`,
      params,
    );
    if (candidates.length > CANDIDATE_LIMIT)
      throw queryTooComplex(
        `More than ${CANDIDATE_LIMIT} events pass the indexed parameters; the other parameters are evaluated over at most that many. Narrow the query with indexed ones (eventType, EQ_bizStep, EQ_disposition, EQ_readPoint, EQ_bizLocation, times, MATCH_ EPCs without patterns).`,
      );
    const stored = await storedEvents(
      db,
      provider,
      candidates.map((c) => c.recordId),
    );
    if (attributeTests.length > 0) {
      const ids = [...stored.values()]
        .flatMap((e) => attributeTests.map((t) => vocabularyElementOf(e.event, t.field)))
        .filter((id): id is string => id !== undefined);
      const md: CountedMasterData = masterData ? await masterData.counted(caller, [...new Set(ids)], db) : new Map();
      tests.push(...attributeTests.map((t) => t.test(md)));
    }
    const matched = candidates
      .flatMap((c) => {
        const e = stored.get(c.recordId);
        if (!e || !tests.every((t) => t(e))) return [];
        const k: SortKey = order.key === "recordTime" ? c.recordTime : order.key === "eventTime" ? c.eventTime : orderKey(e, order.key);
        return [{ ...c, k, i: c.recordId }];
      })
      .sort((a, b) => compareKeys(a, b, order.ascending));
    if (max !== undefined && matched.length > max) throw tooLarge();
    const all = limit !== undefined ? matched.slice(0, limit) : matched;
    const rest = cursor ? all.filter((r) => compareKeys(r, cursor, order.ascending) > 0) : all;
    const page = rest.slice(0, perPage);
    const last = page[page.length - 1];
    return {
      recordIds: page.map((r) => ({ recordId: r.recordId, recordTime: r.recordTime })),
      ...(rest.length > perPage && last ? { nextPageToken: encodeToken({ k: last.k, i: last.i, n: 0, f: print }) } : {}),
    };
  }

  const col = order.key === "eventTime" ? `e."eventTime"` : `e."recordTime"`;
  if (max !== undefined) {
    const [row] = await query<{ n: number | string | bigint }>(db, provider, `SELECT COUNT(*) AS "n" FROM "EpcisEvent" e WHERE ${where.join(" AND ")}`, params);
    if (Number(row?.n ?? 0) > max) throw tooLarge();
  }
  const done = cursor?.n ?? 0;
  const size = limit !== undefined ? Math.min(perPage, limit - done) : perPage;
  if (size <= 0) return { recordIds: [] };
  if (cursor) {
    const cmp = order.ascending ? ">" : "<";
    const k = p(String(cursor.k));
    where.push(`(${col} ${cmp} ${k} OR (${col} = ${k} AND e."recordId" ${cmp} ${p(cursor.i)}))`);
  }
  const dir = order.ascending ? "ASC" : "DESC";
  const rows = await query<{ recordId: string; recordTime: string; k: string }>(
    db,
    provider,
    `SELECT e."recordId", e."recordTime", ${col} AS "k" FROM "EpcisEvent" e WHERE ${where.join(" AND ")} ORDER BY ${col} ${dir}, e."recordId" ${dir} LIMIT ${size + 1}`,
    params,
  );
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  const more = rows.length > size && (limit === undefined || done + size < limit);
  return {
    recordIds: page.map((r) => ({ recordId: r.recordId, recordTime: r.recordTime })),
    ...(more && last ? { nextPageToken: encodeToken({ k: last.k, i: last.recordId, n: done + page.length, f: print }) } : {}),
  };
}

/** The captured events of these records with their contexts (the in-memory parameters read them). */
async function storedEvents(db: Runner, provider: DbProvider, recordIds: readonly string[]): Promise<Map<string, MatchableEvent>> {
  const out = new Map<string, MatchableEvent>();
  for (const part of chunks(recordIds)) {
    const rows = await query<{ recordId: string; body: string }>(
      db,
      provider,
      `SELECT "recordId", "body" FROM "RecordVersion" WHERE "version" = 1 AND "recordId" IN (${placeholders(1, part.length)})`,
      part,
    );
    for (const r of rows) {
      const body = JSON.parse(r.body) as EpcisEventBody;
      out.set(r.recordId, { event: body.event, context: eventContext(body) });
    }
  }
  return out;
}

function encodeToken(c: PageCursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeToken(token: string): PageCursor {
  try {
    const c = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<PageCursor>;
    const keyOk = c.k === null || typeof c.k === "string" || typeof c.k === "number";
    if (keyOk && typeof c.i === "string" && typeof c.n === "number" && typeof c.f === "string") return { k: c.k as SortKey, i: c.i, n: c.n, f: c.f };
  } catch {
    /* falls through */
  }
  throw badRequest("invalid-page-token", "nextPageToken is not one this hub issued.");
}

/** The five standard event types (the binding's /eventTypes lists them, and any extension type in use). */
export const STANDARD_EVENT_TYPES = EPCIS_EVENT_TYPES;

export type { Db };
