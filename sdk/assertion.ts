import { SignJWT, importJWK } from "jose";
import { secp256k1Jwk, orgKeyFromPrivate } from "./keys";

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** How long a client assertion lives: long enough for clock skew, short enough to limit replay windows. */
export const ASSERTION_TTL_S = 60;

/** The audience a hub expects in client assertions: its token endpoint (RFC 7523). */
export function tokenEndpoint(hubUrl: string): string {
  return `${hubUrl.replace(/\/$/, "")}/v1/auth/token`;
}

/**
 * A short-lived ES256K client-assertion JWT (RFC 7523) by which an organisation proves it holds its
 * signing key; the hub exchanges it for an access token.
 */
export async function createClientAssertion(orgId: string, privateKey: string, hubUrl: string): Promise<string> {
  const key = orgKeyFromPrivate(privateKey);
  const signingKey = await importJWK(secp256k1Jwk(key.publicKey, key.privateKey), "ES256K");
  const jti = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256K", typ: "JWT" })
    .setIssuer(orgId)
    .setSubject(orgId)
    .setAudience(tokenEndpoint(hubUrl))
    .setJti(jti)
    .setIssuedAt()
    .setExpirationTime(`${ASSERTION_TTL_S}s`)
    .sign(signingKey);
}
