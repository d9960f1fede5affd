import { expect } from "chai";
import { judgeAuthority, requiredAuthority } from "../../sdk/authority/table";
import { CREDENTIAL_KINDS, credentialKindNumber, decodeScope, encodeScope, inForceAt, type Credential } from "../../sdk/authority/credentials";
import { RECORD_TYPES } from "../../sdk/records";

const T = 1_800_000_000;
const cred = (over: Partial<Credential>): Credential => ({
  kind: "ACCREDITED_CERTIFIER",
  subject: "cert-co",
  issuedAt: T - 1000,
  validFrom: T - 1000,
  validUntil: 0,
  revokedAt: 0,
  scope: { kinds: ["CERTIFICATE_OF_ORIGIN"], countries: ["CN"] },
  ...over,
});
const coo = (country?: string) => ({ kind: "CERTIFICATE_OF_ORIGIN", originCountry: country });

describe("authority table (sdk/authority)", () => {
  it("names a credential for every record type whose statements need a licence, and none for the others", () => {
    const needs = Object.keys(RECORD_TYPES).filter((t) => requiredAuthority(t, { waybillType: "HOUSE" }) !== undefined);
    expect(needs.sort()).to.deep.equal([
      "Certification",
      "CustomsDecision",
      "CustomsDeclaration",
      "Order",
      "Payment",
      "ProductBatch",
      "SummaryDeclaration",
      "Waybill",
    ]);
    expect(requiredAuthority("Certification", null)).to.equal(undefined);
  });

  it("a certificate needs a certifier accredited for its kind and, where it names one, its country", () => {
    const req = requiredAuthority("Certification", coo("CN"));
    expect(judgeAuthority(req, [cred({})], T, "cert-co").ok).to.equal(true);
    const vn = judgeAuthority(requiredAuthority("Certification", coo("VN")), [cred({})], T, "cert-co");
    expect(vn).to.deep.include({ ok: false, required: "an ACCREDITED_CERTIFIER credential for CERTIFICATE_OF_ORIGIN in VN" });
    expect(judgeAuthority(requiredAuthority("Certification", { kind: "HALAL" }), [cred({})], T, "cert-co").ok).to.equal(false);
    // A certifier accredited without a country list may certify anywhere.
    expect(judgeAuthority(requiredAuthority("Certification", coo("VN")), [cred({ scope: { kinds: ["CERTIFICATE_OF_ORIGIN"] } })], T, "x").ok).to.equal(true);
    // A credential of another kind never counts, whatever its scope.
    expect(judgeAuthority(req, [cred({ kind: "LICENSED_BROKER", scope: {} })], T, "x").ok).to.equal(false);
  });

  it("judges a credential at the time asked: not yet valid, expired, revoked (exclusive bounds), issued later", () => {
    const req = requiredAuthority("Certification", coo("CN"));
    const at = (c: Credential, t: number) => judgeAuthority(req, [c], t, "cert-co");
    expect(at(cred({ validUntil: T }), T - 1).ok).to.equal(true);
    const expired = at(cred({ validUntil: T }), T);
    expect(expired.ok).to.equal(false);
    expect(!expired.ok && expired.reason).to.match(/expired at/);
    const revoked = at(cred({ revokedAt: T }), T);
    expect(!revoked.ok && revoked.reason).to.match(/revoked at/);
    expect(at(cred({ revokedAt: T }), T - 1).ok, "before its revocation").to.equal(true);
    const early = at(cred({ validFrom: T + 10 }), T);
    expect(!early.ok && early.reason).to.match(/not yet valid/);
    // Back-dating: a credential counts only from when it was issued, whatever validFrom says.
    expect(at(cred({ validFrom: T - 5000, issuedAt: T + 1 }), T).ok).to.equal(false);
    const none = judgeAuthority(req, [], T, "cert-co");
    expect(!none.ok && none.reason).to.match(/held none/);
  });

  it("a batch needs the brand's company prefix after the GTIN's indicator digit; a master waybill the airline of its prefix", () => {
    const gs1 = cred({ kind: "GS1_COMPANY_PREFIX", scope: { prefixes: ["950600"] } });
    expect(judgeAuthority(requiredAuthority("ProductBatch", { gtin: "09506000134352" }), [gs1], T, "b").ok).to.equal(true);
    expect(judgeAuthority(requiredAuthority("ProductBatch", { gtin: "19506000134359" }), [gs1], T, "b").ok, "another indicator digit").to.equal(true);
    expect(judgeAuthority(requiredAuthority("ProductBatch", { gtin: "95060001343520" }), [gs1], T, "b").ok, "the prefix in the wrong place").to.equal(false);
    const airline = cred({ kind: "AIRLINE", scope: { prefix: "160" } });
    expect(judgeAuthority(requiredAuthority("Waybill", { waybillType: "MASTER", waybillNumber: "160-12345675" }), [airline], T, "a").ok).to.equal(true);
    expect(judgeAuthority(requiredAuthority("Waybill", { waybillType: "MASTER", waybillNumber: "020-12345675" }), [airline], T, "a").ok).to.equal(false);
    expect(requiredAuthority("Waybill", { waybillType: "PARCEL" })?.map((r) => r.credential)).to.deep.equal(["LICENSED_FORWARDER"]);
  });

  it("a customs list may be filed by a licensed broker or the platform, for the port's country", () => {
    const req = requiredAuthority("CustomsDeclaration", { port: "CNHGH" });
    expect(judgeAuthority(req, [cred({ kind: "ECOMMERCE_PLATFORM", scope: { countries: ["CN"] } })], T, "p").ok).to.equal(true);
    expect(judgeAuthority(req, [cred({ kind: "LICENSED_BROKER", scope: { countries: ["HK"] } })], T, "p").ok).to.equal(false);
  });

  it("scopes are canonical JSON checked against their kind; a scope that does not parse covers nothing", () => {
    expect(encodeScope("ACCREDITED_CERTIFIER", { countries: ["CN"], kinds: ["QUALITY"] })).to.equal('{"countries":["CN"],"kinds":["QUALITY"]}');
    expect(() => encodeScope("AIRLINE", { prefix: "16" })).to.throw();
    expect(() => encodeScope("LICENSED_BROKER", { countries: ["CN"], extra: 1 })).to.throw();
    expect(decodeScope("AIRLINE", "not json")).to.equal(undefined);
    expect(decodeScope("AIRLINE", '{"prefix":"1x0"}')).to.equal(undefined);
    const unparsed = cred({ scope: undefined });
    expect(judgeAuthority(requiredAuthority("Certification", coo("CN")), [unparsed], T, "x").ok).to.equal(false);
    expect(inForceAt(unparsed, T)).to.equal(true); // in force, and still covering nothing
  });

  it("kind numbers on chain are the kinds' positions, and append-only", () => {
    expect(CREDENTIAL_KINDS.slice(0, 3)).to.deep.equal(["AEO", "ACCREDITED_CERTIFIER", "CUSTOMS_OFFICE"]);
    expect(credentialKindNumber("GS1_COMPANY_PREFIX")).to.equal(8);
  });
});
