import { TokenResponseSchema } from "../../../sdk/api";
import { TokenRequestSchema } from "../../auth/routes";
import { BODY_PROBLEMS, JSON_TYPE, named, problems, type Operation } from "../registry";

export const authOperations: Operation[] = [
  {
    operationId: "issueAccessToken",
    method: "post",
    path: "/v1/auth/token",
    summary: "Exchange a client assertion (ES256K JWT signed with the organisation's key) for an access token",
    description:
      "OAuth 2.0 client credentials with a JWT client assertion (RFC 7523): `iss` = `sub` = the organisation id, `aud` = this URL, a unique `jti`, a lifetime of at most 60 s. Every refusal (an unknown or suspended organisation, another key or algorithm, a wrong audience, an expired or replayed assertion) is the same 401, byte for byte. An access token stops working at once when its organisation's key is rotated or it is suspended.",
    tags: ["auth"],
    security: "public",
    body: { schema: named("TokenRequest", TokenRequestSchema), mediaTypes: ["application/x-www-form-urlencoded", JSON_TYPE] },
    responses: [{ status: 200, description: "The access token.", content: { [JSON_TYPE]: named("TokenResponse", TokenResponseSchema) } }],
    problems: problems(BODY_PROBLEMS, { 400: ["invalid-token-request"], 401: ["unauthorized"] }),
  },
];
