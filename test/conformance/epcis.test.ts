import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { eventsOf } from "../../sdk/epcis/document";
import { parseCaptureDocument } from "../../sdk/epcis/records";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "../integration/harness";
import { listFiles, readJson, standardsFile } from "./standards";
import { canonical, redefinesProtected } from "./epcis-jsonld";

type QueryDoc = { "@context": unknown; epcisBody: { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } } };

describe("conformance: EPCIS 2.0 examples round-trip through capture and query", function () {
  this.timeout(300_000);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(readJson(standardsFile("epcis", "EPCIS-JSON-Schema.json")) as object);
  const examples = listFiles("epcis/examples", ".jsonld");
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let member: TestOrg;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    member = await admit(hub.url, "epcis-client", ["FORWARDER"]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("finds the examples", function () {
    expect(examples.length).to.be.greaterThan(10);
  });

  for (const file of examples) {
    it(`${file}: valid per the JSON schema, captured, read back equal as JSON-LD data; our answer valid too`, async function () {
      const doc = readJson(join(standardsFile("epcis", "examples"), file)) as Record<string, unknown>;
      expect(["EPCISDocument", "EPCISQueryDocument"]).to.include(doc.type);
      expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);

      const job = await member.client.waitForCapture(await member.client.captureEpcis(doc));
      expect(job.success, JSON.stringify(job.errors)).to.equal(true);
      const events = eventsOf(parseCaptureDocument(doc)) as Record<string, unknown>[];
      expect(job.events).to.have.length(events.length);

      for (const [i, event] of events.entries()) {
        if (job.events[i]!.status === "duplicate") {
          // The same captured event as one an earlier example holds (same content and context):
          // stored once. (9.6.4's Digital Link twin of the URN example has the same CBV 2.0 hash but
          // other content: it is captured as an event of its own.)
          const stored = (await member.client.epcisEvent(job.events[i]!.eventID)) as unknown as QueryDoc;
          expect(stored.epcisBody.queryResults.resultsBody.eventList.length).to.be.greaterThan(0);
          continue;
        }
        const id = typeof event.eventID === "string" ? event.eventID : job.events[i]!.eventID;
        const answer = (await member.client.epcisEvent(id)) as unknown as QueryDoc;
        expect(validate(answer), JSON.stringify(validate.errors)).to.equal(true);
        const [back] = answer.epcisBody.queryResults.resultsBody.eventList;
        expect(back).to.not.equal(undefined);
        expect(typeof back!.recordTime).to.equal("string");
        const context = back!["@context"] ? [answer["@context"], back!["@context"]].flat() : answer["@context"];
        const { "@context": _own, ...backEvent } = back!;
        const strict = !(await redefinesProtected(doc["@context"], event));
        expect(await canonical(context, backEvent, strict)).to.equal(await canonical(doc["@context"], event, strict));
      }
    });
  }

  it("the published JSON schema refuses what it should (the check can fail)", function () {
    const doc = readJson(join(standardsFile("epcis", "examples"), examples[0]!)) as Record<string, unknown>;
    expect(validate({ ...doc, epcisBody: { eventList: [{ type: "ObjectEvent" }] } })).to.equal(false);
  });

  it("canonical comparison tells a changed event apart", async function () {
    const doc = JSON.parse(readFileSync(join(standardsFile("epcis", "examples"), "Example_9.6.1-ObjectEvent.jsonld"), "utf8")) as Record<string, unknown>;
    const [event] = eventsOf(parseCaptureDocument(doc)) as Record<string, unknown>[];
    expect(await canonical(doc["@context"], { ...event!, bizStep: "receiving" })).to.not.equal(await canonical(doc["@context"], event!));
  });
});
