// The audit engine against real contracts on the in-process hardhat network: a genuine hub's export
// audits clean, and each tampering of the hub's data (or of the chain) yields its finding.
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet, hexlify, randomBytes } from "ethers";
import { accessLogHeadLeaf, chainAccessEntries } from "../../sdk/access-log";
import { AuditInputError, auditExport, type AuditOptions } from "../../sdk/audit/audit";
import type { ExportLine } from "../../sdk/audit/export-format";
import { AuditReportSchema, FINDINGS_KEPT_PER_CODE, type AuditReport, type FindingCode } from "../../sdk/audit/findings";
import { formatReport } from "../../sdk/audit/report";
import { orgIdToBytes32 } from "../../sdk/chain-abi";
import { prepareRecord } from "../../sdk/digest";
import { buildMerkleTree } from "../../sdk/merkle";
import { redact } from "../../sdk/redact";
import { signRecord } from "../../sdk/signature";
import { BUYER, order } from "../customs/fixtures";
import type { Registry } from "./fixture";
import {
  ACME,
  FAST,
  copyState,
  deployChain,
  exportOf,
  logAccess,
  publish,
  revert,
  seal,
  snapshot,
  withholdingLogs,
  type Chain,
  type HubState,
} from "./fixture";

let chain: Chain;
let genuine: HubState;
let base: string;

async function audit(lines: Iterable<string | ExportLine>, extra: Partial<AuditOptions> = {}): Promise<AuditReport> {
  const report = await auditExport(lines, { provider: chain.provider, contracts: chain.contracts, fromBlock: chain.deployedAtBlock, workers: 0, ...extra });
  expect(AuditReportSchema.safeParse(report).success, "the report matches its schema").to.equal(true);
  return report;
}

/** The codes found, each once, sorted. */
const codesOf = (r: AuditReport): FindingCode[] => [...new Set(r.findings.map((f) => f.code))].sort();

/** Audits the state's export as JSON text lines, as read from a file. */
const auditState = (state: HubState, extra: Partial<AuditOptions> = {}) =>
  audit(
    exportOf(chain, state).map((l) => JSON.stringify(l)),
    extra,
  );

describe("auditExport (hardhat network)", function () {
  this.timeout(120_000);

  before(async () => {
    chain = await deployChain();
    const a = chain.keys[ACME];
    const f = chain.keys[FAST];
    genuine = { batches: [], pending: [], access: [] };
    logAccess(genuine, [{}, { action: "GRANT", actor: ACME }, {}, { action: "DENY", actor: "nosy-org", owner: ACME }, {}]);
    await seal(chain, genuine, [publish(ACME, a), publish(ACME, a), publish(FAST, f), publish(ACME, a)]);
    logAccess(genuine, [{ owner: FAST, actor: ACME }, {}, { action: "READ_PROOF" }]);
    await seal(chain, genuine, [publish(FAST, f), publish(ACME, a), publish(FAST, f)]);
    logAccess(genuine, [{}, { action: "EXPORT", actor: "auditor-one", recordId: null, version: null, owner: null }]);
    genuine.pending.push(publish(ACME, a, 5)); // young: waiting for its batch is not a finding
    base = await snapshot();
  });

  afterEach(async () => {
    await revert(base); // undo what a test did on chain; a snapshot is used up by reverting to it
    base = await snapshot();
  });

  it("a genuine hub audits clean, every line counted", async () => {
    const progress: { records: number; batches: number; access: number }[] = [];
    const report = await auditState(genuine, { onProgress: (p) => progress.push(p) });
    expect(report.findings, formatReport(report)).to.deep.equal([]);
    expect(report.clean).to.equal(true);
    expect(report.summary.counts).to.deep.equal({ batches: 2, records: 8, access: 10 });
    expect(report.summary.expected).to.deep.equal({ batches: 2, records: 8, access: 10 });
    expect(report.summary.totalFindings).to.equal(0);
    expect(Object.values(report.summary.findings).every((n) => n === 0)).to.equal(true);
    expect(report.summary.chain.anchoredRoots).to.equal(2);
    expect(report.summary.chain.chainId).to.equal(chain.chainId);
    expect(report.summary.chain.fromBlock).to.equal(chain.deployedAtBlock);
    expect(report.summary.warnings).to.deep.equal([]);
    expect(report.revoked).to.deep.equal([]);
    // One membership read per (owner, signer, anchoring time): 2 batches x 2 orgs. The pending record
    // is judged at the latest block's time, which is batch 2's: no further read.
    expect(report.summary.chain.membershipCalls).to.equal(4);
    expect(progress[progress.length - 1]).to.deep.equal({ records: 8, batches: 2, access: 10 });
    expect(formatReport(report))
      .to.match(/^AUDIT CLEAN/)
      .and.include("8 records, 2 batches, 10 access-log entries");
    // The hub's anchorer's hash chain, replayed from its admission, reaches the contract's head.
    expect(report.summary.chain.anchorChains).to.have.length(1);
    expect(report.summary.chain.anchorChains[0]).to.include({ anchorer: chain.anchorer, anchorings: 2, resets: 0, fromAdmission: true });
    expect(formatReport(report)).to.include(`anchors: ${chain.anchorer}: 2 anchorings replayed from its admission to the contract's head`);
  });

  it("parsed lines audit the same as text lines", async () => {
    const report = await audit(exportOf(chain, genuine));
    expect(report.clean).to.equal(true);
    expect(report.summary.counts.records).to.equal(8);
  });

  it("content-mismatch: a record's body edited in the database", async () => {
    const state = copyState(genuine);
    const rec = state.batches[0].records[1].record;
    rec.body.pieceCount = 999;
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["content-mismatch"]);
    expect(report.findings[0]).to.include({ recordId: rec.id, version: 1, digest: rec.digest, batchId: "batch-1", owner: ACME });
    expect(report.findings[0].message).to.include("hashes to");
    expect(report.clean).to.equal(false);
    expect(formatReport(report))
      .to.match(/^AUDIT FOUND PROBLEMS: 1 finding\n/)
      .and.include("content-mismatch");
  });

  it("missing-record: a record row deleted", async () => {
    const state = copyState(genuine);
    const [dropped] = state.batches[1].records.splice(1, 1);
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["missing-record"]);
    expect(report.findings[0]).to.include({ digest: dropped.record.digest, batchId: "batch-2", root: state.batches[1].root });
  });

  it("not-anchored: a record row inserted in no batch, published long ago", async () => {
    const state = copyState(genuine);
    const inserted = publish(ACME, chain.keys[ACME], 2 * 3600);
    state.pending.push(inserted);
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["not-anchored"]);
    expect(report.findings[0]).to.include({ recordId: inserted.record.id, digest: inserted.record.digest });
    expect(report.findings[0].message).to.include("in no anchor batch");
    // The same record is within the limit when the limit is longer.
    expect((await auditState(state, { maxAnchorLagS: 3 * 3600 })).clean).to.equal(true);
  });

  it("not-anchored: a record that claims a batch whose leaves do not hold it", async () => {
    const state = copyState(genuine);
    const intruder = publish(ACME, chain.keys[ACME]);
    intruder.batchId = "batch-1";
    state.batches[0].records.push(intruder);
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["not-anchored"]);
    expect(report.findings[0].message).to.include("not among the batch's leaves");
  });

  it("batch-withheld: a root anchored by the hub's anchorer that no batch reports", async () => {
    const foreign = hexlify(randomBytes(32));
    await (await chain.hubAnchors.anchor(foreign, 7)).wait();
    const report = await auditState(genuine);
    expect(codesOf(report)).to.deep.equal(["batch-withheld"]);
    expect(report.findings[0]).to.include({ root: foreign, anchorer: chain.anchorer });
    expect(report.findings[0].message).to.include("the hub's anchorer");
  });

  it("batch-withheld: a batch the hub anchored, left out of the export with its records", async () => {
    const state = copyState(genuine);
    const [withheld] = state.batches.splice(1, 1);
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["batch-withheld"]);
    expect(report.findings).to.have.length(1);
    expect(report.findings[0]).to.include({ root: withheld.root, blockNumber: withheld.blockNumber });
    expect(formatReport(report)).to.include("batch-withheld");
  });

  it("unreported-root: a root anchored by another anchorer", async () => {
    const [, , other] = await ethers.getSigners();
    await (await chain.anchors.setAnchorer(other.address, true)).wait();
    const foreign = hexlify(randomBytes(32));
    await (await (chain.anchors.connect(other) as Registry).anchor(foreign, 3)).wait();
    const report = await auditState(genuine);
    expect(codesOf(report)).to.deep.equal(["unreported-root"]);
    expect(report.findings[0]).to.include({ root: foreign, anchorer: other.address });
    // Its chain was replayed too, and reaches the contract's head.
    expect(report.summary.chain.anchorChains.map((c) => c.anchorer).sort()).to.deep.equal([chain.anchorer, other.address].sort());
    expect(report.summary.chain.anchorChains.every((c) => c.replayedHead === c.contractHead && c.fromAdmission)).to.equal(true);
  });

  it("batch-replaced: the export claims another root (with consistent leaves and records) for an anchored batch", async () => {
    const state = copyState(genuine);
    const b = state.batches[1];
    const anchoredRoot = b.root;
    const forged = [publish(ACME, chain.keys[ACME]), publish(FAST, chain.keys[FAST])];
    for (const r of forged) r.batchId = b.id;
    const leaves = [...forged.map((r) => r.record.digest), accessLogHeadLeaf(b.accessLogHead!.seq, b.accessLogHead!.hash)];
    Object.assign(b, { records: forged, leaves, leafCount: leaves.length, root: buildMerkleTree(leaves).root });
    const report = await auditState(state);
    expect(codesOf(report), formatReport(report)).to.deep.equal(["batch-replaced"]);
    expect(report.findings).to.have.length(1); // not also withheld (the chain's root) or not on chain (the claimed one)
    expect(report.findings[0]).to.include({ batchId: b.id, root: b.root, blockNumber: b.blockNumber });
    expect(report.findings[0].message).to.include(`anchored root ${anchoredRoot} with 4 leaves`);
  });

  it("batch-reordered: two anchored batches listed in the other order", async () => {
    const state = copyState(genuine);
    state.batches.reverse();
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["batch-reordered"]);
    expect(report.findings).to.have.length(1); // one batch moved, not every one after it
    expect(report.findings[0].message).to.match(/anchored batch \d of 2 in the export, but the chain anchored it as number \d/);
  });

  it("batch-reordered: one batch moved among several, only it is reported", async () => {
    const state = copyState(genuine);
    for (let i = 0; i < 3; i++) await seal(chain, state, [publish(ACME, chain.keys[ACME])]);
    const [moved] = state.batches.splice(3, 1); // the fourth, listed first
    state.batches.unshift(moved);
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["batch-reordered"]);
    expect(report.findings.map((f) => f.batchId)).to.deep.equal([moved.id]);
  });

  it("anchorer-reset: the hub's anchorer removed and re-admitted, then anchoring again", async () => {
    const state = copyState(genuine);
    await (await chain.anchors.setAnchorer(chain.anchorer, false)).wait();
    const readmitted = await (await chain.anchors.setAnchorer(chain.anchorer, true)).wait();
    await seal(chain, state, [publish(ACME, chain.keys[ACME])]);
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["anchorer-reset"]);
    expect(report.findings[0]).to.include({ anchorer: chain.anchorer, blockNumber: readmitted!.blockNumber });
    expect(report.findings[0].message).to.include("removed and re-admitted").and.include("2 anchoring(s) before");
    // The chain replayed from its new genesis still reaches the contract's head: only the reset is found.
    const hub = report.summary.chain.anchorChains.find((c) => c.anchorer === chain.anchorer)!;
    expect(hub).to.include({ resets: 1, anchorings: 3 });
    expect(hub.replayedHead).to.equal(hub.contractHead);
  });

  it("anchor-chain-broken: an RPC endpoint that withholds an anchoring's log", async () => {
    const dropped = genuine.batches[0].txHash!;
    const report = await auditState(genuine, { provider: withholdingLogs(chain.provider, dropped) });
    // The next anchoring no longer follows from the previous head; the batch itself is not found on chain.
    expect(codesOf(report)).to.deep.equal(["anchor-chain-broken", "batch-not-on-chain"]);
    expect(report.findings.find((f) => f.code === "anchor-chain-broken")).to.include({ root: genuine.batches[1].root, anchorer: chain.anchorer });
  });

  it("anchor-chain-head-mismatch: an RPC endpoint that withholds the latest anchoring's log", async () => {
    const dropped = genuine.batches[1].txHash!;
    const report = await auditState(genuine, { provider: withholdingLogs(chain.provider, dropped) });
    expect(codesOf(report)).to.deep.equal(["anchor-chain-head-mismatch", "batch-not-on-chain"]);
    expect(report.findings.find((f) => f.code === "anchor-chain-head-mismatch")!.message).to.include("events are missing");
  });

  it("personal fields as salted hashes (the auditor's export): digests still recompute; a tampered hidden hash is content-mismatch", async () => {
    const state = copyState(genuine);
    const signed = signRecord(chain.keys[ACME].privateKey, prepareRecord({ type: "Order", id: "order-1", version: 1, owner: ACME }, order()));
    const rec = { record: signed, publishedAt: new Date().toISOString(), batchId: null };
    await seal(chain, state, [rec]);
    const lines = exportOf(chain, state).map((l) => (l.kind === "record" && l.record.type === "Order" ? { ...l, record: redact(l.record, ["buyer"]) } : l));
    const text = lines.map((l) => JSON.stringify(l));
    expect(text.join("\n")).to.not.include(BUYER.idNumber);
    const report = await audit(text);
    expect(report.findings, formatReport(report)).to.deep.equal([]);
    expect(report.summary.counts.records).to.equal(9);
    const i = text.findIndex((t) => t.includes('"hidden"'));
    text[i] = text[i].replace(/("buyer":"0x)[0-9a-f]/, (_m, p: string) => `${p}${_m.endsWith("0") ? "1" : "0"}`);
    const tampered = await audit(text);
    expect(codesOf(tampered)).to.deep.equal(["content-mismatch"]);
    expect(tampered.findings[0]).to.include({ recordId: "order-1" });
  });

  it("access-log-gap: a line cut from the access log", async () => {
    const state = copyState(genuine);
    state.access.splice(2, 1); // seq 3
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["access-log-gap"]);
    expect(report.findings[0]).to.include({ seq: 4 });
    expect(report.findings[0].message).to.include("1 entry is missing");
  });

  it("access-log-gap: an access line edited", async () => {
    const state = copyState(genuine);
    state.access[6].actor = "someone-else";
    const report = await auditState(state);
    expect(codesOf(report)).to.include("access-log-gap");
    expect(report.findings.find((f) => f.code === "access-log-gap")).to.include({ seq: 7 });
  });

  it("access-log-head-mismatch: the log rewritten after a cut (the chain itself is consistent)", async () => {
    const state = copyState(genuine);
    const kept = state.access.slice(0, 2);
    const rest = state.access
      .slice(3)
      .map(({ at, actor, action, recordId, version, owner, detail }) => ({ at, actor, action, recordId, version, owner, detail }));
    state.access = [...kept, ...chainAccessEntries({ seq: 2, hash: kept[1].hash }, rest)];
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["access-log-head-mismatch"]);
    expect(report.findings.map((f) => f.seq).sort()).to.deep.equal([5, 8]);
  });

  it("access-log-head-mismatch: the log cut short before an anchored head", async () => {
    const state = copyState(genuine);
    state.access = state.access.slice(0, 6);
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["access-log-head-mismatch"]);
    expect(report.findings[0].message).to.include("the log ends at entry 6");
  });

  it("signer-not-member: a key rotated on chain, then a new record signed with the old key", async () => {
    const state = copyState(genuine);
    const newKey = Wallet.createRandom();
    await (await chain.participants.rotateKey(orgIdToBytes32(ACME), newKey.address)).wait();
    const backdated = publish(ACME, chain.keys[ACME]);
    const honest = publish(ACME, newKey);
    await seal(chain, state, [backdated, honest]);
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["signer-not-member"]);
    // The record still waiting for its batch was signed with the old key too: anchored now, it would
    // not verify either. The one signed with the new key is fine.
    expect(report.findings.map((f) => f.recordId)).to.deep.equal([backdated.record.id, genuine.pending[0].record.id]);
    expect(report.findings[0]).to.include({ batchId: "batch-3" });
    expect(report.findings[0].message).to.include("not an active key of acme-shipping");
  });

  it("signer-not-member: a record signed with another organisation's key", async () => {
    const state = copyState(genuine);
    await seal(chain, state, [publish(ACME, chain.keys[FAST])]);
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["signer-not-member"]);
    expect(report.findings[0].message).to.include("is not a key of acme-shipping");
  });

  it("signature-invalid: a malformed signature", async () => {
    const state = copyState(genuine);
    const rec = state.batches[1].records[0].record;
    rec.signature = rec.signature.slice(0, -2) + "1d"; // v = 29
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["signature-invalid"]);
    expect(report.findings[0].message).to.include("v must be 27 or 28");
  });

  it("anchored-late: published long before its anchoring", async () => {
    const state = copyState(genuine);
    const rec = state.batches[0].records[2];
    rec.publishedAt = new Date(Date.now() - 3 * 3600 * 1000).toISOString();
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["anchored-late"]);
    expect(report.findings[0]).to.include({ recordId: rec.record.id, root: state.batches[0].root });
    expect(report.findings[0].message).to.match(/anchored 3\.0 h after its publication \(limit 60 min\)/);
  });

  it("batch-root-mismatch: a batch's leaves reordered", async () => {
    const state = copyState(genuine);
    const leaves = state.batches[0].leaves;
    [leaves[0], leaves[2]] = [leaves[2], leaves[0]];
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["batch-root-mismatch"]);
    expect(report.findings[0]).to.include({ batchId: "batch-1", root: state.batches[0].root });
  });

  it("batch-not-on-chain: a batch marked anchored that never was", async () => {
    const state = copyState(genuine);
    const batch = await seal(chain, state, [publish(ACME, chain.keys[ACME]), publish(FAST, chain.keys[FAST])], { anchor: false });
    Object.assign(batch, { status: "ANCHORED", txHash: hexlify(randomBytes(32)), blockNumber: 1 });
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["batch-not-on-chain"]);
    expect(report.findings).to.have.length(1); // its records are not reported one by one
    expect(report.findings[0]).to.include({ batchId: "batch-3", root: batch.root });
  });

  it("a batch still being anchored is pending, and not-anchored once overdue", async () => {
    const state = copyState(genuine);
    await seal(chain, state, [publish(ACME, chain.keys[ACME], 10)], { anchor: false });
    expect((await auditState(state)).clean).to.equal(true);
    state.batches[2].records[0].publishedAt = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["not-anchored"]);
    expect(report.findings[0].message).to.include("not anchored yet (BUILT)");
  });

  it("a digest revoked by its publisher is listed as revoked, not as a finding", async () => {
    const rec = genuine.batches[1].records[1].record;
    await (await (chain.anchors.connect(chain.keys[ACME]) as Registry).revoke(rec.digest, "weight misdeclared")).wait();
    // The same digest revoked by another organisation does not count for this record.
    const other = genuine.batches[0].records[0].record;
    await (await (chain.anchors.connect(chain.keys[FAST]) as Registry).revoke(other.digest, "not ours")).wait();
    const report = await auditState(genuine);
    expect(report.clean).to.equal(true);
    expect(report.summary.chain.revocations).to.equal(2);
    expect(report.revoked).to.have.length(1);
    expect(report.revoked[0]).to.include({
      recordId: rec.id,
      version: 1,
      owner: ACME,
      digest: rec.digest,
      reason: "weight misdeclared",
      revoker: chain.keys[ACME].address,
    });
    expect(formatReport(report)).to.include("revoked by their publishers (not findings): 1");
  });

  it("keeps 1,000 findings per code and counts them all", async () => {
    const state = copyState(genuine);
    const leaves = Array.from({ length: FINDINGS_KEPT_PER_CODE + 5 }, () => hexlify(randomBytes(32)));
    const { buildMerkleTree } = await import("../../sdk/merkle");
    const root = buildMerkleTree(leaves).root;
    await (await chain.hubAnchors.anchor(root, leaves.length)).wait();
    state.batches.push({ id: "ghost", root, leafCount: leaves.length, leaves, status: "ANCHORED", records: [] });
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["missing-record"]);
    expect(report.summary.findings["missing-record"]).to.equal(FINDINGS_KEPT_PER_CODE + 5);
    expect(report.summary.totalFindings).to.equal(FINDINGS_KEPT_PER_CODE + 5);
    expect(report.findings).to.have.length(FINDINGS_KEPT_PER_CODE);
  });

  it("reads the chain's logs in pages of any size", async () => {
    const report = await auditState(genuine, { logPageBlocks: 1 });
    expect(report.clean).to.equal(true);
    expect(report.summary.chain.logPages).to.equal(report.summary.chain.toBlock - chain.deployedAtBlock + 1);
  });

  describe("scope own", () => {
    const ownExport = (state: HubState) => exportOf(chain, state, "own", ACME).map((l) => JSON.stringify(l));

    it("an organisation's own export audits clean, each record by its proof", async () => {
      const lines = exportOf(chain, genuine, "own", ACME);
      expect(lines.filter((l) => l.kind === "batch")).to.deep.equal([]);
      expect(lines.filter((l) => l.kind === "record" && l.proof)).to.have.length(4);
      const report = await audit(lines.map((l) => JSON.stringify(l)));
      expect(report.findings, formatReport(report)).to.deep.equal([]);
      expect(report.summary.counts).to.deep.equal({ batches: 0, records: 5, access: 8 });
    });

    it("access lines are the organisation's own sequence 1..n, without the hub-wide chain's fields", () => {
      const access = exportOf(chain, genuine, "own", ACME).flatMap((l) => (l.kind === "access" ? [l.entry] : []));
      expect(access.map((e) => e.seq)).to.deep.equal(access.map((_, i) => i + 1));
      for (const e of access) expect(e).to.not.have.any.keys("hash", "prevHash");
    });

    it("finds an edited body, a line cut from its access log and a proof to a root never anchored", async () => {
      const state = copyState(genuine);
      state.batches[0].records[0].record.body.origin = "LHR";
      const lines = ownExport(state);
      lines.splice(lines.findIndex((l) => l.startsWith('{"kind":"access"')) + 1, 1);
      const i = lines.findIndex((l) => l.includes('"proof"') && l.includes(state.batches[1].records[1].record.digest));
      const line = JSON.parse(lines[i]) as Extract<ExportLine, { kind: "record" }>;
      line.proof!.root = hexlify(randomBytes(32));
      lines[i] = JSON.stringify(line);
      const report = await audit(lines);
      expect(codesOf(report)).to.deep.equal(["access-log-gap", "content-mismatch", "not-anchored"]);
      expect(report.findings.find((f) => f.code === "not-anchored")!.message).to.include("does not lead from its digest");
    });

    it("an own export of an older hub (hub-wide entries) still has each access line's hash checked", async () => {
      const state = copyState(genuine);
      state.access[3].detail = "edited";
      const lines = exportOf(chain, state, "own", ACME, true).map((l) => JSON.stringify(l));
      expect(codesOf(await audit(lines))).to.deep.equal(["access-log-gap"]);
    });

    it("roots the organisation cannot see are not reported as unreported", async () => {
      await (await chain.hubAnchors.anchor(hexlify(randomBytes(32)), 3)).wait();
      expect((await audit(ownExport(genuine))).clean).to.equal(true);
    });
  });

  describe("exports that cannot be audited", () => {
    const lines = () => exportOf(chain, genuine).map((l) => JSON.stringify(l));

    async function rejects(input: string[], pattern: RegExp): Promise<void> {
      const err = await audit(input).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, "the audit throws").to.be.instanceOf(AuditInputError);
      expect((err as Error).message).to.match(pattern);
    }

    it("an export cut short (no end line)", () => rejects(lines().slice(0, -3), /cut short/));
    it("an empty export", () => rejects([], /empty/));
    it("a line that is not JSON, by its line number", () => rejects([...lines().slice(0, 3), "{oops", ...lines().slice(3)], /^export line 4: not JSON/));
    it("a line of an unknown kind", () => rejects([lines()[0], '{"kind":"memo"}'], /line 2: unknown line kind "memo"/));
    it("a record line before the header", () => rejects(lines().slice(2), /must start with its header/));
    it("a second header", () => rejects([lines()[0], ...lines()], /second header/));
    it("a batch after the access log", () => {
      const l = lines();
      const batch = l.find((x) => x.includes('"kind":"batch"'))!;
      return rejects([...l.slice(0, -1), batch, l[l.length - 1]], /a batch line after the access log began/);
    });
    it("an export of another chain", () => {
      const l = lines();
      l[0] = l[0].replace(`"chainId":${chain.chainId}`, '"chainId":1');
      return rejects(l, /from chain 1, the RPC endpoint serves chain/);
    });
    it("an export of other registries", async () => {
      const other = await deployChain();
      const err = await auditExport(lines(), { provider: chain.provider, contracts: other.contracts, workers: 0 }).catch((e: unknown) => e);
      expect((err as Error).message).to.match(/the export names anchorRegistry .* the audit is against/);
    });
    it("a bad contract address", async () => {
      const err = await auditExport(lines(), { provider: chain.provider, contracts: { ...chain.contracts, anchorRegistry: "0x1234" }, workers: 0 }).catch(
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(AuditInputError);
      expect((err as Error).message).to.match(/invalid contract address/);
    });
  });

  it("an end line whose counts disagree is a warning, not a finding", async () => {
    const l = exportOf(chain, genuine);
    const end = l[l.length - 1] as Extract<ExportLine, { kind: "end" }>;
    end.counts.records = 99;
    const report = await audit(l);
    expect(report.clean).to.equal(true);
    expect(report.summary.warnings).to.deep.equal(["the end line counts 99 records lines, the export has 8"]);
  });
});
