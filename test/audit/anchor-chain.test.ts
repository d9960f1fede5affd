// checkAnchorChain (sdk/anchor-history.ts) against real contracts: the in-process hardhat network,
// reached over real JSON-RPC (a loopback endpoint) where the log paging is counted on the wire.
import type { Server } from "node:http";
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { JsonRpcProvider, Network, hexlify, randomBytes, type EventLog } from "ethers";
import { checkAnchorChain, genesisHead, nextHead, AnchorChainCheckSchema, type AnchorChainCheck } from "../../sdk/anchor-history";
import { DEFAULT_MAX_BLOCK_RANGE } from "../../sdk/chain-logs";
import { rpcServer } from "../rpc-bridge";
import { deployChain, revert, snapshot, withholdingLogs, type Chain, type Registry } from "./fixture";

/** A real JSON-RPC provider that records the block range of every eth_getLogs request it sends, and can refuse ranges as public endpoints do. */
class CountingProvider extends JsonRpcProvider {
  readonly ranges: { from: number; to: number }[] = [];
  refused = 0;
  constructor(
    url: string,
    chainId: number,
    private readonly refuseAbove = Infinity,
  ) {
    const net = Network.from(chainId);
    super(url, net, { staticNetwork: net, batchMaxCount: 1 });
  }
  override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    if (method === "eth_getLogs") {
      const f = (params as { fromBlock: string; toBlock: string }[])[0];
      const range = { from: Number(f.fromBlock), to: Number(f.toBlock) };
      this.ranges.push(range);
      if (range.to - range.from + 1 > this.refuseAbove) {
        this.refused++;
        throw new Error(`query exceeds max block range ${this.refuseAbove}`);
      }
    }
    return super.send(method, params as unknown[]);
  }
}

const anchorRoot = async (c: Chain) => (await (await c.hubAnchors.anchor(hexlify(randomBytes(32)), 5)).wait())!;
const codes = (r: AnchorChainCheck) => r.findings.map((f) => f.code);

describe("checkAnchorChain (hardhat network)", function () {
  this.timeout(120_000);
  let chain: Chain;
  let base: string;
  let rpc: { url: string; server: Server };

  before(async () => {
    chain = await deployChain();
    for (let i = 0; i < 3; i++) await anchorRoot(chain);
    rpc = await rpcServer();
    base = await snapshot();
  });

  afterEach(async () => {
    await revert(base);
    base = await snapshot();
  });

  after(() => rpc?.server.close());

  const check = (opts: Parameters<typeof checkAnchorChain>[2] = {}, provider = chain.provider) =>
    checkAnchorChain(provider, chain.contracts.anchorRegistry, opts);

  it("a genuine history replays to the contract's head, from genesis", async () => {
    const r = await check();
    expect(AnchorChainCheckSchema.safeParse(r).success).to.equal(true);
    expect(r.ok, JSON.stringify(r.findings)).to.equal(true);
    expect(r.findings).to.deep.equal([]);
    expect(r.warnings).to.deep.equal([]);
    expect(r.anchorers).to.have.length(1);
    const [hub] = r.anchorers;
    expect(hub).to.include({ anchorer: chain.anchorer, anchorings: 3, resets: 0, fromAdmission: true });
    expect(hub.replayedHead).to.equal(hub.contractHead);
    // The replay is the contract's rule: genesis, then one step per anchoring.
    const logs = await chain.anchors.queryFilter(chain.anchors.filters.Anchored!(), 0, "latest");
    let head = genesisHead(chain.contracts.anchorRegistry, chain.anchorer);
    for (const l of logs as EventLog[]) head = nextHead(head, l.args.root as string, l.args.leafCount as bigint);
    expect(head).to.equal(hub.contractHead);
  });

  it("anchorer-reset: removed, re-admitted, anchoring again", async () => {
    await (await chain.anchors.setAnchorer(chain.anchorer, false)).wait();
    await (await chain.anchors.setAnchorer(chain.anchorer, true)).wait();
    await anchorRoot(chain);
    const r = await check();
    expect(codes(r)).to.deep.equal(["anchorer-reset"]);
    expect(r.ok).to.equal(false);
    expect(r.anchorers[0]).to.include({ resets: 1, anchorings: 4 });
  });

  it("re-allowing an anchorer that is one keeps its chain: no finding", async () => {
    await (await chain.anchors.setAnchorer(chain.anchorer, true)).wait();
    await anchorRoot(chain);
    expect((await check()).findings).to.deep.equal([]);
  });

  it("anchor-chain-broken: a log withheld in the middle; anchor-chain-head-mismatch: the last one withheld", async () => {
    const logs = await chain.anchors.queryFilter(chain.anchors.filters.Anchored!(), 0, "latest");
    const middle = await check({}, withholdingLogs(chain.provider, logs[1].transactionHash));
    expect(codes(middle)).to.deep.equal(["anchor-chain-broken"]); // one finding: the replay resumes after it
    expect(middle.findings[0]).to.include({ anchorer: chain.anchorer, root: (logs[2] as EventLog).args.root as string });
    const last = await check({}, withholdingLogs(chain.provider, logs[2].transactionHash));
    expect(codes(last)).to.deep.equal(["anchor-chain-head-mismatch"]);
    // The admission withheld: with the range from the deployment on, that is a broken chain too.
    const admission = (await chain.anchors.queryFilter(chain.anchors.filters.AnchorerChanged!(), 0, "latest"))[0];
    expect(codes(await check({}, withholdingLogs(chain.provider, admission.transactionHash)))).to.deep.equal(["anchor-chain-broken"]);
  });

  it("a range starting after the admission is replayed from its first event, with a warning, not a finding", async () => {
    const logs = await chain.anchors.queryFilter(chain.anchors.filters.Anchored!(), 0, "latest");
    const r = await check({ fromBlock: logs[1].blockNumber });
    expect(r.findings).to.deep.equal([]);
    expect(r.warnings).to.have.length(1);
    expect(r.warnings[0]).to.include("not checked");
    expect(r.anchorers[0]).to.include({ fromAdmission: false, anchorings: 2 });
  });

  it("anchorer: only that anchorer's chain", async () => {
    const [, , other] = await ethers.getSigners();
    await (await chain.anchors.setAnchorer(other.address, true)).wait();
    await (await chain.anchors.setAnchorer(other.address, false)).wait();
    await (await chain.anchors.setAnchorer(other.address, true)).wait();
    await (await (chain.anchors.connect(other) as Registry).anchor(hexlify(randomBytes(32)), 1)).wait();
    expect(codes(await check())).to.deep.equal(["anchorer-reset"]);
    const hubOnly = await check({ anchorer: chain.anchorer });
    expect(hubOnly.ok).to.equal(true);
    expect(hubOnly.anchorers.map((a) => a.anchorer)).to.deep.equal([chain.anchorer]);
    expect((await check({ anchorer: other.address })).findings.map((f) => f.anchorer)).to.deep.equal([other.address]);
  });

  it("pages eth_getLogs: no request spans more than maxBlockRange blocks, and the pages cover the range", async () => {
    await network.provider.send("hardhat_mine", ["0x40"]); // more blocks than the range, between anchorings
    await anchorRoot(chain);
    const toBlock = await chain.provider.getBlockNumber();
    const provider = new CountingProvider(rpc.url, chain.chainId);
    try {
      const r = await check({ fromBlock: chain.deployedAtBlock, maxBlockRange: 7 }, provider);
      expect(r.ok).to.equal(true);
      expect(r.anchorers[0].anchorings).to.equal(4);
      expect(provider.ranges.length).to.equal(Math.ceil((toBlock - chain.deployedAtBlock + 1) / 7));
      expect(r.logCalls).to.equal(provider.ranges.length);
      for (const { from, to } of provider.ranges) expect(to - from + 1).to.be.within(1, 7);
      provider.ranges.forEach((p, i) => expect(p.from).to.equal(i === 0 ? chain.deployedAtBlock : provider.ranges[i - 1].to + 1));
      expect(provider.ranges[provider.ranges.length - 1].to).to.equal(toBlock);
    } finally {
      provider.destroy();
    }
  });

  it("an endpoint refusing the range: pages are split, never widened", async () => {
    const provider = new CountingProvider(rpc.url, chain.chainId, 3);
    try {
      const r = await check({ maxBlockRange: 10 }, provider);
      expect(r.ok).to.equal(true);
      expect(r.anchorers[0].anchorings).to.equal(3);
      expect(provider.refused).to.be.greaterThan(0);
      for (const { from, to } of provider.ranges) expect(to - from + 1).to.be.at.most(10);
      expect(DEFAULT_MAX_BLOCK_RANGE).to.equal(1000);
    } finally {
      provider.destroy();
    }
  });

  it("bad options are errors, not findings", async () => {
    for (const opts of [{ maxBlockRange: 0 }, { fromBlock: -1 }, { fromBlock: 5, toBlock: 2 }])
      await check(opts).then(
        () => expect.fail(`accepted ${JSON.stringify(opts)}`),
        (err: Error) => expect(err.message).to.match(/must be/),
      );
    const err = await checkAnchorChain(chain.provider, hexlify(randomBytes(20))).catch((e: Error) => e);
    expect((err as Error).message).to.match(/no contract at anchor registry/);
  });
});
