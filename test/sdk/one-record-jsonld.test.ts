import { expect } from "chai";
import { JsonLdFormError, bodyOfObject, objectOfBody, recordIdOfIri } from "../../sdk/one-record/jsonld";
import { CARGO, XSD, compactIri, localName } from "../../sdk/one-record/vocabulary";

const ctx = { cargo: CARGO };

describe("ONE Record vocabulary and JSON-LD <-> body", function () {
  it("maps IRIs to local names and back", function () {
    expect(localName(`${CARGO}pieces`, CARGO)).to.equal("pieces");
    expect(localName("https://example.com/x#pieces", CARGO)).to.equal(undefined);
    expect(compactIri(`${CARGO}Piece`)).to.equal("cargo:Piece");
    expect(compactIri("https://example.com/Piece")).to.equal("https://example.com/Piece");
    expect(recordIdOfIri("https://hub.example/logistics-objects/1a8d-77/")).to.equal("1a8d-77");
  });

  it("accepts prefixed and full-IRI property names and types alike", function () {
    const prefixed = bodyOfObject({ "@context": ctx, "@type": "cargo:Piece", "cargo:goodsDescription": "Books" });
    const full = bodyOfObject({ "@type": `${CARGO}Piece`, [`${CARGO}goodsDescription`]: "Books" });
    expect(prefixed.body).to.deep.equal({ objectType: "Piece", goodsDescription: "Books" });
    expect(full.body).to.deep.equal(prefixed.body);
  });

  it("expands compact IRIs in values with the sender's own prefixes", function () {
    const { body } = bodyOfObject({
      "@context": { ...ctx, country: "https://vocabulary.uncefact.org/CountryId#" },
      "@type": "cargo:Location",
      "cargo:country": { "@id": "country:DE" },
    });
    expect(body.country).to.deep.equal({ "@id": "https://vocabulary.uncefact.org/CountryId#DE" });
  });

  it("applies a default language and type coercion from the context", function () {
    const { body } = bodyOfObject({
      "@context": { ...ctx, "@language": "en-US", "cargo:eventDate": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime" } },
      "@type": "cargo:LogisticsEvent",
      "cargo:eventName": "Departed",
      "cargo:eventDate": "2026-01-02T03:04:05Z",
    });
    expect(body.eventName).to.deep.equal({ "@value": "Departed", "@language": "en-US" });
    expect(body.eventDate).to.deep.equal({ "@value": "2026-01-02T03:04:05Z", "@type": `${XSD}dateTime` });
  });

  it("keeps extra classes and revisions, and writes the object back", function () {
    const json = {
      "@context": ctx,
      "@id": "https://hub.example/logistics-objects/abc",
      "@type": ["cargo:Company", "cargo:Organization"],
      "cargo:name": "Acme",
    };
    const { objectType, body, id } = bodyOfObject({ ...json, "https://onerecord.iata.org/ns/api#hasRevision": 3 });
    expect(objectType).to.equal("Company");
    expect(body.additionalTypes).to.deep.equal(["Organization"]);
    const back = objectOfBody(objectType, body, id, { revision: 3 });
    expect(back["@type"]).to.deep.equal(["cargo:Company", "cargo:Organization"]);
    expect(back["api:hasRevision"]).to.equal(3);
    expect(back["cargo:name"]).to.equal("Acme");
  });

  it("refuses what it cannot keep, naming the property", function () {
    expect(() => bodyOfObject({ "@context": "https://example.com/context.jsonld", "@type": "cargo:Piece" })).to.throw(JsonLdFormError, /remote context/);
    expect(() => bodyOfObject({ "@context": { ...ctx, "@base": "https://example.com/" }, "@type": "cargo:Piece" })).to.throw(
      JsonLdFormError,
      /@base is not supported/,
    );
    expect(() => bodyOfObject({ "@context": ctx, "@type": "cargo:Piece", goodsDescription: "x" })).to.throw(JsonLdFormError, /^goodsDescription: /);
    expect(() => bodyOfObject({ "@context": ctx, "@type": "cargo:Piece", "https://example.com/ns#colour": "red" })).to.throw(JsonLdFormError, /cargo ontology/);
    expect(() => bodyOfObject({ "@context": ctx, "@type": "https://example.com/Thing" })).to.throw(JsonLdFormError, /^@type: /);
    expect(() => bodyOfObject({ "@context": ctx, "@type": "cargo:Piece", "cargo:coload": null })).to.throw(JsonLdFormError, /^coload: /);
  });

  it("embedded objects keep their own @id and @type, their cargo keys by local name", function () {
    const json = {
      "@context": { ...ctx, "@language": "en" },
      "@type": "cargo:Shipment",
      "cargo:pieces": [
        {
          "@id": "https://hub.example/logistics-objects/p1",
          "@type": "cargo:Piece",
          "cargo:goodsDescription": "Books",
          "https://example.com/ns#colour": "red",
        },
      ],
    };
    const { objectType, body } = bodyOfObject(json);
    expect(body.pieces).to.deep.equal([
      {
        "@id": "https://hub.example/logistics-objects/p1",
        "@type": `${CARGO}Piece`,
        goodsDescription: { "@value": "Books", "@language": "en" },
        "https://example.com/ns#colour": { "@value": "red", "@language": "en" },
      },
    ]);
    const back = objectOfBody(objectType, body, undefined);
    expect(back).to.not.have.property("@id");
    expect(back["cargo:pieces"]).to.deep.equal([
      {
        "@id": "https://hub.example/logistics-objects/p1",
        "@type": "cargo:Piece",
        "cargo:goodsDescription": { "@value": "Books", "@language": "en" },
        "https://example.com/ns#colour": { "@value": "red", "@language": "en" },
      },
    ]);
  });
});
