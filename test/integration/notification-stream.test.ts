import { expect } from "chai";
import type { Notification } from "../../sdk/api";
import { shipment } from "../fixtures";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";
import { waitFor } from "./harness";
import { readEvents } from "./event-stream";

describe(`notification stream, server-sent events (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(60_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let airline: TestOrg;
  let recordId: string;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url, { NOTIFICATION_STREAM_HEARTBEAT_MS: "300" }));
    forwarder = await admit(hub.url, "fwd-stream", ["FORWARDER"]);
    airline = await admit(hub.url, "airline-stream", ["AIRLINE"]);
    const { record } = await forwarder.client.publish("Shipment", shipment());
    recordId = record.id;
    await forwarder.client.grant(recordId, airline.id);
    // No webhook: the subscription feeds the stream and the feed only.
    await airline.client.createSubscription({ recordId });
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  const aborts: AbortController[] = [];
  const open = async (headers: Record<string, string> = {}, query = "") => {
    const abort = new AbortController();
    aborts.push(abort);
    return fetch(`${hub.url}/v1/notifications/stream${query}`, {
      headers: { authorization: `Bearer ${await airline.client.accessToken()}`, ...headers },
      signal: abort.signal,
    });
  };
  /** Disconnects the last stream opened. */
  const disconnect = () => aborts[aborts.length - 1]!.abort();

  it("needs a token", async function () {
    expect((await fetch(`${hub.url}/v1/notifications/stream`)).status).to.equal(401);
  });

  it("receives events live, with heartbeats, and resumes after Last-Event-ID", async function () {
    const res = await open();
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/event-stream/);
    const stream = readEvents(res);
    await forwarder.client.publish("Shipment", shipment({ pieceCount: 2 }), { id: recordId, version: 2 });
    const [first] = await waitFor("the live event", () => stream.events.length >= 1 && stream.events);
    expect(first!.event).to.equal("notification");
    expect(first!.id).to.equal(String(first!.data.seq));
    expect(first!.data).to.include({ kind: "RECORD_UPDATED", recordId, version: 2 });
    await waitFor("a heartbeat", () => stream.comments.some((c) => c.includes("heartbeat")));
    disconnect();

    // Missed while disconnected: versions 3 and 4, delivered on resumption, in order, and nothing before.
    await forwarder.client.publish("Shipment", shipment({ pieceCount: 3 }), { id: recordId, version: 3 });
    await forwarder.client.publish("Shipment", shipment({ pieceCount: 4 }), { id: recordId, version: 4 });
    const resumed = await open({ "last-event-id": first!.id });
    const again = readEvents(resumed);
    await waitFor("the missed events", () => again.events.length >= 2);
    expect(again.events.map((e) => e.data.version)).to.deep.equal([3, 4]);
    disconnect();

    // ?after= works the same; a bad position is a 400.
    const fromStart = await open({}, "?after=0");
    const all = readEvents(fromStart);
    await waitFor("the whole feed", () => all.events.length >= 3);
    expect(all.events.map((e) => e.data.version)).to.deep.equal([2, 3, 4]);
    disconnect();
    expect((await open({ "last-event-id": "abc" })).status).to.equal(400);
  });

  it("the SDK's notificationStream yields what is added, in order", async function () {
    const { notifications } = await airline.client.notifications();
    const after = notifications.at(-1)?.seq ?? 0;
    const abort = new AbortController();
    const seen: Notification[] = [];
    const reading = (async () => {
      for await (const n of airline.client.notificationStream({ after, signal: abort.signal })) {
        seen.push(n);
        if (seen.length === 2) abort.abort();
      }
    })();
    const latest = (await forwarder.client.getRecord(recordId)).record.version;
    await forwarder.client.publish("Shipment", shipment({ pieceCount: 5 }), { id: recordId, version: latest + 1 });
    await forwarder.client.publish("Shipment", shipment({ pieceCount: 6 }), { id: recordId, version: latest + 2 });
    await reading;
    expect(seen.map((n) => n.version)).to.deep.equal([latest + 1, latest + 2]);
  });

  it("closes open streams cleanly when the hub stops", async function () {
    const stream = readEvents(await open());
    const stopping = hub.stop();
    // The stream ends at once, not when the process is gone (it may still be finishing an anchor batch).
    await waitFor("the stream to end", () => stream.ended(), 2000);
    await stopping;
    expect(hub.output()).to.not.match(/failed|Error/);
  });
});
