// The EPCIS 2.0 examples and their "WithDigitalLink" twins (epcis/examples under the standards
// folder, see ./standards.ts): every trade item EPC in them maps to a product, and each twin names the same
// lots and serials. The GTINs agree too, except where the standard's own Digital Link twins use
// GS1's example GTIN 70614141123451 for an SGTIN/LGTIN with another item reference (9.6.1, 9.6.2,
// and the sgtins of 9.6.3): those pairs differ in the published examples themselves.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { productOfEpc } from "../../sdk/provenance/epc";
import { Gtin } from "../../sdk/records/codes";
import { listFiles, standardsFile } from "./standards";

const EXAMPLES = join("epcis", "examples");
const GS1_EXAMPLE_GTIN = "70614141123451";
const TWINS = ["Example_9.6.1-ObjectEvent", "Example_9.6.2-ObjectEvent", "Example_9.6.3-AggregationEvent", "Example_9.6.4-TransformationEvent"];

// Every string in the document that names an EPC or EPC class of a trade item, in document order.
function tradeItemIds(file: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (/^urn:epc:(id:sgtin|class:lgtin|idpat:sgtin):/.test(v) || /^https?:\/\/[^/]+\/01\//.test(v)) out.push(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(JSON.parse(readFileSync(standardsFile(EXAMPLES, `${file}.jsonld`), "utf8")));
  return out;
}

describe("EPC mapping against the EPCIS 2.0 examples (EPC Tag Data Standard 2.3 §7.3 SGTIN, §7.18 LGTIN, §8 URIs for EPC Pure identity patterns)", function () {
  for (const name of TWINS)
    it(`${name}: URN and Digital Link twins name the same products`, function () {
      const urns = tradeItemIds(name);
      const links = tradeItemIds(`${name}WithDigitalLink`);
      expect(urns.length).to.be.greaterThan(0);
      expect(links).to.have.length(urns.length);
      urns.forEach((urn, i) => {
        const a = productOfEpc(urn);
        const b = productOfEpc(links[i]);
        expect(a, urn).to.not.equal(undefined);
        expect(b, links[i]).to.not.equal(undefined);
        expect(Gtin.safeParse(a!.gtin).success, urn).to.equal(true);
        expect({ lot: a!.lot, serial: a!.serial }, `${urn} vs ${links[i]}`).to.deep.equal({ lot: b!.lot, serial: b!.serial });
        if (b!.gtin !== GS1_EXAMPLE_GTIN) expect(a!.gtin, `${urn} vs ${links[i]}`).to.equal(b!.gtin);
      });
    });

  it("the twins of 9.6.4 agree on every product, GTIN included", function () {
    const name = TWINS[3];
    const urns = tradeItemIds(name).map((e) => productOfEpc(e));
    expect(urns.length).to.be.greaterThan(1);
    expect(urns).to.deep.equal(tradeItemIds(`${name}WithDigitalLink`).map((e) => productOfEpc(e)));
  });

  it("every trade item EPC in every example maps to a product with a valid GTIN", function () {
    const files = listFiles(EXAMPLES, ".jsonld").map((f) => f.replace(/\.jsonld$/, ""));
    let count = 0;
    for (const f of files)
      for (const epc of tradeItemIds(f)) {
        const p = productOfEpc(epc);
        expect(p, `${f}: ${epc}`).to.not.equal(undefined);
        expect(Gtin.safeParse(p!.gtin).success, epc).to.equal(true);
        count++;
      }
    expect(count).to.be.greaterThan(20);
  });
});
