import { z } from "zod";
import { ProblemSchema } from "../../sdk/api";
import { PATH_PROBLEMS, PROBLEM_TYPE, PROBLEM_TYPE_BASE, STORAGE_PROBLEMS, problems, type Named, type Operation, type Security } from "./registry";

/** An OpenAPI 3.1 document as plain JSON (JSON Schema 2020-12 inside). */
export type JsonObject = { [key: string]: unknown };
export interface OpenApiDocument extends JsonObject {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, JsonObject>>;
  components: { schemas: Record<string, JsonObject>; securitySchemes: Record<string, JsonObject> };
}

const REF_BASE = "#/components/schemas/";
const ref = (name: string) => ({ $ref: REF_BASE + name });

/**
 * Any operation can fail unexpectedly (server/http/problem.ts problemHandler), or meet a storage
 * fault: the database full, locked past the bounded wait, or away (server/db/faults.ts), 503 with Retry-After.
 */
const ALWAYS = { 500: ["internal"], 503: STORAGE_PROBLEMS };

const STATUS_TEXT: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found (or not yours: the two look the same)",
  406: "Not acceptable",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  429: "Too many requests",
  500: "Internal server error",
  503: "Service unavailable (try again after Retry-After)",
};

const SECURITY: Record<Security, JsonObject[]> = {
  public: [],
  bearer: [{ bearerAuth: [] }, { clientAssertion: [] }],
  metrics: [{ bearerAuth: [] }, { metricsToken: [] }],
};

/** Named schemas of one direction (request: zod input; response: zod output), each name one schema. */
class SchemaSet {
  readonly byName = new Map<string, z.ZodType>();
  add({ name, schema }: Named): void {
    const known = this.byName.get(name);
    if (known && known !== schema) throw new Error(`OpenAPI: two different schemas are named ${name}`);
    for (const [other, s] of this.byName) if (s === schema && other !== name) throw new Error(`OpenAPI: one schema is named both ${other} and ${name}`);
    this.byName.set(name, schema);
  }
  /** JSON Schemas by component name; schemas of this set nested in others become $refs. */
  convert(io: "input" | "output", idOf: (name: string) => string): Record<string, JsonObject> {
    const registry = z.registry<{ id: string }>();
    for (const [name, schema] of this.byName) registry.add(schema, { id: idOf(name) });
    const { schemas } = z.toJSONSchema(registry, {
      io,
      uri: (id) => REF_BASE + id,
      target: "draft-2020-12",
      // Transforms and custom checks have no JSON Schema: document what can be, accept the rest.
      unrepresentable: "any",
    });
    const out: Record<string, JsonObject> = {};
    for (const [id, schema] of Object.entries(schemas)) {
      const { $schema: _s, $id: _i, ...rest } = schema as JsonObject;
      out[id] = rest;
    }
    return out;
  }
}

/** One zod object's properties as OpenAPI parameters (read as input: a default makes one optional). */
function parameters(where: "path" | "query", schema: z.ZodType | undefined): JsonObject[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" }) as JsonObject;
  const props = (json.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: where, required: where === "path" || required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

function problemResponses(op: Operation): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  const all = problems(op.problems, ALWAYS, op.pathParams ? PATH_PROBLEMS : {});
  for (const [status, kinds] of Object.entries(all).sort(([a], [b]) => Number(a) - Number(b))) {
    const types = (kinds ?? []).map((k) => PROBLEM_TYPE_BASE + k);
    out[status] = {
      description: `${STATUS_TEXT[Number(status)] ?? "Error"}: ${(kinds ?? []).join(", ")}`,
      content: {
        [op.problemMediaType ?? PROBLEM_TYPE]: { schema: { allOf: [ref("Problem"), { properties: { type: { enum: types }, status: { const: Number(status) } } }] } },
      },
    };
  }
  return out;
}

/** Builds the OpenAPI 3.1 document of `operations`: shared schemas in components, problems for every error status. */
export function buildDocument(operations: readonly Operation[], opts: { publicUrl: string; version: string }): OpenApiDocument {
  const requests = new SchemaSet();
  const responses = new SchemaSet();
  responses.add({ name: "Problem", schema: ProblemSchema });
  for (const op of operations) {
    if (op.body) requests.add(op.body.schema);
    for (const r of op.responses) for (const c of Object.values(r.content ?? {})) if ("schema" in c) responses.add(c);
  }
  // A schema shown both ways gets two components when its input and output differ (defaults, transforms).
  const requestId = (name: string) => (responses.byName.has(name) ? `${name}Input` : name);
  const schemas = { ...responses.convert("output", (n) => n), ...requests.convert("input", requestId) };

  const paths: OpenApiDocument["paths"] = {};
  const ids = new Set<string>();
  for (const op of operations) {
    if (ids.has(op.operationId)) throw new Error(`OpenAPI: operationId ${op.operationId} is used twice`);
    ids.add(op.operationId);
    const item = (paths[op.path] ??= {});
    if (item[op.method]) throw new Error(`OpenAPI: ${op.method.toUpperCase()} ${op.path} is described twice`);
    const headerParams = Object.entries(op.headers ?? {}).map(([name, h]) => ({ name, in: "header", required: h.required ?? false, description: h.description, schema: { type: "string" } }));
    const success: Record<string, JsonObject> = {};
    for (const r of op.responses) {
      success[String(r.status)] = {
        description: r.description,
        ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }])) } : {}),
        ...(r.content
          ? { content: Object.fromEntries(Object.entries(r.content).map(([mt, c]) => [mt, { schema: "schema" in c ? ref(c.name) : c.raw }])) }
          : {}),
      };
    }
    item[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [...op.tags],
      security: SECURITY[op.security],
      parameters: [...parameters("path", op.pathParams), ...parameters("query", op.query), ...headerParams],
      ...(op.body
        ? {
            requestBody: {
              required: op.body.required ?? true,
              content: Object.fromEntries(op.body.mediaTypes.map((mt) => [mt, { schema: ref(requestId(op.body!.schema.name)) }])),
            },
          }
        : {}),
      responses: { ...success, ...problemResponses(op) },
    };
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "cargoproof hub",
      version: opts.version,
      description:
        "The hub's HTTP API. Every error is an RFC 9457 problem (application/problem+json) whose `type` is " +
        `${PROBLEM_TYPE_BASE}<kind>; each error response lists the kinds it can carry. Authenticate with an access ` +
        "token from POST /v1/auth/token (a client-assertion exchange).",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: opts.publicUrl }],
    security: SECURITY.bearer,
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token from POST /v1/auth/token." },
        clientAssertion: {
          type: "oauth2",
          description:
            "OAuth 2.0 client credentials with a JWT client assertion (RFC 7523, private_key_jwt): an ES256K JWT signed with the organisation's registered key, " +
            "iss = sub = the organisation id, aud = the token URL, a unique jti, at most 60 s of life.",
          flows: { clientCredentials: { tokenUrl: `${opts.publicUrl}/v1/auth/token`, scopes: {} } },
        },
        metricsToken: { type: "http", scheme: "bearer", description: "The static METRICS_TOKEN of the hub's configuration (for /metrics only)." },
      },
    },
    tags: [...new Set(operations.flatMap((o) => o.tags))].sort().map((name) => ({ name })),
  } as OpenApiDocument;
}
