// The audit of an access log kept as one hash chain per owner (issue 17) against real contracts on
// the in-process hardhat network: every chain's links are checked, each anchored head against its
// chain, a finding names its chain; a log upgraded from the single legacy chain audits both.
import { expect } from "chai";
import { accessChainHeadLeaf, chainAccessLines } from "../../sdk/access-log";
import { auditExport } from "../../sdk/audit/audit";
import { AuditReportSchema, type AuditReport, type FindingCode } from "../../sdk/audit/findings";
import { buildMerkleTree, verifyMerkleProof } from "../../sdk/merkle";
import { ACME, FAST, copyState, deployChain, exportOf, logAccess, logChained, publish, revert, seal, snapshot, type Chain, type HubState } from "./fixture";

let chain: Chain;
let genuine: HubState;
let base: string;

async function auditState(state: HubState): Promise<AuditReport> {
  const lines = exportOf(chain, state).map((l) => JSON.stringify(l));
  const report = await auditExport(lines, { provider: chain.provider, contracts: chain.contracts, fromBlock: chain.deployedAtBlock, workers: 0 });
  expect(AuditReportSchema.safeParse(report).success, "the report matches its schema").to.equal(true);
  return report;
}

const codesOf = (r: AuditReport): FindingCode[] => [...new Set(r.findings.map((f) => f.code))].sort();

describe("audit of the access log's per-owner chains (hardhat network)", function () {
  this.timeout(120_000);

  before(async () => {
    chain = await deployChain();
    const a = chain.keys[ACME];
    const f = chain.keys[FAST];
    genuine = { batches: [], pending: [], access: [] };
    // An upgraded hub: legacy lines first, then each owner's chain (and the hub's own, owner null).
    logAccess(genuine, [{}, { owner: FAST, actor: ACME }]);
    await seal(chain, genuine, [publish(ACME, a)]);
    logChained(genuine, [
      {},
      { owner: FAST, actor: ACME },
      { action: "GRANT", actor: ACME },
      { owner: null, action: "DENY", actor: "nosy-org", recordId: "no-such" },
    ]);
    await seal(chain, genuine, [publish(ACME, a), publish(FAST, f)]);
    logChained(genuine, [{ owner: FAST, actor: ACME }, {}, {}, { owner: FAST, action: "READ_PROOF", actor: ACME }]);
    await seal(chain, genuine, [publish(FAST, f)]);
    logChained(genuine, [{}]); // not anchored yet: fine, the chain's links are still checked
    base = await snapshot();
  });

  afterEach(async () => {
    await revert(base);
    base = await snapshot();
  });

  it("a genuine log of several chains audits clean, the legacy chain with them", async () => {
    const report = await auditState(genuine);
    expect(report.findings).to.deep.equal([]);
    expect(report.clean).to.equal(true);
    expect(report.summary.counts.access).to.equal(genuine.access.length);
    // Chains interleave by row number but each is gapless 1, 2, 3, ... by chainSeq.
    const acme = genuine.access.filter((e) => e.chain === ACME);
    expect(acme.map((e) => e.chainSeq)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(new Set(genuine.batches.flatMap((b) => (b.accessLogChains ?? []).map((h) => h.chain)))).to.deep.equal(new Set(["", ACME, FAST]));
  });

  it("each chain's anchored head is a leaf of its batch, its proof folding to the root anchored on chain", async () => {
    for (const b of genuine.batches)
      for (const h of b.accessLogChains ?? []) {
        const leaf = accessChainHeadLeaf(h.chain, h.seq, h.hash);
        const index = b.leaves.indexOf(leaf);
        expect(index).to.be.at.least(0);
        expect(verifyMerkleProof(leaf, buildMerkleTree(b.leaves).proof(index), b.root)).to.equal(true);
        expect(await chain.anchors.queryFilter(chain.anchors.filters.Anchored!(b.root)), `batch ${b.id} anchored on chain`).to.have.length(1);
        const line = genuine.access.find((e) => e.chain === h.chain && e.chainSeq === h.seq);
        expect(line?.hash, `chain "${h.chain}" head ${h.seq}`).to.equal(h.hash);
      }
  });

  it("access-log-gap: a line edited in one chain is found, naming that chain and its place", async () => {
    const state = copyState(genuine);
    const edited = state.access.find((e) => e.chain === FAST && e.chainSeq === 2)!;
    edited.actor = "someone-else";
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["access-log-gap"]);
    expect(report.findings).to.have.length(1);
    expect(report.findings[0]).to.include({ chain: FAST, seq: 2 });
    expect(report.findings[0]!.message).to.include(`chain "${FAST}"`).and.include("altered");
  });

  it("access-log-gap: a line removed from one chain is found, naming that chain; the others stay clean", async () => {
    const state = copyState(genuine);
    state.access = state.access.filter((e) => !(e.chain === ACME && e.chainSeq === 3));
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["access-log-gap"]);
    expect(report.findings.map((f) => [f.chain, f.seq])).to.deep.equal([[ACME, 4]]);
    expect(report.findings[0]!.message).to.include("1 entry is missing");
  });

  it("access-log-head-mismatch: one chain rewritten after a cut (consistent links) shows against its anchored head", async () => {
    const state = copyState(genuine);
    const others = state.access.filter((e) => e.chain !== ACME);
    const acme = state.access.filter((e) => e.chain === ACME);
    const drafts = acme.slice(2).map(({ at, actor, action, recordId, version, owner, detail }) => ({ at, actor, action, recordId, version, owner, detail }));
    const rewritten = chainAccessLines(ACME, { seq: 1, hash: acme[0]!.hash }, drafts).map((e, i) => ({ ...e, seq: acme[i + 2]!.seq }));
    state.access = [...others, acme[0]!, ...rewritten].sort((x, y) => x.seq - y.seq);
    const report = await auditState(state);
    expect(codesOf(report)).to.deep.equal(["access-log-head-mismatch"]);
    expect(report.findings.every((f) => f.chain === ACME)).to.equal(true);
    // ACME's heads were anchored at 2 and 4; after the rewrite the chain ends at 4: entry 2 differs, 4 is gone.
    expect(report.findings.map((f) => f.seq).sort()).to.deep.equal([2, 4]);
  });

  it("access-log-head-mismatch: a chain's lines moved to another chain do not stand for it", async () => {
    const state = copyState(genuine);
    const b = state.batches.find((x) => x.accessLogChains?.some((h) => h.chain === FAST))!;
    // The export claims FAST's head is another chain's: the leaf bound to FAST is not that one.
    const h = b.accessLogChains!.find((x) => x.chain === FAST)!;
    const acmeHead = b.accessLogChains!.find((x) => x.chain === ACME)!;
    h.seq = acmeHead.seq;
    h.hash = acmeHead.hash;
    const report = await auditState(state);
    expect(codesOf(report)).to.include("access-log-head-mismatch");
    expect(report.findings.some((f) => f.chain === FAST && /not among the batch's leaves/.test(f.message))).to.equal(true);
  });
});
