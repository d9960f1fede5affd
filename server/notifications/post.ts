import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { isPublicAddress } from "./public-address";
import { publicOnlyLookup } from "./url-guard";

const lookup = publicOnlyLookup();

export interface PostResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  signal?: AbortSignal;
}

/**
 * One webhook call: POST the body, 2xx is success. Redirects are not followed (a 3xx is a failure),
 * the response body is read and dropped (at most what arrives before the timeout), and the whole call
 * is bounded by `timeoutMs`.
 */
export function postWebhook(url: string, headers: Record<string, string>, body: string, opts: PostOptions): Promise<PostResult> {
  const started = Date.now();
  const done = (r: Omit<PostResult, "durationMs">): PostResult => ({ ...r, durationMs: Date.now() - started });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve(done({ ok: false, error: "invalid URL" }));
    }
    const host = target.hostname.replace(/^\[|\]$/g, "");
    // A literal address is not looked up, so it is checked here.
    if (!opts.allowPrivate && isIP(host) && !isPublicAddress(host)) return resolve(done({ ok: false, error: "refused: private address" }));
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (r: Omit<PostResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const req = send(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        ...(opts.allowPrivate ? {} : { lookup }),
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.on("end", () => finish(status >= 200 && status < 300 ? { ok: true, statusCode: status } : { ok: false, statusCode: status, error: `HTTP ${status}` }));
        res.on("error", (err) => finish({ ok: false, statusCode: status, error: err.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, error: `timeout after ${opts.timeoutMs} ms` });
      req.destroy();
    }, opts.timeoutMs);
    req.on("error", (err: NodeJS.ErrnoException) => finish({ ok: false, error: err.code ? `${err.code}: ${err.message}` : err.message }));
    req.end(body);
  });
}
