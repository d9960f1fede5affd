// A fault-injecting HTTP proxy on 127.0.0.1 in front of a real hub (tests of the SDK's retries and
// token renewal): each request is forwarded whole unless a queued fault matches it. It counts what
// it saw and what reached the hub, so a test can tell a retry from a request that was never sent.
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * - reset: the connection is reset before the hub sees the request.
 * - status: the proxy answers 429/502/503/504 itself (a gateway's HTML page, with Retry-After if given), the hub never sees it.
 * - reset-after-forward / status-after-forward: the hub handles the request, then its answer is lost
 *   (a reset, or a gateway's 502/504): the request DID take effect.
 * - bearer: forwarded with this access token instead of the client's (the hub judges it).
 */
export type Fault =
  | { kind: "reset" }
  | { kind: "status"; status: 429 | 502 | 503 | 504; retryAfter?: string }
  | { kind: "reset-after-forward" }
  | { kind: "status-after-forward"; status: 502 | 504 }
  | { kind: "bearer"; token: string };

export interface FaultRule {
  method: string;
  /** The request's path (without the query) starts with this. */
  path: string;
  fault: Fault;
  /** How many matching requests get the fault (then the rule is spent). */
  times: number;
}

export interface Seen {
  method: string;
  path: string;
  /** Whether the request reached the hub. */
  forwarded: boolean;
  /** The hub's status when it answered (even if the proxy then lost the answer). */
  hubStatus?: number;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface FaultProxy {
  url: string;
  /** Where requests go: set once the hub is up (its PUBLIC_URL names this proxy). */
  target: string | undefined;
  /** Every request, in arrival order. */
  seen: Seen[];
  /** Queues a fault for the next `times` requests matching method and path. */
  fail(rule: FaultRule): void;
  /** In the hub's token answers, `expires_in` replaced by this (a client whose clock or the hub's disagree). */
  rewriteTokenLifetimeS: number | undefined;
  /** Requests seen / forwarded with this method and path prefix. */
  count(method: string, path: string, which?: "seen" | "forwarded"): number;
  reset(): void;
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;
const GATEWAY_PAGE = (status: number) => `<html><body><h1>${status} Gateway error</h1></body></html>`;

export async function startFaultProxy(): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const proxy: FaultProxy = {
    url: "",
    target: undefined,
    seen: [],
    rewriteTokenLifetimeS: undefined,
    fail: (rule) => void rules.push({ ...rule }),
    count: (method, path, which = "seen") =>
      proxy.seen.filter((s) => s.method === method && s.path.startsWith(path) && (which === "seen" || s.forwarded)).length,
    reset() {
      rules.length = 0;
      proxy.seen.length = 0;
      proxy.rewriteTokenLifetimeS = undefined;
    },
    close: async () => undefined,
  };

  const takeFault = (method: string, path: string): Fault | undefined => {
    const i = rules.findIndex((r) => r.method === method && path.startsWith(r.path) && r.times > 0);
    if (i < 0) return undefined;
    const rule = rules[i]!;
    if (--rule.times === 0) rules.splice(i, 1);
    return rule.fault;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on("end", () => {
      const method = req.method ?? "GET";
      const path = (req.url ?? "/").split("?")[0]!;
      const entry: Seen = { method, path, forwarded: false, at: Date.now() };
      proxy.seen.push(entry);
      const fault = takeFault(method, path);
      if (fault?.kind === "reset") return void req.socket.resetAndDestroy();
      if (fault?.kind === "status")
        return void res
          .writeHead(fault.status, { "content-type": "text/html", connection: "close", ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}) })
          .end(GATEWAY_PAGE(fault.status));
      if (!proxy.target) return void res.writeHead(502, { "content-type": "text/html" }).end(GATEWAY_PAGE(502));
      const headers: IncomingHttpHeaders = { ...req.headers };
      delete headers.host;
      if (fault?.kind === "bearer") headers.authorization = `Bearer ${fault.token}`;
      entry.forwarded = true;
      const upstream = request(new URL(req.url ?? "/", proxy.target), { method, headers }, (answer) => {
        entry.hubStatus = answer.statusCode;
        const body: Buffer[] = [];
        answer.on("data", (c: Buffer) => body.push(c));
        answer.on("end", () => {
          if (fault?.kind === "reset-after-forward") return void req.socket.resetAndDestroy();
          if (fault?.kind === "status-after-forward")
            return void res.writeHead(fault.status, { "content-type": "text/html", connection: "close" }).end(GATEWAY_PAGE(fault.status));
          let out = Buffer.concat(body);
          const outHeaders = { ...answer.headers };
          if (proxy.rewriteTokenLifetimeS !== undefined && path === "/v1/auth/token" && answer.statusCode === 200) {
            const token = JSON.parse(out.toString("utf8")) as Record<string, unknown>;
            out = Buffer.from(JSON.stringify({ ...token, expires_in: proxy.rewriteTokenLifetimeS }));
            outHeaders["content-length"] = String(out.length);
          }
          res.writeHead(answer.statusCode ?? 502, outHeaders).end(out);
        });
      });
      upstream.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502, { "content-type": "text/html" }).end(GATEWAY_PAGE(502))));
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return proxy;
}
