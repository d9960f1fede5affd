// Storage faults of a real hub process: its SQLite database full (SQLITE_MAX_PAGE_COUNT stands in
// for a full disk, no root needed: the test fills the file from its own connection, which has no
// limit) and its write lock held by another process (this test process, through better-sqlite3 on
// the same file). The PostgreSQL variant holds a row lock the hub needs (lock_timeout).
import { expect } from "chai";
import BetterSqlite3 from "better-sqlite3";
import { Client as PgClient } from "pg";
import type { SignedRecord } from "../../sdk/envelope";
import { shipment } from "../fixtures";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "./harness";

const PROBLEMS = "https://cargoproof.dev/problems/";
/** A bound on answers that must not wait for the database's lock (not a speed target). */
const PROMPT_MS = 2000;
const LOCK_WAIT_MS = 3000;

interface Answer {
  status: number;
  type?: string;
  retryAfter: string | null;
  ms: number;
}

async function timed(url: string, init?: RequestInit): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(url, init);
  const body = (await res.json().catch(() => ({}))) as { type?: string };
  return { status: res.status, ...(body.type ? { type: body.type } : {}), retryAfter: res.headers.get("retry-after"), ms: Date.now() - started };
}

describe(`storage faults of a running hub (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let auth: Record<string, string>;
  const LIMIT = 4000; // pages (16 MiB)

  const publish = (record: SignedRecord) => timed(`${hub.url}/v1/records`, { method: "POST", headers: auth, body: JSON.stringify(record) });
  const sign = () => forwarder.client.signRecord("Shipment", shipment());

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url, { SQLITE_MAX_PAGE_COUNT: String(LIMIT), DB_LOCK_WAIT_MS: String(LOCK_WAIT_MS) }));
    forwarder = await admit(hub.url, "fault-forwarding", ["FORWARDER"]);
    auth = { authorization: `Bearer ${await forwarder.client.accessToken()}`, "content-type": "application/json" };
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  if (!isPostgres()) {
    it("a full database: publishes answer 503 storage-full with Retry-After, /health is degraded, and after space is freed all is well and nothing acknowledged is lost", async function () {
      const file = database.url.slice("file:".length);
      const filler = new BetterSqlite3(file);
      const acknowledged: string[] = [];
      try {
        expect((await publish(sign())).status).to.equal(201);
        // Fill the file (from a connection without the hub's limit) to a few pages short of it.
        filler.exec(`CREATE TABLE "_filler" ("b" BLOB)`);
        const pages = () => Number((filler.pragma("page_count") as { page_count: number }[])[0]!.page_count);
        const add = filler.prepare(`INSERT INTO "_filler" ("b") VALUES (randomblob(3000))`);
        filler.transaction(() => {
          while (pages() < LIMIT - 25) for (let i = 0; i < 50; i++) add.run();
        })();

        let full: Answer | undefined;
        const refused: SignedRecord[] = [];
        for (let i = 0; i < 400 && !full; i++) {
          const record = sign();
          const answer = await publish(record);
          if (answer.status === 201) acknowledged.push(record.id);
          else {
            full = answer;
            refused.push(record);
          }
        }
        expect(full, "the database filled up").to.not.equal(undefined);
        expect(full!.status).to.equal(503);
        expect(full!.type).to.equal(PROBLEMS + "storage-full");
        expect(Number(full!.retryAfter)).to.be.greaterThan(0);
        const health = await timed(`${hub.url}/health`);
        expect([health.status, health.type]).to.deep.equal([503, PROBLEMS + "storage-full"]);
        expect(health.retryAfter).to.not.equal(null);
        // The refused publication changed nothing: its id is unknown.
        expect((await timed(`${hub.url}/v1/records/${refused[0]!.id}`, { headers: auth })).status).to.equal(404);

        // Space comes back (the filler's pages go to the free list the hub reuses).
        filler.exec(`DROP TABLE "_filler"`);
        const again = await publish(refused[0]!);
        expect(again.status, "the refused record publishes once there is space").to.equal(201);
        acknowledged.push(refused[0]!.id);
        for (let i = 0; i < 5; i++) {
          const record = sign();
          expect((await publish(record)).status).to.equal(201);
          acknowledged.push(record.id);
        }
        // /health recovers by itself once the faults stop.
        await waitFor("/health ok again", async () => (await timed(`${hub.url}/health`)).status === 200, 15_000);
        // Every acknowledged record is there and anchored (the anchoring worker backed off and resumed).
        for (const id of acknowledged) expect(await forwarder.client.waitForProof(id, undefined, 30_000)).to.not.equal(undefined);
        expect((await forwarder.client.getRecord(acknowledged[0]!)).anchor.status).to.equal("ANCHORED");
        expect(hub.output()).to.match(/\[storage\] storage-full \(SQLITE_FULL\)/);
      } finally {
        filler.close();
      }
    });

    it("a write lock held by another process: /health and reads answer at once, a publish answers 503 storage-busy within the bound, and publishes succeed after release", async function () {
      const file = database.url.slice("file:".length);
      const holder = new BetterSqlite3(file);
      try {
        holder.exec("BEGIN IMMEDIATE");
        const heldAt = Date.now();
        const busy = publish(sign());
        await new Promise((r) => setTimeout(r, 300));
        // While the publish waits for the lock, the hub still answers.
        const health = await timed(`${hub.url}/health`);
        expect(health.ms, "/health while the lock is held").to.be.lessThan(PROMPT_MS);
        const read = await timed(`${hub.url}/v1/notifications`, { headers: auth });
        expect(read.status).to.equal(200);
        expect(read.ms, "a read while the lock is held").to.be.lessThan(PROMPT_MS);
        const refused = await busy;
        expect([refused.status, refused.type]).to.deep.equal([503, PROBLEMS + "storage-busy"]);
        expect(Number(refused.retryAfter)).to.be.greaterThan(0);
        expect(Date.now() - heldAt, "refused within the bound").to.be.lessThan(LOCK_WAIT_MS + PROMPT_MS);
        expect((await timed(`${hub.url}/health`)).ms).to.be.lessThan(PROMPT_MS);

        // A publish that starts while the lock is held and ends after its release waits and succeeds.
        const waiting = publish(sign());
        await new Promise((r) => setTimeout(r, 500));
        holder.exec("ROLLBACK");
        expect((await waiting).status).to.equal(201);
      } finally {
        if (holder.inTransaction) holder.exec("ROLLBACK");
        holder.close();
      }
      expect((await publish(sign())).status).to.equal(201);
    });
  } else {
    it("a table lock held by another session: a publish answers 503 storage-busy (lock_timeout), /health answers, publishes succeed after release", async function () {
      const holder = new PgClient({ connectionString: database.url });
      await holder.connect();
      try {
        // Every publication inserts a record version: that table is locked against writers (readers may go on).
        await holder.query("BEGIN");
        await holder.query(`LOCK TABLE "RecordVersion" IN EXCLUSIVE MODE`);
        const started = Date.now();
        const busy = publish(sign());
        await new Promise((r) => setTimeout(r, 300));
        expect((await timed(`${hub.url}/health`)).ms).to.be.lessThan(PROMPT_MS);
        const refused = await busy;
        expect([refused.status, refused.type]).to.deep.equal([503, PROBLEMS + "storage-busy"]);
        expect(Date.now() - started).to.be.lessThan(LOCK_WAIT_MS + PROMPT_MS);
        await holder.query("ROLLBACK");
      } finally {
        await holder.end();
      }
      expect((await publish(sign())).status).to.equal(201);
    });
  }
});
