import { expect } from "chai";
import { HubError } from "../../sdk/client";
import { verifyWebhookSignature } from "../../sdk/webhook";
import { shipment } from "../fixtures";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "./harness";
import { type ReceivedCall, webhookReceivers } from "./webhook-receiver";

const statusOf = async (p: Promise<unknown>) =>
  (
    (await p.then(
      () => undefined,
      (e: unknown) => e,
    )) as HubError | undefined
  )?.status;

describe(`webhooks (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(90_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let airline: TestOrg;
  let handler: TestOrg;
  const { receiver, stopAll: stopReceivers } = webhookReceivers();

  const env = () =>
    hubEnv(chain, database.url, {
      WEBHOOK_ALLOW_PRIVATE: "true",
      WEBHOOK_RETRY_BASE_MS: "50",
      WEBHOOK_MAX_ATTEMPTS: "8",
      WEBHOOK_TIMEOUT_MS: "1000",
      WEBHOOK_POLL_MS: "300",
    });

  /** A shipment of the forwarder's, readable by the airline. */
  async function sharedShipment(): Promise<string> {
    const { record } = await forwarder.client.publish("Shipment", shipment());
    await forwarder.client.grant(record.id, airline.id);
    return record.id;
  }

  const publishVersion = (id: string, version: number, pieceCount = version) => forwarder.client.publish("Shipment", shipment({ pieceCount }), { id, version });

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(env());
    forwarder = await admit(hub.url, "fwd-hooks", ["FORWARDER"]);
    airline = await admit(hub.url, "airline-hooks", ["AIRLINE"]);
    handler = await admit(hub.url, "handler-hooks", ["HANDLER"]);
  });

  after(async function () {
    await stopReceivers();
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("delivers signed calls for a subscribed record; the receiver's check fails on a tampered body", async function () {
    const id = await sharedShipment();
    const rx = await receiver();
    const created = await airline.client.createSubscription({ recordId: id, delivery: { type: "webhook", url: rx.url } });
    expect(created.secret).to.match(/^whsec_/);
    // The secret is shown once.
    expect(await airline.client.subscription(created.id)).to.not.have.property("secret");

    await publishVersion(id, 2, 13);
    await publishVersion(id, 3, 13);
    const calls = await waitFor("two calls", () => rx.unique().length >= 2 && rx.unique());
    expect(calls.map((c) => c.body.version)).to.deep.equal([2, 3]);
    const [first, second] = calls as [ReceivedCall, ReceivedCall];
    expect(first.body).to.include({ kind: "RECORD_UPDATED", recordId: id, subscriptionId: created.id });
    expect(first.body.detail).to.deep.equal({ type: "Shipment", version: 2, changed: ["pieceCount"] });
    expect(second.body.detail).to.deep.equal({ type: "Shipment", version: 3, changed: [] });
    expect(first.headers["content-type"]).to.equal("application/json");
    expect(first.headers["cargoproof-delivery"]).to.equal(`${created.id}:${first.body.id}`);
    expect(verifyWebhookSignature(created.secret!, first.headers, first.rawBody)).to.equal(true);
    expect(verifyWebhookSignature(created.secret!, first.headers, first.rawBody.replace('"version":2', '"version":9'))).to.equal(false);
    expect(verifyWebhookSignature("whsec_" + "x".repeat(40), first.headers, first.rawBody)).to.equal(false);

    // The delivery log is the subscriber's: one DELIVERED attempt each.
    const log = await airline.client.deliveries(created.id);
    expect(log.deliveries.map((d) => [d.notificationSeq, d.outcome, d.statusCode])).to.deep.equal([
      [first.body.id, "DELIVERED", 200],
      [second.body.id, "DELIVERED", 200],
    ]);
    // The publisher itself is not told about its own versions.
    expect((await forwarder.client.notifications()).notifications.filter((n) => n.recordId === id)).to.deep.equal([]);
  });

  it("a receiver that answers 503, then is down, then recovers gets every notification once, in order per record", async function () {
    const ids = [await sharedShipment(), await sharedShipment(), await sharedShipment()];
    const rx = await receiver();
    const port = rx.port;
    const sub = await airline.client.createSubscription({ recordType: "Shipment", kinds: ["RECORD_UPDATED"], delivery: { type: "webhook", url: rx.url } });
    rx.status = 503;
    for (const version of [2, 3, 4]) for (const id of ids) await publishVersion(id, version);
    await waitFor("a few refused calls", () => rx.hits >= 2);
    await rx.stop(); // connection refused for a while: until the worker has met the refusal at least once
    const refusedOnce = async () =>
      (await airline.client.deliveries(sub.id, 0, 1000)).deliveries.some((d) => d.outcome === "FAILED" && /ECONNREFUSED/.test(d.error ?? ""));
    await waitFor("a refused connection", refusedOnce, 60_000);
    rx.status = 200;
    await rx.start(port);

    const calls = await waitFor("nine notifications", () => rx.unique().length >= 9 && rx.unique());
    await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
    expect(rx.unique()).to.have.length(9);
    for (const id of ids) expect(calls.filter((c) => c.body.recordId === id).map((c) => c.body.version)).to.deep.equal([2, 3, 4]);
    const seqs = calls.map((c) => c.body.id);
    expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));

    const log = (await airline.client.deliveries(sub.id, 0, 1000)).deliveries;
    expect(log.filter((d) => d.outcome === "FAILED" && d.statusCode === 503)).to.have.length.above(0);
    expect(log.filter((d) => d.outcome === "FAILED" && /ECONNREFUSED/.test(d.error ?? ""))).to.have.length.above(0);
    expect(log.filter((d) => d.outcome === "DELIVERED")).to.have.length(9);
    expect(await airline.client.deadLetters(sub.id)).to.deep.equal([]);
  });

  it("after the last attempt a notification is dead-lettered, later ones go on, and redelivery works", async function () {
    const id = await sharedShipment();
    const rx = await receiver();
    rx.status = 500;
    const sub = await airline.client.createSubscription({ recordId: id, delivery: { type: "webhook", url: rx.url, secret: "s".repeat(32) } });
    expect(sub).to.not.have.property("secret"); // a secret the subscriber gave is not echoed
    await publishVersion(id, 2);
    const [dead] = await waitFor("a dead letter", async () => {
      const letters = await airline.client.deadLetters(sub.id);
      return letters.length > 0 && letters;
    });
    expect(dead!.attempts).to.equal(8);
    expect(dead!.notification).to.include({ kind: "RECORD_UPDATED", recordId: id, version: 2 });
    expect(dead!.lastError).to.equal("HTTP 500");
    expect(rx.hits).to.equal(8);
    const log = (await airline.client.deliveries(sub.id)).deliveries;
    expect(log.map((d) => d.outcome)).to.deep.equal([...Array(7).fill("FAILED"), "DEAD_LETTERED"]);

    rx.status = 200;
    await publishVersion(id, 3);
    await waitFor("version 3 delivered", () => rx.unique().some((c) => c.body.version === 3));
    expect(rx.unique().map((c) => c.body.version)).to.deep.equal([3]);

    const result = await airline.client.redeliver(sub.id, dead!.id);
    expect(result).to.deep.equal({ delivered: true, statusCode: 200 });
    expect(rx.unique().map((c) => c.body.version)).to.deep.equal([3, 2]);
    expect(verifyWebhookSignature("s".repeat(32), rx.calls[1]!.headers, rx.calls[1]!.rawBody)).to.equal(true);
    const [after] = await airline.client.deadLetters(sub.id);
    expect(after!.deliveredAt).to.be.a("string");
  });

  it("another organisation can neither see nor delete a subscription, its log or dead letters (404)", async function () {
    const id = await sharedShipment();
    const sub = await airline.client.createSubscription({ recordId: id });
    expect(await statusOf(handler.client.subscription(sub.id))).to.equal(404);
    expect(await statusOf(handler.client.deliveries(sub.id))).to.equal(404);
    expect(await statusOf(handler.client.deadLetters(sub.id))).to.equal(404);
    expect(await statusOf(handler.client.redeliver(sub.id, "x"))).to.equal(404);
    expect(await statusOf(handler.client.deleteSubscription(sub.id))).to.equal(404);
    expect((await handler.client.subscriptions()).map((s) => s.id)).to.not.include(sub.id);
    expect((await airline.client.subscriptions()).map((s) => s.id)).to.include(sub.id);
    await airline.client.deleteSubscription(sub.id);
    expect(await statusOf(airline.client.subscription(sub.id))).to.equal(404);
  });

  it("subscribing to a record the caller cannot read is the same 404 as to one that does not exist", async function () {
    const { record } = await forwarder.client.publish("Shipment", shipment());
    const hidden = await handler.client.createSubscription({ recordId: record.id }).catch((e: unknown) => e as HubError);
    const missing = await handler.client.createSubscription({ recordId: "no-such-record" }).catch((e: unknown) => e as HubError);
    expect(hidden).to.be.instanceOf(HubError);
    expect((hidden as HubError).status).to.equal(404);
    expect({ ...(hidden as HubError).problem, instance: undefined }).to.deep.equal({ ...(missing as HubError).problem, instance: undefined });
    expect(await statusOf(handler.client.createSubscription({ recordType: "NoSuchType" }))).to.equal(400);
    expect(await statusOf(handler.client.createSubscription({ delivery: { type: "webhook", url: "ftp://example.com/x" } }))).to.equal(400);
    expect(await statusOf(handler.client.createSubscription({ delivery: { type: "webhook", url: "http://example.com/x", secret: "short" } }))).to.equal(400);
  });

  it("a type subscription only hears of records the subscriber may read; revoking the grant stops delivery at once", async function () {
    const rx = await receiver();
    await handler.client.createSubscription({ recordType: "Shipment", delivery: { type: "webhook", url: rx.url } });
    const { record: secret } = await forwarder.client.publish("Shipment", shipment());
    const { record: shared } = await forwarder.client.publish("Shipment", shipment());
    await forwarder.client.grant(shared.id, handler.id);
    await publishVersion(secret.id, 2);
    await publishVersion(shared.id, 2);
    await waitFor("the shared record's update", () => rx.unique().length >= 1);
    rx.status = 503; // the next one waits in retries...
    await publishVersion(shared.id, 3);
    await waitFor("a refused call", () => rx.hits >= 2);
    await forwarder.client.revokeGrant(shared.id, handler.id); // ...and is then no longer readable
    rx.status = 200;
    await publishVersion(shared.id, 4); // after the revocation: not even in the feed
    await new Promise((r) => setTimeout(r, 1500));
    expect(rx.unique().map((c) => [c.body.recordId, c.body.version])).to.deep.equal([[shared.id, 2]]);
    const feed = (await handler.client.notifications()).notifications.filter((n) => n.kind === "RECORD_UPDATED");
    expect(feed.map((n) => [n.recordId, n.version])).to.deep.equal([
      [shared.id, 2],
      [shared.id, 3],
    ]);
  });

  it("filters on detail fields: only versions that change a named property", async function () {
    const id = await sharedShipment();
    const rx = await receiver();
    await airline.client.createSubscription({ recordId: id, filter: { changed: ["pieceCount"] }, delivery: { type: "webhook", url: rx.url } });
    await publishVersion(id, 2, 5); // pieceCount changes
    await publishVersion(id, 3, 5); // nothing changes
    await publishVersion(id, 4, 6); // pieceCount changes
    await waitFor("two calls", () => rx.unique().length >= 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.unique().map((c) => c.body.version)).to.deep.equal([2, 4]);
  });

  it("refuses loopback and private webhook addresses unless WEBHOOK_ALLOW_PRIVATE is set", async function () {
    // A second instance on the same database, with the default (private addresses refused).
    const strict = await startHubProcess({ ...env(), WEBHOOK_ALLOW_PRIVATE: "false", WEBHOOK_WORKER: "off" });
    try {
      const client = new (airline.client.constructor as typeof import("../../sdk/client").HubClient)({
        baseUrl: strict.url,
        orgId: airline.id,
        privateKey: airline.key.privateKey,
      });
      for (const url of [
        "http://127.0.0.1:9/x",
        "http://localhost:9/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest",
        "http://[::1]:9/x",
        "http://192.168.0.10/x",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://[::127.0.0.1]/",
        "http://[::ffff:0:7f00:1]/",
        "http://[64:ff9b:1::7f00:1]/",
        "http://[2002:7f00:1::1]/",
      ]) {
        const err = await client.createSubscription({ delivery: { type: "webhook", url } }).catch((e: unknown) => e as HubError);
        expect(err, url).to.be.instanceOf(HubError);
        expect((err as HubError).status, url).to.equal(400);
        expect((err as HubError).problem.errors?.[0]?.path, url).to.equal("delivery.url");
      }
    } finally {
      await strict.stop();
    }
    // The test hub allows them (WEBHOOK_ALLOW_PRIVATE=true).
    const ok = await airline.client.createSubscription({ delivery: { type: "webhook", url: "http://127.0.0.1:9/x" } });
    await airline.client.deleteSubscription(ok.id);
  });
});
