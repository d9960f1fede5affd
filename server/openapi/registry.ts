import type { z } from "zod";

/** The hub's operations as data: what the OpenAPI document is built from (server/openapi/document.ts). */

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete" | "options";

/** How an operation authenticates: none, a Bearer access token, or (for /metrics) that or the static metrics token. */
export type Security = "public" | "bearer" | "metrics";

/** A zod schema published under a name in components/schemas. */
export interface Named {
  name: string;
  schema: z.ZodType;
  /** Examples the schema accepts (shown as JSON Schema `examples`). */
  examples?: readonly unknown[];
  /** Schemas it is made of, published under their own names too (its JSON Schema then $refs them). */
  parts?: readonly Named[];
  /**
   * A discriminated union of named parts that describes `schema` more closely than `schema` itself
   * can (the SDK's generic record envelope, documented per record type): its JSON Schema is this one's.
   */
  documentedAs?: z.ZodDiscriminatedUnion;
}

export const named = (name: string, schema: z.ZodType, more: Pick<Named, "examples" | "parts" | "documentedAs"> = {}): Named => ({ name, schema, ...more });

export interface SuccessResponse {
  status: number;
  description: string;
  /** Media type to schema; an empty map for a bodiless answer (201/202/204/307). */
  content?: Record<string, Named | { raw: Record<string, unknown> }>;
  headers?: Record<string, string>;
}

/** Problem kinds (the last segment of `type`) an operation can answer, by status. */
export type Problems = Partial<Record<number, readonly string[]>>;

export interface Operation {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI form: `/v1/records/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  security: Security;
  /** A z.object of the path parameters (strings). */
  pathParams?: z.ZodObject;
  /** A z.object of the query parameters (read as input: defaults make a parameter optional). */
  query?: z.ZodType;
  headers?: Record<string, { description: string; required?: boolean }>;
  body?: { schema: Named; mediaTypes: readonly string[]; required?: boolean };
  responses: readonly SuccessResponse[];
  problems: Problems;
  /** Its route reads the raw body itself, mounted before the shared body parsers (server/app.ts): their problems do not apply. */
  ownBodyParser?: true;
  /**
   * Its error bodies when not plain problem details (application/problem+json): their media type and
   * the schema each also is (ONE Record: application/ld+json, a problem that is also an api:Error).
   */
  problemBody?: { mediaType: string; alsoIs: Named };
}

/** Problems any Bearer-authenticated operation can answer (server/auth/routes.ts requireOrg). */
export const BEARER_PROBLEMS: Problems = { 400: ["malformed-authorization"], 401: ["unauthorized"] };
/** Problems of any request body (server/http/body.ts, problemHandler). */
export const BODY_PROBLEMS: Problems = {
  400: ["malformed-json", "malformed-body", "too-deep", "reserved-field-name"],
  413: ["payload-too-large"],
  415: ["unsupported-content-encoding", "unsupported-charset"],
};
/** Problems of any operation with path parameters: one that is not valid percent-encoded UTF-8. */
export const PATH_PROBLEMS: Problems = { 400: ["malformed-path"] };
/** The storage faults any operation may answer 503 (server/db/faults.ts), and /health while they last. */
export const STORAGE_PROBLEMS = ["storage-full", "storage-busy", "storage-unavailable"];
/** The 404 that does not tell "missing" from "not yours". */
export const NOT_FOUND: Problems = { 404: ["not-found"] };

/** Merges problem maps, kinds deduplicated per status. */
export function problems(...maps: Problems[]): Problems {
  const out: Record<number, string[]> = {};
  for (const map of maps)
    for (const [status, kinds] of Object.entries(map)) {
      const list = (out[Number(status)] ??= []);
      for (const k of kinds ?? []) if (!list.includes(k)) list.push(k);
    }
  return out;
}

export const JSON_TYPE = "application/json";
export const PROBLEM_TYPE = "application/problem+json";
export { PROBLEM_TYPE_BASE } from "../http/problem";
