import { expect } from "chai";
import { AnchorProofSchema, FieldName, RecordHeaderSchema, SignedRecordSchema, UnsignedRecordSchema } from "../../sdk/envelope";

const salt = "0x" + "ab".repeat(16);
const hex32 = "0x" + "cd".repeat(32);
const unsigned = { type: "Shipment", id: "shp-1", version: 1, owner: "acme", body: { a: 1, b_2: "x" }, salts: { a: salt, b_2: salt } };
const signed = { ...unsigned, digest: hex32, signature: "0x" + "ef".repeat(65) };

describe("envelope schemas", () => {
  it("accept well-formed headers, records and proofs", () => {
    expect(RecordHeaderSchema.safeParse({ type: "LogisticsEvent", id: "a.b_c:d-e", version: 7, owner: "blue-air" }).success).to.equal(true);
    expect(UnsignedRecordSchema.safeParse(unsigned).success).to.equal(true);
    expect(SignedRecordSchema.safeParse(signed).success).to.equal(true);
    expect(SignedRecordSchema.safeParse({ ...signed, body: { a: 1 }, salts: { a: salt }, hidden: { b_2: hex32 } }).success).to.equal(true);
    const proof = { root: hex32, leafIndex: 0, leafCount: 1, siblings: [], chainId: 31337, anchorRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
    expect(AnchorProofSchema.safeParse(proof).success).to.equal(true);
    expect(AnchorProofSchema.safeParse({ ...proof, txHash: hex32, blockNumber: 12 }).success).to.equal(true);
  });

  it("reject malformed headers", () => {
    const bad = [
      { type: "shipment" },
      { type: "S" },
      { id: "-leading-dash" },
      { id: "" },
      { version: 0 },
      { version: 1.5 },
      { version: 2 ** 32 },
      { owner: "Acme" },
      { owner: "a" },
    ];
    for (const b of bad)
      expect(RecordHeaderSchema.safeParse({ type: "Shipment", id: "x", version: 1, owner: "acme", ...b }).success, JSON.stringify(b)).to.equal(false);
  });

  it("reject bad field names, salts, missing or extra salts, unknown keys and uppercase hex", () => {
    const cases: unknown[] = [
      { ...unsigned, body: { "1a": 1 }, salts: { "1a": salt } },
      { ...unsigned, salts: { a: salt } },
      { ...unsigned, salts: { ...unsigned.salts, c: salt } },
      { ...unsigned, salts: { a: "0x" + "ab".repeat(15), b_2: salt } },
      { ...unsigned, extra: true },
      { ...signed, digest: hex32.toUpperCase().replace("0X", "0x") },
      { ...signed, signature: "0x" + "ef".repeat(64) },
    ];
    for (const c of cases)
      expect(SignedRecordSchema.safeParse({ digest: hex32, signature: "0x" + "ef".repeat(65), ...(c as object) }).success, JSON.stringify(c)).to.equal(false);
  });

  it("refuse '__proto__' as a field name", () => {
    expect(FieldName.safeParse("__proto__").success).to.equal(false);
    expect(FieldName.safeParse("__proto").success).to.equal(true);
  });

  it("reject proofs whose leaf index is outside the batch", () => {
    const proof = { root: hex32, leafIndex: 3, leafCount: 3, siblings: [], chainId: 1, anchorRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
    expect(AnchorProofSchema.safeParse(proof).success).to.equal(false);
  });
});
