import { z } from "zod";
import {
  AccessRequestDecisionSchema,
  AccessRequestListSchema,
  AccessRequestQuerySchema,
  AccessRequestViewSchema,
  CreateAccessRequestSchema,
} from "../../../sdk/api";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";

/** Access requests (server/records/access-requests.ts; docs/api.md "Grants and access requests"). */
const RequestPath = z.object({ id: z.string() });
const View = named("AccessRequest", AccessRequestViewSchema);
const DECIDED = { 409: ["access-request-decided"] };

const own = (op: Omit<Operation, "tags" | "security">): Operation => ({ ...op, tags: ["sharing"], security: "bearer" });

export const sharingOperations: Operation[] = [
  own({
    operationId: "requestAccess",
    method: "post",
    path: "/v1/access-requests",
    summary: "Ask the records' owner that the caller (or requestedFor) may read them",
    description:
      "The caller's own records are granted to requestedFor at once (ACCEPTED). Otherwise the request is PENDING; the answer is the same whether or not the records exist or the caller may know them.",
    body: { schema: named("CreateAccessRequest", CreateAccessRequestSchema), mediaTypes: [JSON_TYPE] },
    responses: [{ status: 201, description: "Recorded.", content: { [JSON_TYPE]: View }, headers: { Location: "The request's URL." } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, { 400: ["invalid-access-request", "invalid-grant", "unknown-organization", "unknown-field"] }),
  }),
  own({
    operationId: "listAccessRequests",
    method: "get",
    path: "/v1/access-requests",
    summary: "Requests the caller made (as=requester) or decides (as=owner), newest first",
    query: AccessRequestQuerySchema,
    responses: [{ status: 200, description: "The requests.", content: { [JSON_TYPE]: named("AccessRequestList", AccessRequestListSchema) } }],
    problems: problems(BEARER_PROBLEMS, { 400: ["invalid-query"] }),
  }),
  own({
    operationId: "getAccessRequest",
    method: "get",
    path: "/v1/access-requests/{id}",
    summary: "One access request (its requester, or the owner deciding it)",
    pathParams: RequestPath,
    responses: [{ status: 200, description: "The request.", content: { [JSON_TYPE]: View } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND),
  }),
  own({
    operationId: "decideAccessRequest",
    method: "post",
    path: "/v1/access-requests/{id}/decision",
    summary: "Accept or reject a PENDING request (the records' owner)",
    description: "An accepted request that can no longer be applied (the requester's own grant ended meanwhile) is FAILED and grants nothing.",
    pathParams: RequestPath,
    body: { schema: named("AccessRequestDecision", AccessRequestDecisionSchema), mediaTypes: [JSON_TYPE] },
    responses: [{ status: 200, description: "Decided.", content: { [JSON_TYPE]: View } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, NOT_FOUND, DECIDED, { 400: ["invalid-decision"] }),
  }),
  own({
    operationId: "revokeAccessRequest",
    method: "delete",
    path: "/v1/access-requests/{id}",
    summary: "Withdraw a PENDING request (requester) or revoke an ACCEPTED one (owner: its grants end at once, with every grant delegated from them)",
    pathParams: RequestPath,
    responses: [{ status: 200, description: "REVOKED.", content: { [JSON_TYPE]: View } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND, DECIDED, { 409: ["access-request-not-revocable"] }),
  }),
];
