// containmentOf (sdk/consolidation.ts): what a Consolidation, a ConsignmentSplit or a Waybill says
// contains what, the sums of counts and weights (a mismatch is a discrepancy), and the origin
// documents every part keeps.
import { expect } from "chai";
import { requiredAuthority } from "../../sdk/authority/table";
import { CONSOLIDATION_WEIGHT_TOLERANCE_KG, containmentOf, totalsDiscrepancies } from "../../sdk/consolidation";
import { KG_PER_LB } from "../../sdk/records/codes";
import type { ConsignmentSplitBody, ConsolidationBody } from "../../sdk/records/consolidation";
import { RECORD_EXAMPLES } from "../../sdk/records/examples";
import { ConsignmentSplitBody as SplitSchema, ConsolidationBody as ConsolidationSchema } from "../../sdk/records/consolidation";

const CO = "cn-certifier:co-1";
const FTA = "cn-certifier:rcep-form-1";

const SPLIT: ConsignmentSplitBody = {
  consignment: { kind: "HOUSE", id: "H-1", pieceCount: 10, grossWeight: { value: 250, unit: "KGM" } },
  origin: [CO, FTA],
  parts: [
    { id: "H-1-A", pieceCount: 6, grossWeight: { value: 150, unit: "KGM" }, flight: "CX0831", date: "2026-11-20" },
    { id: "H-1-B", pieceCount: 4, grossWeight: { value: 100, unit: "KGM" }, flight: "CX0845" },
  ],
  at: "2026-11-20T06:00:00Z",
};

const ULD: ConsolidationBody = {
  container: { kind: "ULD", id: "AKE1CX" },
  contents: [
    { kind: "HOUSE", id: "H-1-A", pieceCount: 6, grossWeight: { value: 150, unit: "KGM" } },
    { kind: "PARCEL", id: "P-9", pieceCount: 1, grossWeight: { value: 2.5, unit: "KGM" } },
  ],
  pieceCount: 7,
  grossWeight: { value: 152.5, unit: "KGM" },
  at: "2026-11-20T07:00:00Z",
};

describe("consolidation judgement (containmentOf)", function () {
  it("a split's parts add up, are the consignment's kind, keep their flights and every origin document", function () {
    const s = containmentOf("ConsignmentSplit", SPLIT)!;
    expect(s.kind).to.equal("split");
    expect(s.container).to.deep.equal({ kind: "HOUSE", id: "H-1" });
    expect(s.discrepancies).to.deep.equal([]);
    expect(s.origin).to.deep.equal([CO, FTA]);
    expect(s.edges.map((e) => [e.content.kind, e.content.id, e.relation, e.flight])).to.deep.equal([
      ["HOUSE", "H-1-A", "split", "CX0831"],
      ["HOUSE", "H-1-B", "split", "CX0845"],
    ]);
    expect(s.edges[0]!.date).to.equal("2026-11-20");
    expect(s.at).to.equal(SPLIT.at);
  });

  it("parts that do not add up to the consignment are discrepancies, each figure on its own", function () {
    const fewer = { ...SPLIT, parts: [SPLIT.parts[0]!, { ...SPLIT.parts[1]!, pieceCount: 3 }] };
    expect(containmentOf("ConsignmentSplit", fewer)!.discrepancies).to.deep.equal([{ field: "pieceCount", declared: "10", counted: "9" }]);
    const heavier = { ...SPLIT, parts: [SPLIT.parts[0]!, { ...SPLIT.parts[1]!, grossWeight: { value: 101, unit: "KGM" as const } }] };
    expect(containmentOf("ConsignmentSplit", heavier)!.discrepancies).to.deep.equal([{ field: "grossWeight", declared: "250 KGM", counted: "251 KGM" }]);
    const both = { ...SPLIT, parts: [SPLIT.parts[0]!, { ...SPLIT.parts[1]!, pieceCount: 5, grossWeight: { value: 90, unit: "KGM" as const } }] };
    expect(containmentOf("ConsignmentSplit", both)!.discrepancies.map((d) => d.field)).to.deep.equal(["pieceCount", "grossWeight"]);
    // The origin documents are kept whatever the figures say.
    expect(containmentOf("ConsignmentSplit", both)!.origin).to.deep.equal([CO, FTA]);
  });

  it("weights add up within the tolerance, across units", function () {
    const declared = { pieceCount: 2, grossWeight: { value: 10, unit: "KGM" as const } };
    const part = (kg: number) => ({ pieceCount: 1, grossWeight: { value: kg, unit: "KGM" as const } });
    expect(totalsDiscrepancies(declared, [part(5), part(5 + CONSOLIDATION_WEIGHT_TOLERANCE_KG)])).to.deep.equal([]);
    expect(totalsDiscrepancies(declared, [part(5), part(5 + 2 * CONSOLIDATION_WEIGHT_TOLERANCE_KG)])).to.have.length(1);
    // 10 kg as one part in kilograms and one in pounds: summed in kilograms.
    const pounds = { pieceCount: 1, grossWeight: { value: 5 / KG_PER_LB, unit: "LBR" as const } };
    expect(totalsDiscrepancies(declared, [part(5), pounds])).to.deep.equal([]);
    expect(totalsDiscrepancies(declared, [part(6), pounds])).to.deep.equal([{ field: "grossWeight", declared: "10 KGM", counted: "11 KGM" }]);
  });

  it("a consolidation's contents add up to the container's totals, and carry its origin documents", function () {
    const c = containmentOf("Consolidation", { ...ULD, origin: [CO] })!;
    expect(c).to.include({ kind: "consolidation", at: ULD.at });
    expect(c.discrepancies).to.deep.equal([]);
    expect(c.origin).to.deep.equal([CO]);
    expect(c.edges.map((e) => `${e.container.id}>${e.content.kind}:${e.content.id}:${e.relation}`)).to.deep.equal([
      "AKE1CX>HOUSE:H-1-A:contains",
      "AKE1CX>PARCEL:P-9:contains",
    ]);
    expect(containmentOf("Consolidation", ULD)!.origin).to.deep.equal([]);
    expect(containmentOf("Consolidation", { ...ULD, pieceCount: 8 })!.discrepancies).to.deep.equal([{ field: "pieceCount", declared: "8", counted: "7" }]);
  });

  it("a house or parcel waybill naming its master is a containment; a master, other types and invalid bodies are none", function () {
    const house = {
      waybillType: "HOUSE",
      waybillNumber: "HKG-H-1",
      masterWaybillNumber: "160-12345675",
      origin: "HKG",
      destination: "FRA",
      shipper: { name: "S", country: "CN" },
      consignee: { name: "C", country: "DE" },
      pieceCount: 3,
      grossWeight: { value: 30, unit: "KGM" },
      goodsDescription: "toys",
    };
    const w = containmentOf("Waybill", house)!;
    expect(w.kind).to.equal("waybill");
    expect(w.at).to.equal(undefined);
    expect(w.edges).to.deep.equal([
      {
        container: { kind: "MASTER", id: "160-12345675" },
        content: { kind: "HOUSE", id: "HKG-H-1" },
        relation: "contains",
        pieceCount: 3,
        grossWeight: house.grossWeight,
      },
    ]);
    const { masterWaybillNumber: _m, ...noMaster } = house;
    expect(containmentOf("Waybill", { ...noMaster, waybillType: "MASTER", waybillNumber: "160-12345675" })).to.equal(undefined);
    expect(containmentOf("Waybill", noMaster)).to.equal(undefined);
    expect(containmentOf("Shipment", SPLIT)).to.equal(undefined);
    expect(containmentOf("ConsignmentSplit", { ...SPLIT, parts: [SPLIT.parts[0]] })).to.equal(undefined);
  });

  it("the schemas refuse what cannot be judged: one part, a repeated id, a container inside itself", function () {
    expect(SplitSchema.safeParse({ ...SPLIT, parts: [SPLIT.parts[0]] }).success).to.equal(false);
    expect(SplitSchema.safeParse({ ...SPLIT, parts: [SPLIT.parts[0], SPLIT.parts[0]] }).success).to.equal(false);
    expect(SplitSchema.safeParse({ ...SPLIT, parts: [SPLIT.parts[0], { ...SPLIT.parts[1], id: "H-1" }] }).success).to.equal(false);
    expect(SplitSchema.safeParse({ ...SPLIT, origin: [CO, CO] }).success).to.equal(false);
    expect(ConsolidationSchema.safeParse({ ...ULD, contents: [...ULD.contents, { ...ULD.contents[0], id: "AKE1CX" }] }).success).to.equal(false);
    expect(ConsolidationSchema.safeParse({ ...ULD, contents: [ULD.contents[0], ULD.contents[0]] }).success).to.equal(false);
    expect(SplitSchema.safeParse({ ...SPLIT, parts: [{ ...SPLIT.parts[0], flight: "not a flight" }, SPLIT.parts[1]] }).success).to.equal(false);
    expect(SplitSchema.safeParse(RECORD_EXAMPLES.ConsignmentSplit).success).to.equal(true);
    expect(ConsolidationSchema.safeParse(RECORD_EXAMPLES.Consolidation).success).to.equal(true);
  });

  it("needs no credential: consolidating and splitting are matters of relationships, not licence", function () {
    expect(requiredAuthority("Consolidation", ULD)).to.equal(undefined);
    expect(requiredAuthority("ConsignmentSplit", SPLIT)).to.equal(undefined);
  });
});
