// Rules of the ONE Record API specification (2.x) and its API ontology, one rule per test, each named
// by the section it comes from. The examples go through one-record-api.test.ts; these are the rules
// the examples do not show (a historical read's time format, JSON-LD's sets, the vocabulary).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { NOTIFICATION_EVENT_TYPES } from "../../sdk/one-record/api-objects";
import { changeOfJsonLd } from "../../sdk/one-record/change";
import { formatQueryDateTime, parseQueryDateTime } from "../../sdk/one-record/date-time";
import type { Json, JsonObject } from "../../sdk/one-record/jsonld";
import { OneRecordClient } from "../../sdk/one-record/client";
import { signObject } from "../../sdk/one-record/signed-write";
import { signWebhook } from "../../sdk/webhook";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "../integration/harness";
import { failure } from "../integration/one-record-harness";
import { WebhookReceiver } from "../integration/webhook-receiver";
import { API_NS, apiOntology, cargoClassesUnder, individualsOf } from "./one-record-ontology";
import { LOGISTICS_EVENT_CLASSES, LOGISTICS_OBJECT_CLASSES } from "../../sdk/one-record/classes";
import { readJson, standardsFile } from "./standards";

const CARGO = "https://onerecord.iata.org/ns/cargo#";
const EXAMPLE_PIECE = "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c";
const example = (name: string) => readJson(standardsFile("one-record", "examples", name)) as JsonObject;
const piece = (description: string): JsonObject => ({ "@context": { cargo: CARGO }, "@type": "cargo:Piece", "cargo:goodsDescription": description });

/** The same JSON-LD with every property value and @type as a one-element array (the expanded form's shape). */
function asArrays(doc: Json): Json {
  if (Array.isArray(doc)) return doc.map(asArrays);
  if (doc === null || typeof doc !== "object" || "@value" in doc) return doc;
  return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, k === "@context" || k === "@id" ? v : Array.isArray(v) ? v.map(asArrays) : [asArrays(v)]]));
}

/** A time in the basic format, whole seconds, `ms` from now. */
const basic = (ms: number) => formatQueryDateTime(new Date(Math.floor((Date.now() + ms) / 1000) * 1000));

/** Every api name a document uses: as a key (a property), as an @type (a class) and as an @id (an individual). */
function apiNames(doc: Json, out = { properties: new Set<string>(), classes: new Set<string>(), individuals: new Set<string>() }) {
  const local = (s: string) => (s.startsWith("api:") ? s.slice(4) : s.startsWith(API_NS) ? s.slice(API_NS.length) : undefined);
  if (Array.isArray(doc)) doc.forEach((d) => apiNames(d, out));
  else if (doc !== null && typeof doc === "object") {
    for (const [k, v] of Object.entries(doc)) {
      if (k === "@context") continue;
      const name = local(k);
      if (name) out.properties.add(name);
      if (k === "@type") for (const t of Array.isArray(v) ? v : [v]) if (typeof t === "string" && local(t)) out.classes.add(local(t)!);
      if (k === "@id" && typeof v === "string" && local(v)) out.individuals.add(local(v)!);
      apiNames(v, out);
    }
  }
  return out;
}

describe("ONE Record API rules (the specification's text and the API ontology)", function () {
  describe("without a hub", function () {
    it("Retrieve a historical Logistics Object: ?at= is ISO 8601 UTC in the format YYYYMMDDThhmmssZ (the specification's example 20190926T075830Z)", function () {
      expect(parseQueryDateTime("20190926T075830Z")?.toISOString()).to.equal("2019-09-26T07:58:30.000Z");
      expect(formatQueryDateTime(new Date("2019-09-26T07:58:30Z"))).to.equal("20190926T075830Z");
      // The extended form clients also send is the same instant; an impossible day or a missing zone is none.
      expect(parseQueryDateTime("2019-09-26T07:58:30Z")?.getTime()).to.equal(Date.UTC(2019, 8, 26, 7, 58, 30));
      for (const bad of ["20190231T075830Z", "20190926T075830", "20190926T0758Z", "2019-09-26", "20190926T245830Z"])
        expect(parseQueryDateTime(bad), bad).to.equal(undefined);
    });

    it("Notifications, NotificationEventType (API ontology): the event types the hub knows are exactly the ontology's individuals", function () {
      expect([...NOTIFICATION_EVENT_TYPES].sort()).to.deep.equal(individualsOf("NotificationEventType"));
    });

    it("Update a Logistics Object: the classes a Change may not create (logistics objects and events) are those of the data model ontology", function () {
      expect([...LOGISTICS_OBJECT_CLASSES].sort()).to.deep.equal(cargoClassesUnder("LogisticsObject"));
      expect([...LOGISTICS_EVENT_CLASSES].sort()).to.deep.equal(cargoClassesUnder("LogisticsEvent"));
      expect(cargoClassesUnder("LogisticsObject")).to.include.members(["Piece", "Shipment", "Waybill", "Location", "Company"]);
      expect(cargoClassesUnder("LogisticsObject")).to.not.include("Value");
    });

    it("Update a Logistics Object (JSON-LD): a Change with every value as a one-element array is the same Change as its compact form", function () {
      for (const file of ["Change_example1.json", "Change_example2.json", "Change_example3.json", "Change_example4.json"]) {
        const compact = example(file);
        expect(changeOfJsonLd(asArrays(compact)), file).to.deep.equal(changeOfJsonLd(compact));
      }
    });
  });

  describe("through a hub", function () {
    this.timeout(120_000);
    let chain: TestChain;
    let database: { url: string; drop(): Promise<void> };
    let hub: HubProcess;
    let holder: TestOrg;
    let airline: TestOrg;
    let handler: TestOrg;
    let fwd: OneRecordClient;
    let air: OneRecordClient;
    let hdl: OneRecordClient;
    const receivers: WebhookReceiver[] = [];
    /** Every JSON-LD document the hub answered or sent in these tests, for the vocabulary rule. */
    const emitted: Json[] = [];

    const client = (org: TestOrg) => new OneRecordClient({ hub: org.client, orgId: org.id, privateKey: org.key.privateKey });
    async function get(org: TestOrg, path: string): Promise<Response> {
      const res = await fetch(`${hub.url}${path}`, { headers: { accept: "application/ld+json", authorization: `Bearer ${await org.client.accessToken()}` } });
      return res;
    }
    async function json(res: Response): Promise<JsonObject> {
      const body = (await res.json()) as JsonObject;
      emitted.push(body);
      return body;
    }
    async function receiver(): Promise<WebhookReceiver> {
      const r = new WebhookReceiver();
      await r.start();
      receivers.push(r);
      return r;
    }
    const subscription = (org: TestOrg, topicType: string, topic: string, types: string[]): JsonObject => ({
      "@context": { api: API_NS },
      "@type": "api:Subscription",
      "api:hasSubscriber": { "@id": `${hub.url}/organizations/${org.id}` },
      "api:hasTopicType": { "@id": `api:${topicType}` },
      "api:hasTopic": { "@type": "http://www.w3.org/2001/XMLSchema#anyURI", "@value": topic },
      "api:includeSubscriptionEventType": types.map((t) => ({ "@id": `api:${t}` })),
    });
    /** A change of `object` on `revision`: Change_example1.json's first operation, on the property given. */
    function change(object: string, revision: number, property = `${CARGO}goodsDescription`, value = "Changed"): JsonObject {
      const doc = JSON.parse(JSON.stringify(example("Change_example1.json")).split(EXAMPLE_PIECE).join(object)) as JsonObject;
      const [first] = doc["api:hasOperation"] as JsonObject[];
      return {
        ...doc,
        "api:hasOperation": [
          {
            ...first!,
            "api:p": property,
            "api:o": [{ "@type": "api:OperationObject", "api:hasDatatype": "http://www.w3.org/2001/XMLSchema#string", "api:hasValue": value }],
          },
        ],
        "api:hasRevision": { "@type": "http://www.w3.org/2001/XMLSchema#positiveInteger", "@value": String(revision) },
      };
    }

    before(async function () {
      chain = await startTestChain();
      database = await freshDatabase();
      hub = await startHubProcess(
        hubEnv(chain, database.url, { WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_RETRY_BASE_MS: "50", WEBHOOK_TIMEOUT_MS: "1000", WEBHOOK_POLL_MS: "200" }),
      );
      [holder, airline, handler] = await Promise.all([
        admit(hub.url, "rules-holder", ["FORWARDER"]),
        admit(hub.url, "rules-airline", ["AIRLINE"]),
        admit(hub.url, "rules-handler", ["HANDLER"]),
      ]);
      [fwd, air, hdl] = [holder, airline, handler].map(client) as [OneRecordClient, OneRecordClient, OneRecordClient];
    });

    after(async function () {
      for (const r of receivers) await r.stop();
      await hub?.stop();
      await database?.drop();
      await chain?.stop();
    });

    it("Retrieve a historical Logistics Object: ?at=YYYYMMDDThhmmssZ reads the revision current then, with Revision and Latest-Revision", async function () {
      const p = await fwd.createObject(piece("First"));
      await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000))); // into the next whole second
      const at = basic(0);
      await new Promise((r) => setTimeout(r, 50));
      await holder.client.publishSigned(signObject(holder.key.privateKey, holder.id, piece("Second"), { id: p.id, version: 2 }).record);
      const res = await get(holder, `/logistics-objects/${p.id}?at=${at}`);
      expect(res.status).to.equal(200);
      expect([res.headers.get("revision"), res.headers.get("latest-revision")]).to.deep.equal(["1", "2"]);
      expect((await json(res))["cargo:goodsDescription"]).to.equal("First");
    });

    it("Retrieve a historical Logistics Object: a datetime in the future is answered 400 Bad Request", async function () {
      const p = await fwd.createObject(piece("Now"));
      // In the specification's format and in the extended one: both name the same kind of time.
      for (const future of [basic(86_400_000), new Date(Date.now() + 86_400_000).toISOString()]) {
        const res = await get(holder, `/logistics-objects/${p.id}?at=${encodeURIComponent(future)}`);
        expect(res.status, future).to.equal(400);
        expect((await json(res))["@type"]).to.equal("api:Error");
      }
    });

    it("Retrieve a historical Logistics Object: every linked Logistics Object URI in the response carries the same ?at=", async function () {
      const part = await fwd.createObject(piece("Linked"));
      const shipment = await fwd.createObject({ "@context": { cargo: CARGO }, "@type": "cargo:Shipment", "cargo:pieces": [{ "@id": part.iri }] });
      await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
      const at = basic(0);
      const doc = await json(await get(holder, `/logistics-objects/${shipment.id}?at=${at}`));
      expect(doc["@id"]).to.equal(shipment.iri);
      expect(doc["cargo:pieces"]).to.deep.equal([{ "@id": `${part.iri}?at=${at}` }]);
    });

    it("Update a Logistics Object: the server MUST reject changes with operations on hasLogisticsEvent (the data model's cargo:events): 400, as Error_400_example2.json", async function () {
      const p = await fwd.createObject(piece("With events"));
      await holder.client.grant(p.id, airline.id);
      const expected = example("Error_400_example2.json");
      for (const property of [`${CARGO}events`, `${CARGO}hasLogisticsEvent`]) {
        const refused = await failure(air.requestChange(p.iri, change(p.iri, 1, property, `${p.iri}/logistics-events/${randomUUID()}`)));
        expect(refused.status, property).to.equal(400);
        expect(refused.problem.title).to.equal(expected["api:hasTitle"]);
        expect(refused.problem.errors?.[0]?.path).to.equal(property);
      }
    });

    it("Update a Logistics Object: the PATCH operation MUST NOT be used to create logistics objects, only to link an existing one", async function () {
      const other = await fwd.createObject(piece("Existing piece"));
      const shipment = await fwd.createObject({ "@context": { cargo: CARGO }, "@type": "cargo:Shipment", "cargo:goodsDescription": "Boxes" });
      await holder.client.grant(shipment.id, airline.id);
      await holder.client.grant(other.id, airline.id);
      const op = (o: JsonObject): JsonObject => ({
        "@type": "api:Operation",
        "api:op": { "@id": "api:ADD" },
        "api:s": shipment.iri,
        "api:p": `${CARGO}pieces`,
        "api:o": [o],
      });
      const base = change(shipment.iri, 1);
      const creating = {
        ...base,
        "api:hasOperation": [op({ "@type": "api:OperationObject", "api:hasDatatype": `${CARGO}Piece`, "api:hasValue": "_:newPiece" })],
      };
      const refused = await failure(air.requestChange(shipment.iri, creating));
      expect(refused.status).to.equal(400);
      expect(refused.problem.errors?.[0]?.path).to.equal(`${CARGO}pieces`);
      // Linking an existing one by its IRI is a change like any other.
      const linking = { ...base, "api:hasOperation": [op({ "@type": "api:OperationObject", "api:hasDatatype": `${CARGO}Piece`, "api:hasValue": other.iri })] };
      expect((await air.requestChange(shipment.iri, linking)).iri).to.match(/\/action-requests\//);
    });

    it("Get Audit Trail: a ChangeRequest's api:Error carries the specification's title and code and names the Logistics Object (hasResource), as ChangeRequest_with_error.json", async function () {
      const p = await fwd.createObject(piece("Contested"));
      await holder.client.grant(p.id, airline.id);
      await holder.client.grant(p.id, handler.id);
      const first = await air.requestChange(p.iri, change(p.iri, 1, `${CARGO}upid`, "Airline's"));
      const second = await hdl.requestChange(p.iri, change(p.iri, 1, `${CARGO}upid`, "Handler's"));
      await fwd.acceptChange(first.iri);
      const trail = await json(await get(holder, `/logistics-objects/${p.id}/audit-trail`));
      const requests = trail["api:hasActionRequest"] as JsonObject[];
      const rejected = requests.find((r) => r["@id"] === second.iri)!;
      const [error] = rejected["api:hasError"] as JsonObject[];
      const [spec] = example("ChangeRequest_with_error.json")["api:hasError"] as JsonObject[];
      expect(error!["api:hasTitle"]).to.equal(spec!["api:hasTitle"]);
      const [detail] = error!["api:hasErrorDetail"] as JsonObject[];
      const [specDetail] = spec!["api:hasErrorDetail"] as JsonObject[];
      expect(detail!["api:hasCode"]).to.equal(specDetail!["api:hasCode"]);
      expect(detail!["api:hasResource"]).to.deep.equal({ "@value": p.iri, "@type": "xsd:anyURI" });
    });

    it("Get Audit Trail: 404 Logistics Object not found, as Error_404.json: its title and code, and the object named (hasResource)", async function () {
      const id = randomUUID();
      const res = await get(holder, `/logistics-objects/${id}/audit-trail`);
      expect(res.status).to.equal(404);
      const error = await json(res);
      const spec = example("Error_404.json");
      expect(error["api:hasTitle"]).to.equal(spec["api:hasTitle"]);
      const [detail] = error["api:hasErrorDetail"] as JsonObject[];
      const [specDetail] = spec["api:hasErrorDetail"] as JsonObject[];
      expect(detail!["api:hasCode"]).to.equal(specDetail!["api:hasCode"]);
      expect(detail!["api:hasResource"]).to.deep.equal({ "@value": `${hub.url}/logistics-objects/${id}`, "@type": "xsd:anyURI" });
    });

    it("Subscriptions, NotificationEventType (API ontology): every event type of the ontology can be subscribed to", async function () {
      const p = await fwd.createObject(piece("Watched"));
      for (const type of individualsOf("NotificationEventType")) {
        const created = await air.subscribe(subscription(airline, "LOGISTICS_OBJECT_IDENTIFIER", p.iri, [type]));
        expect(created.iri, type).to.match(/\/subscriptions\//);
      }
      const told = await air.subscriptionInformation(`${API_NS}LOGISTICS_OBJECT_IDENTIFIER`, p.iri);
      emitted.push(...(told as Json[]));
      expect(told).to.have.length(individualsOf("NotificationEventType").length);
    });

    it("Notifications: LOGISTICS_OBJECT_ACCESS_GRANTED and LOGISTICS_OBJECT_AVAILABLE reach the party an accepted access delegation gives an object, by its subscription to the class", async function () {
      const rx = await receiver();
      await hdl.subscribe(subscription(handler, "LOGISTICS_OBJECT_TYPE", `${CARGO}Piece`, ["LOGISTICS_OBJECT_ACCESS_GRANTED", "LOGISTICS_OBJECT_AVAILABLE"]), {
        callbackUrl: rx.url,
      });
      const p = await fwd.createObject(piece("Delegated"));
      await holder.client.grant(p.id, airline.id);
      const asked = await air.requestAccessDelegation({
        "@context": { api: API_NS },
        "@type": "api:AccessDelegation",
        "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
        "api:isRequestedFor": [{ "@id": `${hub.url}/organizations/${handler.id}` }],
        "api:hasLogisticsObject": [{ "@id": p.iri }],
      });
      expect(rx.unique()).to.have.length(0);
      await fwd.request("PATCH", `/action-requests/${asked.iri.split("/").pop()}?status=${encodeURIComponent(`${API_NS}REQUEST_ACCEPTED`)}`);
      const calls = await waitFor("two notifications", () => rx.unique().length >= 2 && rx.unique());
      const told = calls.map((c) => c.body as unknown as JsonObject);
      emitted.push(...(told as Json[]));
      expect(told.map((n) => (n["api:hasEventType"] as JsonObject)["@id"]).sort()).to.deep.equal([
        "api:LOGISTICS_OBJECT_ACCESS_GRANTED",
        "api:LOGISTICS_OBJECT_AVAILABLE",
      ]);
      for (const n of told) {
        expect(n["api:hasLogisticsObject"]).to.deep.include({ "@id": p.iri });
        expect(n["api:isTriggeredBy"]).to.deep.equal({ "@id": asked.iri });
      }
    });

    it("Notifications (API ontology): a logistics event is named by api:hasLogisticsEvent", async function () {
      const rx = await receiver();
      const p = await fwd.createObject(piece("With an event"));
      await holder.client.grant(p.id, airline.id);
      await air.subscribe(subscription(airline, "LOGISTICS_OBJECT_IDENTIFIER", p.iri, ["LOGISTICS_EVENT_RECEIVED"]), { callbackUrl: rx.url });
      const ev = await fwd.appendEvent(p.iri, {
        "@context": { cargo: CARGO },
        "@type": "cargo:LogisticsEvent",
        "cargo:eventCode": { "@id": "https://onerecord.iata.org/ns/code-lists/StatusCode#DEP" },
      });
      const [call] = await waitFor("the notification", () => rx.unique().length >= 1 && rx.unique());
      const n = call!.body as unknown as JsonObject;
      emitted.push(n);
      expect(n["api:hasLogisticsEvent"]).to.deep.equal({ "@id": ev.iri });
    });

    it("Create a Logistics Object (createLogisticsObject, POST /logistics-objects): a standard client's Piece.json, sent with only its bearer token, is 201 Created with Location and Type, and reads back", async function () {
      const sent = example("Piece.json");
      const post = await fetch(`${hub.url}/logistics-objects`, {
        method: "POST",
        headers: { "content-type": "application/ld+json", authorization: `Bearer ${await holder.client.accessToken()}` },
        body: JSON.stringify(sent),
      });
      expect(post.status).to.equal(201);
      expect(post.headers.get("type")).to.equal(`${CARGO}Piece`);
      const location = post.headers.get("location")!;
      expect(location.startsWith(`${hub.url}/logistics-objects/`)).to.equal(true);
      const read = await get(holder, location.slice(hub.url.length));
      expect(read.status).to.equal(200);
      const body = await json(read);
      expect(body["@id"]).to.equal(location);
      expect(body["cargo:specialHandlingCodes"]).to.deep.equal(sent["cargo:specialHandlingCodes"]);
      // Beyond the standard: the hub attested it for the client's organisation, and says so.
      expect(body["https://cargoproof.dev/ns#capturedBy"]).to.deep.equal({ "@id": `${hub.url}/organizations/${holder.id}` });
    });

    it("Add a Logistics Event (POST /logistics-objects/{id}/logistics-events): a standard client's LogisticsEvent.json about the object, with only its bearer token, is 201 Created with Location", async function () {
      const p = await fwd.createObject(piece("Event target"));
      const sent: JsonObject = { ...example("LogisticsEvent.json"), "cargo:eventFor": { "@type": "cargo:Piece", "@id": p.iri } };
      const post = await fetch(`${hub.url}/logistics-objects/${p.id}/logistics-events`, {
        method: "POST",
        headers: { "content-type": "application/ld+json", authorization: `Bearer ${await holder.client.accessToken()}` },
        body: JSON.stringify(sent),
      });
      expect(post.status).to.equal(201);
      const location = post.headers.get("location")!;
      expect(location.startsWith(`${p.iri}/logistics-events/`)).to.equal(true);
      const read = await json(await get(holder, location.slice(hub.url.length)));
      expect(read["cargo:eventName"]).to.equal(sent["cargo:eventName"]);
    });

    it("Notifications (POST /notifications, receiveNotification): the examples Notification_example1-3.json sent by the server the hub subscribed on are 204 No Content; an unauthenticated one is 401, an invalid one 400, each an api:Error", async function () {
      // The other ONE Record server: a stand-in of a third party's (not the hub's) that serves one
      // object and accepts the hub's subscription, keeping the callback and the secret it is given.
      const object = {
        "@context": { cargo: CARGO, api: API_NS },
        "@id": "",
        "@type": "cargo:Piece",
        "cargo:goodsDescription": "Elsewhere",
        "api:hasRevision": 1,
      };
      let callback = "";
      let secret = "";
      const remote = createServer((req, res) => {
        if (req.method === "POST" && req.url === "/subscriptions") {
          callback = String(req.headers["cargoproof-callback"]);
          secret = String(req.headers["cargoproof-callback-secret"]);
          req.resume();
          res.writeHead(201, { location: `${base}/subscriptions/${randomUUID()}` }).end();
        } else if (req.method === "GET" && req.url?.startsWith("/logistics-objects/"))
          res.writeHead(200, { "content-type": "application/ld+json", revision: "1" }).end(JSON.stringify(object));
        else res.writeHead(404).end();
      });
      await new Promise<void>((ok) => remote.listen(0, "127.0.0.1", ok));
      const base = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
      const topic = `${base}/logistics-objects/${randomUUID()}`;
      object["@id"] = topic;
      try {
        const made = await fetch(`${hub.url}/remote-subscriptions`, {
          method: "POST",
          headers: {
            "content-type": "application/ld+json",
            authorization: `Bearer ${await airline.client.accessToken()}`,
            "Cargoproof-Remote-Authorization": "Bearer remote-token",
          },
          body: JSON.stringify({
            ...subscription(airline, "LOGISTICS_OBJECT_IDENTIFIER", topic, []),
            "api:hasSubscriber": { "@id": `${base}/organizations/airline` },
          }),
        });
        expect(made.status, await made.clone().text()).to.equal(201);
        expect(callback.startsWith(`${hub.url}/notifications?`)).to.equal(true);
        const send = (body: string, headers: Record<string, string>) =>
          fetch(callback, { method: "POST", headers: { "content-type": "application/ld+json", ...headers }, body });
        const signed = (body: string, delivery: string) => {
          const t = Math.floor(Date.now() / 1000);
          return { "cargoproof-timestamp": String(t), "cargoproof-signature": signWebhook(secret, t, body), "cargoproof-delivery": delivery };
        };
        for (const file of ["Notification_example1.json", "Notification_example2.json", "Notification_example3.json"]) {
          const doc = example(file);
          const body = JSON.stringify({ ...doc, "api:hasLogisticsObject": { ...(doc["api:hasLogisticsObject"] as JsonObject), "@id": topic } });
          const res = await send(body, signed(body, file));
          expect(res.status, `${file}: ${await res.clone().text()}`).to.equal(204);
        }
        const valid = JSON.stringify(example("Notification_example1.json")).split(EXAMPLE_PIECE).join(topic);
        // A redelivery (the same delivery id) is accepted again and stored once; another object's notification is invalid.
        expect((await send(valid, signed(valid, "Notification_example1.json"))).status).to.equal(204);
        const elsewhere = JSON.stringify(example("Notification_example1.json"));
        expect((await send(elsewhere, signed(elsewhere, "elsewhere"))).status).to.equal(400);
        const id = ((await made.json()) as { id: string }).id;
        const stored = await fetch(`${hub.url}/remote-subscriptions/${id}/notifications`, {
          headers: { authorization: `Bearer ${await airline.client.accessToken()}` },
        });
        expect(((await stored.json()) as { notifications: { eventType: string }[] }).notifications.map((n) => n.eventType)).to.deep.equal([
          "LOGISTICS_OBJECT_CREATED",
          "LOGISTICS_OBJECT_CREATED",
          "LOGISTICS_OBJECT_UPDATED",
        ]);
        const unauthenticated = await send(valid, {});
        expect(unauthenticated.status).to.equal(401);
        const invalid = JSON.stringify({ "@context": { api: API_NS }, "@type": "api:Notification", "api:hasLogisticsObject": { "@id": topic } });
        const malformed = await send(invalid, signed(invalid, "no-event-type"));
        expect(malformed.status).to.equal(400);
        for (const res of [unauthenticated, malformed]) {
          expect(res.headers.get("content-type")).to.match(/^application\/ld\+json/);
          expect((await json(res))["@type"]).to.equal("api:Error");
        }
      } finally {
        await new Promise((ok) => remote.close(ok));
      }
    });

    it("Verify a Logistics Object (verifyLogisticsObject, POST /logistics-objects/{id}; Verifications): Verification.json from a reader is 201 with Location and Type api:VerificationRequest, the holder hears VERIFICATION_REQUEST_PENDING, and the request reads as VerificationRequest.json; the holder acknowledges it (REQUEST_ACKNOWLEDGED)", async function () {
      const rx = await receiver();
      const p = await fwd.createObject(piece("To verify"));
      await holder.client.grant(p.id, airline.id);
      await fwd.subscribe(subscription(holder, "LOGISTICS_OBJECT_IDENTIFIER", p.iri, ["VERIFICATION_REQUEST_PENDING"]), { callbackUrl: rx.url });
      const sent = JSON.parse(JSON.stringify(example("Verification.json")).split(EXAMPLE_PIECE).join(p.iri)) as JsonObject;
      const post = await fetch(`${hub.url}/logistics-objects/${p.id}`, {
        method: "POST",
        headers: { "content-type": "application/ld+json", authorization: `Bearer ${await airline.client.accessToken()}` },
        body: JSON.stringify(sent),
      });
      expect(post.status, await post.clone().text()).to.equal(201);
      expect(post.headers.get("type")).to.equal(`${API_NS}VerificationRequest`);
      const location = post.headers.get("location")!;
      expect(location.startsWith(`${hub.url}/action-requests/`)).to.equal(true);

      const [call] = await waitFor("the pending notification", () => rx.unique().length >= 1 && rx.unique());
      const n = call!.body as unknown as JsonObject;
      emitted.push(n);
      expect(n["api:hasEventType"]).to.deep.equal({ "@id": "api:VERIFICATION_REQUEST_PENDING" });
      expect(n["api:isTriggeredBy"]).to.deep.equal({ "@id": location });

      const read = await get(airline, location.slice(hub.url.length));
      expect(read.status).to.equal(200);
      expect(read.headers.get("type")).to.equal(`${API_NS}VerificationRequest`);
      const request = await json(read);
      const published = example("VerificationRequest.json");
      const keys = (o: Json) =>
        Object.keys(o as JsonObject)
          .filter((k) => k !== "@context")
          .sort();
      expect(keys(request)).to.include.members(keys(published));
      const verification = request["api:hasVerification"] as JsonObject;
      expect(keys(verification)).to.deep.equal(keys(published["api:hasVerification"]!));
      expect(verification["api:hasLogisticsObject"]).to.deep.equal({ "@id": p.iri });
      expect(verification["api:hasRevision"]).to.deep.include({ "@value": "1" });
      // The errors as asked (Verification.json's two, its first with a severity).
      const errors = verification["api:hasError"] as JsonObject[];
      expect(errors.map((e) => e["api:hasTitle"])).to.deep.equal((sent["api:hasError"] as JsonObject[]).map((e) => e["api:hasTitle"]));
      expect(errors[0]!["api:hasSeverity"]).to.deep.equal({ "@id": "api:ERROR" });
      expect((errors[1]!["api:hasErrorDetail"] as JsonObject[])[0]!["api:hasProperty"]).to.deep.equal({
        "@value": `${CARGO}goodsDescription`,
        "@type": "xsd:anyURI",
      });
      expect(request["api:hasRequestStatus"]).to.deep.equal(published["api:hasRequestStatus"]);

      // Verifications: "the forwarder acknowledges or rejects the Verification Request".
      const patched = await fetch(`${location}?status=${encodeURIComponent(`${API_NS}REQUEST_ACKNOWLEDGED`)}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${await holder.client.accessToken()}` },
      });
      expect(patched.status).to.equal(204);
      expect(patched.headers.get("type")).to.equal(`${API_NS}VerificationRequest`);
      expect((await json(await get(holder, location.slice(hub.url.length))))["api:hasRequestStatus"]).to.deep.equal({ "@id": "api:REQUEST_ACKNOWLEDGED" });
    });

    it("API ontology: every api property, class and individual in what the hub answered and sent above is one the ontology defines", async function () {
      emitted.push(await json(await fetch(`${hub.url}/`)));
      const p = await fwd.createObject(piece("Read"));
      emitted.push(await json(await get(holder, `/logistics-objects/${p.id}/audit-trail`)));
      emitted.push(await json(await get(airline, `/logistics-objects/${p.id}`))); // a 404 api:Error
      const used = apiNames(emitted);
      const ontology = apiOntology();
      expect(used.properties.size).to.be.greaterThan(20);
      expect(
        [...used.properties].filter((p) => !ontology.properties.has(p)),
        "properties",
      ).to.deep.equal([]);
      expect(
        [...used.classes].filter((c) => !ontology.classes.has(c)),
        "classes",
      ).to.deep.equal([]);
      expect(
        [...used.individuals].filter((i) => !ontology.individuals.has(i)),
        "individuals",
      ).to.deep.equal([]);
    });
  });
});
