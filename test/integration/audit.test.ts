// The auditor's tools against a real hub: its database and the chain tampered with for real, then
// `cargoproof export` (over HTTP) and `cargoproof audit` (chain only, hub stopped) as child processes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { runCli, type CliRun } from "../cli-process";
import { Contract, Wallet, hexlify, randomBytes } from "ethers";
import { AuditReportSchema, type AuditReport } from "../../sdk/audit/findings";
import { anchorRegistryAbi } from "../../sdk/chain-abi";
import { HubClient } from "../../sdk/client";
import type { SignedRecord } from "../../sdk/envelope";
import { prepareRecord } from "../../sdk/digest";
import { randomOrgKey } from "../../sdk/keys";
import { signRecord } from "../../sdk/signature";
import { writePrivate } from "../../scripts/local-data";
import { shipment } from "../fixtures";
import { BUYER, OTHER_PERSON, order, payment } from "../customs/fixtures";
import {
  ANCHORER_KEY,
  OPERATOR_KEY,
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  operatorClient,
  sql,
  startHubProcess,
  startTestChain,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

const cli = runCli;
type Run = CliRun;

const count = async (url: string, statement: string) => Number((await sql<{ n: unknown }>(url, statement))[0]!.n);

/** Until every digest and every access log chain's head are anchored. */
async function settled(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pending = await count(url, `SELECT count(*) AS n FROM "AnchorItem" WHERE "batchId" IS NULL`);
    const unfinished = await count(url, `SELECT count(*) AS n FROM "AnchorBatch" WHERE "status" <> 'ANCHORED'`);
    const unanchoredChains = await count(
      url,
      `SELECT count(*) AS n FROM "AccessLogChainHead" c
        WHERE c."seq" > coalesce((SELECT max(a."seq") FROM "AnchorBatchAccessHead" a JOIN "AnchorBatch" b ON b."id" = a."batchId"
                                   WHERE a."chain" = c."chain" AND b."status" = 'ANCHORED'), 0)`,
    );
    if (pending === 0 && unfinished === 0 && unanchoredChains === 0) return;
    if (Date.now() > deadline) throw new Error("the hub did not anchor everything in 30 s");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`cargoproof audit against a tampered hub (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let airline: TestOrg;
  let auditor: TestOrg;
  let platform: TestOrg;
  let orderId: string;
  let dataDir: string;
  let env: Record<string, string>;
  let registries: string[];
  const ids: string[] = [];

  async function exportAndAudit(name: string): Promise<{ run: Run; report: AuditReport }> {
    const file = join(dataDir, `${name}.jsonl`);
    const exported = await cli(["export", "--as", auditor.id, "--scope", "all", "--out", file, "--hub", hub.url], env);
    expect(exported.code, exported.stderr).to.equal(0);
    return auditFile(file, name);
  }

  async function auditFile(file: string, name: string): Promise<{ run: Run; report: AuditReport }> {
    const json = join(dataDir, `${name}.report.json`);
    const run = await cli(["audit", "--file", file, "--rpc", chain.rpcUrl, ...registries, "--max-anchor-lag", "600", "--json", json], env);
    return { run, report: AuditReportSchema.parse(JSON.parse(readFileSync(json, "utf8"))) };
  }

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    forwarder = await admit(hub.url, "audit-forwarder", ["FORWARDER"]);
    airline = await admit(hub.url, "audit-airline", ["AIRLINE"]);
    auditor = await admit(hub.url, "audit-board", ["AUDITOR"]);
    // Personal data: the buyer's identity in an order and the payer's in a payment (the fixture's parties).
    platform = await admit(hub.url, "shop-global", ["PLATFORM"]);
    const payer = await admit(hub.url, "pay-firm", ["PAYMENT"]);
    await admit(hub.url, "hz-customs", ["CUSTOMS"]);
    // The consignee is another person here: only PERSONAL_FIELDS (the buyer, the payer) are personal (see the report).
    orderId = (await platform.client.publish("Order", order({ consignee: { name: OTHER_PERSON.name, address: "No. 1 Hubin Road, Hangzhou", country: "CN" } })))
      .record.id;
    await payer.client.publish("Payment", payment());
    dataDir = mkdtempSync(join(tmpdir(), "cargoproof-audit-"));
    for (const org of [auditor, platform])
      writePrivate(join(dataDir, "keys", `${org.id}.json`), JSON.stringify({ orgId: org.id, privateKey: org.key.privateKey }));
    env = { CARGOPROOF_DATA: dataDir };
    registries = ["--participant-registry", chain.deployment.participantRegistry, "--anchor-registry", chain.deployment.anchorRegistry];
    for (let i = 0; i < 6; i++) {
      const { record } = await forwarder.client.publish("Shipment", shipment({ pieceCount: i + 1 }));
      ids.push(record.id);
      await forwarder.client.grant(record.id, airline.id);
      await airline.client.getRecord(record.id);
    }
    await settled(database.url);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("a clean hub audits clean, exit code 0", async function () {
    const { run, report } = await exportAndAudit("clean");
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(report.clean, run.stdout).to.equal(true);
    expect(report.summary.counts.records).to.be.at.least(8);
    expect(report.summary.counts.access).to.be.greaterThan(12);
    expect(report.summary.totalFindings).to.equal(0);
  });

  it("the auditor's export holds personal fields only as salted hashes, audits clean, and a tampered hash is found", async function () {
    const file = join(dataDir, "personal.jsonl");
    const exported = await cli(["export", "--as", auditor.id, "--scope", "all", "--out", file, "--hub", hub.url], env);
    expect(exported.code, exported.stderr).to.equal(0);
    const text = readFileSync(file, "utf8");
    for (const value of [BUYER.name, BUYER.idNumber]) expect(text, `the export leaks ${value}`).to.not.include(value);
    const records = text
      .split("\n")
      .filter((l) => l.includes('"kind":"record"'))
      .map((l) => (JSON.parse(l) as { record: SignedRecord }).record);
    const ord = records.find((r) => r.id === orderId)!;
    expect(ord.body).to.not.have.property("buyer");
    expect(ord.salts).to.not.have.property("buyer");
    expect(ord.hidden)
      .to.have.property("buyer")
      .that.matches(/^0x[0-9a-f]{64}$/);
    expect(ord.body).to.have.property("orderNumber"); // everything else as it was
    expect(records.find((r) => r.type === "Payment")!.hidden).to.have.property("payer");

    const { run, report } = await auditFile(file, "personal");
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(report.clean).to.equal(true);
    expect(report.summary.counts.records).to.equal(records.length);

    // A hidden hash edited in the file: the digest no longer recomputes.
    const edited = join(dataDir, "personal-edited.jsonl");
    const hash = ord.hidden!.buyer;
    writeFileSync(edited, text.replace(hash, `${hash.slice(0, -1)}${hash.endsWith("0") ? "1" : "0"}`));
    const tampered = await auditFile(edited, "personal-edited");
    expect(tampered.run.code).to.equal(1);
    expect(tampered.report.findings.map((f) => [f.code, f.recordId])).to.deep.equal([["content-mismatch", orderId]]);

    // The publisher's own export keeps its buyer: personal fields stay with their publisher.
    const own = join(dataDir, "platform-own.jsonl");
    const ownRun = await cli(["export", "--as", platform.id, "--scope", "own", "--out", own, "--hub", hub.url], env);
    expect(ownRun.code, ownRun.stderr).to.equal(0);
    expect(readFileSync(own, "utf8")).to.include(BUYER.idNumber);
  });

  it("finds every tampering of the database and the chain, exit code 1, hub stopped", async function () {
    const url = database.url;
    // Rotate a key, then back-date a record signed with the old one: the hub's worker anchors it.
    const oldKey = forwarder.key;
    const newKey = randomOrgKey();
    await operatorClient(hub.url).rotateKey(forwarder.id, newKey.publicKey);
    const backdated = signRecord(oldKey.privateKey, prepareRecord({ type: "Shipment", id: "backdated-1", version: 1, owner: forwarder.id }, shipment()));
    const longAgo = new Date(Date.now() - 3_600_000);
    const insertVersion = async (r: typeof backdated, at: Date) =>
      sql(
        url,
        `INSERT INTO "RecordVersion" ("id", "recordId", "version", "type", "owner", "body", "salts", "digest", "signature", "signer", "publishedAt")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          `${r.id}@${r.version}`,
          r.id,
          r.version,
          r.type,
          r.owner,
          JSON.stringify(r.body),
          JSON.stringify(r.salts),
          r.digest,
          r.signature,
          new Wallet(oldKey.privateKey).address,
          at.toISOString(),
        ],
      );
    await insertVersion(backdated, longAgo);
    await sql(url, `INSERT INTO "AnchorItem" ("digest", "kind", "createdAt") VALUES ($1, 'RECORD', $2)`, [backdated.digest, new Date().toISOString()]);
    await settled(url);

    // Edit a row, delete a row, insert a row the hub never anchored (an hour old).
    await sql(url, `UPDATE "RecordVersion" SET "body" = replace("body", '"pieceCount":1', '"pieceCount":100') WHERE "recordId" = $1`, [ids[0]]);
    await sql(url, `DELETE FROM "RecordVersion" WHERE "recordId" = $1`, [ids[1]]);
    const inserted = signRecord(newKey.privateKey, prepareRecord({ type: "Shipment", id: "inserted-1", version: 1, owner: forwarder.id }, shipment()));
    await insertVersion({ ...inserted }, longAgo);
    await sql(url, `UPDATE "RecordVersion" SET "signer" = $1 WHERE "recordId" = 'inserted-1'`, [new Wallet(newKey.privateKey).address]);
    // A record anchored long after it was published.
    await sql(url, `UPDATE "RecordVersion" SET "publishedAt" = $1 WHERE "recordId" = $2`, [longAgo.toISOString(), ids[2]]);
    // Cut a line from the forwarder's access log chain: one no batch anchored as its head (cutting an
    // anchored head is also an access-log-head-mismatch, and which lines are heads depends on timing).
    const heads = new Set(
      (await sql<{ seq: unknown }>(url, `SELECT "seq" FROM "AnchorBatchAccessHead" WHERE "chain" = $1`, [forwarder.id])).map((r) => Number(r.seq)),
    );
    let cut = 5;
    while (heads.has(cut)) cut++;
    expect(await sql(url, `DELETE FROM "AccessLogEntry" WHERE "chain" = $1 AND "chainSeq" = $2 RETURNING "seq"`, [forwarder.id, cut])).to.have.length(1);
    // A batch the hub anchored, deleted from its database with its records' place in it (withheld).
    const rotated = new HubClient({ baseUrl: hub.url, orgId: forwarder.id, privateKey: newKey.privateKey });
    const { record: kept } = await rotated.publish("Shipment", shipment({ pieceCount: 40 }));
    await settled(url);
    const [withheld] = await sql<{ id: string; root: string }>(
      url,
      `SELECT b."id", b."root" FROM "AnchorBatch" b JOIN "AnchorItem" i ON i."batchId" = b."id" WHERE i."digest" = $1`,
      [kept.digest],
    );
    await sql(url, `DELETE FROM "AnchorBatch" WHERE "id" = $1`, [withheld.id]);
    // The hub's anchorer removed and re-admitted by the registry's admin: its chain restarts from genesis.
    const admin = new Contract(chain.deployment.anchorRegistry, anchorRegistryAbi, new Wallet(OPERATOR_KEY, chain.provider));
    const anchorer = new Wallet(ANCHORER_KEY).address;
    await (await admin.getFunction("setAnchorer")(anchorer, false)).wait();
    await (await admin.getFunction("setAnchorer")(anchorer, true)).wait();
    // A root on chain the hub never reported, anchored with the hub's own anchoring key (withheld too).
    const registry = new Contract(chain.deployment.anchorRegistry, anchorRegistryAbi, new Wallet(ANCHORER_KEY, chain.provider));
    const foreign = hexlify(randomBytes(32));
    await (await registry.getFunction("anchor")(foreign, 1)).wait();

    const file = join(dataDir, "tampered.jsonl");
    const exported = await cli(["export", "--as", auditor.id, "--scope", "all", "--out", file, "--hub", hub.url], env);
    expect(exported.code, exported.stderr).to.equal(0);
    await hub.stop();

    const { run, report } = await auditFile(file, "tampered");
    expect(run.code, run.stdout + run.stderr).to.equal(1);
    expect(report.clean).to.equal(false);
    const found = (code: string) => report.findings.filter((f) => f.code === code);
    expect(found("content-mismatch").map((f) => f.recordId)).to.deep.equal([ids[0]]);
    expect(found("missing-record")).to.have.length(1);
    expect(found("not-anchored").map((f) => f.recordId)).to.deep.equal(["inserted-1"]);
    // The back-dated record was also anchored an hour after its claimed publication.
    expect(found("anchored-late").map((f) => f.recordId)).to.have.members([ids[2], "backdated-1"]);
    expect(found("signer-not-member").map((f) => f.recordId)).to.deep.equal(["backdated-1"]);
    expect(found("batch-withheld").map((f) => f.root)).to.have.members([withheld.root, foreign]);
    expect(found("anchorer-reset").map((f) => f.anchorer)).to.deep.equal([anchorer]);
    expect(found("access-log-gap").map((f) => [f.chain, f.seq])).to.deep.equal([[forwarder.id, cut + 1]]);
    expect(found("access-log-gap")[0]!.message).to.include(`chain "${forwarder.id}"`);
    expect(run.stdout).to.match(/content/i);
    // Nothing else was touched: no other kind of finding.
    const expected = [
      "content-mismatch",
      "missing-record",
      "not-anchored",
      "anchored-late",
      "signer-not-member",
      "batch-withheld",
      "anchorer-reset",
      "access-log-gap",
    ];
    expect(Object.entries(report.summary.findings).filter(([code, n]) => n > 0 && !expected.includes(code))).to.deep.equal([]);
  });
});
