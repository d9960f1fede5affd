import { SignJWT, jwtVerify } from "jose";
import { z } from "zod";
import { RoleSchema, type Role } from "../../sdk/roles";
import { unauthorized } from "../http/problem";
import type { Caller } from "./caller";

const ACCESS_TOKEN_ALG = "HS256";
// `epoch`: the organisation's token epoch at issue (bumped by key rotation and suspension).
const ClaimsSchema = z.object({ sub: z.string(), roles: z.array(RoleSchema), epoch: z.number().int().min(0) });

/** The one answer for a token that is malformed, forged, expired or revoked. */
export const INVALID_TOKEN = "The access token is invalid, has expired or was revoked.";

/**
 * Access tokens are HMAC-signed by the hub (every hub instance shares TOKEN_SECRET). Each carries
 * its organisation's token epoch; `requireOrg` compares it with the database's on every request, so
 * a rotation or suspension on any instance ends every earlier token at once.
 */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(orgId: string, roles: Role[], epoch: number): Promise<{ token: string; expiresIn: number }> {
    const token = await new SignJWT({ roles, epoch })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: "at+jwt" })
      .setIssuer(this.issuer)
      .setAudience(this.issuer)
      .setSubject(orgId)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
    return { token, expiresIn: this.ttlSeconds };
  }

  /** The caller a token names and the token epoch it was issued at (checked by the caller). */
  async verify(token: string): Promise<{ caller: Caller; epoch: number }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: this.issuer,
        audience: this.issuer,
        typ: "at+jwt",
        requiredClaims: ["exp", "sub"],
      });
      const claims = ClaimsSchema.parse(payload);
      return { caller: { orgId: claims.sub, roles: claims.roles }, epoch: claims.epoch };
    } catch {
      throw unauthorized(INVALID_TOKEN);
    }
  }
}
