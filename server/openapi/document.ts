import { z } from "zod";
import { ProblemSchema } from "../../sdk/api";
import { ReadableRecord } from "./records";
import {
  BODY_PROBLEMS,
  PATH_PROBLEMS,
  PROBLEM_TYPE,
  PROBLEM_TYPE_BASE,
  STORAGE_PROBLEMS,
  problems,
  type Named,
  type Operation,
  type Security,
} from "./registry";

/** An OpenAPI 3.1 document as plain JSON (JSON Schema 2020-12 inside). */
export type JsonObject = { [key: string]: unknown };
export interface OpenApiDocument extends JsonObject {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
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

/** Every tag an operation uses, with what it groups (the document refuses an undescribed tag). */
const TAGS: Record<string, string> = {
  audit: "Who read what (the access log), the audit export and the hub's metrics.",
  auth: "Access tokens: a client-assertion exchange (OAuth 2.0 client credentials, private_key_jwt).",
  custody: "Countersigned custody handovers: what awaits the caller's countersignature, and who held a piece, ULD or package when.",
  consolidation:
    "The consolidation index: what contains a parcel, piece, ULD or waybill and what it contains, at a time, with splits and their origin documents.",
  customs: "Customs cases of cross-border e-commerce: the match of order, payment, waybill and declaration, decisions, statistics, summary declarations.",
  epcis: "EPCIS 2.0: capture, queries, named queries, subscriptions and master data.",
  hub: "The hub itself: this document, its documentation page, health and chain.",
  notifications: "Notifications of new record versions: polling, an event stream, webhooks and their deliveries.",
  "one-record": "The IATA ONE Record API: logistics objects and events as records, action requests, subscriptions, server to server.",
  organisations: "Member organisations: admission, suspension, keys, credentials and relayed on-chain transactions.",
  provenance: "Public provenance: GS1 Digital Link resolution, a product's page and story, QR codes.",
  records: "Signed records: publish, read, prove, grant access to them, revoke them.",
  sharing: "Access requests between organisations: ask to read another's record, accept, reject, revoke.",
  verify: "Verification of a record against the chain, for anyone.",
};

const SECURITY: Record<Security, JsonObject[]> = {
  public: [],
  bearer: [{ bearerAuth: [] }, { clientAssertion: [] }],
  metrics: [{ bearerAuth: [] }, { metricsToken: [] }],
};

/** Named schemas of one direction (request: zod input; response: zod output), each name one schema. */
class SchemaSet {
  readonly byName = new Map<string, z.ZodType>();
  private readonly examples = new Map<string, readonly unknown[]>();
  private readonly documentedAs = new Map<string, z.ZodDiscriminatedUnion>();
  add({ name, schema, examples, parts, documentedAs }: Named): void {
    const known = this.byName.get(name);
    if (known && known !== schema) throw new Error(`OpenAPI: two different schemas are named ${name}`);
    for (const [other, s] of this.byName) if (s === schema && other !== name) throw new Error(`OpenAPI: one schema is named both ${other} and ${name}`);
    this.byName.set(name, schema);
    if (examples) this.examples.set(name, examples);
    if (documentedAs) this.documentedAs.set(name, documentedAs);
    for (const part of parts ?? []) this.add(part);
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
    hoistShared(out, io === "input" ? "SharedInput" : "Shared");
    // zod reads other metadata from its global registry only: examples are added here.
    for (const [name, examples] of this.examples) out[idOf(name)] = { ...out[idOf(name)], examples: [...examples] };
    for (const [name, schema] of this.byName) {
      const tagged = discriminated(schema, (option) => this.nameOf(option), idOf);
      if (tagged) out[idOf(name)] = { ...withoutAnyOf(out[idOf(name)]!), ...tagged };
    }
    for (const [name, union] of this.documentedAs)
      out[idOf(name)] = { ...(union.description ? { description: union.description } : {}), ...discriminated(union, (option) => this.nameOf(option), idOf) };
    return out;
  }
  private nameOf(schema: z.ZodType): string | undefined {
    for (const [name, s] of this.byName) if (s === schema) return name;
    return undefined;
  }
}

/**
 * zod puts the unnamed schemas several components share (recursive ones such as z.json()) under
 * `__shared`, $ref'd as "#/components/schemas/__shared#/$defs/schemaN", which is no JSON pointer into
 * the document: each becomes a component of its own (identical ones one), `<prefix>N`.
 */
function hoistShared(out: Record<string, JsonObject>, prefix: string): void {
  const defs = (out.__shared as { $defs?: Record<string, JsonObject> } | undefined)?.$defs;
  if (!defs) return;
  delete out.__shared;
  const moved = new Map<string, string>();
  const byContent = new Map<string, string>();
  for (const [def, schema] of Object.entries(defs)) {
    const from = `${REF_BASE}__shared#/$defs/${def}`;
    const content = JSON.stringify(schema).replaceAll(JSON.stringify(from), '"#self"');
    let name = byContent.get(content);
    if (!name) {
      name = `${prefix}${byContent.size + 1}`;
      if (out[name]) throw new Error(`OpenAPI: ${name} is taken`);
      byContent.set(content, name);
      out[name] = schema;
    }
    moved.set(from, REF_BASE + name);
  }
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "$ref" && typeof v === "string" ? (moved.get(v) ?? v) : rewrite(v)]));
  };
  for (const [id, schema] of Object.entries(out)) out[id] = rewrite(schema) as JsonObject;
}

function withoutAnyOf({ anyOf: _a, ...rest }: JsonObject): JsonObject {
  return rest;
}

/**
 * zod writes a discriminated union as anyOf; its options exclude each other, so OpenAPI's oneOf with a
 * discriminator says more (generators make a tagged union of it). Every option must be a named schema.
 */
function discriminated(schema: z.ZodType, nameOf: (s: z.ZodType) => string | undefined, idOf: (name: string) => string): JsonObject | undefined {
  if (!(schema instanceof z.ZodDiscriminatedUnion)) return undefined;
  const propertyName = schema.def.discriminator;
  const mapping: Record<string, string> = {};
  const oneOf = schema.options.map((option) => {
    const name = nameOf(option as z.ZodType);
    const tag = option instanceof z.ZodObject ? option.shape[propertyName] : undefined;
    if (!name || !(tag instanceof z.ZodLiteral) || typeof tag.value !== "string")
      throw new Error(`OpenAPI: an option of a discriminated union (by ${propertyName}) is not a named object with a string literal tag`);
    mapping[tag.value] = REF_BASE + idOf(name);
    return ref(idOf(name));
  });
  return { oneOf, discriminator: { propertyName, mapping } };
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

/**
 * The problems an operation can answer, by status: its own, those of every operation, those of any
 * request body (the shared body parsers run before every route but those that read their own,
 * server/http/body.ts: a GET with a malformed JSON body is a 400 too), those of path parameters.
 */
const problemsOf = (op: Operation) => problems(op.problems, ALWAYS, op.ownBodyParser ? {} : BODY_PROBLEMS, op.pathParams ? PATH_PROBLEMS : {});

/** Every problem `type` the operations can answer, one enum: what a client can switch on. */
function problemTypeSchema(operations: readonly Operation[]): JsonObject {
  const kinds = new Set(operations.flatMap((op) => Object.values(problemsOf(op)).flatMap((k) => k ?? [])));
  return {
    type: "string",
    description: `A problem's type: ${PROBLEM_TYPE_BASE} and its kind. Each error response lists the ones it can carry.`,
    enum: [...kinds].sort().map((k) => PROBLEM_TYPE_BASE + k),
  };
}

function problemResponses(op: Operation): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  for (const [status, kinds] of Object.entries(problemsOf(op)).sort(([a], [b]) => Number(a) - Number(b))) {
    const types = (kinds ?? []).map((k) => PROBLEM_TYPE_BASE + k);
    out[status] = {
      description: `${STATUS_TEXT[Number(status)] ?? "Error"}: ${(kinds ?? []).join(", ")}`,
      content: {
        [op.problemBody?.mediaType ?? PROBLEM_TYPE]: {
          schema: {
            allOf: [
              ref("Problem"),
              { properties: { type: { enum: types }, status: { const: Number(status) } } },
              ...(op.problemBody ? [ref(op.problemBody.alsoIs.name)] : []),
            ],
          },
        },
      },
    };
  }
  return out;
}

/**
 * The package's license (package.json) as OpenAPI says it: an SPDX expression is its identifier;
 * npm's UNLICENSED (no licence granted) has none, so it gets SPDX's form for one of its own.
 */
function licenseOf(license: string): { name: string; identifier: string } {
  if (license === "UNLICENSED") return { name: "UNLICENSED: no licence is granted", identifier: "LicenseRef-UNLICENSED" };
  return { name: license, identifier: license };
}

/** Builds the OpenAPI 3.1 document of `operations`: shared schemas in components, problems for every error status. */
export function buildDocument(operations: readonly Operation[], opts: { publicUrl: string; version: string; license: string }): OpenApiDocument {
  const requests = new SchemaSet();
  const responses = new SchemaSet();
  responses.add({ name: "Problem", schema: ProblemSchema });
  // Wherever an answer holds a signed record (a read, a customs case, a product story), it is one of the record types.
  responses.add(ReadableRecord);
  for (const op of operations) {
    if (op.body) requests.add(op.body.schema);
    if (op.problemBody) responses.add(op.problemBody.alsoIs);
    for (const r of op.responses) for (const c of Object.values(r.content ?? {})) if ("schema" in c) responses.add(c);
  }
  // A schema shown both ways gets two components when its input and output differ (defaults, transforms).
  const requestId = (name: string) => (responses.byName.has(name) ? `${name}Input` : name);
  const schemas = { ...responses.convert("output", (n) => n), ...requests.convert("input", requestId) };
  schemas.ProblemType = problemTypeSchema(operations);
  const problem = schemas.Problem as { properties: Record<string, JsonObject> };
  problem.properties.type = ref("ProblemType");

  const paths: OpenApiDocument["paths"] = {};
  const ids = new Set<string>();
  for (const op of operations) {
    if (ids.has(op.operationId)) throw new Error(`OpenAPI: operationId ${op.operationId} is used twice`);
    ids.add(op.operationId);
    const item = (paths[op.path] ??= {});
    if (item[op.method]) throw new Error(`OpenAPI: ${op.method.toUpperCase()} ${op.path} is described twice`);
    const headerParams = Object.entries(op.headers ?? {}).map(([name, h]) => ({
      name,
      in: "header",
      required: h.required ?? false,
      description: h.description,
      schema: { type: "string" },
    }));
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
      license: licenseOf(opts.license),
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
    tags: [...new Set(operations.flatMap((o) => o.tags))].sort().map((name) => {
      const description = TAGS[name];
      if (!description) throw new Error(`OpenAPI: tag ${name} has no description (add it to TAGS)`);
      return { name, description };
    }),
  } as OpenApiDocument;
}
