import { SignJWT, jwtVerify } from "jose";
import { z } from "zod";
import { RoleSchema, type Role } from "../../sdk/roles";
import { unauthorized } from "../http/problem";
import type { Caller } from "./caller";

const ACCESS_TOKEN_ALG = "HS256";
const ClaimsSchema = z.object({ sub: z.string(), roles: z.array(RoleSchema) });

/** Access tokens are HMAC-signed by the hub (every hub instance shares TOKEN_SECRET). */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(orgId: string, roles: Role[]): Promise<{ token: string; expiresIn: number }> {
    const token = await new SignJWT({ roles })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: "at+jwt" })
      .setIssuer(this.issuer)
      .setAudience(this.issuer)
      .setSubject(orgId)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
    return { token, expiresIn: this.ttlSeconds };
  }

  async verify(token: string): Promise<Caller> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: this.issuer,
        audience: this.issuer,
        typ: "at+jwt",
        requiredClaims: ["exp", "sub"],
      });
      const claims = ClaimsSchema.parse(payload);
      return { orgId: claims.sub, roles: claims.roles };
    } catch {
      throw unauthorized("The access token is invalid or has expired.");
    }
  }
}
