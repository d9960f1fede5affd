import { expect } from "chai";
import { eventHash } from "../../sdk/epcis/event-hash";
import { epcisXmlToDocument } from "../../sdk/epcis/xml";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "../integration/harness";

/**
 * EPCIS 2.0 REST binding (openapi.yaml), what a read answers: the GS1-EPC-Format and
 * GS1-CBV-XML-Format request headers (components/parameters), and the XML binding
 * (EPCISQueryDocument, EPCIS 2.0 §9 and the query schema) by content negotiation, against a real hub.
 */

const NS = "https://ns.output.example/epcis/";
const CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", { out: NS }];
const ID = "https://id.gs1.org";

// TDS 2.x worked examples (GS1 Company Prefix 0614141) in URN and Digital Link form.
const SGTIN = ["urn:epc:id:sgtin:0614141.812345.6789", `${ID}/01/80614141123458/21/6789`] as const;
const SSCC = ["urn:epc:id:sscc:0614141.1234567890", `${ID}/00/106141412345678908`] as const;
const SGLN = ["urn:epc:id:sgln:0614141.12345.400", `${ID}/414/0614141123452/254/400`] as const;
const LGTIN = ["urn:epc:class:lgtin:4012345.012345.998877", `${ID}/01/04012345123456/10/998877`] as const;
const PGLN = ["urn:epc:id:pgln:0614141.12345", `${ID}/417/0614141123452`] as const;
const DL_ONLY = `${ID}/01/09521234000013/21/DL-1`; // captured as a Digital Link

/** Captured with EPCs in both forms (a URN event and a Digital Link event). */
const EVENTS = [
  {
    type: "ObjectEvent",
    action: "OBSERVE",
    eventTime: "2024-07-01T10:00:00.000Z",
    eventTimeZoneOffset: "+00:00",
    epcList: [SGTIN[0], DL_ONLY],
    bizStep: "shipping",
    disposition: "in_transit",
    readPoint: { id: SGLN[0] },
    bizLocation: { id: SGLN[1] },
    quantityList: [{ epcClass: LGTIN[0], quantity: 5, uom: "KGM" }],
    sourceList: [{ type: "owning_party", source: PGLN[0] }],
    bizTransactionList: [{ type: "po", bizTransaction: "http://transaction.example.com/po/1" }],
    "out:tag": "object",
  },
  {
    type: "AggregationEvent",
    action: "ADD",
    eventTime: "2024-07-01T11:00:00.000Z",
    eventTimeZoneOffset: "+00:00",
    eventID: "urn:uuid:5b0e6a3c-7a47-4e0b-9a55-0c5d36d2a0aa",
    parentID: SSCC[1],
    childEPCs: [SGTIN[1]],
    bizStep: "https://ref.gs1.org/cbv/BizStep-packing",
    persistentDisposition: { set: ["urn:epcglobal:cbv:disp:in_progress"] },
    "out:tag": "aggregation",
  },
];

type Answer = { epcisBody: { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } & Record<string, unknown> } };
const eventList = (a: unknown) => (a as Answer).epcisBody.queryResults.resultsBody.eventList;
/** An answer's events without the hub's recordTime, by their out:tag. */
const byTag = (list: Record<string, unknown>[]) => Object.fromEntries(list.map(({ recordTime: _r, ...e }) => [String(e["out:tag"]), e]));

describe("conformance: EPCIS 2.0 REST binding (openapi.yaml components/parameters GS1-EPC-Format, GS1-CBV-XML-Format; 406 NotAcceptable) and the XML binding's EPCISQueryDocument", function () {
  this.timeout(300_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let member: TestOrg;

  const get = async (path: string, headers: Record<string, string> = {}) =>
    fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${await member.client.accessToken()}`, ...headers } });
  /** Every read path that answers events (REST binding: events, one event, an EPC's events, a named query's events). */
  const READS = [
    "/epcis/events",
    `/epcis/events/${encodeURIComponent(EVENTS[1]!.eventID!)}`,
    `/epcis/epcs/${encodeURIComponent(SGTIN[0])}/events`,
    "/epcis/queries/output-all/events",
  ];

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    member = await admit(hub.url, "epcis-output", ["FORWARDER"]);
    const job = await member.client.waitForCapture(
      await member.client.captureEpcis({
        "@context": CONTEXT,
        type: "EPCISDocument",
        schemaVersion: "2.0",
        creationDate: "2024-07-01T12:00:00.000Z",
        epcisBody: { eventList: EVENTS },
      }),
    );
    expect(job.success, JSON.stringify(job.errors)).to.equal(true);
    const created = await fetch(`${hub.url}/epcis/queries`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await member.client.accessToken()}` },
      body: JSON.stringify({ name: "output-all", query: { eventType: ["ObjectEvent", "AggregationEvent"] } }),
    });
    expect(created.status).to.equal(201);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("GS1-EPC-Format absent, Never_Translates or No_Preference: the events exactly as captured, the answer says Never_Translates", async function () {
    for (const format of [undefined, "Never_Translates", "No_Preference"]) {
      const res = await get("/epcis/events", format === undefined ? {} : { "GS1-EPC-Format": format });
      expect(res.status).to.equal(200);
      expect(res.headers.get("gs1-epc-format"), format).to.equal("Never_Translates");
      expect(byTag(eventList(await res.json()))).to.deep.equal(byTag(EVENTS));
    }
  });

  it("GS1-EPC-Format Always_GS1_Digital_Link: every EPC (epcList, parentID, childEPCs, quantity class, readPoint, bizLocation, source) as its TDS Digital Link, on every read", async function () {
    for (const path of READS) {
      const res = await get(path, { "GS1-EPC-Format": "Always_GS1_Digital_Link" });
      expect(res.status, path).to.equal(200);
      expect(res.headers.get("gs1-epc-format")).to.equal("Always_GS1_Digital_Link");
      const answer = await res.json();
      const events = byTag(eventList(answer));
      if (events.object) {
        expect(events.object.epcList, path).to.deep.equal([SGTIN[1], DL_ONLY]);
        expect(events.object.readPoint).to.deep.equal({ id: SGLN[1] });
        expect(events.object.bizLocation).to.deep.equal({ id: SGLN[1] });
        expect(events.object.quantityList).to.deep.equal([{ epcClass: LGTIN[1], quantity: 5, uom: "KGM" }]);
        expect(events.object.sourceList).to.deep.equal([{ type: "owning_party", source: PGLN[1] }]);
        expect(events.object.bizTransactionList, "a transaction is not an EPC").to.deep.equal(EVENTS[0]!.bizTransactionList);
      }
      if (path.includes("/epcis/events/")) expect(Object.keys(events)).to.deep.equal(["aggregation"]);
      else if (!path.includes("/epcs/")) expect(Object.keys(events).sort()).to.deep.equal(["aggregation", "object"]);
      if (events.aggregation) expect(events.aggregation).to.deep.include({ parentID: SSCC[1], childEPCs: [SGTIN[1]] });
      // The hub's identifiers beside the events are those of the captured events.
      const plain = (await (await get(path)).json()) as Answer;
      expect((answer as Answer).epcisBody.queryResults["urn:cargoproof:events"]).to.deep.equal(plain.epcisBody.queryResults["urn:cargoproof:events"]);
    }
  });

  it("GS1-EPC-Format Always_EPC_URN: Digital Links whose company prefix length the hub cannot know stay as captured, URNs stay URNs", async function () {
    const res = await get("/epcis/events", { "GS1-EPC-Format": "Always_EPC_URN" });
    expect(res.status).to.equal(200);
    expect(res.headers.get("gs1-epc-format")).to.equal("Always_EPC_URN");
    expect(byTag(eventList(await res.json()))).to.deep.equal(byTag(EVENTS));
  });

  it("GS1-EPC-Format Always_EPC_URN: an event whose attester holds GS1 Company Prefixes (GS1_COMPANY_PREFIX credentials) has its Digital Links of those prefixes as TDS URNs", async function () {
    const brand = await admit(hub.url, "epcis-output-brand", ["BRAND"], [{ kind: "GS1_COMPANY_PREFIX", scope: { prefixes: ["0614141", "4012345"] } }]);
    const event = {
      ...EVENTS[0]!,
      epcList: [SGTIN[1], DL_ONLY],
      readPoint: { id: SGLN[1] },
      quantityList: [{ epcClass: LGTIN[1], quantity: 1 }],
      sourceList: [{ type: "owning_party", source: PGLN[1] }],
      "out:tag": "brand",
    };
    const job = await brand.client.waitForCapture(
      await brand.client.captureEpcis({
        "@context": CONTEXT,
        type: "EPCISDocument",
        schemaVersion: "2.0",
        creationDate: "2024-07-02T00:00:00.000Z",
        epcisBody: { eventList: [event] },
      }),
    );
    expect(job.success, JSON.stringify(job.errors)).to.equal(true);
    const read = async (format: string) =>
      byTag(
        eventList(
          await (
            await fetch(`${hub.url}/epcis/events`, { headers: { authorization: `Bearer ${await brand.client.accessToken()}`, "GS1-EPC-Format": format } })
          ).json(),
        ),
      ).brand!;
    // The credential is in force from its block's time, which an automining test chain may put a few seconds ahead of the clock.
    let urns = await read("Always_EPC_URN");
    for (let i = 0; i < 40 && (urns.epcList as string[])[0] !== SGTIN[0]; i++) {
      await new Promise((r) => setTimeout(r, 250));
      urns = await read("Always_EPC_URN");
    }
    expect(urns.epcList, "9521234 is not the brand's prefix: kept").to.deep.equal([SGTIN[0], DL_ONLY]);
    expect(urns.readPoint).to.deep.equal({ id: SGLN[0] });
    expect(urns.bizLocation).to.deep.equal({ id: SGLN[0] });
    expect(urns.quantityList).to.deep.equal([{ epcClass: LGTIN[0], quantity: 1 }]);
    expect(urns.sourceList).to.deep.equal([{ type: "owning_party", source: PGLN[0] }]);
    const { recordTime: _r, ...asCaptured } = await read("Never_Translates");
    expect(asCaptured).to.deep.equal(event);
  });

  it("GS1-EPC-Format / GS1-CBV-XML-Format outside the binding's enum: 400 problem naming the header, before anything is read", async function () {
    for (const [name, value] of [
      ["GS1-EPC-Format", "Always_Digital_Link"],
      ["GS1-EPC-Format", ""],
      ["GS1-CBV-XML-Format", "Always_Web_URL"],
    ] as const)
      for (const path of READS) {
        const res = await get(path, { [name]: value });
        expect(res.status, `${name}: ${value} ${path}`).to.equal(400);
        expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
        const problem = (await res.json()) as { type: string; detail: string; errors: { path: string }[] };
        expect(problem.type).to.equal("https://cargoproof.dev/problems/epcis-header");
        expect(problem.errors[0]!.path).to.equal(name);
        expect(problem.detail).to.contain(name);
      }
  });

  it("OPTIONS announces GS1-EPC-Format and GS1-CBV-XML-Format No_Preference (any value is taken)", async function () {
    const res = await fetch(`${hub.url}/epcis/events`, { method: "OPTIONS", headers: { authorization: `Bearer ${await member.client.accessToken()}` } });
    expect(res.status).to.equal(204);
    expect(res.headers.get("gs1-epc-format")).to.equal("No_Preference");
    expect(res.headers.get("gs1-cbv-xml-format")).to.equal("No_Preference");
  });

  it("EPCIS 2.0 §9 XML binding: Accept application/xml (or text/xml) answers an EPCISQueryDocument the XML capture reads back as the same events, on every read", async function () {
    for (const path of READS)
      for (const accept of ["application/xml", "text/xml", "application/xml;q=0.9, text/html"]) {
        const res = await get(path, { accept });
        expect(res.status, `${path} ${accept}`).to.equal(200);
        expect(res.headers.get("content-type")).to.match(accept.startsWith("text/xml") ? /^text\/xml/ : /^application\/xml/);
        expect(res.headers.get("vary")).to.match(/accept/i);
        const xml = await res.text();
        expect(xml).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<epcisq:EPCISQueryDocument [^>]*xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2"/);
        const back = epcisXmlToDocument(xml);
        expect(back.type).to.equal("EPCISQueryDocument");
        const plain = (await (await get(path)).json()) as Answer & { "@context": unknown };
        const [fromXml, json] = [eventList(back), eventList(plain)];
        expect(fromXml).to.have.length(json.length).and.to.have.length.greaterThan(0);
        // The same events as the JSON-LD answer: the same CBV 2.0 event hash (every field the hash
        // covers, a CBV URN being its bare word), and what the hash leaves out: eventID, recordTime.
        for (const [i, e] of json.entries()) {
          const x = fromXml[i]!;
          expect(eventHash(x, back["@context"]), `${path} #${i}`).to.equal(eventHash(e, plain["@context"]));
          for (const k of ["eventID", "recordTime", "out:tag", "epcList", "bizLocation"]) expect(x[k], `${path} #${i} ${k}`).to.deep.equal(e[k]);
        }
      }
  });

  it("XML binding with GS1-CBV-XML-Format: Always_URN writes CBV values as URNs, Always_Web_URI as Web URIs, Never_Translates as captured (bare words as URNs)", async function () {
    const values = async (format?: string) => {
      const xml = await (
        await get(`/epcis/events/${encodeURIComponent(EVENTS[1]!.eventID!)}`, {
          accept: "application/xml",
          ...(format ? { "GS1-CBV-XML-Format": format } : {}),
        })
      ).text();
      return [/<bizStep>([^<]+)<\/bizStep>/.exec(xml)?.[1], /<set>([^<]+)<\/set>/.exec(xml)?.[1]];
    };
    expect(await values("Always_URN")).to.deep.equal(["urn:epcglobal:cbv:bizstep:packing", "urn:epcglobal:cbv:disp:in_progress"]);
    expect(await values("Always_Web_URI")).to.deep.equal(["https://ref.gs1.org/cbv/BizStep-packing", "https://ref.gs1.org/cbv/Disp-in_progress"]);
    expect(await values()).to.deep.equal(["https://ref.gs1.org/cbv/BizStep-packing", "urn:epcglobal:cbv:disp:in_progress"]);
    const res = await get(`/epcis/events/${encodeURIComponent(EVENTS[1]!.eventID!)}`, { accept: "application/xml", "GS1-CBV-XML-Format": "Always_Web_URI" });
    expect(res.headers.get("gs1-cbv-xml-format")).to.equal("Always_Web_URI");
  });

  it("XML binding with GS1-EPC-Format: the XML answer carries the translated EPCs", async function () {
    const xml = await (await get("/epcis/events", { accept: "application/xml", "GS1-EPC-Format": "Always_GS1_Digital_Link" })).text();
    expect(xml).to.contain(`<epc>${SGTIN[1]}</epc>`).and.to.contain(`<parentID>${SSCC[1]}</parentID>`).and.not.contain(SGTIN[0]);
  });

  it("an Accept the hub cannot serve is 406 Not Acceptable (a problem), before anything is read; any type or none is JSON-LD", async function () {
    for (const path of READS) {
      const res = await get(path, { accept: "text/html" });
      expect(res.status, path).to.equal(406);
      expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
      expect(((await res.json()) as { type: string }).type).to.equal("https://cargoproof.dev/problems/not-acceptable");
      for (const accept of ["*/*", "application/json", "application/ld+json"]) {
        const ok = await get(path, { accept });
        expect(ok.status, `${path} ${accept}`).to.equal(200);
        expect(ok.headers.get("content-type")).to.match(/^application\/ld\+json/);
      }
    }
  });
});
