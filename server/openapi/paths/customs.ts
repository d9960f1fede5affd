import { z } from "zod";
import {
  CustomsCasePageSchema,
  CustomsCasePictureSchema,
  CustomsCaseQuerySchema,
  CustomsStatisticsQuerySchema,
  CustomsStatisticsSchema,
  QuotaCheckRequestSchema,
  QuotaCheckSchema,
  SummaryDraftQuerySchema,
  SummaryDraftSchema,
} from "../../../sdk/api";
import { OrgIdSchema } from "../../../sdk/envelope";
import { OrderNumber } from "../../../sdk/records/customs-common";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";

const ROLE_REQUIRED = { 403: ["role-required"] };

export const customsOperations: Operation[] = [
  {
    operationId: "listCustomsCases",
    method: "get",
    path: "/v1/customs/cases",
    summary: "The customs office's queue of cases (CUSTOMS)",
    tags: ["customs"],
    security: "bearer",
    query: CustomsCaseQuerySchema,
    responses: [{ status: 200, description: "A page of cases.", content: { [JSON_TYPE]: named("CustomsCasePage", CustomsCasePageSchema) } }],
    problems: problems(BEARER_PROBLEMS, ROLE_REQUIRED, { 400: ["invalid-query"] }),
  },
  {
    operationId: "getCustomsCase",
    method: "get",
    path: "/v1/customs/cases/{platform}/{orderNumber}",
    summary: "The consolidated, verified picture of one case (CUSTOMS)",
    tags: ["customs"],
    security: "bearer",
    pathParams: z.object({ platform: OrgIdSchema, orderNumber: OrderNumber }),
    responses: [
      {
        status: 200,
        description: "The case with its documents, match result and decision.",
        content: { [JSON_TYPE]: named("CustomsCasePicture", CustomsCasePictureSchema) },
      },
    ],
    problems: problems(BEARER_PROBLEMS, ROLE_REQUIRED, NOT_FOUND),
  },
  {
    operationId: "getCustomsStatistics",
    method: "get",
    path: "/v1/customs/statistics",
    summary: "Case statistics by period and currency, optionally split by dimensions (CUSTOMS, OPERATOR)",
    tags: ["customs"],
    security: "bearer",
    query: CustomsStatisticsQuerySchema,
    responses: [{ status: 200, description: "The statistics.", content: { [JSON_TYPE]: named("CustomsStatistics", CustomsStatisticsSchema) } }],
    problems: problems(BEARER_PROBLEMS, { 400: ["invalid-query"], 403: ["role-required", "other-office"] }),
  },
  {
    operationId: "getSummaryDraft",
    method: "get",
    path: "/v1/customs/summaries/draft",
    summary: "A summary declaration drafted from released lists (BROKER, PLATFORM)",
    tags: ["customs"],
    security: "bearer",
    query: SummaryDraftQuerySchema,
    responses: [
      { status: 200, description: "The draft body and how many lists it sums.", content: { [JSON_TYPE]: named("SummaryDraft", SummaryDraftSchema) } },
    ],
    problems: problems(BEARER_PROBLEMS, ROLE_REQUIRED, { 400: ["invalid-query"], 404: ["no-released-lists"] }),
  },
  {
    operationId: "checkCustomsQuota",
    method: "post",
    path: "/v1/customs/quota-check",
    summary: "Whether a buyer's order stays within the personal import limits, before the platform accepts it (PLATFORM)",
    tags: ["customs"],
    security: "bearer",
    body: { schema: named("QuotaCheckRequest", QuotaCheckRequestSchema), mediaTypes: [JSON_TYPE] },
    description:
      "The buyer is keyed as the matcher keys it; the annual sum is the buyer's matched personal imports of the calendar year on the hub, whichever platform sold them. The answer holds that sum only. At most CUSTOMS_QUOTA_CHECK_PER_MIN calls a minute per platform (429 `rate-limited` with Retry-After); every call is in the access log.",
    responses: [{ status: 200, description: "The order against the limits.", content: { [JSON_TYPE]: named("QuotaCheck", QuotaCheckSchema) } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, ROLE_REQUIRED, { 400: ["invalid-quota-check", "unknown-exchange-rate"], 429: ["rate-limited"] }),
  },
];
