import { expect } from "chai";
import { Contract } from "ethers";
import { anchorRegistryAbi } from "../../sdk/chain-abi";
import { verifyRecord } from "../../sdk/verify";
import type { SignedRecord } from "../../sdk/envelope";
import { shipment } from "../fixtures";
import { HubClient } from "../../sdk/client";
import { admit, freshDatabase, hubEnv, isPostgres, sql, startHubProcess, startTestChain, waitUntil, type TestChain } from "./harness";

interface Batch {
  id: string;
  root: string;
  leafCount: number;
  status: string;
}
interface Item {
  digest: string;
  batchId: string | null;
}

/** How many acknowledged digests are not anchored yet. */
async function unanchored(dbUrl: string): Promise<number> {
  const [row] = await sql<{ n: number }>(
    dbUrl,
    `SELECT COUNT(*) AS "n" FROM "AnchorItem" i LEFT JOIN "AnchorBatch" b ON b."id" = i."batchId" WHERE b."status" IS NULL OR b."status" <> 'ANCHORED'`,
  );
  return Number(row!.n);
}

/** Every Anchored event of the registry, from the chain itself. */
async function anchoredOnChain(chain: TestChain): Promise<{ root: string; leafCount: number }[]> {
  const registry = new Contract(chain.deployment.anchorRegistry, anchorRegistryAbi, chain.provider);
  const events = await registry.queryFilter(registry.filters.Anchored!(), 0, "latest");
  return events.map((e) => {
    const parsed = registry.interface.parseLog(e)!;
    return { root: parsed.args.getValue("root") as string, leafCount: Number(parsed.args.getValue("leafCount")) };
  });
}

/** Each acknowledged digest is in exactly one batch, each batch root is on chain exactly once. */
async function expectExactlyOnce(chain: TestChain, dbUrl: string, acknowledged: string[]): Promise<void> {
  const items = await sql<Item>(dbUrl, `SELECT "digest", "batchId" FROM "AnchorItem"`);
  const batches = await sql<Batch>(dbUrl, `SELECT "id", "root", "leafCount", "status" FROM "AnchorBatch"`);
  const byDigest = new Map(items.map((i) => [i.digest, i.batchId]));
  for (const d of acknowledged) expect(byDigest.get(d), `digest ${d} has a batch`).to.be.a("string");
  const onChain = await anchoredOnChain(chain);
  const count = new Map<string, number>();
  for (const e of onChain) count.set(e.root, (count.get(e.root) ?? 0) + 1);
  for (const b of batches) {
    expect(b.status).to.equal("ANCHORED");
    expect(count.get(b.root), `root of batch ${b.id} anchored once`).to.equal(1);
    expect(onChain.find((e) => e.root === b.root)!.leafCount).to.equal(b.leafCount);
    expect(items.filter((i) => i.batchId === b.id).length).to.equal(b.leafCount);
  }
  expect(onChain.length, "no root on chain that the hub does not know").to.equal(batches.length);
}

describe(`anchoring worker (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  let chain: TestChain;

  beforeEach(async function () {
    chain = await startTestChain();
  });
  afterEach(async function () {
    await chain?.stop();
  });

  it("SIGKILL between acknowledging records and anchoring them: after restart each is anchored exactly once", async function () {
    const database = await freshDatabase();
    try {
      // A long batch age keeps the first process from anchoring before it is killed.
      let hub = await startHubProcess(hubEnv(chain, database.url, { ANCHOR_MAX_AGE_MS: "600000", ANCHOR_BATCH_SIZE: "50", ANCHOR_LEASE_MS: "2000" }));
      const shipper = await admit(hub.url, "brand-one", ["SHIPPER"]);
      const records: SignedRecord[] = [];
      for (let i = 0; i < 3; i++) {
        const batch = Array.from({ length: 20 }, () => shipper.client.signRecord("Shipment", shipment()));
        await shipper.client.publishBatch(batch);
        records.push(...batch);
      }
      // 60 acknowledged, batch size 50: the first batch may be sealed and sent, the rest waits.
      await hub.kill();
      // Same port, so the organisation's client keeps its URL; the dead instance's lease expires first.
      hub = await startHubProcess(hubEnv(chain, database.url, { ANCHOR_BATCH_SIZE: "50", ANCHOR_LEASE_MS: "2000", PORT: new URL(hub.url).port }));
      try {
        await waitUntil("all digests anchored", async () => (await unanchored(database.url)) === 0);
        await expectExactlyOnce(
          chain,
          database.url,
          records.map((r) => r.digest),
        );
        const sample = records[records.length - 1]!;
        const proof = await shipper.client.waitForProof(sample.id);
        const verdict = await verifyRecord({ record: sample, proof, chain: { provider: chain.provider }, contracts: chain.deployment });
        expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
      } finally {
        await hub.stop();
      }
    } finally {
      await database.drop();
    }
  });

  it("retries a failed anchoring with backoff, and anchors once the chain accepts it", async function () {
    const database = await freshDatabase();
    const registry = new Contract(chain.deployment.anchorRegistry, anchorRegistryAbi, chain.operator);
    const anchorer = chain.deployment.anchorers[0]!;
    // The hub's anchorer is de-authorised: its transactions revert on chain.
    await (await registry.getFunction("setAnchorer")(anchorer, false)).wait();
    const hub = await startHubProcess(hubEnv(chain, database.url));
    try {
      const shipper = await admit(hub.url, "brand-three", ["SHIPPER"]);
      const { record } = await shipper.client.publish("Shipment", shipment());
      await waitUntil("a failed attempt", async () => {
        const [batch] = await sql<{ attempts: number; lastError: string | null }>(database.url, `SELECT "attempts", "lastError" FROM "AnchorBatch"`);
        return Boolean(batch && Number(batch.attempts) >= 1 && batch.lastError);
      });
      expect(await unanchored(database.url)).to.equal(1);
      await (await registry.getFunction("setAnchorer")(anchorer, true)).wait();
      await waitUntil("the retry anchored it", async () => (await unanchored(database.url)) === 0);
      await expectExactlyOnce(chain, database.url, [record.digest]);
      const proof = await shipper.client.getProof(record.id);
      const verdict = await verifyRecord({ record, proof, chain: { provider: chain.provider }, contracts: chain.deployment });
      expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
    } finally {
      await hub.stop();
      await database.drop();
    }
  });

  it("two hub processes on one database anchor every record exactly once", async function () {
    const database = await freshDatabase();
    const env = (id: string) => hubEnv(chain, database.url, { INSTANCE_ID: id, ANCHOR_BATCH_SIZE: "25", ANCHOR_MAX_AGE_MS: "100", ANCHOR_LEASE_MS: "1000" });
    const a = await startHubProcess(env("hub-a"));
    const b = await startHubProcess(env("hub-b"));
    try {
      const viaA = await admit(a.url, "brand-two", ["SHIPPER"]);
      const viaB = { ...viaA, client: new HubClient({ baseUrl: b.url, orgId: viaA.id, privateKey: viaA.key.privateKey }) };
      const digests: string[] = [];
      // Interleave publishing through both instances while both run their workers.
      for (let round = 0; round < 6; round++) {
        const first = round <= 3 ? viaA : viaB; // after A is killed, both streams go through B
        const batchA = Array.from({ length: 15 }, () => first.client.signRecord("Shipment", shipment()));
        const batchB = Array.from({ length: 15 }, () => viaB.client.signRecord("Shipment", shipment()));
        await Promise.all([first.client.publishBatch(batchA), viaB.client.publishBatch(batchB)]);
        digests.push(...batchA.map((r) => r.digest), ...batchB.map((r) => r.digest));
        if (round === 3) await a.kill(); // one instance dies mid-way; the other takes over its lease
      }
      await waitUntil("all digests anchored", async () => (await unanchored(database.url)) === 0);
      await expectExactlyOnce(chain, database.url, digests);
    } finally {
      await a.stop();
      await b.stop();
      await database.drop();
    }
  });

  it("a hub restarted after kill -9 without INSTANCE_ID takes its own anchoring lease back at once; two hubs side by side get different ids", async function () {
    const database = await freshDatabase();
    const LEASE_MS = 30_000;
    const env = (extra: Record<string, string> = {}) => hubEnv(chain, database.url, { ANCHOR_BATCH_SIZE: "20", ANCHOR_LEASE_MS: String(LEASE_MS), ...extra });
    let hub = await startHubProcess(env());
    let second: Awaited<ReturnType<typeof startHubProcess>> | undefined;
    try {
      const shipper = await admit(hub.url, "brand-lease", ["SHIPPER"]);
      await shipper.client.publishBatch(Array.from({ length: 20 }, () => shipper.client.signRecord("Shipment", shipment())));
      await waitUntil("the first batch anchored", async () => (await unanchored(database.url)) === 0);
      const [lease] = await sql<{ holder: string; expiresAt: unknown }>(database.url, `SELECT "holder", "expiresAt" FROM "AnchorLease"`);
      // Mid-anchoring: acknowledged records waiting, the lease freshly renewed by the process killed.
      const waiting = Array.from({ length: 60 }, () => shipper.client.signRecord("Shipment", shipment()));
      await shipper.client.publishBatch(waiting);
      await hub.kill();

      const restartedAt = Date.now();
      hub = await startHubProcess(env({ PORT: new URL(hub.url).port }));
      await waitUntil("the backlog anchored after the restart", async () => (await unanchored(database.url)) === 0, LEASE_MS);
      const resumedMs = Date.now() - restartedAt;
      expect(resumedMs, "anchoring resumed well before the dead process's lease ran out").to.be.lessThan(LEASE_MS / 3);
      const [after] = await sql<{ holder: string }>(database.url, `SELECT "holder" FROM "AnchorLease"`);
      expect(after!.holder, "the restarted hub has its predecessor's id").to.equal(lease!.holder);
      await expectExactlyOnce(
        chain,
        database.url,
        waiting.map((r) => r.digest),
      );

      // A second hub beside the first (same host, same database) is another instance, not a twin.
      second = await startHubProcess(env());
      const ids = (await sql<{ id: string }>(database.url, `SELECT "id" FROM "HubInstance" ORDER BY "id"`)).map((r) => r.id);
      expect(ids).to.have.length(2);
      expect(ids).to.include(lease!.holder);
      expect(second.output()).to.include(`hub instance ${ids.find((i) => i !== lease!.holder)!}`);
    } finally {
      await second?.stop();
      await hub.stop();
      await database.drop();
    }
  });

  it("keeps anchoring ahead of ingest: while full batches wait, the next is sealed as soon as one is anchored, not a poll interval later", async function () {
    const database = await freshDatabase();
    const POLL_MS = 3_000;
    const hub = await startHubProcess(hubEnv(chain, database.url, { ANCHOR_BATCH_SIZE: "5", ANCHOR_POLL_MS: String(POLL_MS), ANCHOR_MAX_AGE_MS: "600000" }));
    try {
      const shipper = await admit(hub.url, "brand-ingest", ["SHIPPER"]);
      const records = Array.from({ length: 40 }, () => shipper.client.signRecord("Shipment", shipment()));
      const started = Date.now();
      await shipper.client.publishBatch(records);
      // Eight full batches: one poll interval until the worker looks, then one after another.
      await waitUntil("all eight batches anchored", async () => (await unanchored(database.url)) === 0, 60_000);
      expect(Date.now() - started).to.be.lessThan(4 * POLL_MS);
      await expectExactlyOnce(
        chain,
        database.url,
        records.map((r) => r.digest),
      );
    } finally {
      await hub.stop();
      await database.drop();
    }
  });
});
