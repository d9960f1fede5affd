// Several hub processes on one database: what must happen once per hub happens once, not once per instance.
import { expect } from "chai";
import { HubClient } from "../../sdk/client";
import { shipment } from "../fixtures";
import { readEvents } from "./event-stream";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  METRICS_TOKEN,
  sql,
  startHubProcess,
  startTestChain,
  waitFor,
  type HubProcess,
  type TestChain,
} from "./harness";

interface Pass {
  instance: string;
  start: number;
  end: number;
  outcome: string;
}

/** The self-audit passes a hub logged ("[audit <id>] self-audit pass <start> to <end>: <outcome>"). */
function passesOf(hub: HubProcess): Pass[] {
  return [...hub.output().matchAll(/\[audit (\S+)\] self-audit pass (\S+) to (\S+): (\w+)/g)].map((m) => ({
    instance: m[1]!,
    start: Date.parse(m[2]!),
    end: Date.parse(m[3]!),
    outcome: m[4]!,
  }));
}

describe(`several hub instances on one database (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;

  before(async function () {
    chain = await startTestChain();
  });

  after(async function () {
    await chain?.stop();
  });

  it("one self-audit pass at a time, one per interval across the hub; another instance takes over when its holder stops", async function () {
    const INTERVAL_MS = 400;
    const database = await freshDatabase();
    const env = (id: string) => hubEnv(chain, database.url, { INSTANCE_ID: id, AUDIT_INTERVAL_MS: String(INTERVAL_MS) });
    const a = await startHubProcess(env("hub-a"));
    const b = await startHubProcess(env("hub-b"));
    const hubs = { "hub-a": a, "hub-b": b };
    try {
      // Something to audit.
      const shipper = await admit(a.url, "brand-audit", ["SHIPPER"]);
      await shipper.client.publishBatch(Array.from({ length: 5 }, () => shipper.client.signRecord("Shipment", shipment())));
      const publishedAt = Date.now();
      // Passes that began after the publication (earlier ones, started while the hubs were being set
      // up, audited fewer records): /metrics must show one of them, from whichever instance.
      const since = () => [...passesOf(a), ...passesOf(b)].filter((p) => p.start >= publishedAt);
      await waitFor("three self-audit passes after the publication", () => since().length >= 3, 60_000);
      expect(
        since().map((p) => p.outcome),
        [a, b].map((h) => h.output()).join("\n"),
      ).to.deep.equal(since().map(() => "clean"));

      const [lease] = await sql<{ holder: string }>(database.url, `SELECT "holder" FROM "AnchorLease" WHERE "name" = 'self-audit'`);
      expect(lease?.holder).to.be.oneOf(["hub-a", "hub-b"]);
      const holder = lease!.holder as keyof typeof hubs;
      const other = holder === "hub-a" ? "hub-b" : "hub-a";
      // Every instance's /metrics shows the latest pass, whichever instance ran it.
      for (const hub of [a, b]) {
        const text = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
        expect(text, `${hub.url}/metrics`).to.match(/^cargoproof_audit_clean 1$/m);
        expect(Number(/^cargoproof_audit_records_checked (\d+)$/m.exec(text)?.[1]), `${hub.url}/metrics`).to.be.at.least(5);
      }
      const before = [...passesOf(a), ...passesOf(b)].sort((x, y) => x.start - y.start);
      expect(
        before.map((p) => p.instance),
        "the holder alone audits while it runs",
      ).to.deep.equal(before.map(() => holder));

      await hubs[holder].stop();
      await waitFor(`a self-audit pass by ${other}`, () => passesOf(hubs[other]).length >= 2, 30_000);
      const all = [...before, ...passesOf(hubs[other])].sort((x, y) => x.start - y.start);
      expect(all.filter((p) => p.instance === other)).to.have.length.at.least(2);
      for (let i = 1; i < all.length; i++) {
        // Never two at once; the next one an interval after the last ended (a timer may fire a little early).
        expect(all[i]!.start - all[i - 1]!.end, `pass ${i} starts an interval after pass ${i - 1} ended`).to.be.at.least(INTERVAL_MS - 20);
      }
      const [after] = await sql<{ holder: string }>(database.url, `SELECT "holder" FROM "AnchorLease" WHERE "name" = 'self-audit'`);
      expect(after!.holder).to.equal(other);
    } finally {
      await a.stop();
      await b.stop();
      await database.drop();
    }
  });

  it("rate limits count across instances: two hubs together allow exactly the limit for one client, then 429 with Retry-After; a hub whose store fails limits alone", async function () {
    const LIMIT = 8;
    const database = await freshDatabase();
    const env = (id: string) => hubEnv(chain, database.url, { INSTANCE_ID: id, VERIFY_RATE_PER_MIN: String(LIMIT) });
    const a = await startHubProcess(env("hub-a"));
    const b = await startHubProcess(env("hub-b"));
    let c: HubProcess | undefined;
    const verify = (hub: HubProcess) => fetch(`${hub.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    try {
      // All at once, half through each hub: the shared count admits exactly LIMIT of them.
      const answers = await Promise.all(Array.from({ length: 3 * LIMIT }, (_, i) => verify(i % 2 === 0 ? a : b)));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).to.have.length(LIMIT);
      expect(statuses.filter((s) => s === 429)).to.have.length(2 * LIMIT);
      for (const hub of [a, b]) {
        const refused = await verify(hub);
        expect(refused.status).to.equal(429);
        expect(Number(refused.headers.get("retry-after"))).to.be.within(1, 60);
        const problem = (await refused.json()) as { type: string; status: number; detail: string };
        expect(problem.type).to.match(/rate-limited$/);
        expect(problem).to.include({ status: 429, detail: `At most ${LIMIT} requests a minute; retry in ${refused.headers.get("retry-after")} s.` });
      }
      const [row] = await sql<{ points: unknown }>(database.url, `SELECT "points" FROM "RateLimit" WHERE "key" LIKE 'verify%'`);
      expect(Number(row!.points)).to.be.at.least(LIMIT + 1);

      // The shared count gone (its table dropped behind the hubs' backs): a new instance counts in
      // memory with the same limit, neither refusing everything nor letting everything through.
      await sql(database.url, `DROP TABLE "RateLimit"`);
      c = await startHubProcess(env("hub-c"));
      const alone = [];
      for (let i = 0; i < LIMIT + 2; i++) alone.push((await verify(c)).status);
      expect(alone).to.deep.equal([...Array<number>(LIMIT).fill(200), 429, 429]);
    } finally {
      await c?.stop();
      await a.stop();
      await b.stop();
      await database.drop();
    }
  });

  // PostgreSQL: LISTEN/NOTIFY wakes the other instance at once, the slow poll set to 30 s. SQLite
  // keeps the poll, here 1 s: the event still crosses instances, within a poll.
  const POLL_MS = isPostgres() ? 30_000 : 1000;
  it("a subscription made through one hub applies at once to a publication through another", async function () {
    const database = await freshDatabase();
    const a = await startHubProcess(hubEnv(chain, database.url, { INSTANCE_ID: "hub-a" }));
    const b = await startHubProcess(hubEnv(chain, database.url, { INSTANCE_ID: "hub-b" }));
    try {
      const forwarder = await admit(a.url, "fwd-watch", ["FORWARDER"]);
      const airline = await admit(a.url, "airline-watch", ["AIRLINE"]);
      const forwarderOnB = new HubClient({ baseUrl: b.url, orgId: forwarder.id, privateKey: forwarder.key.privateKey });
      // Hub B publishes while nothing is watched: it has just seen "no watches".
      const { record } = await forwarderOnB.publish("Shipment", shipment());
      await forwarder.client.grant(record.id, airline.id);
      await airline.client.createSubscription({ recordId: record.id });
      // Acknowledged on A; the very next publication on B must find it.
      await forwarderOnB.publish("Shipment", shipment({ pieceCount: 2 }), { id: record.id, version: 2 });
      const { notifications } = await airline.client.notifications();
      expect(notifications.map((n) => [n.kind, n.recordId, n.version])).to.deep.include(["RECORD_UPDATED", record.id, 2]);
    } finally {
      await a.stop();
      await b.stop();
      await database.drop();
    }
  });

  it(`a stream on one hub receives a notification caused by a publish on another ${isPostgres() ? "at once (LISTEN/NOTIFY)" : "within the poll"}`, async function () {
    const database = await freshDatabase();
    const env = (id: string) => hubEnv(chain, database.url, { INSTANCE_ID: id, NOTIFICATION_STREAM_POLL_MS: String(POLL_MS) });
    const a = await startHubProcess(env("hub-a"));
    const b = await startHubProcess(env("hub-b"));
    const abort = new AbortController();
    try {
      const forwarder = await admit(a.url, "fwd-fan-out", ["FORWARDER"]);
      const airline = await admit(a.url, "airline-fan-out", ["AIRLINE"]);
      const { record } = await forwarder.client.publish("Shipment", shipment());
      await forwarder.client.grant(record.id, airline.id);
      await airline.client.createSubscription({ recordId: record.id });
      const airlineOnB = new HubClient({ baseUrl: b.url, orgId: airline.id, privateKey: airline.key.privateKey });
      const res = await fetch(`${b.url}/v1/notifications/stream`, {
        headers: { authorization: `Bearer ${await airlineOnB.accessToken()}` },
        signal: abort.signal,
      });
      expect(res.status).to.equal(200);
      const stream = readEvents(res);
      // Past the stream's first read, so the event can only come from a wake-up or the poll.
      await new Promise((r) => setTimeout(r, 300));

      for (let version = 2; version <= 4; version++) {
        const published = Date.now();
        await forwarder.client.publish("Shipment", shipment({ pieceCount: version }), { id: record.id, version });
        const event = await waitFor(`version ${version} on hub B`, () => stream.events.find((e) => e.data.version === version), 2 * POLL_MS + 5000);
        const ms = Date.now() - published;
        expect(event.data).to.include({ kind: "RECORD_UPDATED", recordId: record.id });
        expect(ms, `version ${version} reached hub B's stream in ${ms} ms`).to.be.lessThan(isPostgres() ? 2000 : POLL_MS + 1500);
      }
      expect(stream.events.map((e) => e.data.version)).to.deep.equal([2, 3, 4]);
    } finally {
      abort.abort();
      await a.stop();
      await b.stop();
      await database.drop();
    }
  });
});
