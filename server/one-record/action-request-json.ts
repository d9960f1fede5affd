// The api:ActionRequest properties change and verification requests share around their own content
// (an access delegation request is rendered from its access request view, in access-delegations.ts).
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { asDate } from "../db/sql";
import { ONE_RECORD_CONTEXT } from "../../sdk/one-record/vocabulary";
import type { OneRecordIris } from "./iris";

const dateTime = (d: Date) => ({ "@value": d.toISOString(), "@type": "xsd:dateTime" });
const status = (s: string) => ({ "@id": `api:REQUEST_${s}` });

/** What every action request row holds: who asked when, its status since when, who decided. */
export interface ActionRequestHead {
  id: string;
  requestedBy: string;
  requestedAt: Date;
  status: string;
  statusSince: Date;
  decidedBy: string | null;
}

/** What a request about one object revision adds: the object, its revision, its data holder, whether to notify the requester. */
export interface ObjectRequestHead<Status extends string> extends ActionRequestHead {
  objectId: string;
  objectType: string;
  /** The object revision the request is about. */
  revision: number;
  dataHolder: string;
  notify: boolean;
  status: Status;
}

/** The shared columns of a change or verification request row, as stored (SQLite or PostgreSQL types). */
export function objectRequestHeadOf<Status extends string>(r: Record<string, unknown>): ObjectRequestHead<Status> {
  return {
    id: String(r.id),
    objectId: String(r.objectId),
    objectType: String(r.objectType),
    revision: Number(r.revision),
    requestedBy: String(r.requestedBy),
    dataHolder: String(r.dataHolder),
    notify: Number(r.notify) === 1,
    status: String(r.status) as Status,
    requestedAt: asDate(r.requestedAt)!,
    statusSince: asDate(r.statusSince)!,
    decidedBy: r.decidedBy == null ? null : String(r.decidedBy),
  };
}

/**
 * An action request's JSON-LD (the api:ActionRequest properties around its content: requester,
 * status and its history, revocation), for the request kinds whose rows carry an ActionRequestHead.
 */
export function actionRequestJsonLd(
  iris: OneRecordIris,
  type: string,
  row: ActionRequestHead,
  content: JsonObject,
  opts: { context?: boolean } = {},
): JsonObject {
  const history = [{ status: "PENDING", at: row.requestedAt }, ...(row.status === "PENDING" ? [] : [{ status: row.status, at: row.statusSince }])];
  const out: JsonObject = {
    ...(opts.context === false ? {} : { "@context": { ...ONE_RECORD_CONTEXT } }),
    "@id": iris.actionRequest(row.id),
    "@type": type,
    ...content,
    "api:isRequestedBy": { "@id": iris.party(row.requestedBy) },
    "api:isRequestedAt": dateTime(row.requestedAt),
    "api:hasRequestStatus": status(row.status),
    "api:hasRequestStatusSince": dateTime(row.statusSince),
    "api:hasRequestStatusHistory": history.map((h) => ({
      "@type": "api:RequestStatusEntry",
      "api:hasRequestStatus": status(h.status),
      "api:hasRequestStatusSince": dateTime(h.at),
    })),
  };
  if (row.status === "REVOKED") {
    out["api:isRevokedBy"] = { "@id": iris.party(row.decidedBy ?? row.requestedBy) };
    out["api:isRevokedAt"] = dateTime(row.statusSince);
  }
  return out;
}
