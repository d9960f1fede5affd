/**
 * /action-requests/{id}: change requests (server/one-record/changes.ts), verification requests
 * (verification-requests.ts) and access delegation requests (server/one-record/access-delegations.ts)
 * behind one IRI scheme. A request shows to its
 * requester and to the data holder that decides it; to anybody else it is the same 404 as an id that
 * names nothing.
 */
import type { Request } from "express";
import type { AccessRequestView } from "../../sdk/api";
import { RecordIdSchema } from "../../sdk/envelope";
import { changeOfRequestBody, jsonLdOfChange } from "../../sdk/one-record/change";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { API } from "../../sdk/one-record/vocabulary";
import type { ChangeRequestBody } from "../../sdk/records/change-request";
import { loggedAccess } from "../access-log/logged";
import { badRequest, notFound } from "../http/problem";
import { decideAccessRequest, getAccessRequest, revokeAccessRequest } from "../records/access-requests";
import { delegationExtras, delegationRequestJsonLd, notifyDelegation } from "./access-delegations";
import { acceptChange, changeRequestBody, loadChangeRequest, rejectChange, revokeChange, type ChangeDeps, type ChangeRequestRow } from "./changes";
import type { OneRecordIris } from "./iris";
import { actionRequestJsonLd } from "./action-request-json";
import { loadVerificationRequest, settleVerification, verificationRequestJsonLd, type VerificationRequestRow } from "./verification-requests";

export type ActionRequestDeps = ChangeDeps;

export type FoundRequest =
  { kind: "change"; row: ChangeRequestRow } | { kind: "verification"; row: VerificationRequestRow } | { kind: "delegation"; view: AccessRequestView };

/** A malformed id names no request: the same 404. */
export function actionRequestIdParam(raw: unknown): string {
  const id = RecordIdSchema.safeParse(raw);
  if (!id.success) throw notFound();
  return id.data;
}

/** The request if the caller is its requester or its data holder; otherwise 404. */
async function visibleRequest(deps: ActionRequestDeps, orgId: string, id: string): Promise<FoundRequest> {
  const row = await loadChangeRequest(deps.db, deps.provider, id);
  if (row) {
    if (row.requestedBy === orgId || row.dataHolder === orgId) return { kind: "change", row };
    throw notFound();
  }
  const verification = await loadVerificationRequest(deps.db, deps.provider, id);
  if (verification) {
    if (verification.requestedBy === orgId || verification.dataHolder === orgId) return { kind: "verification", row: verification };
    throw notFound();
  }
  return { kind: "delegation", view: await getAccessRequest(deps.db, orgId, id) };
}

/**
 * Finds a request for the caller, logging a denial when it may not see it. The access-log line names
 * the request's id (for a change request, the id of its signed record, whose owner is the requester).
 */
export function findRequest(deps: ActionRequestDeps, orgId: string, id: string, action: string): Promise<FoundRequest> {
  return loggedAccess(
    deps.accessLog,
    deps.db,
    { actor: orgId, action: "READ", recordId: id, detail: `one-record action request ${action}` },
    () => visibleRequest(deps, orgId, id),
    () => undefined,
  );
}

/** A change request as an api:ChangeRequest (with its api:Change). */
export function changeRequestJsonLd(iris: OneRecordIris, row: ChangeRequestRow, body: ChangeRequestBody, opts: { context?: boolean } = {}): JsonObject {
  const out = actionRequestJsonLd(
    iris,
    "api:ChangeRequest",
    row,
    { "api:hasChange": jsonLdOfChange(changeOfRequestBody(body, iris.object(row.objectId))) },
    opts,
  );
  if (row.error) {
    const e = row.error;
    out["api:hasError"] = [
      {
        "@type": "api:Error",
        "api:hasTitle": e.title,
        "api:hasSeverity": { "@id": "api:ERROR" },
        "api:hasErrorDetail": [
          {
            "@type": "api:ErrorDetail",
            "api:hasCode": String(e.code),
            "api:hasMessage": e.message,
            ...(e.property ? { "api:hasProperty": { "@value": e.property, "@type": "xsd:anyURI" } } : {}),
            ...(e.resource ? { "api:hasResource": { "@value": e.resource, "@type": "xsd:anyURI" } } : {}),
          },
        ],
      },
    ];
  }
  return out;
}

export interface RenderedRequest {
  json: JsonObject;
  type: string;
  lastModified: Date;
  /** The signed record of a change request (the requester's and the data holder's to read). */
  link?: string;
  /** The access-log line of the read. */
  logged: { recordId: string | null; owner: string | null; version: number | null };
}

export async function renderRequest(deps: ActionRequestDeps, found: FoundRequest): Promise<RenderedRequest> {
  if (found.kind === "change") {
    const { row } = found;
    return {
      json: changeRequestJsonLd(deps.iris, row, await changeRequestBody(deps, row.id)),
      type: API + "ChangeRequest",
      lastModified: row.statusSince,
      link: `</v1/records/${row.id}?version=1>; rel="describedby"`,
      logged: { recordId: row.id, owner: row.requestedBy, version: 1 },
    };
  }
  if (found.kind === "verification")
    return {
      json: verificationRequestJsonLd(deps.iris, found.row),
      type: API + "VerificationRequest",
      lastModified: found.row.statusSince,
      logged: { recordId: found.row.objectId, owner: found.row.dataHolder, version: found.row.revision },
    };
  const { view } = found;
  const history = view.statusHistory;
  return {
    json: delegationRequestJsonLd(deps.iris, view, await delegationExtras(deps, view.id)),
    type: API + "AccessDelegationRequest",
    lastModified: new Date(history[history.length - 1]?.at ?? view.requestedAt),
    logged: { recordId: null, owner: null, version: null },
  };
}

export type StatusChange = "ACCEPTED" | "ACKNOWLEDGED" | "REJECTED" | "REVOKED";

/**
 * ?status= of PATCH /action-requests/{id}: the api individual's IRI (or its compact or bare name),
 * one of those `kind` of request can be set to. A verification is acknowledged, never accepted (the
 * API ontology: VERIFICATION_REQUEST_ACKNOWLEDGED); REQUEST_ACCEPTED, the only "yes" of the
 * OpenAPI's enum, is read as REQUEST_ACKNOWLEDGED for it.
 */
export function statusParam(raw: unknown, kind: FoundRequest["kind"]): StatusChange {
  const text = typeof raw === "string" ? raw : "";
  const name = text.startsWith(API) ? text.slice(API.length) : text.startsWith("api:") ? text.slice(4) : text;
  const allowed: StatusChange[] = kind === "verification" ? ["ACKNOWLEDGED", "REJECTED", "REVOKED"] : ["ACCEPTED", "REJECTED", "REVOKED"];
  const status = kind === "verification" && name === "REQUEST_ACCEPTED" ? "ACKNOWLEDGED" : allowed.find((s) => name === `REQUEST_${s}`);
  if (!status)
    throw badRequest("invalid-status", `status is ${allowed.map((s, i) => (i === 0 ? `${API}REQUEST_${s}` : `REQUEST_${s}`)).join(", ")}.`, [
      { path: "status", message: "not a status this request can be set to" },
    ]);
  return status;
}

/**
 * PATCH /action-requests/{id}?status=: the data holder accepts or rejects, the requester revokes.
 * Anyone else gets the 404 of an unknown id (and a denial in the access log).
 */
export async function changeStatus(deps: ActionRequestDeps, orgId: string, found: FoundRequest, raw: unknown, req: Request): Promise<void> {
  if (found.kind === "change") {
    const { row } = found;
    const allowed = (s: StatusChange) => (s === "REVOKED" ? row.requestedBy === orgId : row.dataHolder === orgId);
    // Only a party that may set some status learns that the parameter is wrong.
    const status = statusParam(raw, found.kind);
    if (!allowed(status)) return denied(deps, orgId, row.id, status);
    if (status === "ACCEPTED") return acceptChange(deps, orgId, row, req);
    if (status === "REJECTED") return rejectChange(deps, orgId, row);
    return revokeChange(deps, orgId, row);
  }
  if (found.kind === "verification") {
    const { row } = found;
    const status = statusParam(raw, found.kind);
    // The data holder decides, the requester revokes: the same rule as a change request's.
    if (status === "REVOKED" ? row.requestedBy !== orgId : row.dataHolder !== orgId) return denied(deps, orgId, row.id, status);
    return settleVerification(deps, orgId, row, status === "ACCEPTED" ? "ACKNOWLEDGED" : status);
  }
  const status = statusParam(raw, found.kind);
  if (status === "ACKNOWLEDGED") throw badRequest("invalid-status", "An access delegation request is accepted, not acknowledged.");
  if (status === "REVOKED") return revokeDelegation(deps, orgId, found.view.id);
  const extras = await delegationExtras(deps, found.view.id);
  const view = await decideAccessRequest(deps.db, deps.provider, deps.accessLog, { orgId, requestId: found.view.id, decision: status });
  await notifyDelegation(deps, view, view.status, extras, orgId);
}

/** DELETE /action-requests/{id}: the requester revokes (for an access delegation, the data holder may revoke what it granted). */
export async function revokeRequest(deps: ActionRequestDeps, orgId: string, found: FoundRequest): Promise<void> {
  if (found.kind === "change") {
    if (found.row.requestedBy !== orgId) return denied(deps, orgId, found.row.id, "REVOKED");
    return revokeChange(deps, orgId, found.row);
  }
  if (found.kind === "verification") {
    if (found.row.requestedBy !== orgId) return denied(deps, orgId, found.row.id, "REVOKED");
    return settleVerification(deps, orgId, found.row, "REVOKED");
  }
  return revokeDelegation(deps, orgId, found.view.id);
}

async function revokeDelegation(deps: ActionRequestDeps, orgId: string, id: string): Promise<void> {
  const extras = await delegationExtras(deps, id);
  const view = await revokeAccessRequest(deps.db, deps.provider, deps.accessLog, { orgId, requestId: id });
  await notifyDelegation(deps, view, "REVOKED", extras, orgId);
}

/** A party that sees the request but may not set this status: logged, and answered as an unknown id. */
async function denied(deps: ActionRequestDeps, orgId: string, id: string, status: StatusChange): Promise<never> {
  const record = await deps.db.record.findUnique({ where: { id }, select: { owner: true } });
  await deps.accessLog.append({
    at: new Date().toISOString(),
    actor: orgId,
    action: "DENY",
    recordId: id,
    version: null,
    owner: record?.owner ?? null,
    detail: `one-record action request REQUEST_${status}`,
  });
  throw notFound();
}
