import { expect } from "chai";
import { eventsOf, type CaptureDocument } from "../../sdk/epcis/document";
import { eventHash, preHashString } from "../../sdk/epcis/event-hash";
import { epcisEventBodies } from "../../sdk/epcis/records";
import { epcisDocumentToXml, epcisXmlToDocument } from "../../sdk/epcis/xml";
import { canonical, redefinesProtected } from "./epcis-jsonld";
import { listFiles, readJson, standardsFile } from "./standards";

/**
 * EPCIS 2.0: the XML binding and the JSON-LD binding represent the same events. Every JSON-LD
 * example of the standard, written as XML and read back, gives the same events, compared three
 * ways: the CBV 2.0 pre-hash string (and so the event hash), and the URDNA2015 canonical N-Quads
 * of the event as JSON-LD data (every field, also those the hash ignores: eventID,
 * errorDeclaration, certificationInfo). Plus published XML documents and their JSON-LD twins.
 */

type Doc = CaptureDocument & Record<string, unknown>;
const events = (d: Doc) => eventsOf(d) as unknown as Record<string, unknown>[];

describe("conformance: EPCIS 2.0 XML binding (JSON-LD -> XML -> JSON-LD for every example)", function () {
  const examples = listFiles("epcis/examples", ".jsonld");

  it("finds the examples", function () {
    expect(examples.length).to.be.greaterThan(10);
  });

  for (const file of examples) {
    it(`EPCIS 2.0 §9 (XML binding) ≡ §10 (JSON-LD binding): ${file} round-trips through XML to the same events`, async function () {
      const doc = readJson(standardsFile("epcis", "examples", file)) as Doc;
      const xml = epcisDocumentToXml(doc);
      expect(xml).to.match(/<epcisq?:EPCIS(Query)?Document /);
      const back = epcisXmlToDocument(xml) as Doc;
      expect(back.type).to.equal(doc.type);
      const [before, after] = [events(doc), events(back)];
      expect(after).to.have.length(before.length);
      for (const [i, event] of before.entries()) {
        const again = after[i]!;
        expect(again.type, `${file} #${i}`).to.equal(event.type);
        expect(preHashString(again, back["@context"]), `${file} #${i} pre-hash`).to.equal(preHashString(event, doc["@context"]));
        expect(eventHash(again, back["@context"]), `${file} #${i} hash`).to.equal(eventHash(event, doc["@context"]));
        const strict = !(await redefinesProtected(doc["@context"], event));
        expect(await canonical(back["@context"], again, strict), `${file} #${i} N-Quads`).to.equal(await canonical(doc["@context"], event, strict));
      }
      // What came back is a document the hub's JSON capture takes, with the same event ids.
      expect(epcisEventBodies(back, "org").map((b) => b.eventId)).to.deep.equal(epcisEventBodies(doc, "org").map((b) => b.eventId));
    });
  }

  it("the comparison tells a changed event apart (the checks can fail), also in what the hash ignores", async function () {
    const doc = readJson(standardsFile("epcis", "examples", "object_event_all_possible_fields.jsonld")) as Doc;
    const back = epcisXmlToDocument(epcisDocumentToXml(doc)) as Doc;
    const [event, again] = [events(doc)[0]!, events(back)[0]!];
    const strict = !(await redefinesProtected(doc["@context"], event));
    const changed = { ...again, certificationInfo: "https://accreditation-council.example.org/certificate/OTHER" };
    expect(await canonical(back["@context"], changed, strict)).to.not.equal(await canonical(doc["@context"], event, strict));
    expect(preHashString({ ...again, bizStep: "shipping" }, back["@context"])).to.not.equal(preHashString(event, doc["@context"]));
  });
});

/**
 * A published XML document and its JSON-LD twin: openepcis/openepcis-test-resources (Apache-2.0),
 * core/src/main/resources/2.0/EPCIS/XML/Capture/Documents/TransformationEvent.xml and
 * .../JSON/Capture/Documents/TransformationEvent.json at commit 59b83f88093188183c195a3338dc61c6b887da9d,
 * embedded unchanged. (GS1's own XML examples in gs1/EPCIS carry no licence grant beyond GS1's
 * disclaimer, so none is copied here.)
 */
const OPENEPCIS_TRANSFORMATION_XML = `<?xml version='1.0' encoding='UTF-8'?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cbvmda="urn:epcglobal:cbv:mda:" schemaVersion="2.0" creationDate="2013-06-04T14:59:02.099+02:00">
    <EPCISBody>
        <EventList>
            <TransformationEvent xmlns:ns1="urn:epcglobal:epcis-query:xsd:2" xmlns:ns2="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader" xmlns:example="http://ns.example.com/epcis/">
                <eventTime>2013-10-31T14:58:56.591Z</eventTime>
                <eventTimeZoneOffset>+02:00</eventTimeZoneOffset>
                <eventID>ni:///sha-256;e65c3a997e77f34b58306da7a82ab0fc91c7820013287700f0b50345e5795b97?ver=CBV2.0</eventID>
                <inputEPCList>
                    <epc>urn:epc:id:sgtin:4012345.011122.25</epc>
                    <epc>urn:epc:id:sgtin:4000001.065432.99886655</epc>
                </inputEPCList>
                <inputQuantityList>
                    <quantityElement>
                        <epcClass>urn:epc:class:lgtin:4012345.011111.4444</epcClass>
                        <quantity>10.0</quantity>
                        <uom>KGM</uom>
                    </quantityElement>
                    <quantityElement>
                        <epcClass>urn:epc:class:lgtin:0614141.077777.987</epcClass>
                        <quantity>30.0</quantity>
                    </quantityElement>
                    <quantityElement>
                        <epcClass>urn:epc:idpat:sgtin:4012345.066666.*</epcClass>
                        <quantity>220.0</quantity>
                    </quantityElement>
                </inputQuantityList>
                <outputEPCList>
                    <epc>urn:epc:id:sgtin:4012345.077889.25</epc>
                    <epc>urn:epc:id:sgtin:4012345.077889.26</epc>
                    <epc>urn:epc:id:sgtin:4012345.077889.27</epc>
                    <epc>urn:epc:id:sgtin:4012345.077889.28</epc>
                </outputEPCList>
                <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
                <disposition>urn:epcglobal:cbv:disp:in_progress</disposition>
                <readPoint>
                    <id>urn:epc:id:sgln:4012345.00001.0</id>
                </readPoint>
                <ilmd>
                    <example:bestBeforeDate>2014-12-10</example:bestBeforeDate>
                    <example:batch>XYZ</example:batch>
                </ilmd>
                <example:myField>Example of a vendor/user extension</example:myField>
            </TransformationEvent>
        </EventList>
    </EPCISBody>
</epcis:EPCISDocument>`;

const OPENEPCIS_TRANSFORMATION_JSON = {
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", { example: "http://ns.example.com/epcis/" }],
  id: "https://id.example.org/document1",
  type: "EPCISDocument",
  schemaVersion: "2.0",
  creationDate: "2013-06-04T14:59:02.099+02:00",
  epcisBody: {
    eventList: [
      {
        eventID: "ni:///sha-256;e65c3a997e77f34b58306da7a82ab0fc91c7820013287700f0b50345e5795b97?ver=CBV2.0",
        type: "TransformationEvent",
        eventTime: "2013-10-31T14:58:56.591Z",
        eventTimeZoneOffset: "+02:00",
        inputEPCList: ["urn:epc:id:sgtin:4012345.011122.25", "urn:epc:id:sgtin:4000001.065432.99886655"],
        inputQuantityList: [
          { epcClass: "urn:epc:class:lgtin:4012345.011111.4444", quantity: 10, uom: "KGM" },
          { epcClass: "urn:epc:class:lgtin:0614141.077777.987", quantity: 30 },
          { epcClass: "urn:epc:idpat:sgtin:4012345.066666.*", quantity: 220 },
        ],
        outputEPCList: [
          "urn:epc:id:sgtin:4012345.077889.25",
          "urn:epc:id:sgtin:4012345.077889.26",
          "urn:epc:id:sgtin:4012345.077889.27",
          "urn:epc:id:sgtin:4012345.077889.28",
        ],
        bizStep: "commissioning",
        disposition: "in_progress",
        readPoint: { id: "urn:epc:id:sgln:4012345.00001.0" },
        ilmd: { "example:bestBeforeDate": "2014-12-10", "example:batch": "XYZ" },
        "example:myField": "Example of a vendor/user extension",
      },
    ],
  },
};

describe("conformance: EPCIS 2.0 XML binding, published XML documents read as their JSON-LD twins", function () {
  it("openepcis TransformationEvent.xml (Apache-2.0) is its TransformationEvent.json: same event, same event hash, same JSON-LD data", async function () {
    const fromXml = epcisXmlToDocument(OPENEPCIS_TRANSFORMATION_XML) as Doc;
    const twin = OPENEPCIS_TRANSFORMATION_JSON as unknown as Doc;
    const [a] = events(fromXml);
    const [b] = events(twin);
    expect(eventHash(a!, fromXml["@context"])).to.equal(eventHash(b!, twin["@context"]));
    expect(await canonical(fromXml["@context"], a!)).to.equal(await canonical(twin["@context"], b!));
    expect(a).to.deep.equal(b); // field for field, once the binding's rules are applied
  });
});
