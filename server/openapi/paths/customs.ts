import { z } from "zod";
import {
  CustomsCasePageSchema,
  CustomsCasePictureSchema,
  CustomsCaseQuerySchema,
  CustomsStatisticsQuerySchema,
  CustomsStatisticsSchema,
  SummaryDraftQuerySchema,
  SummaryDraftSchema,
} from "../../../sdk/api";
import { OrgIdSchema } from "../../../sdk/envelope";
import { OrderNumber } from "../../../sdk/records/customs-common";
import { BEARER_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";

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
];
