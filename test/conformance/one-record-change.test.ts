// The specification's Change examples through applyChange (sdk/one-record/change.ts), the one
// implementation the hub and the SDK both apply. (Through the API: one-record-api.test.ts.)
import { expect } from "chai";
import { API_SCHEMAS, apiObjectOf } from "../../sdk/one-record/api-objects";
import { applyChange, changeOfJsonLd, changeRequestBodyOf, jsonLdOfChange, skolemIri, type Change } from "../../sdk/one-record/change";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { CARGO, ONE_RECORD_CONTEXT, XSD } from "../../sdk/one-record/vocabulary";
import { ChangeRequestBody } from "../../sdk/records/change-request";
import { LogisticsObjectBody } from "../../sdk/records/logistics-object";
import { readJson, standardsFile } from "./standards";

const OBJECT = "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c";
const KGM = "https://onerecord.iata.org/ns/code-lists/MeasurementUnitCode#KGM";
const VAL = "https://onerecord.iata.org/ns/code-lists/SpecialHandlingCode#VAL";
const INTERNAL = "internal:7fc81d1d-6c75-568b-9e47-48c947ed2a07";

const example = (name: string): Change => changeOfJsonLd(readJson(standardsFile("one-record", "examples", name)));
/** The body of Piece.json, the object the examples change. */
const piece = (extra: JsonObject = {}): JsonObject => ({ objectType: "Piece", coload: false, specialHandlingCodes: [{ "@id": VAL }], ...extra });

const valid = (body: JsonObject) => {
  const r = LogisticsObjectBody.safeParse(body);
  expect(r.success, JSON.stringify(r.error?.issues)).to.equal(true);
};

describe("ONE Record Change examples through applyChange", function () {
  it("Change_example1: adds a goods description and replaces coload", function () {
    const c = example("Change_example1.json");
    expect(c).to.include({ object: OBJECT, revision: 1, description: "Update goods description and coload" });
    expect(c.operations.map((o) => o.op)).to.deep.equal(["ADD", "DELETE", "ADD"]);
    const before = piece();
    const after = applyChange(before, c, OBJECT);
    expect(after).to.deep.equal({ ...piece(), goodsDescription: "ONE Record Advertisement Materials", coload: true });
    expect(before).to.deep.equal(piece()); // the input is left alone
    valid(after);
  });

  it("Change_example2: a new embedded node from a blank node, named by a skolem IRI both sides derive alike", function () {
    const c = example("Change_example2.json");
    const after = applyChange(piece(), c, OBJECT);
    const id = skolemIri(OBJECT, 2, "_:b0");
    expect(id).to.match(/^https:\/\/1r\.example\.com\/\.well-known\/genid\/[0-9a-f]{32}$/);
    expect(after.grossWeight).to.deep.equal({
      "@id": id,
      "@type": `${CARGO}Value`,
      unit: { "@id": KGM },
      numericalValue: { "@value": "20.0", "@type": `${XSD}double` },
    });
    expect(applyChange(piece(), c, OBJECT)).to.deep.equal(after);
    valid(after);
  });

  it("Change_example3: changes a value of an embedded node named by its @id", function () {
    const c = example("Change_example3.json");
    const weight = { "@id": INTERNAL, "@type": `${CARGO}Value`, numericalValue: 20, unit: { "@id": KGM } };
    const after = applyChange(piece({ grossWeight: weight }), c, OBJECT);
    expect(after.grossWeight).to.deep.equal({ ...weight, numericalValue: { "@value": "25.0", "@type": `${XSD}double` } });
    valid(after);
  });

  it("Change_example4: deletes an embedded node, then its own triples (still addressable within the change)", function () {
    const c = example("Change_example4.json");
    const weight = { "@id": INTERNAL, "@type": `${CARGO}Value`, numericalValue: 20.0, unit: { "@id": KGM } };
    const after = applyChange(piece({ grossWeight: weight }), c, OBJECT);
    expect(after).to.deep.equal(piece());
  });

  it("the examples survive the hub's JSON-LD of a change (and it is an api:Change)", function () {
    for (const name of ["Change_example1.json", "Change_example2.json", "Change_example3.json", "Change_example4.json"]) {
      const c = example(name);
      const json = { "@context": { ...ONE_RECORD_CONTEXT }, ...jsonLdOfChange(c) };
      expect(API_SCHEMAS.Change.safeParse(apiObjectOf(json)).success, name).to.equal(true);
      expect(changeOfJsonLd(json), name).to.deep.equal(c);
      expect(ChangeRequestBody.safeParse(changeRequestBodyOf(c)).success, name).to.equal(true);
      expect(changeRequestBodyOf(c).object).to.equal("1a8ded38-1804-467c-a369-81a411416b7c");
    }
  });
});
