import { expect } from "chai";
import { randomUUID } from "node:crypto";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { OneRecordClient } from "../../sdk/one-record/client";
import { API_SCHEMAS, apiObjectOf } from "../../sdk/one-record/api-objects";
import { signObject } from "../../sdk/one-record/signed-write";
import { verifyWebhookSignature } from "../../sdk/webhook";
import { matches, type FeedItem } from "../../server/notifications/subscriptions";
import { notificationJson } from "../../server/one-record/notifications";
import { OneRecordIris } from "../../server/one-record/iris";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "./harness";
import { type ReceivedCall, webhookReceivers } from "./webhook-receiver";
import { failure, oneRecordClient } from "./one-record-harness";

const CARGO = "https://onerecord.iata.org/ns/cargo#";
const API = "https://onerecord.iata.org/ns/api#";
const CP = "https://cargoproof.dev/ns/one-record#";
const CONTEXT = { cargo: CARGO };
const kg = (n: number) => ({
  "@type": "cargo:Value",
  "cargo:numericalValue": n,
  "cargo:unit": { "@id": "https://onerecord.iata.org/ns/code-lists/MeasurementUnitCode#KGM" },
});
const piece = (description: string, weight = 10): JsonObject => ({
  "@context": CONTEXT,
  "@type": "cargo:Piece",
  "cargo:goodsDescription": description,
  "cargo:grossWeight": kg(weight),
});
const event = (code: string): JsonObject => ({
  "@context": CONTEXT,
  "@type": "cargo:LogisticsEvent",
  "cargo:eventCode": { "@id": `https://onerecord.iata.org/ns/code-lists/StatusCode#${code}` },
});

/** The parts of an api:Notification a test looks at. */
function notice(call: ReceivedCall) {
  const n = call.body as unknown as JsonObject;
  const changed = (n["api:hasChangedProperty"] ?? []) as { "@value": string }[];
  return {
    type: String((n["api:hasEventType"] as JsonObject)["@id"]).replace(/^api:/, ""),
    object: String((n["api:hasLogisticsObject"] as JsonObject)["@id"]),
    changed: changed.map((c) => c["@value"]),
    event: (n["api:hasLogisticsEvent"] as JsonObject | undefined)?.["@id"],
    seq: Number(String(call.headers["cargoproof-delivery"]).split(":")[1]),
  };
}

describe(`ONE Record subscriptions and notifications (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let airline: TestOrg;
  let handler: TestOrg;
  let fwd: OneRecordClient;
  let air: OneRecordClient;
  let hdl: OneRecordClient;
  const { receiver, stopAll: stopReceivers } = webhookReceivers();

  /** A subscription of the airline's, as JSON-LD. */
  const subscription = (topicType: "LOGISTICS_OBJECT_IDENTIFIER" | "LOGISTICS_OBJECT_TYPE", topic: string, extra: JsonObject = {}): JsonObject => ({
    "@context": { api: API, cargo: CARGO, cp: CP },
    "@type": "api:Subscription",
    "api:hasSubscriber": { "@id": air.partyIri(airline.id) },
    "api:hasTopicType": { "@id": `api:${topicType}` },
    "api:hasTopic": { "@type": "http://www.w3.org/2001/XMLSchema#anyURI", "@value": topic },
    ...extra,
  });

  /** A forwarder's piece the airline and the handler may read. */
  async function sharedPiece(description = "Watches") {
    const created = await fwd.createObject(piece(description));
    await forwarder.client.grant(created.id, airline.id);
    await forwarder.client.grant(created.id, handler.id);
    return created;
  }

  async function update(id: string, version: number, json: JsonObject) {
    await forwarder.client.publishSigned(signObject(forwarder.key.privateKey, forwarder.id, json, { id, version }).record);
  }

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(
      hubEnv(chain, database.url, {
        WEBHOOK_ALLOW_PRIVATE: "true",
        WEBHOOK_RETRY_BASE_MS: "50",
        WEBHOOK_MAX_ATTEMPTS: "8",
        WEBHOOK_TIMEOUT_MS: "1000",
        WEBHOOK_POLL_MS: "300",
      }),
    );
    [forwarder, airline, handler] = await Promise.all([
      admit(hub.url, "fwd-subs", ["FORWARDER"]),
      admit(hub.url, "airline-subs", ["AIRLINE"]),
      admit(hub.url, "handler-subs", ["HANDLER"]),
    ]);
    [fwd, air, hdl] = [forwarder, airline, handler].map(oneRecordClient) as [OneRecordClient, OneRecordClient, OneRecordClient];
  });

  after(async function () {
    await stopReceivers();
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("accepts a subscription to an object and tells it back by topic", async function () {
    // The specification's Subscription examples go through the conformance suite (test/conformance/one-record-api.test.ts).
    const p = await sharedPiece();
    const json = subscription("LOGISTICS_OBJECT_IDENTIFIER", p.iri, { "api:includeSubscriptionEventType": [{ "@id": "api:LOGISTICS_OBJECT_UPDATED" }] });
    const created = await air.subscribe(json);
    expect(created.iri).to.equal(`${hub.url}/subscriptions/${created.id}`);
    expect(created).to.not.have.property("secret"); // no webhook, no secret

    const told = await air.subscriptionInformation(`${API}LOGISTICS_OBJECT_IDENTIFIER`, p.iri);
    expect(told.map((s) => s["@id"])).to.deep.equal([created.iri]);
    const parsed = API_SCHEMAS.Subscription.safeParse(apiObjectOf(told[0]));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
    expect(told[0]!["api:hasSubscriber"]).to.deep.equal({ "@id": air.partyIri(airline.id) });

    // Nobody else's, and the parameters are required.
    expect((await failure(fwd.subscriptionInformation("LOGISTICS_OBJECT_IDENTIFIER", p.iri))).status).to.equal(404);
    const missing = await failure(air.request("GET", `/subscriptions?topicType=LOGISTICS_OBJECT_IDENTIFIER`));
    expect(missing.status).to.equal(400);
    expect(missing.problem.title).to.equal("Missing query parameter");
    // A subscription for another party is refused.
    const forOther = subscription("LOGISTICS_OBJECT_IDENTIFIER", p.iri, { "api:hasSubscriber": { "@id": air.partyIri(forwarder.id) } });
    expect((await failure(air.subscribe(forOther))).status).to.equal(403);
    // A topic that is no cargo class.
    expect((await failure(air.subscribe(subscription("LOGISTICS_OBJECT_TYPE", "https://example.com/Thing")))).status).to.equal(400);

    await air.unsubscribe(created.iri);
    expect((await failure(air.subscriptionInformation("LOGISTICS_OBJECT_IDENTIFIER", p.iri))).status).to.equal(404);
  });

  it("by object: signed api:Notification webhooks for updates and events, each once, never about one's own writes", async function () {
    const p = await sharedPiece();
    const rx = await receiver();
    const sub = await air.subscribe(subscription("LOGISTICS_OBJECT_IDENTIFIER", p.iri), { callbackUrl: rx.url });
    expect(sub.secret).to.match(/^whsec_/);

    await update(p.id, 2, piece("Watches", 11)); // grossWeight changes
    const dep = await hdl.appendEvent(p.iri, event("DEP"));
    await air.appendEvent(p.iri, event("ARR")); // the airline's own event: not told to itself

    const calls = await waitFor("two notifications", () => rx.unique().length >= 2 && rx.unique());
    await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
    expect(rx.unique()).to.have.length(2);
    expect(calls.map(notice).map(({ seq: _s, ...n }) => n)).to.deep.equal([
      { type: "LOGISTICS_OBJECT_UPDATED", object: p.iri, changed: [`${CARGO}grossWeight`], event: undefined },
      { type: "LOGISTICS_EVENT_RECEIVED", object: p.iri, changed: [], event: dep.iri },
    ]);
    for (const c of calls) {
      expect(c.headers["content-type"]).to.equal("application/ld+json");
      expect(verifyWebhookSignature(sub.secret!, c.headers, c.rawBody)).to.equal(true);
      const parsed = API_SCHEMAS.Notification.safeParse(apiObjectOf(JSON.parse(c.rawBody)));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
      expect((c.body as unknown as JsonObject)["api:hasLogisticsObjectType"]).to.deep.equal({ "@type": "xsd:anyURI", "@value": `${CARGO}Piece` });
    }
    // The same subscription is in the hub's delivery log, like any other.
    const log = await airline.client.deliveries(sub.id);
    expect(log.deliveries.map((d) => d.outcome)).to.deep.equal(["DELIVERED", "DELIVERED"]);
    // The forwarder hears nothing of its own update, though it holds no subscription anyway: the feed is empty of it.
    expect((await forwarder.client.notifications()).notifications.filter((n) => n.recordId === p.id)).to.deep.equal([]);
  });

  it("by type, with event-code and changed-property filters; objects the subscriber may not read stay silent", async function () {
    const rx = await receiver();
    await air.subscribe(
      subscription("LOGISTICS_OBJECT_TYPE", `${CARGO}Piece`, {
        "api:includeSubscriptionEventType": [{ "@id": "api:LOGISTICS_OBJECT_UPDATED" }, { "@id": "api:LOGISTICS_EVENT_RECEIVED" }],
        "cp:hasEventCodeFilter": ["DEP"],
        "cp:hasChangedPropertyFilter": [{ "@type": "http://www.w3.org/2001/XMLSchema#anyURI", "@value": `${CARGO}goodsDescription` }],
      }),
      { callbackUrl: rx.url, secret: "s".repeat(40) },
    );
    const p = await sharedPiece("Books");
    const hidden = await fwd.createObject(piece("Not for the airline"));
    await update(p.id, 2, piece("Books", 12)); // grossWeight only: filtered out
    await update(p.id, 3, piece("Books, signed", 12)); // goodsDescription: told
    await update(hidden.id, 2, piece("Still not for the airline")); // not readable: never told
    await hdl.appendEvent(p.iri, event("RCS")); // filtered out
    const dep = await hdl.appendEvent(p.iri, event("DEP"));
    const shipment = await fwd.createObject({ "@context": CONTEXT, "@type": "cargo:Shipment", "cargo:goodsDescription": "Other class" });
    await forwarder.client.grant(shipment.id, airline.id);
    await update(shipment.id, 2, { "@context": CONTEXT, "@type": "cargo:Shipment", "cargo:goodsDescription": "Other class, renamed" });

    const calls = await waitFor("two notifications", () => rx.unique().length >= 2 && rx.unique());
    await new Promise((r) => setTimeout(r, 500));
    expect(
      rx
        .unique()
        .map(notice)
        .map(({ seq: _s, ...n }) => n),
    ).to.deep.equal([
      { type: "LOGISTICS_OBJECT_UPDATED", object: p.iri, changed: [`${CARGO}goodsDescription`], event: undefined },
      { type: "LOGISTICS_EVENT_RECEIVED", object: p.iri, changed: [], event: dep.iri },
    ]);
    expect(verifyWebhookSignature("s".repeat(40), calls[0]!.headers, calls[0]!.rawBody)).to.equal(true);
    // The hidden piece left no trace in the airline's feed.
    expect((await airline.client.notifications()).notifications.filter((n) => n.recordId === hidden.id)).to.deep.equal([]);
  });

  it("accepts a subscription to an object it may not read exactly like one to no object, and tells only once access is granted", async function () {
    const secret = await fwd.createObject(piece("Secret"));
    const rx = await receiver();
    const hidden = await air.subscribe(subscription("LOGISTICS_OBJECT_IDENTIFIER", secret.iri), { callbackUrl: rx.url });
    const nowhere = await air.subscribe(subscription("LOGISTICS_OBJECT_IDENTIFIER", `${hub.url}/logistics-objects/${randomUUID()}`), { callbackUrl: rx.url });
    expect(Object.keys(hidden).sort()).to.deep.equal(Object.keys(nowhere).sort());

    await update(secret.id, 2, piece("Secret, v2"));
    await new Promise((r) => setTimeout(r, 700));
    expect(rx.hits).to.equal(0);
    await forwarder.client.grant(secret.id, airline.id);
    await update(secret.id, 3, piece("Secret, v3"));
    await waitFor("the update after the grant", () => rx.unique().length >= 1);
    await forwarder.client.revokeGrant(secret.id, airline.id);
    await update(secret.id, 4, piece("Secret, v4"));
    await new Promise((r) => setTimeout(r, 700));
    expect(rx.unique()).to.have.length(1);
    expect(notice(rx.unique()[0]!).changed).to.deep.equal([`${CARGO}goodsDescription`]);
  });

  it("every NotificationEventType can be subscribed to; an accepted access delegation tells its party LOGISTICS_OBJECT_ACCESS_GRANTED and LOGISTICS_OBJECT_AVAILABLE, and nobody else", async function () {
    const kinds = ["LOGISTICS_OBJECT_ACCESS_GRANTED", "LOGISTICS_OBJECT_AVAILABLE"];
    const byClass = (org: TestOrg, client: OneRecordClient) => ({
      ...subscription("LOGISTICS_OBJECT_TYPE", `${CARGO}Piece`),
      "api:hasSubscriber": { "@id": client.partyIri(org.id) },
      "api:includeSubscriptionEventType": kinds.map((k) => ({ "@id": `api:${k}` })),
    });
    const toHandler = await receiver();
    const toAirline = await receiver();
    await hdl.subscribe(byClass(handler, hdl), { callbackUrl: toHandler.url });
    await air.subscribe(byClass(airline, air), { callbackUrl: toAirline.url });
    const delegate = async (objectIri: string) =>
      air.requestAccessDelegation({
        "@context": { api: API },
        "@type": "api:AccessDelegation",
        "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
        "api:isRequestedFor": [{ "@id": hdl.partyIri(handler.id) }],
        "api:hasLogisticsObject": [{ "@id": objectIri }],
      });
    const decide = (iri: string, status: string) =>
      fwd.request("PATCH", `/action-requests/${iri.split("/").pop()}?status=${encodeURIComponent(`${API}REQUEST_${status}`)}`);

    // A rejected delegation gives nothing, so tells nothing.
    const refused = await fwd.createObject(piece("Refused"));
    await forwarder.client.grant(refused.id, airline.id);
    await decide((await delegate(refused.iri)).iri, "REJECTED");
    const p = await fwd.createObject(piece("Delegated"));
    await forwarder.client.grant(p.id, airline.id);
    const asked = await delegate(p.iri);
    await new Promise((r) => setTimeout(r, 500));
    expect(toHandler.hits).to.equal(0);
    await decide(asked.iri, "ACCEPTED");
    const calls = await waitFor("the two notifications", () => toHandler.unique().length >= 2 && toHandler.unique());
    await new Promise((r) => setTimeout(r, 500));
    expect(toHandler.unique()).to.have.length(2);
    expect(
      calls
        .map(notice)
        .map((n) => [n.type, n.object])
        .sort(),
    ).to.deep.equal(kinds.map((k) => [k, p.iri]));
    for (const c of calls) expect((c.body as unknown as JsonObject)["api:isTriggeredBy"]).to.deep.equal({ "@id": asked.iri });
    // The requester, subscribed alike, was given nothing by it.
    expect(toAirline.hits).to.equal(0);
  });

  it("a webhook receiver that is down for a while still gets every notification once, in order per object", async function () {
    const pieces = [await sharedPiece("A"), await sharedPiece("B"), await sharedPiece("C")];
    const rx = await receiver();
    const port = rx.port;
    const sub = await air.subscribe(
      subscription("LOGISTICS_OBJECT_TYPE", `${CARGO}Piece`, { "api:includeSubscriptionEventType": [{ "@id": "api:LOGISTICS_OBJECT_UPDATED" }] }),
      { callbackUrl: rx.url },
    );
    rx.status = 503;
    for (const version of [2, 3, 4]) for (const p of pieces) await update(p.id, version, piece(`${p.id} v${version}`, version));
    await waitFor("a few refused calls", () => rx.hits >= 2);
    await rx.stop(); // connection refused for a while
    await new Promise((r) => setTimeout(r, 500));
    rx.status = 200;
    await rx.start(port);

    const calls = await waitFor("nine notifications", () => rx.unique().length >= 9 && rx.unique(), 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.unique()).to.have.length(9);
    // Which revision each one is about: the feed says (the api:Notification names the object).
    const feed = new Map((await airline.client.notifications(0, 1000)).notifications.map((n) => [n.seq, n.version]));
    const told = calls.map(notice);
    for (const p of pieces) expect(told.filter((n) => n.object === p.iri).map((n) => feed.get(n.seq))).to.deep.equal([2, 3, 4]);
    const seqs = told.map((n) => n.seq);
    expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
    const log = (await airline.client.deliveries(sub.id, 0, 1000)).deliveries;
    expect(log.filter((d) => d.outcome === "FAILED" && d.statusCode === 503)).to.have.length.above(0);
    expect(log.filter((d) => d.outcome === "DELIVERED")).to.have.length(9);
    expect(await airline.client.deadLetters(sub.id)).to.deep.equal([]);
  });

  it("delivers change-request notifications and the accepted change's update to ONE Record subscribers", async function () {
    const p = await sharedPiece("Pallet");
    const [holderRx, requesterRx] = [await receiver(), await receiver()];
    const types = (...t: string[]) => ({ "api:includeSubscriptionEventType": t.map((k) => ({ "@id": `api:${k}` })) });
    await fwd.subscribe(
      { ...subscription("LOGISTICS_OBJECT_IDENTIFIER", p.iri, types("CHANGE_REQUEST_PENDING")), "api:hasSubscriber": { "@id": fwd.partyIri(forwarder.id) } },
      { callbackUrl: holderRx.url },
    );
    await air.subscribe(subscription("LOGISTICS_OBJECT_IDENTIFIER", p.iri, types("CHANGE_REQUEST_ACCEPTED", "LOGISTICS_OBJECT_UPDATED")), {
      callbackUrl: requesterRx.url,
    });

    const change: JsonObject = {
      "@context": { api: API, cargo: CARGO, xsd: "http://www.w3.org/2001/XMLSchema#" },
      "@type": "api:Change",
      "api:hasLogisticsObject": { "@id": p.iri },
      "api:hasOperation": [
        {
          "@type": "api:Operation",
          "api:op": { "@id": "api:ADD" },
          "api:s": p.iri,
          "api:p": { "@value": `${CARGO}shippingMarks`, "@type": "xsd:anyURI" },
          "api:o": [
            {
              "@type": "api:OperationObject",
              "api:hasDatatype": { "@value": "http://www.w3.org/2001/XMLSchema#string", "@type": "xsd:anyURI" },
              "api:hasValue": "FRAGILE",
            },
          ],
        },
      ],
      "api:hasRevision": { "@value": "1", "@type": "xsd:positiveInteger" },
      "api:notifyRequestStatusChange": true,
    };
    const requested = await air.requestChange(p.iri, change);
    const [pending] = await waitFor("the holder's CHANGE_REQUEST_PENDING", () => holderRx.unique().length >= 1 && holderRx.unique());
    const pendingJson = pending!.body as unknown as JsonObject;
    expect(notice(pending!)).to.include({ type: "CHANGE_REQUEST_PENDING", object: p.iri });
    expect(pendingJson["api:isTriggeredBy"]).to.deep.equal({ "@id": requested.iri });

    await fwd.acceptChange(requested.iri);
    const told = await waitFor("the requester's two notifications", () => requesterRx.unique().length >= 2 && requesterRx.unique());
    await new Promise((r) => setTimeout(r, 500));
    expect(requesterRx.unique()).to.have.length(2);
    expect(
      told
        .map(notice)
        .map((n) => [n.type, n.changed])
        .sort(),
    ).to.deep.equal([
      ["CHANGE_REQUEST_ACCEPTED", []],
      ["LOGISTICS_OBJECT_UPDATED", [`${CARGO}shippingMarks`]],
    ]);
    expect(holderRx.unique()).to.have.length(1); // its own acceptance is not told back to it
  });

  it("matches change-request notifications to ONE Record subscriptions of the object, and renders them as api:Notification", function () {
    const iris = new OneRecordIris("https://hub.example");
    const objectId = "0b6f3c0e-4a51-4f7a-9a57-7e0f3c2b9d11";
    const n: FeedItem = {
      seq: 7,
      kind: "CHANGE_REQUEST_PENDING",
      recordId: "5c1c2f5e-0d0a-4f3e-8d55-3f1b2a9c4e77", // the change request's own record
      version: 1,
      detail: { actionRequest: iris.actionRequest("ar-1"), object: iris.object(objectId), objectType: "Piece" },
      createdAt: new Date(),
      recordType: "ChangeRequest",
      recordOwner: "someone",
    };
    const sub = {
      recordId: objectId,
      recordType: null,
      objectType: null,
      kinds: ["CHANGE_REQUEST_PENDING"],
      filter: { eventCode: ["DEP"] },
      format: "one-record",
      expiresAt: null,
    };
    expect(matches(sub, n)).to.equal(true);
    expect(matches({ ...sub, objectType: "Piece", recordId: null }, n)).to.equal(true);
    expect(matches({ ...sub, kinds: ["LOGISTICS_OBJECT_UPDATED"] }, n)).to.equal(false);
    expect(matches({ ...sub, recordId: "another" }, n)).to.equal(false);
    expect(matches({ ...sub, expiresAt: new Date(Date.now() - 1000) }, n)).to.equal(false);
    const json = notificationJson(iris, n);
    expect(json).to.include({ "@type": "api:Notification" });
    expect(json["api:isTriggeredBy"]).to.deep.equal({ "@id": iris.actionRequest("ar-1") });
    expect(json["api:hasLogisticsObject"]).to.deep.equal({ "@id": iris.object(objectId), "@type": "cargo:Piece" });
    const parsed = API_SCHEMAS.Notification.safeParse(apiObjectOf(json));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
  });
});
