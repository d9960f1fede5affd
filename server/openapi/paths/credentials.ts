import { z } from "zod";
import { CredentialGrantSchema, CredentialViewSchema, OrgIdSchema, RevokeCredentialSchema, SetIssuerSchema } from "../../../sdk/api";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";

const Credential = named("CredentialView", CredentialViewSchema);
const OrgPath = z.object({ id: OrgIdSchema });
const OPERATOR_ONLY = { 403: ["operator-only"] };
const NO_REGISTRY = { 503: ["no-credential-registry"] };

/** Members' credentials on chain (server/authority/routes.ts, docs/authority.md). */
export const credentialOperations: Operation[] = [
  {
    operationId: "listCredentials",
    method: "get",
    path: "/v1/orgs/{id}/credentials",
    summary: "An organisation's credentials as the chain holds them, with their history",
    tags: ["organisations"],
    security: "bearer",
    pathParams: OrgPath,
    responses: [
      {
        status: 200,
        description: "Every credential, oldest first.",
        content: { [JSON_TYPE]: named("CredentialList", z.object({ credentials: z.array(CredentialViewSchema) })) },
      },
    ],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND, NO_REGISTRY),
  },
  {
    operationId: "issueCredential",
    method: "post",
    path: "/v1/orgs/{id}/credentials",
    summary: "Issue a credential on chain as the consortium operator (operator)",
    tags: ["organisations"],
    security: "bearer",
    pathParams: OrgPath,
    body: { schema: named("CredentialGrant", CredentialGrantSchema), mediaTypes: [JSON_TYPE] },
    responses: [{ status: 201, description: "Issued.", content: { [JSON_TYPE]: Credential } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, OPERATOR_ONLY, NOT_FOUND, NO_REGISTRY, { 400: ["invalid-credential"] }),
  },
  {
    operationId: "revokeCredential",
    method: "post",
    path: "/v1/orgs/{id}/credentials/{credentialId}/revoke",
    summary: "Revoke a credential from now on (operator)",
    tags: ["organisations"],
    security: "bearer",
    pathParams: z.object({ id: OrgIdSchema, credentialId: z.string() }),
    body: { schema: named("RevokeCredential", RevokeCredentialSchema), mediaTypes: [JSON_TYPE] },
    responses: [{ status: 200, description: "The credential, revoked.", content: { [JSON_TYPE]: Credential } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, OPERATOR_ONLY, NOT_FOUND, NO_REGISTRY, { 400: ["invalid-revocation"], 409: ["credential-revoked"] }),
  },
  {
    operationId: "setCredentialIssuer",
    method: "put",
    path: "/v1/orgs/{id}/issuer",
    summary: "Let an accreditation body issue credentials of some kinds with its own key (operator)",
    tags: ["organisations"],
    security: "bearer",
    pathParams: OrgPath,
    body: { schema: named("SetIssuer", SetIssuerSchema), mediaTypes: [JSON_TYPE] },
    responses: [
      {
        status: 200,
        description: "The kinds it may now issue.",
        content: { [JSON_TYPE]: named("Issuer", z.object({ issuer: z.string(), kinds: z.array(CredentialViewSchema.shape.kind) })) },
      },
    ],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, OPERATOR_ONLY, NOT_FOUND, NO_REGISTRY, { 400: ["invalid-issuer"] }),
  },
];
