// The published ONE Record examples through a real hub's ONE Record API: each one is accepted by
// the matching endpoint and read back equal as JSON-LD data (URDNA2015 canonical form). The example
// IRIs are rewritten to real objects and parties of this hub; what the hub mints (object, event and
// subscription IRIs, revision counters) is the only difference, and each test says where it allows one.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { HubError } from "../../sdk/client";
import { OneRecordClient } from "../../sdk/one-record/client";
import { API_SCHEMAS, apiObjectOf } from "../../sdk/one-record/api-objects";
import { skolemIri } from "../../sdk/one-record/change";
import type { Json, JsonObject } from "../../sdk/one-record/jsonld";
import { SIGNED_WRITE_HEADER, signObject } from "../../sdk/one-record/signed-write";
import { API, CARGO, XSD } from "../../sdk/one-record/vocabulary";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "../integration/harness";
import { WebhookReceiver } from "../integration/webhook-receiver";
import { listFiles, readJson, standardsFile } from "./standards";
import { canonical, isCargo, trimIds, typesOf } from "./one-record-examples";
import { failure } from "../integration/one-record-harness";

const isEvent = (doc: unknown) => typesOf(doc).some((t) => t === "cargo:LogisticsEvent" || t === `${CARGO}LogisticsEvent`);

/** The revision counters are the server's, not the object's data: compare without them. */
function withoutRevisions(doc: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(doc)) if (!/(^|#|:)has(Latest)?Revision$/.test(k)) out[k] = v;
  return out;
}

// The IRIs the examples use, which the tests rewrite to real objects and parties of the hub.
const EXAMPLE = "https://1r.example.com";
const PIECE = `${EXAMPLE}/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c`;
const SHIPMENT = `${EXAMPLE}/logistics-objects/1a8ded38-1804-467c-a369-81a411416b3c`;
/** A Company in the events, the subscriber in the subscriptions, the data holder in ServerInformation.json. */
const COMPANY = `${EXAMPLE}/logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda`;
/** The embedded node Change_example3/4.json address (here: the node Change_example2.json added). */
const NODE = "internal:7fc81d1d-6c75-568b-9e47-48c947ed2a07";
const KGM = "https://onerecord.iata.org/ns/code-lists/MeasurementUnitCode#KGM";

type Rewrites = readonly (readonly [string, string])[];
/** Every occurrence of each example IRI, in any string value, replaced (in order); keys stay. */
function rewrite<T extends Json>(doc: T, pairs: Rewrites): T {
  const walk = (v: Json): Json =>
    typeof v === "string"
      ? pairs.reduce((s, [from, to]) => s.split(from).join(to), v)
      : Array.isArray(v)
        ? v.map(walk)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return walk(doc) as T;
}

const many = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: Json | undefined): string | undefined =>
  typeof v === "string" ? v : v !== null && typeof v === "object" && !Array.isArray(v) && typeof v["@value"] === "string" ? v["@value"] : undefined;
/** A node nested in a response, as a document of its own (with the response's context). */
const inContext = (doc: JsonObject, node: Json | undefined): JsonObject => ({ "@context": doc["@context"] ?? null, ...(node as JsonObject) });

async function sameData(actual: unknown, expected: unknown, what: string): Promise<void> {
  const [a, e] = await Promise.all([canonical(actual), canonical(expected)]);
  expect(e.length, `${what}: the expected document has data`).to.be.greaterThan(0);
  expect(a, what).to.equal(e);
}

interface Created {
  iri: string;
  id: string;
}

describe("ONE Record examples through the ONE Record API", function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let holder: TestOrg;
  let handler: TestOrg;
  let airline: TestOrg;
  let outsider: TestOrg;
  let client: OneRecordClient;
  let hdl: OneRecordClient;
  const receivers: WebhookReceiver[] = [];
  const load = (f: string) => trimIds(readJson(standardsFile("one-record", "examples", f))) as JsonObject;
  const files = listFiles("one-record/examples", ".json");
  const oneRecord = (org: TestOrg) => new OneRecordClient({ hub: org.client, orgId: org.id, privateKey: org.key.privateKey });
  const party = (org: TestOrg) => `${hub.url}/organizations/${org.id}`;

  /** A request with the raw answer (the whole api:Error body of a refusal, which HubError does not keep). */
  async function raw(
    org: TestOrg,
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; json: JsonObject }> {
    const headers: Record<string, string> = { accept: "application/ld+json", authorization: `Bearer ${await org.client.accessToken()}`, ...opts.headers };
    if (opts.body !== undefined) headers["content-type"] = "application/ld+json";
    const res = await fetch(hub.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const body = await res.text();
    return { status: res.status, json: (body ? JSON.parse(body) : {}) as JsonObject };
  }

  /** Our api:Error has the example's shape: both parse as api:Error, with ErrorDetails carrying the same code (and the same title if asked). */
  function sameErrorShape(ours: JsonObject, file: string, opts: { title?: boolean } = {}): void {
    const [mine, theirs] = [apiObjectOf(ours), apiObjectOf(load(file))];
    for (const [node, who] of [
      [mine, "ours"],
      [theirs, file],
    ] as const) {
      const parsed = API_SCHEMAS.Error.safeParse(node);
      expect(parsed.success, `${who}: ${JSON.stringify(parsed.error?.issues)}`).to.equal(true);
      expect(Object.keys(node), who).to.include.members(["@type", "hasTitle", "hasErrorDetail"]);
    }
    const details = (n: JsonObject) => many(n.hasErrorDetail) as JsonObject[];
    const code = text(details(theirs)[0]!.hasCode);
    for (const d of details(mine)) {
      expect(text(d.hasCode), file).to.equal(code);
      expect(text(d.hasMessage), file).to.be.a("string");
    }
    if (opts.title) expect(text(mine.hasTitle), file).to.equal(text(theirs.hasTitle));
  }

  /** A new object from Piece.json (the object the Change and AccessDelegation examples name), read by `readers`. */
  async function piece(...readers: TestOrg[]): Promise<Created> {
    const created = await client.createObject(load("Piece.json"));
    for (const r of readers) await holder.client.grant(created.id, r.id);
    return created;
  }

  /** Artefacts the sections below produce and the last test compares with the response examples. */
  const seen: {
    pendingNotification?: JsonObject;
    updatedNotification?: JsonObject;
    embeddedNotification?: JsonObject;
    objectAfterChange2?: JsonObject;
    changedObject?: Created;
    firstChange?: { before: JsonObject; after: JsonObject };
    failedRequest?: JsonObject;
    failedObject?: Created;
  } = {};

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    // Webhooks to the local receivers of this suite, delivered promptly.
    hub = await startHubProcess(
      hubEnv(chain, database.url, { WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_RETRY_BASE_MS: "50", WEBHOOK_TIMEOUT_MS: "1000", WEBHOOK_POLL_MS: "200" }),
    );
    [holder, handler, airline, outsider] = await Promise.all([
      admit(hub.url, "iata-example", ["FORWARDER", "AIRLINE"]),
      admit(hub.url, "iata-handler", ["HANDLER"]),
      admit(hub.url, "iata-airline", ["AIRLINE"]),
      admit(hub.url, "iata-outsider", ["SHIPPER"]),
    ]);
    [client, hdl] = [oneRecord(holder), oneRecord(handler)];
  });

  after(async function () {
    for (const r of receivers) await r.stop();
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  const objects = files.filter((f) => isCargo(load(f)) && !isEvent(load(f)));
  it("covers the logistics object examples", function () {
    expect(objects).to.include.members(["Piece.json", "Company.json", "Shipment_with_Piece.json", "Sensor.expanded.json"]);
  });

  for (const file of objects) {
    it(`${file}: POST /logistics-objects accepts it; GET reads back the same JSON-LD data`, async function () {
      const doc = load(file);
      const created = await client.createObject(doc);
      const read = await client.getObject(created.iri);
      // The hub mints the object's IRI: the example's own @id (if any) is the one thing that changes.
      const expected = await canonical({ ...withoutRevisions(doc), "@id": created.iri });
      const actual = await canonical(withoutRevisions(read.object));
      expect(expected.length).to.be.greaterThan(0);
      expect(actual).to.equal(expected);
    });
  }

  describe("logistics events: POST .../logistics-events, GET the event and the object's collection", function () {
    let company: Created;
    /** A Shipment_with_Piece.json shipment (with a real piece) the handler may read. */
    async function shipment(): Promise<Created> {
      const p = await piece();
      const s = await client.createObject(rewrite(load("Shipment_with_Piece.json"), [[PIECE, p.iri]]));
      await holder.client.grant(s.id, handler.id);
      return s;
    }
    /** The events' example IRIs: their shipment and their recording organisation. */
    const eventPairs = (s: Created): Rewrites => [
      [SHIPMENT, s.iri],
      [COMPANY, company.iri],
    ];

    before(async function () {
      // The events' recordingOrganization is a Company object: Company.json, here.
      company = await client.createObject(load("Company.json"));
    });

    for (const file of ["LogisticsEvent.json", "LogisticsEvent_with_id.json"]) {
      it(`${file}: the handler posts it to a shipment it may read; the holder reads back the same JSON-LD data`, async function () {
        const s = await shipment();
        const doc = rewrite(load(file), eventPairs(s));
        const posted = await hdl.appendEvent(s.iri, doc);
        expect(posted.iri).to.equal(`${s.iri}/logistics-events/${posted.id}`);
        const read = await client.event(posted.iri);
        expect(read.type).to.equal(`${CARGO}LogisticsEvent`);
        // The hub mints the event's IRI: LogisticsEvent_with_id.json's own @id is the one thing that changes.
        await sameData(read.event, { ...doc, "@id": posted.iri }, file);
      });
    }

    it("LogisticsEvents_list.json: its two events posted, GET .../logistics-events is the same collection", async function () {
      const s = await shipment();
      const list = rewrite(load("LogisticsEvents_list.json"), eventPairs(s));
      const items = many(list["api:hasItem"]) as JsonObject[];
      expect(items).to.have.length(2);
      const expectedItems: JsonObject[] = [];
      for (const item of items) {
        const { "@id": _exampleIri, ...event } = item;
        const posted = await hdl.appendEvent(s.iri, { "@context": list["@context"] ?? null, ...event });
        // The hub mints each event's IRI; the first item names its shipment in cargo:linkedObject only, and
        // an event posted here must name it in cargo:eventFor (OneRecordClient.appendEvent adds it, signed).
        expectedItems.push({ ...event, "@id": posted.iri, ...(event["cargo:eventFor"] === undefined ? { "cargo:eventFor": { "@id": s.iri } } : {}) });
      }
      const read = await client.events(s.iri);
      expect(read.totalItems).to.equal(2);
      await sameData(read.collection, { ...list, "api:hasItem": expectedItems }, "LogisticsEvents_list.json");
    });

    it("LogisticsEvents_filtered_list.json: GET ?event-code=DEP leaves out the MAN event posted beside it", async function () {
      const s = await shipment();
      const pairs = eventPairs(s);
      const filtered = rewrite(load("LogisticsEvents_filtered_list.json"), pairs);
      const { "@id": _exampleIri, ...dep } = filtered["api:hasItem"] as JsonObject;
      const posted = await hdl.appendEvent(s.iri, { "@context": filtered["@context"] ?? null, ...dep });
      // The list example's MAN event, which the filter must leave out.
      const list = rewrite(load("LogisticsEvents_list.json"), pairs);
      const { "@id": _manIri, ...man } = (many(list["api:hasItem"]) as JsonObject[])[1]!;
      await hdl.appendEvent(s.iri, { "@context": list["@context"] ?? null, ...man });
      expect((await client.events(s.iri)).totalItems).to.equal(2);
      const read = await client.events(s.iri, { eventCodes: ["DEP"] });
      await sameData(read.collection, { ...filtered, "api:hasItem": { ...dep, "@id": posted.iri } }, "LogisticsEvents_filtered_list.json");
    });

    it("LogisticsEvents_empty_list.json: the collection of an object without events", async function () {
      const s = await shipment();
      const empty = rewrite(load("LogisticsEvents_empty_list.json"), [[`${EXAMPLE}/logistics-objects/2a7d1338-9033-13xc-b665-81a411418978`, s.iri]]);
      await sameData((await hdl.events(s.iri)).collection, empty, "LogisticsEvents_empty_list.json");
    });

    it("MultipleEvents_example1.json: one event per object here (eventFor has at most one object); each reads back equal, as MultipleEventsResponse_example1.json reports", async function () {
      const s = await shipment();
      const [p1, p2] = [await piece(handler), await piece(handler)];
      const doc = rewrite(load("MultipleEvents_example1.json"), [
        [`${EXAMPLE}/logistics-objects/78fee8e2-772b-4fff-bede-cfda67900d3b`, s.iri],
        [`${EXAMPLE}/logistics-objects/f166f1fa-ea2d-4c01-b1d3-cde8bb973757`, p1.iri],
        [`${EXAMPLE}/logistics-objects/22f07756-9d67-4622-adab-c62d1ebde115`, p2.iri],
        [COMPANY, company.iri],
      ]);
      // As published, the event names three objects: the 2.3 OpenAPI's cargo:eventFor has maxItems 1, and
      // the multiple-events creation endpoint the example was written for is not in it (nor here).
      const whole = await raw(handler, "POST", `${new URL(s.iri).pathname}/logistics-events`, {
        body: doc,
        headers: { [SIGNED_WRITE_HEADER]: signObject(handler.key.privateKey, handler.id, doc, { id: randomUUID(), version: 1 }).header },
      });
      expect(whole.status).to.equal(400);
      expect(whole.json.type).to.equal("https://cargoproof.dev/problems/event-for-mismatch");
      expect(JSON.stringify(whole.json["api:hasErrorDetail"])).to.contain(`${CARGO}eventFor`);
      // The same event once per object it names: the only difference is that each names its own object.
      const created: string[] = [];
      for (const target of many(doc["cargo:eventFor"]) as JsonObject[]) {
        const one = { ...doc, "cargo:eventFor": target };
        const posted = await hdl.appendEvent(String(target["@id"]), one);
        await sameData((await client.event(posted.iri)).event, { ...one, "@id": posted.iri }, `MultipleEvents_example1.json for ${String(target["@type"])}`);
        created.push(posted.iri);
      }
      // What the specification's multi-status response reports: 201 for each, an event IRI under each object.
      const response = load("MultipleEventsResponse_example1.json");
      const results = many(response["api:hasCreationResult"]) as JsonObject[];
      expect(results.map((r) => r["api:hasHTTPStatus"])).to.deep.equal(created.map(() => 201));
      for (const r of results)
        expect(String((r["api:hasLogisticsEvent"] as JsonObject)["@id"])).to.match(/\/logistics-objects\/[^/]+\/logistics-events\/[^/]+$/);
      const targets = (many(doc["cargo:eventFor"]) as JsonObject[]).map((t) => String(t["@id"]));
      created.forEach((iri, i) => expect(iri.startsWith(`${targets[i]}/logistics-events/`)).to.equal(true));
    });

    it("MultipleEvents_example2.json: per object, 201 / 404 / 404 where MultipleEventsResponse_example2.json has 201 / 404 / 403 (no 403 here: it would say the object exists)", async function () {
      const s = await shipment();
      const unauthorized = await oneRecord(outsider).createObject(load("Piece.json"));
      const doc = rewrite(load("MultipleEvents_example2.json"), [
        [`${EXAMPLE}/logistics-objects/d7369434-18ea-4b3a-a2bd-44e43fc66d56`, s.iri],
        [`${EXAMPLE}/logistics-objects/piece-not-found`, `${hub.url}/logistics-objects/${randomUUID()}`],
        [`${EXAMPLE}/logistics-objects/piece-unauthorized`, unauthorized.iri],
        [COMPANY, company.iri],
      ]);
      const statuses: number[] = [];
      for (const target of many(doc["cargo:eventFor"]) as JsonObject[]) {
        const one = { ...doc, "cargo:eventFor": target };
        try {
          const posted = await hdl.appendEvent(String(target["@id"]), one);
          await sameData((await client.event(posted.iri)).event, { ...one, "@id": posted.iri }, "MultipleEvents_example2.json");
          statuses.push(201);
        } catch (e) {
          if (!(e instanceof HubError)) throw e;
          statuses.push(e.status);
        }
      }
      const published = (many(load("MultipleEventsResponse_example2.json")["api:hasCreationResult"]) as JsonObject[]).map((r) => r["api:hasHTTPStatus"]);
      expect(published).to.deep.equal([201, 404, 403]);
      expect(statuses).to.deep.equal([201, 404, 404]);
    });

    it("MultipleEventsResponse_example3.json: an event without cargo:eventFor is the same 400, naming the property", async function () {
      const s = await shipment();
      const { "cargo:eventFor": _about, ...orphan } = rewrite(load("LogisticsEvent.json"), eventPairs(s));
      const res = await raw(handler, "POST", `${new URL(s.iri).pathname}/logistics-events`, { body: orphan });
      expect(res.status).to.equal(400);
      const ours = apiObjectOf(res.json);
      const example = apiObjectOf(load("MultipleEventsResponse_example3.json"));
      for (const node of [ours, example]) expect(API_SCHEMAS.Error.safeParse(node).success).to.equal(true);
      const [mine, theirs] = [ours, example].map((n) => many(n.hasErrorDetail)[0] as JsonObject);
      expect(text(mine!.hasCode)).to.equal(text(theirs!.hasCode));
      expect(text(theirs!.hasMessage)).to.contain("cargo:eventFor");
      expect(mine!.hasProperty).to.deep.equal({ "@value": `${CARGO}eventFor`, "@type": `${XSD}anyURI` });
    });
  });

  describe("subscriptions: POST /subscriptions, GET /subscriptions?topicType=&topic=", function () {
    // Each test subscribes to a piece of its own, so that GET by topic finds its subscription alone.
    const pairs = (p: Created): Rewrites => [
      [COMPANY, party(handler)],
      [PIECE, p.iri],
    ];
    const byTopic = async (type: string, topic: string) => {
      const told = await hdl.subscriptionInformation(type, topic);
      expect(told, "one subscription to the topic").to.have.length(1);
      return told[0]!;
    };

    it("Subscription_example1.json: accepted; GET by topic tells it back equal, in the form of Subscriptions_example1.json", async function () {
      const p = await piece(handler);
      const doc = rewrite(load("Subscription_example1.json"), pairs(p));
      const created = await hdl.subscribe(doc);
      expect(created.iri).to.equal(`${hub.url}/subscriptions/${created.id}`);
      const told = await byTopic(`${API}LOGISTICS_OBJECT_IDENTIFIER`, p.iri);
      // The hub mints the subscription's IRI; nothing else is added (no webhook was given).
      await sameData(told, { ...doc, "@id": created.iri }, "Subscription_example1.json");
      // The published answer of GET /subscriptions is that same subscription with its IRI.
      const answer = rewrite(load("Subscriptions_example1.json"), [
        ...pairs(p),
        [`${EXAMPLE}/subscriptions/5f1a4869-e324-45b1-9ab0-60271ba54185`, created.iri],
      ]);
      await sameData(told, answer, "Subscriptions_example1.json");
      await hdl.unsubscribe(created.iri);
    });

    // POST /subscriptions takes both forms: an api:Subscription, or an api:SubscriptionRequest holding one
    // in api:hasSubscription. The request's own properties (its IRI, isRequestedBy, status and times) are
    // not kept: on one hub a subscription is accepted at once, and the access rule decides each
    // notification (docs/one-record.md), so the stored subscription is the one inside.
    for (const file of ["SubscriptionRequest_example.json", "SubscriptionRequest_example2.json"]) {
      it(`${file}: accepted; GET by topic tells back its api:hasSubscription, equal`, async function () {
        const p = await piece(handler);
        const doc = rewrite(load(file), pairs(p));
        const created = await hdl.subscribe(doc);
        const told = await byTopic("LOGISTICS_OBJECT_IDENTIFIER", p.iri);
        await sameData(told, inContext(doc, { ...(doc["api:hasSubscription"] as JsonObject), "@id": created.iri }), file);
        await hdl.unsubscribe(created.iri);
      });
    }

    it("Subscriptions_example2.json (a subscription to a class): posted and told back equal, once its two slips are mended", async function () {
      const published = load("Subscriptions_example2.json");
      // Two slips of the example: "@type": "Subscription" names no class (no @vocab), and api:contentType is
      // no property of the API ontology (api:hasContentType is).
      const {
        "@id": _iri,
        "@type": _type,
        "api:contentType": contentType,
        ...rest
      } = rewrite(published, [["subscriber:logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda", party(handler)]]);
      const doc: JsonObject = { ...rest, "@type": "api:Subscription", "api:hasContentType": contentType as Json };
      const created = await hdl.subscribe(doc);
      const told = await byTopic("LOGISTICS_OBJECT_TYPE", `${CARGO}Shipment`);
      await sameData(told, { ...doc, "@id": created.iri }, "Subscriptions_example2.json");
      await hdl.unsubscribe(created.iri);
    });

    it("Subscriptions_example3_Error_400*.json: an unsupported topic class and a missing query parameter are the same 400s", async function () {
      const doc = {
        ...rewrite(load("Subscription_example1.json"), pairs(await piece(handler))),
        "api:hasTopicType": { "@id": "api:LOGISTICS_OBJECT_TYPE" },
        "api:hasTopic": { "@type": `${XSD}anyURI`, "@value": "https://example.com/ns#Thing" },
      };
      const unsupported = await raw(handler, "POST", "/subscriptions", { body: doc });
      expect(unsupported.status).to.equal(400);
      sameErrorShape(unsupported.json, "Subscriptions_example3_Error_400.json", { title: true });
      const missing = await raw(handler, "GET", `/subscriptions?topicType=${encodeURIComponent(`${API}LOGISTICS_OBJECT_IDENTIFIER`)}`);
      expect(missing.status).to.equal(400);
      sameErrorShape(missing.json, "Subscriptions_example3_Error_400_example2.json", { title: true });
      expect(JSON.stringify(missing.json["api:hasErrorDetail"])).to.contain("topic");
    });
  });

  describe("change requests: PATCH /logistics-objects/{id}, GET /action-requests/{id}, accepted by the holder", function () {
    let a: Created;
    let b: Created;
    const rx = { pending: new WebhookReceiver(), updated: new WebhookReceiver(), embedded: new WebhookReceiver() };
    const described: JsonObject = { "cargo:goodsDescription": "ONE Record Advertisement Materials", "cargo:coload": true };
    const weight = (node: string, value: string): JsonObject => ({
      "cargo:grossWeight": {
        "@id": node,
        "@type": "cargo:Value",
        "cargo:unit": { "@id": KGM },
        "cargo:numericalValue": { "@type": `${XSD}double`, "@value": value },
      },
    });
    /** Piece.json as object `o`, with what the changes so far made of it. */
    const pieceNow = (o: Created, extra: JsonObject = {}): JsonObject => ({ ...load("Piece.json"), "@id": o.iri, ...extra });

    before(async function () {
      [a, b] = [await piece(handler), await piece(handler)];
      seen.changedObject = a;
      for (const r of Object.values(rx)) {
        await r.start();
        receivers.push(r);
      }
      // Subscription_example1.json as the handler's (twice: once with the object's body in each notification),
      // and the holder's to the change requests on its piece.
      const subscription = rewrite(load("Subscription_example1.json"), [
        [COMPANY, party(handler)],
        [PIECE, a.iri],
      ]);
      await hdl.subscribe(subscription, { callbackUrl: rx.updated.url });
      await hdl.subscribe({ ...subscription, "api:sendLogisticsObjectBody": true }, { callbackUrl: rx.embedded.url });
      const forHolder = rewrite(subscription, [[party(handler), party(holder)]]);
      await client.subscribe({ ...forHolder, "api:includeSubscriptionEventType": [{ "@id": "api:CHANGE_REQUEST_PENDING" }] }, { callbackUrl: rx.pending.url });
    });

    /**
     * The handler requests the change of a Change example (its IRIs rewritten to `o` and the node `node`) on
     * `revision`; the action request holds the same api:Change as data; the holder accepts it.
     */
    async function changeThrough(file: string, o: Created, revision: number, node?: string): Promise<{ iri: string; before: JsonObject }> {
      const doc = rewrite(load(file), [[PIECE, o.iri], ...(node ? [[NODE, node] as const] : [])]);
      // The revision counter is the hub's: an example is applied on a revision where its operations apply.
      if (text((doc["api:hasRevision"] as JsonObject)["@value"]) !== String(revision))
        doc["api:hasRevision"] = { "@type": `${XSD}positiveInteger`, "@value": String(revision) };
      const requested = await hdl.requestChange(o.iri, doc);
      const read = await hdl.actionRequest(requested.iri);
      expect(read.type).to.equal(`${API}ChangeRequest`);
      await sameData(inContext(read.request, read.request["api:hasChange"]), doc, `${file}: api:hasChange of the action request`);
      const accepted = await client.acceptChange(requested.iri);
      expect(accepted.revision).to.equal(revision + 1);
      return { iri: requested.iri, before: read.request };
    }

    async function isNow(o: Created, revision: number, expected: JsonObject, what: string): Promise<JsonObject> {
      const read = await hdl.getObject(o.iri);
      expect(read.revision, what).to.equal(revision);
      await sameData(withoutRevisions(read.object), expected, what);
      return read.object;
    }

    it("Change_example1.json on Piece.json: a goods description added, coload replaced", async function () {
      const { iri, before } = await changeThrough("Change_example1.json", a, 1);
      await isNow(a, 2, pieceNow(a, described), "revision 2");
      seen.firstChange = { before, after: (await hdl.actionRequest(iri)).request };
      seen.pendingNotification = await waitFor("the holder's CHANGE_REQUEST_PENDING", () =>
        rx.pending
          .unique()
          .map((c) => c.body as unknown as JsonObject)
          .find((n) => (n["api:isTriggeredBy"] as JsonObject | undefined)?.["@id"] === iri),
      );
    });

    it("Change_example2.json next: a gross weight, a new embedded node named by the skolem IRI of its blank node", async function () {
      await changeThrough("Change_example2.json", a, 2);
      seen.objectAfterChange2 = await isNow(a, 3, pieceNow(a, { ...described, ...weight(skolemIri(a.iri, 2, "_:b0"), "20.0") }), "revision 3");
      const aboutWeight = (r: WebhookReceiver) => () =>
        r
          .unique()
          .map((c) => c.body as unknown as JsonObject)
          .find((n) => many(n["api:hasChangedProperty"]).some((p) => text(p) === `${CARGO}grossWeight`));
      seen.updatedNotification = await waitFor("the handler's LOGISTICS_OBJECT_UPDATED", aboutWeight(rx.updated));
      seen.embeddedNotification = await waitFor("the same with the object's body", aboutWeight(rx.embedded));
    });

    it("Change_example4.json next: the gross weight deleted with its node's own values", async function () {
      await changeThrough("Change_example4.json", a, 3, skolemIri(a.iri, 2, "_:b0"));
      await isNow(a, 4, pieceNow(a, described), "revision 4");
    });

    it("Change_example3.json after Change_example2.json on another piece: the node's value replaced", async function () {
      await changeThrough("Change_example2.json", b, 1);
      const node = skolemIri(b.iri, 1, "_:b0");
      await isNow(b, 2, pieceNow(b, weight(node, "20.0")), "revision 2");
      await changeThrough("Change_example3.json", b, 2, node);
      await isNow(b, 3, pieceNow(b, weight(node, "25.0")), "revision 3");
    });

    it("a change whose revision moved on FAILS, with the error of ChangeRequest_with_error.json", async function () {
      const c = await piece(handler);
      const doc = rewrite(load("Change_example1.json"), [[PIECE, c.iri]]);
      const requested = await hdl.requestChange(c.iri, doc);
      // The holder publishes revision 2 itself (through /v1): the change was for revision 1.
      const next = signObject(
        holder.key.privateKey,
        holder.id,
        { ...load("Piece.json"), "cargo:goodsDescription": "Published meanwhile" },
        { id: c.id, version: 2 },
      );
      await holder.client.publishSigned(next.record);
      expect((await failure(client.acceptChange(requested.iri))).status).to.equal(422);
      seen.failedRequest = (await hdl.actionRequest(requested.iri)).request;
      seen.failedObject = c;
    });
  });

  describe("access delegations: POST /access-delegations, GET /action-requests/{id}", function () {
    // Example 1: the handler, which reads the piece, asks that Airline_XYZ (here: the airline) read it too;
    // example 2: the airline asks the same for its GHA (here: the handler).
    const cases: [string, string, () => TestOrg, () => TestOrg][] = [
      ["AccessDelegation_example1.json", `${EXAMPLE}/logistics-objects/Airline_XYZ`, () => handler, () => airline],
      ["AccessDelegation_example2.json", `${EXAMPLE}/logistics-objects/GHA_ABC`, () => airline, () => handler],
    ];
    for (const [file, exampleParty, requester, target] of cases) {
      it(`${file}: the action request holds the same api:AccessDelegation; accepted, the party reads the object`, async function () {
        const p = await piece(requester());
        const asker = oneRecord(requester());
        const doc = rewrite(load(file), [
          [PIECE, p.iri],
          [exampleParty, party(target())],
        ]);
        expect((await failure(oneRecord(target()).getObject(p.iri))).status).to.equal(404);
        const asked = await asker.requestAccessDelegation(doc);
        const read = await asker.actionRequest(asked.iri);
        expect(read.type).to.equal(`${API}AccessDelegationRequest`);
        await sameData(inContext(read.request, read.request["api:hasAccessDelegation"]), doc, `${file}: api:hasAccessDelegation`);
        await client.request("PATCH", `/action-requests/${asked.iri.split("/").pop()}?status=${encodeURIComponent(`${API}REQUEST_ACCEPTED`)}`);
        expect((await asker.actionRequest(asked.iri)).request["api:hasRequestStatus"]).to.deep.equal({ "@id": "api:REQUEST_ACCEPTED" });
        await sameData(
          withoutRevisions((await oneRecord(target()).getObject(p.iri)).object),
          { ...load("Piece.json"), "@id": p.iri },
          `${file}: the object as the party reads it`,
        );
      });
    }
  });

  // Mocha runs a suite's own tests before its nested suites: the tests after the sections are suites too, to run last.
  describe("errors: the api:Error of the specification's examples", function () {
    it("our errors have the shape of the specification's Error examples", async function () {
      for (const file of files.filter((f) => /^Error_/.test(f))) {
        expect(API_SCHEMAS.Error.safeParse(apiObjectOf(load(file))).success, file).to.equal(true);
      }
      const res = await fetch(`${hub.url}/logistics-objects/${crypto.randomUUID()}`, {
        headers: { authorization: `Bearer ${await holder.client.accessToken()}`, accept: "application/ld+json" },
      });
      expect(res.status).to.equal(404);
      const body = (await res.json()) as JsonObject;
      const parsed = API_SCHEMAS.Error.safeParse(apiObjectOf(body));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
      // Same JSON-LD structure as Error_404.json: an api:Error with a title and ErrorDetails carrying a code and a message.
      const sample = apiObjectOf(load("Error_404.json"));
      const ours = apiObjectOf(body);
      for (const key of ["@type", "hasTitle", "hasErrorDetail"]) {
        expect(Object.keys(sample), key).to.include(key);
        expect(Object.keys(ours), key).to.include(key);
      }
      const detail = (Array.isArray(ours.hasErrorDetail) ? ours.hasErrorDetail[0] : ours.hasErrorDetail) as JsonObject;
      expect(detail).to.include({ hasCode: "404" });
      sameErrorShape(body, "Error_404.json");
      sameErrorShape(body, "Error_404.de-DE.json");
    });

    it("a 400 for a bad object names the property (api:hasProperty, as in Verification.json), in the shape of Error_400*.json", async function () {
      // A master air waybill whose number fails its check digit (1234567 mod 7 is 5, not 0).
      const waybill: JsonObject = {
        "@context": { cargo: CARGO },
        "@type": "cargo:Waybill",
        "cargo:waybillType": { "@id": "cargo:MASTER" },
        "cargo:waybillPrefix": "020",
        "cargo:waybillNumber": "12345670",
      };
      const signed = signObject(holder.key.privateKey, holder.id, waybill, { id: randomUUID(), version: 1 });
      const res = await raw(holder, "POST", "/logistics-objects", { body: waybill, headers: { [SIGNED_WRITE_HEADER]: signed.header } });
      expect(res.status).to.equal(400);
      sameErrorShape(res.json, "Error_400.json");
      sameErrorShape(res.json, "Error_400_example2.json");
      const detail = many(apiObjectOf(res.json).hasErrorDetail)
        .map((d) => d as JsonObject)
        .find((d) => d.hasProperty !== undefined);
      expect(detail, "an ErrorDetail naming the property").to.not.equal(undefined);
      // The form of api:hasProperty in Verification.json: the property's IRI as an xsd:anyURI literal. (Its
      // context's xsd prefix lacks the '#', so the datatype expands to ...XMLSchemaanyURI: compared by its end.)
      const published = (many(apiObjectOf(load("Verification.json")).hasError) as JsonObject[]).map(
        (e) => (many(e.hasErrorDetail)[0] as JsonObject).hasProperty as JsonObject,
      );
      expect(published[0]!["@value"]).to.equal(`${CARGO}grossWeight`);
      expect(String(published[0]!["@type"])).to.match(/anyURI$/);
      expect(detail!.hasProperty).to.deep.equal({ "@value": `${CARGO}waybillNumber`, "@type": `${XSD}anyURI` });
    });

    it("a 403 (a subscription for another party) has the shape of Error_403.json; a read the caller may not make is the 404 above, never a 403", async function () {
      const p = await piece(handler);
      const forOther = rewrite(load("Subscription_example1.json"), [
        [COMPANY, party(holder)],
        [PIECE, p.iri],
      ]);
      const res = await raw(handler, "POST", "/subscriptions", { body: forOther });
      expect(res.status).to.equal(403);
      sameErrorShape(res.json, "Error_403.json");
    });
  });

  /**
   * Where each example is used. Every file of the folder is listed, so a new example cannot go
   * unnoticed: a request or object we accept (tests above), a response we produce (compared here, or
   * where noted), or something we do not serve (said here, with why).
   */
  const RESPONSES: Record<string, string> = {
    "ServerInformation.json": "GET /: compared below, equal as data but for the data holder's class",
    "Notification_example1.json": "webhook api:Notification (CHANGE_REQUEST_PENDING, with isTriggeredBy): compared below",
    "Notification_example2.json": "webhook api:Notification with the object's body (sendLogisticsObjectBody): compared below",
    "Notification_example3.json": "webhook api:Notification (LOGISTICS_OBJECT_UPDATED, hasChangedProperty): compared below",
    "AuditTrail.json": "GET /logistics-objects/{id}/audit-trail: compared below",
    "ChangeRequest_with_error.json": "GET /action-requests/{id} of a FAILED change request: compared below",
    "Subscriptions_example1.json": "GET /subscriptions?topicType=&topic=: compared in the subscriptions section",
    "Subscriptions_example2.json": "GET /subscriptions?topicType=&topic= of a class: compared in the subscriptions section",
    "Subscriptions_example3_Error_400.json": "400 of POST /subscriptions: compared in the subscriptions section",
    "Subscriptions_example3_Error_400_example2.json": "400 of GET /subscriptions: compared in the subscriptions section",
    "LogisticsEvents_list.json": "GET .../logistics-events: compared in the events section",
    "LogisticsEvents_filtered_list.json": "GET .../logistics-events?event-code=: compared in the events section",
    "LogisticsEvents_empty_list.json": "GET .../logistics-events: compared in the events section",
    "MultipleEventsResponse_example3.json": "400 of an event without eventFor: compared in the events section",
    "Error_400.json": "400: compared in the error tests",
    "Error_400_example2.json": "400: compared in the error tests",
    "Error_403.json": "403: compared in the error tests",
    "Error_404.json": "404: compared in the error tests",
    "Error_404.de-DE.json": "404: compared in the error tests (answered in en-US only)",
    "VerificationRequest.json": "GET /action-requests/{id} of a verification request: compared in one-record-rules.test.ts",
  };
  const REQUESTS: Record<string, string> = {
    "LogisticsEvent.json": "POST .../logistics-events",
    "LogisticsEvent_with_id.json": "POST .../logistics-events (the hub mints the event IRI)",
    "MultipleEvents_example1.json": "POST .../logistics-events once per object in eventFor",
    "MultipleEvents_example2.json": "POST .../logistics-events once per object in eventFor",
    "Change_example1.json": "PATCH /logistics-objects/{id}",
    "Change_example2.json": "PATCH /logistics-objects/{id}",
    "Change_example3.json": "PATCH /logistics-objects/{id}",
    "Change_example4.json": "PATCH /logistics-objects/{id}",
    "Subscription_example1.json": "POST /subscriptions",
    "SubscriptionRequest_example.json": "POST /subscriptions (the api:Subscription inside is what is stored)",
    "SubscriptionRequest_example2.json": "POST /subscriptions (the api:Subscription inside is what is stored)",
    "AccessDelegation_example1.json": "POST /access-delegations",
    "AccessDelegation_example2.json": "POST /access-delegations",
    "Verification.json": "POST /logistics-objects/{id} (verifyLogisticsObject): sent and read back in one-record-rules.test.ts",
  };
  const NOT_SERVED: Record<string, string> = {
    "ACL.json": "no /acl resource: who reads an object is the hub's grants (/v1/records/{id}/grants), decided by one rule",
    "ActionRequestChange_example1.json":
      "a request's status changes by PATCH /action-requests/{id}?status= (the 2.3 OpenAPI); its operations are checked below against what that does",
    "MultipleEventsResponse_example1.json":
      "the multiple-events creation endpoint is not in the 2.3 OpenAPI (no api:MultiStatusResponse); its per-object outcomes are compared in the events section",
    "MultipleEventsResponse_example2.json": "as MultipleEventsResponse_example1.json; a 403 per object is a 404 here",
  };

  describe("every example", function () {
    it("is a request we accept, a response we produce (same shape as ours), or listed as not served", async function () {
      const listed = [...objects, ...Object.keys(REQUESTS), ...Object.keys(RESPONSES), ...Object.keys(NOT_SERVED)];
      expect(new Set(listed).size, "each example listed once").to.equal(listed.length);
      expect([...listed].sort()).to.deep.equal(files);

      // ServerInformation.json: ours is the same data, but that its data holder (the hub's operator, an
      // organisation of the hub) is no cargo:Company object.
      const info = await client.serverInformation();
      const holderIri = String((info["api:hasDataHolder"] as JsonObject)["@id"]);
      expect(holderIri).to.match(new RegExp(`^${hub.url}/organizations/`));
      const published = rewrite(load("ServerInformation.json"), [
        [COMPANY, holderIri],
        [`${EXAMPLE}/`, `${hub.url}/`],
        ["http://1r.example.com", hub.url],
      ]);
      await sameData(info, { ...published, "api:hasDataHolder": { "@id": holderIri } }, "ServerInformation.json");

      // Notifications, as the webhooks of the change requests above delivered them.
      const a = seen.changedObject!;
      const pending = seen.pendingNotification!;
      expect(pending, "the CHANGE_REQUEST_PENDING webhook").to.not.equal(undefined);
      const keys = (n: JsonObject) => Object.keys(apiObjectOf(n)).sort();
      expect(keys(pending), "Notification_example1.json").to.deep.equal(keys(load("Notification_example1.json")));
      for (const n of [pending, seen.updatedNotification!, seen.embeddedNotification!])
        expect(API_SCHEMAS.Notification.safeParse(apiObjectOf(n)).success).to.equal(true);
      // Notification_example3.json: the same data, but that our reference to the object carries its class, and
      // an update names no action request (isTriggeredBy), even when an accepted change made it.
      const { "api:isTriggeredBy": _trigger, ...update } = rewrite(load("Notification_example3.json"), [[PIECE, a.iri]]);
      await sameData(
        seen.updatedNotification,
        { ...update, "api:hasLogisticsObject": { "@id": a.iri, "@type": `${CARGO}Piece` } },
        "Notification_example3.json",
      );
      // Notification_example2.json: the object's body in the notification; ours is the revision it is about.
      const embedded = seen.embeddedNotification!;
      const withBody = load("Notification_example2.json");
      expect(Object.keys(withBody["api:hasLogisticsObject"] as JsonObject).length, "a body, not a reference").to.be.greaterThan(2);
      await sameData(
        inContext(embedded, embedded["api:hasLogisticsObject"]),
        withoutRevisions(seen.objectAfterChange2!),
        "Notification_example2.json: the object's body",
      );
      expect(keys(embedded)).to.include.members(keys(withBody).filter((k) => k !== "isTriggeredBy"));

      // AuditTrail.json: the same shape (its hasChange is a placeholder; an empty hasError is no data).
      const { trail, requests, latestRevision } = await client.auditTrail(a.iri);
      expect(latestRevision).to.equal(4);
      expect(requests).to.have.length(3);
      const theirs = apiObjectOf(load("AuditTrail.json"));
      for (const [node, who] of [
        [apiObjectOf(trail), "ours"],
        [theirs, "AuditTrail.json"],
      ] as const) {
        const parsed = API_SCHEMAS.AuditTrail.safeParse(node);
        expect(parsed.success, `${who}: ${JSON.stringify(parsed.error?.issues)}`).to.equal(true);
      }
      expect(keys(trail)).to.include.members(Object.keys(theirs).filter((k) => k !== "@id"));
      const theirRequest = Object.keys(many(theirs.hasActionRequest)[0] as JsonObject).filter((k) => k !== "hasError");
      for (const r of requests) expect(Object.keys(apiObjectOf(inContext(trail, r)))).to.include.members(theirRequest);
      expect((apiObjectOf(trail).hasLatestRevision as JsonObject)["@type"]).to.equal((theirs.hasLatestRevision as JsonObject)["@type"]);

      // ChangeRequest_with_error.json: our FAILED request's error has its title, code and resource.
      const failed = apiObjectOf(seen.failedRequest!);
      expect(API_SCHEMAS.ChangeRequest.safeParse(failed).success).to.equal(true);
      expect(failed.hasRequestStatus).to.deep.equal({ "@id": `${API}REQUEST_FAILED` });
      const [ourError, theirError] = [failed, apiObjectOf(load("ChangeRequest_with_error.json"))].map((n) => many(n.hasError)[0] as JsonObject);
      expect(text(ourError!.hasTitle)).to.equal(text(theirError!.hasTitle));
      const [ourDetail, theirDetail] = [ourError!, theirError!].map((e) => many(e.hasErrorDetail)[0] as JsonObject);
      expect(text(ourDetail!.hasCode)).to.equal(text(theirDetail!.hasCode));
      expect(ourDetail!.hasResource).to.deep.equal({ "@value": seen.failedObject!.iri, "@type": `${XSD}anyURI` });
      expect(Object.keys(ourDetail!)).to.include.members(Object.keys(theirDetail!));

      // ActionRequestChange_example1.json (not served): what its operations say, accepting through ?status= does.
      const ops = many(apiObjectOf(load("ActionRequestChange_example1.json")).hasOperation) as JsonObject[];
      const value = (op: string) => text((many(ops.find((o) => (o.op as JsonObject)["@id"] === `${API}${op}`)!.o)[0] as JsonObject).hasValue);
      const status = (r: JsonObject) => String((apiObjectOf(r).hasRequestStatus as JsonObject)["@id"]);
      expect(status(seen.firstChange!.before)).to.equal(value("DELETE"));
      expect(status(seen.firstChange!.after)).to.equal(value("ADD"));
    });
  });
});
