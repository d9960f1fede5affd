import { expect } from "chai";
import { gs1CheckDigit } from "../../sdk/records/codes";
import { digitalLinkPath } from "../../sdk/provenance/digital-link";
import { productOfEpc } from "../../sdk/provenance/epc";

// GTIN-14 of an SGTIN/LGTIN's company prefix and indicator+item reference, spelled out here:
// indicator digit, company prefix, rest of the item reference, check digit.
const gtinOf = (prefix: string, itemRef: string) => {
  const first13 = itemRef[0] + prefix + itemRef.slice(1);
  return first13 + gs1CheckDigit(first13);
};

describe("EPC to product", function () {
  it("maps the Tag Data Standard's SGTIN example to GTIN 80614141123458 with its serial", function () {
    expect(productOfEpc("urn:epc:id:sgtin:0614141.812345.6789")).to.deep.equal({ gtin: "80614141123458", serial: "6789" });
  });

  it("maps SGTIN, LGTIN and SGTIN patterns for every company prefix length", function () {
    for (let len = 6; len <= 12; len++) {
      const prefix = "4012345678901".slice(0, len);
      const itemRef = "5098765432109".slice(0, 13 - len);
      const gtin = gtinOf(prefix, itemRef);
      expect(gtin).to.have.length(14);
      expect(productOfEpc(`urn:epc:id:sgtin:${prefix}.${itemRef}.S-1`)).to.deep.equal({ gtin, serial: "S-1" });
      expect(productOfEpc(`urn:epc:class:lgtin:${prefix}.${itemRef}.LOT.7`)).to.deep.equal({ gtin, lot: "LOT.7" }); // dots in a lot
      expect(productOfEpc(`urn:epc:class:lgtin:${prefix}.${itemRef}.LOT_7`)).to.deep.equal({ gtin, lot: "LOT_7" });
      expect(productOfEpc(`urn:epc:idpat:sgtin:${prefix}.${itemRef}.*`)).to.deep.equal({ gtin });
    }
  });

  it("decodes the Tag Data Standard's percent-escapes in serials and lots", function () {
    expect(productOfEpc("urn:epc:id:sgtin:0614141.812345.a%2Fb%25c%22%26%3C%3E%3F")?.serial).to.equal(`a/b%c"&<>?`);
    expect(productOfEpc("urn:epc:class:lgtin:0614141.812345.x%2fy")?.lot).to.equal("x/y");
    // Literal characters the URN grammar allows stand for themselves.
    expect(productOfEpc("urn:epc:id:sgtin:0614141.812345.!'()*+,-.:;=_")?.serial).to.equal("!'()*+,-.:;=_");
  });

  it("refuses malformed serials: stray %, escapes outside the table, characters outside set 82, too long", function () {
    for (const serial of ["a%", "a%2", "a%41", "a/b", "a#b", "a b", "é", "x".repeat(21), ""])
      expect(productOfEpc(`urn:epc:id:sgtin:0614141.812345.${serial}`), serial).to.equal(undefined);
  });

  it("answers undefined for what is not a single trade item", function () {
    for (const epc of [
      "urn:epc:id:sscc:0614141.1234567890",
      "urn:epc:id:sgln:0614141.00777.0",
      "urn:epc:id:grai:4012345.55555.987",
      "urn:epc:id:giai:4000001.111",
      "urn:epc:idpat:sgtin:4012345.*.*",
      "urn:epc:idpat:sgtin:*.*.*",
      "urn:epc:id:sgtin:0614141.81234.6789", // prefix + item reference is not 13 digits
      "urn:epc:id:sgtin:06141.8123456.6789", // company prefix shorter than 6
      "urn:epc:id:sgtin:0614141.812345",
      "https://id.gs1.org/00/106141412345678908",
      "https://id.gs1.org/01/09506000134353", // bad check digit
      "https://id.gs1.org/01/09506000134352/99/x",
      "urn:epcglobal:cbv:bt:0614141073467:1152",
      "not an epc",
    ])
      expect(productOfEpc(epc), epc).to.equal(undefined);
  });

  it("reads Digital Link URIs on any host, and agrees with the URN of the same product", function () {
    const cases: [string, string][] = [
      ["urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org"],
      ["urn:epc:class:lgtin:4012345.012345.998877", "https://example.com/some/prefix"],
      ["urn:epc:idpat:sgtin:4012345.098765.*", "http://brand.example"],
      ["urn:epc:id:sgtin:0614141.812345.a%2Fb", "https://id.gs1.org"],
    ];
    for (const [urn, host] of cases) {
      const fromUrn = productOfEpc(urn)!;
      expect(fromUrn, urn).to.not.equal(undefined);
      expect(productOfEpc(host + digitalLinkPath(fromUrn)), urn).to.deep.equal(fromUrn);
    }
  });
});
