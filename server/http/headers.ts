import helmet from "helmet";
import type { RequestHandler } from "express";

/**
 * Response headers every answer carries, set before any route (a route may set its own):
 * - helmet's defaults: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, frame and
 *   cross-origin policies. Its Content-Security-Policy is replaced by a strict one for API answers
 *   (JSON, problems: nothing to load, never framed); the two HTML pages, /docs and the provenance
 *   page, set their own. No HSTS: TLS ends at the operator's proxy, which owns that header. No
 *   Cross-Origin-Resource-Policy: public QR images and assets may be embedded by other sites.
 * - `Cache-Control: no-store`: an answer is confidential unless its route says otherwise (the
 *   public page, its assets, /openapi.json, /docs and the resolver set their own caching), so a
 *   route that forgets fails closed.
 */
export function responseHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] } },
      strictTransportSecurity: false,
      crossOriginResourcePolicy: false,
    }),
    noStoreByDefault,
  ];
}

/** `no-store` where the route set no Cache-Control of its own, decided when the headers are written
 * (static files set theirs only where none is set yet, so it cannot be set first). */
const noStoreByDefault: RequestHandler = (_req, res, next) => {
  const writeHead = res.writeHead;
  res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
    if (!this.hasHeader("Cache-Control")) this.setHeader("Cache-Control", "no-store");
    return writeHead.apply(this, args);
  } as typeof writeHead;
  next();
};
