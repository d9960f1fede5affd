// Chain faults under a running hub: the local chain's journal cannot be written (a full disk), then
// the chain restarts from an older journal copy and so loses an anchored batch and a transaction of
// the anchorer. Real chain (journal + proxy), real hub processes, real database, real HTTP.
import { expect } from "chai";
import { copyFileSync, mkdtempSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, JsonRpcProvider, Wallet } from "ethers";
import { journalPath, startLocalChain, type JournalIo, type LocalChain } from "../../scripts/local-chain";
import { deployContracts, type Deployment } from "../../scripts/contracts";
import { auditExport } from "../../sdk/audit/audit";
import { anchorRegistryAbi } from "../../sdk/chain-abi";
import { HubError } from "../../sdk/client";
import type { SignedRecord } from "../../sdk/envelope";
import { verifyRecord } from "../../sdk/verify";
import { shipment } from "../fixtures";
import {
  ANCHORER_KEY,
  OPERATOR_KEY,
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  sql,
  startHubProcess,
  waitUntil,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

interface BatchRow {
  id: string;
  root: string;
  status: string;
  txHash: string | null;
  leafCount: number;
  lastError: string | null;
  anchoredAt: string | number | Date | null;
}

/** A DateTime column as read by the raw driver: a Date (PostgreSQL), epoch ms or an ISO string (SQLite). */
const timeOf = (v: BatchRow["anchoredAt"]): number =>
  v instanceof Date ? v.getTime() : typeof v === "number" || /^\d+$/.test(String(v)) ? Number(v) : Date.parse(String(v));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`chain faults under a running hub (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);

  const dataDir = mkdtempSync(join(tmpdir(), "cargoproof-chain-loss-"));
  let diskFull = false;
  // A full disk for the journal: a few bytes get written, then ENOSPC.
  const journalIo: JournalIo = {
    write(fd, buf, offset, length) {
      if (!diskFull) return writeSync(fd, buf, offset, length);
      writeSync(fd, buf, offset, Math.min(length, 5));
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    },
  };
  let port: number;
  let localChain: LocalChain;
  let provider: JsonRpcProvider;
  let deployment: Deployment;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess | undefined;

  const testChain = (): TestChain => ({
    rpcUrl: localChain.rpcUrl,
    provider,
    deployment,
    operator: new Wallet(OPERATOR_KEY, provider),
    stop: async () => undefined,
  });
  const batches = () =>
    sql<BatchRow>(database.url, `SELECT "id", "root", "status", "txHash", "leafCount", "lastError", "anchoredAt" FROM "AnchorBatch" ORDER BY "createdAt"`);
  const startHub = async (extra: Record<string, string>) => {
    // The first start takes a free port; restarts keep it (the tests' clients name it).
    const env = (port: number) => hubEnv(testChain(), database.url, { ANCHOR_BATCH_SIZE: "5", PORT: String(port), ...extra });
    hub = await startHubProcess(hubPort === undefined ? env : env(hubPort));
    hubPort = Number(new URL(hub.url).port);
    return hub;
  };
  let hubPort: number | undefined;

  /** All acknowledged digests in batches, every batch anchored, and no batch sealed for a moment. */
  async function settled(): Promise<BatchRow[]> {
    let last = "";
    await waitUntil("anchoring to settle", async () => {
      const [pending] = await sql<{ n: number }>(database.url, `SELECT COUNT(*) AS "n" FROM "AnchorItem" WHERE "batchId" IS NULL`);
      const rows = await batches();
      const now = JSON.stringify(rows.map((b) => [b.id, b.status]));
      const quiet = Number(pending!.n) === 0 && rows.every((b) => b.status === "ANCHORED") && now === last;
      last = now;
      if (!quiet) await sleep(400);
      return quiet;
    });
    return batches();
  }

  async function publish(org: TestOrg, n: number): Promise<SignedRecord[]> {
    const records = Array.from({ length: n }, () => org.client.signRecord("Shipment", shipment()));
    await org.client.publishBatch(records);
    return records;
  }

  async function restartChain(): Promise<void> {
    provider.destroy();
    await localChain.stop();
    localChain = await startLocalChain({ dataDir, port });
    provider = new JsonRpcProvider(localChain.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  }

  before(async () => {
    // A free port first; the restarts keep it (the hub's RPC_URL names it).
    localChain = await startLocalChain({ dataDir, port: 0, journalIo });
    port = Number(new URL(localChain.rpcUrl).port);
    provider = new JsonRpcProvider(localChain.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    deployment = await deployContracts(new Wallet(OPERATOR_KEY, provider), [new Wallet(ANCHORER_KEY).address]);
    database = await freshDatabase();
  });
  after(async () => {
    await hub?.stop();
    provider?.destroy();
    await localChain?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("a full journal refuses the anchoring (no proof from a block the journal lacks); a chain that lost batches is audited as such, re-anchored, and every record verifies", async () => {
    await startHub({});
    const shipper = await admit(hub!.url, "brand-chain-loss", ["SHIPPER"]);
    const kept = await publish(shipper, 5);
    await settled();
    const olderJournal = join(dataDir, "older-journal.jsonl");
    copyFileSync(journalPath(dataDir), olderJournal);

    // Lost later: a transaction of the anchorer (its nonce comes back, so the hub's signed nonces run
    // ahead of the chain) and an anchored batch.
    const anchorer = new Wallet(ANCHORER_KEY, provider);
    await (await anchorer.sendTransaction({ to: anchorer.address, value: 0n })).wait();
    const lostRecords = await publish(shipper, 5);
    await settled();
    const headBefore = await provider.getBlockNumber();

    // The journal's disk is full: the next batch's transaction is refused, so it is never mined and
    // the hub serves no proof for it.
    diskFull = true;
    const refused = await publish(shipper, 5);
    await waitUntil("a refused anchoring attempt", async () =>
      (await batches()).some((b) => b.status !== "ANCHORED" && /journal cannot be written/.test(b.lastError ?? "")),
    );
    const stuck = (await batches()).find((b) => b.status !== "ANCHORED")!;
    expect(stuck.txHash, "the batch's transaction was signed").to.be.a("string");
    expect(await provider.getTransactionReceipt(stuck.txHash!)).to.equal(null);
    expect(await provider.getBlockNumber()).to.equal(headBefore);
    const pending = await shipper.client.getProof(refused[0]!.id).catch((e: unknown) => e);
    expect(pending).to.be.instanceOf(HubError);
    expect((pending as HubError).status).to.equal(409);
    await hub!.kill();

    // The chain restarts from the older journal copy: the batches anchored since, and the anchorer's
    // transfer, are gone; the hub's database still says ANCHORED, in blocks beyond the chain's head.
    const lost = (await batches()).filter((b) => b.status === "ANCHORED");
    copyFileSync(olderJournal, journalPath(dataDir));
    diskFull = false;
    await restartChain();
    const head = await provider.getBlockNumber();
    const registry = new Contract(deployment.anchorRegistry, anchorRegistryAbi, provider);
    const onChainRoots = new Set(
      (await registry.queryFilter(registry.filters.Anchored!(), 0, head)).map((e) => registry.interface.parseLog(e)!.args.getValue("root") as string),
    );
    const lostBatches = lost.filter((b) => !onChainRoots.has(b.root));
    expect(lostBatches.length, "the restart lost at least one anchored batch").to.be.greaterThan(0);

    // The audit (export over HTTP, checked against the chain alone) reports each lost batch.
    await startHub({ ANCHOR_WORKER: "off" });
    const auditor = await admit(hub!.url, "audit-chain-loss", ["AUDITOR"]);
    // The export shows a batch marked anchored a moment ago in a later block as not yet mined (a race
    // with the chain's head); these were marked well before.
    const newest = Math.max(...lostBatches.map((b) => timeOf(b.anchoredAt)));
    await sleep(Math.max(0, newest + 5_500 - Date.now()));
    const report = await auditExport(auditor.client.exportLines({ scope: "all" }), { provider, contracts: deployment, workers: 0 });
    expect(report.clean).to.equal(false);
    const notOnChain = report.findings.filter((f) => f.code === "batch-not-on-chain");
    expect(notOnChain.map((f) => f.batchId).sort()).to.deep.equal(lostBatches.map((b) => b.id).sort());
    expect(notOnChain[notOnChain.length - 1]!.message).to.match(/beyond the chain's head \(block \d+\)/);
    await hub!.stop();

    // The self-audit notices them too and sends them back to be anchored again.
    await startHub({ ANCHOR_WORKER: "off", AUDIT_INTERVAL_MS: "500" });
    await waitUntil("the self-audit to reopen the lost batches", async () => {
      const rows = await batches();
      return lostBatches.every((l) => rows.find((b) => b.id === l.id)!.status === "SIGNED");
    });
    expect((await batches()).find((b) => b.id === lostBatches[0]!.id)!.lastError).to.match(/chain no longer has/);
    await hub!.stop();

    // The worker re-anchors them, re-signing where the chain's nonce is now lower than the signed one.
    await startHub({});
    await settled();
    await hub!.stop();
    expect(hub!.output()).to.match(/its nonce does not fit the chain's; signing it anew/); // the nonce gap was re-signed, not retried
    hub = undefined;
    const all = await batches();
    const events = await registry.queryFilter(registry.filters.Anchored!(), 0, "latest");
    const roots = events.map((e) => registry.interface.parseLog(e)!.args.getValue("root") as string);
    for (const b of all)
      expect(
        roots.filter((r) => r === b.root),
        `root of batch ${b.id} on chain once`,
      ).to.have.length(1);
    expect(roots).to.have.length(all.length);

    // Every record verifies against the chain with the proof the hub serves now.
    await startHub({});
    for (const record of [...kept, ...lostRecords, ...refused]) {
      const proof = await shipper.client.getProof(record.id);
      const verdict = await verifyRecord({ record, proof, chain: { provider }, contracts: deployment });
      expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
    }
    const clean = await auditExport(auditor.client.exportLines({ scope: "all" }), { provider, contracts: deployment, workers: 0 });
    expect(clean.findings, JSON.stringify(clean.findings.slice(0, 3))).to.deep.equal([]);
  });
});
