import { z } from "zod";
import { GrantRequestSchema, GrantViewSchema, PublishedBatchSchema, PublishedSchema } from "../../../sdk/api";
import { AnchorProofSchema, RecordIdSchema } from "../../../sdk/envelope";
import { PublishBatch, SignedRecord, StoredRecord } from "../records";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";
import { CUSTODY_PUBLISH_PROBLEMS } from "./custody";

const Published = named("Published", PublishedSchema);
const RecordPath = z.object({ id: RecordIdSchema });
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional().describe("A version; the latest when absent.") });
/** Problems of publishing one record (server/records/check.ts, service.ts). */
const PUBLISH_PROBLEMS = {
  400: [
    "invalid-record",
    "redacted-record",
    "unknown-record-type",
    "digest-mismatch",
    "signature-invalid",
    "invalid-version",
    "invalid-decision",
    "unknown-customs-office",
    "summary-list",
    "summary-lines",
    "summary-too-large",
  ],
  403: ["wrong-owner", "hub-attested-only", "authority-missing", "record-id-outside-namespace", "reserved-record-id", "gtin-owned"],
  409: ["version-conflict", "record-id-unavailable", "epcis-event-immutable", "epcis-event-exists", "list-already-summarised"],
};

export const recordOperations: Operation[] = [
  {
    operationId: "publishRecord",
    method: "post",
    path: "/v1/records",
    summary: "Publish a signed record (the next version of its id)",
    tags: ["records"],
    security: "bearer",
    body: { schema: SignedRecord, mediaTypes: [JSON_TYPE] },
    responses: [
      {
        status: 201,
        description: "Published; anchoring is pending.",
        content: { [JSON_TYPE]: Published },
        headers: { Location: "The published version's URL." },
      },
    ],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, PUBLISH_PROBLEMS, CUSTODY_PUBLISH_PROBLEMS),
  },
  {
    operationId: "publishRecordBatch",
    method: "post",
    path: "/v1/records/batch",
    summary: "Publish 1 to 1000 records, all or nothing",
    tags: ["records"],
    security: "bearer",
    body: { schema: PublishBatch, mediaTypes: [JSON_TYPE] },
    responses: [{ status: 201, description: "All published.", content: { [JSON_TYPE]: named("PublishedBatch", PublishedBatchSchema) } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, PUBLISH_PROBLEMS, CUSTODY_PUBLISH_PROBLEMS, { 400: ["invalid-batch"] }),
  },
  {
    operationId: "getRecord",
    method: "get",
    path: "/v1/records/{id}",
    summary:
      "Read a record (owner, grantee, linked grant, or the events of an object the caller reads), personal fields redacted for others than owner and customs",
    tags: ["records"],
    security: "bearer",
    pathParams: RecordPath,
    query: VersionQuery,
    responses: [{ status: 200, description: "The record and its anchoring.", content: { [JSON_TYPE]: StoredRecord } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND, { 400: ["invalid-version"] }),
  },
  {
    operationId: "getRecordProof",
    method: "get",
    path: "/v1/records/{id}/proof",
    summary: "The inclusion proof of a record version in its anchored batch",
    tags: ["records"],
    security: "bearer",
    pathParams: RecordPath,
    query: VersionQuery,
    responses: [{ status: 200, description: "The proof.", content: { [JSON_TYPE]: named("AnchorProof", AnchorProofSchema) } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND, { 400: ["invalid-version"], 409: ["anchor-pending"] }),
  },
  {
    operationId: "listRecordGrants",
    method: "get",
    path: "/v1/records/{id}/grants",
    summary: "Active grants on a record (owner)",
    tags: ["records"],
    security: "bearer",
    pathParams: RecordPath,
    responses: [{ status: 200, description: "The grants.", content: { [JSON_TYPE]: named("GrantList", z.object({ grants: z.array(GrantViewSchema) })) } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND),
  },
  {
    operationId: "grantRecordAccess",
    method: "post",
    path: "/v1/records/{id}/grants",
    summary:
      "Let another organisation read every version of a record (with fields, only those top-level fields), or with scope linked the record and everything linked to it (owner)",
    tags: ["records"],
    security: "bearer",
    pathParams: RecordPath,
    body: { schema: named("GrantRequest", GrantRequestSchema), mediaTypes: [JSON_TYPE] },
    responses: [{ status: 201, description: "Granted.", content: { [JSON_TYPE]: named("GrantView", GrantViewSchema) } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, NOT_FOUND, { 400: ["invalid-grant", "unknown-organization", "unknown-field"] }),
  },
  {
    operationId: "revokeRecordAccess",
    method: "delete",
    path: "/v1/records/{id}/grants/{grantee}",
    summary: "Revoke a grantee's grants (owner); takes effect at once, and every grant delegated from them ends too",
    tags: ["records"],
    security: "bearer",
    pathParams: z.object({ id: RecordIdSchema, grantee: z.string() }),
    responses: [{ status: 204, description: "Revoked (grants made by a policy stay)." }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND, { 409: ["grant-required-by-policy"] }),
  },
];
