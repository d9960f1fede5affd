import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures (docs/notifications.md): the hub signs `timestamp + "." + body` with the
 * subscription's secret (HMAC-SHA256) and sends `Cargoproof-Signature: v1=<hex>` with
 * `Cargoproof-Timestamp: <unix seconds>`. The hub signs with `signWebhook`; a receiver checks a call
 * with `verifyWebhookSignature` over the raw body bytes, before parsing them.
 */

export const SIGNATURE_HEADER = "cargoproof-signature";
export const TIMESTAMP_HEADER = "cargoproof-timestamp";
export const DELIVERY_HEADER = "cargoproof-delivery";
/** How far a call's timestamp may be from the receiver's clock (replay window), seconds. */
export const DEFAULT_TOLERANCE_S = 300;

const hmacHex = (secret: string, timestamp: string, body: Uint8Array | string) =>
  createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");

/** The `Cargoproof-Signature` value for a body sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: Uint8Array | string): string {
  return `v1=${hmacHex(secret, String(timestamp), body)}`;
}

/** Request headers as Node (`IncomingMessage.headers`) or fetch (`Headers`) has them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether a webhook call is genuine: its `Cargoproof-Signature` holds a `v1=` HMAC of the raw body
 * with the subscription's secret, and its timestamp is within `toleranceS` of now. Several
 * signatures (space-separated, e.g. during a secret rotation) pass if any one matches.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: WebhookHeaders,
  rawBody: Uint8Array | string,
  opts: { toleranceS?: number; now?: Date } = {},
): boolean {
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const signature = header(headers, SIGNATURE_HEADER);
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const nowS = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowS - Number(timestamp)) > (opts.toleranceS ?? DEFAULT_TOLERANCE_S)) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), "hex");
  return signature
    .split(/\s+/)
    .filter((s) => s.startsWith("v1="))
    .some((s) => {
      const given = Buffer.from(s.slice(3), "hex");
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
