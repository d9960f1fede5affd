import { expect } from "chai";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "../integration/harness";

/**
 * EPCIS 2.0 query language rules (§8.2.7.1 SimpleEventQuery, §8.2.7.1.1 EPC matching) and the REST
 * binding's (openapi.yaml) pagination, discovery, OPTIONS and GS1-* headers, one rule per test,
 * written from the text of each parameter's definition, against a real hub.
 */

const NS = "https://ns.conformance.example/epcis/";
const CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", { cf: NS }];

let n = 0;
/** An event with a unique cf:tag, to find it among the others. */
function ev(tag: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  n += 1;
  return {
    type: "ObjectEvent",
    action: "OBSERVE",
    eventTime: `2024-06-01T10:${String(n).padStart(2, "0")}:00.000Z`,
    eventTimeZoneOffset: "+00:00",
    epcList: [`urn:epc:id:sgtin:0614141.107346.${7000 + n}`],
    "cf:tag": tag,
    ...extra,
  };
}

type Answer = { epcisBody: { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } } };

describe("conformance: EPCIS 2.0 query language (§8.2.7.1) and the REST binding's discovery, OPTIONS and GS1 headers", function () {
  this.timeout(300_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let member: TestOrg;

  const request = async (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${hub.url}${path}`, { method: init.method ?? "GET", headers: { authorization: `Bearer ${await member.client.accessToken()}`, ...init.headers } });
  /** The cf:tags the query answers (in order), restricted to one test's tag prefix. */
  async function tags(prefix: string, params: Record<string, string>): Promise<string[]> {
    const res = await request(`/epcis/events?${new URLSearchParams({ ...params, perPage: "1000" }).toString()}`);
    expect(res.status, `${JSON.stringify(params)}: ${await res.clone().text()}`).to.equal(200);
    return ((await res.json()) as Answer).epcisBody.queryResults.resultsBody.eventList.map((e) => String(e["cf:tag"])).filter((t) => t.startsWith(prefix));
  }
  const statusOf = async (params: Record<string, string>) => (await request(`/epcis/events?${new URLSearchParams(params).toString()}`)).status;
  /** Captures the events, with location master data (EPCIS 2.0 §6.5, the member's own statements) in the header when given. */
  async function capture(events: Record<string, unknown>[], locations?: Record<string, unknown>[]): Promise<void> {
    const header = locations
      ? { epcisHeader: { epcisMasterData: { vocabularyList: [{ type: "urn:epcglobal:epcis:vtype:BusinessLocation", vocabularyElementList: locations }] } } }
      : {};
    const job = await member.client.waitForCapture(
      await member.client.captureEpcis({
        "@context": CONTEXT,
        type: "EPCISDocument",
        schemaVersion: "2.0",
        creationDate: "2024-06-01T00:00:00.000Z",
        ...header,
        epcisBody: { eventList: events },
      }),
    );
    expect(job.success, JSON.stringify(job.errors)).to.equal(true);
  }

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    member = await admit(hub.url, "epcis-query-rules", ["FORWARDER"]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_action: only events that have an action field with one of the values (a TransformationEvent has none)", async function () {
    const t = ev("act-t", { type: "TransformationEvent", inputEPCList: ["urn:epc:id:sgtin:0614141.107346.6001"] });
    delete t.action;
    delete t.epcList;
    await capture([ev("act-add", { action: "ADD" }), ev("act-obs"), t]);
    expect(await tags("act-", { EQ_action: "ADD" })).to.deep.equal(["act-add"]);
    expect(await tags("act-", { EQ_action: "ADD|OBSERVE" })).to.have.members(["act-add", "act-obs"]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_action: each value must be ADD, OBSERVE or DELETE; any other raises QueryParameterException (400)", async function () {
    expect(await statusOf({ EQ_action: "ADD|OBSERVE|DELETE" })).to.equal(200);
    expect(await statusOf({ EQ_action: "UPDATE" })).to.equal(400);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_persistentDisposition_set / _unset: the value in the set (resp. unset) field of persistentDisposition", async function () {
    await capture([ev("pd-set", { persistentDisposition: { set: ["damaged"] } }), ev("pd-unset", { persistentDisposition: { unset: ["damaged"] } })]);
    expect(await tags("pd-", { EQ_persistentDisposition_set: "damaged" })).to.deep.equal(["pd-set"]);
    expect(await tags("pd-", { EQ_persistentDisposition_unset: "https://ref.gs1.org/cbv/Disp-damaged" })).to.deep.equal(["pd-unset"]);
  });

  it("EPCIS 2.0 §8.2.7.1.1 MATCH_epc with an EPC pattern: '*' matches any value of its field, the other fields must be equal", async function () {
    await capture([ev("pat-a", { epcList: ["urn:epc:id:sgtin:0614141.812345.1"] }), ev("pat-b", { epcList: ["urn:epc:id:sgtin:0614141.812346.1"] })]);
    expect(await tags("pat-", { MATCH_epc: "urn:epc:idpat:sgtin:0614141.812345.*" })).to.deep.equal(["pat-a"]);
    expect(await tags("pat-", { MATCH_epc: "urn:epc:idpat:sgtin:0614141.*.*" })).to.have.members(["pat-a", "pat-b"]);
    expect(await tags("pat-", { MATCH_epc: "urn:epc:idpat:grai:0614141.*.*" })).to.deep.equal([]);
  });

  it("EPCIS 2.0 §8.2.7.1 MATCH_epc looks at epcList and childEPCs only; MATCH_anyEPC also at parentID, inputEPCList and outputEPCList", async function () {
    const parent = "urn:epc:id:sscc:0614141.7777777777";
    await capture([
      ev("any-agg", { type: "AggregationEvent", action: "ADD", parentID: parent, childEPCs: ["urn:epc:id:sgtin:0614141.107346.6101"], epcList: undefined }),
    ]);
    expect(await tags("any-", { MATCH_epc: parent })).to.deep.equal([]);
    expect(await tags("any-", { MATCH_anyEPC: parent })).to.deep.equal(["any-agg"]);
    expect(await tags("any-", { MATCH_parentID: parent })).to.deep.equal(["any-agg"]);
  });

  it("EPCIS 2.0 §8.2.7.1 MATCH_epcClass: the classes of quantityList or childQuantityList; MATCH_inputEPCClass only inputQuantityList", async function () {
    const cls = "urn:epc:class:lgtin:4012345.099999.CF1";
    await capture([
      ev("cls-child", {
        type: "AggregationEvent",
        action: "ADD",
        parentID: "urn:epc:id:sscc:0614141.7777777778",
        childQuantityList: [{ epcClass: cls, quantity: 2 }],
        epcList: undefined,
      }),
      ev("cls-input", { type: "TransformationEvent", action: undefined, epcList: undefined, inputQuantityList: [{ epcClass: cls, quantity: 1 }] }),
    ]);
    expect(await tags("cls-", { MATCH_epcClass: cls })).to.deep.equal(["cls-child"]);
    expect(await tags("cls-", { MATCH_inputEPCClass: cls })).to.deep.equal(["cls-input"]);
    expect(await tags("cls-", { MATCH_anyEPCClass: cls })).to.have.members(["cls-child", "cls-input"]);
  });

  it("EPCIS 2.0 §8.2.7.1 GT_quantity / GE_quantity: greater than is strict, greater or equal is not; _uom restricts to that unit", async function () {
    const cls = "urn:epc:class:lgtin:4012345.099998.CF2";
    await capture([
      ev("qty-10", { quantityList: [{ epcClass: cls, quantity: 10, uom: "KGM" }] }),
      ev("qty-20", { quantityList: [{ epcClass: cls, quantity: 20 }] }),
    ]);
    expect(await tags("qty-", { GT_quantity: "10" })).to.deep.equal(["qty-20"]);
    expect(await tags("qty-", { GE_quantity: "10" })).to.have.members(["qty-10", "qty-20"]);
    expect(await tags("qty-", { GE_quantity_KGM: "10" })).to.deep.equal(["qty-10"]);
    expect(await tags("qty-", { EQ_quantity: "20" })).to.deep.equal(["qty-20"]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_bizTransaction_type: an entry whose type is the one in the parameter's name and whose value is one of the values", async function () {
    const bt = "urn:epcglobal:cbv:bt:0614141073467:PO-88";
    await capture([
      ev("bt-po", { bizTransactionList: [{ type: "po", bizTransaction: bt }] }),
      ev("bt-inv", { bizTransactionList: [{ type: "inv", bizTransaction: bt }] }),
    ]);
    expect(await tags("bt-", { EQ_bizTransaction_po: bt })).to.deep.equal(["bt-po"]);
    expect(await tags("bt-", { "EQ_bizTransaction_urn:epcglobal:cbv:btt:inv": bt })).to.deep.equal(["bt-inv"]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_source_type / EQ_destination_type: a source (destination) of that type with one of the values", async function () {
    const party = "urn:epc:id:pgln:0614141.00001";
    await capture([
      ev("sd-src", { sourceList: [{ type: "possessing_party", source: party }] }),
      ev("sd-dst", { destinationList: [{ type: "possessing_party", destination: party }] }),
    ]);
    expect(await tags("sd-", { EQ_source_possessing_party: party })).to.deep.equal(["sd-src"]);
    expect(await tags("sd-", { EQ_destination_possessing_party: party })).to.deep.equal(["sd-dst"]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_fieldname: the extension field named by namespace URI, '#' and its name, equal to one of the values", async function () {
    await capture([ev("ext-a", { "cf:colour": "red" }), ev("ext-b", { "cf:colour": "blue" })]);
    expect(await tags("ext-", { [`EQ_${NS}#colour`]: "red" })).to.deep.equal(["ext-a"]);
    expect(await tags("ext-", { [`EQ_${NS}#colour`]: "red|blue" })).to.have.members(["ext-a", "ext-b"]);
  });

  it("EPCIS 2.0 §8.2.7.1 GT_fieldname / LT_fieldname: Int, Float and Time fields compare as numbers and instants", async function () {
    await capture([
      ev("cmp-a", { "cf:weight": 2.5, "cf:checked": "2024-06-01T12:00:00.000+02:00" }),
      ev("cmp-b", { "cf:weight": 10, "cf:checked": "2024-06-01T11:00:00.000Z" }),
    ]);
    expect(await tags("cmp-", { [`GT_${NS}#weight`]: "3" })).to.deep.equal(["cmp-b"]);
    expect(await tags("cmp-", { [`LT_${NS}#checked`]: "2024-06-01T10:30:00Z" })).to.deep.equal(["cmp-a"]); // 12:00+02:00 is 10:00Z
  });

  it("EPCIS 2.0 §8.2.7.1 EXISTS_fieldname: events that have the field; the parameter's value is ignored", async function () {
    await capture([ev("ex-has", { "cf:flag": "x" }), ev("ex-not")]);
    expect(await tags("ex-", { [`EXISTS_${NS}#flag`]: "ignored" })).to.deep.equal(["ex-has"]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_INNER_fieldname: an extension element nested inside a top-level extension element, not the top level itself", async function () {
    await capture([ev("in-nested", { "cf:box": { "cf:seal": "S1" } }), ev("in-top", { "cf:seal": "S1" })]);
    expect(await tags("in-", { [`EQ_INNER_${NS}#seal`]: "S1" })).to.deep.equal(["in-nested"]);
    expect(await tags("in-", { [`EQ_${NS}#seal`]: "S1" })).to.deep.equal(["in-top"]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_ILMD_fieldname: the extension field inside ilmd", async function () {
    await capture([ev("ilmd-in", { action: "ADD", ilmd: { "cf:batch": "B7" } }), ev("ilmd-top", { "cf:batch": "B7" })]);
    expect(await tags("ilmd-", { [`EQ_ILMD_${NS}#batch`]: "B7" })).to.deep.equal(["ilmd-in"]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_type: a sensorElement whose sensorReport type is one of the values, standard types as bare words", async function () {
    const sensor = (type: string) => [{ sensorReport: [{ type, value: 5, uom: "CEL" }] }];
    await capture([ev("st-temp", { sensorElementList: sensor("Temperature") }), ev("st-hum", { sensorElementList: sensor("RelativeHumidity") })]);
    expect(await tags("st-", { EQ_type: "Temperature" })).to.deep.equal(["st-temp"]);
    expect(await tags("st-", { EQ_type: "https://gs1.org/voc/RelativeHumidity" })).to.deep.equal(["st-hum"]);
  });

  it("EPCIS 2.0 §8.2.7.1 GE_value_uom / LT_value_uom: a sensorReport in that unit of measure whose value compares", async function () {
    await capture([
      ev("sv-cel", { sensorElementList: [{ sensorReport: [{ type: "Temperature", value: 8, uom: "CEL" }] }] }),
      ev("sv-fah", { sensorElementList: [{ sensorReport: [{ type: "Temperature", value: 46, uom: "FAH" }] }] }),
    ]);
    expect(await tags("sv-", { GE_value_CEL: "8" })).to.deep.equal(["sv-cel"]);
    expect(await tags("sv-", { LT_value_FAH: "50" })).to.deep.equal(["sv-fah"]);
    expect(await tags("sv-", { GT_value_CEL: "8" })).to.deep.equal([]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_deviceID: the deviceID attribute of the sensor metadata or of a sensor report", async function () {
    await capture([
      ev("dev-meta", {
        sensorElementList: [{ sensorMetadata: { deviceID: "urn:epc:id:giai:4000001.901" }, sensorReport: [{ type: "Temperature", value: 1, uom: "CEL" }] }],
      }),
      ev("dev-report", { sensorElementList: [{ sensorReport: [{ type: "Temperature", value: 1, uom: "CEL", deviceID: "urn:epc:id:giai:4000001.901" }] }] }),
    ]);
    expect(await tags("dev-", { EQ_deviceID: "urn:epc:id:giai:4000001.901" })).to.have.members(["dev-meta", "dev-report"]);
  });

  it("EPCIS 2.0 §8.2.7.1 orderBy / orderDirection: ordered by the field, DESC when orderDirection is omitted", async function () {
    await capture([ev("ord-2", { "cf:rank": 2 }), ev("ord-1", { "cf:rank": 1 }), ev("ord-3", { "cf:rank": 3 })]);
    expect(await tags("ord-", { orderBy: `${NS}#rank` })).to.deep.equal(["ord-3", "ord-2", "ord-1"]);
    expect(await tags("ord-", { orderBy: `${NS}#rank`, orderDirection: "ASC" })).to.deep.equal(["ord-1", "ord-2", "ord-3"]);
  });

  it("EPCIS 2.0 §8.2.7.1 orderDirection: ASC or DESC; any other value raises QueryParameterException (400)", async function () {
    expect(await statusOf({ orderBy: "eventTime", orderDirection: "ASC" })).to.equal(200);
    expect(await statusOf({ orderBy: "eventTime", orderDirection: "DESC" })).to.equal(200);
    expect(await statusOf({ orderBy: "eventTime", orderDirection: "ascending" })).to.equal(400);
  });

  it("EPCIS 2.0 §8.2.7.1 eventCountLimit: only the first N events in orderBy's order", async function () {
    await capture([ev("lim-a", { "cf:lim": 1 }), ev("lim-b", { "cf:lim": 2 }), ev("lim-c", { "cf:lim": 3 })]);
    expect(await tags("lim-", { [`EXISTS_${NS}#lim`]: "", orderBy: "eventTime", eventCountLimit: "1" })).to.deep.equal(["lim-c"]);
  });

  it("EPCIS 2.0 §8.2.7.1 eventCountLimit: with orderBy it is a limit; without orderBy, or with maxEventCount, it raises QueryParameterException (400)", async function () {
    expect(await statusOf({ orderBy: "recordTime", eventCountLimit: "1" })).to.equal(200);
    expect(await statusOf({ eventCountLimit: "1" })).to.equal(400);
    expect(await statusOf({ orderBy: "eventTime", eventCountLimit: "1", maxEventCount: "1" })).to.equal(400);
  });

  it("EPCIS 2.0 §8.2.7.1 maxEventCount: more matching events raises QueryTooLargeException, a 413 problem in the REST binding", async function () {
    await capture([ev("max-a"), ev("max-b")]);
    const res = await request(`/epcis/events?${new URLSearchParams({ MATCH_epc: "urn:epc:idpat:sgtin:0614141.107346.*", maxEventCount: "1" }).toString()}`);
    expect(res.status).to.equal(413);
    expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
  });

  // Master data (§6.5) stated by the member itself counts for its own queries (docs/epcis.md).
  const site = (n: number) => `urn:epc:id:sgln:4012345.00${String(n).padStart(3, "0")}.0`;

  it("EPCIS 2.0 §8.2.7.1 WD_readPoint / WD_bizLocation: the location or a direct or indirect descendant of it by the master data's children (§6.5), a cycle followed once", async function () {
    // 101 has child 102, 102 has children 103 and 101 (a cycle); 104 is nobody's child.
    await capture(
      [
        ev("wd-top", { readPoint: { id: site(101) } }),
        ev("wd-child", { readPoint: { id: site(102) }, bizLocation: { id: site(102) } }),
        ev("wd-grandchild", { readPoint: { id: site(103) } }),
        ev("wd-other", { readPoint: { id: site(104) } }),
      ],
      [
        { id: site(101), attributes: [], children: [site(102)] },
        { id: site(102), attributes: [], children: [site(103), site(101)] },
      ],
    );
    expect(await tags("wd-", { WD_readPoint: site(101) })).to.have.members(["wd-top", "wd-child", "wd-grandchild"]);
    expect(await tags("wd-", { WD_readPoint: site(102) })).to.have.members(["wd-top", "wd-child", "wd-grandchild"]);
    expect(await tags("wd-", { WD_readPoint: site(103) })).to.deep.equal(["wd-grandchild"]);
    expect(await tags("wd-", { EQ_readPoint: site(101) })).to.deep.equal(["wd-top"]);
    expect(await tags("wd-", { WD_bizLocation: site(101) })).to.deep.equal(["wd-child"]);
  });

  it("EPCIS 2.0 §8.2.7.1 HASATTR_fieldname: the field's vocabulary element has master data with a non-null attribute of one of the names", async function () {
    await capture(
      [
        ev("ha-named", { readPoint: { id: site(111) } }),
        ev("ha-zoned", { readPoint: { id: site(112) } }),
        ev("ha-bare", { readPoint: { id: site(113) } }),
        ev("ha-none"),
      ],
      [
        { id: site(111), attributes: [{ id: "urn:epcglobal:cbv:mda:name", attribute: "North gate" }] },
        { id: site(112), attributes: [{ id: "urn:example:zone", attribute: "cold" }] },
        { id: site(113), attributes: [{ id: "urn:example:zone" }] },
      ],
    );
    expect(await tags("ha-", { HASATTR_readPoint: "urn:epcglobal:cbv:mda:name" })).to.deep.equal(["ha-named"]);
    expect(await tags("ha-", { HASATTR_readPoint: "urn:epcglobal:cbv:mda#name" }), "the CBV 1.x form of the attribute's name").to.deep.equal(["ha-named"]);
    expect(await tags("ha-", { HASATTR_readPoint: "urn:epcglobal:cbv:mda:name|urn:example:zone" })).to.have.members(["ha-named", "ha-zoned"]);
    expect(await tags("ha-", { HASATTR_bizLocation: "urn:epcglobal:cbv:mda:name" })).to.deep.equal([]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQATTR_fieldname_attrname: the attribute attrname of the field's element's master data equals one of the values", async function () {
    await capture(
      [
        ev("eqa-cold", { bizLocation: { id: site(121) } }),
        ev("eqa-dry", { bizLocation: { id: site(122) } }),
        ev("eqa-none", { bizLocation: { id: site(123) } }),
      ],
      [
        {
          id: site(121),
          attributes: [
            { id: "urn:example:zone", attribute: "cold" },
            { id: "urn:epcglobal:cbv:mda:countryCode", attribute: "DE" },
          ],
        },
        { id: site(122), attributes: [{ id: "urn:example:zone", attribute: "dry" }] },
      ],
    );
    expect(await tags("eqa-", { "EQATTR_bizLocation_urn:example:zone": "cold" })).to.deep.equal(["eqa-cold"]);
    expect(await tags("eqa-", { "EQATTR_bizLocation_urn:example:zone": "cold|dry" })).to.have.members(["eqa-cold", "eqa-dry"]);
    expect(await tags("eqa-", { "EQATTR_bizLocation_urn:epcglobal:cbv:mda#countryCode": "DE" })).to.deep.equal(["eqa-cold"]);
    expect(await tags("eqa-", { "EQATTR_readPoint_urn:example:zone": "cold" })).to.deep.equal([]);
    expect(await statusOf({ EQATTR_bizLocation: "cold" }), "an EQATTR_ without an attribute name").to.equal(400);
  });

  it("EPCIS 2.0 REST binding: every fixed-name query parameter of the binding is accepted; a name the query language does not have is a 400 problem", async function () {
    const at = "2024-01-01T00:00:00Z";
    const fixed: Record<string, string> = {
      eventType: "ObjectEvent",
      GE_eventTime: at,
      LT_eventTime: at,
      GE_recordTime: at,
      LT_recordTime: at,
      EQ_action: "ADD",
      EQ_bizStep: "shipping",
      EQ_disposition: "active",
      EQ_persistentDisposition_set: "active",
      EQ_persistentDisposition_unset: "active",
      EQ_readPoint: "urn:x",
      WD_readPoint: "urn:x",
      EQ_bizLocation: "urn:x",
      WD_bizLocation: "urn:x",
      EQ_transformationID: "urn:x",
      MATCH_epc: "urn:x",
      MATCH_parentID: "urn:x",
      MATCH_inputEPC: "urn:x",
      MATCH_outputEPC: "urn:x",
      MATCH_anyEPC: "urn:x",
      MATCH_epcClass: "urn:x",
      MATCH_inputEPCClass: "urn:x",
      MATCH_outputEPCClass: "urn:x",
      MATCH_anyEPCClass: "urn:x",
      EQ_quantity: "1",
      GT_quantity: "1",
      GE_quantity: "1",
      LT_quantity: "1",
      LE_quantity: "1",
      EQ_eventID: "urn:x",
      EXISTS_errorDeclaration: "true",
      GE_errorDeclarationTime: at,
      LT_errorDeclarationTime: at,
      EQ_errorReason: "did_not_occur",
      EQ_correctiveEventID: "urn:x",
      orderBy: "eventTime",
      orderDirection: "ASC",
      eventCountLimit: "1",
      GE_startTime: at,
      LT_startTime: at,
      GE_endTime: at,
      LT_endTime: at,
      EQ_type: "Temperature",
      EQ_deviceID: "urn:x",
      EQ_dataProcessingMethod: "urn:x",
      EQ_microorganism: "urn:x",
      EQ_chemicalSubstance: "urn:x",
      EQ_bizRules: "urn:x",
      EQ_stringValue: "x",
      EQ_hexBinaryValue: "00",
      EQ_uriValue: "urn:x",
      EQ_booleanValue: "true",
    };
    for (const [name, value] of Object.entries(fixed))
      expect(await statusOf({ [name]: value, ...(name === "eventCountLimit" ? { orderBy: "eventTime" } : {}) }), name).to.equal(200);
    expect(await statusOf({ EQ_colour: "red" })).to.equal(400);
    expect(await statusOf({ MATCH_everything: "x" })).to.equal(400);
  });

  it('EPCIS 2.0 REST binding pagination: perPage bounds a page, Link rel="next" leads on, and the last page has none', async function () {
    await capture([ev("pg-1"), ev("pg-2"), ev("pg-3")]);
    const seen: string[] = [];
    let url: string | undefined = `/epcis/events?${new URLSearchParams({ [`EQ_${NS}#tag`]: "pg-1|pg-2|pg-3", perPage: "2" }).toString()}`;
    let pages = 0;
    while (url && pages < 5) {
      const res = await request(url);
      const list = ((await res.json()) as Answer).epcisBody.queryResults.resultsBody.eventList;
      expect(list.length).to.be.at.most(2);
      seen.push(...list.map((e) => String(e["cf:tag"])));
      url = /<([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
      pages += 1;
    }
    expect(pages).to.equal(2);
    expect(seen).to.have.members(["pg-1", "pg-2", "pg-3"]);
  });

  it("EPCIS 2.0 REST binding GET /eventTypes: the five standard event types", async function () {
    const body = (await (await request("/epcis/eventTypes")).json()) as { member: string[] };
    expect(body.member).to.include.members(["ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"]);
  });

  it("EPCIS 2.0 REST binding GET /bizSteps, /epcs: the values occurring in the repository's events, as a Collection", async function () {
    await capture([ev("disc", { bizStep: "urn:epcglobal:cbv:bizstep:receiving", epcList: ["urn:epc:id:sgtin:0614141.107346.6555"] })]);
    const steps = (await (await request("/epcis/bizSteps")).json()) as { type: string; member: string[] };
    expect(steps.type).to.equal("Collection");
    expect(steps.member).to.include("receiving");
    const epcs = (await (await request("/epcis/epcs?perPage=1000")).json()) as { member: string[] };
    expect(epcs.member).to.include("urn:epc:id:sgtin:0614141.107346.6555");
  });

  it("EPCIS 2.0 REST binding OPTIONS: 204 with Allow and the GS1-EPCIS/CBV version headers (204DefaultDiscoveryResponse)", async function () {
    const res = await request("/epcis/eventTypes", { method: "OPTIONS" });
    expect(res.status).to.equal(204);
    expect(res.headers.get("allow")).to.equal("OPTIONS, GET");
    expect(res.headers.get("gs1-epcis-version")).to.equal("2.0.0");
    expect(res.headers.get("gs1-cbv-version")).to.equal("2.0.0");
    expect(res.headers.get("gs1-epcis-max")).to.equal("2.0.0");
  });

  it("EPCIS 2.0 REST binding 406NotAcceptable: a GS1-EPCIS-Version or GS1-EPCIS-Max the server cannot serve", async function () {
    expect((await request("/epcis/events", { headers: { "GS1-EPCIS-Version": "1.2.0" } })).status).to.equal(406);
    expect((await request("/epcis/events", { headers: { "GS1-EPCIS-Max": "1.2" } })).status).to.equal(406);
    expect((await request("/epcis/events", { headers: { "GS1-EPCIS-Min": "1.0", "GS1-EPCIS-Max": "2.0" } })).status).to.equal(200);
  });
});
