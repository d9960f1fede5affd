import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./harness";
import { runCli } from "../cli-process";
import { JsonRpcProvider, Wallet } from "ethers";
import { startLocalChain } from "../../scripts/local-chain";
import { deployContracts } from "../../scripts/contracts";
import { CLIENT_ASSERTION_TYPE, createClientAssertion } from "../../sdk/assertion";
import { HubClient } from "../../sdk/client";
import { devAccountKey, isDevKey } from "../../server/chain/dev-keys";

const ROOT = join(__dirname, "..", "..");

/** Runs `run` with an empty data folder and free ports for one `npm start`, and removes the folder after. */
async function withFreshData(run: (data: string, env: Record<string, string>) => Promise<void>): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), "cargoproof-start-"));
  try {
    await run(data, { CARGOPROOF_DATA: data, CARGOPROOF_HUB: `http://127.0.0.1:${await freePort()}`, CARGOPROOF_RPC_PORT: String(await freePort()) });
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

/** Starts `npm start`'s script as its own process. */
function spawnStart(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--require", "tsx/cjs", join(ROOT, "scripts/start.ts")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => out };
}

/** Runs `npm start`'s script until its walk-through is printed, runs `whileUp` on its output, then stops it with SIGTERM. */
async function runStart(env: Record<string, string>, whileUp?: (out: string) => Promise<void>): Promise<string> {
  const { child, exited, output } = spawnStart(env);
  let out = "";
  const deadline = Date.now() + 90_000;
  while (!(out = output()).includes("Ctrl-C stops everything")) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${out}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`npm start did not finish its walk-through:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    await whileUp?.(out);
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited).to.equal(0);
  return out;
}

describe("npm start", function () {
  it("runs the walk-through, and a second start resumes the same records on the same chain", async function () {
    await withFreshData(async (data, env) => {
      const rpc = `http://127.0.0.1:${env.CARGOPROOF_RPC_PORT}`;
      const first = await runStart(env, async (out) => {
        // The demo product's page, as printed.
        const page = /open (http:\/\/\S+) in a browser/.exec(out)?.[1];
        expect(page, out).to.be.a("string");
        const res = await fetch(page!, { headers: { accept: "text/html" } });
        const html = await res.text();
        expect(res.status, html).to.equal(200);
        expect(html).to.include("Aurora ANC Headphones");
        // A publisher revokes its record on chain with `cargoproof revoke`; then it verifies as revoked.
        const cli = (args: string[]) => runCli([...args, "--hub", env.CARGOPROOF_HUB, "--rpc", rpc], env);
        const published = await cli(["publish", "--as", "swift-forwarding", "--type", "Shipment", "--file", "scripts/demo/shipment.json"]);
        expect(published.code, published.stderr).to.equal(0);
        const id = (JSON.parse(published.stdout) as { id: string }).id;
        const notMine = await cli(["revoke", "--as", "skyline-air", id, "--reason", "not mine"]);
        expect(notMine.code).to.not.equal(0);
        const revoked = await cli(["revoke", "--as", "swift-forwarding", id, "--reason", "sent in error"]);
        expect(revoked.code, revoked.stderr).to.equal(0);
        expect(revoked.stdout).to.match(new RegExp(`revoked Shipment ${id} v1`));
        const bundleFile = join(data, "revoked.bundle.json");
        expect((await cli(["bundle", "--as", "swift-forwarding", id, "--out", bundleFile])).code).to.equal(0);
        const verified = await runCli(["verify", bundleFile, "--rpc", rpc], env);
        expect(verified.code).to.equal(1);
        expect(verified.stdout).to.match(/"revoked": true/);
        expect(verified.stdout).to.match(/sent in error/);
        // The same with --relay: the publisher signs, the hub sends and pays (docs/api.md, "Relayed revocation").
        const second = JSON.parse(
          (await cli(["publish", "--as", "swift-forwarding", "--type", "Shipment", "--file", "scripts/demo/shipment.json"])).stdout,
        ) as { id: string };
        const relayed = await cli(["revoke", "--as", "swift-forwarding", second.id, "--reason", "duplicate", "--relay"]);
        expect(relayed.code, relayed.stderr).to.equal(0);
        expect(relayed.stdout).to.match(new RegExp(`revoked Shipment ${second.id} v1 .*sent and paid for by the hub`));
        // As of a moment before the revocation, the same bundle was valid.
        const asOf = await runCli(["verify", bundleFile, "--rpc", rpc, "--as-of", new Date(Date.now() - 3_600_000).toISOString()], env);
        expect(asOf.stdout).to.match(/FAIL as of +not yet anchored/);
        // Credentials are on chain: anyone admitted lists them.
        const creds = await cli(["credentials", "--as", "skyline-air", "trust-certify"]);
        expect(creds.code, creds.stderr).to.equal(0);
        expect(creds.stdout).to.match(/in force +ACCREDITED_CERTIFIER .*CERTIFICATE_OF_ORIGIN.*by the consortium operator/);

        // The ONE Record step, as printed: the airline reads the forwarder's piece; customs, not granted, cannot.
        const pieceIri = /swift-forwarding created (http:\/\/\S+\/logistics-objects\/\S+)/.exec(out)?.[1];
        expect(pieceIri, out).to.be.a("string");
        const asAirline = await runCli(["object", "--as", "skyline-air", pieceIri!, "--hub", env.CARGOPROOF_HUB], env);
        expect(asAirline.code, asAirline.stderr).to.equal(0);
        expect(asAirline.stdout).to.include("cargo#Piece, revision 1 of 1");
        expect(asAirline.stdout).to.include("Wireless headphones, 24 units");
        const asCustoms = await runCli(["object", "--as", "customs-hkg", pieceIri!, "--hub", env.CARGOPROOF_HUB], env);
        expect(asCustoms.code).to.equal(1);
        expect(asCustoms.stderr).to.match(/404 Logistics Object not found/);
        const created = await runCli(["create-object", "--as", "swift-forwarding", "--file", "scripts/demo/piece.jsonld", "--hub", env.CARGOPROOF_HUB], env);
        expect(created.code, created.stderr).to.equal(0);
        expect((JSON.parse(created.stdout) as { revision: number }).revision).to.equal(1);

        // The hub's operator key is its own: Hardhat's public account #0 gets no operator token.
        const asDevAccount = await fetch(`${env.CARGOPROOF_HUB}/v1/auth/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            grant_type: "client_credentials",
            client_assertion_type: CLIENT_ASSERTION_TYPE,
            client_assertion: await createClientAssertion("operator", devAccountKey(0), env.CARGOPROOF_HUB),
          }),
        });
        expect(asDevAccount.status).to.equal(401);
      });
      expect(first).to.include("first start: contracts deployed");
      expect(first).to.match(/the SDK verified it against the chain, trusting nobody: VALID/);
      expect(first).to.match(/member ok, authority ok, revoked no/);
      expect(first).to.match(/credentials +skyline-air: AIRLINE; swift-forwarding: LICENSED_FORWARDER/);
      expect(first).to.match(/which read it as\s+JSON-LD: cargo:Piece, revision 1/);
      expect(first).to.match(/skyline-air found it pending, counted it and countersigned/);
      expect(first).to.match(/now says: held by skyline-air\./);
      expect(first).to.match(/Verified from the chain alone: VALID, countersigned, 0 discrepancies/);
      expect(first).to.match(/skyline-air gave the piece's IRI\s+and got record \S+ \(LogisticsObject\)/);
      expect(first).to.match(/the digest and the leaf name the same record: yes; its proof folds to the anchored root 0x[0-9a-f]{16}\.\.\.: ok/);
      expect(first).to.include(`hub      ${env.CARGOPROOF_HUB}`);
      // Keys and secrets are private files in the data folder.
      const keyFile = join(data, "keys", "swift-forwarding.json");
      expect(existsSync(keyFile)).to.equal(true);
      expect(statSync(keyFile).mode & 0o077).to.equal(0);
      expect(first).to.not.include((JSON.parse(readFileSync(keyFile, "utf8")) as { privateKey: string }).privateKey);
      // The hub's operator and anchorer keys are random, private, and the ones the contracts were deployed with.
      const hubKeys = join(data, "hub-keys.json");
      expect(statSync(hubKeys).mode & 0o077).to.equal(0);
      const { operatorPrivateKey, anchorerPrivateKey } = JSON.parse(readFileSync(hubKeys, "utf8")) as {
        operatorPrivateKey: string;
        anchorerPrivateKey: string;
      };
      expect(isDevKey(operatorPrivateKey) || isDevKey(anchorerPrivateKey)).to.equal(false);
      const deployment = JSON.parse(readFileSync(join(data, "deployment.json"), "utf8")) as { deployer: string; anchorers: string[] };
      expect(deployment.deployer).to.equal(new Wallet(operatorPrivateKey).address);
      expect(deployment.anchorers).to.deep.equal([new Wallet(anchorerPrivateKey).address]);
      expect(first).to.include(`operator ${deployment.deployer}`);
      expect(first).to.not.include(operatorPrivateKey.slice(2));
      expect(readFileSync(join(data, "secrets.json"), "utf8")).to.not.equal("");
      expect(statSync(join(data, "secrets.json")).mode & 0o077).to.equal(0);

      const second = await runStart(env);
      expect(second).to.not.include("first start");
      expect(second).to.match(/\d+ transaction\(s\) replayed/);
      expect(second).to.match(/still verifies against the\s+replayed chain: VALID/);
      expect(second).to.match(/trusting nobody: VALID/);
    });
  });
  it("a first start killed while it admits the demo organisations: the next start finishes the job", async function () {
    await withFreshData(async (data, env) => {
      // SIGKILL the moment the hub shows harbour-mall admitted: the start is then between admitting it
      // and the next steps (its credential, its ETH, the remaining organisations).
      const first = spawnStart(env);
      const deadline = Date.now() + 90_000;
      let operator: HubClient | undefined;
      for (;;) {
        if (first.child.exitCode !== null) throw new Error(`npm start exited early:\n${first.output()}`);
        if (Date.now() > deadline) {
          first.child.kill("SIGKILL");
          throw new Error(`harbour-mall was never admitted:\n${first.output()}`);
        }
        const hubKeys = join(data, "hub-keys.json");
        if (!operator && existsSync(hubKeys)) {
          const { operatorPrivateKey } = JSON.parse(readFileSync(hubKeys, "utf8")) as { operatorPrivateKey: string };
          operator = new HubClient({ baseUrl: env.CARGOPROOF_HUB, orgId: "operator", privateKey: operatorPrivateKey, retries: 0 });
        }
        if (
          operator &&
          (await operator.getOrganization("harbour-mall").then(
            () => true,
            () => false,
          ))
        )
          break;
        await new Promise((r) => setTimeout(r, 10));
      }
      first.child.kill("SIGKILL");
      await first.exited;
      expect(first.output()).to.not.include("Walk-through");
      // The local chain, the killed start's child, exits with it; wait until its port is free.
      const rpc = `http://127.0.0.1:${env.CARGOPROOF_RPC_PORT}`;
      for (
        let i = 0;
        i < 100 &&
        (await fetch(rpc, { method: "POST" }).then(
          () => true,
          () => false,
        ));
        i++
      )
        await new Promise((r) => setTimeout(r, 100));

      const second = await runStart(env, async (out) => {
        const ids =
          /organisations (.*)/
            .exec(out)?.[1]
            ?.split(", ")
            .map((o) => o.split(" ")[0]!) ?? [];
        expect(ids).to.have.length(9);
        for (const id of ids) {
          // The key on disk is the key the hub admitted: it gets a token and reads its own entry.
          const privateKey = (JSON.parse(readFileSync(join(data, "keys", `${id}.json`), "utf8")) as { privateKey: string }).privateKey;
          const self = await new HubClient({ baseUrl: env.CARGOPROOF_HUB, orgId: id, privateKey }).getOrganization(id);
          expect(self.status, id).to.equal("ACTIVE");
        }
        const credentials = await operator!.credentials("harbour-mall");
        expect(credentials.map((c) => c.kind)).to.deep.equal(["ECOMMERCE_PLATFORM"]);
      });
      expect(second).to.match(/trusting nobody: VALID/);
    });
  });
  it("a .data/ deployed by an older version with the public development accounts still starts, with a warning", async function () {
    await withFreshData(async (data, env) => {
      // What an older `npm start` left: a journaled chain with the contracts deployed by accounts #0 and #1.
      const chain = await startLocalChain({ dataDir: data, port: Number(env.CARGOPROOF_RPC_PORT) });
      const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
      const deployment = await deployContracts(new Wallet(devAccountKey(0), provider), [new Wallet(devAccountKey(1)).address]);
      writeFileSync(join(data, "deployment.json"), JSON.stringify(deployment));
      provider.destroy();
      await chain.stop();

      const out = await runStart(env);
      expect(out).to.match(/WARNING: this .* was deployed by an older version with Hardhat's public development accounts/);
      expect(out).to.match(/trusting nobody: VALID/);
      expect(existsSync(join(data, "hub-keys.json"))).to.equal(false);
    });
  });
});
