/**
 * GET /logistics-objects/{id}/audit-trail: the change requests of an object as an api:AuditTrail.
 * The data holder sees every request; any other reader sees the accepted ones (they made the object
 * what it is) and its own.
 */
import type { Request } from "express";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { API, ONE_RECORD_CONTEXT } from "../../sdk/one-record/vocabulary";
import { ChangeRequestBody } from "../../sdk/records/change-request";
import { chunks } from "../db/sql";
import { badRequest } from "../http/problem";
import { changeRequestJsonLd } from "./action-requests";
import { dateTimeParam } from "./objects";
import { CHANGE_STATUSES, changeRequestsOf, type ChangeDeps, type ChangeStatus, type ObjectHeader } from "./changes";

/** ?status=: PENDING, ACCEPTED, ... (also as REQUEST_ACCEPTED or the api individual's IRI). */
function statusFilter(raw: unknown): ChangeStatus | undefined {
  if (raw === undefined) return undefined;
  const text =
    typeof raw === "string"
      ? raw
          .replace(API, "")
          .replace(/^api:/, "")
          .replace(/^REQUEST_/, "")
      : "";
  const status = CHANGE_STATUSES.find((s) => s === text);
  if (!status) throw badRequest("invalid-status", `status is one of ${CHANGE_STATUSES.join(", ")}.`, [{ path: "status", message: "unknown status" }]);
  return status;
}

/** The query of an audit trail, checked before anything is looked up. */
export function auditTrailQuery(query: Request["query"]): { from?: Date; to?: Date; status?: ChangeStatus } {
  const from = dateTimeParam(query.updatedFrom, "updatedFrom", "invalid-updated-from");
  const to = dateTimeParam(query.updatedTo, "updatedTo", "invalid-updated-to");
  const status = statusFilter(query.status);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(status ? { status } : {}) };
}

/** The audit trail of an object the caller may read (`object`), as the caller may see it. */
export async function auditTrail(deps: ChangeDeps, orgId: string, object: ObjectHeader, filter: ReturnType<typeof auditTrailQuery>): Promise<JsonObject> {
  const rows = (await changeRequestsOf(deps.db, deps.provider, object.id, filter)).filter(
    (r) => object.owner === orgId || r.status === "ACCEPTED" || r.requestedBy === orgId,
  );
  const bodies = new Map<string, ChangeRequestBody>();
  for (const part of chunks(
    rows.map((r) => r.id),
    500,
  ))
    for (const v of await deps.db.recordVersion.findMany({ where: { recordId: { in: part }, version: 1 }, select: { recordId: true, body: true } }))
      bodies.set(v.recordId, ChangeRequestBody.parse(JSON.parse(v.body)));
  return {
    "@context": { ...ONE_RECORD_CONTEXT },
    "@id": `${deps.iris.object(object.id)}/audit-trail`,
    "@type": "api:AuditTrail",
    "api:hasActionRequest": rows.map((r) => changeRequestJsonLd(deps.iris, r, bodies.get(r.id)!, { context: false })),
    "api:hasLatestRevision": { "@value": String(object.latestVersion), "@type": "xsd:positiveInteger" },
  };
}
