import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { HubError } from "../../sdk/client";
import { bodyOfObject, type JsonObject } from "../../sdk/one-record/jsonld";
import { OneRecordClient } from "../../sdk/one-record/client";
import { API_SCHEMAS, apiObjectOf } from "../../sdk/one-record/api-objects";
import { SIGNED_WRITE_HEADER, signObject } from "../../sdk/one-record/signed-write";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";
import { failure, oneRecordClient } from "./one-record-harness";
import { departedEvent, shipment } from "../fixtures";
import type { LogisticsObjectBody } from "../../sdk/records/logistics-object";

const CARGO = "https://onerecord.iata.org/ns/cargo#";
const CONTEXT = { cargo: CARGO };
const piece = (description: string): JsonObject => ({ "@context": CONTEXT, "@type": "cargo:Piece", "cargo:goodsDescription": description });
const event = (code: string, created: string, extra: JsonObject = {}): JsonObject => ({
  "@context": CONTEXT,
  "@type": "cargo:LogisticsEvent",
  "cargo:eventCode": { "@id": `https://onerecord.iata.org/ns/code-lists/StatusCode#${code}` },
  "cargo:creationDate": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": created },
  "cargo:eventDate": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": created },
  ...extra,
});

/** What a refusal looks like to the caller (the instance names the URL asked, so it is left out). */
const shape = (e: HubError) => ({ status: e.status, type: e.problem.type, title: e.problem.title, detail: e.problem.detail });
const codeOf = (e: JsonObject) => String((e["cargo:eventCode"] as JsonObject)["@id"]).slice(-3);

describe(`ONE Record logistics events (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let handler: TestOrg;
  let outsider: TestOrg;
  let fwd: OneRecordClient;
  let hdl: OneRecordClient;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [forwarder, handler, outsider] = await Promise.all([
      admit(hub.url, "fwd-events", ["FORWARDER"]),
      admit(hub.url, "handler-events", ["HANDLER"]),
      admit(hub.url, "outsider-events", ["SHIPPER"]),
    ]);
    fwd = oneRecordClient(forwarder);
    hdl = oneRecordClient(handler);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  /** A forwarder's piece the handler may read. */
  async function sharedPiece(description = "Watches") {
    const created = await fwd.createObject(piece(description));
    await forwarder.client.grant(created.id, handler.id);
    return created;
  }

  it("lets a handler append events to a forwarder's piece; both list them, filtered by code and creation time", async function () {
    const p = await sharedPiece();
    const rcs = await hdl.appendEvent(p.iri, event("RCS", "2026-05-01T08:00:00.000Z"));
    const man = await hdl.appendEvent(p.iri, event("MAN", "2026-05-01T09:00:00.000Z"));
    const dep = await hdl.appendEvent(p.iri, event("DEP", "2026-05-01T10:00:00+00:00"));
    expect(rcs.iri).to.equal(`${p.iri}/logistics-events/${rcs.id}`);

    // Each event is a record signed by its poster, with eventFor naming the piece (the SDK added it).
    const stored = await forwarder.client.getRecord(dep.id);
    expect(stored.record.owner).to.equal(handler.id);
    expect(stored.record.body).to.include({ objectType: "LogisticsEvent" });
    expect(stored.record.body.eventFor).to.deep.equal({ "@id": p.iri });

    for (const reader of [fwd, hdl]) {
      const all = await reader.events(p.iri);
      expect(all.totalItems).to.equal(3);
      expect(all.events.map((e) => e["@id"])).to.deep.equal([rcs.iri, man.iri, dep.iri]);
      expect(all.events.map(codeOf)).to.deep.equal(["RCS", "MAN", "DEP"]);
      expect(all.collection).to.include({ "@id": `${p.iri}/logistics-events`, "@type": "api:Collection" });
      const parsed = API_SCHEMAS.Collection.safeParse(apiObjectOf(all.collection));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
    }
    expect((await fwd.events(p.iri, { eventCodes: ["DEP"] })).events.map(codeOf)).to.deep.equal(["DEP"]);
    expect((await fwd.events(p.iri, { eventCodes: ["RCS", "DEP"] })).events.map(codeOf)).to.deep.equal(["RCS", "DEP"]);
    expect((await fwd.events(p.iri, { createdAfter: new Date("2026-05-01T08:00:00Z") })).events.map(codeOf)).to.deep.equal(["MAN", "DEP"]);
    expect((await fwd.events(p.iri, { createdBefore: new Date("2026-05-01T10:00:00Z") })).events.map(codeOf)).to.deep.equal(["RCS", "MAN"]);
    const page = await fwd.events(p.iri, {
      createdAfter: new Date("2026-05-01T07:00:00Z"),
      createdBefore: new Date("2026-05-01T09:30:00Z"),
      limit: 1,
      skip: 1,
    });
    expect(page.totalItems).to.equal(2);
    expect(page.events.map(codeOf)).to.deep.equal(["MAN"]);
    expect(await fwd.events(p.iri, { eventCodes: ["ARR"] }))
      .to.include({ totalItems: 0 })
      .and.to.have.property("events")
      .that.deep.equals([]);
    expect((await failure(fwd.events(p.iri, { eventCodes: ["departed"] }))).status).to.equal(400);

    // One event, by its IRI: its type, and the same data as posted.
    const one = await fwd.event(dep.iri);
    expect(one.type).to.equal(`${CARGO}LogisticsEvent`);
    expect(one.event["@id"]).to.equal(dep.iri);
    expect(bodyOfObject(one.event).body).to.deep.equal(stored.record.body);
  });

  it("is append-only: an event is never changed, by either API", async function () {
    const p = await sharedPiece();
    const dep = await hdl.appendEvent(p.iri, event("DEP", "2026-05-02T10:00:00.000Z"));
    // A second revision through the native API.
    const v2 = signObject(handler.key.privateKey, handler.id, event("ARR", "2026-05-02T11:00:00.000Z", { "cargo:eventFor": { "@id": p.iri } }), {
      id: dep.id,
      version: 2,
    });
    const native = await failure(handler.client.publishSigned(v2.record));
    expect(native.status).to.equal(409);
    expect(native.problem.type).to.match(/event-append-only$/);
    // A revision 2 header on the ONE Record API.
    const body = event("ARR", "2026-05-02T11:00:00.000Z", { "cargo:eventFor": { "@id": p.iri } });
    const again = await failure(hdl.request("POST", `/logistics-objects/${p.id}/logistics-events`, { body, headers: { [SIGNED_WRITE_HEADER]: v2.header } }));
    expect(again.status).to.equal(400);
    // The same event id once more.
    const same = signObject(handler.key.privateKey, handler.id, body, { id: dep.id, version: 1 });
    expect(
      (await failure(hdl.request("POST", `/logistics-objects/${p.id}/logistics-events`, { body, headers: { [SIGNED_WRITE_HEADER]: same.header } }))).status,
    ).to.equal(409);
    const events = await fwd.events(p.iri);
    expect(events.totalItems).to.equal(1);
    expect(codeOf(events.events[0]!)).to.equal("DEP");
  });

  it("requires eventFor to name the object, as signed; refuses what is no event", async function () {
    const p = await sharedPiece();
    const other = await sharedPiece("Other piece");
    const post = (json: JsonObject) => {
      const { header } = signObject(handler.key.privateKey, handler.id, json, { id: randomUUID(), version: 1 });
      return failure(hdl.request("POST", `/logistics-objects/${p.id}/logistics-events`, { body: json, headers: { [SIGNED_WRITE_HEADER]: header } }));
    };
    const missing = await post(event("DEP", "2026-05-03T10:00:00.000Z"));
    expect(missing.status).to.equal(400);
    expect(missing.problem.type).to.match(/event-for-required$/);
    const mismatch = await post(event("DEP", "2026-05-03T10:00:00.000Z", { "cargo:eventFor": { "@id": other.iri } }));
    expect(mismatch.status).to.equal(400);
    expect(mismatch.problem.type).to.match(/event-for-mismatch$/);
    expect(mismatch.problem.errors?.[0]?.path).to.equal(`${CARGO}eventFor`);
    const notEvent = await post({ ...piece("Not an event"), "cargo:eventFor": { "@id": p.iri } });
    expect(notEvent.status).to.equal(400);
    // With an empty signature header (without one, the hub attests the event: one-record-plain-clients.test.ts).
    const unsigned = await failure(
      hdl.request("POST", `/logistics-objects/${p.id}/logistics-events`, {
        body: event("DEP", "2026-05-03T10:00:00.000Z", { "cargo:eventFor": { "@id": p.iri } }),
        headers: { [SIGNED_WRITE_HEADER]: "" },
      }),
    );
    expect(unsigned.problem.type).to.match(/signature-required$/);
    expect((await fwd.events(p.iri)).totalItems).to.equal(0);
  });

  it("answers a party without access exactly as for an unknown object, everywhere", async function () {
    const p = await sharedPiece();
    const dep = await hdl.appendEvent(p.iri, event("DEP", "2026-05-04T10:00:00.000Z"));
    const nosy = oneRecordClient(outsider);
    const unknown = `${hub.url}/logistics-objects/${randomUUID()}`;
    const unknownEvent = `${p.iri}/logistics-events/${randomUUID()}`;

    const refusals = await Promise.all([
      failure(nosy.appendEvent(p.iri, event("ARR", "2026-05-04T11:00:00.000Z"))),
      failure(nosy.appendEvent(unknown, event("ARR", "2026-05-04T11:00:00.000Z"))),
      failure(nosy.events(p.iri)),
      failure(nosy.events(unknown)),
      failure(nosy.event(dep.iri)),
      failure(nosy.event(unknownEvent)),
      failure(nosy.event(`${unknown}/logistics-events/${dep.id}`)),
      // A known event under another object the caller may read is no event of that object.
      failure(fwd.event(`${(await fwd.createObject(piece("Unrelated"))).iri}/logistics-events/${dep.id}`)),
    ]);
    for (const r of refusals) expect(shape(r)).to.deep.equal(shape(refusals[1]!));
    expect(refusals[0]!.status).to.equal(404);

    // Revoking the handler's grant ends its view of the log at once.
    await forwarder.client.revokeGrant(p.id, handler.id);
    expect(shape(await failure(hdl.events(p.iri)))).to.deep.equal(shape(refusals[1]!));
    expect((await fwd.events(p.iri)).totalItems).to.equal(1);
  });
  it("events come only from parties that may read the object: through any API, anyone else gets the 404 of a nonexistent object and nothing is stored or told", async function () {
    const p = await fwd.createObject(piece("Pearls"));
    // The owner subscribes to events about its piece (no webhook: the notification feed).
    await fwd.subscribe({
      "@context": { api: "https://onerecord.iata.org/ns/api#", cargo: CARGO },
      "@type": "api:Subscription",
      "api:hasSubscriber": { "@id": fwd.partyIri(forwarder.id) },
      "api:hasTopicType": { "@id": "api:LOGISTICS_OBJECT_IDENTIFIER" },
      "api:hasTopic": { "@type": "http://www.w3.org/2001/XMLSchema#anyURI", "@value": p.iri },
      "api:includeSubscriptionEventType": [{ "@id": "api:LOGISTICS_EVENT_RECEIVED" }],
    });
    const feedAbout = async () => (await forwarder.client.notifications(0, 1000)).notifications.filter((n) => n.recordId === p.id);
    const unknownIri = `${hub.url}/logistics-objects/${randomUUID()}`;
    /** A ONE Record event as a /v1 record (objectType LogisticsEvent), naming `about` in eventFor. */
    const v1Event = (about: string, id = randomUUID()) =>
      outsider.client
        .publish(
          "LogisticsObject",
          {
            objectType: "LogisticsEvent",
            eventCode: { "@id": "https://onerecord.iata.org/ns/code-lists/StatusCode#DLV" },
            eventFor: { "@id": about },
            eventDate: new Date().toISOString(),
          } as LogisticsObjectBody,
          { id, version: 1 },
        )
        .then(() => id);
    const shape404 = shape(await failure(outsider.client.getRecord(randomUUID())));

    const attempts = {
      oneRecord: failure(oneRecordClient(outsider).appendEvent(p.iri, event("DLV", "2026-05-05T10:00:00.000Z"))),
      oneRecordUnknown: failure(oneRecordClient(outsider).appendEvent(unknownIri, event("DLV", "2026-05-05T10:00:00.000Z"))),
      v1: failure(v1Event(p.iri)),
      v1Unknown: failure(v1Event(unknownIri)),
      native: failure(outsider.client.publish("LogisticsEvent", { ...departedEvent(p.id), eventCode: "DLV" })),
      nativeByIri: failure(outsider.client.publish("LogisticsEvent", { ...departedEvent(p.iri), eventCode: "DLV" })),
      nativeUnknown: failure(outsider.client.publish("LogisticsEvent", { ...departedEvent(randomUUID()), eventCode: "DLV" })),
    };
    const refused = Object.fromEntries(await Promise.all(Object.entries(attempts).map(async ([k, v]) => [k, shape(await v)] as const)));
    expect(refused.oneRecord).to.deep.equal(refused.oneRecordUnknown);
    expect(refused.oneRecord!.status).to.equal(404);
    for (const k of ["v1", "v1Unknown", "native", "nativeByIri", "nativeUnknown"]) expect(refused[k], k).to.deep.equal(shape404);

    // In a batch, the event takes the rest down with it: nothing of it is stored.
    const own = outsider.client.signRecord("Shipment", shipment());
    const sneaky = outsider.client.signRecord("LogisticsEvent", { ...departedEvent(p.id), eventCode: "DLV" });
    expect(shape(await failure(outsider.client.publishBatch([own, sneaky])))).to.deep.equal(shape404);
    expect(shape(await failure(outsider.client.getRecord(own.id)))).to.deep.equal(shape404);
    const kept = randomUUID();
    await failure(v1Event(p.iri, kept));
    expect(shape(await failure(outsider.client.getRecord(kept)))).to.deep.equal(shape404);

    // The owner's event list and subscription saw nothing.
    expect((await fwd.events(p.iri)).totalItems).to.equal(0);
    expect(await feedAbout()).to.deep.equal([]);

    // Once the owner lets it read the piece, the same party posts, through either API, and the owner is told.
    await forwarder.client.grant(p.id, outsider.id);
    const posted = await v1Event(p.iri);
    await outsider.client.publish("LogisticsEvent", { ...departedEvent(p.id), eventCode: "DLV" });
    const viaOneRecord = await oneRecordClient(outsider).appendEvent(p.iri, event("DLV", "2026-05-05T11:00:00.000Z"));
    const listed = await fwd.events(p.iri);
    expect(listed.events.map((e) => String(e["@id"]).split("/").pop()).sort()).to.deep.equal([posted, viaOneRecord.id].sort());
    expect((await feedAbout()).map((n) => n.kind)).to.deep.equal(["LOGISTICS_EVENT_RECEIVED", "LOGISTICS_EVENT_RECEIVED"]);
  });
});
