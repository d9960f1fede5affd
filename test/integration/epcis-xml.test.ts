import { expect } from "chai";
import { EPCIS_CONTEXT } from "../../sdk/epcis/document";
import { eventHash } from "../../sdk/epcis/event-hash";
import { epcisDocumentToXml } from "../../sdk/epcis/xml";
import { epcisRecordId } from "../../sdk/records/epcis-event";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";

// EPCIS capture in the XML binding, through a real hub: the same capture path, records and hashes as JSON-LD.

const CONTEXT = [EPCIS_CONTEXT, { example: "http://ns.example.com/epcis/" }];
const NS = 'xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:example="http://ns.example.com/epcis/"';

function xmlDocument(serial: string, inner = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument ${NS} schemaVersion="2.0" creationDate="2024-03-01T10:05:00.000Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2024-03-01T10:00:00.000+08:00</eventTime>
      <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
      <epcList><epc>urn:epc:id:sgtin:0614141.107346.${serial}</epc></epcList>
      <action>OBSERVE</action>
      <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
      <disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
      <readPoint><id>urn:epc:id:sgln:0614141.07346.1234</id></readPoint>
      ${inner}
      <example:note>item ${serial}</example:note>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>`;
}

/** The same event in the JSON-LD binding (bare CBV words, the extension as a namespaced key). */
const jsonEvent = (serial: string) => ({
  type: "ObjectEvent",
  eventTime: "2024-03-01T10:00:00.000+08:00",
  eventTimeZoneOffset: "+08:00",
  epcList: [`urn:epc:id:sgtin:0614141.107346.${serial}`],
  action: "OBSERVE",
  bizStep: "shipping",
  disposition: "in_transit",
  readPoint: { id: "urn:epc:id:sgln:0614141.07346.1234" },
  "example:note": `item ${serial}`,
});
const jsonDocument = (events: Record<string, unknown>[]) => ({
  "@context": CONTEXT,
  type: "EPCISDocument",
  schemaVersion: "2.0",
  creationDate: "2024-03-01T10:05:00.000Z",
  epcisBody: { eventList: events },
});

type QueryAnswer = { epcisBody: { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } & Record<string, unknown> } };
const eventList = (r: QueryAnswer) => r.epcisBody.queryResults.resultsBody.eventList;

describe(`EPCIS 2.0 XML capture through a hub (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    forwarder = await admit(hub.url, "xml-fwd", ["FORWARDER"]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  const capture = async (body: string, contentType: string, token?: string) =>
    fetch(`${hub.url}/epcis/capture`, {
      method: "POST",
      headers: { "content-type": contentType, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body,
    });

  it("stores an XML capture as the JSON-LD event: read back through the JSON query API, the same event hash and record as the JSON capture of the event", async function () {
    for (const contentType of ["application/xml", "text/xml; charset=utf-8"]) {
      const serial = contentType === "application/xml" ? "7001" : "7002";
      const res = await capture(xmlDocument(serial), contentType, await forwarder.client.accessToken());
      expect(res.status, await res.clone().text()).to.equal(202);
      expect(res.headers.get("gs1-capture-file-size-limit")).to.match(/^\d+$/);
      const job = await forwarder.client.waitForCapture(res.headers.get("location")!.split("/").pop()!);
      expect(job).to.include({ running: false, success: true });
      const hash = eventHash(jsonEvent(serial), CONTEXT);
      expect(job.events).to.deep.equal([{ eventID: hash, status: "captured", recordId: epcisRecordId(hash, "xml-fwd") }]);

      // Read through the JSON query API: the event as JSON-LD, exactly the JSON binding's form of it.
      const answer = (await forwarder.client.epcisEvent(hash)) as unknown as QueryAnswer;
      const [{ recordTime, ...stored }] = eventList(answer) as [Record<string, unknown>];
      expect(recordTime).to.be.a("string");
      expect(stored).to.deep.equal(jsonEvent(serial));

      // The JSON-LD capture of the same event is the same event: a duplicate of the same record.
      const again = await forwarder.client.waitForCapture(await forwarder.client.captureEpcis(jsonDocument([jsonEvent(serial)])));
      expect(again.events).to.deep.equal([{ eventID: hash, status: "duplicate", recordId: epcisRecordId(hash, "xml-fwd") }]);
    }
  });

  it("a JSON-LD document written as XML by the SDK is captured with the same hashes", async function () {
    const events = [jsonEvent("7101"), { ...jsonEvent("7102"), eventID: "urn:uuid:0b7e5a51-7102-4000-8000-000000007102" }];
    const res = await capture(epcisDocumentToXml(jsonDocument(events)), "application/xml", await forwarder.client.accessToken());
    expect(res.status).to.equal(202);
    const job = await forwarder.client.waitForCapture(res.headers.get("location")!.split("/").pop()!);
    expect(job.events.map((e) => e.eventID)).to.deep.equal(events.map((e) => eventHash(e, CONTEXT)));
    expect(eventList((await forwarder.client.epcisEvent("urn:uuid:0b7e5a51-7102-4000-8000-000000007102")) as unknown as QueryAnswer)).to.have.length(1);
  });

  it("a document breaking the XML binding is a 400 problem naming the element, and changes nothing", async function () {
    const token = await forwarder.client.accessToken();
    const jobsBefore = await (await fetch(`${hub.url}/epcis/capture`, { headers: { authorization: `Bearer ${token}` } })).json();
    const eventsBefore = eventList((await forwarder.client.epcisQuery()) as unknown as QueryAnswer).length;

    const cases: [string, string, RegExp][] = [
      [xmlDocument("7201", "<bizStepp>x</bizStepp>"), "unknown-element", /ObjectEvent\/bizStepp$/],
      [xmlDocument("7202").replace("<action>OBSERVE</action>", "<action>LOOK</action>"), "action", /ObjectEvent\/action$/],
      [xmlDocument("7203").replace("</EventList></EPCISBody>", "</EPCISBody>"), "well-formed", /^$/],
      [`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>${xmlDocument("7204").replace(/^<\?xml[^>]*>\n/, "")}`, "no-dtd", /^$/],
    ];
    for (const [body, rule, path] of cases) {
      const res = await capture(body, "application/xml", token);
      expect(res.status, rule).to.equal(400);
      expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
      const problem = (await res.json()) as { type: string; detail: string; errors: { path: string; message: string }[] };
      expect(problem.type).to.equal("https://cargoproof.dev/problems/epcis-xml");
      expect(problem.errors[0]!.path, rule).to.match(path);
      expect(problem.errors[0]!.message, rule).to.match(new RegExp(`^${rule}: `));
    }
    // An XML document valid in the binding but not as an EPCIS event for the hub (no event) is the JSON capture's 400.
    const empty = await capture(xmlDocument("7205").replace(/<ObjectEvent>[\s\S]*<\/ObjectEvent>/, ""), "application/xml", token);
    expect(empty.status).to.equal(400);
    expect(((await empty.json()) as { type: string }).type).to.equal("https://cargoproof.dev/problems/epcis-validation");
    // Another media type is a 415, as before.
    expect((await capture(xmlDocument("7206"), "text/plain", token)).status).to.equal(415);

    const jobsAfter = await (await fetch(`${hub.url}/epcis/capture`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(jobsAfter).to.deep.equal(jobsBefore);
    expect(eventList((await forwarder.client.epcisQuery()) as unknown as QueryAnswer)).to.have.length(eventsBefore);
  });

  it("a caller without the capture right (no token, a forged token) gets exactly what a JSON capture gets, and nothing is parsed or stored", async function () {
    const token = await forwarder.client.accessToken();
    const eventsBefore = eventList((await forwarder.client.epcisQuery()) as unknown as QueryAnswer).length;
    for (const bearer of [undefined, "not-a-token", `${token.slice(0, -4)}AAAA`]) {
      const xml = await capture(xmlDocument("7301"), "application/xml", bearer);
      const json = await capture(JSON.stringify(jsonDocument([jsonEvent("7301")])), "application/ld+json", bearer);
      expect(xml.status).to.equal(401);
      expect(xml.status).to.equal(json.status);
      expect(xml.headers.get("www-authenticate")).to.equal(json.headers.get("www-authenticate"));
      expect(await xml.json()).to.deep.equal(await json.json());
      // A malformed XML body from such a caller is refused as unauthenticated, not parsed.
      expect((await capture("<not xml", "application/xml", bearer)).status).to.equal(401);
    }
    expect(eventList((await forwarder.client.epcisQuery()) as unknown as QueryAnswer)).to.have.length(eventsBefore);
  });
});
