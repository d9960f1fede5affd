import { expect } from "chai";
import { HubError } from "../../sdk/client";
import { eventHash } from "../../sdk/epcis/event-hash";
import { recordUrn } from "../../sdk/epcis/extract";
import { epcisRecordId } from "../../sdk/records/epcis-event";
import { admit, freshDatabase, hubEnv, isPostgres, operatorClient, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";

const CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", { example: "http://ns.example.com/epcis/" }];

function objectEvent(serial: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "ObjectEvent",
    action: "OBSERVE",
    bizStep: "shipping",
    disposition: "in_transit",
    epcList: [`urn:epc:id:sgtin:0614141.107346.${serial}`],
    eventTime: "2024-03-01T10:00:00.000+08:00",
    eventTimeZoneOffset: "+08:00",
    readPoint: { id: "urn:epc:id:sgln:0614141.07346.1234" },
    "example:note": `item ${serial}`,
    ...extra,
  };
}

const doc = (events: Record<string, unknown>[]) => ({
  "@context": CONTEXT,
  type: "EPCISDocument",
  schemaVersion: "2.0",
  creationDate: "2024-03-01T10:05:00.000Z",
  epcisBody: { eventList: events },
});

const statusOf = (e: unknown) => (e instanceof HubError ? e.status : e);
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail");
}
const eventList = (r: { epcisBody: { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } } }) => r.epcisBody.queryResults.resultsBody.eventList;

describe(`EPCIS 2.0 capture and query (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let brand: TestOrg;
  let outsider: TestOrg;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [forwarder, brand, outsider] = await Promise.all([admit(hub.url, "swift-fwd", ["FORWARDER"]), admit(hub.url, "aurora", ["BRAND"]), admit(hub.url, "nosy", ["SHIPPER"])]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("captures a document asynchronously: 202, a job that succeeds, each event a hub-attested record that verifies", async function () {
    const events = [objectEvent("1001"), objectEvent("1002", { eventID: "urn:uuid:8d0e4d62-2d45-4c43-9d8a-8e1f3c3b0a01" })];
    const res = await fetch(`${hub.url}/epcis/capture`, {
      method: "POST",
      headers: { "content-type": "application/ld+json", authorization: `Bearer ${await forwarder.client.accessToken()}` },
      body: JSON.stringify(doc(events)),
    });
    expect(res.status).to.equal(202);
    expect(res.headers.get("gs1-epcis-version")).to.equal("2.0.0");
    const location = res.headers.get("location")!;
    expect(location).to.match(/^\/epcis\/capture\/[0-9a-f-]{36}$/);
    const job = await forwarder.client.waitForCapture(location.split("/").pop()!);
    expect(job).to.include({ running: false, success: true, captureErrorBehaviour: "rollback" });
    const hashes = events.map((e) => eventHash(e, CONTEXT));
    expect(job.events).to.deep.equal(hashes.map((eventID) => ({ eventID, status: "captured" })));

    // Readable by hash and (for the second) by its own eventID; as captured plus recordTime.
    const byHash = eventList(await forwarder.client.epcisEvent(hashes[0]!));
    expect(byHash).to.have.length(1);
    const { recordTime, eventID, ...rest } = byHash[0]!;
    expect(rest).to.deep.equal(events[0]);
    expect(eventID).to.equal(hashes[0]); // it had none: the hub's is given
    expect(Date.parse(String(recordTime))).to.be.closeTo(Date.now(), 60_000);
    const byOwnId = eventList(await forwarder.client.epcisEvent("urn:uuid:8d0e4d62-2d45-4c43-9d8a-8e1f3c3b0a01"));
    expect(byOwnId[0]!.eventID).to.equal("urn:uuid:8d0e4d62-2d45-4c43-9d8a-8e1f3c3b0a01");

    // The record: owned by the operator, capturedBy the forwarder, anchored and verifiable.
    const stored = await forwarder.client.getRecord(epcisRecordId(hashes[0]!, "swift-fwd")).catch((e: unknown) => e);
    expect(statusOf(stored)).to.equal(404); // the record API stays owner/grantee only
    const op = operatorClient(hub.url);
    const record = (await op.getRecord(epcisRecordId(hashes[0]!, "swift-fwd"))).record;
    expect(record.owner).to.equal("operator");
    expect(record.body.capturedBy).to.equal("swift-fwd");
    const proof = await op.waitForProof(record.id);
    expect((await op.verifyRemote(record, proof)).valid).to.equal(true);
  });

  it("is idempotent: the same event captured again is a duplicate, not a second record", async function () {
    const e = objectEvent("1001");
    const id = await forwarder.client.captureEpcis(doc([e, objectEvent("1003")]));
    const job = await forwarder.client.waitForCapture(id);
    expect(job.success).to.equal(true);
    expect(job.events.map((x) => x.status)).to.deep.equal(["duplicate", "captured"]);
  });

  it("another organisation's identical event is no duplicate: each holds its own record, and neither learns of the other's", async function () {
    const same = objectEvent("2001");
    const hash = eventHash(same, CONTEXT);
    const [brandsOwn] = await brand.client.publishEpcis(doc([same]));
    const captured = await forwarder.client.waitForCapture(await forwarder.client.captureEpcis(doc([objectEvent("2002"), same])));
    // The same answer as for content no one holds.
    expect(captured).to.include({ running: false, success: true });
    expect(captured.events).to.deep.equal([eventHash(objectEvent("2002"), CONTEXT), hash].map((eventID) => ({ eventID, status: "captured" })));
    // Each sees its own record of it (and only its own), under its own id.
    expect(brandsOwn!.id).to.equal(epcisRecordId(hash, "aurora"));
    const op = operatorClient(hub.url);
    expect((await op.getRecord(epcisRecordId(hash, "swift-fwd"))).record.body.capturedBy).to.equal("swift-fwd");
    expect((await brand.client.getRecord(brandsOwn!.id)).record.version).to.equal(1);
    expect(eventList(await forwarder.client.epcisEvent(hash))).to.have.length(1);
    expect(eventList(await brand.client.epcisEvent(hash))).to.have.length(1);
    // A third organisation's own publication of it is stored as well, and a second capture by the forwarder is its duplicate.
    const third = await admit(hub.url, "third-wh", ["FORWARDER"]);
    expect(await third.client.publishEpcis(doc([same]))).to.have.length(1);
    const again = await forwarder.client.waitForCapture(await forwarder.client.captureEpcis(doc([same])));
    expect(again.events.map((x) => x.status)).to.deep.equal(["duplicate"]);
  });

  it("rolls back the whole document by default, and proceeds event by event when asked", async function () {
    const rollback = await forwarder.client.waitForCapture(await forwarder.client.captureEpcis(doc([objectEvent("2002"), objectEvent("1001")])));
    expect(rollback).to.include({ running: false, success: true }); // duplicate of an event it captured before: not an error
    expect(rollback.events.map((x) => x.status)).to.deep.equal(["duplicate", "duplicate"]);

    const bad = doc([objectEvent("2003"), { ...objectEvent("2004"), action: undefined }]);
    const refused = await failure(forwarder.client.captureEpcis(bad));
    expect(statusOf(refused)).to.equal(400);
    expect((refused as HubError).problem.type).to.match(/epcis-validation$/);
    const missing = await failure(forwarder.client.epcisEvent(eventHash(objectEvent("2003"), CONTEXT)));
    expect(statusOf(missing)).to.equal(404);

    const proceed = await forwarder.client.waitForCapture(await forwarder.client.captureEpcis(doc([objectEvent("2005")]), { errorBehaviour: "proceed" }));
    expect(proceed).to.include({ success: true, captureErrorBehaviour: "proceed" });
  });

  it("refuses documents over the capture limit with a 413 problem", async function () {
    const many = Array.from({ length: 501 }, (_, i) => objectEvent(String(5000 + i)));
    const e = await failure(forwarder.client.captureEpcis(doc(many)));
    expect(statusOf(e)).to.equal(413);
  });

  it("a member's own signed events (SDK) are queryable like captured ones", async function () {
    const e = objectEvent("3001", { bizStep: "commissioning", disposition: "active" });
    const published = await brand.client.publishEpcis(doc([e]));
    expect(published).to.have.length(1);
    expect(await brand.client.publishEpcis(doc([e]))).to.have.length(0); // already there
    const found = eventList(await brand.client.epcisQuery({ EQ_bizStep: ["commissioning"] }));
    expect(found.map((x) => x.eventID)).to.deep.equal([eventHash(e, CONTEXT)]);
    const record = (await brand.client.getRecord(epcisRecordId(eventHash(e, CONTEXT), "aurora"))).record;
    expect(record.owner).to.equal("aurora");
    expect(record.body.capturedBy).to.equal(undefined);
  });

  it("refuses a member's EpcisEvent whose eventId is not its event's hash, or that claims capturedBy", async function () {
    const e = objectEvent("3002");
    const hash = eventHash(e, CONTEXT);
    const body = { eventId: hash, eventType: "ObjectEvent", eventTime: e.eventTime, eventTimeZoneOffset: "+08:00", epcs: [], links: [], event: { ...e, action: "ADD" }, context: [CONTEXT[1]] };
    const wrongHash = await failure(brand.client.publish("EpcisEvent", body as never, { id: epcisRecordId(hash, "aurora") }));
    expect(statusOf(wrongHash)).to.equal(400);
    const claims = await failure(brand.client.publish("EpcisEvent", { ...body, event: e, capturedBy: "swift-fwd" } as never, { id: epcisRecordId(hash, "swift-fwd") }));
    expect(statusOf(claims)).to.equal(403);
  });

  it("queries: EQ_/GE_/LT_ parameters, MATCH_epc in URN or Digital Link form, /epcs/{epc}/events", async function () {
    const c = forwarder.client;
    const all = eventList(await c.epcisQuery());
    expect(all.length).to.be.greaterThan(2);
    expect(eventList(await c.epcisQuery({ EQ_bizStep: ["https://ref.gs1.org/cbv/BizStep-shipping"] })).length).to.equal(all.length);
    expect(eventList(await c.epcisQuery({ EQ_bizStep: ["receiving"] }))).to.have.length(0);
    expect(eventList(await c.epcisQuery({ eventType: ["AggregationEvent"] }))).to.have.length(0);
    expect(eventList(await c.epcisQuery({ GE_eventTime: "2024-03-01T02:00:00Z" })).length).to.equal(all.length);
    expect(eventList(await c.epcisQuery({ LT_eventTime: "2024-03-01T02:00:00Z" }))).to.have.length(0);
    expect(eventList(await c.epcisQuery({ LT_recordTime: "2000-01-01T00:00:00Z" }))).to.have.length(0);
    const dl = "https://id.gs1.org/01/10614141073464/21/1001";
    expect(eventList(await c.epcisQuery({ MATCH_epc: [dl] })).map((x) => x.epcList)).to.deep.equal([["urn:epc:id:sgtin:0614141.107346.1001"]]);
    expect(eventList(await c.epcisQuery({ MATCH_epc: ["urn:epc:id:sgtin:0614141.107346.1001"] }))).to.have.length(1);
    expect(eventList(await c.epcisEventsOfEpc("https://example.com/01/10614141073464/21/1001"))).to.have.length(1);
    // The GTIN alone names every item of it.
    expect(eventList(await c.epcisEventsOfEpc("https://id.gs1.org/01/10614141073464")).length).to.equal(all.length);
    const bad = await failure(c.epcisQuery({ GE_eventTime: "yesterday" }));
    expect(statusOf(bad)).to.equal(400);
    const unknown = await fetch(`${hub.url}/epcis/events?EQ_colour=red`, { headers: { authorization: `Bearer ${await c.accessToken()}` } });
    expect(unknown.status).to.equal(400);
  });

  it("pages with perPage and an opaque, stable nextPageToken in the Link header", async function () {
    const token = await forwarder.client.accessToken();
    const seen: string[] = [];
    let url: string | undefined = `${hub.url}/epcis/events?perPage=2`;
    let pages = 0;
    while (url) {
      const res: Response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).to.equal(200);
      const body = (await res.json()) as Parameters<typeof eventList>[0];
      const list = eventList(body);
      expect(list.length).to.be.at.most(2);
      seen.push(...list.map((e) => String(e.eventID)));
      // Events stored meanwhile do not shift the pages already read.
      if (pages === 0) await forwarder.client.waitForCapture(await forwarder.client.captureEpcis(doc([objectEvent("4001")])));
      const link: string | null = res.headers.get("link");
      url = link ? `${hub.url}${/^<([^>]+)>; rel="next"$/.exec(link)![1]}` : undefined;
      pages++;
    }
    const all = eventList(await forwarder.client.epcisQuery({ perPage: 1000 })).map((e) => String(e.eventID));
    expect(seen).to.deep.equal(all);
    expect(new Set(seen).size).to.equal(seen.length);
    const forged = await fetch(`${hub.url}/epcis/events?perPage=2&nextPageToken=abc`, { headers: { authorization: `Bearer ${token}` } });
    expect(forged.status).to.equal(400);
  });

  it("named queries: create, run, and they see only the caller's events", async function () {
    const c = forwarder.client;
    const token = await c.accessToken();
    const created = await fetch(`${hub.url}/epcis/queries`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "shipped", query: { EQ_bizStep: ["shipping"], eventType: ["ObjectEvent"] } }),
    });
    expect(created.status).to.equal(201);
    expect(created.headers.get("location")).to.equal("/epcis/queries/shipped");
    const res = await fetch(`${hub.url}/epcis/queries/shipped/events`, { headers: { authorization: `Bearer ${token}` } });
    const list = eventList((await res.json()) as Parameters<typeof eventList>[0]);
    expect(list.length).to.equal(eventList(await c.epcisQuery({ EQ_bizStep: ["shipping"], eventType: ["ObjectEvent"] })).length);
    const other = await fetch(`${hub.url}/epcis/queries/shipped/events`, { headers: { authorization: `Bearer ${await outsider.client.accessToken()}` } });
    expect(other.status).to.equal(404);
  });

  it("a party that may not see an event gets 404 for it and never sees it in lists, counts or EPC queries", async function () {
    const e = objectEvent("1002", { eventID: "urn:uuid:8d0e4d62-2d45-4c43-9d8a-8e1f3c3b0a01" });
    const hash = eventHash(e, CONTEXT);
    expect(statusOf(await failure(outsider.client.epcisEvent(hash)))).to.equal(404);
    expect(statusOf(await failure(outsider.client.epcisEvent("urn:uuid:8d0e4d62-2d45-4c43-9d8a-8e1f3c3b0a01")))).to.equal(404);
    expect(eventList(await outsider.client.epcisQuery({ perPage: 1000 }))).to.have.length(0);
    expect(eventList(await outsider.client.epcisEventsOfEpc("urn:epc:id:sgtin:0614141.107346.1002"))).to.have.length(0);
    // The brand sees its own events only, not the forwarder's.
    const brandSees = eventList(await brand.client.epcisQuery({ perPage: 1000 })).map((x) => x.eventID);
    expect(brandSees).to.not.include(hash);
    // A capture job is its capturer's only.
    const job = await forwarder.client.captureEpcis(doc([objectEvent("6001")]));
    expect(statusOf(await failure(outsider.client.captureJob(job)))).to.equal(404);
    // A grant by the attesting operator lets another party read it.
    await operatorClient(hub.url).grant(epcisRecordId(hash, "swift-fwd"), "nosy");
    expect(eventList(await outsider.client.epcisEvent(hash))).to.have.length(1);
  });

  it("links events to hub records named urn:cargoproof:record:{id}", async function () {
    // A certificate is an accredited certifier's to issue (docs/authority.md); the brand's event names it.
    const certifier = await admit(hub.url, "quality-lab", ["CERTIFIER"]);
    const cert = await certifier.client.publish("Certification", {
      kind: "QUALITY",
      certificateNumber: "Q-1",
      issuedTo: "Aurora",
      subjects: ["10614141073464"],
      scope: "audio equipment",
      validFrom: "2024-01-01",
      validUntil: "2025-01-01",
    });
    const e = objectEvent("7001", { certificationInfo: recordUrn(cert.record.id), bizTransactionList: [{ type: "po", bizTransaction: recordUrn("order-77") }, { type: "po", bizTransaction: "http://example.com/po/1" }] });
    await brand.client.publishEpcis(doc([e]));
    const record = (await brand.client.getRecord(epcisRecordId(eventHash(e, CONTEXT), "aurora"))).record;
    expect(record.body.links).to.deep.equal([{ recordId: cert.record.id }, { recordId: "order-77" }]);
  });

  it("answers 406 to another EPCIS version", async function () {
    const res = await fetch(`${hub.url}/epcis/events`, { headers: { authorization: `Bearer ${await forwarder.client.accessToken()}`, "GS1-EPCIS-Version": "1.2" } });
    expect(res.status).to.equal(406);
  });
});
