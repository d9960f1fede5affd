import { expect } from "chai";
import { HubError } from "../../sdk/client";
import { eventHash } from "../../sdk/epcis/event-hash";
import { recordUrn } from "../../sdk/epcis/extract";
import { EpcisEventBody, epcisRecordId } from "../../sdk/records/epcis-event";
import { epcisVariantRecordId } from "../../sdk/epcis/records";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  operatorClient,
  startHubProcess,
  startTestChain,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

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
type QueryAnswer = { epcisBody: { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } } };
const eventList = (r: QueryAnswer) => r.epcisBody.queryResults.resultsBody.eventList;
/** The hub's identifiers of the answer's events, beside them (eventList order). */
const hubIds = (r: QueryAnswer) =>
  ((r.epcisBody.queryResults as Record<string, unknown>)["urn:cargoproof:events"] as Record<string, string>[]).map((x) => ({
    recordId: x["urn:cargoproof:recordId"]!,
    eventHash: x["urn:cargoproof:eventHash"]!,
  }));
const hashesOf = (r: QueryAnswer) => hubIds(r).map((x) => x.eventHash);

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
    [forwarder, brand, outsider] = await Promise.all([
      admit(hub.url, "swift-fwd", ["FORWARDER"]),
      admit(hub.url, "aurora", ["BRAND"]),
      admit(hub.url, "nosy", ["SHIPPER"]),
    ]);
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
    expect(job.events).to.deep.equal(hashes.map((eventID) => ({ eventID, status: "captured", recordId: epcisRecordId(eventID, "swift-fwd") })));

    // Readable by hash and (for the second) by its own eventID; exactly as captured plus recordTime.
    const answer = await forwarder.client.epcisEvent(hashes[0]!);
    const byHash = eventList(answer);
    expect(byHash).to.have.length(1);
    const { recordTime, ...rest } = byHash[0]!;
    expect(rest).to.deep.equal(events[0]); // it had no eventID: none is written into it
    expect(hubIds(answer)).to.deep.equal([{ recordId: epcisRecordId(hashes[0]!, "swift-fwd"), eventHash: hashes[0] }]); // the hub's, beside it
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
    expect(captured.events).to.deep.equal(
      [eventHash(objectEvent("2002"), CONTEXT), hash].map((eventID) => ({ eventID, status: "captured", recordId: epcisRecordId(eventID, "swift-fwd") })),
    );
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
    expect(found.map((x) => x.eventID)).to.deep.equal([undefined]);
    expect(hashesOf(await brand.client.epcisQuery({ EQ_bizStep: ["commissioning"] }))).to.deep.equal([eventHash(e, CONTEXT)]);
    const record = (await brand.client.getRecord(epcisRecordId(eventHash(e, CONTEXT), "aurora"))).record;
    expect(record.owner).to.equal("aurora");
    expect(record.body.capturedBy).to.equal(undefined);
  });

  it("refuses a member's EpcisEvent whose eventId is not its event's hash, or that claims capturedBy", async function () {
    const e = objectEvent("3002");
    const hash = eventHash(e, CONTEXT);
    const body = {
      eventId: hash,
      eventType: "ObjectEvent",
      eventTime: e.eventTime,
      eventTimeZoneOffset: "+08:00",
      epcs: [],
      links: [],
      event: { ...e, action: "ADD" },
      context: [CONTEXT[1]],
    };
    const wrongHash = await failure(brand.client.publish("EpcisEvent", body as never, { id: epcisRecordId(hash, "aurora") }));
    expect(statusOf(wrongHash)).to.equal(400);
    const claims = await failure(
      brand.client.publish("EpcisEvent", { ...body, event: e, capturedBy: "swift-fwd" } as never, { id: epcisRecordId(hash, "swift-fwd") }),
    );
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
      expect(hubIds(body)).to.have.length(list.length);
      seen.push(...hubIds(body).map((x) => x.recordId));
      // Events stored meanwhile do not shift the pages already read.
      if (pages === 0) await forwarder.client.waitForCapture(await forwarder.client.captureEpcis(doc([objectEvent("4001")])));
      const link: string | null = res.headers.get("link");
      url = link ? `${hub.url}${/^<([^>]+)>; rel="next"$/.exec(link)![1]}` : undefined;
      pages++;
    }
    const all = hubIds(await forwarder.client.epcisQuery({ perPage: 1000 })).map((x) => x.recordId);
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
    const brandSees = hashesOf(await brand.client.epcisQuery({ perPage: 1000 }));
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
    const e = objectEvent("7001", {
      certificationInfo: recordUrn(cert.record.id),
      bizTransactionList: [
        { type: "po", bizTransaction: recordUrn("order-77") },
        { type: "po", bizTransaction: "http://example.com/po/1" },
      ],
    });
    await brand.client.publishEpcis(doc([e]));
    const record = (await brand.client.getRecord(epcisRecordId(eventHash(e, CONTEXT), "aurora"))).record;
    expect(record.body.links).to.deep.equal([{ recordId: cert.record.id }, { recordId: "order-77" }]);
  });

  it("answers 406 to another EPCIS version", async function () {
    const res = await fetch(`${hub.url}/epcis/events`, {
      headers: { authorization: `Bearer ${await forwarder.client.accessToken()}`, "GS1-EPCIS-Version": "1.2" },
    });
    expect(res.status).to.equal(406);
  });

  // EPCIS 2.0 §7.4.1.2 (error declarations), §8.2.7.1 (their query parameters).
  it("corrections are data: an error declaration is its own event, found by the error query parameters with the original and the corrective event", async function () {
    const c = forwarder.client;
    const originalId = "urn:uuid:0b7e7c9e-8001-4d1a-9a51-000000008001";
    const correctiveId = "urn:uuid:0b7e7c9e-8001-4d1a-9a51-00000000c001";
    const original = objectEvent("8001", { eventID: originalId });
    const corrective = objectEvent("8001", { eventID: correctiveId, eventTime: "2024-03-01T11:00:00.000+08:00", disposition: "in_progress" });
    const declaration = {
      ...original,
      errorDeclaration: { declarationTime: "2024-03-02T09:00:00.000+01:00", reason: "incorrect_data", correctiveEventIDs: [correctiveId], "example:by": "QA" },
    };
    const hash = eventHash(original, CONTEXT);
    expect(eventHash(declaration, CONTEXT)).to.equal(hash); // the hash ignores errorDeclaration: same event
    expect((await c.waitForCapture(await c.captureEpcis(doc([original])))).events.map((x) => x.status)).to.deep.equal(["captured"]);
    const job = await c.waitForCapture(await c.captureEpcis(doc([declaration, corrective])));
    expect(job.events.map((x) => x.status)).to.deep.equal(["captured", "captured"]);
    expect(job.events[0]!.recordId).to.match(new RegExp(`^${epcisRecordId(hash, "swift-fwd")}\\.[0-9a-f]{24}$`));

    // Its own eventID (the original's) answers both, as captured: the declaration keeps its time, reason and correctives.
    const strip = (e: Record<string, unknown>) => {
      const { recordTime: _t, ...rest } = e;
      return rest;
    };
    const both = eventList(await c.epcisEvent(originalId));
    expect(both.map(strip)).to.deep.equal([original, declaration]);
    expect(eventList(await c.epcisEvent(hash)).map(strip)).to.deep.equal([original, declaration]);

    const only = async (params: Parameters<typeof c.epcisQuery>[0]) => eventList(await c.epcisQuery({ ...params, perPage: 1000 })).map(strip);
    expect(await only({ EXISTS_errorDeclaration: true })).to.deep.equal([declaration]);
    expect((await only({ EXISTS_errorDeclaration: false })).length).to.be.greaterThan(2);
    expect(await only({ EQ_errorReason: ["incorrect_data"] })).to.deep.equal([declaration]);
    expect(await only({ EQ_errorReason: ["https://ref.gs1.org/cbv/ER-incorrect_data"] })).to.deep.equal([declaration]);
    expect(await only({ EQ_errorReason: ["did_not_occur"] })).to.deep.equal([]);
    expect(await only({ EQ_correctiveEventID: [correctiveId] })).to.deep.equal([declaration]);
    expect(await only({ EQ_correctiveEventID: ["urn:uuid:00000000-0000-0000-0000-000000000000"] })).to.deep.equal([]);
    // 09:00+01:00 is 08:00Z
    expect(await only({ GE_errorDeclarationTime: "2024-03-02T08:00:00Z" })).to.deep.equal([declaration]);
    expect(await only({ GE_errorDeclarationTime: "2024-03-02T08:00:00.001Z" })).to.deep.equal([]);
    expect(await only({ LT_errorDeclarationTime: "2024-03-02T08:00:00.001Z" })).to.deep.equal([declaration]);
    expect(await only({ LT_errorDeclarationTime: "2024-03-02T08:00:00Z" })).to.deep.equal([]);
    // ...and the corrective event is found by its own eventID.
    expect(eventList(await c.epcisEvent(correctiveId)).map(strip)).to.deep.equal([corrective]);
    const bad = await fetch(`${hub.url}/epcis/events?EXISTS_errorDeclaration=maybe`, { headers: { authorization: `Bearer ${await c.accessToken()}` } });
    expect(bad.status).to.equal(400);

    // The declaration's record is hub-attested and verifies like any other.
    const op = operatorClient(hub.url);
    const record = (await op.getRecord(job.events[0]!.recordId!)).record;
    expect(record.body.event).to.deep.equal(declaration);
    expect((await op.verifyRemote(record, await op.waitForProof(record.id))).valid).to.equal(true);

    // An outsider sees none of it: 404 by the shared eventID, nothing in error queries.
    expect(statusOf(await failure(outsider.client.epcisEvent(originalId)))).to.equal(404);
    expect(eventList(await outsider.client.epcisQuery({ EXISTS_errorDeclaration: true }))).to.have.length(0);
  });

  it("keeps what was captured: a copy differing only in what the hash ignores is stored; the exact same captured event again is a duplicate", async function () {
    const c = forwarder.client;
    const plain = objectEvent("8101");
    const commented = { ...plain, "rdfs:comment": "read twice at the dock door" };
    const reordered = Object.fromEntries(Object.entries(plain).reverse()); // key order is not data
    const first = await c.waitForCapture(await c.captureEpcis(doc([plain])));
    const second = await c.waitForCapture(await c.captureEpcis(doc([commented, reordered, commented])));
    expect(second.events.map((x) => x.status)).to.deep.equal(["captured", "duplicate", "duplicate"]);
    expect(second.events[1]!.recordId).to.equal(first.events[0]!.recordId);
    expect(second.events[2]!.recordId).to.equal(second.events[0]!.recordId);
    const back = eventList(await c.epcisEvent(eventHash(plain, CONTEXT))).map(({ recordTime: _t, ...e }) => e);
    expect(back).to.deep.equal([plain, commented]);
    // The same again, later: duplicates, nothing new.
    const again = await c.waitForCapture(await c.captureEpcis(doc([commented])));
    expect(again.events.map((x) => x.status)).to.deep.equal(["duplicate"]);
    expect(eventList(await c.epcisEvent(eventHash(plain, CONTEXT)))).to.have.length(2);

    // A member's own signed copy: the same again is refused as existing (409); the SDK skips what is there.
    const own = objectEvent("8102");
    expect(await brand.client.publishEpcis(doc([own]))).to.have.length(1);
    const body = EpcisEventBody.parse((await brand.client.getRecord(epcisRecordId(eventHash(own, CONTEXT), "aurora"))).record.body);
    const repeat = await failure(brand.client.publish("EpcisEvent", body, { id: epcisVariantRecordId(body, "aurora") }));
    expect(statusOf(repeat)).to.equal(409);
    const ownComment = { ...body, event: { ...body.event, "rdfs:comment": "ours" } };
    const stored = await brand.client.publish("EpcisEvent", ownComment, { id: epcisVariantRecordId(ownComment, "aurora") });
    expect(stored.record.id).to.equal(epcisVariantRecordId(ownComment, "aurora"));
    const third = { ...body, event: { ...body.event, "rdfs:comment": "third" } };
    const wrongVariant = await failure(
      brand.client.publish("EpcisEvent", { ...body, event: { ...body.event, "rdfs:comment": "other" } }, { id: epcisVariantRecordId(third, "aurora") }),
    );
    expect(statusOf(wrongVariant)).to.equal(400);
  });

  it("a member's own error declaration (SDK publishEpcis) is published beside its event, under the variant id; publishing it again adds nothing", async function () {
    const own = objectEvent("8401", { eventID: "urn:uuid:2b9c4f00-8401-4000-8000-000000008401" });
    const declaration = { ...own, errorDeclaration: { declarationTime: "2024-03-03T00:00:00Z", reason: "did_not_occur" } };
    expect(await brand.client.publishEpcis(doc([own]))).to.have.length(1);
    const published = await brand.client.publishEpcis(doc([declaration]));
    expect(published).to.have.length(1);
    const stored = (await brand.client.getRecord(published[0]!.id)).record;
    expect(stored.id).to.equal(epcisVariantRecordId(EpcisEventBody.parse(stored.body), "aurora"));
    expect(stored.body.event).to.deep.equal(declaration);
    expect(await brand.client.publishEpcis(doc([own, declaration]))).to.have.length(0);
    const strip = ({ recordTime: _t, ...rest }: Record<string, unknown>) => rest;
    expect(eventList(await brand.client.epcisEvent("urn:uuid:2b9c4f00-8401-4000-8000-000000008401")).map(strip)).to.deep.equal([own, declaration]);
  });

  it("different captured events sharing an eventID (one organisation's, or two's) all stay readable: each reads its own, no one else's", async function () {
    const shared = "urn:uuid:5a1d0c1e-0000-4000-8000-00000000beef";
    const mine = objectEvent("8201", { eventID: shared });
    const mineToo = objectEvent("8203", { eventID: shared, disposition: "in_progress" });
    const theirs = objectEvent("8202", { eventID: shared, bizStep: "receiving" });
    await forwarder.client.waitForCapture(await forwarder.client.captureEpcis(doc([mine])));
    await forwarder.client.waitForCapture(await forwarder.client.captureEpcis(doc([mineToo])));
    await brand.client.waitForCapture(await brand.client.captureEpcis(doc([theirs])));
    const strip = (e: Record<string, unknown>) => {
      const { recordTime: _t, ...rest } = e;
      return rest;
    };
    expect(eventList(await forwarder.client.epcisEvent(shared)).map(strip)).to.deep.equal([mine, mineToo]);
    expect(eventList(await brand.client.epcisEvent(shared)).map(strip)).to.deep.equal([theirs]);
    expect(statusOf(await failure(outsider.client.epcisEvent(shared)))).to.equal(404);
  });

  it("reads are logged: every event an EPCIS read returns is a READ line in its attester's access log, a refused one a DENY line", async function () {
    const ownId = "urn:uuid:1e5a7b00-8301-4000-8000-000000008301";
    const e = objectEvent("8301", { eventID: ownId });
    const job = await forwarder.client.waitForCapture(await forwarder.client.captureEpcis(doc([e])));
    const recordId = job.events[0]!.recordId!;
    const ownLines = async () => {
      const res = await fetch(`${hub.url}/v1/access-log?limit=1000&recordId=${encodeURIComponent(recordId)}`, {
        headers: { authorization: `Bearer ${await forwarder.client.accessToken()}` },
      });
      expect(res.status).to.equal(200);
      return ((await res.json()) as { entries: { actor: string; action: string; recordId: string | null; owner: string | null; detail: string | null }[] })
        .entries;
    };
    expect(await ownLines()).to.deep.equal([]);
    await forwarder.client.epcisEvent(ownId);
    await forwarder.client.epcisQuery({ MATCH_epc: ["urn:epc:id:sgtin:0614141.107346.8301"] });
    await forwarder.client.epcisEventsOfEpc("urn:epc:id:sgtin:0614141.107346.8301");
    const token = await forwarder.client.accessToken();
    await fetch(`${hub.url}/epcis/queries`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "item-8301", query: { MATCH_epc: ["urn:epc:id:sgtin:0614141.107346.8301"] } }),
    });
    expect((await fetch(`${hub.url}/epcis/queries/item-8301/events`, { headers: { authorization: `Bearer ${token}` } })).status).to.equal(200);
    expect(statusOf(await failure(outsider.client.epcisEvent(ownId)))).to.equal(404);
    const lines = await ownLines();
    expect(lines.map((l) => [l.actor, l.action, l.owner, l.detail])).to.deep.equal([
      ["swift-fwd", "READ", "swift-fwd", `epcis GET /epcis/events/${ownId}`],
      ["swift-fwd", "READ", "swift-fwd", "epcis GET /epcis/events"],
      ["swift-fwd", "READ", "swift-fwd", "epcis GET /epcis/epcs/urn:epc:id:sgtin:0614141.107346.8301/events"],
      ["swift-fwd", "READ", "swift-fwd", "epcis GET /epcis/queries/item-8301/events"],
      ["nosy", "DENY", "swift-fwd", "READ"],
    ]);
  });
});
