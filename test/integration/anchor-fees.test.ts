// Anchor transaction types and fees on a Hardhat node driven directly (automine off, base fee set by
// hand): a stuck, underpriced anchor transaction is replaced at the same nonce with higher fees and the
// root is anchored once; ANCHOR_TX_TYPE=legacy sends type 0, at gas price 0 where ANCHOR_GAS_PRICE says so.
import { expect } from "chai";
import { Contract, toQuantity, type TransactionResponse } from "ethers";
import { anchorRegistryAbi } from "../../sdk/chain-abi";
import { shipment } from "../fixtures";
import { admit, freshDatabase, hubEnv, isPostgres, sql, startHubProcess, waitUntil as waitAtMost, type HubProcess, type TestOrg } from "./harness";

/** This file's waits: 30 s each. */
const waitUntil = (what: string, check: () => Promise<boolean>) => waitAtMost(what, check, 30_000);
import { startDirectNode, type DirectNode } from "./direct-node";

interface BatchRow {
  id: string;
  root: string;
  status: string;
  txHash: string | null;
}

describe(`anchor transaction types and fees (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let node: DirectNode;
  let registry: Contract;
  const hubs: HubProcess[] = [];
  const databases: { url: string; drop(): Promise<void> }[] = [];

  const batches = (url: string) => sql<BatchRow>(url, `SELECT "id", "root", "status", "txHash" FROM "AnchorBatch" ORDER BY "createdAt"`);
  const rootsOnChain = async () =>
    (await registry.queryFilter(registry.filters.Anchored!(), 0, "latest")).map((e) => registry.interface.parseLog(e)!.args.getValue("root") as string);

  async function startHub(env: Record<string, string>, org: string): Promise<{ hub: HubProcess; url: string; shipper: TestOrg }> {
    const database = await freshDatabase();
    databases.push(database);
    const hub = await startHubProcess(hubEnv(node, database.url, { ANCHOR_BATCH_SIZE: "5", ...env }));
    hubs.push(hub);
    return { hub, url: database.url, shipper: await admit(hub.url, org, ["SHIPPER"]) };
  }
  const publish = (shipper: TestOrg) => shipper.client.publishBatch(Array.from({ length: 5 }, () => shipper.client.signRecord("Shipment", shipment())));

  before(async () => {
    node = await startDirectNode();
    registry = new Contract(node.deployment.anchorRegistry, anchorRegistryAbi, node.provider);
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") for (const hub of hubs) console.log(hub.output().slice(-4000));
  });
  after(async () => {
    for (const hub of hubs) await hub.stop();
    await node?.stop();
    for (const d of databases) await d.drop();
  });

  it("a stuck, underpriced anchor transaction is replaced at the same nonce with fees >= 12.5% higher; the replacement is mined and the root anchored once", async () => {
    await node.rpc("evm_setAutomine", [false]);
    // Automine back however the test ends: the next test needs it.
    try {
      const stopMining = node.mineEvery(200);
      const { hub, url, shipper } = await startHub({ ANCHOR_STUCK_MS: "1500" }, "brand-fees");
      await waitUntil("admission's batches anchored", async () => (await batches(url)).every((b) => b.status === "ANCHORED"));
      await stopMining();

      await publish(shipper);
      // Each transaction is read in the same probe that finds it: the hub may replace it (and the node
      // drop it) any time after ANCHOR_STUCK_MS.
      let stuck: BatchRow | undefined;
      let first: TransactionResponse | null = null;
      await waitUntil("the anchor transaction in the mempool", async () => {
        stuck = (await batches(url)).find((b) => b.status !== "ANCHORED" && b.txHash !== null);
        first = stuck ? await node.provider.getTransaction(stuck.txHash!) : null;
        return first !== null;
      });
      first = first!;
      expect(first.type, "auto on a chain with a base fee: EIP-1559").to.equal(2);
      // The next block's base fee is far above what the transaction pays: it stays pending.
      await node.rpc("hardhat_setNextBlockBaseFeePerGas", [toQuantity(first.maxFeePerGas! * 100n)]);
      await node.mine();
      expect(await node.provider.getTransactionReceipt(first.hash)).to.equal(null);

      let replacementHash = "";
      let replacement: TransactionResponse | null = null;
      await waitUntil("the replacement", async () => {
        replacementHash = (await batches(url)).find((b) => b.id === stuck!.id)!.txHash!;
        replacement = replacementHash !== first!.hash ? await node.provider.getTransaction(replacementHash) : null;
        return replacement !== null;
      });
      // Mined at once, before the hub could find it stuck in turn and replace it again.
      await node.mine();
      replacement = replacement!;
      expect(replacement.nonce).to.equal(first.nonce);
      expect(replacement.data).to.equal(first.data);
      expect(replacement.maxFeePerGas! * 8n >= first.maxFeePerGas! * 9n, "max fee +12.5%").to.equal(true);
      expect(replacement.maxPriorityFeePerGas! * 8n >= first.maxPriorityFeePerGas! * 9n, "priority fee +12.5%").to.equal(true);
      expect(hub.output()).to.match(/replacing it with higher fees/);

      await waitUntil("the batch anchored", async () => (await batches(url)).find((b) => b.id === stuck!.id)!.status === "ANCHORED");
      expect((await node.provider.getTransactionReceipt(replacementHash))?.status).to.equal(1);
      expect(await node.provider.getTransactionReceipt(first.hash)).to.equal(null);
      expect((await batches(url)).find((b) => b.id === stuck!.id)!.txHash).to.equal(replacementHash);
      expect((await rootsOnChain()).filter((r) => r === stuck!.root)).to.have.length(1);
    } finally {
      await node.rpc("evm_setAutomine", [true]);
    }
  });

  it("ANCHOR_TX_TYPE=legacy sends type 0 transactions, at gas price 0 on a zero-fee chain with ANCHOR_GAS_PRICE=0", async () => {
    // A zero-fee chain: base fee 0 from the next block on (0 stays 0).
    await node.rpc("hardhat_setNextBlockBaseFeePerGas", ["0x0"]);
    await node.mine();
    const { url, shipper } = await startHub({ ANCHOR_TX_TYPE: "legacy", ANCHOR_GAS_PRICE: "0" }, "brand-legacy");
    await publish(shipper);
    await waitUntil("every batch anchored", async () => {
      const rows = await batches(url);
      return rows.length > 0 && rows.every((b) => b.status === "ANCHORED");
    });
    for (const b of await batches(url)) {
      const tx = (await node.provider.getTransaction(b.txHash!))!;
      expect(tx.type, `batch ${b.id}`).to.equal(0);
      expect(tx.gasPrice).to.equal(0n);
      expect((await rootsOnChain()).filter((r) => r === b.root)).to.have.length(1);
    }
  });
});
