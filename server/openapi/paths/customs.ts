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
import { CebDirectorySchema } from "../../../sdk/ceb";
import { OrgIdSchema, RecordIdSchema } from "../../../sdk/envelope";
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
  {
    operationId: "getCebDirectory",
    method: "get",
    path: "/v1/customs/ceb/directory",
    summary: "The e-port directory: enterprise codes to organisations, customs areas to offices and ports (any member)",
    tags: ["customs"],
    security: "bearer",
    description:
      "The operator's CUSTOMS_CEB_DIRECTORY, with which a publisher converts its China e-port messages (CEB311, CEB411, CEB511, CEB621) into the hub's records and signs them (SDK publishCebMessage; docs/customs.md, \"E-port messages\").",
    responses: [{ status: 200, description: "The directory.", content: { [JSON_TYPE]: named("CebDirectory", CebDirectorySchema) } }],
    problems: problems(BEARER_PROBLEMS),
  },
  {
    operationId: "getCebReceipt",
    method: "get",
    path: "/v1/customs/receipts/{recordId}",
    summary: "The e-port receipt of a customs document published from an e-port message (its publisher only)",
    tags: ["customs"],
    security: "bearer",
    pathParams: z.object({ recordId: RecordIdSchema }),
    description:
      "CEB312 (order), CEB412 (payment), CEB512 (waybill) or CEB622 (inventory list) XML in the namespace http://www.chinaport.gov.cn/ceb, in the message's own codes. returnStatus: 2 declared, the case not yet matched; 120 entered (matched); 100 returned (customs rejected, or the order does not name the publisher); for a list customs' decision: 500 inspection, 599 held, 800 released. Anyone but the document's publisher gets 404, as for a document that does not exist.",
    responses: [
      {
        status: 200,
        description: "The receipt.",
        content: { "application/xml": { raw: { type: "string", description: "A CEB312, CEB412, CEB512 or CEB622 message (XML)." } } },
      },
    ],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND, { 409: ["no-eport-message"] }),
  },
];
