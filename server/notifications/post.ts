import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
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

/** What an outbound call answered: its status, headers and (up to the limit) body. */
export interface OutboundAnswer extends PostResult {
  headers?: IncomingHttpHeaders;
  text?: string;
}

export interface OutboundRequest extends PostOptions {
  method: "GET" | "POST" | "DELETE";
  headers: Record<string, string>;
  body?: string;
  /** Read at most this many bytes of the answer's body and keep them (more: the call fails); 0 reads and drops it. */
  maxAnswerBytes: number;
}

/**
 * One call from the hub to an address a member gave (a webhook, another ONE Record server): only
 * http(s); redirects are not followed (a 3xx is a failure); unless private targets are allowed, only
 * public addresses are connected (a literal one is checked here, a name at connection time by
 * publicOnlyLookup, so DNS rebinding cannot swap it); the whole call is bounded by `timeoutMs`.
 */
export function outboundCall(url: string, opts: OutboundRequest): Promise<OutboundAnswer> {
  const started = Date.now();
  const done = (r: Omit<OutboundAnswer, "durationMs">): OutboundAnswer => ({ ...r, durationMs: Date.now() - started });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve(done({ ok: false, error: "invalid URL" }));
    }
    const host = target.hostname.replace(/^\[|\]$/g, "");
    if (!opts.allowPrivate && isIP(host) && !isPublicAddress(host)) return resolve(done({ ok: false, error: "refused: private address" }));
    const send = target.protocol === "https:" ? httpsRequest : target.protocol === "http:" ? httpRequest : undefined;
    if (!send) return resolve(done({ ok: false, error: "refused: not http(s)" }));
    let settled = false;
    const finish = (r: Omit<OutboundAnswer, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const req = send(
      target,
      {
        method: opts.method,
        headers: { ...opts.headers, ...(opts.body !== undefined ? { "content-length": String(Buffer.byteLength(opts.body)) } : {}) },
        ...(opts.allowPrivate ? {} : { lookup }),
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const parts: Buffer[] = [];
        let size = 0;
        if (opts.maxAnswerBytes === 0) res.resume();
        else
          res.on("data", (d: Buffer) => {
            size += d.length;
            if (size > opts.maxAnswerBytes) {
              req.destroy();
              finish({ ok: false, statusCode: status, error: `answer larger than ${opts.maxAnswerBytes} bytes` });
            } else parts.push(d);
          });
        res.on("end", () =>
          finish({
            ok: status >= 200 && status < 300,
            statusCode: status,
            headers: res.headers,
            ...(opts.maxAnswerBytes > 0 ? { text: Buffer.concat(parts).toString("utf8") } : {}),
            ...(status >= 200 && status < 300 ? {} : { error: `HTTP ${status}` }),
          }),
        );
        res.on("error", (err) => finish({ ok: false, statusCode: status, error: err.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, error: `timeout after ${opts.timeoutMs} ms` });
      req.destroy();
    }, opts.timeoutMs);
    req.on("error", (err: NodeJS.ErrnoException) => finish({ ok: false, error: err.code ? `${err.code}: ${err.message}` : err.message }));
    req.end(opts.body);
  });
}

/** One webhook call: POST the body, 2xx is success; the answer's body is read and dropped. */
export async function postWebhook(url: string, headers: Record<string, string>, body: string, opts: PostOptions): Promise<PostResult> {
  const { ok, statusCode, error, durationMs } = await outboundCall(url, { ...opts, method: "POST", headers, body, maxAnswerBytes: 0 });
  return { ok, ...(statusCode !== undefined ? { statusCode } : {}), ...(error !== undefined ? { error } : {}), durationMs };
}
