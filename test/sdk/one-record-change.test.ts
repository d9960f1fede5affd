import { expect } from "chai";
import { API_SCHEMAS, apiObjectOf } from "../../sdk/one-record/api-objects";
import { ChangeError, applyChange, changeOfJsonLd, changeRequestBodyOf, jsonLdOfChange, skolemIri, type Change } from "../../sdk/one-record/change";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { API, CARGO, ONE_RECORD_CONTEXT, XSD } from "../../sdk/one-record/vocabulary";
import { ChangeRequestBody } from "../../sdk/records/change-request";
import { LogisticsObjectBody } from "../../sdk/records/logistics-object";

const OBJECT = "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c";
const KGM = "https://onerecord.iata.org/ns/code-lists/MeasurementUnitCode#KGM";
const VAL = "https://onerecord.iata.org/ns/code-lists/SpecialHandlingCode#VAL";
const INTERNAL = "internal:7fc81d1d-6c75-568b-9e47-48c947ed2a07";
const UNIT_CODES = "https://onerecord.iata.org/ns/code-lists/MeasurementUnitCode";

const piece = (extra: JsonObject = {}): JsonObject => ({ objectType: "Piece", coload: false, specialHandlingCodes: [{ "@id": VAL }], ...extra });
const op = (o: "ADD" | "DELETE", p: string, datatype: string, value: string, s = OBJECT) => ({ op: o, s, p: CARGO + p, o: [{ datatype, value }] });
const change = (...operations: Change["operations"]): Change => ({ object: OBJECT, revision: 1, operations });

// The kinds of change the specification's Change examples show (the examples themselves are tested in
// test/conformance/one-record-change.test.ts, which needs the published standards).
const replaceCoload = (): Change => ({
  ...change(
    op("ADD", "goodsDescription", `${XSD}string`, "Brochures"),
    op("DELETE", "coload", `${XSD}boolean`, "false"),
    op("ADD", "coload", `${XSD}boolean`, "true"),
  ),
  description: "Describe the goods, coload",
});
/** A gross weight as a new node (the blank node `_:w`), on revision 2. */
const addWeight = (): Change => ({
  ...change(
    op("ADD", "grossWeight", `${CARGO}Value`, "_:w"),
    op("ADD", "unit", UNIT_CODES, KGM, "_:w"),
    op("ADD", "numericalValue", `${XSD}double`, "12.5", "_:w"),
  ),
  revision: 2,
});
const changeWeight = (node: string): Change =>
  change(op("DELETE", "numericalValue", `${XSD}double`, "12.5", node), op("ADD", "numericalValue", `${XSD}double`, "13.0", node));
const deleteWeight = (node: string): Change =>
  change(
    op("DELETE", "grossWeight", `${CARGO}Value`, node),
    op("DELETE", "unit", UNIT_CODES, KGM, node),
    op("DELETE", "numericalValue", `${XSD}double`, "12.5", node),
  );

function refusal(fn: () => unknown): ChangeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChangeError) return err;
    throw err;
  }
  throw new Error("expected a ChangeError");
}

const valid = (body: JsonObject) => {
  const r = LogisticsObjectBody.safeParse(body);
  expect(r.success, JSON.stringify(r.error?.issues)).to.equal(true);
};

describe("ONE Record change requests: applyChange", function () {
  it("adds a goods description and replaces coload (an ADD, a DELETE and an ADD in order)", function () {
    const c = replaceCoload();
    const before = piece();
    const after = applyChange(before, c, OBJECT);
    expect(after).to.deep.equal({ ...piece(), goodsDescription: "Brochures", coload: true });
    expect(before).to.deep.equal(piece()); // the input is left alone
    valid(after);
  });

  it("a new embedded node from a blank node, named by a skolem IRI both sides derive alike", function () {
    const c = addWeight();
    const after = applyChange(piece(), c, OBJECT);
    const id = skolemIri(OBJECT, 2, "_:w");
    expect(id).to.match(/^https:\/\/1r\.example\.com\/\.well-known\/genid\/[0-9a-f]{32}$/);
    expect(after.grossWeight).to.deep.equal({
      "@id": id,
      "@type": `${CARGO}Value`,
      unit: { "@id": KGM },
      numericalValue: { "@value": "12.5", "@type": `${XSD}double` },
    });
    expect(applyChange(piece(), c, OBJECT)).to.deep.equal(after);
    // On another revision the same label is another node.
    expect(skolemIri(OBJECT, 3, "_:w")).to.not.equal(id);
    valid(after);
  });

  it("changes a value of an embedded node named by its @id", function () {
    const weight = { "@id": INTERNAL, "@type": `${CARGO}Value`, numericalValue: 12.5, unit: { "@id": KGM } };
    const after = applyChange(piece({ grossWeight: weight }), changeWeight(INTERNAL), OBJECT);
    expect(after.grossWeight).to.deep.equal({ ...weight, numericalValue: { "@value": "13.0", "@type": `${XSD}double` } });
    valid(after);
  });

  it("deletes an embedded node, then its own triples (still addressable within the change)", function () {
    const weight = { "@id": INTERNAL, "@type": `${CARGO}Value`, numericalValue: 12.5, unit: { "@id": KGM } };
    expect(applyChange(piece({ grossWeight: weight }), deleteWeight(INTERNAL), OBJECT)).to.deep.equal(piece());
  });

  it("these changes survive the hub's JSON-LD of a change (and it is an api:Change)", function () {
    for (const c of [replaceCoload(), addWeight(), changeWeight(INTERNAL), deleteWeight(INTERNAL)]) {
      const json = { "@context": { ...ONE_RECORD_CONTEXT }, ...jsonLdOfChange(c) };
      expect(API_SCHEMAS.Change.safeParse(apiObjectOf(json)).success).to.equal(true);
      expect(changeOfJsonLd(json)).to.deep.equal(c);
      expect(ChangeRequestBody.safeParse(changeRequestBodyOf(c)).success).to.equal(true);
      expect(changeRequestBodyOf(c).object).to.equal("1a8ded38-1804-467c-a369-81a411416b7c");
    }
  });

  it("a DELETE of a value that is not there fails the whole change, naming the operation", function () {
    const c = change(op("ADD", "goodsDescription", `${XSD}string`, "Books"), op("DELETE", "coload", `${XSD}boolean`, "true"));
    const err = refusal(() => applyChange(piece(), c, OBJECT));
    expect(err.operation).to.equal(1);
    expect(err.property).to.equal(`${CARGO}coload`);
    expect(err.message).to.match(/^operation 2: .*no value "true"/);
  });

  it("subjects are the object or a node embedded in it; top-level properties are cargo properties", function () {
    expect(
      refusal(() => applyChange(piece(), change(op("ADD", "goodsDescription", `${XSD}string`, "x", "https://elsewhere.example/o/1")), OBJECT)).reason,
    ).to.match(/neither this object/);
    expect(
      refusal(() =>
        applyChange(piece(), change({ op: "ADD", s: OBJECT, p: "https://example.com/ns#foo", o: [{ datatype: `${XSD}string`, value: "x" }] }), OBJECT),
      ).reason,
    ).to.match(/cargo ontology/);
    expect(
      refusal(() =>
        applyChange(piece(), change({ op: "ADD", s: OBJECT, p: `${CARGO}objectType`, o: [{ datatype: `${XSD}string`, value: "Shipment" }] }), OBJECT),
      ).operation,
    ).to.equal(0);
    expect(
      refusal(() =>
        applyChange(
          piece(),
          change({ op: "ADD", s: OBJECT, p: "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", o: [{ datatype: `${XSD}anyURI`, value: `${CARGO}Shipment` }] }),
          OBJECT,
        ),
      ).reason,
    ).to.match(/class/);
    // A node of the change that is given properties but never linked.
    expect(refusal(() => applyChange(piece(), change(op("ADD", "numericalValue", `${XSD}double`, "1", "_:b7")), OBJECT)).reason).to.match(/never linked/);
    // Embedded nodes keep non-cargo properties by full IRI.
    const weight = { "@id": INTERNAL, "@type": `${CARGO}Value`, numericalValue: 20 };
    const after = applyChange(
      piece({ grossWeight: weight }),
      change({ op: "ADD", s: INTERNAL, p: "https://example.com/ns#note", o: [{ datatype: `${XSD}string`, value: "scale B" }] }),
      OBJECT,
    );
    expect(after.grossWeight).to.deep.equal({ ...weight, "https://example.com/ns#note": "scale B" });
  });

  it("values are typed by their datatype, and checked against it", function () {
    const after = applyChange(
      piece(),
      change(
        op("ADD", "upid", `${XSD}string`, "P-1"),
        op("ADD", "creationDate", `${XSD}dateTime`, "2026-11-23T10:00:00Z"),
        op("ADD", "ofShipment", `${XSD}anyURI`, "https://1r.example.com/logistics-objects/s-1"),
        op(
          "ADD",
          "specialHandlingCodes",
          "https://onerecord.iata.org/ns/code-lists/SpecialHandlingCode",
          "https://onerecord.iata.org/ns/code-lists/SpecialHandlingCode#PER",
        ),
        op("ADD", "quantity", `${XSD}integer`, "12"),
        op("ADD", "stackable", `${XSD}boolean`, "1"),
        op("ADD", "other", `${XSD}date`, "2026-11-23"),
      ),
      OBJECT,
    );
    expect(after).to.deep.include({
      upid: "P-1",
      creationDate: { "@value": "2026-11-23T10:00:00Z", "@type": `${XSD}dateTime` },
      ofShipment: { "@id": "https://1r.example.com/logistics-objects/s-1" },
      specialHandlingCodes: [{ "@id": VAL }, { "@id": "https://onerecord.iata.org/ns/code-lists/SpecialHandlingCode#PER" }],
      quantity: 12,
      stackable: true,
      other: { "@value": "2026-11-23", "@type": `${XSD}date` },
    });
    valid(after);
    for (const [dt, value] of [
      ["boolean", "maybe"],
      ["integer", "1.5"],
      ["double", "twenty"],
      ["dateTime", "yesterday"],
      ["anyURI", "not an iri"],
    ])
      expect(refusal(() => applyChange(piece(), change(op("ADD", "x", `${XSD}${dt}`, value!)), OBJECT)).reason, dt).to.match(/is not/);
  });

  it("graphs are sets: an ADD of a value already there is no change; DELETE compares values, not spellings", function () {
    expect(applyChange(piece(), change(op("ADD", "coload", `${XSD}boolean`, "false")), OBJECT)).to.deep.equal(piece());
    expect(
      applyChange(piece({ goodsDescription: "Books" }), change(op("ADD", "goodsDescription", `${XSD}string`, "Maps")), OBJECT).goodsDescription,
    ).to.deep.equal(["Books", "Maps"]);
    // An array stays an array when one value is left; a lone value goes with its property.
    const two = piece({ specialHandlingCodes: [{ "@id": VAL }, { "@id": `${VAL.slice(0, -3)}PER` }] });
    expect(applyChange(two, change(op("DELETE", "specialHandlingCodes", `${XSD}anyURI`, VAL)), OBJECT).specialHandlingCodes).to.deep.equal([
      { "@id": `${VAL.slice(0, -3)}PER` },
    ]);
    expect(applyChange(piece(), change(op("DELETE", "coload", `${XSD}boolean`, "0")), OBJECT)).to.not.have.property("coload");
    // Numbers by value, language-tagged text by its text, date-times by instant.
    const weight = { "@id": INTERNAL, "@type": `${CARGO}Value`, numericalValue: 20 };
    expect(
      applyChange(piece({ grossWeight: weight }), change(op("DELETE", "numericalValue", `${XSD}double`, "2.0E1", INTERNAL)), OBJECT).grossWeight,
    ).to.deep.equal({ "@id": INTERNAL, "@type": `${CARGO}Value` });
    expect(
      applyChange(
        piece({ goodsDescription: { "@value": "Books", "@language": "en" } }),
        change(op("DELETE", "goodsDescription", `${XSD}string`, "Books")),
        OBJECT,
      ),
    ).to.not.have.property("goodsDescription");
    expect(
      applyChange(
        piece({ creationDate: { "@value": "2026-11-23T10:00:00Z", "@type": `${XSD}dateTime` } }),
        change(op("DELETE", "creationDate", `${XSD}dateTime`, "2026-11-23T11:00:00+01:00")),
        OBJECT,
      ),
    ).to.not.have.property("creationDate");
  });
});

describe("ONE Record change requests: the api:Change in JSON-LD", function () {
  it("reads prefixed, coerced and typed forms alike, and refuses what is no change", function () {
    const doc = {
      "@context": { api: API, "api:p": { "@type": "@id" } },
      "@type": "api:Change",
      "api:hasLogisticsObject": { "@id": OBJECT },
      "api:hasOperation": {
        "api:op": { "@id": "api:ADD" },
        "api:s": OBJECT,
        "api:p": `${CARGO}goodsDescription`,
        "api:o": { "api:hasDatatype": `${XSD}string`, "api:hasValue": "Books" },
      },
      "api:hasRevision": 3,
      "api:notifyRequestStatusChange": true,
    };
    expect(changeOfJsonLd(doc)).to.deep.equal({
      object: OBJECT,
      revision: 3,
      notifyRequestStatusChange: true,
      operations: [{ op: "ADD", s: OBJECT, p: `${CARGO}goodsDescription`, o: [{ datatype: `${XSD}string`, value: "Books" }] }],
    });
    expect(() => changeOfJsonLd({ ...doc, "api:hasRevision": 0 })).to.throw(/revision/);
    expect(() => changeOfJsonLd({ ...doc, "@type": "api:Subscription" })).to.throw(/api:Change/);
    expect(() => changeOfJsonLd({ ...doc, "api:hasOperation": { ...doc["api:hasOperation"], "api:op": { "@id": "api:REPLACE" } } })).to.throw(/op/);
  });
});
