import { expect } from "chai";
import { Wallet } from "ethers";
import { computeDigest, fieldHash, prepareRecord } from "../../sdk/digest";
import { SignedRecordSchema, type SignedRecord } from "../../sdk/envelope";
import { redact } from "../../sdk/redact";
import { recoverSigner, signRecord } from "../../sdk/signature";
import { shipment } from "../fixtures";

const wallet = Wallet.createRandom();

function sample(): SignedRecord {
  const unsigned = prepareRecord({ type: "Shipment", id: "shp-1", version: 1, owner: "acme-shipping" }, shipment());
  return signRecord(wallet.privateKey, unsigned);
}

describe("redaction", () => {
  it("hides fields behind their field hashes and keeps digest and signature valid", () => {
    const record = sample();
    const red = redact(record, ["consignee", "totalGrossWeight"]);
    expect(Object.keys(red.body)).to.not.include.members(["consignee", "totalGrossWeight"]);
    expect(Object.keys(red.salts)).to.not.include.members(["consignee", "totalGrossWeight"]);
    expect(red.hidden).to.deep.equal({
      consignee: fieldHash(record.salts.consignee, "consignee", record.body.consignee),
      totalGrossWeight: fieldHash(record.salts.totalGrossWeight, "totalGrossWeight", record.body.totalGrossWeight),
    });
    expect(red.digest).to.equal(record.digest);
    expect(red.signature).to.equal(record.signature);
    expect(computeDigest(red)).to.equal(record.digest);
    expect(recoverSigner(red.digest, red.signature)).to.equal(wallet.address);
    expect(SignedRecordSchema.safeParse(red).success).to.equal(true);
    // The input is left alone.
    expect(record.hidden).to.equal(undefined);
    expect(record.body).to.have.property("consignee");
  });

  it("can be applied in steps, down to no visible field at all", () => {
    const record = sample();
    const once = redact(redact(record, ["origin"]), ["destination", "origin"]);
    expect(once.hidden).to.have.keys(["origin", "destination"]);
    expect(computeDigest(once)).to.equal(record.digest);
    const all = redact(record, Object.keys(record.body));
    expect(all.body).to.deep.equal({});
    expect(computeDigest(all)).to.equal(record.digest);
    const none = redact(record, []);
    expect(none).to.not.have.property("hidden");
    expect(computeDigest(none)).to.equal(record.digest);
  });

  it("throws on unknown field names", () => {
    expect(() => redact(sample(), ["nope"])).to.throw(/no such field/);
  });

  it("a changed visible field breaks the digest", () => {
    const red = redact(sample(), ["consignee"]);
    const tampered = { ...red, body: { ...red.body, pieceCount: 5 } };
    expect(computeDigest(tampered)).to.not.equal(red.digest);
    const swappedHash = { ...red, hidden: { consignee: "0x" + "11".repeat(32) } };
    expect(computeDigest(swappedHash)).to.not.equal(red.digest);
  });

  it("a field both in body and hidden is rejected by the schema and by computeDigest", () => {
    const record = sample();
    const red = redact(record, ["origin"]);
    const clash = { ...red, body: { ...red.body, origin: "FRA" }, salts: { ...red.salts, origin: record.salts.origin } };
    const parsed = SignedRecordSchema.safeParse(clash);
    expect(parsed.success).to.equal(false);
    expect(parsed.error?.issues.map((i) => i.message).join()).to.match(/both in body and hidden/);
    expect(() => computeDigest(clash)).to.throw(/both in body and hidden/);
  });
});
