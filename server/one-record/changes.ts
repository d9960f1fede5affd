/**
 * ONE Record change requests (PATCH /logistics-objects/{id}). A change request is a record of its
 * own, signed by the requester (type ChangeRequest, its id is the action request's id), and a row of
 * "ChangeRequest" holding its state. The data holder accepts by signing revision n+1, which must be
 * exactly applyChange(revision n): the new revision, the ACCEPTED status and the rejection of every
 * other request pending on revision n commit in one transaction (an observer of the publication).
 * A plain ONE Record client signs nothing: the hub attests its request for it, and on a hub-attested
 * object (server/records/hub-publisher.ts) the hub signs revision n+1 for the data holder that accepts.
 */
import { randomUUID } from "node:crypto";
import type { Request } from "express";
import { computeDigest } from "../../sdk/digest";
import type { SignedRecord } from "../../sdk/envelope";
import {
  ChangeError,
  applyChange,
  changeOfJsonLd,
  changeOfRequestBody,
  changeRequestBodyOf,
  eventLogOperation,
  objectCreation,
  type Change,
} from "../../sdk/one-record/change";
import { JsonLdFormError, type JsonObject } from "../../sdk/one-record/jsonld";
import { SIGNED_WRITE_HEADER, type SignedWrite } from "../../sdk/one-record/signed-write";
import { API, cargoIri } from "../../sdk/one-record/vocabulary";
import { ChangeRequestBody } from "../../sdk/records/change-request";
import { LogisticsObjectBody } from "../../sdk/records/logistics-object";
import type { AccessLogDraft } from "../../sdk/access-log";
import type { AccessLogWriter } from "../access-log/writer";
import { writeTransaction, type DbProvider, type TxClient } from "../db/client";
import { execute, query, type Runner } from "../db/sql";
import { HttpProblem, badRequest, conflict } from "../http/problem";
import { notify, type NotificationDraft } from "../notifications/service";
import { accessOf } from "../records/access";
import { grantByPolicy } from "../records/grants";
import { linksOf } from "../records/links";
import type { RecordObserver } from "../records/observers";
import { publishRecords } from "../records/service";
import { attestObjectWrite, requireJsonLd, signedWriteIfAny, signedWriteOf, storeObjectWrite, type ObjectStore } from "./objects";
import { OPERATOR_ORG_ID } from "../orgs/service";
import { objectRequestHeadOf, type ObjectRequestHead } from "./action-request-json";
import { readLine } from "../access-log/logged";

/**
 * Error titles as the specification gives them (its examples: Error_400_example2.json,
 * ChangeRequest_with_error.json, Error_404.json; the PATCH status table for 422), for the answers
 * to a PATCH and the api:Errors of requests in the audit trail alike.
 */
const EVENTS_IMMUTABLE = "Logistics Events can not be updated";
const REVISION_CONFLICT = "Conflict with Logistics Object revision number";
const LO_NOT_FOUND = "Logistics Object not found";
const UNPROCESSABLE = "Unprocessable Request";

export const CHANGE_STATUSES = ["PENDING", "ACCEPTED", "REJECTED", "FAILED", "REVOKED"] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** Why a request ended FAILED or was rejected by the hub: rendered as its api:Error. */
export interface StatusError {
  code: number;
  title: string;
  message: string;
  property?: string;
  resource?: string;
}

export interface ChangeRequestRow extends ObjectRequestHead<ChangeStatus> {
  acceptedRevision: number | null;
  error: StatusError | null;
}

export interface ChangeDeps extends ObjectStore {
  accessLog: AccessLogWriter;
}

/** The header of the object a change is requested on (the caller may read it). */
export interface ObjectHeader {
  id: string;
  /** Its data holder (heldHeader in ./objects.ts: for a hub-attested object, the organisation it speaks for). */
  owner: string;
  latestVersion: number;
}

const COLUMN_NAMES = [
  "id",
  "objectId",
  "objectType",
  "revision",
  "requestedBy",
  "dataHolder",
  "notify",
  "status",
  "requestedAt",
  "statusSince",
  "decidedBy",
  "acceptedRevision",
  "error",
] as const;
const COLUMNS = COLUMN_NAMES.map((c) => `"${c}"`).join(", ");
type RawRow = Record<(typeof COLUMN_NAMES)[number], unknown>;

const rowOf = (r: RawRow): ChangeRequestRow => ({
  ...objectRequestHeadOf<ChangeStatus>(r),
  acceptedRevision: r.acceptedRevision == null ? null : Number(r.acceptedRevision),
  error: r.error == null ? null : (JSON.parse(String(r.error)) as StatusError),
});

export async function loadChangeRequest(db: Runner, provider: DbProvider, id: string): Promise<ChangeRequestRow | undefined> {
  const [row] = await query<RawRow>(db, provider, `SELECT ${COLUMNS} FROM "ChangeRequest" WHERE "id" = $1`, [id]);
  return row ? rowOf(row) : undefined;
}

/** The change requests of an object, oldest first; `from`/`to` bound when they last changed status. */
export async function changeRequestsOf(
  db: Runner,
  provider: DbProvider,
  objectId: string,
  filter: { from?: Date; to?: Date; status?: ChangeStatus } = {},
): Promise<ChangeRequestRow[]> {
  const params: (string | Date)[] = [objectId];
  let where = `"objectId" = $1`;
  if (filter.from) where += ` AND "statusSince" >= $${params.push(filter.from)}`;
  if (filter.to) where += ` AND "statusSince" <= $${params.push(filter.to)}`;
  if (filter.status) where += ` AND "status" = $${params.push(filter.status)}`;
  const rows = await query<RawRow>(db, provider, `SELECT ${COLUMNS} FROM "ChangeRequest" WHERE ${where} ORDER BY "requestedAt", "id"`, params);
  return rows.map(rowOf);
}

/** The signed request's body (what was asked), from the record store. */
export async function changeRequestBody(store: ObjectStore, id: string): Promise<ChangeRequestBody> {
  const row = await store.db.recordVersion.findUniqueOrThrow({ where: { recordId_version: { recordId: id, version: 1 } }, select: { body: true } });
  return ChangeRequestBody.parse(JSON.parse(row.body));
}

/** A top-level field path of a record body as the cargo property it names. */
function propertyOf(path: readonly PropertyKey[]): string {
  const field = typeof path[0] === "string" ? path[0] : "";
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(field) && field !== "objectType" ? cargoIri(field) : API + "hasOperation";
}

/** The api:Change of a request body, or a 400 naming the api property. */
function changeOfRequest(json: unknown): Change {
  try {
    return changeOfJsonLd(json);
  } catch (err) {
    if (!(err instanceof JsonLdFormError)) throw err;
    const property = /^api:([A-Za-z]+)/.exec(err.path)?.[1];
    throw badRequest("invalid-change", err.message, [{ path: property ? API + property : err.path, message: err.message }]);
  }
}

/**
 * Revision n+1 of the object if `change` applies to revision n (`body`) and leaves a valid object;
 * otherwise a 422 naming the operation or the property.
 */
export function appliedChange(body: JsonObject, change: Pick<Change, "revision" | "operations">, objectIri: string): JsonObject {
  let next: JsonObject;
  try {
    next = applyChange(body, change, objectIri);
  } catch (err) {
    if (!(err instanceof ChangeError)) throw err;
    throw new HttpProblem(422, "change-not-applicable", UNPROCESSABLE, `The change does not apply to revision ${change.revision}: ${err.message}.`, [
      { path: err.property ?? API + "hasOperation", message: err.message },
    ]);
  }
  const checked = LogisticsObjectBody.safeParse(next);
  if (!checked.success)
    throw new HttpProblem(
      422,
      "change-result-invalid",
      UNPROCESSABLE,
      "The object would not be valid after the change.",
      checked.error.issues.map((i) => ({ path: propertyOf(i.path), message: [...i.path.slice(1).map(String), i.message].join(": ") })),
    );
  return next;
}

/**
 * The objects `next` references that `before` did not (new RecordLink rows) which `requester` may
 * not read, as a 422 naming the first; nothing when there are none. A change may link only what its
 * requester already sees: otherwise a party with a linked grant on a shipment could have a hidden
 * object of the holder's added to it, and read it once the holder accepts. An object that does not
 * exist gets the same answer as one the requester may not read.
 */
async function hiddenReference(deps: ChangeDeps, requester: string, objectId: string, before: JsonObject, next: JsonObject): Promise<StatusError | undefined> {
  const had = new Set(linksOf(before, deps.iris, objectId).map((l) => l.toId));
  const added = linksOf(next, deps.iris, objectId).filter((l) => !had.has(l.toId));
  if (added.length === 0) return undefined;
  const readable = await accessOf(
    deps.db,
    requester,
    added.map((l) => l.toId),
  );
  const hidden = added.find((l) => !readable.has(l.toId));
  if (!hidden) return undefined;
  return {
    code: 422,
    title: LO_NOT_FOUND,
    message: `${deps.iris.object(hidden.toId)} is not a Logistics Object the requester may read; a change may reference only objects its requester can read`,
    property: cargoIri(hidden.property),
    resource: deps.iris.object(objectId),
  };
}

async function refuseHiddenReferences(deps: ChangeDeps, requester: string, objectId: string, before: JsonObject, next: JsonObject): Promise<void> {
  const error = await hiddenReference(deps, requester, objectId, before, next);
  if (error) throw new HttpProblem(422, "change-reference-unknown", error.title, `${error.message}.`, [{ path: error.property!, message: error.message }]);
}

/**
 * PATCH /logistics-objects/{id}: records a change request on an object the caller may read, PENDING
 * for the object's data holder. The request is the record signed in the Cargoproof-Record header
 * over `changeRequestBodyOf(change)`, or without the header the hub's attestation of it for the
 * caller; it is granted to the data holder (policy change-request).
 */
export async function requestChange(deps: ChangeDeps, orgId: string, object: ObjectHeader, req: Request): Promise<{ id: string }> {
  requireJsonLd(req);
  const change = changeOfRequest(req.body);
  const objectIri = deps.iris.object(object.id);
  if (change.object !== objectIri)
    throw new HttpProblem(400, "logistics-object-mismatch", "Logistics Object URI does not match", `The Change names ${change.object}, not ${objectIri}.`, [
      { path: API + "hasLogisticsObject", message: "LogisticsObject URI in Change does not match requested Logistics Object URI" },
    ]);
  const onEvents = eventLogOperation(change);
  if (onEvents)
    throw new HttpProblem(
      400,
      "logistics-event-immutable",
      EVENTS_IMMUTABLE,
      `Logistics Events of a Logistics Object can not be updated using PATCH (operation ${onEvents.operation + 1} is on ${onEvents.property}): post an event to ${objectIri}/logistics-events.`,
      [{ path: onEvents.property, message: "Logistics Events of a Logistics Object can not be updated using PATCH" }],
    );
  const creates = objectCreation(change);
  if (creates)
    throw new HttpProblem(
      400,
      "logistics-object-creation",
      "Logistics Objects can not be created using PATCH",
      `Operation ${creates.operation + 1} makes a new ${creates.datatype} inside this object: create it with POST /logistics-objects, then link it by its IRI.`,
      [{ path: creates.property, message: "a Change may link an existing Logistics Object, never create one" }],
    );
  const latest = await deps.db.recordVersion.findUniqueOrThrow({
    where: { recordId_version: { recordId: object.id, version: object.latestVersion } },
    select: { body: true },
  });
  const body = JSON.parse(latest.body) as JsonObject;
  const objectType = String(body.objectType);
  if (objectType === "LogisticsEvent")
    throw new HttpProblem(
      400,
      "logistics-event-immutable",
      EVENTS_IMMUTABLE,
      "Logistics Events of a Logistics Object can not be updated using PATCH: they are append-only.",
    );
  if (change.revision !== object.latestVersion)
    throw new HttpProblem(
      422,
      "revision-conflict",
      REVISION_CONFLICT,
      `The change names revision ${change.revision}; the latest revision is ${object.latestVersion}. Changes apply to the latest revision.`,
      [{ path: API + "hasRevision", message: `expected ${object.latestVersion}` }],
    );
  await refuseHiddenReferences(deps, orgId, object.id, body, appliedChange(body, change, objectIri));

  const write = signedWriteIfAny(req);
  if (write && write.version !== 1)
    throw badRequest("invalid-signed-write", "A change request is version 1 of a ChangeRequest record.", [
      { path: SIGNED_WRITE_HEADER, message: "version must be 1" },
    ]);
  const requestBody = changeRequestBodyOf(change);
  const record = write ? signedChangeRequest(orgId, requestBody, write) : undefined;
  const id = record?.id ?? randomUUID();
  const actionRequest = deps.iris.actionRequest(id);

  const pending: RecordObserver = {
    onStored: async (records, { tx, provider, now }) => {
      if (!records.some((r) => r.id === id && r.type === "ChangeRequest")) return;
      await execute(tx, provider, `INSERT INTO "ChangeRequest" (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', $8, $8, NULL, NULL, NULL)`, [
        id,
        object.id,
        objectType,
        change.revision,
        orgId,
        object.owner,
        change.notifyRequestStatusChange ? 1 : 0,
        now,
      ]);
      // The data holder reads the signed request it decides on.
      await grantByPolicy(tx, provider, deps.accessLog, [{ recordId: id, owner: orgId, grantee: object.owner, policy: "change-request" }]);
      await notify(tx, provider, deps.accessLog, [
        {
          orgId: object.owner,
          kind: "CHANGE_REQUEST_PENDING",
          recordId: object.id,
          version: object.latestVersion,
          owner: object.owner,
          detail: { actionRequest, object: objectIri, objectType },
        },
      ]);
    },
  };
  if (record) await publishRecords(deps.db, deps.provider, orgId, [record], true, [...deps.observers, pending], { checks: deps.checks });
  else await deps.hub.attestFor(orgId, [{ type: "ChangeRequest", id, version: 1, body: { ...requestBody } }], [pending]);
  return { id };
}

/** The ChangeRequest record of a signed write: the requester's signature over the body the hub derived. */
function signedChangeRequest(orgId: string, requestBody: ChangeRequestBody, write: SignedWrite): SignedRecord {
  let digest: string;
  try {
    digest = computeDigest({ type: "ChangeRequest", id: write.id, version: 1, owner: orgId, body: { ...requestBody }, salts: write.salts });
  } catch (err) {
    throw badRequest("invalid-signed-write", `The salts do not fit the change request: ${(err as Error).message}`, [
      { path: SIGNED_WRITE_HEADER, message: "salts" },
    ]);
  }
  return { type: "ChangeRequest", id: write.id, version: 1, owner: orgId, body: { ...requestBody }, salts: write.salts, digest, signature: write.signature };
}

/** PENDING -> `to`, only if still PENDING; whether it moved. */
async function moveStatus(
  tx: Runner,
  provider: DbProvider,
  id: string,
  to: Exclude<ChangeStatus, "PENDING">,
  now: Date,
  extra: { decidedBy: string; acceptedRevision?: number; error?: StatusError },
): Promise<boolean> {
  const changed = await execute(
    tx,
    provider,
    `UPDATE "ChangeRequest" SET "status" = $1, "statusSince" = $2, "decidedBy" = $3, "acceptedRevision" = $4, "error" = $5 WHERE "id" = $6 AND "status" = 'PENDING'`,
    [to, now, extra.decidedBy, extra.acceptedRevision ?? null, extra.error ? JSON.stringify(extra.error) : null, id],
  );
  return changed === 1;
}

const notPending = (row: ChangeRequestRow) =>
  conflict(
    "request-not-pending",
    `The change request is ${row.status === "PENDING" ? "no longer PENDING" : row.status}: only a PENDING request changes status.`,
  );

/** What a status notification needs of an action request about one object (a change or a verification request). */
export type ObjectRequestRow = Pick<ChangeRequestRow, "id" | "objectId" | "objectType" | "requestedBy" | "dataHolder" | "notify">;

/**
 * The notification of a status change to whoever should hear of it: the requester when it asked
 * (notifyRequestStatusChange), and `extra`; never the party that made the change itself. The event
 * type is `{kind}_REQUEST_{status}` (api:NotificationEventType).
 */
export function statusNotifications(
  deps: Pick<ChangeDeps, "iris">,
  row: ObjectRequestRow,
  kind: "CHANGE" | "VERIFICATION",
  status: string,
  actor: string,
  extra: string[] = [],
): NotificationDraft[] {
  const to = new Set(extra);
  if (row.notify) to.add(row.requestedBy);
  to.delete(actor);
  const detail = { actionRequest: deps.iris.actionRequest(row.id), object: deps.iris.object(row.objectId), objectType: row.objectType };
  return [...to].map((orgId) => ({ orgId, kind: `${kind}_REQUEST_${status}`, recordId: row.objectId, owner: row.dataHolder, detail }));
}

/** The access-log line of a decision: the decider read the signed request and settled it. */
const decisionLine = (orgId: string, row: ChangeRequestRow, now: Date, detail: string): AccessLogDraft =>
  readLine(orgId, { id: row.id, version: 1, owner: row.requestedBy }, `one-record change request ${detail}`, now.toISOString());

/** Ends a request FAILED (its error says why), then answers the decider with that error as a 422. */
async function fail(deps: ChangeDeps, orgId: string, row: ChangeRequestRow, error: StatusError): Promise<never> {
  const now = new Date();
  await writeTransaction(deps.db, async (tx) => {
    if (!(await moveStatus(tx, deps.provider, row.id, "FAILED", now, { decidedBy: orgId, error }))) throw notPending(row);
    await notify(tx, deps.provider, deps.accessLog, statusNotifications(deps, row, "CHANGE", "FAILED", orgId));
    await deps.accessLog.appendIn(tx, [decisionLine(orgId, row, now, `REQUEST_FAILED: ${error.message}`)]);
  });
  throw new HttpProblem(422, "change-request-failed", error.title, `The change request is now REQUEST_FAILED: ${error.message}`, [
    { path: error.property ?? API + "hasRevision", message: error.message },
  ]);
}

/**
 * The data holder accepts: the change must still apply to the latest revision (else FAILED), and
 * the header must carry the holder's signature of exactly that result as revision n+1. On a
 * hub-attested object the hub signs revision n+1 for the holder, the same way as revision 1 (a
 * header is refused: nobody but the hub signs the hub's record).
 */
export async function acceptChange(deps: ChangeDeps, orgId: string, row: ChangeRequestRow, req: Request): Promise<void> {
  if (row.status !== "PENDING") throw notPending(row);
  const objectIri = deps.iris.object(row.objectId);
  const header = await deps.db.record.findUniqueOrThrow({ where: { id: row.objectId }, select: { latestVersion: true, owner: true } });
  // The operator owns an object only as the hub attesting it for its data holder.
  const hubAttested = header.owner === OPERATOR_ORG_ID && row.dataHolder !== OPERATOR_ORG_ID;
  if (header.latestVersion !== row.revision)
    return fail(deps, orgId, row, {
      code: 409,
      title: REVISION_CONFLICT,
      message: `The change applies to revision ${row.revision}; the latest revision is ${header.latestVersion}.`,
      property: API + "hasRevision",
      resource: objectIri,
    });
  const change = changeOfRequestBody(await changeRequestBody(deps, row.id), objectIri);
  const latest = await deps.db.recordVersion.findUniqueOrThrow({
    where: { recordId_version: { recordId: row.objectId, version: row.revision } },
    select: { body: true },
  });
  let next: JsonObject;
  try {
    next = appliedChange(JSON.parse(latest.body) as JsonObject, change, objectIri);
  } catch (err) {
    if (!(err instanceof HttpProblem && err.status === 422)) throw err;
    const first = err.errors?.[0];
    return fail(deps, orgId, row, {
      code: 422,
      title: UNPROCESSABLE,
      message: first?.message ?? err.detail ?? err.title,
      property: first?.path,
      resource: objectIri,
    });
  }
  // The requester may have lost sight of what its change references since it asked.
  const hidden = await hiddenReference(deps, row.requestedBy, row.objectId, JSON.parse(latest.body) as JsonObject, next);
  if (hidden) return fail(deps, orgId, row, hidden);
  const write = hubAttested ? undefined : signedWriteOf(req);
  if (hubAttested && req.get(SIGNED_WRITE_HEADER) !== undefined)
    throw badRequest(
      "hub-attested-object",
      `${objectIri} is attested by the hub for ${row.dataHolder}: the hub signs its revisions. Accept without the ${SIGNED_WRITE_HEADER} header.`,
      [{ path: SIGNED_WRITE_HEADER, message: "not for a hub-attested object" }],
    );
  if (write && (write.id !== row.objectId || write.version !== row.revision + 1))
    throw badRequest("invalid-signed-write", `Accepting signs revision ${row.revision + 1} of ${objectIri} (record ${row.objectId}).`, [
      { path: SIGNED_WRITE_HEADER, message: `id ${row.objectId}, version ${row.revision + 1} expected` },
    ]);
  const accepted = row.revision + 1;
  const settle: RecordObserver = {
    onStored: async (records, { tx, provider, now }) => {
      if (!records.some((r) => r.id === row.objectId && r.version === accepted)) return;
      if (!(await moveStatus(tx, provider, row.id, "ACCEPTED", now, { decidedBy: orgId, acceptedRevision: accepted }))) throw notPending(row);
      const drafts = statusNotifications(deps, row, "CHANGE", "ACCEPTED", orgId);
      const lines = [decisionLine(orgId, row, now, `REQUEST_ACCEPTED as revision ${accepted}`)];
      for (const other of await changeRequestsOfRevision(tx, provider, row.objectId, row.revision)) {
        if (other.id === row.id) continue;
        // Its revision is outdated now: the specification's revision conflict, about the object.
        const error: StatusError = {
          code: 409,
          title: REVISION_CONFLICT,
          message: `The revision of the change (${row.revision}) is lower than the object's (${accepted}): change request ${deps.iris.actionRequest(row.id)} on that revision was accepted first.`,
          property: API + "hasRevision",
          resource: objectIri,
        };
        if (!(await moveStatus(tx, provider, other.id, "REJECTED", now, { decidedBy: orgId, error }))) continue;
        drafts.push(...statusNotifications(deps, other, "CHANGE", "REJECTED", orgId));
        lines.push(decisionLine(orgId, other, now, `REQUEST_REJECTED: superseded by ${row.id}`));
      }
      await notify(tx, provider, deps.accessLog, drafts);
      await deps.accessLog.appendIn(tx, lines);
    },
  };
  // Two acceptances racing: the loser's revision n+1 is a version-conflict (publishRecords).
  if (write) await storeObjectWrite({ ...deps, observers: [...deps.observers, settle] }, orgId, next, write);
  else await attestObjectWrite(deps, orgId, next, { id: row.objectId, version: accepted, observers: [settle] });
}

async function changeRequestsOfRevision(tx: TxClient, provider: DbProvider, objectId: string, revision: number): Promise<ChangeRequestRow[]> {
  const rows = await query<RawRow>(
    tx,
    provider,
    `SELECT ${COLUMNS} FROM "ChangeRequest" WHERE "objectId" = $1 AND "revision" = $2 AND "status" = 'PENDING' ORDER BY "id"`,
    [objectId, revision],
  );
  return rows.map(rowOf);
}

/** The data holder rejects a PENDING request. */
export async function rejectChange(deps: ChangeDeps, orgId: string, row: ChangeRequestRow): Promise<void> {
  const now = new Date();
  await writeTransaction(deps.db, async (tx) => {
    if (!(await moveStatus(tx, deps.provider, row.id, "REJECTED", now, { decidedBy: orgId }))) throw notPending(row);
    await notify(tx, deps.provider, deps.accessLog, statusNotifications(deps, row, "CHANGE", "REJECTED", orgId));
    await deps.accessLog.appendIn(tx, [decisionLine(orgId, row, now, "REQUEST_REJECTED")]);
  });
}

/** The requester withdraws its PENDING request; the data holder hears of it (it was told it is pending). */
export async function revokeChange(deps: ChangeDeps, orgId: string, row: ChangeRequestRow): Promise<void> {
  const now = new Date();
  await writeTransaction(deps.db, async (tx) => {
    if (!(await moveStatus(tx, deps.provider, row.id, "REVOKED", now, { decidedBy: orgId }))) throw notPending(row);
    await notify(tx, deps.provider, deps.accessLog, statusNotifications(deps, row, "CHANGE", "REVOKED", orgId, [row.dataHolder]));
    await deps.accessLog.appendIn(tx, [decisionLine(orgId, row, now, "REQUEST_REVOKED")]);
  });
}
