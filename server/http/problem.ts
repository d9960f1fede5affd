import zlib from "node:zlib";
import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import type { z } from "zod";
import type { Problem } from "../../sdk/api";
import { storageFault } from "../db/faults";

/** RFC 9457 problem details. `type` is a stable, machine-readable URI per kind of error. */

/** A problem's `type` is this base plus its kind. */
export const PROBLEM_TYPE_BASE = "https://cargoproof.dev/problems/";

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: { path: string; message: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }

  toBody(instance?: string): Problem {
    return {
      type: PROBLEM_TYPE_BASE + this.kind,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const badRequest = (kind: string, detail: string, errors?: { path: string; message: string }[]) =>
  new HttpProblem(400, kind, "Bad request", detail, errors);
export const unauthorized = (detail: string) =>
  new HttpProblem(401, "unauthorized", "Unauthorized", detail, undefined, { "WWW-Authenticate": 'Bearer realm="cargoproof"' });
export const forbidden = (kind: string, detail: string) => new HttpProblem(403, kind, "Forbidden", detail);
/** The one answer for "does not exist" and "exists but you may not see it": they must look the same. */
export const notFound = () => new HttpProblem(404, "not-found", "Not found", "No such resource, or you may not see it.");
export const conflict = (kind: string, detail: string) => new HttpProblem(409, kind, "Conflict", detail);
/** A 503: the hub cannot serve this now (storage full or busy, server/db/faults.ts); try again after `retryAfterS`. */
export const serviceUnavailable = (kind: string, detail: string, retryAfterS: number) =>
  new HttpProblem(503, kind, "Service unavailable", detail, undefined, { "Retry-After": String(retryAfterS) });

/** Turns zod issues into problem `errors` entries naming each field. */
export function fromZod(kind: string, detail: string, error: z.ZodError, prefix = ""): HttpProblem {
  return badRequest(
    kind,
    detail,
    error.issues.map((i) => ({ path: prefix + i.path.map(String).join("."), message: i.message })),
  );
}

export const notFoundRoute: RequestHandler = (_req, _res, next) => next(notFound());

/** The content codings a request body may have (body-parser's, zstd where this Node has it). */
const BODY_ENCODINGS = ["gzip", "deflate", "br", ...("createZstdDecompress" in zlib ? ["zstd"] : [])].join(", ");

/**
 * Problems for the errors of the request machinery (body-parser, the router's path decoding): the
 * client's fault, so a 4xx, and their messages are never echoed (they quote the input).
 */
const REQUEST_ERRORS: Record<string, () => HttpProblem> = {
  "entity.parse.failed": () => badRequest("malformed-json", "The request body is not valid JSON."),
  "entity.too.large": () => new HttpProblem(413, "payload-too-large", "Payload too large", "The request body is too large."),
  "parameters.too.many": () => new HttpProblem(413, "payload-too-large", "Payload too large", "The request body has too many parameters."),
  "encoding.unsupported": () =>
    new HttpProblem(
      415,
      "unsupported-content-encoding",
      "Unsupported media type",
      `The request body's Content-Encoding is not one of ${BODY_ENCODINGS}.`,
      undefined,
      { "Accept-Encoding": BODY_ENCODINGS },
    ),
  "charset.unsupported": () =>
    new HttpProblem(415, "unsupported-charset", "Unsupported media type", "The request body's charset is not supported: send UTF-8."),
};

/** The problem for an error that is not an HttpProblem, or undefined where it is the hub's own fault. */
function requestProblem(err: unknown): HttpProblem | undefined {
  if (!err || typeof err !== "object") return undefined;
  const { type, status } = err as { type?: unknown; status?: unknown };
  const known = typeof type === "string" ? REQUEST_ERRORS[type] : undefined;
  if (known) return known();
  // The router could not decode a percent-encoded path parameter (`%`, `%FF`, `%C0%AF`).
  if (err instanceof URIError) return badRequest("malformed-path", "The request path is not valid percent-encoded UTF-8.");
  if (typeof status !== "number" || status < 400 || status > 499 || !("expose" in err)) return undefined;
  // Any other 400 of body-parser: a body that cannot be read (claims gzip and is not, ends short...).
  if (status === 400) return badRequest("malformed-body", "The request body cannot be read as its headers describe it.");
  if (status === 404) return notFound();
  return new HttpProblem(status, "request-refused", "Request refused");
}

/** The problem to answer for any error a route or the request machinery raised (500 `internal` if unexpected, logged). */
export function problemOf(err: unknown, req: Request): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const known = requestProblem(err);
  if (known) return known;
  // A full disk, a held lock, a database away: 503 with Retry-After (noted and logged by server/db).
  const fault = storageFault(err);
  if (fault) return serviceUnavailable(fault.problem, fault.detail, fault.retryAfterS);
  // Unexpected: log the error server-side, reveal nothing of it to the caller.
  console.error(`[hub] ${req.method} ${req.path} failed:`, err);
  return new HttpProblem(500, "internal", "Internal server error");
}

export const problemHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const problem = problemOf(err, req);
  // A streamed answer that fails midway cannot turn into a problem: cut it, the client sees it short.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .status(problem.status)
    .set(problem.headers)
    .type("application/problem+json")
    .send(JSON.stringify(problem.toBody(req.originalUrl)));
};
