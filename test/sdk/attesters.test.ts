import { expect } from "chai";
import { productAuthority, speakerKind, speakerOf } from "../../sdk/provenance/attesters";

// Who may speak on a product's page: the rule the hub applies and the page's script re-checks.
describe("attesters: brand, partner, accredited certifier, hub", function () {
  const batch = {
    owner: "aurora-brand",
    body: { gtin: "09506000134352", partners: [{ org: "swift-forwarding", role: "FORWARDER" }, { org: "harbour-mall" }] },
  };
  const authority = productAuthority("aurora-brand", [batch]);
  const event = (owner: string, capturedBy?: string) => ({ type: "EpcisEvent", owner, body: capturedBy ? { capturedBy } : {} });

  it("the brand and the partners its batches name speak as such; a certification by anyone else as a certifier", function () {
    expect(speakerKind({ type: "ProductBatch", owner: "aurora-brand", body: {} }, authority)).to.equal("brand");
    expect(speakerKind(event("swift-forwarding"), authority)).to.equal("partner");
    expect(speakerKind(event("harbour-mall"), authority)).to.equal("partner");
    expect(speakerKind({ type: "Certification", owner: "trust-certify", body: {} }, authority)).to.equal("certifier");
    // A partner's own certification speaks as the partner (it is no outside accreditation).
    expect(speakerKind({ type: "Certification", owner: "swift-forwarding", body: {} }, authority)).to.equal("partner");
  });

  it("anyone else speaks for nothing: a stranger's event, decision or sale", function () {
    expect(speakerKind(event("copy-mall"), authority)).to.equal(undefined);
    expect(speakerKind({ type: "CustomsDecision", owner: "hz-customs", body: {} }, authority)).to.equal(undefined);
  });

  it("a hub-attested event speaks for its capturer, who must be the brand or a partner", function () {
    expect(speakerOf(event("operator", "swift-forwarding"))).to.equal("swift-forwarding");
    expect(speakerKind(event("operator", "swift-forwarding"), authority)).to.equal("partner");
    expect(speakerKind(event("operator", "copy-mall"), authority)).to.equal(undefined);
    // capturedBy means something only on the types the hub attests (EPCIS events, ONE Record objects and change requests).
    expect(speakerOf({ type: "Certification", owner: "copy-mall", body: { capturedBy: "aurora-brand" } })).to.equal("copy-mall");
    expect(speakerOf({ type: "LogisticsObject", owner: "operator", body: { objectType: "Piece", capturedBy: "swift-forwarding" } })).to.equal(
      "swift-forwarding",
    );
    expect(speakerOf({ type: "ChangeRequest", owner: "operator", body: { capturedBy: "sky-air" } })).to.equal("sky-air");
    expect(speakerOf({ type: "LogisticsObject", owner: "swift-forwarding", body: { objectType: "Piece" } })).to.equal("swift-forwarding");
  });

  it("only the brand's batches name partners; a malformed list names nobody", function () {
    const other = productAuthority("aurora-brand", [{ owner: "copy-mall", body: { partners: [{ org: "copy-mall" }] } }]);
    expect([...other.partners]).to.deep.equal([]);
    const malformed = productAuthority("aurora-brand", [{ owner: "aurora-brand", body: { partners: "swift-forwarding" } }]);
    expect([...malformed.partners]).to.deep.equal([]);
  });
});
