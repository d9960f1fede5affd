import { expect } from "chai";
import { epcisXmlToDocument } from "../../sdk/epcis/xml";
import { HttpProblem } from "../../server/http/problem";
import { glnDigits, masterDataOf } from "../../server/epcis/master-data";

/**
 * EPCIS 2.0 master data (§6.5, the header's epcisMasterData; JSON binding: EPCIS-JSON-Schema.json
 * `vocabulary`, `vocabularyElement`, `attribute`) and the CBV 2.0 §10 location and party attributes,
 * one rule per test, as the hub reads them from a capture document (server/epcis/master-data.ts).
 */

const LOCATION = "urn:epcglobal:epcis:vtype:BusinessLocation";
const doc = (vocabularyList: unknown) => ({ type: "EPCISDocument", epcisHeader: { epcisMasterData: { vocabularyList } } });
const element = (id: string, attributes: { id: string; attribute?: unknown }[]) => ({ id, attributes });
const refused = (document: unknown): HttpProblem => {
  try {
    masterDataOf(document);
  } catch (e) {
    if (e instanceof HttpProblem) return e;
    throw e;
  }
  throw new Error("accepted");
};

describe("conformance: EPCIS 2.0 master data (§6.5) and CBV 2.0 master data attributes (§10)", function () {
  it("EPCIS 2.0 §6.5 / JSON schema `vocabulary`: master data is epcisHeader.epcisMasterData.vocabularyList, each vocabulary a type and a vocabularyElementList of { id, attributes: [{ id, attribute }] }", function () {
    const [e] = masterDataOf(
      doc([
        {
          type: LOCATION,
          vocabularyElementList: [element("urn:epc:id:sgln:9506000.00001.0", [{ id: "urn:epcglobal:cbv:mda:name", attribute: "Lyon plant" }])],
        },
      ]),
    );
    expect(e).to.deep.include({ vocabularyType: LOCATION, id: "urn:epc:id:sgln:9506000.00001.0", name: "Lyon plant" });
  });

  it("EPCIS 2.0 §6.5: a document without master data, and a vocabulary without elements, state nothing", function () {
    expect(masterDataOf({ type: "EPCISDocument" })).to.deep.equal([]);
    expect(masterDataOf(doc([{ type: LOCATION }]))).to.deep.equal([]);
  });

  it("CBV 2.0 §10: an attribute named by its full URI (urn:epcglobal:cbv:mda:city) and by the JSON-LD context's cbvmda: prefix is the same attribute", function () {
    const [a] = masterDataOf(
      doc([
        {
          type: LOCATION,
          vocabularyElementList: [
            element("urn:epc:id:sgln:9506000.00001.0", [
              { id: "cbvmda:city", attribute: "Lyon" },
              { id: "urn:epcglobal:cbv:mda:postalCode", attribute: "69007" },
            ]),
          ],
        },
      ]),
    );
    expect(a).to.deep.include({ city: "Lyon", postalCode: "69007" });
  });

  it("CBV 1.2 (EPCIS 1.x XML master data, still deployed): urn:epcglobal:cbv:mda#name names the same attribute", function () {
    const [a] = masterDataOf(
      doc([
        {
          type: LOCATION,
          vocabularyElementList: [element("urn:epc:id:sgln:9506000.00001.0", [{ id: "urn:epcglobal:cbv:mda#name", attribute: "Lyon plant" }])],
        },
      ]),
    );
    expect(a!.name).to.equal("Lyon plant");
  });

  it("CBV 2.0 §10: countryCode is an ISO 3166-1 alpha-2 code; another form is refused (400 epcis-validation)", function () {
    const p = refused(
      doc([
        {
          type: LOCATION,
          vocabularyElementList: [element("urn:epc:id:sgln:9506000.00001.0", [{ id: "urn:epcglobal:cbv:mda:countryCode", attribute: "FRA" }])],
        },
      ]),
    );
    expect(p.status).to.equal(400);
    expect(p.kind).to.equal("epcis-validation");
  });

  it("CBV 2.0 §10: latitude and longitude are decimal degrees (a number or its text), within ±90 and ±180", function () {
    const [a] = masterDataOf(
      doc([
        {
          type: LOCATION,
          vocabularyElementList: [
            element("urn:epc:id:sgln:9506000.00001.0", [
              { id: "cbvmda:latitude", attribute: 45.75 },
              { id: "cbvmda:longitude", attribute: "-4.85" },
            ]),
          ],
        },
      ]),
    );
    expect(a).to.deep.include({ latitude: "45.75", longitude: "-4.85" });
    expect(
      refused(doc([{ type: LOCATION, vocabularyElementList: [element("urn:epc:id:sgln:9506000.00001.0", [{ id: "cbvmda:longitude", attribute: "190" }])] }]))
        .status,
    ).to.equal(400);
  });

  it("EPCIS 2.0 JSON schema `vocabularyElement`: id is required", function () {
    expect(refused(doc([{ type: LOCATION, vocabularyElementList: [{ attributes: [] }] }])).status).to.equal(400);
  });

  it("EPCIS 2.0 JSON schema `attribute`: an attribute of another vocabulary is kept as captured (with its id), beside the CBV ones", function () {
    const [a] = masterDataOf(
      doc([
        { type: LOCATION, vocabularyElementList: [element("urn:epc:id:sgln:9506000.00001.0", [{ id: "https://ns.example/dock", attribute: { door: 4 } }])] },
      ]),
    );
    expect(a!.attributes).to.deep.equal([{ id: "https://ns.example/dock", attribute: { door: 4 } }]);
  });

  it("CBV 2.0 §10: location (BusinessLocation, ReadPoint) and party vocabularies are read; others (EPCClass) are not location names and are left out", function () {
    const list = masterDataOf(
      doc([
        { type: "urn:epcglobal:epcis:vtype:ReadPoint", vocabularyElementList: [element("urn:epc:id:sgln:9506000.00001.1", [])] },
        { type: "urn:epcglobal:epcis:vtype:Party", vocabularyElementList: [element("urn:epc:id:pgln:9506000.00002", [])] },
        { type: "urn:epcglobal:epcis:vtype:EPCClass", vocabularyElementList: [element("urn:epc:idpat:sgtin:9506000.123456.*", [])] },
      ]),
    );
    expect(list.map((e) => e.vocabularyType)).to.deep.equal(["urn:epcglobal:epcis:vtype:ReadPoint", "urn:epcglobal:epcis:vtype:Party"]);
  });

  it("EPCIS 2.0 XML binding: EPCISMasterData in the header's extension reads as the same master data", function () {
    const xml = `<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2026-05-01T00:00:00Z">
<EPCISHeader><extension><EPCISMasterData><VocabularyList><Vocabulary type="${LOCATION}"><VocabularyElementList>
<VocabularyElement id="urn:epc:id:sgln:9506000.00001.0"><attribute id="urn:epcglobal:cbv:mda:name">Lyon plant</attribute><attribute id="urn:epcglobal:cbv:mda:countryCode">FR</attribute></VocabularyElement>
</VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData></extension></EPCISHeader>
<EPCISBody><EventList><ObjectEvent><eventTime>2026-04-01T08:00:00+02:00</eventTime><eventTimeZoneOffset>+02:00</eventTimeZoneOffset><epcList/><action>OBSERVE</action></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`;
    const [a] = masterDataOf(epcisXmlToDocument(xml));
    expect(a).to.deep.include({ id: "urn:epc:id:sgln:9506000.00001.0", name: "Lyon plant", countryCode: "FR" });
  });

  it("GS1 TDS (SGLN, PGLN EPC URIs) and GS1 Digital Link (AI 414, 417): the GLN a location's owner is judged by", function () {
    expect(glnDigits("urn:epc:id:sgln:9506000.00001.0")).to.equal("950600000001");
    expect(glnDigits("urn:epc:id:pgln:9506000.00002")).to.equal("950600000002");
    expect(glnDigits("https://id.gs1.org/414/9506000000018/254/2")).to.equal("9506000000018");
    expect(glnDigits("https://example.com/417/9506000000025")).to.equal("9506000000025");
    // A company prefix and location reference that are not 12 digits together name no GLN.
    expect(glnDigits("urn:epc:id:sgln:9506000.001.0")).to.equal(undefined);
  });
});
