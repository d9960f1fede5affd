import { decodeProtectedHeader, importJWK, jwtVerify, type KeyLike } from "jose";
import { secp256k1Jwk } from "../../sdk/keys";
import { ASSERTION_TTL_S } from "../../sdk/assertion";
import type { Db } from "../db/client";
import { unauthorized } from "../http/problem";

const CLOCK_TOLERANCE_S = 30;
const keyCache = new Map<string, KeyLike | Uint8Array>();

/**
 * The token endpoint's one refusal: an unknown organisation, a suspended one, a bad signature, a
 * wrong audience, an expired or replayed assertion all look the same, so the answer tells a prober
 * nothing about which organisations exist.
 */
export const ASSERTION_REFUSED = "The client assertion is not acceptable.";
const refused = () => unauthorized(ASSERTION_REFUSED);

/**
 * Signature work for an assertion naming no usable organisation is done against this fixed key (the
 * generator point, i.e. private key 1), so that refusal costs what a bad signature costs. That its
 * private key is known does not matter: without a usable organisation the assertion is refused anyway.
 */
const DUMMY_PUBLIC_KEY = "0x0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";

async function verificationKey(publicKey: string) {
  let key = keyCache.get(publicKey);
  if (!key) {
    key = await importJWK(secp256k1Jwk(publicKey), "ES256K");
    keyCache.set(publicKey, key);
  }
  return key;
}

/** The organisation a client assertion authenticated, as read before its signature was checked. */
export interface AuthenticatedOrg {
  id: string;
  roles: string;
  tokenEpoch: number;
}

/**
 * Checks an organisation's client assertion (RFC 7523): ES256K only, signed by the organisation's
 * current key, for this hub's token endpoint, short-lived, and never seen before (its `jti` is
 * stored until it expires). Every refusal is `ASSERTION_REFUSED`; the signature is checked whether
 * or not the organisation exists. The returned row was read before the signature check, so a token
 * issued from it carries the epoch of that moment (a rotation meanwhile makes the token stale).
 */
export async function verifyClientAssertion(db: Db, assertion: string, audience: string): Promise<AuthenticatedOrg> {
  let header;
  let unverified: { iss?: unknown; sub?: unknown };
  try {
    header = decodeProtectedHeader(assertion);
    unverified = JSON.parse(Buffer.from(assertion.split(".")[1] ?? "", "base64url").toString("utf8")) as typeof unverified;
  } catch {
    throw refused();
  }
  // Checked before anything else so `none` and HMAC tricks never reach key handling.
  if (header.alg !== "ES256K") throw refused();
  const claimed = typeof unverified.iss === "string" && unverified.iss === unverified.sub ? unverified.iss : undefined;
  const org = claimed === undefined ? null : await db.organization.findUnique({ where: { id: claimed } });
  const usable = org && org.status === "ACTIVE" ? org : undefined;

  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, await verificationKey(usable?.publicKey ?? DUMMY_PUBLIC_KEY), {
      algorithms: ["ES256K"],
      audience,
      issuer: claimed ?? "",
      subject: claimed ?? "",
      requiredClaims: ["exp", "iat", "jti"],
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: `${ASSERTION_TTL_S + CLOCK_TOLERANCE_S}s`,
    }));
  } catch {
    throw refused();
  }
  if (!usable || payload.exp! - payload.iat! > ASSERTION_TTL_S + CLOCK_TOLERANCE_S) throw refused();

  const now = new Date();
  await db.clientAssertion.deleteMany({ where: { expiresAt: { lt: now } } });
  try {
    await db.clientAssertion.create({
      data: { jti: `${usable.id}:${payload.jti}`, orgId: usable.id, expiresAt: new Date((payload.exp! + CLOCK_TOLERANCE_S) * 1000) },
    });
  } catch {
    throw refused();
  }
  return { id: usable.id, roles: usable.roles, tokenEpoch: usable.tokenEpoch };
}
