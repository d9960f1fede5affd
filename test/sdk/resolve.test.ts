// classifyIdentifier and checkResolvedProof (sdk/resolve.ts): which kinds the bridge tries for an
// identifier, most specific first, and the proof check of a resolved record.
import { expect } from "chai";
import { buildMerkleTree, merkleLeaf } from "../../sdk/merkle";
import { ResolveQuerySchema, checkResolvedProof, classifyIdentifier } from "../../sdk/resolve";

const hex = (byte: string) => `0x${byte.repeat(32)}`;

describe("identifier bridge: classifyIdentifier", function () {
  const cases: [string, string[]][] = [
    [hex("ab"), ["digest", "merkle-leaf"]],
    [hex("AB"), ["digest", "merkle-leaf"]],
    ["020-12345675", ["air-waybill", "record-id"]],
    ["02012345675", ["air-waybill", "record-id"]],
    // A wrong check digit is no air waybill number; it may still be a record id.
    ["020-12345678", ["record-id", "epcis-event-id", "waybill-number"]],
    ["urn:epc:id:sgtin:950600.0013435.S1", ["epc-urn"]],
    ["urn:epc:id:sscc:950600.01234567890", ["epc-urn"]],
    ["http://127.0.0.1:8080/logistics-objects/piece-1", ["one-record-iri"]],
    ["https://hub.example/base/logistics-objects/piece-1/", ["one-record-iri"]],
    ["https://id.gs1.org/01/09506000134352/10/LOT-1", ["digital-link", "epcis-event-id"]],
    ["https://brand.example/00/095060012345678903", ["digital-link", "epcis-event-id"]],
    // A URI that is no Digital Link (a bad GTIN check digit) can still be an event's eventID.
    ["https://id.gs1.org/01/09506000134353", ["epcis-event-id"]],
    [`ni:///sha-256;${"0".repeat(64)}?ver=CBV2.0`, ["epcis-event-id"]],
    ["urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427", ["record-id", "epcis-event-id"]],
    ["epcis:res-brand:0a1b", ["record-id", "epcis-event-id"]],
    ["b3c9f2de-8f4e-4d0b-9a59-0d7a0c1b2e3f", ["record-id", "epcis-event-id"]],
    ["%%not/an:identifier", []],
    ["0x1234", ["record-id", "epcis-event-id", "waybill-number"]],
    ["HKG-H-0042/7", ["waybill-number"]],
    ["H".repeat(36), ["record-id", "epcis-event-id"]],
  ];
  for (const [id, kinds] of cases)
    it(`${id.slice(0, 60)} -> ${kinds.join(", ") || "nothing"}`, function () {
      expect(classifyIdentifier(id)).to.deep.equal(kinds);
    });

  it("the query takes one identifier without spaces or control characters, of at most 2048 characters", function () {
    expect(ResolveQuerySchema.safeParse({ id: "a" }).success).to.equal(true);
    expect(ResolveQuerySchema.safeParse({ id: "a".repeat(2048) }).success).to.equal(true);
    for (const bad of [{}, { id: "" }, { id: ["a", "b"] }, { id: "a b" }, { id: "a\u0000" }, { id: "a".repeat(2049) }, { id: "a", more: "1" }])
      expect(ResolveQuerySchema.safeParse(bad).success, JSON.stringify(bad)).to.equal(false);
  });
});

describe("identifier bridge: checkResolvedProof", function () {
  const digests = [hex("01"), hex("02"), hex("03")];
  const tree = buildMerkleTree(digests);
  const proof = { root: tree.root, leafIndex: 1, leafCount: 3, siblings: tree.proof(1), chainId: 31337, anchorRegistry: `0x${"11".repeat(20)}` };
  const resolved = { digest: digests[1]!, merkleLeaf: merkleLeaf(digests[1]!), proof };

  it("accepts a proof folding the digest's leaf to the root", function () {
    expect(checkResolvedProof(resolved)).to.equal(true);
  });
  it("refuses a missing proof, another digest's leaf, another root or another leaf's siblings", function () {
    expect(checkResolvedProof({ digest: resolved.digest, merkleLeaf: resolved.merkleLeaf })).to.equal(false);
    expect(checkResolvedProof({ ...resolved, merkleLeaf: merkleLeaf(digests[0]!) })).to.equal(false);
    expect(checkResolvedProof({ ...resolved, proof: { ...proof, root: hex("ff") } })).to.equal(false);
    expect(checkResolvedProof({ ...resolved, proof: { ...proof, siblings: tree.proof(0) } })).to.equal(false);
  });
});
