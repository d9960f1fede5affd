import { lookup as dnsLookup } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { isPublicAddress } from "./public-address";

/**
 * SSRF protection for webhook URLs: http(s) only, and unless private targets are allowed
 * (WEBHOOK_ALLOW_PRIVATE, for tests and demos), only public addresses (./public-address.ts).
 * Checked when subscribing (every address the host resolves to) and again at every connection:
 * deliveries connect through `publicOnlyLookup`, so the address checked is the address connected,
 * and a host that later resolves to an internal address (DNS rebinding) is still refused.
 */

/** Resolves a host name to all its addresses (node:dns `lookup` by default; tests pass their own). */
export type Resolver = (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: { address: string; family: number }[]) => void) => void;

const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true, verbatim: true }, callback);

const resolveAll = (resolve: Resolver, hostname: string) =>
  new Promise<string[]>((ok, fail) => resolve(hostname, (err, list) => (err ? fail(err) : ok(list.map((a) => a.address)))));

export class WebhookUrlError extends Error {}

/** Parses and checks a webhook URL; throws WebhookUrlError saying what is wrong. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError("is not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new WebhookUrlError("must be an http or https URL");
  if (url.username || url.password) throw new WebhookUrlError("must not contain credentials");
  if (allowPrivate) return url;
  // The URL parser has already turned decimal, octal and hex IPv4 forms (http://2130706433/) into dotted form.
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolveAll(resolve, host);
  } catch {
    throw new WebhookUrlError("names a host that does not resolve");
  }
  if (addresses.length === 0 || !addresses.every(isPublicAddress))
    throw new WebhookUrlError("resolves to a loopback, private, link-local or reserved address (refused; see WEBHOOK_ALLOW_PRIVATE)");
  return url;
}

/**
 * A `lookup` for outgoing webhook connections (http.request / net.connect) that fails unless every
 * address the name resolves to is public, and hands the connection exactly the addresses it checked.
 */
export function publicOnlyLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (err, all) => {
      if (err) return callback(err, "", 0);
      const family = options.family === 4 || options.family === "IPv4" ? 4 : options.family === 6 || options.family === "IPv6" ? 6 : 0;
      const wanted = family ? all.filter((a) => a.family === family) : all;
      if (wanted.length === 0 || !all.every((a) => isPublicAddress(a.address)))
        return callback(Object.assign(new Error(`refused: ${hostname} resolves to a non-public address`), { code: "EPRIVATE" }), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: typeof wanted) => void)(null, wanted);
      callback(null, wanted[0]!.address, wanted[0]!.family);
    });
  };
}
