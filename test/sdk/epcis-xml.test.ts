import { expect } from "chai";
import { EPCIS_CONTEXT } from "../../sdk/epcis/document";
import { eventHash } from "../../sdk/epcis/event-hash";
import { epcisEventBodies } from "../../sdk/epcis/records";
import { EpcisXmlError, epcisDocumentToXml, epcisXmlToDocument } from "../../sdk/epcis/xml";

// Unit tests of the EPCIS 2.0 XML binding (XSD EPCglobal-epcis-2_0.xsd), one per rule, named after it.

const NS = 'xmlns:epcis="urn:epcglobal:epcis:xsd:2"';
const doc = (events: string, { root = `epcis:EPCISDocument ${NS} schemaVersion="2.0" creationDate="2024-03-01T10:05:00Z"`, header = "", decls = "" } = {}) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ${decls}>${header}<EPCISBody><EventList>${events}</EventList></EPCISBody></${root.split(" ")[0]}>`;
const objectEvent = (inner = "", head = "") =>
  `<ObjectEvent ${head}><eventTime>2024-03-01T10:00:00.000+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>` +
  `<epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList><action>OBSERVE</action>${inner}</ObjectEvent>`;

type Doc = { "@context": unknown[]; epcisBody: { eventList: Record<string, unknown>[] } } & Record<string, unknown>;
const read = (xml: string) => epcisXmlToDocument(xml) as Doc;
const firstEvent = (xml: string) => read(xml).epcisBody.eventList[0]!;

function refusal(xml: string): EpcisXmlError {
  try {
    epcisXmlToDocument(xml);
  } catch (e) {
    if (e instanceof EpcisXmlError) return e;
    throw e;
  }
  throw new Error("expected the document to be refused");
}

describe("EPCIS 2.0 XML binding (sdk/epcis/xml.ts)", function () {
  describe("document structure (EPCISDocument / EPCISHeader / EPCISBody / EventList)", function () {
    it("EPCISDocument: the root is {urn:epcglobal:epcis:xsd:2}EPCISDocument; schemaVersion and creationDate become the JSON-LD document's fields", function () {
      const d = read(doc(objectEvent()));
      expect(d).to.include({ type: "EPCISDocument", schemaVersion: "2.0", creationDate: "2024-03-01T10:05:00Z" });
      expect(d["@context"]).to.deep.equal([EPCIS_CONTEXT]);
      expect(d.epcisBody.eventList).to.have.length(1);
    });

    it("namespaces, not prefixes: any prefix bound to the EPCIS namespace names the document; another namespace does not", function () {
      expect(
        read(doc(objectEvent(), { root: 'x:EPCISDocument xmlns:x="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2024-03-01T10:05:00Z"' })).type,
      ).to.equal("EPCISDocument");
      const e = refusal(
        doc(objectEvent(), { root: 'epcis:EPCISDocument xmlns:epcis="urn:example:other" schemaVersion="2.0" creationDate="2024-03-01T10:05:00Z"' }),
      );
      expect(e.rule).to.equal("document-element");
      expect(refusal(`<epcis:EPCISDocument schemaVersion="2.0"/>`).rule).to.equal("namespace"); // an undeclared prefix
    });

    it("namespaces, not prefixes: the EPCIS namespace as the default namespace makes unprefixed elements standard; a default namespace on an extension element names it", function () {
      const xml = `<EPCISDocument xmlns="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2024-03-01T10:05:00Z"><EPCISBody><EventList>${objectEvent('<note xmlns="http://ns.example.com/epcis/">n</note>')}</EventList></EPCISBody></EPCISDocument>`;
      const d = read(xml);
      expect(d.epcisBody.eventList[0]).to.include({ type: "ObjectEvent", "ns:note": "n" });
      expect(d["@context"][1]).to.deep.equal({ ns: "http://ns.example.com/epcis/" });
    });

    it("EPCISDocument attributes: schemaVersion and creationDate are required (the epcglobal:Document base type)", function () {
      const e = refusal(doc(objectEvent(), { root: `epcis:EPCISDocument ${NS} schemaVersion="2.0"` }));
      expect(e).to.include({ rule: "required-attribute", path: "/epcis:EPCISDocument" });
    });

    it("EPCISBody is required and comes after EPCISHeader (the XSD's sequence)", function () {
      expect(refusal(`<epcis:EPCISDocument ${NS} schemaVersion="2.0" creationDate="2024-03-01T10:05:00Z"/>`).rule).to.equal("required-element");
      const e = refusal(
        `<epcis:EPCISDocument ${NS} schemaVersion="2.0" creationDate="2024-03-01T10:05:00Z"><EPCISBody><EventList/></EPCISBody><EPCISHeader/></epcis:EPCISDocument>`,
      );
      expect(e).to.include({ rule: "sequence", path: "/epcis:EPCISDocument/EPCISHeader" });
    });

    it("EPCISHeader: the SBDH's sender, receiver and instance identifier are the JSON binding's sender, receiver and instanceIdentifier", function () {
      const header =
        '<EPCISHeader><sbdh:StandardBusinessDocumentHeader xmlns:sbdh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">' +
        "<sbdh:HeaderVersion>1.0</sbdh:HeaderVersion><sbdh:Sender><sbdh:Identifier>urn:epc:id:sgln:0353579.00001.0</sbdh:Identifier></sbdh:Sender>" +
        "<sbdh:Receiver><sbdh:Identifier>urn:epc:id:sgln:5012345.00001.0</sbdh:Identifier></sbdh:Receiver>" +
        "<sbdh:DocumentIdentification><sbdh:InstanceIdentifier>1234567890</sbdh:InstanceIdentifier></sbdh:DocumentIdentification>" +
        "</sbdh:StandardBusinessDocumentHeader></EPCISHeader>";
      expect(read(doc(objectEvent(), { header }))).to.include({
        sender: "urn:epc:id:sgln:0353579.00001.0",
        receiver: "urn:epc:id:sgln:5012345.00001.0",
        instanceIdentifier: "1234567890",
      });
    });

    it("EPCISMasterData (EPCISHeader/extension): vocabularies, elements, attributes and children as epcisHeader.epcisMasterData", function () {
      const header =
        '<EPCISHeader><extension><EPCISMasterData><VocabularyList><Vocabulary type="urn:epcglobal:epcis:vtype:BusinessLocation"><VocabularyElementList>' +
        '<VocabularyElement id="urn:epc:id:sgln:0614141.00777.0"><attribute id="urn:epcglobal:cbv:mda:name">Lyon plant</attribute>' +
        '<attribute id="urn:epcglobal:cbv:mda:countryCode">FR</attribute><children><id>urn:epc:id:sgln:0614141.00777.1</id></children></VocabularyElement>' +
        "</VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData></extension></EPCISHeader>";
      const d = read(doc(objectEvent(), { header }));
      expect(d.epcisHeader).to.deep.equal({
        epcisMasterData: {
          vocabularyList: [
            {
              type: "urn:epcglobal:epcis:vtype:BusinessLocation",
              vocabularyElementList: [
                {
                  id: "urn:epc:id:sgln:0614141.00777.0",
                  attributes: [
                    { id: "urn:epcglobal:cbv:mda:name", attribute: "Lyon plant" },
                    { id: "urn:epcglobal:cbv:mda:countryCode", attribute: "FR" },
                  ],
                  children: ["urn:epc:id:sgln:0614141.00777.1"],
                },
              ],
            },
          ],
        },
      });
      expect(read(epcisDocumentToXml(d)).epcisHeader).to.deep.equal(d.epcisHeader);
    });

    it("EPCISQueryDocument: QueryResults (query schema namespace) with queryName, subscriptionID and resultsBody/EventList", function () {
      const xml =
        '<q:EPCISQueryDocument xmlns:q="urn:epcglobal:epcis-query:xsd:2" schemaVersion="2.0" creationDate="2024-03-01T10:05:00Z"><EPCISBody><q:QueryResults>' +
        `<queryName>SimpleEventQuery</queryName><subscriptionID>s-1</subscriptionID><resultsBody><EventList>${objectEvent()}</EventList></resultsBody></q:QueryResults></EPCISBody></q:EPCISQueryDocument>`;
      const d = epcisXmlToDocument(xml) as {
        type: string;
        epcisBody: { queryResults: { queryName: string; subscriptionID: string; resultsBody: { eventList: unknown[] } } };
      };
      expect(d.type).to.equal("EPCISQueryDocument");
      expect(d.epcisBody.queryResults).to.include({ queryName: "SimpleEventQuery", subscriptionID: "s-1" });
      expect(d.epcisBody.queryResults.resultsBody.eventList).to.have.length(1);
    });
  });

  describe("events (EPCISEventType and the five event types)", function () {
    it("the five event types: ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent; the element name is the event's type", function () {
      const head = "<eventTime>2024-03-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>";
      const events =
        objectEvent() +
        `<AggregationEvent>${head}<parentID>urn:epc:id:sscc:0614141.1234567890</parentID><childEPCs><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></childEPCs><action>ADD</action></AggregationEvent>` +
        `<TransactionEvent>${head}<bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:po">urn:epc:id:gdti:0614141.00001.1618034</bizTransaction></bizTransactionList><epcList/><action>ADD</action></TransactionEvent>` +
        `<TransformationEvent>${head}<inputEPCList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></inputEPCList><transformationID>urn:epc:id:gdti:0614141.12345.400</transformationID></TransformationEvent>` +
        `<AssociationEvent>${head}<parentID>urn:epc:id:grai:4012345.55555.987</parentID><childEPCs><epc>urn:epc:id:giai:4000001.12345</epc></childEPCs><action>ADD</action></AssociationEvent>`;
      const list = read(doc(events)).epcisBody.eventList;
      expect(list.map((e) => e.type)).to.deep.equal(["ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"]);
      expect(list[2]!.epcList).to.deep.equal([]);
      expect(list[3]).to.include({ transformationID: "urn:epc:id:gdti:0614141.12345.400" });
      expect(list[3]).to.not.have.property("action");
      // ... and the hub's JSON capture takes them all.
      expect(epcisEventBodies(read(doc(events)), "org")).to.have.length(5);
    });

    it("element order: the XSD's sequence is enforced (action after epcList in an ObjectEvent), the element named", function () {
      const xml = doc(
        `<ObjectEvent><eventTime>2024-03-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>ADD</action><epcList/></ObjectEvent>`,
      );
      expect(refusal(xml)).to.include({ rule: "sequence", path: "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent/epcList" });
    });

    it("eventID, errorDeclaration and certificationInfo may come in any order after eventTimeZoneOffset (published 2.0 documents differ)", function () {
      const a = objectEvent("", "").replace(
        "</eventTimeZoneOffset>",
        "</eventTimeZoneOffset><certificationInfo>https://cert.example.org/1</certificationInfo><eventID>urn:uuid:1</eventID>",
      );
      expect(firstEvent(doc(a))).to.include({ eventID: "urn:uuid:1", certificationInfo: "https://cert.example.org/1" });
    });

    it("required elements: an ObjectEvent needs epcList and action, every event eventTime and eventTimeZoneOffset", function () {
      const noAction = doc(`<ObjectEvent><eventTime>2024-03-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList/></ObjectEvent>`);
      expect(refusal(noAction)).to.include({ rule: "required-element", path: "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent" });
      expect(refusal(noAction).detail).to.contain("<action>");
      expect(refusal(doc(`<TransformationEvent><eventTime>2024-03-01T10:00:00Z</eventTime></TransformationEvent>`)).detail).to.contain("eventTimeZoneOffset");
    });

    it("an element of the EPCIS namespace (unqualified) the XSD does not define is refused, named by its path", function () {
      const e = refusal(doc(objectEvent("<bizStepp>urn:epcglobal:cbv:bizstep:shipping</bizStepp>")));
      expect(e).to.include({ rule: "unknown-element", path: "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent/bizStepp" });
      // QuantityEvent was removed in 2.0.
      expect(refusal(doc("<QuantityEvent/>")).rule).to.equal("unknown-element");
      // An element the type does not have (childEPCs is not an ObjectEvent's).
      expect(refusal(doc(objectEvent("<childEPCs/>"))).rule).to.equal("unknown-element");
    });

    it("a single-valued element may not repeat", function () {
      expect(
        refusal(doc(objectEvent("<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep><bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>"))).rule,
      ).to.equal("repeated-element");
    });

    it("simple values: eventTime is an xsd:dateTimeStamp (with a zone), action one of ADD/OBSERVE/DELETE, eventTimeZoneOffset ±hh:mm", function () {
      expect(refusal(doc(objectEvent().replace("2024-03-01T10:00:00.000+08:00", "2024-03-01T10:00:00"))).rule).to.equal("dateTimeStamp");
      expect(refusal(doc(objectEvent().replace(">OBSERVE<", ">LOOK<"))).rule).to.equal("action");
      expect(refusal(doc(objectEvent().replace(">+08:00<", ">8<"))).rule).to.equal("time-zone-offset");
    });

    it("CBV vocabularies: bizStep, disposition, bizTransaction/source/destination types, persistentDisposition and error reasons written as URNs are the JSON-LD binding's bare words", function () {
      const e = firstEvent(
        doc(
          objectEvent(
            "<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep><disposition>urn:epcglobal:cbv:disp:in_transit</disposition>" +
              '<bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:po">http://transaction.acme.com/po/12345678</bizTransaction><bizTransaction>urn:epc:id:gdti:0614141.00001.1</bizTransaction></bizTransactionList>' +
              '<sourceList><source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:4012345.00225</source></sourceList>' +
              '<destinationList><destination type="https://example.org/sdt/custom">urn:epc:id:sgln:0614141.00777.0</destination></destinationList>' +
              "<persistentDisposition><unset>urn:epcglobal:cbv:disp:completeness_inferred</unset><set>urn:epcglobal:cbv:disp:completeness_verified</set></persistentDisposition>",
          ),
        ),
      );
      expect(e).to.include({ bizStep: "shipping", disposition: "in_transit" });
      expect(e.bizTransactionList).to.deep.equal([
        { type: "po", bizTransaction: "http://transaction.acme.com/po/12345678" },
        { bizTransaction: "urn:epc:id:gdti:0614141.00001.1" },
      ]);
      expect(e.sourceList).to.deep.equal([{ type: "owning_party", source: "urn:epc:id:pgln:4012345.00225" }]);
      expect(e.destinationList).to.deep.equal([{ type: "https://example.org/sdt/custom", destination: "urn:epc:id:sgln:0614141.00777.0" }]);
      expect(e.persistentDisposition).to.deep.equal({ set: ["completeness_verified"], unset: ["completeness_inferred"] });
    });

    it("sourceList/destinationList: a source's type attribute is required (SourceDestType)", function () {
      expect(refusal(doc(objectEvent("<sourceList><source>urn:epc:id:pgln:4012345.00225</source></sourceList>")))).to.include({ rule: "required-attribute" });
    });

    it("quantityList/childQuantityList/input-/outputQuantityList: quantityElement (epcClass, quantity as xsd:decimal, uom); a nil quantity is absent", function () {
      const q =
        "<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass><quantity>200.50</quantity><uom>KGM</uom></quantityElement>" +
        '<quantityElement><epcClass>urn:epc:idpat:sgtin:4012345.098765.*</epcClass><quantity xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/></quantityElement></quantityList>';
      expect(firstEvent(doc(objectEvent(q))).quantityList).to.deep.equal([
        { epcClass: "urn:epc:class:lgtin:4012345.012345.998877", quantity: 200.5, uom: "KGM" },
        { epcClass: "urn:epc:idpat:sgtin:4012345.098765.*" },
      ]);
      expect(
        refusal(doc(objectEvent("<quantityList><quantityElement><epcClass>urn:x</epcClass><quantity>1e3</quantity></quantityElement></quantityList>"))).rule,
      ).to.equal("decimal");
      expect(
        refusal(doc(objectEvent("<quantityList><quantityElement><quantity>1</quantity><epcClass>urn:x</epcClass></quantityElement></quantityList>"))).rule,
      ).to.equal("sequence");
      expect(refusal(doc(objectEvent("<quantityList><quantityElement><quantity>1</quantity></quantityElement></quantityList>"))).rule).to.equal(
        "required-element",
      );
    });

    it("readPoint/bizLocation: id, and user extension elements beside it", function () {
      const e = firstEvent(
        doc(objectEvent('<readPoint><id>urn:epc:id:sgln:0614141.07346.1234</id><ex:dock xmlns:ex="http://ns.example.com/epcis/">7</ex:dock></readPoint>')),
      );
      expect(e.readPoint).to.deep.equal({ id: "urn:epc:id:sgln:0614141.07346.1234", "ex:dock": "7" });
      expect(refusal(doc(objectEvent("<readPoint/>"))).rule).to.equal("required-element");
    });

    it("sensorElementList: sensorMetadata and sensorReport attributes, xsd:double values as numbers, booleanValue a boolean, qualified attributes as extensions", function () {
      const s =
        '<sensorElementList><sensorElement><sensorMetadata time="2019-04-02T13:05:00.000Z" deviceID="urn:epc:id:giai:4000001.111" ex:batch="b1" xmlns:ex="http://ns.example.com/epcis/"/>' +
        '<sensorReport type="gs1:Temperature" value="26.0" uom="CEL" booleanValue="true" component="example:x"/><sensorReport type="gs1:RelativeHumidity" minValue="1e1" percRank="50"/>' +
        '<ex:note xmlns:ex="http://ns.example.com/epcis/">ok</ex:note></sensorElement></sensorElementList>';
      const e = firstEvent(doc(objectEvent(s)));
      expect(e.sensorElementList).to.deep.equal([
        {
          sensorMetadata: { time: "2019-04-02T13:05:00.000Z", deviceID: "urn:epc:id:giai:4000001.111", "ex:batch": "b1" },
          sensorReport: [
            { type: "gs1:Temperature", value: 26, uom: "CEL", booleanValue: true, component: "example:x" },
            { type: "gs1:RelativeHumidity", minValue: 10, percRank: 50 },
          ],
          "ex:note": "ok",
        },
      ]);
      expect(refusal(doc(objectEvent('<sensorElementList><sensorElement><sensorReport value="warm"/></sensorElement></sensorElementList>'))).rule).to.equal(
        "double",
      );
      expect(refusal(doc(objectEvent('<sensorElementList><sensorElement><sensorReport colour="red"/></sensorElement></sensorElementList>'))).rule).to.equal(
        "unknown-attribute",
      );
      expect(refusal(doc(objectEvent("<sensorElementList><sensorElement><sensorMetadata/></sensorElement></sensorElementList>"))).rule).to.equal(
        "required-element",
      );
    });

    it("errorDeclaration: declarationTime, reason, correctiveEventIDs/correctiveEventID, extensions", function () {
      const ed =
        "<errorDeclaration><declarationTime>2024-03-02T00:00:00Z</declarationTime><reason>urn:epcglobal:cbv:er:incorrect_data</reason>" +
        '<correctiveEventIDs><correctiveEventID>urn:uuid:2</correctiveEventID></correctiveEventIDs><ex:by xmlns:ex="http://ns.example.com/epcis/">qa</ex:by></errorDeclaration>';
      const e = firstEvent(doc(objectEvent().replace("</eventTimeZoneOffset>", `</eventTimeZoneOffset>${ed}`)));
      expect(e.errorDeclaration).to.deep.equal({
        declarationTime: "2024-03-02T00:00:00Z",
        reason: "incorrect_data",
        correctiveEventIDs: ["urn:uuid:2"],
        "ex:by": "qa",
      });
    });

    it("ilmd: its user extension elements", function () {
      const e = firstEvent(doc(objectEvent('<ilmd><cbvmda:lotNumber xmlns:cbvmda="urn:epcglobal:cbv:mda">ABC123</cbvmda:lotNumber></ilmd>')));
      expect(e.ilmd).to.deep.equal({ "cbvmda:lotNumber": "ABC123" });
    });

    it("certificationInfo: one is a string, several an array", function () {
      const two = objectEvent().replace(
        "</eventTimeZoneOffset>",
        "</eventTimeZoneOffset><certificationInfo>https://c.example/1</certificationInfo><certificationInfo>https://c.example/2</certificationInfo>",
      );
      expect(firstEvent(doc(two)).certificationInfo).to.deep.equal(["https://c.example/1", "https://c.example/2"]);
    });
  });

  describe("EPCIS 1.x extension wrappers carried over", function () {
    it("EventList/extension holding a TransformationEvent (1.1/1.2), baseExtension holding eventID and errorDeclaration, ObjectEvent/extension holding quantityList and ilmd", function () {
      const xml = doc(
        "<extension><TransformationEvent><eventTime>2020-01-14T00:00:00+01:00</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>" +
          "<baseExtension><eventID>urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8</eventID><errorDeclaration><declarationTime>2020-01-15T00:00:00+01:00</declarationTime></errorDeclaration></baseExtension>" +
          "<inputEPCList><epc>urn:epc:id:sgtin:4012345.011111.987</epc></inputEPCList></TransformationEvent></extension>" +
          objectEvent(
            "<extension><quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass><quantity>2</quantity></quantityElement></quantityList>" +
              '<ilmd><ex:lot xmlns:ex="http://ns.example.com/epcis/">7</ex:lot></ilmd></extension>',
          ),
        { root: 'epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2020-01-15T07:47:21.677+00:00"' },
      );
      const [t, o] = read(xml).epcisBody.eventList;
      expect(t).to.include({ type: "TransformationEvent", eventID: "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8" });
      expect(t!.errorDeclaration).to.deep.equal({ declarationTime: "2020-01-15T00:00:00+01:00" });
      expect(o!.quantityList).to.deep.equal([{ epcClass: "urn:epc:class:lgtin:4012345.012345.998877", quantity: 2 }]);
      expect(o!.ilmd).to.deep.equal({ "ex:lot": "7" });
    });
  });

  describe("user extensions (elements of other namespaces) <-> JSON-LD namespaced keys", function () {
    it("an element of another namespace is kept as prefix:local, its prefix declared in the @context", function () {
      const d = read(doc(objectEvent('<example:myField xmlns:example="http://ns.example.com/epcis/">Example of a vendor/user extension</example:myField>')));
      expect(d.epcisBody.eventList[0]).to.include({ "example:myField": "Example of a vendor/user extension" });
      expect(d["@context"]).to.deep.equal([EPCIS_CONTEXT, { example: "http://ns.example.com/epcis/" }]);
    });

    it("nested extension elements are objects; repeated ones arrays (in document order); an element's attributes are keys, its text then #text", function () {
      const x =
        '<ext1:object xmlns:ext1="http://example.com/ext1/" xmlns:ext2="http://example.com/ext2/"><ext2:array>11</ext2:array><ext2:array>21</ext2:array>' +
        '<ext2:object><ext2:string>s</ext2:string></ext2:object></ext1:object><ext1:w xmlns:ext1="http://example.com/ext1/" unit="KGM">3.5</ext1:w>';
      const e = firstEvent(doc(objectEvent(x)));
      expect(e["ext1:object"]).to.deep.equal({ "ext2:array": ["11", "21"], "ext2:object": { "ext2:string": "s" } });
      expect(e["ext1:w"]).to.deep.equal({ "ext1:unit": "KGM", "#text": "3.5" });
    });

    it("xsi:type-free: xsi:type (and other xsi: attributes) describe the XML, not the data", function () {
      const e = firstEvent(
        doc(objectEvent('<ext1:int xmlns:ext1="http://example.com/ext1/" xsi:type="xsd:integer">10</ext1:int>'), {
          decls: 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
        }),
      );
      expect(e["ext1:int"]).to.equal("10");
    });

    it("namespaces to JSON-LD IRIs: one without a trailing gen-delim gets '/', CBV master data's urn:epcglobal:cbv:mda is the context's cbvmda, a clashing prefix is renamed", function () {
      const x =
        '<a:f xmlns:a="http://ns.example.com/epcis">1</a:f><cbvmda:lotNumber xmlns:cbvmda="urn:epcglobal:cbv:mda">L</cbvmda:lotNumber>' +
        '<gs1:thing xmlns:gs1="http://not-gs1.example/">2</gs1:thing><a:g xmlns:a="http://other.example/">3</a:g>';
      const d = read(doc(objectEvent(x)));
      expect(d.epcisBody.eventList[0]).to.include({ "a:f": "1", "cbvmda:lotNumber": "L", "gs12:thing": "2", "a2:g": "3" });
      expect(d["@context"][1]).to.deep.equal({ a: "http://ns.example.com/epcis/", gs12: "http://not-gs1.example/", a2: "http://other.example/" });
    });

    it("a prefix that means something to JavaScript objects (__proto__, constructor) is not used as a JSON-LD prefix", function () {
      const d = read(
        doc(
          objectEvent('<__proto__:x xmlns:__proto__="http://p.example/">1</__proto__:x><constructor:y xmlns:constructor="http://c.example/">2</constructor:y>'),
        ),
      );
      expect(d.epcisBody.eventList[0]).to.include({ "ns:x": "1", "ns2:y": "2" });
      expect(d["@context"][1]).to.deep.equal({ ns: "http://p.example/", ns2: "http://c.example/" });
      expect(Object.getPrototypeOf(d["@context"][1])).to.equal(Object.prototype);
    });

    it("an unqualified element inside a user extension has no namespace to be named by: refused", function () {
      expect(refusal(doc(objectEvent('<ex:o xmlns:ex="http://ns.example.com/epcis/"><plain>1</plain></ex:o>'))).rule).to.equal("namespace");
    });
  });

  describe("safe parsing", function () {
    it("malformed XML is refused with its line and column", function () {
      const e = refusal("<epcis:EPCISDocument><EPCISBody></epcis:EPCISDocument>");
      expect(e.rule).to.equal("well-formed");
      expect(e.detail).to.match(/line 1, column \d+/);
      expect(refusal("").rule).to.equal("well-formed");
      expect(refusal(doc(objectEvent("<ex:a xmlns:ex='http://e/'>a & b</ex:a>"))).rule).to.equal("well-formed");
    });

    it("XXE: a DTD with an external entity is refused before anything is read", function () {
      const xxe =
        `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
        doc(objectEvent("<ex:a xmlns:ex='http://e/'>&xxe;</ex:a>")).replace(/^<\?xml[^>]*>\n/, "");
      expect(refusal(xxe).rule).to.equal("no-dtd");
      expect(refusal(`<!DOCTYPE d SYSTEM "http://127.0.0.1:1/evil.dtd"><d/>`).rule).to.equal("no-dtd");
    });

    it("billion laughs: entity declarations are refused; an undeclared entity reference too", function () {
      const lol = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
      expect(refusal(lol).rule).to.equal("no-dtd");
      expect(refusal(doc(objectEvent("<ex:a xmlns:ex='http://e/'>&lol;</ex:a>"))).rule).to.equal("no-dtd");
    });

    it("a DOCTYPE that only names the root (declares nothing) is ignored", function () {
      expect(read(`<?xml version="1.0"?>\n<!DOCTYPE project>\n${doc(objectEvent()).replace(/^<\?xml[^>]*>\n/, "")}`).epcisBody.eventList).to.have.length(1);
    });

    it("XML's predefined entities and character references are decoded", function () {
      const e = firstEvent(doc(objectEvent("<ex:a xmlns:ex='http://e/'>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;<![CDATA[<c>]]></ex:a>")));
      expect(e["ex:a"]).to.equal("<&>\"'AB<c>");
    });

    it("a depth bomb (100 000 nested elements) is refused quickly, without overflowing the stack", function () {
      const deep = doc(objectEvent(`<ex:a xmlns:ex='http://e/'>${"<ex:a>".repeat(100_000)}${"</ex:a>".repeat(100_000)}</ex:a>`));
      const started = Date.now();
      expect(refusal(deep).rule).to.equal("depth");
      expect(Date.now() - started).to.be.below(5_000);
    });

    it("the size limit applies before parsing", function () {
      expect(() => epcisXmlToDocument(doc(objectEvent()), { maxBytes: 100 })).to.throw(EpcisXmlError, /larger than 100 bytes/);
    });
  });

  describe("writing XML (JSON-LD -> XML)", function () {
    const json = {
      "@context": [EPCIS_CONTEXT, { example: "http://ns.example.com/epcis/" }],
      type: "EPCISDocument",
      schemaVersion: "2.0",
      creationDate: "2024-03-01T10:05:00Z",
      epcisBody: {
        eventList: [
          {
            type: "ObjectEvent",
            action: "OBSERVE",
            bizStep: "shipping",
            disposition: "in_transit",
            epcList: ["urn:epc:id:sgtin:0614141.107346.2017"],
            eventTime: "2024-03-01T10:00:00.000+08:00",
            eventTimeZoneOffset: "+08:00",
            readPoint: { id: "urn:epc:id:sgln:0614141.07346.1234" },
            bizTransactionList: [{ type: "po", bizTransaction: "http://transaction.acme.com/po/12345678" }],
            sensorElementList: [{ sensorReport: [{ type: "Temperature", value: 26.5, uom: "CEL" }] }],
            "example:myField": "Example & <more>",
          },
        ],
      },
    };

    it("elements in the XSD's order, CBV bare words as URNs, GS1 terms as gs1:, extension keys as elements of their namespace, text escaped", function () {
      const xml = epcisDocumentToXml(json);
      expect(xml).to.match(
        /^<\?xml version="1.0" encoding="UTF-8"\?>\n<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:example="http:\/\/ns.example.com\/epcis\/"/,
      );
      const order = [
        "<eventTime>",
        "<eventTimeZoneOffset>",
        "<epcList>",
        "<action>",
        "<bizStep>",
        "<disposition>",
        "<readPoint>",
        "<bizTransactionList>",
        "<sensorElementList>",
        "<example:myField>",
      ].map((t) => xml.indexOf(t));
      expect(order.every((i) => i >= 0)).to.equal(true);
      expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
      expect(xml).to.contain("<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>");
      expect(xml).to.contain('<bizTransaction type="urn:epcglobal:cbv:btt:po">');
      expect(xml).to.contain('type="gs1:Temperature"');
      expect(xml).to.contain("<example:myField>Example &amp; &lt;more&gt;</example:myField>");
    });

    it("the XML and the JSON-LD form of one event have the same event hash (CBV 2.0 hash on content, not syntax)", function () {
      const back = read(epcisDocumentToXml(json));
      const original = json.epcisBody.eventList[0]!;
      expect(eventHash(back.epcisBody.eventList[0]!, back["@context"])).to.equal(eventHash(original, json["@context"]));
      expect(back.epcisBody.eventList[0]).to.include({ bizStep: "shipping", "example:myField": "Example & <more>" });
    });

    it("a key with no namespace (neither an EPCIS field nor prefix:name) has no XML element: refused, named", function () {
      const bad = { ...json, epcisBody: { eventList: [{ ...json.epcisBody.eventList[0]!, colour: "red" }] } };
      expect(() => epcisDocumentToXml(bad)).to.throw(EpcisXmlError, /epcisBody\.eventList\.0\.colour/);
      const undeclared = { ...json, epcisBody: { eventList: [{ ...json.epcisBody.eventList[0]!, "nope:x": "1" }] } };
      expect(() => epcisDocumentToXml(undeclared)).to.throw(EpcisXmlError, /prefix 'nope' is not declared/);
    });

    it("an event's own @context prefix is declared on the event element", function () {
      const scoped = { ...json, epcisBody: { eventList: [{ ...json.epcisBody.eventList[0]!, "@context": [{ own: "http://own.example/" }], "own:x": "1" }] } };
      const xml = epcisDocumentToXml(scoped);
      expect(xml).to.match(/<ObjectEvent xmlns:own="http:\/\/own.example\/">/);
      expect(read(xml).epcisBody.eventList[0]).to.include({ "own:x": "1" });
    });
  });
});
