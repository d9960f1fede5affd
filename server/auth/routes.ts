import { Router, type RequestHandler } from "express";
import { z } from "zod";
import { CLIENT_ASSERTION_TYPE, tokenEndpoint } from "../../sdk/assertion";
import { readRows, type Db } from "../db/client";
import { Prisma } from "../db/.generated/sqlite/client";
import { asNumber } from "../db/sql";
import { badRequest, fromZod, unauthorized } from "../http/problem";
import { INVALID_TOKEN, type AccessTokens } from "./access-token";
import { verifyClientAssertion } from "./client-assertion";
import { rolesOf } from "../orgs/service";

export const TokenRequestSchema = z.object({
  grant_type: z.literal("client_credentials"),
  client_assertion_type: z.literal(CLIENT_ASSERTION_TYPE),
  client_assertion: z.string().min(1),
});

export function authRoutes(db: Db, tokens: AccessTokens, publicUrl: string): Router {
  const router = Router();
  const audience = tokenEndpoint(publicUrl);
  router.post("/v1/auth/token", async (req, res) => {
    const parsed = TokenRequestSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-token-request", "Expected a client_credentials grant with a JWT client assertion.", parsed.error);
    const org = await verifyClientAssertion(db, parsed.data.client_assertion, audience);
    const { token, expiresIn } = await tokens.issue(org.id, rolesOf(org.roles), org.tokenEpoch);
    res.set("Cache-Control", "no-store").json({ access_token: token, token_type: "Bearer", expires_in: expiresIn });
  });
  return router;
}

/** Authenticates a Bearer access token and checks the organisation is still active and the token not revoked. */
export function requireOrg(db: Db, tokens: AccessTokens): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get("authorization");
    if (!header) throw unauthorized("Authentication required: send an access token as 'Authorization: Bearer <token>'.");
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw badRequest("malformed-authorization", "The Authorization header must be 'Bearer <token>'.");
    const { caller, epoch } = await tokens.verify(match[1]!);
    // One indexed read per request, on whichever instance: a token from before the organisation's
    // last key rotation or suspension (an older epoch) is refused like any invalid token.
    // Tagged SQL rather than the model API: on the read path each statement's cost is mostly the client's (issue 17).
    const [org] = await readRows<{ status: string; tokenEpoch: unknown }>(
      db,
      Prisma.sql`SELECT "status", "tokenEpoch" FROM "Organization" WHERE "id" = ${caller.orgId}`,
    );
    if (!org || org.status !== "ACTIVE" || asNumber(org.tokenEpoch) !== epoch) throw unauthorized(INVALID_TOKEN);
    req.caller = { ...caller, tokenEpoch: epoch };
    next();
  };
}
