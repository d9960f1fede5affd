import type { ErrorRequestHandler, RequestHandler } from "express";
import type { z } from "zod";
import type { Problem } from "../../sdk/api";

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

/** Turns zod issues into problem `errors` entries naming each field. */
export function fromZod(kind: string, detail: string, error: z.ZodError, prefix = ""): HttpProblem {
  return badRequest(
    kind,
    detail,
    error.issues.map((i) => ({ path: prefix + i.path.map(String).join("."), message: i.message })),
  );
}

export const notFoundRoute: RequestHandler = (_req, _res, next) => next(notFound());

export const problemHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let problem: HttpProblem;
  if (err instanceof HttpProblem) problem = err;
  else if (err && typeof err === "object" && "type" in err && err.type === "entity.parse.failed")
    problem = badRequest("malformed-json", "The request body is not valid JSON.");
  else if (err && typeof err === "object" && "type" in err && err.type === "entity.too.large")
    problem = new HttpProblem(413, "payload-too-large", "Payload too large", "The request body is too large.");
  else {
    // Unexpected: log the error server-side, reveal nothing of it to the caller.
    console.error(`[hub] ${req.method} ${req.path} failed:`, err);
    problem = new HttpProblem(500, "internal", "Internal server error");
  }
  // A streamed answer that fails midway cannot turn into a problem: cut it, the client sees it short.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(problem.status).set(problem.headers).type("application/problem+json").send(JSON.stringify(problem.toBody(req.originalUrl)));
};
