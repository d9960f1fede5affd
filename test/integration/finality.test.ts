// Finality: with ANCHOR_CONFIRMATIONS=3 a batch is ANCHORED (and its proof served) only once its block
// is 3 deep, and a reorg (evm_snapshot / evm_revert on the node itself) that drops the anchoring block
// sends the batch back to be anchored again: every acknowledged record ends anchored exactly once on
// the canonical chain, also while records keep arriving. Real Hardhat node, real hub process, real DB.
import { expect } from "chai";
import { Contract } from "ethers";
import { anchorRegistryAbi } from "../../sdk/chain-abi";
import { HubError } from "../../sdk/client";
import type { SignedRecord } from "../../sdk/envelope";
import { verifyRecord } from "../../sdk/verify";
import { shipment } from "../fixtures";
import { admit, freshDatabase, hubEnv, isPostgres, sql, startHubProcess, waitUntil, type HubProcess, type TestOrg } from "./harness";
import { startDirectNode, type DirectNode } from "./direct-node";

interface BatchRow {
  id: string;
  root: string;
  status: string;
  txHash: string | null;
  minedBlock: number | null;
  blockNumber: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`anchoring finality and reorgs (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(240_000);
  let node: DirectNode;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let shipper: TestOrg;
  let registry: Contract;
  const acknowledged: SignedRecord[] = [];

  const batches = () =>
    sql<BatchRow>(database.url, `SELECT "id", "root", "status", "txHash", "minedBlock", "blockNumber" FROM "AnchorBatch" ORDER BY "createdAt"`);
  const newest = async (): Promise<BatchRow> => (await batches()).at(-1) ?? { id: "", root: "", status: "", txHash: null, minedBlock: null, blockNumber: null };
  const inMempool = async (hash: string | null) => hash !== null && (await node.provider.getTransaction(hash)) !== null;

  async function publish(n: number): Promise<SignedRecord[]> {
    const records = Array.from({ length: n }, () => shipper.client.signRecord("Shipment", shipment()));
    await shipper.client.publishBatch(records);
    acknowledged.push(...records);
    return records;
  }

  /** Roots of the Anchored events on the canonical chain (the node answers eth_getLogs from it alone). */
  async function rootsOnChain(): Promise<string[]> {
    const events = await registry.queryFilter(registry.filters.Anchored!(), 0, "latest");
    return events.map((e) => registry.interface.parseLog(e)!.args.getValue("root") as string);
  }

  before(async () => {
    node = await startDirectNode();
    registry = new Contract(node.deployment.anchorRegistry, anchorRegistryAbi, node.provider);
    await node.rpc("evm_setAutomine", [false]);
    database = await freshDatabase();
    const stopMining = node.mineEvery(200); // admission's operator transactions need blocks
    hub = await startHubProcess(hubEnv(node, database.url, { ANCHOR_CONFIRMATIONS: "3", ANCHOR_BATCH_SIZE: "5" }));
    shipper = await admit(hub.url, "brand-finality", ["SHIPPER"]);
    await stopMining();
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(hub.output().slice(-6000));
  });
  after(async () => {
    await hub?.stop();
    await node?.stop();
    await database?.drop();
  });

  it("a batch is ANCHORED only once its block is 3 deep, its proof says how deep; a reorg of the waiting block sends it back and it is anchored again", async () => {
    const [record] = await publish(5);
    await waitUntil("the batch's transaction in the mempool", async () => inMempool((await newest()).txHash));
    // Later batches (the access log's head, after the proof request below) are not this one.
    const id = (await newest()).id;
    const ours = async () => (await batches()).find((b) => b.id === id)!;
    const snapshot = await node.rpc<string>("evm_snapshot");
    await node.mine();
    const minedIn = await node.provider.getBlockNumber();
    await waitUntil("the hub to see the batch mined", async () => (await ours()).minedBlock === minedIn);
    expect((await ours()).status, "1 confirmation").to.equal("SIGNED");
    const pending = await shipper.client.getProof(record!.id).catch((e: unknown) => e);
    expect((pending as HubError).status, "no proof before it is final").to.equal(409);
    await node.mine();
    await sleep(800);
    expect((await ours()).status, "2 confirmations").to.equal("SIGNED");

    // The reorg: the node goes back to before the block that holds the anchoring.
    expect(await node.rpc("evm_revert", [snapshot])).to.equal(true);
    expect(await node.provider.getBlockNumber()).to.equal(minedIn - 1);
    expect(await rootsOnChain()).to.not.include((await ours()).root);
    await waitUntil(
      "the hub to send the transaction again",
      async () => (await ours()).minedBlock === null && (await inMempool((await ours()).txHash)),
      20_000,
    );
    expect(hub.output()).to.match(/left the chain \(a reorg\); sending it again/);
    await node.mine();
    await node.mine();
    await sleep(800);
    expect((await ours()).status, "2 confirmations after the reorg").to.equal("SIGNED");
    await node.mine();
    await waitUntil("the batch anchored at 3 confirmations", async () => (await ours()).status === "ANCHORED", 20_000);
    const batch = await ours();
    expect(batch.blockNumber).to.equal(minedIn);
    const proof = await shipper.client.getProof(record!.id);
    expect(proof.blockNumber).to.equal(minedIn);
    expect(proof.confirmations).to.equal(3);
    expect((await rootsOnChain()).filter((r) => r === batch.root)).to.have.length(1);
  });

  it("under load: publishing continuously through a reorg that drops anchored and waiting batches, every acknowledged record is anchored exactly once on the canonical chain", async () => {
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        await publish(3);
        await sleep(150);
      }
    })();
    let stopMining = node.mineEvery(300);
    try {
      await waitUntil("some batches anchored under load", async () => (await batches()).filter((b) => b.status === "ANCHORED").length >= 3);
      const snapshot = await node.rpc<string>("evm_snapshot");
      const headAtSnapshot = await node.provider.getBlockNumber();
      // A batch that existed at the snapshot may have had its transaction in the mempool then: the
      // revert restores that mempool, the node may mine it again into an identical block, and the
      // chain then really still has it. Only a batch sealed after the snapshot is surely dropped.
      const beforeSnapshot = new Set((await batches()).map((b) => b.id));
      await waitUntil("a batch sealed after the snapshot anchored", async () =>
        (await batches()).some((b) => b.status === "ANCHORED" && !beforeSnapshot.has(b.id) && (b.blockNumber ?? 0) > headAtSnapshot),
      );
      // Mining paused so that one batch is surely mined and still waiting for depth at the reorg.
      await stopMining();
      const sent = async () => (await batches()).find((b) => !beforeSnapshot.has(b.id) && b.status === "SIGNED" && b.minedBlock === null && b.txHash);
      await waitUntil("a batch's transaction in the mempool", async () => inMempool((await sent())?.txHash ?? null));
      const waiting = (await sent())!.id;
      await node.mine();
      await waitUntil("the hub to see it mined", async () => (await batches()).some((b) => b.id === waiting && b.minedBlock !== null));
      const dropped = (await batches()).filter((b) => (b.blockNumber ?? b.minedBlock ?? 0) > headAtSnapshot);
      expect(await node.rpc("evm_revert", [snapshot])).to.equal(true);
      stopMining = node.mineEvery(300);
      // Anchored again: ANCHORED, with a transaction the canonical chain has in that block.
      await waitUntil("the dropped batches anchored again", async () => {
        const now = await batches();
        for (const d of dropped) {
          const b = now.find((x) => x.id === d.id)!;
          const receipt = b.status === "ANCHORED" && b.txHash ? await node.provider.getTransactionReceipt(b.txHash) : null;
          if (receipt?.blockNumber !== b.blockNumber) return false;
        }
        return true;
      });
      await sleep(1500);
    } finally {
      publishing = false;
      await publisher;
    }
    await waitUntil("every record anchored", async () => {
      const [pending] = await sql<{ n: number }>(database.url, `SELECT COUNT(*) AS "n" FROM "AnchorItem" WHERE "batchId" IS NULL`);
      return Number(pending!.n) === 0 && (await batches()).every((b) => b.status === "ANCHORED");
    });
    await stopMining();
    // Both kinds were dropped: an ANCHORED batch (reopened) and one still waiting for depth.
    expect(hub.output()).to.match(/the chain no longer has its anchoring/);
    expect(hub.output()).to.match(/left the chain \(a reorg\)/);

    const all = await batches();
    const roots = await rootsOnChain();
    for (const b of all)
      expect(
        roots.filter((r) => r === b.root),
        `root of batch ${b.id} on chain once`,
      ).to.have.length(1);
    expect(roots).to.have.length(all.length);
    const head = await node.provider.getBlockNumber();
    for (const record of acknowledged) {
      const proof = await shipper.client.getProof(record.id);
      expect(proof.confirmations).to.equal(head - proof.blockNumber! + 1);
      expect(proof.confirmations).to.be.at.least(3);
      const verdict = await verifyRecord({ record, proof, chain: { provider: node.provider }, contracts: node.deployment });
      expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
    }
  });
});
