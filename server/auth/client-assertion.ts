import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type KeyLike } from "jose";
import { secp256k1Jwk } from "../../sdk/keys";
import { ASSERTION_TTL_S } from "../../sdk/assertion";
import type { Db } from "../db/client";
import { unauthorized } from "../http/problem";

const CLOCK_TOLERANCE_S = 30;
const keyCache = new Map<string, KeyLike | Uint8Array>();

async function verificationKey(publicKey: string) {
  let key = keyCache.get(publicKey);
  if (!key) {
    key = await importJWK(secp256k1Jwk(publicKey), "ES256K");
    keyCache.set(publicKey, key);
  }
  return key;
}

/**
 * Checks an organisation's client assertion (RFC 7523): ES256K only, signed by the organisation's
 * current key, for this hub's token endpoint, short-lived, and never seen before (its `jti` is
 * stored until it expires). Returns the organisation id.
 */
export async function verifyClientAssertion(db: Db, assertion: string, audience: string): Promise<string> {
  let header;
  let unverified: { iss?: unknown; sub?: unknown };
  try {
    header = decodeProtectedHeader(assertion);
    unverified = JSON.parse(Buffer.from(assertion.split(".")[1] ?? "", "base64url").toString("utf8")) as typeof unverified;
  } catch {
    throw unauthorized("The client assertion is not a JWT.");
  }
  // Checked before anything else so `none` and HMAC tricks never reach key handling.
  if (header.alg !== "ES256K") throw unauthorized("The client assertion must be signed with ES256K.");
  if (typeof unverified.iss !== "string" || unverified.iss !== unverified.sub)
    throw unauthorized("The client assertion's iss and sub must both name the organisation.");
  const org = await db.organization.findUnique({ where: { id: unverified.iss } });
  if (!org || org.status !== "ACTIVE") throw unauthorized("Unknown or inactive organisation.");

  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, await verificationKey(org.publicKey), {
      algorithms: ["ES256K"],
      audience,
      issuer: org.id,
      subject: org.id,
      requiredClaims: ["exp", "iat", "jti"],
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: `${ASSERTION_TTL_S + CLOCK_TOLERANCE_S}s`,
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw unauthorized("The client assertion has expired.");
    if (err instanceof joseErrors.JWTClaimValidationFailed) throw unauthorized(`The client assertion's ${err.claim} claim is not acceptable.`);
    throw unauthorized("The client assertion's signature does not verify with the organisation's key.");
  }
  if (payload.exp! - payload.iat! > ASSERTION_TTL_S + CLOCK_TOLERANCE_S)
    throw unauthorized(`The client assertion may live at most ${ASSERTION_TTL_S} s.`);

  const now = new Date();
  await db.clientAssertion.deleteMany({ where: { expiresAt: { lt: now } } });
  try {
    await db.clientAssertion.create({
      data: { jti: `${org.id}:${payload.jti}`, orgId: org.id, expiresAt: new Date((payload.exp! + CLOCK_TOLERANCE_S) * 1000) },
    });
  } catch {
    throw unauthorized("The client assertion was already used.");
  }
  return org.id;
}
