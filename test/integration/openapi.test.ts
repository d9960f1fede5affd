import { expect } from "chai";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type express from "express";
import { createApp, createServices } from "../../server/app";
import { loadConfig } from "../../server/config";
import { openDatabase } from "../../server/db/client";
import { HubChain } from "../../server/chain/hub-chain";
import { productBatch, admitParties, publishProduct, FIXTURE_ENV, type Parties, type Product } from "../browser/product-fixture";
import { freshDatabase, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain } from "./harness";

type Json = { [key: string]: unknown };
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
  security?: Json[];
};
const METHODS = ["get", "post", "put", "delete", "patch", "head", "options"];

/** Every `$ref` in a JSON value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  return out;
}

/** A JSON pointer into the document. */
function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Json)[key] : undefined), doc);
}

interface MountedRoute {
  method: string;
  path: string | RegExp;
}

/** The routes mounted on an Express 5 app, nested routers included (all mounted at "/"). */
function mountedRoutes(app: express.Express): MountedRoute[] {
  const out: MountedRoute[] = [];
  type Layer = { route?: { path: string | RegExp; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; slash?: boolean };
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== "_all") out.push({ method, path: layer.route.path });
      } else if (layer.handle?.stack) {
        // A router mounted under a prefix would need its prefix added; the hub mounts every router at "/".
        if (!layer.slash) throw new Error("a router is mounted under a path prefix: teach this walker the prefix");
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

/** `/v1/records/{id}` with each parameter filled in, to try against a RegExp route. */
const sample = (path: string) => path.replace(/\{[^}]+\}/g, "x1");
const expressForm = (path: string) => path.replace(/\{([^}]+)\}/g, ":$1");

function documents(route: MountedRoute, method: string, path: string): boolean {
  if (route.method !== method) return false;
  return typeof route.path === "string" ? route.path === expressForm(path) : route.path.test(sample(path));
}

describe("OpenAPI: /openapi.json and /docs", function () {
  this.timeout(240_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let doc: Doc;
  let ajv: Ajv2020;
  let parties: Parties;
  let product: Product;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url, { ...FIXTURE_ENV, PAGE_CACHE_MS: "0" }));
    const res = await fetch(`${hub.url}/openapi.json`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^application\/json/);
    doc = (await res.json()) as Doc;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    // The whole document as one schema: "#/components/..." refs resolve inside it.
    ajv.addSchema(doc as unknown as Json, "openapi");
    parties = await admitParties(hub.url);
    product = await publishProduct(parties, { gtin13: "0950600099887", lot: "LOT-OA1", serials: ["SN9001"], orderNumber: "SO-OPENAPI-1" });
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  /** Validates a body against the schema the document gives for this operation's status and media type. */
  function expectDocumented(method: string, path: string, status: number, mediaType: string, body: unknown): void {
    const response = doc.paths[path]?.[method]?.responses as Record<string, { content?: Record<string, { schema: Json }> }> | undefined;
    const schema = response?.[String(status)]?.content?.[mediaType]?.schema;
    expect(schema, `${method.toUpperCase()} ${path} documents ${status} ${mediaType}`).to.not.equal(undefined);
    const validate = ajv.compile({
      $ref:
        "openapi#/paths/" + path.replace(/~/g, "~0").replace(/\//g, "~1") + `/${method}/responses/${status}/content/${mediaType.replace(/\//g, "~1")}/schema`,
    });
    const ok = validate(body);
    expect(ok, `${method.toUpperCase()} ${path} ${status}: ${JSON.stringify(validate.errors?.slice(0, 5))}`).to.equal(true);
  }

  it("is an OpenAPI 3.1 document: every $ref resolves, every operation has an id, problems and defined security", function () {
    expect(doc.openapi).to.equal("3.1.0");
    expect(doc.components.securitySchemes).to.have.keys("bearerAuth", "clientAssertion", "metricsToken");
    const dangling = [...new Set(refs(doc))].filter((r) => resolvePointer(doc, r) === undefined);
    expect(dangling).to.deep.equal([]);
    const ids = new Set<string>();
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(METHODS, path).to.include(method);
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        const id = op.operationId as string;
        expect(id, where).to.be.a("string").and.not.equal("");
        expect(ids.has(id), `${id} is unique`).to.equal(false);
        ids.add(id);
        const params = (op.parameters ?? []) as { name: string; in: string; required?: boolean }[];
        expect(
          params
            .filter((p) => p.in === "path")
            .map((p) => p.name)
            .sort(),
          `${where} path parameters`,
        ).to.deep.equal([...templated].sort());
        for (const p of params.filter((p) => p.in === "path")) expect(p.required, `${where} ${p.name}`).to.equal(true);
        const responses = op.responses as Record<string, { content?: Record<string, { schema: Json }> }>;
        const statuses = Object.keys(responses).map(Number);
        expect(
          statuses.some((s) => s >= 200 && s < 400),
          `${where} has a success response`,
        ).to.equal(true);
        const problems = statuses.filter((s) => s >= 400);
        expect(problems, `${where} documents its problems`).to.include(500);
        for (const s of problems) {
          // ONE Record routes answer their problems as application/ld+json (an api:Error that is also a Problem).
          const content = responses[String(s)]!.content;
          const schema = (content?.["application/problem+json"] ?? content?.["application/ld+json"])?.schema as { allOf?: Json[] } | undefined;
          expect(schema?.allOf?.[0], `${where} ${s} is a Problem`).to.deep.equal({ $ref: "#/components/schemas/Problem" });
          const types = ((schema!.allOf![1]!.properties as Json).type as { enum: string[] }).enum;
          expect(types.length, `${where} ${s} lists its types`).to.be.greaterThan(0);
          for (const t of types) expect(t).to.match(/^https:\/\/cargoproof\.dev\/problems\/[a-z0-9-]+$/);
        }
        const security = (op.security ?? doc.security ?? []) as Json[];
        for (const requirement of security)
          for (const name of Object.keys(requirement)) expect(doc.components.securitySchemes, `${where} security ${name}`).to.have.property(name);
        if (security.length > 0) expect(statuses, `${where} (authenticated) answers 401`).to.include(401);
      }
    }
    // Most operations need a token and can be refused: a 4xx beside 500 is the norm, checked where it must hold.
    expect(doc.paths["/v1/records/{id}"]!.get!.responses).to.have.property("404");
    expect(operations).to.be.greaterThan(40);
  });

  it("documents every route the hub mounts, and nothing it does not", async function () {
    const config = loadConfig(hubEnv(chain, database.url));
    const { db, provider, close } = await openDatabase(config.DATABASE_URL);
    const hubChain = new HubChain({
      rpcUrl: config.RPC_URL,
      operatorKey: config.OPERATOR_PRIVATE_KEY,
      anchorerKey: config.ANCHORER_PRIVATE_KEY,
      participantRegistry: config.PARTICIPANT_REGISTRY,
      anchorRegistry: config.ANCHOR_REGISTRY,
    });
    const parts = { db, provider, chain: hubChain, config, chainId: 31337 };
    const services = createServices(parts);
    try {
      const routes = mountedRoutes(createApp(parts, services));
      expect(routes.length).to.be.greaterThan(40);
      const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => ({ method, path })));
      const undocumented = routes
        .filter((r) => !documented.some((d) => documents(r, d.method, d.path)))
        .map((r) => `${r.method.toUpperCase()} ${String(r.path)}`);
      expect([...new Set(undocumented)], "mounted but not in /openapi.json (describe them in server/openapi/paths/)").to.deep.equal([]);
      const unmounted = documented.filter((d) => !routes.some((r) => documents(r, d.method, d.path))).map((d) => `${d.method.toUpperCase()} ${d.path}`);
      expect(unmounted, "in /openapi.json but not mounted").to.deep.equal([]);
    } finally {
      await services.recordChecks.close();
      hubChain.destroy();
      await close();
    }
  });

  it("real answers fit their documented schemas: a publish, problems, an EPCIS query document, a product story", async function () {
    const forwarder = parties.forwarder.client;
    const token = await forwarder.accessToken();
    const auth = { authorization: `Bearer ${token}` };

    const record = parties.brand.client.signRecord("ProductBatch", productBatch(product.gtin, "LOT-OA2", ["SN9101"]));
    const brandAuth = { authorization: `Bearer ${await parties.brand.client.accessToken()}`, "content-type": "application/json" };
    const published = await fetch(`${hub.url}/v1/records`, { method: "POST", headers: brandAuth, body: JSON.stringify(record) });
    expect(published.status).to.equal(201);
    expectDocumented("post", "/v1/records", 201, "application/json", await published.json());

    // The forwarder may not read the brand's batch: the documented 404 problem.
    const hidden = await fetch(`${hub.url}/v1/records/${record.id}`, { headers: auth });
    expect(hidden.status).to.equal(404);
    expect(hidden.headers.get("content-type")).to.match(/^application\/problem\+json/);
    expectDocumented("get", "/v1/records/{id}", 404, "application/problem+json", await hidden.json());

    const own = await fetch(`${hub.url}/v1/records/${record.id}`, { headers: brandAuth });
    expect(own.status).to.equal(200);
    expectDocumented("get", "/v1/records/{id}", 200, "application/json", await own.json());

    const bad = await fetch(`${hub.url}/v1/records/${record.id}/grants`, {
      method: "POST",
      headers: brandAuth,
      body: JSON.stringify({ grantee: "NOT AN ORG" }),
    });
    expect(bad.status).to.equal(400);
    const badBody = (await bad.json()) as { errors?: unknown[]; type: string };
    expect(badBody.errors).to.be.an("array").with.length.above(0);
    expectDocumented("post", "/v1/records/{id}/grants", 400, "application/problem+json", badBody);
    // A type the document does not list for that status would fail: the check can fail.
    const mislabelled = { ...badBody, type: "https://cargoproof.dev/problems/no-such-kind" };
    expect(() => expectDocumented("post", "/v1/records/{id}/grants", 400, "application/problem+json", mislabelled)).to.throw();

    const events = await fetch(`${hub.url}/epcis/events`, { headers: auth });
    expect(events.status).to.equal(200);
    const eventsDoc = (await events.json()) as { epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } };
    expect(eventsDoc.epcisBody.queryResults.resultsBody.eventList).to.have.length.above(0);
    expectDocumented("get", "/epcis/events", 200, "application/ld+json", eventsDoc);

    const story = await fetch(`${hub.url}/provenance/story/01/${product.gtin}/10/${product.lot}`);
    expect(story.status).to.equal(200);
    expectDocumented("get", "/provenance/story/01/{gtin}/10/{lot}", 200, "application/json", await story.json());

    const chainInfo = await fetch(`${hub.url}/v1/chain`);
    expectDocumented("get", "/v1/chain", 200, "application/json", await chainInfo.json());
  });

  it("/docs is an HTML page whose scripts and styles the hub serves itself, under a CSP without eval", async function () {
    const res = await fetch(`${hub.url}/docs`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).to.include("script-src 'self'");
    expect(csp).to.not.include("unsafe-eval");
    const html = await res.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).to.have.length.greaterThan(2);
    for (const asset of assets) {
      expect(asset, "no CDN").to.not.match(/^https?:/);
      const a = await fetch(new URL(asset, `${hub.url}/docs`));
      expect(a.status, asset).to.equal(200);
      expect(a.headers.get("content-type"), asset).to.match(/javascript|css/);
      expect((await a.text()).length, asset).to.be.greaterThan(10);
    }
    expect((await fetch(`${hub.url}/docs/assets/no-such-file.js`)).status).to.equal(404);
  });
});
