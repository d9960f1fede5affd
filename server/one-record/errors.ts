import type { ErrorRequestHandler } from "express";
import { HttpProblem, problemHandler, problemOf } from "../http/problem";
import { ONE_RECORD_CONTEXT, isAbsoluteIri } from "../../sdk/one-record/vocabulary";

export const LD_JSON = "application/ld+json";

/**
 * A problem as the ONE Record API answers it: one body that is both an `api:Error` (JSON-LD, the
 * shape of the specification's error examples) and RFC 9457 problem details. The problem members
 * (`type`, `title`, `status`, ...) map to no IRI under the context, so as JSON-LD data the body is
 * exactly the api:Error; as plain JSON it is the problem every other route answers with.
 */
export function oneRecordError(problem: HttpProblem, instance: string): Record<string, unknown> {
  const details = (problem.errors?.length ? problem.errors : [{ path: "", message: problem.detail ?? problem.title }]).map((e) => ({
    "@type": "api:ErrorDetail",
    "api:hasCode": String(problem.status),
    // hasProperty is an IRI (the ONE Record property in question); other paths stay in the message.
    "api:hasMessage": e.path && !isAbsoluteIri(e.path) ? `${e.path}: ${e.message}` : e.message,
    ...(e.path && isAbsoluteIri(e.path) ? { "api:hasProperty": { "@value": e.path, "@type": "xsd:anyURI" } } : {}),
  }));
  return {
    "@context": { ...ONE_RECORD_CONTEXT },
    "@type": "api:Error",
    "api:hasTitle": problem.title,
    "api:hasErrorDetail": details,
    ...problem.toBody(instance),
  };
}

/** The ONE Record router's error handler: HTTP problems and request errors (a malformed path) as api:Error; an unexpected error as the hub's 500. */
export const oneRecordErrors: ErrorRequestHandler = (err, req, res, next) => {
  const problem = problemOf(err, req);
  // The hub's own failure answers as on every route (problem+json); the rest as api:Error.
  if (res.headersSent || (problem.status === 500 && !(err instanceof HttpProblem))) {
    problemHandler(problem, req, res, next);
    return;
  }
  res.status(problem.status).set(problem.headers).type(LD_JSON).send(JSON.stringify(oneRecordError(problem, req.originalUrl)));
};
