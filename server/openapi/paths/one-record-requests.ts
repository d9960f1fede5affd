import { z } from "zod";
import { RecordIdSchema } from "../../../sdk/envelope";
import { API } from "../../../sdk/one-record/vocabulary";
import { BODY_PROBLEMS, NOT_FOUND, problems, type Named, type Operation } from "../registry";
import { OneRecordAccessDelegation, OneRecordActionRequest, OneRecordAuditTrail, OneRecordChange, OneRecordVerification } from "../one-record-documents";
import { LD_JSON, ObjectPath, SIGNED_WRITE, WRITE_PROBLEMS, oneRecord } from "./one-record";

/** Change and verification requests, the audit trail, access delegations and action requests (server/one-record/request-routes.ts). */

const ActionRequestPath = z.object({ id: RecordIdSchema.describe("The action request's id (the last segment of its IRI).") });
const jsonLdIn = (schema: Named) => ({ schema, mediaTypes: [LD_JSON, "application/json"] });

export const oneRecordRequestOperations: Operation[] = [
  oneRecord({
    operationId: "requestLogisticsObjectChange",
    method: "patch",
    path: "/logistics-objects/{id}",
    summary: "Request a change of a logistics object (an api:Change), signed by the requester",
    description:
      "The body is an api:Change naming this object and its latest revision, with ADD/DELETE operations. The Cargoproof-Record header signs the ChangeRequest record derived from it (sdk/one-record/change.ts changeRequestBodyOf; its id becomes the action request's). The caller must be able to read the object, and every object the change newly references (else 422 change-reference-unknown, the same for an object that does not exist; checked again when the holder accepts). The data holder is notified (CHANGE_REQUEST_PENDING) and decides with PATCH /action-requests/{id}. A value written as a one-element array is the same value (JSON-LD). Operations on the object's events (cargo:events, hasLogisticsEvent) are 400 logistics-event-immutable, \"Logistics Events can not be updated\"; a new node (blank node) of a logistics object or event class is 400 logistics-object-creation (a Change links existing objects, never creates them).",
    pathParams: ObjectPath,
    headers: { ...SIGNED_WRITE },
    body: jsonLdIn(OneRecordChange),
    responses: [
      {
        status: 201,
        description: "The change request, PENDING.",
        content: {},
        headers: { Location: "The action request's IRI.", Type: `${API}ChangeRequest` },
      },
    ],
    problems: problems(WRITE_PROBLEMS, NOT_FOUND, {
      400: ["invalid-change", "logistics-object-mismatch", "logistics-event-immutable", "logistics-object-creation"],
      422: ["revision-conflict", "change-not-applicable", "change-result-invalid", "change-reference-unknown"],
    }),
  }),
  oneRecord({
    operationId: "verifyLogisticsObject",
    method: "post",
    path: "/logistics-objects/{id}",
    summary: "Request a verification of a logistics object (an api:Verification)",
    description:
      "Flags errors or anomalies in a revision of the object (api:hasRevision, the latest if none) without proposing values: at least one api:Error, each with api:hasTitle (api:hasSeverity, api:hasErrorDetail with api:hasProperty as the specification's Verification.json). Only a party that may read the object asks (else the 404 of a missing object). The data holder is notified (VERIFICATION_REQUEST_PENDING) and acknowledges or rejects with PATCH /action-requests/{id}; with api:notifyRequestStatusChange the requester hears of each status. Not a signed record: a verification changes no data.",
    pathParams: ObjectPath,
    body: jsonLdIn(OneRecordVerification),
    responses: [
      {
        status: 201,
        description: "The verification request, PENDING.",
        content: {},
        headers: { Location: "The action request's IRI.", Type: `${API}VerificationRequest` },
      },
    ],
    problems: problems(BODY_PROBLEMS, NOT_FOUND, {
      400: ["invalid-verification", "logistics-object-mismatch"],
      415: ["unsupported-media-type"],
      422: ["revision-unknown"],
    }),
  }),
  oneRecord({
    operationId: "getAuditTrail",
    method: "get",
    path: "/logistics-objects/{id}/audit-trail",
    summary: "The change requests of a logistics object (api:AuditTrail)",
    description:
      "The data holder sees every change request; another reader sees the accepted ones and its own. hasLatestRevision is the object's latest revision.",
    pathParams: ObjectPath,
    query: z.object({
      updatedFrom: z.string().optional().describe("ISO 8601 UTC date-time, YYYYMMDDThhmmssZ or extended: requests whose status changed at or after it."),
      updatedTo: z.string().optional().describe("ISO 8601 UTC date-time, YYYYMMDDThhmmssZ or extended: requests whose status changed at or before it."),
      status: z.enum(["PENDING", "ACCEPTED", "REJECTED", "FAILED", "REVOKED"]).optional().describe("Only requests in this status."),
    }),
    responses: [{ status: 200, description: "The audit trail.", content: { [LD_JSON]: OneRecordAuditTrail } }],
    problems: problems(NOT_FOUND, { 400: ["invalid-updated-from", "invalid-updated-to", "invalid-status"] }),
  }),
  oneRecord({
    operationId: "createAccessDelegationRequest",
    method: "post",
    path: "/access-delegations",
    summary: "Request that parties may read logistics objects (an api:AccessDelegation)",
    description:
      "One action request per party in api:isRequestedFor (Location names the first, Link all of them), each decided by the objects' data holder. Every permission is a read grant on this hub. Whether an object exists is never revealed: a request nobody may decide is PENDING like any other.",
    body: jsonLdIn(OneRecordAccessDelegation),
    responses: [
      {
        status: 201,
        description: "The access delegation request(s).",
        content: {},
        headers: { Location: "The first action request's IRI.", Link: 'Every action request made, rel="related".', Type: `${API}AccessDelegationRequest` },
      },
    ],
    problems: problems(BODY_PROBLEMS, {
      400: ["invalid-access-delegation", "invalid-grant", "unknown-organization", "invalid-access-request"],
      415: ["unsupported-media-type"],
    }),
  }),
  oneRecord({
    operationId: "getActionRequest",
    method: "get",
    path: "/action-requests/{id}",
    summary: "An action request: api:ChangeRequest, api:VerificationRequest or api:AccessDelegationRequest",
    description: "For its requester and the data holder who decides it. A change request links (rel=describedby) to its signed ChangeRequest record.",
    pathParams: ActionRequestPath,
    responses: [
      {
        status: 200,
        description: "The request, with its status history.",
        content: { [LD_JSON]: OneRecordActionRequest },
        headers: { Type: "The request's class IRI.", "Last-Modified": "When its status last changed.", Link: "A change request's signed record." },
      },
    ],
    problems: NOT_FOUND,
  }),
  oneRecord({
    operationId: "updateActionRequest",
    method: "patch",
    path: "/action-requests/{id}",
    summary: "Accept, acknowledge or reject (the data holder), or revoke (the requester) an action request",
    description:
      "Accepting a change request carries the data holder's signature of revision n+1, which must be exactly the change applied to revision n (Cargoproof-Record header; OneRecordClient.acceptChange does it). The new revision, ACCEPTED, and REJECTED for every other request pending on revision n commit together. A change that no longer applies, or that references an object its requester no longer reads, becomes FAILED and the answer is 422. On an object the hub attested for its holder (a plain ONE Record client's), accepting carries no header: the hub signs revision n+1 for the holder (a header is 400 hub-attested-object). A verification request is acknowledged (REQUEST_ACKNOWLEDGED; REQUEST_ACCEPTED means the same for it) or rejected; REQUEST_ACKNOWLEDGED of another kind of request is 400 invalid-status.",
    pathParams: ActionRequestPath,
    query: z.object({
      status: z.enum([`${API}REQUEST_ACCEPTED`, `${API}REQUEST_ACKNOWLEDGED`, `${API}REQUEST_REJECTED`, `${API}REQUEST_REVOKED`]).describe("The new status."),
    }),
    headers: {
      [Object.keys(SIGNED_WRITE)[0]!]: {
        description: "When accepting a change request: the data holder's signed write of the next revision.",
        required: false,
      },
    },
    responses: [{ status: 204, description: "Done.", content: {}, headers: { Type: "The request's class IRI." } }],
    problems: problems(NOT_FOUND, WRITE_PROBLEMS, {
      400: ["invalid-status", "hub-attested-object"],
      409: ["request-not-pending", "access-request-decided", "access-request-not-revocable"],
      422: ["change-request-failed"],
    }),
  }),
  oneRecord({
    operationId: "revokeActionRequest",
    method: "delete",
    path: "/action-requests/{id}",
    summary: "Revoke an action request",
    description:
      "The requester withdraws a PENDING request; for an access delegation the data holder may also revoke one it accepted (its grants end at once).",
    pathParams: ActionRequestPath,
    responses: [{ status: 204, description: "Revoked.", content: {} }],
    problems: problems(NOT_FOUND, { 409: ["request-not-pending", "access-request-not-revocable"] }),
  }),
];
