import { ExportQuerySchema } from "../../audit/routes";
import { BEARER_PROBLEMS, problems, type Operation } from "../registry";

export const auditOperations: Operation[] = [
  {
    operationId: "exportAudit",
    method: "get",
    path: "/v1/audit/export",
    summary: "Records, batches and the access log as JSON Lines, streamed and resumable (scope=all: AUDITOR)",
    description: "One JSON object per line; the format is in docs/audit.md. Resume with after = the cursor of the last line received.",
    tags: ["audit"],
    security: "bearer",
    query: ExportQuerySchema,
    responses: [{ status: 200, description: "The export.", content: { "application/x-ndjson": { raw: { type: "string" } } } }],
    problems: problems(BEARER_PROBLEMS, { 400: ["invalid-query", "invalid-cursor"], 403: ["auditor-only"] }),
  },
  {
    operationId: "getMetrics",
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics (the METRICS_TOKEN, or an OPERATOR or AUDITOR access token)",
    tags: ["audit"],
    security: "metrics",
    responses: [{ status: 200, description: "Prometheus text exposition.", content: { "text/plain": { raw: { type: "string" } } } }],
    problems: problems(BEARER_PROBLEMS, { 403: ["metrics-forbidden"] }),
  },
];
