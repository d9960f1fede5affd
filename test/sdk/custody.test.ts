// custodyStatus (sdk/custody.ts): the judgement of a handover and its receipt, rule by rule, over
// every combination of counted figures rather than a few examples.
import { expect } from "chai";
import { requiredAuthority } from "../../sdk/authority/table";
import { custodyStatus, CUSTODY_WEIGHT_TOLERANCE_KG } from "../../sdk/custody";
import { prepareRecord } from "../../sdk/digest";
import type { SignedRecord } from "../../sdk/envelope";
import { randomOrgKey } from "../../sdk/keys";
import { KG_PER_LB } from "../../sdk/records/codes";
import type { CustodyHandoverBody, CustodyReceiptBody } from "../../sdk/records/custody";
import { signRecord } from "../../sdk/signature";

const hander = randomOrgKey();
const receiver = randomOrgKey();

function signed(type: string, owner: string, body: object, key = hander, id = `${owner}:${type}-${Math.random()}`, version = 1): SignedRecord {
  return signRecord(key.privateKey, prepareRecord({ type, id, version, owner }, body as Record<string, unknown>));
}

const HANDOVER: CustodyHandoverBody = {
  receiver: "cust-receiver",
  items: [
    { kind: "ULD", id: "AKE12345CX" },
    { kind: "PIECE", id: "piece-1" },
  ],
  pieceCount: 10,
  grossWeight: { value: 250, unit: "KGM" },
  seals: ["S-1", "S-2"],
  place: { airport: "HKG" },
  handedOverAt: "2026-11-20T10:00:00Z",
};
const handover = signed("CustodyHandover", "cust-hander", HANDOVER);

function receipt(over: Partial<CustodyReceiptBody> = {}, owner = "cust-receiver", of: SignedRecord = handover): SignedRecord {
  const body: CustodyReceiptBody = {
    handover: { id: of.id, version: of.version, digest: of.digest },
    decision: "ACCEPTED",
    countedPieces: HANDOVER.pieceCount,
    countedWeight: HANDOVER.grossWeight,
    receivedAt: "2026-11-20T10:05:00Z",
    ...over,
  };
  return signed("CustodyReceipt", owner, body, receiver);
}

describe("custodyStatus (sdk/custody.ts)", function () {
  it("a handover without a receipt is one-sided, with nothing wrong", function () {
    expect(custodyStatus(handover)).to.deep.equal({ status: "one-sided", discrepancies: [], problems: [] });
  });

  it("the status is the decision, and each counted figure that differs from the declared one is a discrepancy", function () {
    const weights = [
      { w: { value: 250, unit: "KGM" as const }, differs: false },
      { w: { value: 250 + CUSTODY_WEIGHT_TOLERANCE_KG / 2, unit: "KGM" as const }, differs: false },
      { w: { value: 250 + CUSTODY_WEIGHT_TOLERANCE_KG * 3, unit: "KGM" as const }, differs: true },
      { w: { value: 250 / KG_PER_LB, unit: "LBR" as const }, differs: false },
      { w: { value: 240, unit: "KGM" as const }, differs: true },
    ];
    const sealSets = [
      { s: undefined, differs: false },
      { s: ["S-2", "S-1"], differs: false },
      { s: ["S-1"], differs: true },
      { s: ["S-1", "S-9"], differs: true },
    ];
    let cases = 0;
    for (const decision of ["ACCEPTED", "REFUSED"] as const)
      for (const pieces of [0, 9, 10, 11])
        for (const { w, differs: weightDiffers } of weights)
          for (const { s, differs: sealsDiffer } of sealSets) {
            const judged = custodyStatus(handover, receipt({ decision, countedPieces: pieces, countedWeight: w, ...(s ? { seals: s } : {}) }));
            const fields = judged.discrepancies.map((d) => d.field);
            const expected = [
              ...(decision === "REFUSED" ? ["decision"] : []),
              ...(pieces !== HANDOVER.pieceCount ? ["pieceCount"] : []),
              ...(weightDiffers ? ["grossWeight"] : []),
              ...(sealsDiffer ? ["seals"] : []),
            ];
            expect(fields, JSON.stringify({ decision, pieces, w, s })).to.deep.equal(expected);
            expect(judged.status).to.equal(decision === "REFUSED" ? "refused" : "countersigned");
            expect(judged.problems).to.deep.equal([]);
            for (const d of judged.discrepancies) expect(d.declared).to.not.equal(d.counted);
            cases++;
          }
    expect(cases).to.equal(2 * 4 * weights.length * sealSets.length);
  });

  it("a discrepancy names the declared and the counted figure", function () {
    const judged = custodyStatus(handover, receipt({ countedPieces: 9 }));
    expect(judged.discrepancies).to.deep.equal([{ field: "pieceCount", declared: "10", counted: "9" }]);
  });

  it("a handover that names no seals is not compared on seals", function () {
    const { seals: _seals, ...unsealed } = HANDOVER;
    const h = signed("CustodyHandover", "cust-hander", unsealed);
    expect(custodyStatus(h, receipt({ seals: ["S-7"] }, "cust-receiver", h)).discrepancies).to.deep.equal([]);
  });

  it("a receipt that binds another id, version or digest countersigns nothing", function () {
    const good = { id: handover.id, version: handover.version, digest: handover.digest };
    const wrong = [
      { ...good, id: "cust-hander:other" },
      { ...good, version: 2 },
      { ...good, digest: `0x${"0".repeat(64)}` },
    ];
    for (const binding of wrong) {
      const judged = custodyStatus(handover, receipt({ handover: binding }));
      expect(judged.status, JSON.stringify(binding)).to.equal("one-sided");
      expect(judged.discrepancies).to.deep.equal([]);
      expect(judged.problems).to.have.length(1);
      expect(judged.problems[0]).to.match(/the receipt answers/);
    }
  });

  it("a receipt by anyone but the named receiver countersigns nothing", function () {
    const judged = custodyStatus(handover, receipt({}, "cust-intruder"));
    expect(judged.status).to.equal("one-sided");
    expect(judged.problems.join()).to.match(/cust-intruder's, but the handover names cust-receiver/);
  });

  it("records of other types are neither handovers nor receipts", function () {
    const notHandover = signed("LogisticsEvent", "cust-hander", HANDOVER);
    expect(custodyStatus(notHandover, receipt({}, "cust-receiver", notHandover)).problems.join()).to.match(/not a CustodyHandover/);
    const r = receipt();
    const notReceipt = { ...r, type: "LogisticsEvent" };
    expect(custodyStatus(handover, notReceipt)).to.include({ status: "one-sided" });
    expect(custodyStatus(handover, notReceipt).problems.join()).to.match(/not a CustodyReceipt/);
    const malformed = { ...r, body: { ...r.body, decision: "MAYBE" } };
    expect(custodyStatus(handover, malformed).problems.join()).to.match(/not a valid CustodyReceipt/);
  });

  it("custody records need no credential: they are judged by relationships, not licence", function () {
    expect(requiredAuthority("CustodyHandover", HANDOVER)).to.equal(undefined);
    expect(requiredAuthority("CustodyReceipt", receipt().body)).to.equal(undefined);
  });
});
