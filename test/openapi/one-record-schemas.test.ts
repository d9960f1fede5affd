import { expect } from "chai";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { API_SCHEMAS } from "../../sdk/one-record/api-objects";
import { LogisticsEvent } from "../../sdk/one-record/model";
import { HttpProblem } from "../../server/http/problem";
import { oneRecordError } from "../../server/one-record/errors";
import { OneRecordIris } from "../../server/one-record/iris";
import { notificationJson } from "../../server/one-record/notifications";
import { serverInformation } from "../../server/one-record/server-information";
import { ONE_RECORD_EXAMPLES } from "../../server/openapi/one-record-documents";
import { hubDocument } from "../../server/openapi/routes";
import { readJson, standardsFile } from "../conformance/standards";
import { OneRecordClient } from "../../sdk/one-record/client";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "../integration/harness";

type Json = { [key: string]: unknown };
const doc = hubDocument("http://127.0.0.1:8080") as unknown as { components: { schemas: Record<string, Json> }; paths: Record<string, Record<string, Json>> };
const schemas = doc.components.schemas;
const LD_JSON = "application/ld+json";

/** The specification's example file each published example is (server/openapi/one-record-documents.ts). */
const EXAMPLE_FILES: Record<keyof typeof ONE_RECORD_EXAMPLES, string> = {
  LogisticsObject: "Piece_with_id.json",
  LogisticsEvent: "LogisticsEvent.json",
  Subscription: "Subscription_example1.json",
  SubscriptionRequest: "SubscriptionRequest_example.json",
  Change: "Change_example1.json",
  AccessDelegation: "AccessDelegation_example1.json",
  Verification: "Verification.json",
  VerificationRequest: "VerificationRequest.json",
  ChangeRequest: "ChangeRequest_with_error.json",
  Notification: "Notification_example1.json",
  Error: "Error_400.json",
  ServerInformation: "ServerInformation.json",
  LogisticsEvents: "LogisticsEvents_list.json",
  AuditTrail: "AuditTrail.json",
};

const ONE_RECORD_PATHS = /^\/(logistics-objects|subscriptions|notifications|remote-subscriptions|access-delegations|action-requests)?(\/|$)/;

describe("OpenAPI: the ONE Record API bodies, compacted, from the SDK's schemas", function () {
  let ajv: Ajv2020;
  const validator = (component: string): ValidateFunction => ajv.compile({ $ref: `openapi#/components/schemas/${component}` });
  before(function () {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc as unknown as Json, "openapi");
  });

  it("every JSON-LD request body and answer of a ONE Record operation is a named OneRecord schema, none a generic node", function () {
    let bodies = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!ONE_RECORD_PATHS.test(path)) continue;
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        const request = (op.requestBody as { content: Record<string, { schema: { $ref?: string } }> } | undefined)?.content;
        const answers = Object.entries(op.responses as Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>)
          .filter(([status]) => Number(status) < 300)
          .map(([, r]) => r.content?.[LD_JSON])
          .filter((c) => c !== undefined);
        for (const content of [...Object.values(request ?? {}), ...answers]) {
          bodies++;
          expect(content.schema.$ref, where).to.match(/^#\/components\/schemas\/OneRecord[A-Z][A-Za-z]+$/);
        }
      }
    }
    expect(bodies, "request bodies and answers seen").to.be.greaterThan(15);
    expect(schemas.OneRecordJsonLd, "the generic node is gone").to.equal(undefined);
    const change = doc.paths["/logistics-objects/{id}"]!.patch as { requestBody: { content: Record<string, { schema: Json }> } };
    // Request bodies are the input side of the same schemas (zod's input), named ...Input where it differs.
    expect(change.requestBody.content[LD_JSON]!.schema).to.deep.equal({ $ref: "#/components/schemas/OneRecordChangeInput" });
    expect(JSON.stringify(schemas.OneRecordActionRequest)).to.include("#/components/schemas/OneRecordChangeRequest");
    expect(JSON.stringify(schemas.OneRecordLogisticsEvents)).to.include("#/components/schemas/OneRecordLogisticsEvent");
  });

  it("each class's properties are the SDK's, under the context's prefix, open to extensions, one value or an array where the SDK allows both", function () {
    for (const name of ["ServerInformation", "Change", "Subscription", "AccessDelegation", "Verification", "Notification", "Error", "AuditTrail"] as const) {
      const component = schemas[`OneRecord${name}`] as { properties: Json; additionalProperties: unknown; required: string[] };
      const sdk = API_SCHEMAS[name].shape as Record<string, { isOptional(): boolean }>;
      const expected = Object.keys(sdk).map((k) => (k.startsWith("@") ? k : `api:${k}`));
      expect(Object.keys(component.properties), name).to.include.members(expected);
      expect(component.additionalProperties, name).to.not.equal(false);
      const required = Object.entries(sdk)
        .filter(([, s]) => !s.isOptional())
        .map(([k]) => (k.startsWith("@") ? k : `api:${k}`));
      expect(component.required, name).to.have.members(required);
    }
    const event = schemas.OneRecordLogisticsEvent as { properties: Json };
    expect(Object.keys(event.properties)).to.include.members(Object.keys(LogisticsEvent.shape).map((k) => `cargo:${k}`));
    const operation = (schemas.OneRecordChange as { properties: Record<string, { anyOf?: unknown[] }> }).properties["api:hasOperation"]!;
    expect(operation.anyOf, "api:hasOperation: one or several").to.have.length(2);
  });

  it("every example is the specification's example file, and the JSON Schema accepts it", function () {
    for (const [name, file] of Object.entries(EXAMPLE_FILES)) {
      const component = schemas[`OneRecord${name}`];
      expect(component, name).to.be.an("object");
      const examples = component!.examples as unknown[];
      expect(examples, `${name} examples`).to.deep.equal([readJson(standardsFile("one-record", "examples", file))]);
      for (const side of [`OneRecord${name}`, `OneRecord${name}Input`].filter((c) => c in schemas)) {
        const validate = validator(side);
        expect(validate(examples[0]), `${side} (${file}): ${JSON.stringify(validate.errors?.slice(0, 3))}`).to.equal(true);
      }
    }
    // The kinds of action request and of subscription body tell themselves apart.
    expect(validator("OneRecordActionRequest")(ONE_RECORD_EXAMPLES.VerificationRequest)).to.equal(true);
    expect(validator("OneRecordSubscriptionAsk")(ONE_RECORD_EXAMPLES.SubscriptionRequest)).to.equal(true);
    expect(validator("OneRecordSubscriptionAnswer")(ONE_RECORD_EXAMPLES.Subscription)).to.equal(true);
  });

  it("refuses what is no such body: a missing required property, another class, a value of the wrong shape", function () {
    const subscription = ONE_RECORD_EXAMPLES.Subscription as Json;
    const validate = validator("OneRecordSubscription");
    const { "api:hasTopic": _topic, ...withoutTopic } = subscription;
    expect(validate(withoutTopic), "without api:hasTopic").to.equal(false);
    expect(validate({ ...subscription, "@type": "api:Notification" }), "another class").to.equal(false);
    expect(validate({ ...subscription, "api:hasTopicType": 7 }), "a number for a topic type").to.equal(false);
    expect(validator("OneRecordChange")({ ...(ONE_RECORD_EXAMPLES.Change as Json), "api:hasRevision": "one" }), "a revision that is no number").to.equal(false);
    expect(validator("OneRecordActionRequest")(ONE_RECORD_EXAMPLES.Subscription), "a subscription is no action request").to.equal(false);
    expect(validator("OneRecordLogisticsEvent")({ ...(ONE_RECORD_EXAMPLES.LogisticsEvent as Json), "@type": "cargo:Piece" }), "a piece is no event").to.equal(
      false,
    );
  });

  it("the hub's own answers fit: its server information, a notification, an api:Error", function () {
    const iris = new OneRecordIris("http://127.0.0.1:8080");
    const info = validator("OneRecordServerInformation");
    expect(info(serverInformation(iris)), JSON.stringify(info.errors?.slice(0, 3))).to.equal(true);
    const notification = notificationJson(iris, {
      kind: "LOGISTICS_OBJECT_UPDATED",
      recordId: "piece-1",
      detail: { objectType: "Piece", changed: ["https://onerecord.iata.org/ns/cargo#goodsDescription"] },
    });
    const note = validator("OneRecordNotification");
    expect(note(notification), JSON.stringify(note.errors?.slice(0, 3))).to.equal(true);
    const error = oneRecordError(new HttpProblem(400, "invalid-change", "Invalid change", "no operations"), "/logistics-objects/piece-1");
    const err = validator("OneRecordError");
    expect(err(error), JSON.stringify(err.errors?.slice(0, 3))).to.equal(true);
  });
});

/** A mutable copy of an example, as the SDK's client takes it. */
const copy = (v: unknown): JsonObject => JSON.parse(JSON.stringify(v)) as JsonObject;

describe("OpenAPI: a real hub's ONE Record answers fit their documented schemas", function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let holder: TestOrg;
  let client: OneRecordClient;
  let ajv: Ajv2020;
  let live: typeof doc;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    live = (await (await fetch(`${hub.url}/openapi.json`)).json()) as typeof doc;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(live as unknown as Json, "openapi");
    holder = await admit(hub.url, "or-schemas", ["FORWARDER"]);
    client = new OneRecordClient({ hub: holder.client, orgId: holder.id, privateKey: holder.key.privateKey });
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  /** Sends `method path` as the holder and checks the JSON-LD answer against the live document's schema of that operation and status. */
  async function expectDocumented(path: string, template: string, status = 200, method = "get", body?: string): Promise<Json> {
    const res = await fetch(hub.url + path, {
      method: method.toUpperCase(),
      headers: { accept: LD_JSON, "content-type": LD_JSON, authorization: `Bearer ${await holder.client.accessToken()}` },
      body,
    });
    expect(res.status, path).to.equal(status);
    const answer = (await res.json()) as Json;
    const pointer = `openapi#/paths/${template.replace(/~/g, "~0").replace(/\//g, "~1")}/${method}/responses/${status}/content/${LD_JSON.replace("/", "~1")}/schema`;
    const validate = ajv.compile({ $ref: pointer });
    expect(validate(answer), `${method.toUpperCase()} ${path}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).to.equal(true);
    return answer;
  }

  it("server information, an object, its events, a subscription, a change request, the audit trail", async function () {
    await expectDocumented("/", "/");
    const piece = await client.createObject(copy(ONE_RECORD_EXAMPLES.LogisticsObject));
    await expectDocumented(`/logistics-objects/${piece.id}`, "/logistics-objects/{id}");
    const event = copy(ONE_RECORD_EXAMPLES.LogisticsEvent);
    const posted = await client.appendEvent(piece.iri, {
      "@context": { cargo: "https://onerecord.iata.org/ns/cargo#" },
      ...event,
      "cargo:eventFor": { "@id": piece.iri },
    });
    const events = await expectDocumented(`/logistics-objects/${piece.id}/logistics-events`, "/logistics-objects/{id}/logistics-events");
    expect(events["api:hasTotalItems"]).to.equal(1);
    await expectDocumented(`/logistics-objects/${piece.id}/logistics-events/${posted.id}`, "/logistics-objects/{id}/logistics-events/{eventId}");
    const subscription = await client.subscribe({
      "@context": { api: "https://onerecord.iata.org/ns/api#" },
      "@type": "api:Subscription",
      "api:hasSubscriber": { "@id": client.partyIri(holder.id) },
      "api:hasTopicType": { "@id": "api:LOGISTICS_OBJECT_IDENTIFIER" },
      "api:hasTopic": { "@type": "http://www.w3.org/2001/XMLSchema#anyURI", "@value": piece.iri },
    });
    await expectDocumented(`/subscriptions/${subscription.id}`, "/subscriptions/{id}");
    await expectDocumented(
      `/subscriptions?topicType=${encodeURIComponent("https://onerecord.iata.org/ns/api#LOGISTICS_OBJECT_IDENTIFIER")}&topic=${encodeURIComponent(piece.iri)}`,
      "/subscriptions",
    );
    const change = JSON.parse(
      JSON.stringify(ONE_RECORD_EXAMPLES.Change).replaceAll("https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c", piece.iri),
    ) as JsonObject;
    const request = await client.requestChange(piece.iri, change);
    await expectDocumented(new URL(request.iri).pathname, "/action-requests/{id}");
    await expectDocumented(`/logistics-objects/${piece.id}/audit-trail`, "/logistics-objects/{id}/audit-trail");
  });

  it("its errors are documented as what they are, a problem that is also an api:Error: a 404, a 400", async function () {
    const missing = await expectDocumented("/logistics-objects/no-such-piece", "/logistics-objects/{id}", 404);
    expect(missing["@type"]).to.equal("api:Error");
    expect(missing.type).to.match(/not-found$/);
    const refused = await expectDocumented("/logistics-objects", "/logistics-objects", 400, "post", JSON.stringify({ "@type": 42 }));
    expect(refused["api:hasErrorDetail"]).to.be.an("array").with.length.above(0);
    // The documented schema really is both: an answer missing the api:Error's title fails it.
    const pointer = `openapi#/paths/~1logistics-objects~1{id}/get/responses/404/content/application~1ld+json/schema`;
    const validate = ajv.compile({ $ref: pointer });
    const { "api:hasTitle": _title, ...notAnApiError } = missing as Record<string, Json>;
    expect(validate(notAnApiError)).to.equal(false);
    const { title: _t, ...notAProblem } = missing as Record<string, Json>;
    expect(validate(notAProblem)).to.equal(false);
  });
});
