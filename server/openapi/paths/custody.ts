import { CustodyChainQuerySchema, CustodyChainSchema, CustodyHandoverListSchema, CustodyHandoverQuerySchema } from "../../../sdk/custody";
import { BEARER_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation, type Problems } from "../registry";

/** What publishing a CustodyHandover or CustodyReceipt may answer besides the other records' problems (server/custody/observer.ts). */
export const CUSTODY_PUBLISH_PROBLEMS: Problems = {
  400: ["invalid-handover", "unknown-organization", "handover-digest-mismatch", "invalid-receipt"],
  404: ["not-found"],
  409: ["handover-answered", "handover-receiver-changed", "receipt-final", "handover-version-stale", "handover-already-answered"],
};

/** Custody handovers (server/custody/routes.ts; docs/custody.md). */
export const custodyOperations: Operation[] = [
  {
    operationId: "listCustodyHandovers",
    method: "get",
    path: "/v1/custody/handovers",
    summary: "Handovers naming the caller as receiver (as=receiver, default) or handed over by it (as=hander); status=pending: awaiting countersignature",
    tags: ["custody"],
    security: "bearer",
    query: CustodyHandoverQuerySchema,
    responses: [
      { status: 200, description: "The handovers, newest first.", content: { [JSON_TYPE]: named("CustodyHandoverList", CustodyHandoverListSchema) } },
    ],
    problems: problems(BEARER_PROBLEMS, { 400: ["invalid-query"] }),
  },
  {
    operationId: "getCustodyChain",
    method: "get",
    path: "/v1/custody",
    summary: "The custody chain of a piece, ULD or package up to `at` (default now), and who held it then",
    description:
      "Only handovers (and receipts) the caller may read are shown; a handover whose receipt it may not read shows as one-sided. When it may read none, the answer is the 404 of an item nobody handed over.",
    tags: ["custody"],
    security: "bearer",
    query: CustodyChainQuerySchema,
    responses: [{ status: 200, description: "The custody chain.", content: { [JSON_TYPE]: named("CustodyChain", CustodyChainSchema) } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND, { 400: ["invalid-query"] }),
  },
];
