// containmentOf (sdk/consolidation.ts): what a Consolidation, a ConsignmentSplit or a Waybill says
// contains what, the sums of counts and weights (a mismatch is a discrepancy), and the origin
// documents every part keeps.
import { expect } from "chai";
import { requiredAuthority } from "../../sdk/authority/table";
import { CONSOLIDATION_WEIGHT_TOLERANCE_KG, containmentOf, logisticsObjectContainmentOf, totalsDiscrepancies } from "../../sdk/consolidation";
import { bodyOfObject, type JsonObject } from "../../sdk/one-record/jsonld";
import { CARGO } from "../../sdk/one-record/vocabulary";
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
        // A field-level reader sees the edge only with every field stating it.
        fields: ["waybillType", "waybillNumber", "masterWaybillNumber", "pieceCount", "grossWeight"],
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

describe("ONE Record containment (logisticsObjectContainmentOf)", function () {
  const HUB = "https://hub.example/logistics-objects/";
  const iri = (id: string) => HUB + id;
  const cargo = (local: string) => ({ "@id": CARGO + local });
  /** Bodies in the normal form the hub stores (sdk/one-record/jsonld.ts bodyOfObject), written compactly here and converted. */
  const body = (type: string, props: JsonObject): JsonObject =>
    bodyOfObject({ "@context": { cargo: CARGO }, "@type": `cargo:${type}`, ...Object.fromEntries(Object.entries(props).map(([k, v]) => [`cargo:${k}`, v])) })
      .body as JsonObject;
  const pairs = (s: ReturnType<typeof logisticsObjectContainmentOf>) =>
    s?.edges.map((e) => [e.container.kind, e.container.id, e.relation, e.content.kind, e.content.id]);

  it("a master waybill contains its houses and its shipment, and its printed air waybill number identifies it", function () {
    const master = body("Waybill", {
      waybillType: cargo("MASTER"),
      waybillPrefix: "020",
      waybillNumber: "12345675",
      houseWaybills: [{ "@id": iri("h1") }, { "@id": iri("h2") }],
      shipment: { "@id": iri("s0") },
    });
    const said = logisticsObjectContainmentOf(master, iri("m"));
    expect(said).to.deep.include({ kind: "logistics-object", container: { kind: "MASTER", id: iri("m") }, discrepancies: [], origin: [] });
    expect(said?.at).to.equal(undefined);
    expect(pairs(said)).to.deep.equal([
      ["MASTER", iri("m"), "contains", "HOUSE", iri("h1")],
      ["MASTER", iri("m"), "contains", "HOUSE", iri("h2")],
      ["MASTER", iri("m"), "contains", "SHIPMENT", iri("s0")],
      ["MASTER", "020-12345675", "identifies", "MASTER", iri("m")],
    ]);
    // The fields stating each edge, for readers seeing only some fields; the number is two of them.
    expect(said?.edges.map((e) => e.fields)).to.deep.equal([["houseWaybills"], ["houseWaybills"], ["shipment"], ["waybillPrefix", "waybillNumber"]]);
    // No figures: they are in other objects than the one stating the edge.
    expect(said?.edges.every((e) => e.pieceCount === undefined && e.grossWeight === undefined)).to.equal(true);
    // A number whose check digit is wrong identifies nothing (the hub refuses such a master anyway).
    expect(pairs(logisticsObjectContainmentOf({ ...master, waybillNumber: "12345676" }, iri("m")))?.some((p) => p[2] === "identifies")).to.equal(false);
  });

  it("a house waybill is contained in its master and identified by its own number; a reference to itself says nothing", function () {
    const house = body("Waybill", { waybillType: cargo("HOUSE"), waybillNumber: "HAWB77", masterWaybill: { "@id": iri("m") }, shipment: { "@id": iri("h") } });
    expect(pairs(logisticsObjectContainmentOf(house, iri("h")))).to.deep.equal([
      ["MASTER", iri("m"), "contains", "HOUSE", iri("h")],
      ["HOUSE", "HAWB77", "identifies", "HOUSE", iri("h")],
    ]);
    // Without a type, naming a master makes it a house.
    const untyped = body("Waybill", { masterWaybill: { "@id": iri("m") } });
    expect(logisticsObjectContainmentOf(untyped, iri("h"))?.container).to.deep.equal({ kind: "HOUSE", id: iri("h") });
  });

  it("shipments contain pieces, pieces pieces (both ways round), and a piece's UPID identifies it", function () {
    expect(
      pairs(logisticsObjectContainmentOf(body("Shipment", { pieces: [{ "@id": iri("p1") }, { "@id": iri("p2") }, { "@id": iri("p1") }] }), iri("s"))),
    ).to.deep.equal([
      ["SHIPMENT", iri("s"), "contains", "PIECE", iri("p1")],
      ["SHIPMENT", iri("s"), "contains", "PIECE", iri("p2")],
    ]);
    const piece = body("Piece", {
      ofShipment: { "@id": iri("s") },
      inPiece: { "@id": iri("outer") },
      containedPieces: [{ "@id": iri("inner") }],
      upid: "UPID-0001",
      grossWeight: { "cargo:numericalValue": 12, "cargo:unit": { "@id": "https://onerecord.iata.org/ns/code-lists/MeasurementUnitCode#KGM" } },
    });
    expect(pairs(logisticsObjectContainmentOf(piece, iri("p1")))).to.deep.equal([
      ["SHIPMENT", iri("s"), "contains", "PIECE", iri("p1")],
      ["PIECE", iri("outer"), "contains", "PIECE", iri("p1")],
      ["PIECE", iri("p1"), "contains", "PIECE", iri("inner")],
      ["PIECE", "UPID-0001", "identifies", "PIECE", iri("p1")],
    ]);
    // Items are goods inside a piece, not handling units: no edge.
    expect(logisticsObjectContainmentOf(body("Piece", { containedItems: [{ "@id": iri("item") }] }), iri("p1"))).to.equal(undefined);
  });

  it("a ULD is identified by type, serial and owner code; an actual build-up (Composing) puts pieces in it, a break-down or a plan does not", function () {
    const uld = body("ULD", {
      uldTypeCode: { "cargo:code": "AKE" },
      uldSerialNumber: "12345",
      ownerCode: { "@id": "https://onerecord.iata.org/ns/code-lists/AirlineCode#CX" },
    });
    expect(pairs(logisticsObjectContainmentOf(uld, iri("u")))).to.deep.equal([["ULD", "AKE12345CX", "identifies", "ULD", iri("u")]]);
    expect(logisticsObjectContainmentOf({ ...uld, ownerCode: undefined }, iri("u"))).to.equal(undefined);
    const buildUp = body("Composing", {
      compositionType: cargo("COMPOSITION"),
      actionTimeType: cargo("ACTUAL"),
      loadingUnit: { "@id": iri("u") },
      composedPieces: [{ "@id": iri("p1") }, { "@id": iri("p2") }],
    });
    const said = logisticsObjectContainmentOf(buildUp, iri("c"));
    expect(said?.container).to.deep.equal({ kind: "ULD", id: iri("u") });
    expect(pairs(said)).to.deep.equal([
      ["ULD", iri("u"), "contains", "PIECE", iri("p1")],
      ["ULD", iri("u"), "contains", "PIECE", iri("p2")],
    ]);
    expect(logisticsObjectContainmentOf({ ...buildUp, compositionType: cargo("DECOMPOSITION") }, iri("c"))).to.equal(undefined);
    expect(logisticsObjectContainmentOf({ ...buildUp, actionTimeType: cargo("PLANNED") }, iri("c"))).to.equal(undefined);
    expect(logisticsObjectContainmentOf({ ...buildUp, loadingUnit: undefined }, iri("c"))).to.equal(undefined);
  });

  it("other classes, bodies without links and what is no logistics object state nothing", function () {
    expect(logisticsObjectContainmentOf(body("Booking", { issuedForWaybill: { "@id": iri("m") } }), iri("b"))).to.equal(undefined);
    expect(logisticsObjectContainmentOf(body("Shipment", { goodsDescription: "Watches" }), iri("s"))).to.equal(undefined);
    expect(logisticsObjectContainmentOf({ pieces: [{ "@id": iri("p") }] }, iri("s"))).to.equal(undefined);
    expect(logisticsObjectContainmentOf("Shipment", iri("s"))).to.equal(undefined);
    // A native record type is not read as ONE Record, nor a ONE Record body by containmentOf.
    expect(containmentOf("LogisticsObject", body("Shipment", { pieces: { "@id": iri("p") } }))).to.equal(undefined);
  });
});
