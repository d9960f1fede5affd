import { z } from "zod";
import { AccessLogQuerySchema } from "../../../sdk/api";
import { AccessLogEntrySchema, OwnAccessLogEntrySchema } from "../../../sdk/access-log";
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
        description:
          "A page of entries; poll with after=next. An AUDITOR gets every line by its hub-wide seq (a row number) with its hash-chain fields: chain (the owner's, \"\" for lines about no owner's record) and chainSeq, absent on lines from before chains; the audit export lists each chain in chainSeq order. Any other caller gets its own lines, seq being its own gapless sequence (1, 2, 3, ...), without the chain fields.",
        content: {
          [JSON_TYPE]: named(
            "AccessLogPage",
            z.object({
              entries: z.union([
                z.array(named("AccessLogEntry", AccessLogEntrySchema).schema),
                z.array(named("OwnAccessLogEntry", OwnAccessLogEntrySchema).schema),
              ]),
              next: z.number().int(),
            }),
          ),
        },
      },
    ],
    problems: problems(BEARER_PROBLEMS, { 400: ["invalid-query"] }),
  },
];
