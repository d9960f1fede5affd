/**
 * Logistics objects through the ONE Record API: create (revision 1 of a LogisticsObject record,
 * signed by its writer, or attested by the hub for a plain ONE Record client), and read one revision, the latest or the one current at a past time, optionally with the
 * objects it references embedded. Access is the record core's (recordAccess), and what a reader sees
 * of each object is disclosed() (a field-level grant shows only its fields).
 */
import { randomUUID } from "node:crypto";
import type { Request } from "express";
import { computeDigest } from "../../sdk/digest";
import { RecordIdSchema, type SignedRecord } from "../../sdk/envelope";
import { JsonLdFormError, bodyOfObject, objectOfBody, type Json, type JsonObject, type ObjectMeta } from "../../sdk/one-record/jsonld";
import { SIGNED_WRITE_HEADER, decodeSignedWrite, recordOfWrite, type SignedWrite } from "../../sdk/one-record/signed-write";
import { CARGO, cargoIri } from "../../sdk/one-record/vocabulary";
import { formatQueryDateTime, parseQueryDateTime } from "../../sdk/one-record/date-time";
import type { Published } from "../../sdk/api";
import type { Db, DbProvider } from "../db/client";
import { HttpProblem, badRequest, notFound } from "../http/problem";
import type { RecordObserver } from "../records/observers";
import type { RecordChecks } from "../records/check-pool";
import { accessOf, holdersOf, recordAccess } from "../records/access";
import type { HubPublisher } from "../records/hub-publisher";
import { OPERATOR_ORG_ID } from "../orgs/service";
import type { RecordBody } from "../../sdk/records";
import { disclosed, publishRecords, storedRecord, type Reader } from "../records/service";
import type { OneRecordIris } from "./iris";
import { speakerOf } from "../../sdk/provenance/attesters";

export interface ObjectStore {
  db: Db;
  provider: DbProvider;
  observers: readonly RecordObserver[];
  checks: RecordChecks;
  iris: OneRecordIris;
  /** Signs the writes of plain ONE Record clients (no Cargoproof-Record header) as hub attestations. */
  hub: HubPublisher;
}

/** A malformed id cannot name an object: the same 404 as for one the caller may not see. */
export function objectIdParam(raw: unknown): string {
  const id = RecordIdSchema.safeParse(raw);
  if (!id.success) throw notFound();
  return id.data;
}

/** 415 unless the request body is JSON-LD (or plain JSON, which ONE Record clients also send). */
export function requireJsonLd(req: Request): void {
  if (!req.is(["application/ld+json", "application/json"]))
    throw new HttpProblem(415, "unsupported-media-type", "Unsupported media type", "Send the body as application/ld+json.");
}

/** The body of a ONE Record object, or a 400 naming the property. */
export function bodyOfRequest(json: unknown): { objectType: string; body: JsonObject } {
  try {
    const { objectType, body } = bodyOfObject(json);
    return { objectType, body };
  } catch (err) {
    if (err instanceof JsonLdFormError) throw badRequest("invalid-logistics-object", err.message, [{ path: propertyIri(err.path), message: err.message }]);
    throw err;
  }
}

/**
 * The signed write of a request, or undefined when the request carries no Cargoproof-Record header:
 * a plain ONE Record client, whose write the hub attests for it (attestObjectWrite).
 */
export function signedWriteIfAny(req: Request): SignedWrite | undefined {
  return req.get(SIGNED_WRITE_HEADER) === undefined ? undefined : signedWriteOf(req);
}

/** The signed-write header of a request, or a 400 naming it. */
export function signedWriteOf(req: Request): SignedWrite {
  const raw = req.get(SIGNED_WRITE_HEADER);
  if (!raw)
    throw badRequest(
      "signature-required",
      `Writes carry the writer's signature in the ${SIGNED_WRITE_HEADER} header (the SDK adds it; see docs/one-record.md).`,
      [{ path: SIGNED_WRITE_HEADER, message: "missing" }],
    );
  try {
    return decodeSignedWrite(raw);
  } catch {
    throw badRequest("invalid-signed-write", `The ${SIGNED_WRITE_HEADER} header is base64url JSON { id, version, salts, signature }.`, [
      { path: SIGNED_WRITE_HEADER, message: "malformed" },
    ]);
  }
}

/** A field path of a record body ("body.waybillNumber.x") as the cargo property it names. */
function propertyIri(path: string): string {
  const field = path.replace(/^body\./, "").split(".")[0] ?? "";
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(field) && !["objectType", "additionalTypes"].includes(field) ? cargoIri(field) : path;
}

/** Problems about record fields, renamed to the ONE Record properties they are about. */
function asObjectProblem(err: unknown): unknown {
  if (!(err instanceof HttpProblem) || !err.errors) return err;
  const errors = err.errors.map((e) => {
    const rest = e.path
      .replace(/^body\./, "")
      .split(".")
      .slice(1)
      .join(".");
    return { path: propertyIri(e.path), message: rest ? `${rest}: ${e.message}` : e.message };
  });
  return new HttpProblem(err.status, err.kind, err.title, err.detail, errors, err.headers);
}

/**
 * Stores a signed write of a ONE Record object as a LogisticsObject record version: the digest is
 * recomputed from the body the hub derived, so the signature must be over exactly that.
 */
export async function storeObjectWrite(
  store: ObjectStore,
  orgId: string,
  body: JsonObject,
  write: SignedWrite,
): Promise<{ record: SignedRecord; published: Published }> {
  let digest: string;
  try {
    digest = computeDigest({ type: "LogisticsObject", id: write.id, version: write.version, owner: orgId, body, salts: write.salts });
  } catch (err) {
    throw badRequest("invalid-signed-write", `The salts do not fit the object: ${(err as Error).message}`, [{ path: SIGNED_WRITE_HEADER, message: "salts" }]);
  }
  const record = recordOfWrite(body, write, orgId, digest);
  try {
    const [published] = await publishRecords(store.db, store.provider, orgId, [record], true, store.observers, { checks: store.checks });
    return { record, published: published! };
  } catch (err) {
    throw asObjectProblem(err);
  }
}

/**
 * Stores a ONE Record write of a plain client as a hub attestation for `orgId` (server/records/
 * hub-publisher.ts): version `version` of record `id` (a new UUID by default), problems named as
 * for a signed write.
 */
export async function attestObjectWrite(
  store: ObjectStore,
  orgId: string,
  body: JsonObject,
  opts: { id?: string; version?: number; observers?: readonly RecordObserver[] } = {},
): Promise<SignedRecord> {
  const draft = { type: "LogisticsObject" as const, id: opts.id ?? randomUUID(), version: opts.version ?? 1, body: body as RecordBody<"LogisticsObject"> };
  try {
    const [record] = await store.hub.attestFor(orgId, [draft], opts.observers);
    return record!;
  } catch (err) {
    throw asObjectProblem(err);
  }
}

/**
 * A logistics object's header as the ONE Record surface uses it: `owner` is its data holder (for a
 * hub-attested object, the organisation it speaks for), who decides changes and delegations, is
 * notified and named in the access log.
 */
export async function heldHeader<T extends { id: string; owner: string }>(store: Pick<ObjectStore, "db">, header: T): Promise<T> {
  const holder = (await holdersOf(store.db, [header])).get(header.id) ?? header.owner;
  return holder === header.owner ? header : { ...header, owner: holder };
}

/** The attestation of a stored body, for its JSON-LD: the hub, and the organisation it attested for. */
export function attestationOf(iris: OneRecordIris, body: Readonly<Record<string, unknown>>): ObjectMeta["attestation"] {
  return typeof body.capturedBy === "string" ? { attestedBy: iris.party(OPERATOR_ORG_ID), capturedBy: iris.party(body.capturedBy) } : undefined;
}

/** POST /logistics-objects: revision 1 of a new object, signed by its writer or attested by the hub for it. */
export async function createObject(store: ObjectStore, orgId: string, req: Request): Promise<{ id: string; objectType: string }> {
  requireJsonLd(req);
  const { objectType, body } = bodyOfRequest(req.body);
  if (objectType === "LogisticsEvent")
    throw badRequest("logistics-event-not-object", "A LogisticsEvent is appended to the object it is about: POST /logistics-objects/{id}/logistics-events.");
  const write = signedWriteIfAny(req);
  if (!write) return { id: (await attestObjectWrite(store, orgId, body)).id, objectType };
  if (write.version !== 1)
    throw badRequest("invalid-signed-write", "A new object is revision 1.", [{ path: SIGNED_WRITE_HEADER, message: "version must be 1" }]);
  await storeObjectWrite(store, orgId, body, write);
  return { id: write.id, objectType };
}

/** A date-time query parameter (at, created-after, updatedFrom, ...), or a 400 of `kind` naming it. */
export function dateTimeParam(raw: unknown, name: string, kind: string): Date | undefined {
  if (raw === undefined) return undefined;
  const at = typeof raw === "string" ? parseQueryDateTime(raw) : undefined;
  if (!at)
    throw badRequest(
      kind,
      `${name} is an ISO 8601 UTC date-time, YYYYMMDDThhmmssZ as the ONE Record specification gives it (e.g. 20261123T100000Z), or 2026-11-23T10:00:00Z.`,
      [{ path: name, message: "not a date-time" }],
    );
  return at;
}

/**
 * ?at= of a historical read: a past date-time. One in the future is a 400 ("Retrieve a historical
 * Logistics Object": the value MUST be in the past), before anything is looked up.
 */
function atParam(raw: unknown): Date | undefined {
  const at = dateTimeParam(raw, "at", "invalid-at");
  if (at && at.getTime() > Date.now())
    throw badRequest("at-in-future", "at names a time in the future; a historical read asks for a past time.", [{ path: "at", message: "in the future" }]);
  return at;
}

function parseEmbedded(raw: unknown): boolean {
  if (raw === undefined || raw === "false") return false;
  if (raw === "true") return true;
  throw badRequest("invalid-embedded", "embedded is true or false.", [{ path: "embedded", message: "not a boolean" }]);
}

export interface ObjectRevision {
  record: SignedRecord;
  /** Its data holder: the owner, or the organisation a hub-attested object speaks for (for the access log). */
  holder: string;
  /** JSON-LD of the revision, with `api:hasRevision` and `api:hasLatestRevision`. */
  json: JsonObject;
  latestRevision: number;
  /** When this revision was published, and when the latest one was. */
  publishedAt: Date;
  lastModified: Date;
  /** The objects embedded in it (each is a read of its own, for the access log). */
  embedded: { id: string; owner: string; version: number }[];
}

/** Query parameters of GET /logistics-objects/{id}, checked before anything is looked up. */
export function readOptions(query: Request["query"]): { at?: Date; embedded: boolean } {
  return { at: atParam(query.at), embedded: parseEmbedded(query.embedded) };
}

/** The revision the caller asked for (the latest, or the one current at `at`), as it may see it; 404 if none it may see. */
export async function readObject(store: ObjectStore, reader: Reader, id: string, opts: { at?: Date; embedded: boolean }): Promise<ObjectRevision> {
  const { record: header, access } = await recordAccess(store.db, reader.orgId, id);
  if (header.type !== "LogisticsObject") throw notFound();
  const row = opts.at
    ? await store.db.recordVersion.findFirst({ where: { recordId: id, publishedAt: { lte: opts.at } }, orderBy: { version: "desc" } })
    : await store.db.recordVersion.findUnique({ where: { recordId_version: { recordId: id, version: header.latestVersion } } });
  if (!row) throw notFound(); // it did not exist yet at that time
  const latest =
    row.version === header.latestVersion
      ? row
      : await store.db.recordVersion.findUniqueOrThrow({
          where: { recordId_version: { recordId: id, version: header.latestVersion } },
          select: { publishedAt: true },
        });
  const stored = storedRecord(row);
  const record = disclosed(stored, reader, access);
  const { objectType } = record.body as { objectType: string };
  // The attestation shows even to a reader of some fields only: who holds the object is no secret to it.
  const attestation = attestationOf(store.iris, stored.body);
  const json = objectOfBody(objectType, record.body, store.iris.object(id), {
    revision: row.version,
    latestRevision: header.latestVersion,
    ...(attestation ? { attestation } : {}),
  });
  const embedded = opts.embedded ? await embedReferences(store, reader, json, opts.at) : { json, read: [] };
  const out = opts.at ? atTime(embedded.json, store.iris, formatQueryDateTime(opts.at)) : embedded.json;
  return {
    record,
    holder: speakerOf(stored),
    json: out,
    latestRevision: header.latestVersion,
    publishedAt: row.publishedAt,
    lastModified: latest.publishedAt,
    embedded: embedded.read,
  };
}

/**
 * A historical representation: every IRI of a logistics object of this hub inside it (references
 * and embedded objects, not the object's own `@id`) carries the same `?at=`, so a client following
 * the links stays at that point in time ("Retrieve a historical Logistics Object").
 */
function atTime(json: JsonObject, iris: OneRecordIris, at: string): JsonObject {
  const visit = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(visit);
    if (!v || typeof v !== "object" || "@value" in v) return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, inner]) => {
        if (k === "@id" && typeof inner === "string" && iris.recordIdOf(inner) !== undefined && !inner.includes("?")) return [k, `${inner}?at=${at}`];
        return [k, k.startsWith("@") ? inner : visit(inner)];
      }),
    );
  };
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, k.startsWith("@") ? v : visit(v)]));
}

/**
 * `?embedded=true`: each reference to another object of this hub that the caller may read is
 * replaced by that object's latest revision, or the one current at `at` (one level deep); references it may not read stay
 * references, exactly as they were, so nothing about them is revealed.
 */
async function embedReferences(
  store: ObjectStore,
  reader: Reader,
  json: JsonObject,
  at?: Date,
): Promise<{ json: JsonObject; read: { id: string; owner: string; version: number }[] }> {
  const ids = new Set<string>();
  const visit = (v: Json) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object" && !("@value" in v)) {
      const id = typeof v["@id"] === "string" ? store.iris.recordIdOf(v["@id"]) : undefined;
      if (id && Object.keys(v).every((k) => k === "@id" || k === "@type")) ids.add(id);
      else for (const [k, inner] of Object.entries(v)) if (!k.startsWith("@")) visit(inner);
    }
  };
  for (const [k, v] of Object.entries(json)) if (k.startsWith("cargo:")) visit(v);
  const embedded = new Map<string, JsonObject>();
  const read: { id: string; owner: string; version: number }[] = [];
  // Only what the reader may read, as it may see it; the rest stay references.
  const access = await accessOf(store.db, reader.orgId, [...ids]);
  const headers = await store.db.record.findMany({ where: { id: { in: [...access.keys()] }, type: "LogisticsObject" } });
  for (const header of headers) {
    // A historical read embeds each object as it was then; one that did not exist yet stays a reference.
    const row = at
      ? await store.db.recordVersion.findFirst({ where: { recordId: header.id, publishedAt: { lte: at } }, orderBy: { version: "desc" } })
      : await store.db.recordVersion.findUniqueOrThrow({ where: { recordId_version: { recordId: header.id, version: header.latestVersion } } });
    if (!row) continue;
    const stored = storedRecord(row);
    const record = disclosed(stored, reader, access.get(header.id)!);
    const body = record.body as JsonObject;
    const attestation = attestationOf(store.iris, stored.body);
    const { "@context": _ctx, ...node } = objectOfBody(String(body.objectType), body, store.iris.object(record.id), attestation ? { attestation } : {});
    embedded.set(record.id, node);
    read.push({ id: record.id, owner: speakerOf(record), version: record.version });
  }
  const replace = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(replace);
    if (!v || typeof v !== "object" || "@value" in v) return v;
    const id = typeof v["@id"] === "string" ? store.iris.recordIdOf(v["@id"]) : undefined;
    if (id && embedded.has(id) && Object.keys(v).every((k) => k === "@id" || k === "@type")) return embedded.get(id)!;
    return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, k.startsWith("@") ? inner : replace(inner)]));
  };
  return { json: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, k.startsWith("cargo:") ? replace(v) : v])), read };
}

/** The Type header: the object's class IRI. */
export const typeIri = (objectType: string): string => CARGO + objectType;
