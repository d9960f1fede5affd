import { createHmac } from "node:crypto";
import type { Identity } from "../../sdk/records/customs-common";

/** Below this the key could be guessed, and then every identity number with it. */
const MIN_SECRET_LENGTH = 16;

/** The normalised form two spellings of one identity share: type, number (upper case, no spaces), name (NFKC, trimmed, lower case, single spaces). */
export function normaliseIdentity(id: Identity): [string, string, string] {
  return [id.idType, id.idNumber.toUpperCase().replace(/\s+/g, ""), id.name.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase()];
}

/**
 * A keyed hash of an identity, so the matcher (and the hub's stored match state) compare buyers
 * without holding their names or numbers. Keyed (HMAC-SHA256 with the hub's secret) rather than a
 * plain salted hash: identity numbers are low-entropy (a PRC number is a region, a birth date and a
 * 3-digit sequence: ~10^11 values in all), so anyone knowing a public salt could enumerate them.
 * The parts are JSON-encoded so no choice of name or number can collide with another split.
 */
export function identityKeyer(secret: string): (id: Identity) => string {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH)
    throw new Error(`the identity hashing secret must be at least ${MIN_SECRET_LENGTH} characters`);
  return (id) =>
    createHmac("sha256", secret)
      .update(JSON.stringify(normaliseIdentity(id)))
      .digest("hex");
}
