// POST /v1/verify (and the SDK's verifyRecord, and `cargoproof verify`) with the chain down: a real
// local chain (journal + proxy + hardhat node), a real hub process, a real database, real HTTP.
// The chain killed, or its node paused with SIGSTOP (it accepts connections and never answers):
// a 503 `chain-unavailable` with Retry-After within the bound, never 200 `valid: false`; the chain
// back: 200 valid. A record that is invalid by itself stays invalid with the chain down.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { startLocalChain, type LocalChain } from "../../scripts/local-chain";
import { deployContracts, type Deployment } from "../../scripts/contracts";
import type { AnchorProof, SignedRecord } from "../../sdk/envelope";
import { verifyRecord, type Verdict } from "../../sdk/verify";
import { runCli } from "../cli-process";
import { shipment } from "../fixtures";
import { ANCHORER_KEY, OPERATOR_KEY, admit, freshDatabase, hubEnv, isPostgres, startHubProcess, type HubProcess, type TestChain } from "./harness";

const BOUND_MS = 2000;
// The bound plus room for a loaded CI machine; far below the 30 s a paused chain used to take.
const ANSWER_WITHIN_MS = BOUND_MS + 2500;

describe(`verification with the chain down (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  const dataDir = mkdtempSync(join(tmpdir(), "cargoproof-verify-down-"));
  let port = 0;
  let localChain: LocalChain | undefined;
  let nodePid: number | undefined;
  let provider: JsonRpcProvider;
  let deployment: Deployment;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let bundle: { record: SignedRecord; proof: AnchorProof };
  let paused = false;

  async function startChain(): Promise<void> {
    localChain = await startLocalChain({
      dataDir,
      port,
      log: (line) => {
        const pid = /hardhat node \(pid (\d+)\)/.exec(line)?.[1];
        if (pid) nodePid = Number(pid);
      },
    });
    port = Number(new URL(localChain.rpcUrl).port);
    expect(nodePid, "the hardhat node's pid (from the local chain's log)").to.be.a("number");
  }

  async function postVerify(body: unknown): Promise<{ status: number; ms: number; json: Record<string, unknown>; headers: Headers }> {
    const started = Date.now();
    const res = await fetch(`${hub.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    return { status: res.status, ms: Date.now() - started, json, headers: res.headers };
  }

  function expectChainUnavailable(r: Awaited<ReturnType<typeof postVerify>>): void {
    expect(r.status, JSON.stringify(r.json)).to.equal(503);
    expect(r.headers.get("content-type")).to.match(/^application\/problem\+json/);
    expect(String(r.json.type)).to.match(/chain-unavailable$/);
    expect(Number(r.headers.get("retry-after"))).to.be.greaterThan(0);
    expect(r.ms).to.be.below(ANSWER_WITHIN_MS);
    expect(JSON.stringify(r.json)).to.not.include("127.0.0.1"); // the hub's RPC address stays private
  }

  async function until200Valid(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await postVerify(bundle);
      if (r.status === 200) {
        expect((r.json as Verdict).valid, JSON.stringify(r.json)).to.equal(true);
        return;
      }
      expect(r.status).to.equal(503);
      if (Date.now() > deadline) throw new Error("the chain came back, verification did not");
      await new Promise((res) => setTimeout(res, 300));
    }
  }

  before(async function () {
    await startChain(); // on a free port; the restarts keep it (the hub's RPC_URL names it)
    provider = new JsonRpcProvider(localChain!.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    deployment = await deployContracts(new Wallet(OPERATOR_KEY, provider), [new Wallet(ANCHORER_KEY).address]);
    database = await freshDatabase();
    const chain: TestChain = { rpcUrl: localChain!.rpcUrl, provider, deployment, operator: new Wallet(OPERATOR_KEY, provider), stop: async () => undefined };
    hub = await startHubProcess(hubEnv(chain, database.url, { VERIFY_CHAIN_TIMEOUT_MS: String(BOUND_MS) }));
    const forwarder = await admit(hub.url, "fwd-verify-down", ["FORWARDER"]);
    const { record } = await forwarder.client.publish("Shipment", shipment());
    bundle = { record, proof: await forwarder.client.waitForProof(record.id, record.version) };
  });

  after(async function () {
    if (paused && nodePid) process.kill(nodePid, "SIGCONT");
    await hub?.stop();
    provider?.destroy();
    await localChain?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("the chain up: 200 valid", async function () {
    const r = await postVerify(bundle);
    expect(r.status).to.equal(200);
    expect((r.json as Verdict).valid).to.equal(true);
  });

  it("the chain's node paused (SIGSTOP): 503 chain-unavailable within the bound; continued: 200 valid", async function () {
    process.kill(nodePid!, "SIGSTOP");
    paused = true;
    try {
      expectChainUnavailable(await postVerify(bundle));
      // The SDK itself: unknown, not invalid, within its bound.
      const started = Date.now();
      const verdict = await verifyRecord({ ...bundle, chain: { rpcUrl: localChain!.rpcUrl }, contracts: deployment, chainTimeoutMs: BOUND_MS });
      expect(Date.now() - started).to.be.below(ANSWER_WITHIN_MS);
      expect(verdict.valid).to.equal(false);
      expect(verdict.chainUnavailable?.reason).to.match(/did not answer within|timeout/);
    } finally {
      process.kill(nodePid!, "SIGCONT");
      paused = false;
    }
    await until200Valid();
  });

  it("the chain killed: 503 chain-unavailable at once; SDK and CLI say unknown, not INVALID; a tampered record is still invalid; restarted: 200 valid", async function () {
    const rpcUrl = localChain!.rpcUrl;
    provider.destroy();
    await localChain!.stop();
    localChain = undefined;

    expectChainUnavailable(await postVerify(bundle));

    const verdict = await verifyRecord({ ...bundle, chain: { rpcUrl }, contracts: deployment, chainTimeoutMs: BOUND_MS });
    expect(verdict.valid).to.equal(false);
    expect(verdict.chainUnavailable?.reason).to.match(/ECONNREFUSED|cannot reach the chain/);

    // Invalid by itself (content changed after signing): "invalid", chain or no chain.
    const tampered = { ...bundle, record: { ...bundle.record, body: { ...bundle.record.body, pieceCount: 999 } } };
    const bad = await postVerify(tampered);
    expect(bad.status).to.equal(200);
    expect((bad.json as Verdict).valid).to.equal(false);
    expect((bad.json as Verdict).chainUnavailable).to.equal(undefined);
    expect((bad.json as Verdict).digest.ok).to.equal(false);

    const file = join(dataDir, "bundle.json");
    writeFileSync(file, JSON.stringify(bundle));
    const cli = await runCli([
      "verify",
      file,
      "--rpc",
      rpcUrl,
      "--participant-registry",
      deployment.participantRegistry,
      "--anchor-registry",
      deployment.anchorRegistry,
    ]);
    expect(cli.stdout).to.include("UNKNOWN: the chain could not be read");
    expect(cli.stdout).to.not.match(/^INVALID/m);
    expect(cli.code).to.equal(2);

    await startChain();
    provider = new JsonRpcProvider(localChain!.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    await until200Valid();
  });
});
