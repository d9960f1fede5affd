/**
 * ONE Record access delegations (POST /access-delegations) as the hub's access requests
 * (server/records/access-requests.ts): one access request per party in api:isRequestedFor, each for
 * all the objects in api:hasLogisticsObject, decided by their data holder. Whether an object exists
 * shows nowhere: a request the hub cannot pass on is stored and answered like any other PENDING one.
 */
import type { Request } from "express";
import type { AccessRequestStatus, AccessRequestView } from "../../sdk/api";
import { RecordIdSchema } from "../../sdk/envelope";
import { API_SCHEMAS, PERMISSIONS, apiClassOf, apiObjectOf } from "../../sdk/one-record/api-objects";
import { JsonLdFormError, textOf, valuesOf as many, type JsonObject } from "../../sdk/one-record/jsonld";
import { API, ONE_RECORD_CONTEXT } from "../../sdk/one-record/vocabulary";
import type { AccessLogWriter } from "../access-log/writer";
import { writeTransaction, type Db, type DbProvider } from "../db/client";
import { asNumber, execute, query } from "../db/sql";
import { badRequest } from "../http/problem";
import { notify, type NotificationDraft } from "../notifications/service";
import { readableIds } from "../records/access";
import { requestAccess } from "../records/access-requests";
import type { OneRecordIris } from "./iris";
import { requireJsonLd } from "./objects";

export type Permission = (typeof PERMISSIONS)[number];

export interface DelegationDeps {
  db: Db;
  provider: DbProvider;
  accessLog: AccessLogWriter;
  iris: OneRecordIris;
}

/** What the api:AccessDelegation adds to its access request. */
export interface DelegationExtras {
  permissions: Permission[];
  notify: boolean;
}

const invalid = (property: string, message: string) => badRequest("invalid-access-delegation", message, [{ path: API + property, message }]);

interface Delegation {
  recordIds: string[];
  parties: string[];
  permissions: Permission[];
  description?: string;
  expiresAt?: string;
  notify: boolean;
}

/** The api:AccessDelegation of a request body, or a 400 naming the api property. */
function delegationOf(iris: OneRecordIris, json: unknown): Delegation {
  let node: JsonObject;
  try {
    node = apiObjectOf(json);
  } catch (err) {
    if (err instanceof JsonLdFormError) throw badRequest("invalid-access-delegation", err.message, [{ path: err.path, message: err.message }]);
    throw err;
  }
  if (apiClassOf(node) !== "AccessDelegation") throw invalid("AccessDelegation", "an api:AccessDelegation is expected");
  const parsed = API_SCHEMAS.AccessDelegation.safeParse(node);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(String(issue.path[0] ?? "AccessDelegation"), issue.message);
  }
  const objects = many(node.hasLogisticsObject).map(textOf);
  if (objects.length === 0 || objects.length > 100) throw invalid("hasLogisticsObject", "name 1 to 100 logistics objects");
  const recordIds = objects.map((iri) => {
    const id = iri === undefined ? undefined : iris.recordIdOf(iri);
    if (id === undefined || !RecordIdSchema.safeParse(id).success)
      throw invalid("hasLogisticsObject", `${iri ?? "?"} is no logistics object IRI of this server`);
    return id;
  });
  const parties = many(node.isRequestedFor).map((p) => {
    const iri = textOf(p);
    const orgId = iri === undefined ? undefined : iris.orgIdOf(iri);
    if (orgId === undefined) throw invalid("isRequestedFor", `${iri ?? "?"} is no party IRI of this server (${iris.party("{organisation}")})`);
    return orgId;
  });
  if (parties.length === 0 || parties.length > 20) throw invalid("isRequestedFor", "name 1 to 20 parties");
  const permissions = [...new Set(many(node.hasPermission).map((p) => textOf(p)?.slice(API.length) as Permission))];
  const delegation: Delegation = { recordIds: [...new Set(recordIds)], parties: [...new Set(parties)], permissions, notify: false };
  const description = textOf(node.hasDescription);
  if (description !== undefined) delegation.description = description.slice(0, 1000);
  const expiresAt = textOf(node.expiresAt);
  if (expiresAt !== undefined) delegation.expiresAt = expiresAt;
  const flag = textOf(node.notifyRequestStatusChange);
  delegation.notify = flag === "true" || flag === "1";
  return delegation;
}

/** The organisation that decides an access request, if anybody may (server/records/access-requests.ts). */
async function deciderOf(deps: DelegationDeps, requestId: string): Promise<string | null> {
  const [row] = await query<{ decider: string | null }>(deps.db, deps.provider, `SELECT "decider" FROM "AccessRequest" WHERE "id" = $1`, [requestId]);
  return row?.decider ?? null;
}

export async function delegationExtras(deps: DelegationDeps, requestId: string): Promise<DelegationExtras> {
  const [row] = await query<{ permissions: string; notify: unknown }>(
    deps.db,
    deps.provider,
    `SELECT "permissions", "notify" FROM "AccessDelegation" WHERE "requestId" = $1`,
    [requestId],
  );
  return row
    ? { permissions: JSON.parse(row.permissions) as Permission[], notify: asNumber(row.notify) === 1 }
    : { permissions: ["GET_LOGISTICS_OBJECT"], notify: false };
}

/**
 * Notifications of an access delegation request's status: PENDING (and REVOKED) to the data holder
 * that decides it, the other states to the requester when it asked. A request nobody may decide
 * notifies nobody but, if it asked, the requester.
 */
export async function notifyDelegation(
  deps: DelegationDeps,
  view: AccessRequestView,
  status: AccessRequestStatus,
  extras: DelegationExtras,
  actor: string,
): Promise<void> {
  const decider = await deciderOf(deps, view.id);
  const to = new Set<string>();
  if ((status === "PENDING" || status === "REVOKED") && decider !== null) to.add(decider);
  if (status !== "PENDING" && extras.notify) to.add(view.requestedBy);
  // Nobody is told of its own decision (a request is still announced to an owner asking itself).
  if (status !== "PENDING") to.delete(actor);
  const granted = status === "ACCEPTED" && view.requestedFor !== actor ? await accessGranted(deps, view) : [];
  if (to.size === 0 && granted.length === 0) return;
  const first = view.recordIds[0]!;
  const objectType = decider !== null ? await objectTypeOf(deps.db, first) : undefined;
  const detail = {
    actionRequest: deps.iris.actionRequest(view.id),
    object: deps.iris.object(first),
    ...(view.recordIds.length > 1 ? { objects: view.recordIds.map((id) => deps.iris.object(id)) } : {}),
    ...(objectType ? { objectType } : {}),
  };
  const drafts: NotificationDraft[] = [...to].map((orgId) => ({
    orgId,
    kind: `ACCESS_DELEGATION_REQUEST_${status}`,
    recordId: first,
    owner: decider ?? undefined,
    detail,
  }));
  await writeTransaction(deps.db, (tx) => notify(tx, deps.provider, deps.accessLog, [...drafts, ...granted]));
}

/**
 * What the party access was delegated to hears once the holder accepts, per object: that it was
 * granted access (LOGISTICS_OBJECT_ACCESS_GRANTED), and that the object is available to it
 * (LOGISTICS_OBJECT_AVAILABLE: how a party subscribed to a class, or to an object it could not read
 * yet, learns the object's IRI). Only objects it may read now (a grant may already have ended).
 */
async function accessGranted(deps: DelegationDeps, view: AccessRequestView): Promise<NotificationDraft[]> {
  const readable = await readableIds(deps.db, view.requestedFor, view.recordIds);
  const drafts: NotificationDraft[] = [];
  for (const recordId of view.recordIds.filter((id) => readable.has(id))) {
    const header = await deps.db.record.findUnique({ where: { id: recordId }, select: { owner: true } });
    const objectType = await objectTypeOf(deps.db, recordId);
    const detail = { actionRequest: deps.iris.actionRequest(view.id), object: deps.iris.object(recordId), ...(objectType ? { objectType } : {}) };
    for (const kind of ["LOGISTICS_OBJECT_ACCESS_GRANTED", "LOGISTICS_OBJECT_AVAILABLE"])
      drafts.push({ orgId: view.requestedFor, kind, recordId, ...(header ? { owner: header.owner } : {}), detail });
  }
  return drafts;
}

async function objectTypeOf(db: Db, recordId: string): Promise<string | undefined> {
  const header = await db.record.findUnique({ where: { id: recordId }, select: { latestVersion: true, type: true } });
  if (!header || header.type !== "LogisticsObject") return undefined;
  const row = await db.recordVersion.findUnique({ where: { recordId_version: { recordId, version: header.latestVersion } }, select: { body: true } });
  return row ? String((JSON.parse(row.body) as JsonObject).objectType) : undefined;
}

/**
 * POST /access-delegations: one access request per party asked for; returns them in the order of
 * api:isRequestedFor. Every permission is a read grant here (docs/one-record.md).
 */
export async function requestDelegation(deps: DelegationDeps, orgId: string, req: Request): Promise<AccessRequestView[]> {
  requireJsonLd(req);
  const delegation = delegationOf(deps.iris, req.body);
  const views: AccessRequestView[] = [];
  for (const party of delegation.parties) {
    const view = await requestAccess(deps.db, deps.provider, deps.accessLog, {
      requestedBy: orgId,
      requestedFor: party,
      recordIds: delegation.recordIds,
      scope: "object",
      ...(delegation.description !== undefined ? { description: delegation.description } : {}),
      ...(delegation.expiresAt !== undefined ? { expiresAt: delegation.expiresAt } : {}),
    });
    const extras: DelegationExtras = { permissions: delegation.permissions, notify: delegation.notify };
    await execute(deps.db, deps.provider, `INSERT INTO "AccessDelegation" ("requestId", "permissions", "notify") VALUES ($1, $2, $3)`, [
      view.id,
      JSON.stringify(extras.permissions),
      extras.notify ? 1 : 0,
    ]);
    await notifyDelegation(deps, view, view.status, extras, orgId);
    views.push(view);
  }
  return views;
}

const dateTime = (iso: string) => ({ "@value": iso, "@type": "xsd:dateTime" });
const status = (s: string) => ({ "@id": `api:REQUEST_${s}` });

/** An access request as an api:AccessDelegationRequest. */
export function delegationRequestJsonLd(iris: OneRecordIris, view: AccessRequestView, extras: DelegationExtras): JsonObject {
  const history = view.statusHistory;
  const since = history[history.length - 1]?.at ?? view.requestedAt;
  const delegation: JsonObject = {
    "@type": "api:AccessDelegation",
    ...(view.description !== undefined ? { "api:hasDescription": view.description } : {}),
    "api:hasPermission": extras.permissions.map((p) => ({ "@id": `api:${p}` })),
    "api:isRequestedFor": [{ "@id": iris.party(view.requestedFor) }],
    "api:hasLogisticsObject": view.recordIds.map((id) => ({ "@id": iris.object(id) })),
    "api:notifyRequestStatusChange": extras.notify,
    ...(view.expiresAt !== undefined ? { "api:expiresAt": dateTime(view.expiresAt) } : {}),
  };
  const out: JsonObject = {
    "@context": { ...ONE_RECORD_CONTEXT },
    "@id": iris.actionRequest(view.id),
    "@type": "api:AccessDelegationRequest",
    "api:hasAccessDelegation": delegation,
    "api:isRequestedBy": { "@id": iris.party(view.requestedBy) },
    "api:isRequestedAt": dateTime(view.requestedAt),
    "api:hasRequestStatus": status(view.status),
    "api:hasRequestStatusSince": dateTime(since),
    "api:hasRequestStatusHistory": history.map((h) => ({
      "@type": "api:RequestStatusEntry",
      "api:hasRequestStatus": status(h.status),
      "api:hasRequestStatusSince": dateTime(h.at),
    })),
  };
  if (view.status === "REVOKED") out["api:isRevokedAt"] = dateTime(since);
  if (view.status === "FAILED")
    out["api:hasError"] = [
      {
        "@type": "api:Error",
        "api:hasTitle": "Access could not be granted",
        "api:hasErrorDetail": [
          {
            "@type": "api:ErrorDetail",
            "api:hasCode": "409",
            "api:hasMessage":
              "The request was accepted, but the access it asks for can no longer be granted (an expiry passed, or the grant it hangs from ended).",
          },
        ],
      },
    ];
  return out;
}
