import { z } from "zod";
import { RecordIdSchema } from "../../../sdk/envelope";
import { SIGNED_WRITE_HEADER } from "../../../sdk/one-record/signed-write";
import { OneRecordError, OneRecordLogisticsObject, OneRecordServerInformation } from "../one-record-documents";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, problems, type Operation } from "../registry";

/** Shared by every ONE Record operation (server/one-record/): JSON-LD in and out, api:Error bodies. */
export const LD_JSON = "application/ld+json";
export const ONE_RECORD_TAG = "one-record";

export const SIGNED_WRITE = {
  [SIGNED_WRITE_HEADER]: {
    description:
      "base64url JSON { id, version, salts, signature }: the writer's signature of the record this write becomes (docs/one-record.md; the SDK adds it). Without it (a plain ONE Record client) the hub attests the write for the authenticated organisation: the record is the operator's, its body names the organisation (capturedBy), which is its data holder.",
    required: false,
  },
};

/** Problems of a signed write of a logistics object (server/one-record/objects.ts). */
export const WRITE_PROBLEMS = problems(BODY_PROBLEMS, {
  400: ["invalid-logistics-object", "signature-required", "invalid-signed-write", "invalid-record", "digest-mismatch", "signature-invalid"],
  403: ["record-id-outside-namespace"],
  409: ["version-conflict", "record-id-unavailable"],
  415: ["unsupported-media-type"],
});

export const ObjectPath = z.object({ id: RecordIdSchema.describe("The object's record id (the last segment of its IRI).") });

/** An operation of the ONE Record surface: tagged, Bearer-authenticated unless said, errors as api:Error. */
export const oneRecord = (op: Omit<Operation, "tags" | "security" | "problemBody"> & { security?: Operation["security"] }): Operation => ({
  ...op,
  tags: [ONE_RECORD_TAG],
  security: op.security ?? "bearer",
  problems: op.security === "public" ? op.problems : problems(BEARER_PROBLEMS, op.problems),
  // server/one-record/errors.ts: one body that is both the problem and the specification's api:Error.
  problemBody: { mediaType: LD_JSON, alsoIs: OneRecordError },
});

export const oneRecordObjectOperations: Operation[] = [
  oneRecord({
    operationId: "getServerInformation",
    method: "get",
    path: "/",
    summary: "ONE Record server information (api:ServerInformation)",
    security: "public",
    responses: [{ status: 200, description: "What this server speaks.", content: { [LD_JSON]: OneRecordServerInformation } }],
    problems: {},
  }),
  oneRecord({
    operationId: "createLogisticsObject",
    method: "post",
    path: "/logistics-objects",
    summary: "Create a logistics object (revision 1), signed by its data holder or attested by the hub for it",
    headers: SIGNED_WRITE,
    body: { schema: OneRecordLogisticsObject, mediaTypes: [LD_JSON, JSON_TYPE] },
    responses: [
      { status: 201, description: "Created; anchoring is pending.", content: {}, headers: { Location: "The object's IRI.", Type: "The object's class IRI." } },
    ],
    problems: problems(WRITE_PROBLEMS, { 400: ["logistics-event-not-object"] }),
  }),
  oneRecord({
    operationId: "getLogisticsObject",
    method: "get",
    path: "/logistics-objects/{id}",
    summary: "Read a logistics object: the latest revision, or the one current at a past time",
    description:
      "Headers Revision, Latest-Revision, Last-Modified and Type as the specification says; beyond it, Link headers to the revision's signed record (rel=describedby) and its inclusion proof (rel=https://cargoproof.dev/rel/proof).",
    pathParams: ObjectPath,
    query: z.object({
      at: z
        .string()
        .optional()
        .describe(
          "A past time, ISO 8601 UTC in the specification's format YYYYMMDDThhmmssZ (e.g. 20261123T100000Z; fractional seconds allowed) or extended (2026-11-23T10:00:00Z): the revision current then. A time in the future is 400 at-in-future. In the answer every IRI of a logistics object of this hub (references, embedded objects) carries the same ?at=, and Location names the historical read.",
        ),
      embedded: z.enum(["true", "false"]).optional().describe("true: referenced objects you may read are embedded (one level)."),
    }),
    responses: [
      {
        status: 200,
        description: "The object.",
        content: { [LD_JSON]: OneRecordLogisticsObject },
        headers: {
          Revision: "This revision.",
          "Latest-Revision": "The latest revision.",
          "Last-Modified": "When the latest revision was stored.",
          Type: "The class IRI.",
          Link: "The signed record and its proof.",
          Location: "For a historical read (?at=): the object's IRI with that ?at=.",
        },
      },
    ],
    problems: problems(NOT_FOUND, { 400: ["invalid-at", "at-in-future", "invalid-embedded"] }),
  }),
];
