// docs/deploy.md, run as written: every `sh` block of the guide, in order, in a site folder of its
// own, against Anvil playing a consortium network (chain id 7001, paris, a block a second) and a
// throw-away PostgreSQL (run by `npm run test:deploy-guide`, which starts it). After each step the
// test checks what the guide says the step does; only the site settings are the test's own values.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, parseEther } from "ethers";
import { anchorRegistryAbi } from "../../sdk/chain-abi";
import { HubClient } from "../../sdk/client";
import type { AnchorProof, SignedRecord } from "../../sdk/envelope";
import { randomOrgKey } from "../../sdk/keys";
import { verifyRecord } from "../../sdk/verify";
import { DeploymentSchema, type Deployment } from "../../scripts/contracts";
import { devAccountKey } from "../../server/chain/dev-keys";
import { OPERATOR_ORG_ID } from "../../server/orgs/service";
import { startAnvil, type AnvilNode } from "../anvil-node";
import { startLoadBalancer, type LoadBalancer } from "../load-balancer";
import { shipment } from "../fixtures";
import { credentialsFor, freePort, freshDatabase, sql, waitFor } from "../integration/harness";

const ROOT = resolve(__dirname, "..", "..");
const GUIDE = join(ROOT, "docs", "deploy.md");
const CHAIN_ID = 7001;
const CONFIRMATIONS = 2;

/** The guide's shell blocks, each named by its first line (`# step: NAME`). */
function guideSteps(): Map<string, string> {
  const steps = new Map<string, string>();
  for (const m of readFileSync(GUIDE, "utf8").matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const name = /^# step: ([a-z-]+)\n/.exec(m[1]!)?.[1];
    if (!name) throw new Error(`a sh block of docs/deploy.md does not start with "# step: NAME":\n${m[1]}`);
    if (steps.has(name)) throw new Error(`docs/deploy.md has two steps named ${name}`);
    steps.set(name, m[1]!);
  }
  return steps;
}

/** The bin folder of the newest PostgreSQL server installed: its pg_dump matches the server's version. */
function pgServerBin(): string {
  const base = "/usr/lib/postgresql";
  const version = readdirSync(base).sort((a, b) => Number(b) - Number(a))[0]!;
  return join(base, version, "bin");
}

describe("docs/deploy.md, every command as written", function () {
  this.timeout(900_000);
  const steps = guideSteps();
  let site: string;
  let chain: AnvilNode;
  let provider: JsonRpcProvider;
  let funder: Wallet;
  let main: { url: string; drop(): Promise<void> };
  let restore: { url: string; drop(): Promise<void> };
  let ports: number[];
  /** The load balancer users reach the hub through (PUBLIC_URL): round robin over both instances. */
  let balancer: LoadBalancer;
  let deployment: Deployment;
  /** Process groups of the steps that leave hubs running (killed after, whatever happened). */
  const groups: number[] = [];
  const published: { record: SignedRecord; proof?: AnchorProof }[] = [];

  const run = async (name: string): Promise<string> => {
    const script = steps.get(name);
    if (!script) throw new Error(`docs/deploy.md has no step ${name}`);
    // bash -e: a failing command fails the step, as a careful operator would stop there.
    const child = spawn("bash", ["-e", "-o", "pipefail", "-c", script], {
      cwd: site,
      detached: true,
      env: { PATH: `${pgServerBin()}:${process.env.PATH ?? ""}`, HOME: process.env.HOME ?? site, LANG: "C.UTF-8" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    groups.push(child.pid!);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", done));
    if (code !== 0) {
      // The hubs' own logs say why they did not answer.
      const logs = readdirSync(site)
        .filter((f) => /^hub-\d+\.log$/.test(f))
        .map((f) => `--- ${f}\n${siteFile(f).slice(-3000)}`);
      expect.fail(`step ${name} failed (exit ${code}):\n${out}\n${logs.join("\n")}`);
    }
    return out;
  };
  const siteFile = (name: string) => readFileSync(join(site, name), "utf8");
  const keyIn = (name: string) => new Wallet(siteFile(name).trim());
  const fund = async (address: string) => (await funder.sendTransaction({ to: address, value: parseEther("10") })).wait();
  const hubUrl = (i: number) => `http://127.0.0.1:${ports[i]}`;
  const hubEnvValue = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(siteFile("hub.env"))?.[1];
  const isAlive = (pid: number) => spawnSync("kill", ["-0", String(pid)]).status === 0;
  const hubPids = () => ports.map((p) => Number(siteFile(`hub-${p}.pid`).trim()));

  before(async () => {
    if (!process.env.CARGOPROOF_TEST_PG) throw new Error("this suite needs PostgreSQL: run it with `npm run test:deploy-guide`");
    site = mkdtempSync(join(tmpdir(), "cargoproof-site-"));
    chain = await startAnvil({ chainId: CHAIN_ID, hardfork: "paris", blockTimeS: 1 });
    provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
    funder = new Wallet(devAccountKey(0), provider);
    main = await freshDatabase();
    restore = await freshDatabase();
    ports = [await freePort(), await freePort()];
    balancer = await startLoadBalancer(ports.map((p) => `http://127.0.0.1:${p}`));
  });

  after(async () => {
    for (const g of groups) {
      try {
        process.kill(-g, "SIGKILL");
      } catch {
        // the group is gone already
      }
    }
    await balancer?.close();
    provider?.destroy();
    await chain?.stop();
    await main?.drop();
    await restore?.drop();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  it("names its steps, in this order", () => {
    expect([...steps.keys()]).to.deep.equal([
      "site",
      "keys",
      "deploy",
      "hub-env",
      "start",
      "ready",
      "metrics",
      "backup",
      "restore-drill",
      "rotate-anchorer-new-key",
      "rotate-anchorer-switch",
      "rotate-anchorer-retire",
      "stop",
    ]);
  });

  it("site: the test's settings have exactly the names of the guide's", () => {
    const names = [...steps.get("site")!.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
    const ours: Record<string, string> = {
      CARGOPROOF: ROOT,
      RPC_URL: chain.rpcUrl,
      DATABASE_URL: main.url,
      RESTORE_DATABASE_URL: restore.url,
      PUBLIC_URL: balancer.url,
      HOST: "127.0.0.1",
      HUB_PORTS: `"${ports.join(" ")}"`,
      ANCHOR_CONFIRMATIONS: String(CONFIRMATIONS),
    };
    expect(names).to.deep.equal(Object.keys(ours));
    writeFileSync(
      join(site, "site.env"),
      Object.entries(ours)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
      { mode: 0o600 },
    );
  });

  it("keys: two new keys, files only their owner can read; the test funds them as the guide asks", async () => {
    const out = await run("keys");
    const operator = keyIn("operator.key");
    const anchorer = keyIn("anchorer.key");
    expect(out).to.include(operator.address).and.to.include(anchorer.address);
    expect(operator.address).to.not.equal(anchorer.address);
    for (const f of ["operator.key", "anchorer.key"]) expect(statSync(join(site, f)).mode & 0o777).to.equal(0o600);
    await fund(operator.address);
    await fund(anchorer.address);
  });

  it("deploy: the registries on chain, their addresses and deployment block recorded", async () => {
    await run("deploy");
    deployment = DeploymentSchema.parse(JSON.parse(siteFile("deployment.json")));
    expect(deployment.chainId).to.equal(CHAIN_ID);
    expect(deployment.deployer).to.equal(keyIn("operator.key").address);
    expect(deployment.anchorers).to.deep.equal([keyIn("anchorer.key").address]);
    for (const a of [deployment.participantRegistry, deployment.anchorRegistry, deployment.credentialRegistry])
      expect(await provider.getCode(a)).to.not.equal("0x");
    // The chain ran before the deployment (a block a second), so the deployment block is not 0.
    expect(deployment.deployedAtBlock).to.be.greaterThan(0);
    expect(await provider.getCode(deployment.participantRegistry, deployment.deployedAtBlock - 1)).to.equal("0x");
  });

  it("hub-env: the registries, the deployment block, both keys and four distinct secrets, for the owner only", async () => {
    await run("hub-env");
    expect(hubEnvValue("PARTICIPANT_REGISTRY")).to.equal(deployment.participantRegistry);
    expect(hubEnvValue("ANCHOR_REGISTRY")).to.equal(deployment.anchorRegistry);
    expect(hubEnvValue("CREDENTIAL_REGISTRY")).to.equal(deployment.credentialRegistry);
    expect(hubEnvValue("CONTRACTS_FROM_BLOCK")).to.equal(String(deployment.deployedAtBlock));
    expect(hubEnvValue("OPERATOR_PRIVATE_KEY")).to.equal(siteFile("operator.key").trim());
    expect(hubEnvValue("ANCHORER_PRIVATE_KEY")).to.equal(siteFile("anchorer.key").trim());
    const secrets = ["TOKEN_SECRET", "CUSTOMS_MATCH_KEY", "METRICS_TOKEN", "SCAN_PLACE_KEY"].map(hubEnvValue);
    for (const s of secrets) expect(s).to.match(/^[0-9a-f]{64}$/);
    expect(new Set(secrets).size).to.equal(4);
    expect(statSync(join(site, "hub.env")).mode & 0o777).to.equal(0o600);
  });

  /** Both instances started by the guide's `start` and `ready` steps answer, on the deployment. */
  const startHubs = async () => {
    await run("start");
    const out = await run("ready");
    expect(out.match(/"status":"ok"/g)?.length).to.equal(2);
    for (let i = 0; i < 2; i++) {
      const info = (await (await fetch(`${hubUrl(i)}/v1/chain`)).json()) as Record<string, unknown>;
      expect(info).to.include({ chainId: CHAIN_ID, anchorRegistry: deployment.anchorRegistry, fromBlock: deployment.deployedAtBlock });
    }
  };

  const memberKey = randomOrgKey();
  const member = () => new HubClient({ baseUrl: balancer.url, orgId: "acme-forwarding", privateKey: memberKey.privateKey });
  /** Publishes `n` records through the load balancer and waits for each proof at the configured depth. */
  const publishAndAnchor = async (n: number) => {
    const client = member();
    const mine: SignedRecord[] = [];
    for (let i = 0; i < n; i++) mine.push((await client.publish("Shipment", shipment())).record);
    for (const record of mine) {
      const proof = await client.waitForProof(record.id, record.version, 120_000);
      expect(proof.confirmations).to.be.at.least(CONFIRMATIONS);
      published.push({ record, proof });
    }
    return mine;
  };

  it("start, ready: two instances on one PostgreSQL behind a load balancer; records published through it are anchored at the configured depth, each instance serving some of the requests", async () => {
    await startHubs();
    const operator = new HubClient({ baseUrl: balancer.url, orgId: OPERATOR_ORG_ID, privateKey: siteFile("operator.key").trim() });
    await operator.admitOrganization({
      id: "acme-forwarding",
      name: "Acme Forwarding",
      roles: ["FORWARDER"],
      publicKey: memberKey.publicKey,
      credentials: credentialsFor("acme-forwarding", ["FORWARDER"]),
    });
    for (const b of balancer.served.keys()) balancer.served.set(b, 0);
    await publishAndAnchor(3);
    for (const n of balancer.served.values()) expect(n).to.be.greaterThan(0);
    for (const { record, proof } of published) {
      const verdict = await verifyRecord({
        record,
        proof: proof!,
        chain: { rpcUrl: chain.rpcUrl },
        contracts: deployment,
        fromBlock: deployment.deployedAtBlock,
      });
      expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
    }
  });

  it("metrics: each instance's Prometheus figures, for METRICS_TOKEN", async () => {
    const out = await run("metrics");
    expect(out.match(/^cargoproof_anchor_pending_digests /gm)?.length).to.equal(2);
    expect(out.match(/^cargoproof_anchor_lag_seconds /gm)?.length).to.equal(2);
    // Without the token: refused.
    expect((await fetch(`${hubUrl(0)}/metrics`)).status).to.equal(401);
  });

  it("backup, restore-drill: a dump taken while the hubs run restores into an empty database with every record", async () => {
    await run("backup");
    const dumps = readdirSync(site).filter((f) => /^hub-\d{8}T\d{6}Z\.dump$/.test(f));
    expect(dumps).to.have.length(1);
    expect(statSync(join(site, dumps[0]!)).size).to.be.greaterThan(0);
    await run("restore-drill");
    const count = async (url: string) => Number((await sql<{ n: string }>(url, `SELECT count(*) AS n FROM "RecordVersion"`))[0]!.n);
    expect(await count(restore.url)).to.equal(await count(main.url));
    expect(await count(restore.url)).to.be.at.least(published.length);
  });

  let oldAnchorer: string;
  it("rotate-anchorer-new-key: a new key, which the test funds as the guide asks", async () => {
    oldAnchorer = keyIn("anchorer.key").address;
    const out = await run("rotate-anchorer-new-key");
    const next = keyIn("anchorer-next.key");
    expect(out).to.include(next.address);
    await fund(next.address);
  });

  const anchors = () => new Contract(deployment.anchorRegistry, anchorRegistryAbi, provider);
  const headOf = async (a: string) => (await anchors().getFunction("headOf")(a)) as string;
  const ZERO = `0x${"0".repeat(64)}`;

  it("rotate-anchorer-switch: the new key authorised, the hubs stopped and switched to it; started again, they anchor with it", async () => {
    const before = hubPids();
    await run("rotate-anchorer-switch");
    for (const pid of before) expect(isAlive(pid)).to.equal(false);
    const next = keyIn("anchorer.key");
    expect(next.address).to.not.equal(oldAnchorer);
    expect(hubEnvValue("ANCHORER_PRIVATE_KEY")).to.equal(siteFile("anchorer.key").trim());
    expect(await headOf(next.address)).to.not.equal(ZERO);
    expect(await headOf(oldAnchorer)).to.not.equal(ZERO);
    await startHubs();
    const [record] = await publishAndAnchor(1);
    const tx = await provider.getTransaction(published.find((p) => p.record.id === record!.id)!.proof!.txHash!);
    expect(tx!.from).to.equal(next.address);
  });

  it("rotate-anchorer-retire: the old key can no longer anchor; what it anchored stays valid", async () => {
    // What the guide waits for: nothing pending on any instance.
    for (let i = 0; i < 2; i++)
      await waitFor(`nothing pending on instance ${i}`, async () => {
        const text = await (await fetch(`${hubUrl(i)}/metrics`, { headers: { authorization: `Bearer ${hubEnvValue("METRICS_TOKEN")}` } })).text();
        return /^cargoproof_anchor_pending_digests 0$/m.test(text);
      });
    await run("rotate-anchorer-retire");
    expect(await headOf(oldAnchorer)).to.equal(ZERO);
    for (const { record, proof } of published) {
      const verdict = await verifyRecord({
        record,
        proof: proof!,
        chain: { rpcUrl: chain.rpcUrl },
        contracts: deployment,
        fromBlock: deployment.deployedAtBlock,
      });
      expect(verdict.valid, `${record.id}: ${JSON.stringify(verdict)}`).to.equal(true);
    }
    const retired = readdirSync(site).filter((f) => f.startsWith("anchorer-retired-"));
    expect(retired).to.have.length(1);
    expect(keyIn(retired[0]!).address).to.equal(oldAnchorer);
  });

  it("stop: both instances exit", async () => {
    const pids = hubPids();
    await run("stop");
    for (const pid of pids) expect(isAlive(pid)).to.equal(false);
    for (let i = 0; i < 2; i++)
      expect(
        await fetch(`${hubUrl(i)}/health`).then(
          () => "up",
          () => "down",
        ),
      ).to.equal("down");
    expect(existsSync(join(site, "hub.env"))).to.equal(true);
  });
});
