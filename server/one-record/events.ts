/**
 * ONE Record logistics events: appended to an object (POST /logistics-objects/{id}/logistics-events),
 * never changed, listed and read by whoever may read the object. Each event is a signed
 * LogisticsObject record (objectType LogisticsEvent, owner = the poster, or for a plain ONE Record
 * client the hub attesting it for the poster, `capturedBy`) that must name its object
 * in eventFor; the event log (table LogisticsEventIndex) indexes every stored event by that object,
 * whichever API published it, and keeps events append-only.
 */
import type { Request } from "express";
import type { SignedRecord } from "../../sdk/envelope";
import { objectOfBody, type Json, type JsonObject } from "../../sdk/one-record/jsonld";
import { SIGNED_WRITE_HEADER } from "../../sdk/one-record/signed-write";
import { CARGO, ONE_RECORD_CONTEXT, cargoIri } from "../../sdk/one-record/vocabulary";
import { insertRows } from "../db/bulk-insert";
import { asDate, chunks, placeholders, query } from "../db/sql";
import { HttpProblem, badRequest, conflict, notFound } from "../http/problem";
import { readableIds, readableRecord } from "../records/access";
import type { PublishContext, RecordObserver } from "../records/observers";
import type { OneRecordIris } from "./iris";
import {
  attestationOf,
  attestObjectWrite,
  bodyOfRequest,
  dateTimeParam,
  heldHeader,
  requireJsonLd,
  signedWriteIfAny,
  storeObjectWrite,
  type ObjectStore,
} from "./objects";
import { speakerOf } from "../../sdk/provenance/attesters";
import { EVENT_FOR, LOGISTICS_EVENT, LOGISTICS_OBJECT, linksOf } from "../records/links";
import { RecordIdSchema } from "../../sdk/envelope";

const isNode = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string | undefined => (typeof v === "string" ? v : isNode(v) && typeof v["@value"] === "string" ? v["@value"] : undefined);

/** The status code of an event body's eventCode ("DEP"): a code-list reference or a CodeListElement with `code`. */
export function eventCodeOf(body: Readonly<Record<string, unknown>>): string | undefined {
  const value = Array.isArray(body.eventCode) ? body.eventCode[0] : body.eventCode;
  if (!isNode(value)) return textOf(value);
  const code = textOf(value.code);
  if (code !== undefined) return code;
  const id = value["@id"];
  return typeof id === "string" ? id.slice(Math.max(id.lastIndexOf("#"), id.lastIndexOf("/")) + 1) : undefined;
}

/** The record id of the one object of this hub an event's eventFor names; undefined for none, several or another server's. */
export function eventObjectId(body: Readonly<Record<string, unknown>>, iris: OneRecordIris): string | undefined {
  const value = body.eventFor;
  const nodes = Array.isArray(value) ? value : value === undefined ? [] : [value];
  if (nodes.length !== 1 || !isNode(nodes[0]) || typeof nodes[0]["@id"] !== "string") return undefined;
  return iris.recordIdOf(nodes[0]["@id"]);
}

/**
 * The record a native LogisticsEvent's eventFor names on this hub: an IRI of one of its objects, or a
 * record id. Anything else (another server's IRI, free text) names nothing here.
 */
export function nativeEventObjectId(body: Readonly<Record<string, unknown>>, iris: OneRecordIris): string | undefined {
  const value = body.eventFor;
  if (typeof value !== "string") return undefined;
  const byIri = iris.recordIdOf(value);
  if (byIri !== undefined) return byIri;
  return RecordIdSchema.safeParse(value).success ? value : undefined;
}

/** An xsd:dateTime literal of a body as a Date (undefined when absent or not a date-time). */
function dateOf(value: unknown): Date | undefined {
  const text = textOf(value);
  if (text === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const isEvent = (r: Pick<SignedRecord, "type" | "body">) => r.type === LOGISTICS_OBJECT && r.body.objectType === LOGISTICS_EVENT;
/** A native LogisticsEvent record (sdk/records/logistics-event.ts), whose eventFor is a plain string. */
const isNativeEvent = (r: Pick<SignedRecord, "type">) => r.type === LOGISTICS_EVENT;

/**
 * The event log, a RecordObserver: indexes each stored LogisticsEvent by the object its eventFor
 * names, and refuses any later version of an event (409): events are append-only, whichever API is
 * used. An event comes only from a party that may read what it is about (its owner, or whom the
 * owner let read it): through either API, an event naming an object of this hub that the publisher
 * may not read is refused with the same 404 as for an object that does not exist, before anything is
 * stored or notified. Other record types cost one or two comparisons each.
 */
export class EventLog implements RecordObserver {
  constructor(private readonly iris: OneRecordIris) {}

  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    let events: SignedRecord[] | undefined;
    let later: SignedRecord[] | undefined;
    let native: SignedRecord[] | undefined;
    for (const r of records) {
      if (isNativeEvent(r)) (native ??= []).push(r);
      if (r.type !== LOGISTICS_OBJECT) continue;
      if (r.version > 1) (later ??= []).push(r);
      else if (isEvent(r)) (events ??= []).push(r);
    }
    if (later) await this.refuseChangedEvents(later, new Set((events ?? []).map((e) => e.id)), ctx);
    // Each poster (for a hub-attested event, the organisation it speaks for) must read what it posts about.
    if (events || native) {
      const byPoster = new Map<string, SignedRecord[]>();
      for (const e of [...(events ?? []), ...(native ?? [])]) byPoster.set(speakerOf(e), [...(byPoster.get(speakerOf(e)) ?? []), e]);
      for (const [poster, group] of byPoster) await this.refuseUnreadableObjects(poster, group.filter(isEvent), group.filter(isNativeEvent), ctx);
    }
    if (!events) return;
    const { tx, provider, now } = ctx;
    const about = new Map(events.map((e) => [e.id, eventObjectId(e.body, this.iris) ?? null]));
    await insertRows(
      tx,
      provider,
      "LogisticsEventIndex",
      ["eventId", "objectId", "eventCode", "createdAt", "occurredAt", "storedAt", "poster"],
      events.map((e) => [
        e.id,
        about.get(e.id) ?? null,
        eventCodeOf(e.body) ?? null,
        dateOf(e.body.creationDate) ?? now,
        dateOf(e.body.eventDate) ?? null,
        now,
        speakerOf(e),
      ]),
    );
  }

  /**
   * 404 (the problem of a record that does not exist) unless the poster may read every object of
   * this hub its events name: for a ONE Record event, each logistics object of its eventFor that is
   * no event itself; for a native LogisticsEvent, the record its eventFor names by id or by IRI.
   */
  private async refuseUnreadableObjects(poster: string, events: readonly SignedRecord[], native: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const objects = new Set<string>();
    for (const e of events) for (const l of linksOf({ [EVENT_FOR]: e.body.eventFor }, this.iris, e.id)) objects.add(l.toId);
    const named = new Set<string>();
    for (const e of native) {
      const id = nativeEventObjectId(e.body, this.iris);
      if (id !== undefined) named.add(id);
    }
    const all = [...new Set([...objects, ...named])];
    if (all.length === 0) return;
    const readable = await readableIds(ctx.tx, poster, all);
    if (all.some((id) => !readable.has(id))) throw notFound();
    if (objects.size === 0) return;
    // A ONE Record event is about a logistics object, never about an event (as GET .../logistics-events answers).
    const ids = [...objects];
    const types = new Map<string, string>();
    for (const part of chunks(ids)) {
      const rows = await query<{ id: string; type: string }>(
        ctx.tx,
        ctx.provider,
        `SELECT "id", "type" FROM "Record" WHERE "id" IN (${placeholders(1, part.length)})`,
        part,
      );
      for (const r of rows) types.set(r.id, r.type);
      const indexed = await query(
        ctx.tx,
        ctx.provider,
        `SELECT "eventId" FROM "LogisticsEventIndex" WHERE "eventId" IN (${placeholders(1, part.length)}) LIMIT 1`,
        part,
      );
      if (indexed.length > 0) throw notFound();
    }
    const batchEvents = new Set(events.map((e) => e.id));
    if (ids.some((id) => types.get(id) !== LOGISTICS_OBJECT || batchEvents.has(id))) throw notFound();
  }

  private async refuseChangedEvents(later: readonly SignedRecord[], eventsInBatch: ReadonlySet<string>, ctx: PublishContext): Promise<void> {
    const refuse = () => conflict("event-append-only", "A LogisticsEvent is never changed: append a new event to the object instead.");
    if (later.some((r) => isEvent(r) || eventsInBatch.has(r.id))) throw refuse();
    for (const part of chunks(later.map((r) => r.id))) {
      const rows = await query(
        ctx.tx,
        ctx.provider,
        `SELECT "eventId" FROM "LogisticsEventIndex" WHERE "eventId" IN (${placeholders(1, part.length)}) LIMIT 1`,
        part,
      );
      if (rows.length > 0) throw refuse();
    }
  }
}

/**
 * The record header of an object the caller may read, and which is no event itself; 404 otherwise.
 * Its `owner` is the data holder (heldHeader).
 */
export async function readableObject(store: ObjectStore, orgId: string, objectId: string) {
  const header = await heldHeader(store, await readableRecord(store.db, orgId, objectId));
  if (header.type !== LOGISTICS_OBJECT) throw notFound();
  const [row] = await query<{ eventId: string }>(store.db, store.provider, `SELECT "eventId" FROM "LogisticsEventIndex" WHERE "eventId" = $1`, [objectId]);
  // An event has no events of its own: as if there were no such object.
  if (row) throw notFound();
  return header;
}

/**
 * POST /logistics-objects/{id}/logistics-events: the poster's signed LogisticsEvent, revision 1 of a
 * new record (attested by the hub for a poster that sent no Cargoproof-Record header). The caller must be able to read the object (else 404, as for an unknown one); the
 * event must name the object in eventFor, because that is part of what the poster signed.
 */
export async function appendEvent(store: ObjectStore, orgId: string, objectId: string, req: Request): Promise<{ eventId: string; objectType: string }> {
  await readableObject(store, orgId, objectId);
  requireJsonLd(req);
  const { objectType, body } = bodyOfRequest(req.body);
  if (objectType !== LOGISTICS_EVENT)
    throw badRequest("not-a-logistics-event", "A logistics event is a cargo:LogisticsEvent.", [
      { path: "@type", message: `cargo:${objectType} is no LogisticsEvent` },
    ]);
  if (body.eventFor === undefined)
    throw badRequest("event-for-required", "The event names its object in cargo:eventFor (signed with the rest of it; the SDK adds it).", [
      { path: cargoIri("eventFor"), message: "missing" },
    ]);
  if (eventObjectId(body, store.iris) !== objectId)
    throw badRequest("event-for-mismatch", "cargo:eventFor must name the object the event is posted to, and only it.", [
      { path: cargoIri("eventFor"), message: `expected ${store.iris.object(objectId)}` },
    ]);
  const write = signedWriteIfAny(req);
  if (!write) return { eventId: (await attestObjectWrite(store, orgId, body)).id, objectType };
  if (write.version !== 1)
    throw badRequest("invalid-signed-write", "An event is revision 1: events are never changed.", [
      { path: SIGNED_WRITE_HEADER, message: "version must be 1" },
    ]);
  await storeObjectWrite(store, orgId, body, write);
  return { eventId: write.id, objectType };
}

/** Query parameters of GET .../logistics-events, as the specification names them. */
export interface EventQuery {
  eventCodes?: string[];
  createdAfter?: Date;
  createdBefore?: Date;
  occurredAfter?: Date;
  occurredBefore?: Date;
  sort: { field: "createdAt" | "occurredAt"; desc: boolean }[];
  limit: number;
  skip: number;
}

export const MAX_EVENTS_PAGE = 1000;

const list = (v: unknown): string[] =>
  v === undefined
    ? []
    : (Array.isArray(v) ? v : [v])
        .flatMap((x) => String(x).split(","))
        .map((x) => x.trim())
        .filter(Boolean);

function intParam(raw: unknown, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== "string" || !/^\d{1,9}$/.test(raw) || Number(raw) > max)
    throw badRequest("invalid-query", `${name} is an integer from 0 to ${max}.`, [{ path: name, message: "not allowed" }]);
  return Number(raw);
}

const SORTS: Record<string, EventQuery["sort"][number]> = {
  "ASC-creationDate": { field: "createdAt", desc: false },
  "DESC-creationDate": { field: "createdAt", desc: true },
  "ASC-eventDate": { field: "occurredAt", desc: false },
  "DESC-eventDate": { field: "occurredAt", desc: true },
};

/** The query of an event list, checked before anything is looked up. */
export function eventQueryOf(q: Request["query"]): EventQuery {
  const codes = list(q["event-code"]).map((c) => c.slice(Math.max(c.lastIndexOf("#"), c.lastIndexOf("/")) + 1));
  const bad = codes.find((c) => !/^[A-Z]{3}$/.test(c));
  if (bad !== undefined)
    throw badRequest("invalid-query", "event-code is a three-letter status code, e.g. DEP.", [{ path: "event-code", message: `${bad}: not a status code` }]);
  const sort = list(q.sort).map((s) => {
    const known = SORTS[s];
    if (!known) throw badRequest("invalid-query", `sort is one of ${Object.keys(SORTS).join(", ")}.`, [{ path: "sort", message: `${s}: unknown` }]);
    return known;
  });
  return {
    ...(codes.length > 0 ? { eventCodes: [...new Set(codes)] } : {}),
    createdAfter: dateTimeParam(q["created-after"], "created-after", "invalid-query"),
    createdBefore: dateTimeParam(q["created-before"], "created-before", "invalid-query"),
    occurredAfter: dateTimeParam(q["occurred-after"], "occurred-after", "invalid-query"),
    occurredBefore: dateTimeParam(q["occurred-before"], "occurred-before", "invalid-query"),
    sort,
    limit: intParam(q.limit, "limit", MAX_EVENTS_PAGE, MAX_EVENTS_PAGE),
    skip: intParam(q.skip, "skip", 0, 1e9),
  };
}

/** One event as read: its record and JSON-LD node (without @context). */
export interface EventRead {
  eventId: string;
  poster: string;
  storedAt: Date;
  node: JsonObject;
}

interface EventRow {
  eventId: string;
  poster: string;
  storedAt: unknown;
  body: string;
}

function eventNode(store: ObjectStore, objectId: string, row: EventRow): EventRead {
  const body = JSON.parse(row.body) as JsonObject;
  const attestation = attestationOf(store.iris, body);
  const { "@context": _ctx, ...node } = objectOfBody(LOGISTICS_EVENT, body, store.iris.event(objectId, row.eventId), attestation ? { attestation } : {});
  return { eventId: row.eventId, poster: row.poster, storedAt: asDate(row.storedAt)!, node };
}

/** The object's events matching the query (the caller may read the object: checked by the caller), and how many match in all. */
export async function listEvents(store: ObjectStore, objectId: string, q: EventQuery): Promise<{ total: number; events: EventRead[] }> {
  const where: string[] = [`i."objectId" = $1`];
  const params: (string | Date)[] = [objectId];
  const add = (clause: (n: number) => string, value: string | Date) => {
    params.push(value);
    where.push(clause(params.length));
  };
  if (q.eventCodes) {
    where.push(`i."eventCode" IN (${placeholders(params.length + 1, q.eventCodes.length)})`);
    params.push(...q.eventCodes);
  }
  if (q.createdAfter) add((n) => `i."createdAt" > $${n}`, q.createdAfter);
  if (q.createdBefore) add((n) => `i."createdAt" < $${n}`, q.createdBefore);
  if (q.occurredAfter) add((n) => `i."occurredAt" > $${n}`, q.occurredAfter);
  if (q.occurredBefore) add((n) => `i."occurredAt" < $${n}`, q.occurredBefore);
  const filter = where.join(" AND ");
  const [count] = await query<{ n: unknown }>(store.db, store.provider, `SELECT COUNT(*) AS "n" FROM "LogisticsEventIndex" i WHERE ${filter}`, params);
  // Events without an eventDate sort last either way, on both providers.
  const order = [...q.sort, { field: "createdAt" as const, desc: false }]
    .map((s) => `CASE WHEN i."${s.field}" IS NULL THEN 1 ELSE 0 END, i."${s.field}" ${s.desc ? "DESC" : "ASC"}`)
    .join(", ");
  const rows = await query<EventRow>(
    store.db,
    store.provider,
    `SELECT i."eventId", i."poster", i."storedAt", v."body"
       FROM "LogisticsEventIndex" i JOIN "RecordVersion" v ON v."recordId" = i."eventId" AND v."version" = 1
      WHERE ${filter} ORDER BY ${order}, i."eventId" LIMIT ${Math.floor(q.limit)} OFFSET ${Math.floor(q.skip)}`,
    params,
  );
  return { total: Number(count?.n ?? 0), events: rows.map((r) => eventNode(store, objectId, r)) };
}

/** The api:Collection of an object's events, in the form of the specification's LogisticsEvents_list.json. */
export function eventCollection(store: ObjectStore, objectId: string, page: { total: number; events: EventRead[] }): JsonObject {
  return {
    "@context": { ...ONE_RECORD_CONTEXT },
    "@id": `${store.iris.object(objectId)}/logistics-events`,
    "@type": "api:Collection",
    "api:hasTotalItems": page.total,
    ...(page.events.length > 0 ? { "api:hasItem": page.events.map((e) => e.node as Json) } : {}),
  };
}

/**
 * One event of an object: 404 unless it is an event of that object and the caller may read it (the
 * access rule: its poster, or whoever may read the object it is about).
 */
export async function readEvent(store: ObjectStore, orgId: string, objectId: string, eventId: string): Promise<EventRead & { json: JsonObject }> {
  try {
    await readableRecord(store.db, orgId, eventId);
  } catch (err) {
    if (!(err instanceof HttpProblem && err.status === 404)) throw err;
    // Events follow their object (the rule of server/records/access.ts, asked directly of the object).
    await readableObject(store, orgId, objectId);
  }
  const [row] = await query<EventRow>(
    store.db,
    store.provider,
    `SELECT i."eventId", i."poster", i."storedAt", v."body"
       FROM "LogisticsEventIndex" i JOIN "RecordVersion" v ON v."recordId" = i."eventId" AND v."version" = 1
      WHERE i."eventId" = $1 AND i."objectId" = $2`,
    [eventId, objectId],
  );
  if (!row) throw notFound();
  const read = eventNode(store, objectId, row);
  return { ...read, json: { "@context": { ...ONE_RECORD_CONTEXT }, ...read.node } };
}

/** The Type header of an event. */
export const EVENT_TYPE_IRI = CARGO + LOGISTICS_EVENT;
