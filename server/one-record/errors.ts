import type { ErrorRequestHandler } from "express";
import { HttpProblem, problemHandler, problemOf } from "../http/problem";
import { ONE_RECORD_CONTEXT, isAbsoluteIri } from "../../sdk/one-record/vocabulary";
import type { OneRecordIris } from "./iris";

export const LD_JSON = "application/ld+json";

/**
 * A problem as the ONE Record API answers it: one body that is both an `api:Error` (JSON-LD, the
 * shape of the specification's error examples) and RFC 9457 problem details. The problem members
 * (`type`, `title`, `status`, ...) map to no IRI under the context, so as JSON-LD data the body is
 * exactly the api:Error; as plain JSON it is the problem every other route answers with.
 */
export function oneRecordError(problem: HttpProblem, instance: string, resource?: string): Record<string, unknown> {
  const details = (problem.errors?.length ? problem.errors : [{ path: "", message: problem.detail ?? problem.title }]).map((e) => ({
    "@type": "api:ErrorDetail",
    "api:hasCode": String(problem.status),
    // hasProperty is an IRI (the ONE Record property in question); other paths stay in the message.
    "api:hasMessage": e.path && !isAbsoluteIri(e.path) ? `${e.path}: ${e.message}` : e.message,
    ...(e.path && isAbsoluteIri(e.path) ? { "api:hasProperty": { "@value": e.path, "@type": "xsd:anyURI" } } : {}),
    ...(resource ? { "api:hasResource": { "@value": resource, "@type": "xsd:anyURI" } } : {}),
  }));
  return {
    "@context": { ...ONE_RECORD_CONTEXT },
    "@type": "api:Error",
    "api:hasTitle": problem.title,
    "api:hasSeverity": { "@id": "api:ERROR" },
    "api:hasErrorDetail": details,
    ...problem.toBody(instance),
  };
}

/**
 * The paths under a logistics object (the object, its audit trail, its events and each event): their
 * 404 is the object's, so an unknown event of an object one may read looks like an unknown object.
 */
const OBJECT_PATH = /^\/logistics-objects\/([^/?#]+)/;

/**
 * A 404 about a logistics object as the specification answers it (Error_404.json): "Logistics Object
 * not found", naming the object asked for (api:hasResource). The same for an object that does not
 * exist and one the caller may not see: it repeats only what the caller asked.
 */
function objectNotFound(iris: OneRecordIris, path: string): { problem: HttpProblem; resource: string } | undefined {
  const id = OBJECT_PATH.exec(path)?.[1];
  if (id === undefined) return undefined;
  const problem = new HttpProblem(
    404,
    "not-found",
    "Logistics Object not found",
    "Logistics Object with the specified URI could not be found (or you may not see it).",
  );
  return { problem, resource: iris.object(id) };
}

/** The ONE Record router's error handler: HTTP problems and request errors (a malformed path) as api:Error; an unexpected error as the hub's 500. */
export function oneRecordErrors(iris: OneRecordIris): ErrorRequestHandler {
  return (err, req, res, next) => {
    let problem = problemOf(err, req);
    // The hub's own failure answers as on every route (problem+json); the rest as api:Error.
    if (res.headersSent || (problem.status === 500 && !(err instanceof HttpProblem))) {
      problemHandler(problem, req, res, next);
      return;
    }
    const object = problem.status === 404 && problem.kind === "not-found" ? objectNotFound(iris, req.originalUrl) : undefined;
    if (object) problem = object.problem;
    res
      .status(problem.status)
      .set(problem.headers)
      .type(LD_JSON)
      .send(JSON.stringify(oneRecordError(problem, req.originalUrl, object?.resource)));
  };
}
