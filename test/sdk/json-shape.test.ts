import { expect } from "chai";
import { checkJsonShape, JsonShapeError, MAX_JSON_DEPTH } from "../../sdk/json-shape";
import { bodyOfObject, JsonLdFormError } from "../../sdk/one-record/jsonld";
import { EventHashError, eventHash } from "../../sdk/epcis/event-hash";

const deep = (depth: number, key = "a"): unknown => JSON.parse(`{"${key}":`.repeat(depth) + "1" + "}".repeat(depth));

describe("JSON shape limits (sdk/json-shape.ts)", () => {
  it("accepts MAX_JSON_DEPTH levels and refuses one more, naming the path", () => {
    expect(() => checkJsonShape(deep(MAX_JSON_DEPTH - 1))).not.to.throw();
    const err = (() => {
      try {
        checkJsonShape({ x: [deep(MAX_JSON_DEPTH)] });
      } catch (e) {
        return e;
      }
    })();
    expect(err).to.be.instanceOf(JsonShapeError);
    expect((err as JsonShapeError).fault).to.equal("too-deep");
    expect((err as JsonShapeError).path).to.match(/^x\.0(\.a)+$/);
  });

  it("refuses __proto__, constructor and prototype as a key at any depth (not as a value)", () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const value = JSON.parse(`{"a":[{"b":{"${key}":1}}]}`);
      expect(() => checkJsonShape(value)).to.throw(JsonShapeError, `a.0.b.${key}: '${key}' is not allowed as a field name`);
      expect(() => checkJsonShape(value, { depthOnly: true })).not.to.throw();
      expect(() => checkJsonShape({ a: key })).not.to.throw();
    }
  });

  it("does not overflow the stack on a million levels", () => {
    const text = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    expect(() => checkJsonShape(JSON.parse(text))).to.throw(JsonShapeError);
  });

  it("the SDK's JSON-LD and EPCIS walks refuse hostile nesting with their own errors, not a RangeError", () => {
    const lo = { "@context": { cargo: "https://onerecord.iata.org/ns/cargo#" }, "@type": "cargo:Piece", "cargo:goodsDescription": deep(5000, "cargo:a") };
    expect(() => bodyOfObject(lo)).to.throw(JsonLdFormError, "nested deeper than");
    const event = { type: "ObjectEvent", eventTime: "2026-01-01T00:00:00Z", eventTimeZoneOffset: "+00:00", action: "OBSERVE", "ex:x": deep(5000) };
    expect(() => eventHash(event)).to.throw(EventHashError, "nested deeper than");
  });
});
