import { ConsolidationQuerySchema, ConsolidationViewSchema } from "../../../sdk/consolidation";
import { BEARER_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";

/** The consolidation index (server/consolidation/routes.ts; docs/consolidation.md). */
export const consolidationOperations: Operation[] = [
  {
    operationId: "getConsolidation",
    method: "get",
    path: "/v1/consolidation",
    summary: "What contains a parcel, piece, ULD, package, waybill or ONE Record object (by IRI) and what it contains, as of `at` (default now)",
    description:
      "Transitively up to the top and down (bounded: `truncated`), each edge with the record version that states it, the splits with their parts and discrepancies, the origin documents the node carries, and the waybills under the numbers shown. ONE Record objects state edges without counts or weights, and an air waybill, house waybill or ULD number or a UPID `identifies` the object stating it. Only edges whose records the caller may read are shown; when it may read none, the answer is the 404 of an id nobody consolidated.",
    tags: ["consolidation"],
    security: "bearer",
    query: ConsolidationQuerySchema,
    responses: [{ status: 200, description: "The node's containment.", content: { [JSON_TYPE]: named("ConsolidationView", ConsolidationViewSchema) } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND, { 400: ["invalid-query"] }),
  },
];
