import { expect } from "chai";
import { concat, keccak256, toBeHex, toUtf8Bytes } from "ethers";
import { canonicalJson } from "../../sdk/canonical";
import { computeDigest, fieldHash, newSalts, prepareRecord, recordDigest } from "../../sdk/digest";
import type { RecordHeader, UnsignedRecord } from "../../sdk/envelope";

const header: RecordHeader = { type: "Shipment", id: "shp-2024-000123", version: 3, owner: "acme-shipping" };
const body = {
  goodsDescription: "Lithium batteries, UN3480",
  totalGrossWeight: { value: 1250.5, unit: "KGM" },
  pieceCount: 12,
  origin: "FRA",
  destination: "JFK",
  incoterms: "DAP",
};
const salts: Record<string, string> = {
  goodsDescription: "0x000102030405060708090a0b0c0d0e0f",
  totalGrossWeight: "0x101112131415161718191a1b1c1d1e1f",
  pieceCount: "0x202122232425262728292a2b2c2d2e2f",
  origin: "0x303132333435363738393a3b3c3d3e3f",
  destination: "0x404142434445464748494a4b4c4d4e4f",
  incoterms: "0x505152535455565758595a5b5c5d5e5f",
};
const record: UnsignedRecord = { ...header, body, salts };

// An independent re-statement of the digest rules with ethers primitives, to pin the byte layout.
const lp = (s: string) => concat([toBeHex(toUtf8Bytes(s).length, 2), toUtf8Bytes(s)]);
const refFieldHash = (salt: string, name: string, value: unknown) => keccak256(concat([salt, lp(name), toUtf8Bytes(canonicalJson(value))]));
function refDigest(h: RecordHeader, hashes: string[]): string {
  const sorted = [...hashes].sort(); // equal-length lowercase hex sorts like the bytes
  return keccak256(concat([toUtf8Bytes("cargoproof:record:v1"), lp(h.type), lp(h.id), toBeHex(h.version, 4), lp(h.owner), ...sorted]));
}

describe("record digests", () => {
  it("follow the specified byte layout (checked against an ethers re-implementation)", () => {
    const hashes = Object.keys(body).map((k) => refFieldHash(salts[k], k, body[k as keyof typeof body]));
    for (const k of Object.keys(body))
      expect(fieldHash(salts[k], k, body[k as keyof typeof body])).to.equal(refFieldHash(salts[k], k, body[k as keyof typeof body]));
    for (const v of ["Industriestraße — €😀", 'quote " backslash \\ tab \t nul \u0000', { ü: [1.5e-7, -0, null], a: "漢" }])
      expect(fieldHash(salts.origin, "origin", v)).to.equal(refFieldHash(salts.origin, "origin", v));
    expect(recordDigest(header, hashes)).to.equal(refDigest(header, hashes));
    const unicodeHeader = { ...header, id: "id-é" }; // the header fields are length-prefixed UTF-8
    expect(recordDigest(unicodeHeader, hashes)).to.equal(refDigest(unicodeHeader, hashes));
    expect(computeDigest(record)).to.equal(refDigest(header, hashes));
  });

  it("match the golden vector (other implementations can test against it)", () => {
    expect(fieldHash(salts.pieceCount, "pieceCount", 12)).to.equal("0x30510d0a62344483728e74b86ddd9384f2f56a8318482ba5b840eaf8a34d84cd");
    expect(computeDigest(record)).to.equal("0x1a0778e78486d5a9109a9971a38b1eca244e2b74430c6c38aff1ef5f766d8913");
  });

  it("are deterministic and independent of field order", () => {
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect(computeDigest(record)).to.equal(computeDigest({ ...record }));
    expect(computeDigest({ ...record, body: reordered })).to.equal(computeDigest(record));
  });

  it("change with every header part", () => {
    const base = computeDigest(record);
    const variants: Partial<RecordHeader>[] = [{ type: "Shipments" }, { id: "shp-2024-000124" }, { version: 4 }, { owner: "acme-shippinh" }];
    for (const v of variants) expect(computeDigest({ ...record, ...v }), JSON.stringify(v)).to.not.equal(base);
  });

  it("change with every field value, name and salt", () => {
    const base = computeDigest(record);
    const seen = new Set([base]);
    for (const k of Object.keys(body)) {
      const value = body[k as keyof typeof body];
      const changed = typeof value === "number" ? value + 1 : typeof value === "string" ? value + " " : { ...value, value: 1250.50001 };
      const d1 = computeDigest({ ...record, body: { ...body, [k]: changed } });
      const salt = salts[k].slice(0, -1) + (salts[k].endsWith("0") ? "1" : "0");
      const d2 = computeDigest({ ...record, salts: { ...salts, [k]: salt } });
      const renamed = { ...body } as Record<string, unknown>;
      const renamedSalts = { ...salts };
      renamed[k + "X"] = renamed[k];
      renamedSalts[k + "X"] = renamedSalts[k];
      delete renamed[k];
      delete renamedSalts[k];
      const d3 = computeDigest({ ...record, body: renamed, salts: renamedSalts });
      for (const d of [d1, d2, d3]) {
        expect(seen.has(d), k).to.equal(false);
        seen.add(d);
      }
    }
  });

  it("do not let a value move between fields of length-prefixed names", () => {
    // Without the name length prefix, ("ab", "c...") and ("a", "bc...") could collide.
    expect(fieldHash(salts.origin, "ab", "c")).to.not.equal(fieldHash(salts.origin, "a", "bc"));
  });

  it("reject a field without salt, a salt without field, and a field both visible and hidden", () => {
    const { origin: _o, ...fewerSalts } = salts;
    expect(() => computeDigest({ ...record, salts: fewerSalts })).to.throw(/'origin' has no salt/);
    expect(() => computeDigest({ ...record, salts: { ...salts, extra: salts.origin } })).to.throw(/'extra', which is not in body/);
    expect(() => computeDigest({ ...record, salts: { ...salts, origin: "0x1234" } })).to.throw(/salt of field 'origin' must be 16 bytes/);
    const hidden = { origin: fieldHash(salts.origin, "origin", "FRA") };
    expect(() => computeDigest({ ...record, digest: "0x" + "00".repeat(32), signature: "0x" + "00".repeat(65), hidden })).to.throw(/both in body and hidden/);
  });

  it("newSalts gives 16 random bytes per field, different for every record", () => {
    const a = newSalts(body);
    const b = newSalts(body);
    expect(Object.keys(a)).to.deep.equal(Object.keys(body));
    for (const k of Object.keys(body)) {
      expect(a[k]).to.match(/^0x[0-9a-f]{32}$/);
      expect(a[k]).to.not.equal(b[k]);
    }
    expect(new Set(Object.values(a)).size).to.equal(Object.keys(body).length);
    const many = newSalts(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, i])));
    expect(new Set(Object.values(many)).size).to.equal(5000); // more than one getRandomValues call
  });

  it("prepareRecord salts afresh, computes the digest and drops undefined top-level fields", () => {
    const a = prepareRecord(header, { ...body, waybillNumber: undefined });
    const b = prepareRecord(header, body);
    expect(a.body).to.deep.equal(body);
    expect(Object.keys(a.salts)).to.deep.equal(Object.keys(body));
    expect(a.digest).to.equal(computeDigest(a));
    expect(a.digest).to.not.equal(b.digest);
    expect(() => prepareRecord({ ...header, owner: "Not A Slug" }, body)).to.throw(/invalid record header: owner/);
    expect(() => prepareRecord(header, { "bad-name": 1 })).to.throw(/field name 'bad-name'/);
    expect(() => prepareRecord(header, { nested: { x: undefined } })).to.throw(/\$\.x/);
  });
});
