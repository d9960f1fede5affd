import { expect } from "chai";
import { join } from "node:path";
import { eventHash } from "../../sdk/epcis/event-hash";
import { listFiles, readJson, standardsFile } from "./standards";

type Doc = {
  "@context": unknown;
  epcisBody: { eventList?: Record<string, unknown>[]; queryResults?: { resultsBody: { eventList: Record<string, unknown>[] } } };
};
const eventsOf = (d: Doc) => d.epcisBody.eventList ?? d.epcisBody.queryResults?.resultsBody.eventList ?? [];
const load = (file: string) => readJson(join(standardsFile("epcis", "examples"), file)) as Doc;

/**
 * The examples' ni:/// eventIDs predate CBV 2.0's final rules (they keep EPC URNs and expand bare
 * words to urn:epcglobal:cbv URNs; equivalent URN and Digital Link examples carry different ids).
 * The "urn-draft" profile reproduces those values with the same structure (order, sorting,
 * timestamps, lists, extensions): it tests the structure; the cbv-2.0 profile is what the hub uses.
 */
describe("conformance: the event hash against the EPCIS examples' published eventIDs", function () {
  const published = listFiles("epcis/examples", ".jsonld").flatMap((f) =>
    eventsOf(load(f))
      .filter((e) => typeof e.eventID === "string" && e.eventID.startsWith("ni:///"))
      .map((e) => ({ file: f, event: e, context: load(f)["@context"] })),
  );

  it("reproduces the published hashes of the examples written with EPC URNs and no nested extensions", function () {
    const matching = published.filter(({ event, context }) => eventHash(event, context, "urn-draft") === event.eventID).map((p) => p.file);
    // These files' every ni:/// eventID must come out exactly.
    for (const f of [
      "AssociationEvent-a.jsonld",
      "AssociationEvent-b.jsonld",
      "AssociationEvent-c.jsonld",
      "AssociationEvent-d.jsonld",
      "Example_9.6.1-ObjectEvent.jsonld",
      "Example_9.6.2-ObjectEvent.jsonld",
      "Example_9.6.3-AggregationEvent.jsonld",
      "EPCISQueryDocument.jsonld",
    ]) {
      const mine = published.filter((p) => p.file === f);
      expect(mine.length, f).to.be.greaterThan(0);
      expect(matching.filter((m) => m === f).length, f).to.equal(mine.length);
    }
  });

  it("CBV 2.0: an example and its Digital Link twin, the same event, hash the same", function () {
    const urn = eventsOf(load("Example_9.6.4-TransformationEvent.jsonld"))[0]!;
    const dl = eventsOf(load("Example_9.6.4-TransformationEventWithDigitalLink.jsonld"))[0]!;
    expect(eventHash(urn, load("Example_9.6.4-TransformationEvent.jsonld")["@context"])).to.equal(
      eventHash(dl, load("Example_9.6.4-TransformationEventWithDigitalLink.jsonld")["@context"]),
    );
    // ...and the draft profile, which keeps identifiers as written, tells them apart.
    expect(eventHash(urn, undefined, "urn-draft")).to.not.equal(eventHash(dl, undefined, "urn-draft"));
  });
});
