import { expect } from "chai";
import { createHash } from "node:crypto";
import { eventHash, normaliseTimestamp, preHashString } from "../../sdk/epcis/event-hash";
import { canonicalGs1Uri } from "../../sdk/epcis/gs1-uri";

const CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", { ex: "https://ns.example.com/epcis/" }];

const event = (): Record<string, unknown> => ({
  type: "ObjectEvent",
  eventTime: "2020-03-04T11:00:30.000+01:00",
  eventTimeZoneOffset: "+01:00",
  epcList: ["urn:epc:id:sscc:4012345.0000000333", "urn:epc:id:sscc:4012345.0000000111"],
  action: "OBSERVE",
  bizStep: "departing",
  readPoint: { id: "urn:epc:id:sgln:4012345.00011.987" },
  bizTransactionList: [{ type: "po", bizTransaction: "urn:epcglobal:cbv:bt:4012345000009:PO1" }],
  "ex:myField": { "ex:b": "2", "ex:a": "5" },
});

describe("EPCIS: CBV 2.0 canonical event hash", function () {
  it("builds the pre-hash string in CBV's order with canonical values", function () {
    expect(preHashString(event(), CONTEXT)).to.equal(
      "eventType=ObjectEvent" +
        "eventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00" +
        // SSCC check digits worked by hand: 0401234500000011 1 -> 2, ...333 -> 8.
        "epcListepc=https://id.gs1.org/00/040123450000001112epc=https://id.gs1.org/00/040123450000003338" +
        "action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-departing" +
        "readPointid=https://id.gs1.org/414/4012345000115/254/987" +
        "bizTransactionListbizTransaction=urn:epcglobal:cbv:bt:4012345000009:PO1type=https://ref.gs1.org/cbv/BTT-po" +
        "{https://ns.example.com/epcis/}myField{https://ns.example.com/epcis/}a=5{https://ns.example.com/epcis/}b=2",
    );
  });

  it("is sha-256 of the pre-hash string in the ni: URI form", function () {
    const hex = createHash("sha256").update(preHashString(event(), CONTEXT)).digest("hex");
    expect(eventHash(event(), CONTEXT)).to.equal(`ni:///sha-256;${hex}?ver=CBV2.0`);
  });

  it("does not depend on field order, list order, whitespace, eventID, recordTime or notation", function () {
    const base = eventHash(event(), CONTEXT);
    const e = event();
    const reordered = Object.fromEntries(Object.entries(e).reverse());
    expect(eventHash(reordered, CONTEXT)).to.equal(base);
    expect(eventHash({ ...e, epcList: [...(e.epcList as string[])].reverse() }, CONTEXT)).to.equal(base);
    expect(eventHash({ ...e, bizStep: "  departing " }, CONTEXT)).to.equal(base);
    expect(eventHash({ ...e, bizStep: "urn:epcglobal:cbv:bizstep:departing" }, CONTEXT)).to.equal(base);
    expect(eventHash({ ...e, eventID: "urn:uuid:1", recordTime: "2021-01-01T00:00:00Z" }, CONTEXT)).to.equal(base);
    expect(eventHash({ ...e, eventTime: "2020-03-04T10:00:30Z" }, CONTEXT)).to.equal(base);
    expect(eventHash({ ...e, epcList: ["https://id.gs1.org/00/040123450000003338", "https://example.com/00/040123450000001112?x=1"] }, CONTEXT)).to.equal(base);
    expect(eventHash(JSON.parse(JSON.stringify(e, null, 4)) as Record<string, unknown>, CONTEXT)).to.equal(base);
  });

  it("changes with any value, added field or removed field", function () {
    const base = eventHash(event(), CONTEXT);
    const e = event();
    const variants: Record<string, unknown>[] = [
      { ...e, action: "ADD" },
      { ...e, eventTime: "2020-03-04T11:00:30.001+01:00" },
      { ...e, epcList: ["urn:epc:id:sscc:4012345.0000000333"] },
      { ...e, disposition: "in_transit" },
      { ...e, readPoint: { id: "urn:epc:id:sgln:4012345.00011.988" } },
      { ...e, "ex:myField": { "ex:b": "3", "ex:a": "5" } },
      { ...e, bizTransactionList: [{ type: "inv", bizTransaction: "urn:epcglobal:cbv:bt:4012345000009:PO1" }] },
      Object.fromEntries(Object.entries(e).filter(([k]) => k !== "readPoint")),
      { ...e, ilmd: { "ex:lot": "A1" } },
    ];
    const hashes = variants.map((v) => eventHash(v, CONTEXT));
    for (const h of hashes) expect(h).to.not.equal(base);
    expect(new Set(hashes).size).to.equal(hashes.length);
  });

  it("normalises timestamps to UTC milliseconds", function () {
    expect(normaliseTimestamp("2005-04-03T20:33:31.116000-06:00")).to.equal("2005-04-04T02:33:31.116Z");
    expect(normaliseTimestamp("2013-06-08T14:58:56.5916+02:00")).to.equal("2013-06-08T12:58:56.592Z");
    expect(normaliseTimestamp("2019-04-02T13:59:59Z")).to.equal("2019-04-02T13:59:59.000Z");
    expect(() => normaliseTimestamp("2019-04-02 13:59")).to.throw(/ISO 8601/);
  });

  it("turns EPC URNs into canonical Digital Links (GS1 TDS examples) and constrains Digital Links", function () {
    expect(canonicalGs1Uri("urn:epc:id:sgtin:0614141.812345.6789")).to.equal("https://id.gs1.org/01/80614141123458/21/6789");
    expect(canonicalGs1Uri("urn:epc:id:sscc:0614141.1234567890")).to.equal("https://id.gs1.org/00/106141412345678908");
    expect(canonicalGs1Uri("urn:epc:id:sgln:0614141.12345.0")).to.equal("https://id.gs1.org/414/0614141123452");
    expect(canonicalGs1Uri("urn:epc:class:lgtin:4012345.012345.998877")).to.equal("https://id.gs1.org/01/04012345123456/10/998877");
    expect(canonicalGs1Uri("urn:epc:idpat:sgtin:4012345.066666.*")).to.equal("https://id.gs1.org/01/04012345666663");
    expect(canonicalGs1Uri("https://brand.example/a/01/04012345123456/10/L1/21/S9?linkType=all")).to.equal("https://id.gs1.org/01/04012345123456/21/S9");
    expect(canonicalGs1Uri("geo:47.5,11.1")).to.equal("geo:47.5,11.1");
  });
});
