import { expect } from "chai";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";

/**
 * The rest of the EPCIS 2.0 REST binding over a real hub: every SimpleEventQuery parameter family,
 * orderBy / eventCountLimit / maxEventCount, the discovery endpoints, OPTIONS and the GS1-* headers;
 * another organisation's events never match and its identifiers are never listed.
 */

const NS = "http://ns.example.com/epcis/";
const CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", { example: NS }];
const field = (name: string) => `${NS}#${name}`; // the standard's "namespace#name" form of example:{name}

const base = (id: string, extra: Record<string, unknown>): Record<string, unknown> => ({
  type: "ObjectEvent",
  action: "OBSERVE",
  eventTimeZoneOffset: "+00:00",
  "example:id": id,
  ...extra,
});

// The forwarder's four events (A-D) and the outsider's look-alike of A (X).
const A = base("A", {
  action: "ADD",
  eventID: "urn:uuid:6b1f1c1e-3b8e-4a55-9a57-1b0d2a4a0001",
  eventTime: "2024-03-01T10:00:00.000Z",
  bizStep: "commissioning",
  disposition: "active",
  epcList: ["urn:epc:id:sgtin:0614141.107346.3001"],
  quantityList: [{ epcClass: "urn:epc:class:lgtin:4012345.012345.998877", quantity: 200, uom: "KGM" }],
  readPoint: { id: "urn:epc:id:sgln:0614141.07346.1001" },
  bizTransactionList: [{ type: "po", bizTransaction: "urn:epc:id:gdti:0614141.00001.1618034" }],
  sourceList: [{ type: "owning_party", source: "urn:epc:id:pgln:4012345.00225" }],
  persistentDisposition: { set: ["completeness_verified"] },
  ilmd: { "example:lot": "L1" },
  "example:grade": "A",
  "example:temp": 21.5,
});
const B = base("B", {
  eventTime: "2024-03-02T10:00:00.000Z",
  bizStep: "inspecting",
  epcList: ["urn:epc:id:sgtin:0614141.107346.3002"],
  sensorElementList: [
    {
      sensorMetadata: {
        time: "2024-03-02T09:00:00.000Z",
        startTime: "2024-03-02T08:00:00.000Z",
        endTime: "2024-03-02T09:30:00.000Z",
        deviceID: "urn:epc:id:giai:4000001.111",
        bizRules: "https://rules.example.com/cold-chain",
      },
      sensorReport: [
        {
          type: "Temperature",
          value: 26,
          uom: "CEL",
          minValue: 25,
          maxValue: 27,
          meanValue: 26,
          sDev: 0.5,
          percRank: 50,
          percValue: 26.1,
          stringValue: "ok",
          booleanValue: true,
          hexBinaryValue: "F0F0",
          uriValue: "https://values.example.com/u1",
          microorganism: "https://www.ncbi.nlm.nih.gov/taxonomy/1126011",
          chemicalSubstance: "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N",
          dataProcessingMethod: "https://methods.example.com/avg",
        },
      ],
    },
  ],
  "example:temp": 30,
  "example:nested": { "example:inner": "deep" },
});
const C = {
  type: "TransformationEvent",
  eventTime: "2024-03-03T10:00:00.000Z",
  eventTimeZoneOffset: "+00:00",
  "example:id": "C",
  inputEPCList: ["urn:epc:id:sgtin:0614141.107346.3003"],
  outputEPCList: ["urn:epc:id:sgtin:0614141.107346.3004"],
  inputQuantityList: [{ epcClass: "urn:epc:class:lgtin:4012345.011111.L7", quantity: 5 }],
  outputQuantityList: [{ epcClass: "urn:epc:class:lgtin:4012345.022222.L8", quantity: 3, uom: "KGM" }],
  transformationID: "urn:epc:id:gdti:0614141.12345.400",
};
const D = base("D", {
  type: "AggregationEvent",
  action: "ADD",
  eventTime: "2024-03-04T10:00:00.000Z",
  parentID: "urn:epc:id:sscc:0614141.1234567890",
  childEPCs: ["urn:epc:id:sgtin:0614141.107346.3005"],
  bizLocation: { id: "urn:epc:id:sgln:0614141.00777.0" },
  destinationList: [{ type: "location", destination: "urn:epc:id:sgln:0614141.00777.0" }],
});
const X = base("X", {
  ...Object.fromEntries(Object.entries(A).filter(([k]) => k !== "eventID")),
  "example:id": "X",
  bizStep: "https://secret.example.com/steps/blending",
  epcList: ["urn:epc:id:sgtin:0614141.107346.3001", "urn:epc:id:sgtin:0614141.107346.9999"],
  bizLocation: { id: "urn:epc:id:sgln:0614141.00999.0" },
});

const doc = (events: Record<string, unknown>[]) => ({
  "@context": CONTEXT,
  type: "EPCISDocument",
  schemaVersion: "2.0",
  creationDate: "2024-03-05T00:00:00.000Z",
  epcisBody: { eventList: events },
});

type Answer = { epcisBody: { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } } };

describe(`EPCIS 2.0 query language, discovery, OPTIONS and GS1 headers (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let outsider: TestOrg;

  const get = async (org: TestOrg, path: string, headers: Record<string, string> = {}, method = "GET") =>
    fetch(`${hub.url}${path}`, { method, headers: { authorization: `Bearer ${await org.client.accessToken()}`, ...headers } });

  /** The example:id of each event the query answers, in answer order. */
  async function ids(params: Record<string, string>, org: TestOrg = forwarder): Promise<string[]> {
    const res = await get(org, `/epcis/events?${new URLSearchParams(params).toString()}`);
    expect(res.status, `${JSON.stringify(params)}: ${await res.clone().text()}`).to.equal(200);
    return ((await res.json()) as Answer).epcisBody.queryResults.resultsBody.eventList.map((e) => String(e["example:id"]));
  }
  const sorted = async (params: Record<string, string>, org?: TestOrg) => (await ids(params, org)).sort();
  async function status(params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await get(forwarder, `/epcis/events?${new URLSearchParams(params).toString()}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [forwarder, outsider] = await Promise.all([admit(hub.url, "qry-fwd", ["FORWARDER"]), admit(hub.url, "qry-nosy", ["SHIPPER"])]);
    for (const [org, events] of [
      [forwarder, [A, B, C, D]],
      [outsider, [X]],
    ] as const) {
      const job = await org.client.waitForCapture(await org.client.captureEpcis(doc([...events])));
      expect(job.success, JSON.stringify(job.errors)).to.equal(true);
    }
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("fixed-name filters the index does not hold: EQ_action, EQ_persistentDisposition_set, EQ_transformationID, EQ_eventID", async function () {
    expect(await sorted({ EQ_action: "ADD" })).to.deep.equal(["A", "D"]);
    expect(await sorted({ EQ_action: "OBSERVE|DELETE" })).to.deep.equal(["B"]);
    expect(await sorted({ EQ_persistentDisposition_set: "urn:epcglobal:cbv:disp:completeness_verified" })).to.deep.equal(["A"]);
    expect(await sorted({ EQ_persistentDisposition_unset: "completeness_verified" })).to.deep.equal([]);
    expect(await sorted({ EQ_transformationID: "urn:epc:id:gdti:0614141.12345.400" })).to.deep.equal(["C"]);
    expect(await sorted({ EQ_eventID: String(A.eventID) })).to.deep.equal(["A"]);
    expect((await status({ EQ_action: "ADD|PUT" })).status).to.equal(400);
  });

  it("MATCH_ parameters by role, with EPC patterns and EPC classes; another organisation's events never match", async function () {
    expect(await sorted({ MATCH_parentID: "urn:epc:id:sscc:0614141.1234567890" })).to.deep.equal(["D"]);
    expect(await sorted({ MATCH_inputEPC: "urn:epc:id:sgtin:0614141.107346.3003" })).to.deep.equal(["C"]);
    expect(await sorted({ MATCH_outputEPC: "urn:epc:id:sgtin:0614141.107346.3004" })).to.deep.equal(["C"]);
    expect(await sorted({ MATCH_epc: "urn:epc:idpat:sgtin:0614141.107346.*" })).to.deep.equal(["A", "B", "D"]);
    expect(await sorted({ MATCH_anyEPC: "urn:epc:idpat:sgtin:0614141.107346.*" })).to.deep.equal(["A", "B", "C", "D"]);
    expect(await sorted({ MATCH_epcClass: "urn:epc:class:lgtin:4012345.012345.998877" })).to.deep.equal(["A"]);
    expect(await sorted({ MATCH_inputEPCClass: "urn:epc:class:lgtin:4012345.011111.L7" })).to.deep.equal(["C"]);
    expect(await sorted({ MATCH_outputEPCClass: "urn:epc:class:lgtin:4012345.011111.L7" })).to.deep.equal([]);
    expect(await sorted({ MATCH_anyEPCClass: "urn:epc:idpat:sgtin:4012345.022222.*" })).to.deep.equal(["C"]);
    // The outsider's look-alike names the same EPC: each sees only its own.
    expect(await sorted({ MATCH_epc: "urn:epc:id:sgtin:0614141.107346.3001" })).to.deep.equal(["A"]);
    expect(await sorted({ MATCH_epc: "urn:epc:id:sgtin:0614141.107346.3001" }, outsider)).to.deep.equal(["X"]);
    expect(await sorted({ MATCH_epc: "urn:epc:id:sgtin:0614141.107346.9999" })).to.deep.equal([]);
  });

  it("quantities, business transactions, sources and destinations", async function () {
    expect(await sorted({ EQ_quantity: "200" })).to.deep.equal(["A"]);
    expect(await sorted({ GT_quantity: "4" })).to.deep.equal(["A", "C"]);
    expect(await sorted({ LT_quantity: "4" })).to.deep.equal(["C"]);
    expect(await sorted({ GE_quantity_KGM: "3" })).to.deep.equal(["A", "C"]);
    expect(await sorted({ LE_quantity_KGM: "100" })).to.deep.equal(["C"]);
    expect(await sorted({ EQ_bizTransaction_po: "urn:epc:id:gdti:0614141.00001.1618034" })).to.deep.equal(["A"]);
    expect(await sorted({ EQ_bizTransaction_desadv: "urn:epc:id:gdti:0614141.00001.1618034" })).to.deep.equal([]);
    expect(await sorted({ EQ_source_owning_party: "urn:epc:id:pgln:4012345.00225" })).to.deep.equal(["A"]);
    expect(await sorted({ "EQ_destination_urn:epcglobal:cbv:sdt:location": "urn:epc:id:sgln:0614141.00777.0" })).to.deep.equal(["D"]);
    expect(await sorted({ EQ_quantity: "200" }, outsider)).to.deep.equal(["X"]);
    expect((await status({ GT_quantity: "many" })).status).to.equal(400);
  });

  it("extension fields: EQ_/GT_/LE_/EXISTS_ by namespace#name or CURIE, ILMD_, INNER_", async function () {
    expect(await sorted({ [`EQ_${field("grade")}`]: "A" })).to.deep.equal(["A"]);
    expect(await sorted({ "EQ_example:grade": "A" })).to.deep.equal(["A"]);
    expect(await sorted({ "EQ_example:grade": "A" }, outsider)).to.deep.equal(["X"]);
    expect(await sorted({ [`GT_${field("temp")}`]: "25" })).to.deep.equal(["B"]);
    expect(await sorted({ [`LE_${field("temp")}`]: "21.5" })).to.deep.equal(["A"]);
    expect(await sorted({ [`EXISTS_${field("temp")}`]: "" })).to.deep.equal(["A", "B"]);
    expect(await sorted({ [`EQ_ILMD_${field("lot")}`]: "L1" })).to.deep.equal(["A"]);
    expect(await sorted({ [`EQ_INNER_${field("inner")}`]: "deep" })).to.deep.equal(["B"]);
    expect(await sorted({ [`EQ_${field("inner")}`]: "deep" })).to.deep.equal([]); // not a top-level field
    expect((await status({ EQ_grade: "A" })).status).to.equal(400); // an unqualified name is no parameter
  });

  it("sensor filters: type, device, metadata, values by unit, times", async function () {
    const only = async (params: Record<string, string>) => expect(await sorted(params), JSON.stringify(params)).to.deep.equal(["B"]);
    const none = async (params: Record<string, string>) => expect(await sorted(params), JSON.stringify(params)).to.deep.equal([]);
    await only({ EQ_type: "Temperature" });
    await only({ EQ_type: "gs1:Temperature" });
    await none({ EQ_type: "Humidity" });
    await only({ EQ_deviceID: "urn:epc:id:giai:4000001.111" });
    await only({ EQ_bizRules: "https://rules.example.com/cold-chain" });
    await only({ EQ_dataProcessingMethod: "https://methods.example.com/avg" });
    await only({ EQ_microorganism: "https://www.ncbi.nlm.nih.gov/taxonomy/1126011" });
    await only({ EQ_chemicalSubstance: "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N" });
    await only({ EQ_stringValue: "ok" });
    await only({ EQ_booleanValue: "true" });
    await none({ EQ_booleanValue: "false" });
    await only({ EQ_hexBinaryValue: "f0f0" });
    await only({ EQ_uriValue: "https://values.example.com/u1" });
    await only({ GE_time: "2024-03-02T09:00:00Z", LT_time: "2024-03-02T09:00:01Z" });
    await only({ GE_startTime: "2024-03-02T07:00:00Z", LT_endTime: "2024-03-02T10:00:00Z" });
    await only({ GT_value_CEL: "25" });
    await none({ GT_value_CEL: "26" });
    await none({ GT_value_FAH: "25" });
    await only({ GE_minValue_CEL: "25", LT_maxValue_CEL: "28", EQ_meanValue_CEL: "26", LT_sDev_CEL: "1", GE_percRank: "50", GT_percValue_CEL: "26" });
    await none({ LT_percRank: "50" });
  });

  it("master data: with none stated, WD_ matches as EQ_ (no descendants) and HASATTR_ / EQATTR_ match nothing (test/integration/epcis-master-data.test.ts: with it)", async function () {
    expect(await sorted({ WD_readPoint: "urn:epc:id:sgln:0614141.07346.1001" })).to.deep.equal(["A"]);
    expect(await sorted({ WD_bizLocation: "urn:epc:id:sgln:0614141.00777.0" })).to.deep.equal(["D"]);
    expect(await sorted({ HASATTR_bizLocation: "urn:epcglobal:cbv:mda#name" })).to.deep.equal([]);
    expect(await sorted({ "EQATTR_bizLocation_urn:epcglobal:cbv:mda#name": "Lyon" })).to.deep.equal([]);
  });

  it("orderBy (eventTime, recordTime, an extension field), orderDirection (DESC by default), eventCountLimit, and pages in that order", async function () {
    expect(await ids({ orderBy: "eventTime" })).to.deep.equal(["D", "C", "B", "A"]);
    expect(await ids({ orderBy: "eventTime", orderDirection: "ASC" })).to.deep.equal(["A", "B", "C", "D"]);
    expect(await ids({ orderBy: "eventTime", eventCountLimit: "2" })).to.deep.equal(["D", "C"]);
    expect((await ids({ orderBy: field("temp"), orderDirection: "ASC" })).slice(0, 2)).to.deep.equal(["A", "B"]);
    expect((await ids({ orderBy: field("temp") })).slice(0, 2)).to.deep.equal(["B", "A"]);
    expect(await ids({ orderBy: "eventTime", orderDirection: "ASC", EQ_action: "ADD", eventCountLimit: "1" })).to.deep.equal(["A"]);
    expect(await ids({ orderBy: "eventTime", EQ_action: "ADD", eventCountLimit: "1" })).to.deep.equal(["D"]);
    expect((await ids({ orderBy: "recordTime", orderDirection: "ASC" })).sort()).to.deep.equal(["A", "B", "C", "D"]);
    // Pages of one event follow the order, on both paths (SQL, and in memory for an extension field).
    for (const params of [
      { orderBy: "eventTime", orderDirection: "ASC" },
      { orderBy: field("temp"), orderDirection: "DESC", [`EXISTS_${field("temp")}`]: "" },
    ]) {
      const seen: string[] = [];
      let url: string | undefined = `/epcis/events?${new URLSearchParams({ ...params, perPage: "1" }).toString()}`;
      while (url) {
        const res = await get(forwarder, url);
        expect(res.status).to.equal(200);
        seen.push(...((await res.json()) as Answer).epcisBody.queryResults.resultsBody.eventList.map((e) => String(e["example:id"])));
        url = /<([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
        expect(seen.length).to.be.at.most(4);
      }
      expect(seen).to.deep.equal(params.orderBy === "eventTime" ? ["A", "B", "C", "D"] : ["B", "A"]);
    }
    // With eventCountLimit the pages stop at the limit.
    const first = await get(forwarder, `/epcis/events?orderBy=eventTime&eventCountLimit=2&perPage=1`);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")?.[1];
    const second = await get(forwarder, next!);
    expect(((await second.json()) as Answer).epcisBody.queryResults.resultsBody.eventList.map((e) => e["example:id"])).to.deep.equal(["C"]);
    expect(second.headers.get("link")).to.equal(null);
  });

  it("maxEventCount: more matching events is a 413 QueryTooLargeException; eventCountLimit needs orderBy and excludes maxEventCount (400)", async function () {
    const tooMany = await status({ maxEventCount: "3" });
    expect(tooMany.status).to.equal(413);
    expect(tooMany.body.type).to.match(/epcis-query-too-large$/);
    expect(await sorted({ maxEventCount: "4" })).to.deep.equal(["A", "B", "C", "D"]);
    expect((await status({ maxEventCount: "1", EQ_action: "ADD" })).status).to.equal(413); // in memory too
    expect((await status({ eventCountLimit: "1" })).status).to.equal(400);
    expect((await status({ orderBy: "eventTime", eventCountLimit: "1", maxEventCount: "5" })).status).to.equal(400);
    expect((await status({ orderBy: "eventTime", orderDirection: "UP" })).status).to.equal(400);
    expect((await status({ orderBy: "bizStep" })).status).to.equal(400);
    expect((await status({ EQ_nonsense: "x" })).status).to.equal(400);
  });

  it("discovery lists only what occurs in events the caller may read, paginated with perPage, nextPageToken and Link", async function () {
    const list = async (org: TestOrg, path: string) => {
      const out: string[] = [];
      let url: string | undefined = path;
      while (url) {
        const res = await get(org, url);
        expect(res.status, url).to.equal(200);
        const body = (await res.json()) as { type: string; member: string[] };
        expect(body.type).to.equal("Collection");
        out.push(...body.member);
        url = /<([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
      }
      return out;
    };
    const epcs = await list(forwarder, "/epcis/epcs?perPage=2");
    expect(epcs).to.deep.equal([
      "urn:epc:id:sgtin:0614141.107346.3001",
      "urn:epc:id:sgtin:0614141.107346.3002",
      "urn:epc:id:sgtin:0614141.107346.3003",
      "urn:epc:id:sgtin:0614141.107346.3004",
      "urn:epc:id:sgtin:0614141.107346.3005",
      "urn:epc:id:sscc:0614141.1234567890",
    ]);
    expect(await list(outsider, "/epcis/epcs")).to.deep.equal(["urn:epc:id:sgtin:0614141.107346.3001", "urn:epc:id:sgtin:0614141.107346.9999"]);
    expect(await list(forwarder, "/epcis/bizSteps?perPage=1")).to.deep.equal(["commissioning", "inspecting"]);
    expect(await list(forwarder, "/epcis/bizLocations")).to.deep.equal(["urn:epc:id:sgln:0614141.00777.0"]);
    expect(await list(forwarder, "/epcis/readPoints")).to.deep.equal(["urn:epc:id:sgln:0614141.07346.1001"]);
    expect(await list(forwarder, "/epcis/dispositions")).to.deep.equal(["active"]);
    expect(await list(forwarder, "/epcis/eventTypes")).to.deep.equal([
      "AggregationEvent",
      "AssociationEvent",
      "ObjectEvent",
      "TransactionEvent",
      "TransformationEvent",
    ]);
    // An identifier the caller may not see answers like an unknown one.
    const secret = encodeURIComponent("urn:epc:id:sgln:0614141.00999.0");
    expect((await get(forwarder, `/epcis/bizLocations/${secret}`)).status).to.equal(404);
    expect((await get(forwarder, `/epcis/bizLocations/${encodeURIComponent("urn:epc:id:sgln:0614141.00998.0")}`)).status).to.equal(404);
    expect((await get(outsider, `/epcis/bizLocations/${secret}`)).status).to.equal(200);
    expect((await get(forwarder, `/epcis/epcs/${encodeURIComponent("urn:epc:id:sgtin:0614141.107346.9999")}`)).status).to.equal(404);
    expect((await get(forwarder, `/epcis/bizSteps/${encodeURIComponent("https://secret.example.com/steps/blending")}`)).status).to.equal(404);
    expect(await (await get(forwarder, `/epcis/bizSteps/commissioning`)).json()).to.deep.include({ type: "Collection", member: ["events"] });
    // The /{x}/{id}/events resources are queries for that identifier.
    const events = async (path: string, org = forwarder) =>
      ((await (await get(org, path)).json()) as Answer).epcisBody.queryResults.resultsBody.eventList.map((e) => e["example:id"]);
    expect(await events("/epcis/bizSteps/commissioning/events")).to.deep.equal(["A"]);
    expect(await events("/epcis/eventTypes/TransformationEvent/events")).to.deep.equal(["C"]);
    expect(await events(`/epcis/bizLocations/${secret}/events`)).to.deep.equal([]);
    expect(await events(`/epcis/readPoints/${encodeURIComponent("urn:epc:id:sgln:0614141.07346.1001")}/events?EQ_action=OBSERVE`)).to.deep.equal([]);
    expect(await events("/epcis/dispositions/active/events")).to.deep.equal(["A"]);
    expect((await get(forwarder, "/epcis/epcs?EQ_action=ADD")).status).to.equal(400);
    expect((await get(forwarder, "/epcis/epcs?nextPageToken=bogus")).status).to.equal(400);
    const top = (await (await get(forwarder, "/epcis")).json()) as { member: string[] };
    expect(top.member).to.include.members(["events", "eventTypes", "epcs", "bizSteps", "bizLocations", "readPoints", "dispositions", "queries", "capture"]);
  });

  it("OPTIONS on every EPCIS resource: 204, Allow from the routes served, the binding's GS1-* discovery headers", async function () {
    const options = (path: string) => get(forwarder, path, {}, "OPTIONS");
    const events = await options("/epcis/events");
    expect(events.status).to.equal(204);
    expect(events.headers.get("allow")).to.equal("OPTIONS, GET");
    for (const h of [
      "gs1-epcis-version",
      "gs1-epcis-min",
      "gs1-epcis-max",
      "gs1-cbv-version",
      "gs1-cbv-min",
      "gs1-cbv-max",
      "gs1-vendor-version",
      "gs1-epc-format",
      "gs1-cbv-xml-format",
      "gs1-extensions",
    ])
      expect(events.headers.has(h), h).to.equal(true);
    const capture = await options("/epcis/capture");
    expect(capture.headers.get("allow")).to.equal("OPTIONS, GET, POST");
    expect(capture.headers.get("gs1-epcis-capture-limit")).to.match(/^\d+$/);
    expect(capture.headers.get("gs1-epcis-capture-file-size-limit")).to.match(/^\d+$/);
    expect(capture.headers.get("gs1-capture-error-behaviour")).to.equal("all");
    expect((await options("/epcis/queries/any-name")).headers.get("allow")).to.equal("OPTIONS, DELETE, GET");
    expect((await options(`/epcis/epcs/${encodeURIComponent("urn:epc:id:sgtin:0614141.107346.3001")}/events`)).headers.get("allow")).to.equal("OPTIONS, GET");
    expect((await options("/epcis/bizSteps")).status).to.equal(204);
    // Routes of another router (query subscriptions) are announced too: Allow is read from the app's routes.
    expect((await options("/epcis/queries/any-name/subscriptions")).headers.get("allow")).to.equal("OPTIONS, GET, POST");
    expect((await options("/epcis/no-such-resource")).status).to.equal(404);
    expect((await fetch(`${hub.url}/epcis/events`, { method: "OPTIONS" })).status).to.equal(401);
  });

  it("GS1-* version headers: answers carry them; a version, minimum or maximum the hub cannot serve is a 406 problem", async function () {
    const ok = await get(forwarder, "/epcis/events", { "GS1-EPCIS-Version": "2.0.0", "GS1-EPCIS-Min": "1.2", "GS1-EPCIS-Max": "2.0", "GS1-CBV-Min": "2.0.0" });
    expect(ok.status).to.equal(200);
    expect(ok.headers.get("gs1-epcis-version")).to.equal("2.0.0");
    expect(ok.headers.get("gs1-cbv-version")).to.equal("2.0.0");
    expect(ok.headers.get("gs1-vendor-version")).to.match(/^cargoproof-/);
    for (const headers of <Record<string, string>[]>[
      { "GS1-EPCIS-Version": "1.2" },
      { "GS1-EPCIS-Max": "1.2" },
      { "GS1-EPCIS-Min": "3.0" },
      { "GS1-CBV-Version": "1.2" },
      { "GS1-CBV-Max": "1.2.0" },
    ]) {
      const res = await get(forwarder, "/epcis/events", headers);
      expect(res.status, JSON.stringify(headers)).to.equal(406);
      expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
    }
  });
});
