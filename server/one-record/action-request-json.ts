// The api:ActionRequest properties change and verification requests share around their own content
// (an access delegation request is rendered from its access request view, in access-delegations.ts).
import type { JsonObject } from "../../sdk/one-record/jsonld";
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
