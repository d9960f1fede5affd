import { z } from "zod";
import {
  AdmitOrganizationSchema,
  ChainInfoSchema,
  OrgIdSchema,
  OrganizationListQuerySchema,
  OrganizationPageSchema,
  OrganizationViewSchema,
  RotateKeySchema,
} from "../../../sdk/api";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, STORAGE_PROBLEMS, named, problems, type Operation } from "../registry";

const Organization = named("OrganizationView", OrganizationViewSchema);
const OrgPath = z.object({ id: OrgIdSchema });
const OPERATOR_ONLY = { 403: ["operator-only"] };
const INVALID_QUERY = { 400: ["invalid-query"] };

const statusChange = (operationId: string, verb: "suspend" | "reinstate", summary: string): Operation => ({
  operationId,
  method: "post",
  path: `/v1/orgs/{id}/${verb}`,
  summary,
  tags: ["organisations"],
  security: "bearer",
  pathParams: OrgPath,
  responses: [{ status: 200, description: "The organisation as it now stands.", content: { [JSON_TYPE]: Organization } }],
  problems: problems(BEARER_PROBLEMS, OPERATOR_ONLY, NOT_FOUND, { 409: ["status-unchanged"] }),
});

export const orgOperations: Operation[] = [
  {
    operationId: "getHealth",
    method: "get",
    path: "/health",
    summary: "Readiness: 200 while storage is healthy, 503 while it keeps failing",
    description:
      "503 (a storage-full, storage-busy or storage-unavailable problem, the worst first, with Retry-After) while the database has met that fault within the last 5 s; back to 200 by itself once writes succeed again. It reads no table, so it answers at once even while the database is locked.",
    tags: ["hub"],
    security: "public",
    responses: [
      {
        status: 200,
        description: "The hub answers and its storage is healthy.",
        content: { [JSON_TYPE]: named("Health", z.object({ status: z.literal("ok") })) },
      },
    ],
    problems: { 503: STORAGE_PROBLEMS },
  },
  {
    operationId: "getChainInfo",
    method: "get",
    path: "/v1/chain",
    summary: "The chain the hub anchors on and its registry addresses",
    tags: ["hub"],
    security: "public",
    responses: [{ status: 200, description: "Chain id and addresses.", content: { [JSON_TYPE]: named("ChainInfo", ChainInfoSchema) } }],
    problems: {},
  },
  {
    operationId: "admitOrganization",
    method: "post",
    path: "/v1/orgs",
    summary: "Admit an organisation, on chain then in the hub (operator)",
    tags: ["organisations"],
    security: "bearer",
    body: { schema: named("AdmitOrganization", AdmitOrganizationSchema), mediaTypes: [JSON_TYPE] },
    responses: [{ status: 201, description: "Admitted.", content: { [JSON_TYPE]: Organization } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, OPERATOR_ONLY, { 400: ["invalid-organization"], 409: ["organization-exists", "signer-in-use"] }),
  },
  {
    operationId: "listOrganizations",
    method: "get",
    path: "/v1/orgs",
    summary: "The organisations, by id, a page at a time (operator)",
    tags: ["organisations"],
    security: "bearer",
    query: OrganizationListQuerySchema,
    responses: [
      {
        status: 200,
        description: "A page of organisations; `next`, when present, is the `after` of the next page.",
        content: { [JSON_TYPE]: named("OrganizationPage", OrganizationPageSchema) },
      },
    ],
    problems: problems(BEARER_PROBLEMS, OPERATOR_ONLY, INVALID_QUERY),
  },
  {
    operationId: "getOrganization",
    method: "get",
    path: "/v1/orgs/{id}",
    summary: "An organisation's roles, signing address and status",
    tags: ["organisations"],
    security: "bearer",
    pathParams: OrgPath,
    responses: [{ status: 200, description: "The organisation.", content: { [JSON_TYPE]: Organization } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND),
  },
  {
    operationId: "rotateOrganizationKey",
    method: "post",
    path: "/v1/orgs/{id}/keys",
    summary: "Rotate an organisation's signing key (operator)",
    tags: ["organisations"],
    security: "bearer",
    pathParams: OrgPath,
    body: { schema: named("RotateKey", RotateKeySchema), mediaTypes: [JSON_TYPE] },
    responses: [{ status: 200, description: "The organisation with its new key.", content: { [JSON_TYPE]: Organization } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, OPERATOR_ONLY, NOT_FOUND, { 400: ["invalid-key"], 409: ["signer-in-use"] }),
  },
  statusChange("suspendOrganization", "suspend", "Suspend an organisation (operator)"),
  statusChange("reinstateOrganization", "reinstate", "Reinstate a suspended organisation (operator)"),
];
