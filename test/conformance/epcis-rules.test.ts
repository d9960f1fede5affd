import { expect } from "chai";
import { EPCIS_CONTEXT } from "../../sdk/epcis/document";
import { eventHash } from "../../sdk/epcis/event-hash";
import type { EpcisQueryParams } from "../../sdk/epcis/api";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "../integration/harness";
import { canonical, expand } from "./epcis-jsonld";

/**
 * EPCIS 2.0 rules from the standard's text (not its examples), one per test: error declarations
 * (§7.4.1.2) and their query parameters (§8.2.7.1), events read back as captured, and the JSON-LD
 * binding's contexts under JSON-LD 1.1's protected-term rule (§4.1.11).
 */

// An "older" context as a pre-2.0 document might name it: it defines terms the 2.0 context also
// defines (not protected), so it must come before the 2.0 context, which then wins.
const OLDER = {
  "@version": 1.1,
  bizStep: { "@id": "https://gs1.github.io/EPCIS/bizStep", "@type": "@vocab" },
  legacyNote: "https://gs1.github.io/EPCIS/legacyNote",
};
const EXT = { acme: "https://ns.acme.example/epcis/", "acme:grade": { "@type": "@vocab" } };

type Answer = { "@context": unknown; epcisBody: { queryResults: Record<string, unknown> & { resultsBody: { eventList: Record<string, unknown>[] } } } };

let serial = 9000;
function event(extra: Record<string, unknown> = {}): Record<string, unknown> {
  serial += 1;
  return {
    type: "ObjectEvent",
    action: "OBSERVE",
    bizStep: "shipping",
    epcList: [`urn:epc:id:sgtin:0614141.107346.${serial}`],
    eventTime: "2024-05-01T10:00:00.000Z",
    eventTimeZoneOffset: "+00:00",
    ...extra,
  };
}
const document = (context: unknown, events: Record<string, unknown>[]) => ({
  "@context": context,
  type: "EPCISDocument",
  schemaVersion: "2.0",
  creationDate: "2024-05-01T10:05:00.000Z",
  epcisBody: { eventList: events },
});
const strip = ({ recordTime: _t, "@context": _c, ...rest }: Record<string, unknown>) => rest;

describe("conformance: EPCIS 2.0 rules (error declarations, events as captured, JSON-LD contexts)", function () {
  this.timeout(300_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let member: TestOrg;

  const capture = async (doc: unknown) => member.client.waitForCapture(await member.client.captureEpcis(doc));
  const byId = async (id: string) => (await member.client.epcisEvent(id)) as unknown as Answer;
  const find = async (params: EpcisQueryParams) =>
    ((await member.client.epcisQuery({ ...params, perPage: 1000 })) as unknown as Answer).epcisBody.queryResults.resultsBody.eventList.map(strip);

  // One original, its error declaration and the corrective event, shared by the §7.4.1.2 / §8.2.7.1 tests.
  const originalId = "urn:uuid:6f1c9e0a-0001-4c1e-8000-00000000a001";
  const correctiveId = "urn:uuid:6f1c9e0a-0001-4c1e-8000-00000000c001";
  const original = event({ eventID: originalId });
  const corrective = event({ eventID: correctiveId });
  const declaration = {
    ...original,
    errorDeclaration: { declarationTime: "2024-05-03T12:00:00.000-02:00", reason: "did_not_occur", correctiveEventIDs: [correctiveId] },
  };

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    member = await admit(hub.url, "epcis-rules", ["FORWARDER"]);
    expect((await capture(document(EPCIS_CONTEXT, [original]))).success).to.equal(true);
    const job = await capture(document(EPCIS_CONTEXT, [declaration, corrective]));
    expect(
      job.events.map((e) => e.status),
      JSON.stringify(job),
    ).to.deep.equal(["captured", "captured"]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("EPCIS 2.0 §7.4.1.2: an error declaration (the event's copy with errorDeclaration, same hash) is stored, not dropped as a duplicate", async function () {
    expect(eventHash(declaration, EPCIS_CONTEXT)).to.equal(eventHash(original, EPCIS_CONTEXT));
    const back = (await byId(eventHash(original, EPCIS_CONTEXT))).epcisBody.queryResults.resultsBody.eventList.map(strip);
    expect(back).to.deep.equal([original, declaration]);
  });

  it("EPCIS 2.0 REST binding GET /events/{eventID}: the event and its error declarations, which share its eventID", async function () {
    expect((await byId(originalId)).epcisBody.queryResults.resultsBody.eventList.map(strip)).to.deep.equal([original, declaration]);
  });

  it("EPCIS 2.0 §8.2.7.1 EXISTS_errorDeclaration: only events that contain an ErrorDeclaration", async function () {
    expect(await find({ EXISTS_errorDeclaration: true })).to.deep.equal([declaration]);
    expect(await find({ EXISTS_errorDeclaration: false })).to.deep.equal([original, declaration, corrective]);
  });

  it("EPCIS 2.0 §8.2.7.1 GE_errorDeclarationTime / LT_errorDeclarationTime: declarations at or after / before the time (any offset)", async function () {
    // 12:00-02:00 is 14:00Z
    expect(await find({ GE_errorDeclarationTime: "2024-05-03T16:00:00+02:00" })).to.deep.equal([declaration]);
    expect(await find({ GE_errorDeclarationTime: "2024-05-03T14:00:00.001Z" })).to.deep.equal([]);
    expect(await find({ LT_errorDeclarationTime: "2024-05-03T14:00:00.001Z" })).to.deep.equal([declaration]);
    expect(await find({ LT_errorDeclarationTime: "2024-05-03T14:00:00Z" })).to.deep.equal([]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_errorReason: declarations whose reason is one of the values (CBV bare word or URI)", async function () {
    expect(await find({ EQ_errorReason: ["did_not_occur"] })).to.deep.equal([declaration]);
    expect(await find({ EQ_errorReason: ["incorrect_data", "https://ref.gs1.org/cbv/ER-did_not_occur"] })).to.deep.equal([declaration]);
    expect(await find({ EQ_errorReason: ["incorrect_data"] })).to.deep.equal([]);
  });

  it("EPCIS 2.0 §8.2.7.1 EQ_correctiveEventID: declarations whose correctiveEventIDs hold one of the values", async function () {
    expect(await find({ EQ_correctiveEventID: [correctiveId] })).to.deep.equal([declaration]);
    expect(await find({ EQ_correctiveEventID: [originalId] })).to.deep.equal([]);
  });

  it("EPCIS 2.0 §7.4.1 (eventID is optional): an event captured without an eventID reads back without one", async function () {
    const e = event();
    await capture(document(EPCIS_CONTEXT, [e]));
    const answer = await byId(eventHash(e, EPCIS_CONTEXT));
    const [back] = answer.epcisBody.queryResults.resultsBody.eventList;
    expect(strip(back!)).to.deep.equal(e);
    expect(back).to.not.have.property("eventID");
  });

  it("JSON-LD 1.1 §4.1.11 (protected terms): a context written before the 2.0 context stays before it, and the answer expands without a clash", async function () {
    const context = [OLDER, EPCIS_CONTEXT, EXT];
    const e = event({ legacyNote: "from a 1.2 system", "acme:grade": "acme:A" });
    const captured = document(context, [e]);
    await expand(captured); // the captured document is valid JSON-LD
    const job = await capture(captured);
    expect(job.success, JSON.stringify(job)).to.equal(true);
    const answer = await byId(eventHash(e, context));
    expect(answer["@context"]).to.deep.equal(context);
    await expand(answer);
    const [back] = answer.epcisBody.queryResults.resultsBody.eventList;
    expect(await canonical(answer["@context"], strip(back!))).to.equal(await canonical(context, e));
    // The check can fail: the 2.0 context first (what the hub answered before) redefines its protected terms.
    const reordered = await expand({ ...answer, "@context": [EPCIS_CONTEXT, OLDER, EXT] }).then(
      () => "expanded",
      (err: unknown) => String(err),
    );
    expect(reordered).to.match(/protected term/);
  });

  it("EPCIS 2.0 JSON-LD binding: extension namespaces and user vocabularies of events from several documents round-trip in one answer", async function () {
    const other = { beta: "https://ns.beta.example/voc/" };
    const a = event({ "acme:grade": "acme:B", bizStep: "acme:BizStep-customs_hold" });
    const b = event({ "beta:temperature": { "@value": "4.5", "@type": "xsd:decimal" } });
    for (const doc of [document([EPCIS_CONTEXT, EXT], [a]), document([EPCIS_CONTEXT, other], [b])]) {
      const job = await capture(doc);
      expect(job.success, JSON.stringify(job)).to.equal(true);
    }
    const answer = (await member.client.epcisQuery({ MATCH_epc: [a.epcList, b.epcList].flat() as string[] })) as unknown as Answer;
    await expand(answer);
    const list = answer.epcisBody.queryResults.resultsBody.eventList;
    expect(list.map(strip)).to.deep.equal([a, b]);
    const under = (x: Record<string, unknown>) => [answer["@context"], x["@context"] ?? []].flat();
    expect(await canonical(under(list[0]!), strip(list[0]!))).to.equal(await canonical([EPCIS_CONTEXT, EXT], a));
    expect(await canonical(under(list[1]!), strip(list[1]!))).to.equal(await canonical([EPCIS_CONTEXT, other], b));
  });
});
