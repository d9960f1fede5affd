// The hub operator's CLI (issue 16 item 5): `cargoproof org add|list|suspend|reinstate|rotate-key` and
// `cargoproof keys new`, run as processes against a real hub on a real chain; every failure is one line.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubClient, HubError } from "../../sdk/client";
import { orgKeyFromPrivate, randomOrgKey } from "../../sdk/keys";
import { runCli, type CliRun } from "../cli-process";
import {
  OPERATOR_KEY,
  admit,
  freePort,
  freshDatabase,
  hubEnv,
  operatorClient,
  startHubProcess,
  startTestChain,
  type HubProcess,
  type TestChain,
} from "../integration/harness";

describe("cargoproof: the operator's commands", function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let dir: string;
  let operatorKeyFile: string;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url, { CUSTOMS_MATCHER: "off", WEBHOOK_WORKER: "off" }));
    dir = mkdtempSync(join(tmpdir(), "cargoproof-operator-"));
    operatorKeyFile = join(dir, "operator.key");
    writeFileSync(operatorKeyFile, `${OPERATOR_KEY}\n`, { mode: 0o600 });
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The CLI against the test hub, with an empty local data folder (no local hub keys to fall back on). */
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
    runCli([...args, "--hub", hub.url], { CARGOPROOF_DATA: join(dir, "no-local-data"), OPERATOR_PRIVATE_KEY: "", ...env });
  const asOperator = (args: string[]) => cli([...args, "--key", operatorKeyFile]);

  /** A failed run: non-zero, and one line on stderr that says `what` (no stack trace). */
  function expectOneLineFailure(run: CliRun, what: string | RegExp): void {
    expect(run.code, run.stdout + run.stderr).to.not.equal(0);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines, run.stderr).to.have.length(1);
    expect(run.stderr).to.not.match(/^\s+at /m);
    if (typeof what === "string") expect(lines[0]).to.include(what);
    else expect(lines[0]).to.match(what);
  }

  const keyOf = (file: string) => orgKeyFromPrivate(readFileSync(file, "utf8").trim());

  it("keys new writes a key file only its owner reads, prints its address and public key, and never overwrites it", async function () {
    const file = join(dir, "forwarder.key");
    const run = await cli(["keys", "new", "--out", file]);
    expect(run.code, run.stderr).to.equal(0);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const key = keyOf(file);
    expect(run.stdout).to.include(`address:    ${key.address}`).and.include(`public key: ${key.publicKey}`);
    const again = await cli(["keys", "new", "--out", file]);
    expectOneLineFailure(again, "already exists");
    expect(keyOf(file).privateKey).to.equal(key.privateKey);
    expectOneLineFailure(await cli(["keys", "new"]), "keys new needs --out FILE");
  });

  it("org add admits an organisation with the public key keys new printed; it can then authenticate with its key file", async function () {
    const file = join(dir, "airline.key");
    expect((await cli(["keys", "new", "--out", file])).code).to.equal(0);
    const key = keyOf(file);
    const run = await asOperator(["org", "add", "airline-x", "--name", "Airline X", "--roles", "airline,forwarder", "--public-key", key.publicKey]);
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.include({ id: "airline-x", name: "Airline X", signerAddress: key.address, status: "ACTIVE" });
    const member = new HubClient({ baseUrl: hub.url, orgId: "airline-x", privateKey: key.privateKey });
    expect((await member.getOrganization("airline-x")).roles).to.deep.equal(["AIRLINE", "FORWARDER"]);
  });

  it("org list shows every organisation, page after page", async function () {
    await admit(hub.url, "broker-b", ["BROKER"]);
    const run = await asOperator(["org", "list"]);
    expect(run.code, run.stderr).to.equal(0);
    const ids = run.stdout
      .trimEnd()
      .split("\n")
      .map((l) => l.split(/\s+/)[0]);
    expect(ids).to.include.members(["airline-x", "broker-b", "operator"]);
    // The route pages by id: one at a time, the pages together are the whole list, each once.
    const operator = operatorClient(hub.url);
    const paged: string[] = [];
    let after: string | undefined;
    do {
      const page = await operator.listOrganizations({ limit: 1, ...(after ? { after } : {}) });
      expect(page.organizations.length).to.be.at.most(1);
      paged.push(...page.organizations.map((o) => o.id));
      after = page.next;
    } while (after);
    expect(paged).to.deep.equal([...ids].sort());
    // Members may read one organisation, not list them; a bad page is a problem, not a 500.
    const member = await admit(hub.url, "forwarder-l", ["FORWARDER"]);
    const refused = await member.client.listOrganizations().catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(HubError);
    expect((refused as HubError).problem).to.include({ status: 403, type: "https://cargoproof.dev/problems/operator-only" });
    const bad = await fetch(`${hub.url}/v1/orgs?limit=0`, { headers: { authorization: `Bearer ${await operator.accessToken()}` } });
    expect(bad.status).to.equal(400);
    expect(bad.headers.get("content-type")).to.match(/^application\/problem\+json/);
    expect(((await bad.json()) as { type: string }).type).to.equal("https://cargoproof.dev/problems/invalid-query");
  });

  it("org suspend stops an organisation's tokens; org reinstate lifts it", async function () {
    const member = await admit(hub.url, "platform-s", ["PLATFORM"]);
    await member.client.getOrganization("platform-s");
    const suspended = await asOperator(["org", "suspend", "platform-s"]);
    expect(suspended.code, suspended.stderr).to.equal(0);
    expect(JSON.parse(suspended.stdout)).to.include({ id: "platform-s", status: "SUSPENDED" });
    const refused = await member.client.getOrganization("platform-s").catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(HubError);
    expect((refused as HubError).status).to.equal(401);
    const reinstated = await asOperator(["org", "reinstate", "platform-s"]);
    expect(reinstated.code, reinstated.stderr).to.equal(0);
    expect(JSON.parse(reinstated.stdout)).to.include({ status: "ACTIVE" });
    expect((await member.client.getOrganization("platform-s")).status).to.equal("ACTIVE");
  });

  it("org rotate-key gives an organisation a new signing key", async function () {
    await admit(hub.url, "brand-r", ["BRAND"]);
    const next = randomOrgKey();
    const run = await asOperator(["org", "rotate-key", "brand-r", "--public-key", next.publicKey]);
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.include({ signerAddress: next.address });
    const rotated = new HubClient({ baseUrl: hub.url, orgId: "brand-r", privateKey: next.privateKey });
    expect((await rotated.getOrganization("brand-r")).signerAddress).to.equal(next.address);
  });

  it("takes the operator's key from OPERATOR_PRIVATE_KEY too, and says so when there is none", async function () {
    const run = await cli(["org", "list"], { OPERATOR_PRIVATE_KEY: OPERATOR_KEY });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^operator\s/m);
    expectOneLineFailure(await cli(["org", "list"]), "the operator's key is needed: --key FILE, or OPERATOR_PRIVATE_KEY");
    expectOneLineFailure(await cli(["org", "list"], { OPERATOR_PRIVATE_KEY: "0x1234" }), "OPERATOR_PRIVATE_KEY: not a private key");
    expectOneLineFailure(await cli(["org", "list", "--key", join(dir, "missing.key")]), "cannot read");
  });

  it("a missing argument, an unknown organisation or a refused call: one line naming the problem, non-zero", async function () {
    await admit(hub.url, "customs-c", ["CUSTOMS"]);
    const member = join(dir, "member.key");
    const memberKey = randomOrgKey();
    await operatorClient(hub.url).admitOrganization({ id: "payer-p", name: "payer-p", roles: ["PAYMENT"], publicKey: memberKey.publicKey });
    writeFileSync(member, `${memberKey.privateKey}\n`, { mode: 0o600 });
    expect((await asOperator(["org", "suspend", "customs-c"])).code).to.equal(0);
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    const runs = await Promise.all([
      asOperator(["org", "suspend"]),
      asOperator(["org", "add", "x-1", "--name", "X"]),
      asOperator(["org", "add", "x-1", "--name", "X", "--roles", "AIRLINE,PILOT", "--public-key", randomOrgKey().publicKey]),
      asOperator(["org", "add", "x-1", "--name", "X", "--roles", "AIRLINE", "--public-key", "0x04abcd"]),
      asOperator(["org", "frobnicate"]),
      asOperator(["org", "suspend", "no-such-org"]),
      asOperator(["org", "rotate-key", "no-such-org", "--public-key", randomOrgKey().publicKey]),
      asOperator(["org", "suspend", "customs-c"]),
      asOperator(["org", "add", "payer-p", "--name", "again", "--roles", "PAYMENT", "--public-key", randomOrgKey().publicKey]),
      cli(["org", "list", "--key", member]),
      runCli(["org", "list", "--key", operatorKeyFile, "--hub", unreachable], { CARGOPROOF_DATA: join(dir, "no-local-data") }),
    ]);
    expectOneLineFailure(runs[0]!, "org suspend needs an organisation id");
    expectOneLineFailure(runs[1]!, "org add needs --roles");
    expectOneLineFailure(runs[2]!, "--roles: PILOT is not a role");
    expectOneLineFailure(runs[3]!, "--public-key is not a secp256k1 public key");
    expectOneLineFailure(runs[4]!, "org needs one of add, list, suspend, reinstate, rotate-key (not frobnicate)");
    expectOneLineFailure(runs[5]!, "no organisation no-such-org on this hub (404 Not found");
    expectOneLineFailure(runs[6]!, "no organisation no-such-org on this hub");
    expectOneLineFailure(runs[7]!, "hub: 409 Conflict: Organisation customs-c is already suspended.");
    expectOneLineFailure(runs[8]!, "hub: 409 Conflict: Organisation payer-p is already admitted.");
    // A key that is not the operator's: the hub refuses the operator's client assertion made with it.
    expectOneLineFailure(runs[9]!, /^hub: 401 Unauthorized: The client assertion/);
    expectOneLineFailure(runs[10]!, /^cargoproof: cannot reach the hub \(ECONNREFUSED\)/);
    // Nothing changed: the refused admission did not replace payer-p's key.
    expect((await operatorClient(hub.url).getOrganization("payer-p")).signerAddress).to.equal(memberKey.address);
  });
});
