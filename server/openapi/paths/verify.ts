import { VerdictSchema } from "../../../sdk/verify";
import { VerifyRequestSchema } from "../../verify/routes";
import { BODY_PROBLEMS, JSON_TYPE, named, problems, type Operation } from "../registry";

export const verifyOperations: Operation[] = [
  {
    operationId: "verifyRecord",
    method: "post",
    path: "/v1/verify",
    summary: "Verify a record (or its redacted form) and its proof against the chain, as the SDK does",
    tags: ["verify"],
    security: "public",
    body: { schema: named("VerifyRequest", VerifyRequestSchema), mediaTypes: [JSON_TYPE] },
    description:
      "`valid: false` means the record is invalid (the record itself or the chain says no). A chain that cannot be read (unreachable, an RPC error, no answer within VERIFY_CHAIN_TIMEOUT_MS, default 5 s) answers 503 `chain-unavailable` with Retry-After instead.",
    responses: [{ status: 200, description: "The verdict (valid or not).", content: { [JSON_TYPE]: named("Verdict", VerdictSchema) } }],
    problems: problems(BODY_PROBLEMS, { 400: ["invalid-verify-request"], 429: ["rate-limited"], 503: ["chain-unavailable"] }),
  },
];
