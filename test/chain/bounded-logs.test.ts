// Every chain read of the SDK against an endpoint that refuses eth_getLogs over more than 1,000
// blocks, as public providers do, on a chain of 100,000+ blocks: standalone verification of records
// anchored before and after the long gap (with a correct, no and a wrong block hint), revocation,
// a rotated key, completeness, the audit, the provenance page's revocation reader and `cargoproof
// verify` as a child process. No request over 1,000 blocks is ever accepted, and all stay bounded.
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Contract, Wallet, type Provider } from "ethers";
import { ethers, network } from "hardhat";
import { auditExport } from "../../sdk/audit/audit";
import { anchorRegistryAbi, orgIdToBytes32 } from "../../sdk/chain-abi";
import { LogScanError, getLogsPaged, isRangeRefusal } from "../../sdk/chain-logs";
import type { AnchorProof } from "../../sdk/envelope";
import { openRpc, verifyRecord, type Verdict } from "../../sdk/verify";
import express from "express";
import type { ProductStory, StoryStep } from "../../sdk/provenance/story";
import { verifyStep } from "../../sdk/provenance/verify-story";
import { HubChain } from "../../server/chain/hub-chain";
import { openDatabase } from "../../server/db/client";
import { migrate } from "../../server/db/migrate";
import { bodyParsers } from "../../server/http/body";
import { problemHandler } from "../../server/http/problem";
import { RevocationReader } from "../../server/provenance/page/revocations";
import { VerdictCache } from "../../server/provenance/page/verdicts";
import { verifyRoutes } from "../../server/verify/routes";
import { ACME, FAST, deployChain, exportOf, proofOf, publish, seal, type Batch, type Chain, type HubState, type StoredRec } from "../audit/fixture";
import { runCli } from "../cli-process";
import { freshDatabase } from "../integration/harness";
import { rangeLimitedRpc, type RangeLimitedRpc } from "./range-limited-rpc";

const GAP = 100_000;
const LIMIT = 1_000;

describe("bounded log queries: a range-limited endpoint in front of a 100,000-block chain", function () {
  this.timeout(300_000);
  let chain: Chain;
  let state: HubState;
  let rpc: RangeLimitedRpc;
  let early: { batch: Batch; acme: StoredRec; fast: StoredRec; revoked: StoredRec };
  let late: { batch: Batch; acme: StoredRec; oldKey: StoredRec };
  let revokedAtBlock: number;
  /** The in-process network is shared by every test file: its 100,000 blocks (and a day of block time) go away after. */
  let snapshot: unknown;

  before(async () => {
    snapshot = await network.provider.send("evm_snapshot", []);
    chain = await deployChain();
    state = { batches: [], pending: [], access: [] };
    const acme = publish(ACME, chain.keys[ACME]!);
    const fast = publish(FAST, chain.keys[FAST]!);
    const revoked = publish(ACME, chain.keys[ACME]!);
    early = { batch: await seal(chain, state, [acme, fast, revoked]), acme, fast, revoked };
    // ACME's key is rotated before the gap: its early records stay valid, a later one by the old key is not.
    const oldKey = chain.keys[ACME]!;
    const [operator] = await ethers.getSigners();
    const newKey = Wallet.createRandom().connect(chain.provider);
    await (await chain.participants.rotateKey!(orgIdToBytes32(ACME), newKey.address)).wait();
    await (await operator!.sendTransaction({ to: newKey.address, value: ethers.parseEther("1") })).wait();
    await network.provider.send("hardhat_mine", [`0x${GAP.toString(16)}`]);
    const lateAcme = publish(ACME, newKey);
    const byOldKey = publish(ACME, oldKey);
    late = { batch: await seal(chain, state, [lateAcme, byOldKey]), acme: lateAcme, oldKey: byOldKey };
    const registry = new Contract(chain.contracts.anchorRegistry, anchorRegistryAbi, newKey);
    const receipt = await (await registry.getFunction("revoke")(revoked.record.digest, "damaged in transit")).wait();
    revokedAtBlock = receipt!.blockNumber as number;
    await network.provider.send("hardhat_mine", ["0x10"]);
    rpc = await rangeLimitedRpc(LIMIT);
  });

  after(async () => {
    await rpc?.close();
    await network.provider.send("evm_revert", [snapshot]);
  });

  afterEach(() => {
    // The one property every test here keeps: no accepted eth_getLogs wider than the endpoint allows.
    expect(rpc.largestAccepted()).to.be.at.most(LIMIT);
    expect(rpc.asked.every((a) => a.refused || a.to - a.from + 1 <= LIMIT)).to.equal(true);
    rpc.reset();
  });

  const verify = async (rec: StoredRec, proof: AnchorProof, extra: Partial<Parameters<typeof verifyRecord>[0]> = {}) => {
    const t0 = Date.now();
    const verdict = await verifyRecord({ record: rec.record, proof, chain: { rpcUrl: rpc.url }, contracts: chain.contracts, ...extra });
    return { verdict, ms: Date.now() - t0 };
  };
  const withHint = (batch: Batch, rec: StoredRec, blockNumber: number | undefined): AnchorProof => {
    const { blockNumber: _, ...proof } = proofOf(chain, batch, rec.record.digest);
    return blockNumber === undefined ? proof : { ...proof, blockNumber };
  };
  const expectValid = (v: Verdict, blockNumber: number) => {
    expect(v.chainUnavailable, JSON.stringify(v)).to.equal(undefined);
    expect(v.valid, JSON.stringify(v)).to.equal(true);
    expect(v.anchor.blockNumber).to.equal(blockNumber);
  };

  it("the chain is long: the late batch is more than 100,000 blocks after the early one", async () => {
    expect(late.batch.blockNumber! - early.batch.blockNumber!).to.be.greaterThan(GAP);
  });

  for (const [name, hint] of [
    ["the right block hint", (b: Batch) => b.blockNumber],
    ["no block hint", () => undefined],
    ["a wrong block hint (block 1)", () => 1],
    ["a wrong block hint (past the latest block)", () => 10_000_000],
  ] as const) {
    it(`an early and a late record verify standalone with ${name}`, async () => {
      for (const [batch, rec] of [
        [early.batch, early.fast],
        [late.batch, late.acme],
      ] as const) {
        const { verdict, ms } = await verify(rec, withHint(batch, rec, hint(batch)));
        expectValid(verdict, batch.blockNumber!);
        expect(ms).to.be.below(60_000);
      }
      // Bounded work: at most one request per window of the chain, plus the refusals that taught the window.
      const latest = await chain.provider.getBlockNumber();
      expect(rpc.requests()).to.be.below(2 * (Math.ceil(latest / LIMIT) + 20));
    });
  }

  it("the record signed before the rotation by the rotated-out key stays valid; one signed by it after is not", async () => {
    expectValid((await verify(early.acme, proofOf(chain, early.batch, early.acme.record.digest))).verdict, early.batch.blockNumber!);
    const { verdict } = await verify(late.oldKey, proofOf(chain, late.batch, late.oldKey.record.digest));
    expect(verdict.valid).to.equal(false);
    expect(verdict.chainUnavailable).to.equal(undefined);
    expect(verdict.anchor.ok).to.equal(true);
    expect(verdict.membership.ok).to.equal(false);
    expect(verdict.membership.reason).to.match(/not an active key/);
  });

  it("a revocation long after the anchoring is found, with its reason", async () => {
    const { verdict } = await verify(early.revoked, proofOf(chain, early.batch, early.revoked.record.digest));
    expect(verdict.valid).to.equal(false);
    expect(verdict.chainUnavailable).to.equal(undefined);
    expect(verdict.revocation).to.include({ ok: false, revoked: true });
    expect(verdict.revocation.reason).to.include("damaged in transit");
    // The Revoked log was searched near its block (found by its time), not from the anchoring on.
    const revokedReads = rpc.asked.filter((a) => a.from <= revokedAtBlock && revokedAtBlock <= a.to && !a.refused);
    expect(revokedReads.length).to.be.at.least(1);
  });

  it("the provenance page's revocation reader finds the reason through the endpoint", async () => {
    const provider = await openRpc(rpc.url);
    try {
      const reader = new RevocationReader(provider, chain.contracts.anchorRegistry);
      const status = await reader.status(ACME, early.revoked.record.digest);
      expect(status).to.include({ revoked: true, reason: "damaged in transit" });
      expect(await reader.status(FAST, early.fast.record.digest)).to.deep.equal({ revoked: false });
    } finally {
      provider.destroy();
    }
  });

  it("completeness: the anchorer's hash chain is replayed through the endpoint", async () => {
    const { verdict } = await verify(late.acme, proofOf(chain, late.batch, late.acme.record.digest), { completeness: true });
    expect(verdict.completeness, JSON.stringify(verdict.completeness)).to.include({ ok: true });
    expectValid(verdict, late.batch.blockNumber!);
  });

  it("a root never anchored is reported as such after a bounded search", async () => {
    const rec = publish(FAST, chain.keys[FAST]!);
    const unanchored = await seal(chain, state, [rec], { anchor: false });
    state.batches.pop();
    const { verdict, ms } = await verify(rec, { ...proofOf(chain, unanchored, rec.record.digest), blockNumber: 5 });
    expect(verdict.valid).to.equal(false);
    expect(verdict.chainUnavailable).to.equal(undefined);
    expect(verdict.anchor.reason).to.include("not anchored");
    expect(ms).to.be.below(60_000);
  });

  it("a search that cannot finish in the time allowed stops with a clear reason, and stops asking", async () => {
    // One block per request from block 0: far more requests than two seconds allow.
    const { verdict, ms } = await verify(late.acme, proofOf(chain, late.batch, late.acme.record.digest), {
      fromBlock: 0,
      maxBlockRange: 1,
      chainTimeoutMs: 2_000,
    });
    expect(ms).to.be.below(10_000);
    expect(verdict.valid).to.equal(false);
    expect(verdict.chainUnavailable?.reason).to.match(/out of time|did not answer within/);
    const asked = rpc.requests();
    await new Promise((r) => setTimeout(r, 500));
    expect(rpc.requests() - asked).to.be.at.most(1); // at most one request was already in flight
  });

  it("the audit through the endpoint finds what it finds with an unlimited one", async () => {
    const lines = exportOf(chain, state);
    const provider = await openRpc(rpc.url);
    try {
      const bounded = await auditExport(lines, { provider, contracts: chain.contracts, workers: 0 });
      const direct = await auditExport(lines, { provider: chain.provider, contracts: chain.contracts, workers: 0 });
      expect(bounded.summary.counts).to.deep.equal(direct.summary.counts);
      expect(bounded.findings.map((f) => f.code)).to.deep.equal(direct.findings.map((f) => f.code));
      expect(bounded.summary.chain.fromBlock).to.be.at.most(early.batch.blockNumber!);
      expect(bounded.summary.counts.records).to.equal(5);
    } finally {
      provider.destroy();
    }
  });

  it("`cargoproof verify` with no hub at all passes through the endpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cargoproof-bounded-"));
    try {
      const file = join(dir, "bundle.json");
      writeFileSync(file, JSON.stringify({ record: late.acme.record, proof: proofOf(chain, late.batch, late.acme.record.digest) }));
      const run = await runCli([
        "verify",
        file,
        "--rpc",
        rpc.url,
        "--participant-registry",
        chain.contracts.participantRegistry,
        "--anchor-registry",
        chain.contracts.anchorRegistry,
        "--hub",
        "http://127.0.0.1:9",
      ]);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^VALID$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("getLogsPaged against refusals", function () {
  this.timeout(60_000);

  it("knows providers' refusals from other failures", () => {
    const rpcError = (code: number, message: string) =>
      Object.assign(new Error("could not coalesce error"), { code: "UNKNOWN_ERROR", error: { code, message } });
    expect(isRangeRefusal(rpcError(-32005, "query returned more than 10000 results"))).to.equal(true);
    expect(isRangeRefusal(rpcError(-32602, "eth_getLogs block range too large"))).to.equal(true);
    expect(isRangeRefusal(rpcError(-32000, "Log response size exceeded"))).to.equal(true);
    expect(isRangeRefusal(rpcError(-32600, "limit exceeded"))).to.equal(true);
    expect(
      isRangeRefusal(
        Object.assign(new Error("server response 413 Payload Too Large"), { code: "SERVER_ERROR", info: { responseStatus: "413 Payload Too Large" } }),
      ),
    ).to.equal(true);
    expect(isRangeRefusal(Object.assign(new Error("request timeout"), { code: "TIMEOUT" }))).to.equal(true);
    expect(isRangeRefusal(rpcError(-32000, "header not found"))).to.equal(false);
    expect(isRangeRefusal(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }))).to.equal(false);
  });

  it("a failure that is no refusal is not split into more requests", async () => {
    let calls = 0;
    const provider = {
      getLogs: async () => {
        calls++;
        throw Object.assign(new Error("header not found"), { code: "UNKNOWN_ERROR" });
      },
    } as unknown as Provider;
    let thrown: unknown;
    await getLogsPaged(provider, { address: "0x" + "11".repeat(20), topics: [], fromBlock: 0, toBlock: 999 }).catch((e: unknown) => (thrown = e));
    expect((thrown as Error).message).to.include("header not found");
    expect(calls).to.equal(1);
  });

  it("an endpoint that refuses even one block, or a request budget, ends the read with a LogScanError", async () => {
    // A fresh connection for each read: a connection keeps the window it learned.
    const refusing = () =>
      ({ getLogs: async () => Promise.reject(Object.assign(new Error("block range too large"), { code: -32005 })) }) as unknown as Provider;
    const err = await getLogsPaged(refusing(), { address: "0x" + "11".repeat(20), topics: [], fromBlock: 0, toBlock: 7 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LogScanError);
    expect((err as Error).message).to.include("even for block 0");
    const budget = await getLogsPaged(refusing(), { address: "0x" + "11".repeat(20), topics: [], fromBlock: 0, toBlock: 7, maxRequests: 3 }).catch(
      (e: unknown) => e,
    );
    expect(budget).to.be.instanceOf(LogScanError);
    expect((budget as Error).message).to.include("stopped after 3");
  });

  it("a log a reorg removed (removed: true) is not counted", async () => {
    const log = (blockNumber: number, removed: boolean) => ({ blockNumber, index: 0, removed, transactionHash: `0x${String(blockNumber).padStart(64, "0")}` });
    const provider = { getLogs: async () => [log(7, true), log(5, false)] } as unknown as Provider;
    const { logs } = await getLogsPaged(provider, { address: "0x" + "11".repeat(20), topics: [], fromBlock: 0, toBlock: 9 });
    expect(logs.map((l) => l.blockNumber)).to.deep.equal([5]);
  });

  it("a refused window is halved and the smaller window kept for the rest of the read", async () => {
    const asked: number[] = [];
    const provider = {
      getLogs: async (f: { fromBlock: number; toBlock: number }) => {
        asked.push(f.toBlock - f.fromBlock + 1);
        if (f.toBlock - f.fromBlock + 1 > 300) throw Object.assign(new Error("x"), { error: { code: -32005, message: "query exceeds max block range 300" } });
        return [];
      },
    } as unknown as Provider;
    const { calls } = await getLogsPaged(provider, { address: "0x" + "11".repeat(20), topics: [], fromBlock: 0, toBlock: 9_999 });
    // 1000 refused, 500 refused, then 250-block windows: 2 refusals, not 2 per page.
    expect(asked.filter((n) => n > 300)).to.have.length(2);
    expect(calls).to.equal(2 + 40);
  });
});

// The registries deployed long after block 0, as on any public chain: the hub's verification, its
// page's verdicts and revocation reasons, and a browser's check of a step search from the deployment
// block the hub is configured with (CONTRACTS_FROM_BLOCK), never from block 0.
describe("bounded log queries: registries deployed after 100,000 blocks", function () {
  this.timeout(300_000);
  let chain: Chain;
  let batch: Batch;
  let valid: StoredRec;
  let revoked: StoredRec;
  let rpc: RangeLimitedRpc;
  let snapshot: unknown;

  before(async () => {
    snapshot = await network.provider.send("evm_snapshot", []);
    await network.provider.send("hardhat_mine", [`0x${GAP.toString(16)}`]);
    chain = await deployChain();
    const state: HubState = { batches: [], pending: [], access: [] };
    valid = publish(ACME, chain.keys[ACME]!);
    revoked = publish(ACME, chain.keys[ACME]!);
    batch = await seal(chain, state, [valid, revoked]);
    const registry = new Contract(chain.contracts.anchorRegistry, anchorRegistryAbi, chain.keys[ACME]!);
    await (await registry.getFunction("revoke")(revoked.record.digest, "label misprinted")).wait();
    await network.provider.send("hardhat_mine", ["0x10"]);
    rpc = await rangeLimitedRpc(LIMIT);
  });

  after(async () => {
    await rpc?.close();
    await network.provider.send("evm_revert", [snapshot]);
  });

  /** Every log read started at or after the deployment, and there were few of them. */
  const expectFromDeployment = () => {
    expect(chain.deployedAtBlock).to.be.greaterThan(GAP);
    expect(rpc.asked.length).to.be.greaterThan(0);
    expect(rpc.asked.map((a) => a.from).filter((from) => from < chain.deployedAtBlock)).to.deep.equal([]);
    expect(rpc.requests()).to.be.at.most(10);
    rpc.reset();
  };

  it("POST /v1/verify searches from the configured deployment block", async () => {
    const hubChain = new HubChain({
      rpcUrl: rpc.url,
      operatorKey: Wallet.createRandom().privateKey,
      anchorerKey: Wallet.createRandom().privateKey,
      ...chain.contracts,
      fromBlock: chain.deployedAtBlock,
    });
    // The route's rate limit counts in the hub's database.
    const fresh = await freshDatabase();
    await migrate(fresh.url);
    const database = await openDatabase(fresh.url);
    const app = express();
    app.use(bodyParsers());
    app.use(verifyRoutes(database.db, hubChain, { perMinute: 100, chainTimeoutMs: 30_000 }));
    app.use(problemHandler);
    const server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/verify`;
      const post = async (rec: StoredRec) => {
        const { blockNumber: _, ...proof } = proofOf(chain, batch, rec.record.digest);
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ record: rec.record, proof }) });
        expect(res.status).to.equal(200);
        return (await res.json()) as Verdict;
      };
      const ok = await post(valid);
      expect(ok.valid, JSON.stringify(ok)).to.equal(true);
      const no = await post(revoked);
      expect(no.revocation).to.include({ revoked: true });
      expect(no.revocation.reason).to.include("label misprinted");
      expectFromDeployment();
    } finally {
      server.close();
      hubChain.destroy();
      await database.close();
      await fresh.drop();
    }
  });

  it("the page's verdicts and revocation reasons, and a browser's check of a step, search from the deployment block", async () => {
    const provider = await openRpc(rpc.url);
    try {
      const verdicts = new VerdictCache(provider, chain.contracts, chain.deployedAtBlock);
      const { blockNumber: _, ...proof } = proofOf(chain, batch, valid.record.digest);
      const { verdict } = await verdicts.verdict(valid.record, valid.record.digest, proof, { revoked: false });
      expect(verdict.status, JSON.stringify(verdict)).to.equal("verified");
      const reader = new RevocationReader(provider, chain.contracts.anchorRegistry, { fromBlock: chain.deployedAtBlock });
      expect(await reader.status(ACME, revoked.record.digest)).to.include({ revoked: true, reason: "label misprinted" });
      expectFromDeployment();

      // The browser's check: the story names the deployment block beside the registries.
      // (A revoked step: its reason comes from the Revoked log, so the search shows.)
      const stepOf = (rec: StoredRec) => {
        const { blockNumber: _, ...proof } = proofOf(chain, batch, rec.record.digest);
        return {
          recordId: rec.record.id,
          type: "Shipment",
          record: rec.record,
          proof,
          attestedBy: { orgId: ACME, name: ACME, kind: "brand" },
        } as unknown as StoryStep;
      };
      const steps = [stepOf(valid), stepOf(revoked)];
      const story = {
        chain: { chainId: chain.chainId, ...chain.contracts, fromBlock: chain.deployedAtBlock, rpcUrl: rpc.url },
        product: { brandOwner: { orgId: ACME, name: ACME, kind: "brand" }, partners: [] },
        steps,
      } as unknown as ProductStory;
      // Its own connection, as a browser has (one provider reuses an identical request's answer for a while).
      const browser = await openRpc(rpc.url);
      let check: Awaited<ReturnType<typeof verifyStep>>;
      try {
        expect((await verifyStep(steps[0]!, story, browser)).status).to.equal("verified");
        check = await verifyStep(steps[1]!, story, browser);
      } finally {
        browser.destroy();
      }
      expect(check.status, JSON.stringify(check)).to.equal("revoked");
      expect(JSON.stringify(check)).to.include("label misprinted");
      expectFromDeployment();
    } finally {
      provider.destroy();
    }
  });
});
