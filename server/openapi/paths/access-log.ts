import { z } from "zod";
import { AccessLogQuerySchema } from "../../../sdk/api";
import { AccessLogEntrySchema } from "../../../sdk/access-log";
import { BEARER_PROBLEMS, JSON_TYPE, named, problems, type Operation } from "../registry";

export const accessLogOperations: Operation[] = [
  {
    operationId: "listAccessLog",
    method: "get",
    path: "/v1/access-log",
    summary: "Access-log lines about the caller's records (an AUDITOR sees every line), oldest first",
    tags: ["audit"],
    security: "bearer",
    query: AccessLogQuerySchema,
    responses: [
      {
        status: 200,
        description: "A page of entries; poll with after=next.",
        content: { [JSON_TYPE]: named("AccessLogPage", z.object({ entries: z.array(named("AccessLogEntry", AccessLogEntrySchema).schema), next: z.number().int() })) },
      },
    ],
    problems: problems(BEARER_PROBLEMS, { 400: ["invalid-query"] }),
  },
];
