// A full air export over real HTTP, through the ONE Record API only: the forwarder books, the airline
// confirms and issues the master waybill, the forwarder links its house waybills, the handler posts
// received / prepared-for-loading / departed, the airline posts the arrival, and customs of the
// arrival airport reads the manifest by policy. Each party sees exactly what it should, each
// notification arrives once, and every object verifies against the chain.
import { expect } from "chai";
import { HubError } from "../../sdk/client";
import { OneRecordClient } from "../../sdk/one-record/client";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import type { SignedRecord } from "../../sdk/envelope";
import { verifyRecord } from "../../sdk/verify";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "./harness";
import { WebhookReceiver } from "./webhook-receiver";
import { oneRecordClient } from "./one-record-harness";

const CARGO = "https://onerecord.iata.org/ns/cargo#";
const API = "https://onerecord.iata.org/ns/api#";
const XSD = "http://www.w3.org/2001/XMLSchema#";
const CONTEXT = { cargo: CARGO, api: API, xsd: XSD };
const STATUS = "https://onerecord.iata.org/ns/code-lists/StatusCode#";

const location = (code: string): JsonObject => ({
  "@type": "cargo:Location",
  "cargo:locationCodes": [{ "@type": "cargo:CodeListElement", "cargo:code": code }],
});
const event = (code: string, name: string): JsonObject => ({
  "@context": CONTEXT,
  "@type": "cargo:LogisticsEvent",
  "cargo:eventCode": { "@id": STATUS + code },
  "cargo:eventName": name,
  "cargo:eventDate": { "@type": "xsd:dateTime", "@value": new Date().toISOString() },
});

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (e instanceof HubError) return e.status;
    throw e;
  }
}

describe(`air export over ONE Record, end to end (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let orgs: Record<"forwarder" | "airline" | "handler" | "customs" | "outsider" | "rival", TestOrg>;
  let one: Record<keyof typeof orgs, OneRecordClient>;
  const receiver = new WebhookReceiver();
  /** Every record written in the scenario, to verify against the chain at the end. */
  const written: SignedRecord[] = [];
  const iri: Record<string, string> = {};

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    await receiver.start();
    hub = await startHubProcess(
      hubEnv(chain, database.url, { CUSTOMS_AIRPORTS: "customs-hkg=HKG", WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_RETRY_BASE_MS: "50" }),
    );
    const [forwarder, airline, handler, customs, outsider, rival] = await Promise.all([
      admit(hub.url, "swift-forwarding", ["FORWARDER"]),
      admit(hub.url, "skyline-air", ["AIRLINE"]),
      admit(hub.url, "hkg-ground", ["HANDLER"]),
      admit(hub.url, "customs-hkg", ["CUSTOMS"]),
      admit(hub.url, "curious-shipper", ["SHIPPER"]),
      admit(hub.url, "rival-forwarding", ["FORWARDER"]),
    ]);
    orgs = { forwarder, airline, handler, customs, outsider, rival };
    one = Object.fromEntries(Object.entries(orgs).map(([k, o]) => [k, oneRecordClient(o)])) as typeof one;
  });

  after(async function () {
    await hub?.stop();
    await receiver.stop();
    await database?.drop();
    await chain?.stop();
  });

  async function create(who: keyof typeof orgs, name: string, object: JsonObject): Promise<string> {
    const created = await one[who].createObject({ "@context": CONTEXT, ...object });
    written.push(created.record);
    iri[name] = created.iri;
    return created.iri;
  }

  /** The owner delegates read access to a party through ONE Record (accepted at once: it is the holder). */
  async function delegate(who: keyof typeof orgs, objects: string[], to: keyof typeof orgs): Promise<void> {
    await one[who].requestAccessDelegation({
      "@context": CONTEXT,
      "@type": "api:AccessDelegation",
      "api:hasLogisticsObject": objects.map((o) => ({ "@id": o })),
      "api:isRequestedFor": [{ "@id": one[to].partyIri(orgs[to].id) }],
      "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
      "api:notifyRequestStatusChange": false,
    });
  }

  it("the forwarder books: pieces, shipment and a booking request for the airline's offer", async function () {
    // The forwarder watches its shipment's events and the master waybill through ONE Record webhooks.
    await create("airline", "option", { "@type": "cargo:BookingOption", "cargo:statusBookingOption": { "@id": "cargo:BOOKABLE" } });
    await delegate("airline", [iri.option!], "forwarder");
    await create("forwarder", "piece1", {
      "@type": "cargo:Piece",
      "cargo:goodsDescription": "Watches",
      "cargo:grossWeight": {
        "@type": "cargo:Value",
        "cargo:numericalValue": 12.5,
        "cargo:unit": { "@id": "https://onerecord.iata.org/ns/code-lists/MeasurementUnitCode#KGM" },
      },
    });
    await create("forwarder", "piece2", {
      "@type": "cargo:Piece",
      "cargo:goodsDescription": "Watch straps",
      "cargo:specialHandlingCodes": [{ "@id": "https://onerecord.iata.org/ns/code-lists/SpecialHandlingCode#VAL" }],
    });
    await create("forwarder", "shipment", {
      "@type": "cargo:Shipment",
      "cargo:goodsDescription": "Watches and straps",
      "cargo:pieces": [{ "@id": iri.piece1! }, { "@id": iri.piece2! }],
    });
    await create("forwarder", "request", { "@type": "cargo:BookingRequest", "cargo:forBookingOption": { "@id": iri.option! } });
    await delegate("forwarder", [iri.request!], "airline");
    await one.forwarder.subscribe(
      {
        "@context": CONTEXT,
        "@type": "api:Subscription",
        "api:hasSubscriber": { "@id": one.forwarder.partyIri(orgs.forwarder.id) },
        "api:hasTopicType": { "@id": "api:LOGISTICS_OBJECT_IDENTIFIER" },
        "api:hasTopic": { "@type": "xsd:anyURI", "@value": iri.shipment! },
        "api:includeSubscriptionEventType": [{ "@id": "api:LOGISTICS_EVENT_RECEIVED" }],
      },
      { callbackUrl: receiver.url },
    );
    const read = await one.airline.getObject(iri.request!, { embedded: true });
    expect((read.object["cargo:forBookingOption"] as JsonObject)["@type"]).to.equal("cargo:BookingOption");
  });

  it("the airline confirms the booking and issues the master waybill to Hong Kong", async function () {
    await create("airline", "master", {
      "@type": "cargo:Waybill",
      "cargo:waybillType": { "@id": "cargo:MASTER" },
      "cargo:waybillPrefix": "160",
      "cargo:waybillNumber": "12345675",
      "cargo:departureLocation": location("FRA"),
      "cargo:arrivalLocation": location("HKG"),
    });
    await create("airline", "booking", {
      "@type": "cargo:Booking",
      "cargo:bookingStatus": { "@id": "cargo:CONFIRMED" },
      "cargo:bookingRequest": { "@id": iri.request! },
      "cargo:issuedForWaybill": { "@id": iri.master! },
    });
    await delegate("airline", [iri.booking!, iri.master!], "forwarder");
    expect((await one.forwarder.getObject(iri.booking!)).object["cargo:bookingStatus"]).to.deep.equal({ "@id": `${CARGO}CONFIRMED` });
    await one.forwarder.subscribe(
      {
        "@context": CONTEXT,
        "@type": "api:Subscription",
        "api:hasSubscriber": { "@id": one.forwarder.partyIri(orgs.forwarder.id) },
        "api:hasTopicType": { "@id": "api:LOGISTICS_OBJECT_IDENTIFIER" },
        "api:hasTopic": { "@type": "xsd:anyURI", "@value": iri.master! },
        "api:includeSubscriptionEventType": [{ "@id": "api:LOGISTICS_OBJECT_UPDATED" }, { "@id": "api:LOGISTICS_EVENT_RECEIVED" }],
      },
      { callbackUrl: receiver.url },
    );
  });

  it("the forwarder links its house waybills: houses name the master, and the airline accepts the change that lists them", async function () {
    for (const [name, number] of [
      ["house1", "SWF0001"],
      ["house2", "SWF0002"],
    ] as const)
      await create("forwarder", name, {
        "@type": "cargo:Waybill",
        "cargo:waybillType": { "@id": "cargo:HOUSE" },
        "cargo:waybillNumber": number,
        "cargo:masterWaybill": { "@id": iri.master! },
        "cargo:shipment": { "@id": iri.shipment! },
      });
    // A rival's house for another flight: nothing of it reaches anyone in this scenario.
    await create("rival", "otherMaster", {
      "@type": "cargo:Waybill",
      "cargo:waybillType": { "@id": "cargo:MASTER" },
      "cargo:waybillPrefix": "160",
      "cargo:waybillNumber": "22345676",
      "cargo:arrivalLocation": location("PVG"),
    });
    await create("rival", "rivalHouse", {
      "@type": "cargo:Waybill",
      "cargo:waybillType": { "@id": "cargo:HOUSE" },
      "cargo:waybillNumber": "RIV0001",
      "cargo:masterWaybill": { "@id": iri.otherMaster! },
    });

    const requested = await one.forwarder.requestChange(iri.master!, {
      "@context": CONTEXT,
      "@type": "api:Change",
      "api:hasLogisticsObject": { "@id": iri.master! },
      "api:hasDescription": "Consolidate house waybills",
      "api:hasRevision": { "@type": "xsd:positiveInteger", "@value": "1" },
      "api:notifyRequestStatusChange": true,
      "api:hasOperation": [iri.house1!, iri.house2!].map((house) => ({
        "@type": "api:Operation",
        "api:op": { "@id": "api:ADD" },
        "api:s": iri.master!,
        "api:p": { "@type": "xsd:anyURI", "@value": `${CARGO}houseWaybills` },
        "api:o": [{ "@type": "api:OperationObject", "api:hasDatatype": { "@type": "xsd:anyURI", "@value": `${CARGO}Waybill` }, "api:hasValue": house }],
      })),
    });
    written.push(requested.record);
    const accepted = await one.airline.acceptChange(requested.iri);
    written.push(accepted.record);
    const master = await one.forwarder.getObject(iri.master!);
    expect(master).to.include({ revision: 2, latestRevision: 2 });
    expect(master.object["cargo:houseWaybills"]).to.have.deep.members([{ "@id": iri.house1 }, { "@id": iri.house2 }]);
    const { request } = await one.forwarder.actionRequest(requested.iri);
    expect(request["api:hasRequestStatus"]).to.deep.equal({ "@id": "api:REQUEST_ACCEPTED" });
  });

  it("the handler, given the shipment with what is linked to it, posts received, prepared for loading and departed", async function () {
    await orgs.forwarder.client.grant(iri.shipment!.split("/").pop()!, orgs.handler.id, undefined, "linked");
    for (const piece of [iri.piece1!, iri.piece2!]) expect((await one.handler.getObject(piece)).revision).to.equal(1);
    for (const [code, name] of [
      ["RCS", "Received from shipper"],
      ["PRE", "Prepared for loading"],
      ["DEP", "Departed"],
    ] as const) {
      const posted = await one.handler.appendEvent(iri.shipment!, event(code, name));
      written.push(posted.record);
    }
    const events = await one.forwarder.events(iri.shipment!);
    expect(events.totalItems).to.equal(3);
  });

  it("the airline posts the arrival on the master waybill", async function () {
    const posted = await one.airline.appendEvent(iri.master!, event("ARR", "Arrived"));
    written.push(posted.record);
    expect((await one.airline.events(iri.master!, { eventCodes: ["ARR"] })).totalItems).to.equal(1);
  });

  it("customs of the arrival airport reads the manifest by policy: the master, its houses, their shipment, pieces and events; nothing else", async function () {
    for (const name of ["master", "house1", "house2", "shipment", "piece1", "piece2"])
      expect(await status(one.customs.getObject(iri[name]!)), name).to.equal(200);
    expect((await one.customs.events(iri.shipment!)).totalItems).to.equal(3);
    expect((await one.customs.events(iri.master!)).totalItems).to.equal(1);
    for (const name of ["booking", "request", "option", "rivalHouse", "otherMaster"])
      expect(await status(one.customs.getObject(iri[name]!)), name).to.equal(404);
  });

  it("each party sees exactly what it should", async function () {
    const readable = async (who: keyof typeof orgs) => {
      const out: string[] = [];
      for (const [name, target] of Object.entries(iri)) if ((await status(one[who].getObject(target))) === 200) out.push(name);
      return out.sort();
    };
    expect(await readable("forwarder")).to.deep.equal(["booking", "house1", "house2", "master", "option", "piece1", "piece2", "request", "shipment"]);
    expect(await readable("airline")).to.deep.equal(["booking", "master", "option", "request"]);
    expect(await readable("handler")).to.deep.equal(["piece1", "piece2", "shipment"]);
    expect(await readable("customs")).to.deep.equal(["house1", "house2", "master", "piece1", "piece2", "shipment"]);
    expect(await readable("outsider")).to.deep.equal([]);
    expect(await readable("rival")).to.deep.equal(["otherMaster", "rivalHouse"]);
    // The handler's events are on the shipment's log; the handler cannot reach the master's.
    expect(await status(one.handler.events(iri.master!))).to.equal(404);
    expect(await status(one.outsider.events(iri.shipment!))).to.equal(404);
  });

  it("each notification arrives once: the handler's events and the arrival by webhook, the change request to the airline and its acceptance to the forwarder", async function () {
    const expected = 5; // RCS, PRE, DEP on the shipment; the master's revision 2; ARR on the master
    await waitFor("the webhook calls", () => receiver.unique().length >= expected, 30_000);
    await new Promise((r) => setTimeout(r, 500)); // anything extra would have arrived by now
    const got = receiver.unique().map((c) => c.rawBody);
    expect(got).to.have.length(expected);
    const kinds = got.map((raw) => {
      const n = JSON.parse(raw) as JsonObject;
      return ((n["api:hasEventType"] as JsonObject)["@id"] as string).replace(/^api:/, "").replace(API, "");
    });
    expect(kinds.filter((k) => k === "LOGISTICS_EVENT_RECEIVED")).to.have.length(4);
    expect(kinds.filter((k) => k === "LOGISTICS_OBJECT_UPDATED")).to.have.length(1);

    const airlineFeed = (await orgs.airline.client.notifications()).notifications.filter((n) => n.kind.startsWith("CHANGE_REQUEST_"));
    expect(airlineFeed.map((n) => n.kind)).to.deep.equal(["CHANGE_REQUEST_PENDING"]);
    const forwarderFeed = (await orgs.forwarder.client.notifications()).notifications.filter((n) => n.kind.startsWith("CHANGE_REQUEST_"));
    expect(forwarderFeed.map((n) => n.kind)).to.deep.equal(["CHANGE_REQUEST_ACCEPTED"]);
  });

  it("every object, revision, change request and event verifies against the chain", async function () {
    const contracts = { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry };
    expect(written.length).to.be.greaterThan(15);
    for (const record of written) {
      const owner = Object.values(orgs).find((o) => o.id === record.owner)!;
      const proof = await owner.client.waitForProof(record.id, record.version);
      const verdict = await verifyRecord({ record, proof, chain: { provider: chain.provider }, contracts });
      expect(verdict.valid, `${record.type} ${record.id}@${record.version}: ${JSON.stringify(verdict)}`).to.equal(true);
      expect(verdict.signature.signer).to.equal(owner.key.address);
    }
  });
});
