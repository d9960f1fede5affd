// The operator's `npm run admin` (scripts/admin.ts): what it refuses. What it does is run by the
// deploy guide's suite (test/deploy-guide), every command as docs/deploy.md writes it.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import { devAccountKey } from "../../server/chain/dev-keys";
import { startAnvil } from "../anvil-node";
import { runScript } from "../cli-process";

describe("npm run admin", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cargoproof-admin-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keygen writes a key only its owner can read, relative to where npm was run, and never overwrites one", async () => {
    const first = await runScript("admin.ts", ["keygen", "--out", "op.key"], { INIT_CWD: dir });
    expect(first.code, first.stderr).to.equal(0);
    const key = readFileSync(join(dir, "op.key"), "utf8");
    expect(first.stdout.trim()).to.equal(new Wallet(key.trim()).address);
    expect(statSync(join(dir, "op.key")).mode & 0o777).to.equal(0o600);
    const again = await runScript("admin.ts", ["keygen", "--out", "op.key"], { INIT_CWD: dir });
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/EEXIST|already exists/);
    expect(readFileSync(join(dir, "op.key"), "utf8")).to.equal(key);
  });

  it("refuses a file that holds no key, a deployment that is not one, and a missing RPC_URL, with exit 2", async () => {
    writeFileSync(join(dir, "bad.key"), "not a key\n");
    const bad = await runScript("admin.ts", ["address", "bad.key"], { INIT_CWD: dir });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include("bad.key: not a private key");
    expect(bad.stderr).to.not.include("not a key"); // the file's content is not echoed
    writeFileSync(join(dir, "deployment.json"), JSON.stringify({ chainId: 1 }));
    const notDeployment = await runScript("admin.ts", ["contracts-env", "deployment.json"], { INIT_CWD: dir });
    expect(notDeployment.code).to.equal(2);
    expect(notDeployment.stderr).to.match(/deployment\.json: not a deployment \(participantRegistry/);
    const noRpc = await runScript("admin.ts", ["anchorer", "add", Wallet.createRandom().address, "--deployment", "deployment.json", "--key", "bad.key"], {
      INIT_CWD: dir,
      RPC_URL: "",
    });
    expect(noRpc.code).to.equal(2);
    expect(noRpc.stderr).to.include("RPC_URL");
    const usage = await runScript("admin.ts", ["frobnicate"]);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.include("usage: admin");
  });

  it("secret gives 32 fresh random bytes each time", async () => {
    const [a, b] = await Promise.all([runScript("admin.ts", ["secret"]), runScript("admin.ts", ["secret"])]);
    expect(a.stdout.trim()).to.match(/^[0-9a-f]{64}$/);
    expect(a.stdout).to.not.equal(b.stdout);
  });

  it("npm run deploy refuses a public development key off a local chain, and sends nothing", async () => {
    const node = await startAnvil({ chainId: 7001 });
    const provider = new JsonRpcProvider(node.rpcUrl, undefined, { staticNetwork: true });
    try {
      const dev = new Wallet(devAccountKey(0));
      const run = await runScript("deploy.ts", [], { RPC_URL: node.rpcUrl, DEPLOYER_PRIVATE_KEY: dev.privateKey });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.include("DEPLOYER_PRIVATE_KEY holds a public Hardhat development key");
      expect(await provider.getTransactionCount(dev.address)).to.equal(0);
    } finally {
      provider.destroy();
      await node.stop();
    }
  });
});
