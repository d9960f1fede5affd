import { ResolveAnswerSchema, ResolveQuerySchema } from "../../../sdk/resolve";
import { BEARER_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";

/** The identifier bridge (server/resolve/routes.ts; docs/resolve.md). */
export const resolveOperations: Operation[] = [
  {
    operationId: "resolveIdentifier",
    method: "get",
    path: "/v1/resolve",
    summary: "Every identifier the caller may see of what an identifier names, with the records' inclusion proofs",
    description:
      "`id` is a record id, a version digest, a Merkle leaf, a ONE Record object IRI, an EPCIS eventID, an EPC URN, a GS1 Digital Link (product or SSCC) or an air waybill number. An identifier naming several records (a master air waybill number, a GTIN) answers at most 50 of them. One naming nothing the caller may read is the 404 of an unknown identifier.",
    tags: ["records"],
    security: "bearer",
    query: ResolveQuerySchema,
    responses: [
      { status: 200, description: "The records named, with their identifiers.", content: { [JSON_TYPE]: named("ResolveAnswer", ResolveAnswerSchema) } },
    ],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND, { 400: ["invalid-query"] }),
  },
];
