import { expect } from "chai";
import { Wallet } from "ethers";
import { keccakReady } from "../../sdk/bytes";
import { computeDigest, prepareRecord } from "../../sdk/digest";
import { recoverSigner, signRecord } from "../../sdk/signature";
import { RecordChecks } from "../../server/records/check-pool";
import { shipment } from "../fixtures";

describe("record checks on worker threads (RecordChecks)", function () {
  const wallet = Wallet.createRandom();
  const header = (i: number) => ({ type: "Shipment", id: `shp-${i}`, version: 1, owner: "swift-forwarding" });
  let pool: RecordChecks;

  before(async () => {
    await keccakReady;
    pool = new RecordChecks(1);
  });
  after(() => pool.close());

  it("signs a large publication on a worker: every record's digest and signature check out", async function () {
    const signed = await pool.sign(Array.from({ length: 150 }, (_, i) => ({ key: wallet.privateKey, header: header(i), body: shipment() })));
    expect(signed.map((r) => r.id)).to.deep.equal(Array.from({ length: 150 }, (_, i) => `shp-${i}`));
    for (const r of signed) {
      expect(computeDigest(r)).to.equal(r.digest);
      expect(recoverSigner(r.digest, r.signature)).to.equal(wallet.address);
    }
  });

  it("checks a large batch on a worker, in order, and names the record that fails", async function () {
    const records = Array.from({ length: 150 }, (_, i) => signRecord(wallet.privateKey, prepareRecord(header(i), shipment())));
    const tampered = { ...records[99]!, body: { ...records[99]!.body, pieceCount: 99 } };
    const jobs = [...records.slice(0, 99), tampered, ...records.slice(100)].map((raw, i) => ({
      raw,
      owner: "swift-forwarding",
      signer: wallet.address,
      prefix: `records.${i}.`,
    }));
    const results = await pool.check(jobs);
    expect(results).to.have.length(150);
    expect(results.filter((r) => !r.ok)).to.have.length(1);
    const bad = results[99]!;
    expect(bad.ok).to.equal(false);
    if (!bad.ok) expect(bad.errors[0]!.path).to.equal("records.99.digest");
    expect(results[100]!.ok && results[100]!.record.id).to.equal("shp-100");
  });

  it("refuses a record signed by another key", async function () {
    const other = Wallet.createRandom();
    const records = Array.from({ length: 70 }, (_, i) => signRecord(i === 5 ? other.privateKey : wallet.privateKey, prepareRecord(header(i), shipment())));
    const results = await pool.check(records.map((raw, i) => ({ raw, owner: "swift-forwarding", signer: wallet.address, prefix: `records.${i}.` })));
    expect(results.map((r) => r.ok).indexOf(false)).to.equal(5);
    const bad = results[5]!;
    if (!bad.ok) expect(bad.kind).to.equal("signature-invalid");
  });
});
