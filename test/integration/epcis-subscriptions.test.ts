import { expect } from "chai";
import { createHmac } from "node:crypto";
import { HubClient } from "../../sdk/client";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  operatorClient,
  startHubProcess,
  startTestChain,
  waitUntil,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";
import { WebhookReceiver, type ReceivedCall, webhookReceivers } from "./webhook-receiver";

const CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"];

let serial = 70_000;
/** An ObjectEvent with a fresh EPC; `bizStep` keeps each test's events apart. */
function objectEvent(bizStep: string): Record<string, unknown> {
  serial += 1;
  return {
    type: "ObjectEvent",
    action: "OBSERVE",
    bizStep,
    epcList: [`urn:epc:id:sgtin:0614141.107346.${serial}`],
    eventTime: "2024-06-01T10:00:00.000Z",
    eventTimeZoneOffset: "+00:00",
  };
}
const epcOf = (e: Record<string, unknown>) => (e.epcList as string[])[0]!;

type QueryDocument = {
  type: string;
  epcisBody: { queryResults: { queryName: string; subscriptionID: string; resultsBody: { eventList: Record<string, unknown>[] } } };
};
const documentOf = (c: ReceivedCall) => JSON.parse(c.rawBody) as QueryDocument;
/** The EPCs of the events a receiver accepted, one delivery id counted once, in arrival order. */
const deliveredEpcs = (r: WebhookReceiver) => r.unique().flatMap((c) => documentOf(c).epcisBody.queryResults.resultsBody.eventList.map(epcOf));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`EPCIS query subscriptions (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let fwd: TestOrg;
  let outsider: TestOrg;
  const { receiver, stopAll: stopReceivers } = webhookReceivers();

  const env = () =>
    hubEnv(chain, database.url, {
      WEBHOOK_ALLOW_PRIVATE: "true",
      WEBHOOK_RETRY_BASE_MS: "50",
      WEBHOOK_MAX_ATTEMPTS: "20",
      WEBHOOK_TIMEOUT_MS: "1000",
      WEBHOOK_POLL_MS: "300",
    });

  async function api(org: TestOrg, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${hub.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await org.client.accessToken()}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  /** Captures the events in one document and waits for the job; returns their record ids. */
  async function capture(org: TestOrg, events: Record<string, unknown>[], client = org.client): Promise<string[]> {
    const id = await client.captureEpcis({
      "@context": CONTEXT,
      type: "EPCISDocument",
      schemaVersion: "2.0",
      creationDate: new Date().toISOString(),
      epcisBody: { eventList: events },
    });
    const job = await client.waitForCapture(id);
    expect(job.success, JSON.stringify(job.errors)).to.equal(true);
    return job.events.map((e) => String(e.recordId));
  }

  async function namedQuery(org: TestOrg, name: string, query: Record<string, unknown>): Promise<void> {
    expect((await api(org, "POST", "/epcis/queries", { name, query })).status).to.equal(201);
  }

  async function subscribe(
    org: TestOrg,
    name: string,
    body: Record<string, unknown>,
  ): Promise<{ id: string; location: string; view: Record<string, unknown> }> {
    const res = await api(org, "POST", `/epcis/queries/${name}/subscriptions`, body);
    const view = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(view)).to.equal(201);
    return { id: String(view.subscriptionID), location: res.headers.get("location")!, view };
  }

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(env());
    [fwd, outsider] = await Promise.all([admit(hub.url, "fwd-subs", ["FORWARDER"]), admit(hub.url, "outsider-subs", ["SHIPPER"])]);
  });

  after(async function () {
    await stopReceivers();
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("streams each newly captured matching event once, signed with GS1-Signature (HMAC-SHA256 of the body, keyed with the signatureToken)", async function () {
    const r = await receiver();
    const token = "13df38d8275b13f05704629e5f1cf3d45d6132d5";
    await namedQuery(fwd, "Receiving", { EQ_bizStep: ["receiving"] });
    const sub = await subscribe(fwd, "Receiving", { dest: r.url, signatureToken: token, stream: true });
    expect(sub.location).to.equal(`/epcis/queries/Receiving/subscriptions/${sub.id}`);
    expect(sub.view).to.not.have.property("signatureToken");

    const [a, b, other] = [objectEvent("receiving"), objectEvent("receiving"), objectEvent("shipping")];
    await capture(fwd, [a, b, other]);
    const c = objectEvent("receiving");
    await capture(fwd, [c]);
    await waitUntil("three streamed events", async () => deliveredEpcs(r).length >= 3, 20_000);
    await sleep(1500); // nothing more comes

    expect(deliveredEpcs(r).sort()).to.deep.equal([a, b, c].map(epcOf).sort());
    expect(deliveredEpcs(r).indexOf(epcOf(c))).to.equal(2); // the later capture after the earlier one
    for (const call of r.calls) {
      const expected = createHmac("sha256", token).update(Buffer.from(call.rawBody, "utf8")).digest("base64");
      expect(call.headers["gs1-signature"]).to.equal(expected);
      expect(call.headers["content-type"]).to.match(/^application\/json/);
      const doc = documentOf(call);
      expect(doc.type).to.equal("EPCISQueryDocument");
      expect(doc.epcisBody.queryResults).to.include({ queryName: "Receiving", subscriptionID: sub.id });
    }
    // A document tampered with no longer matches its signature.
    const first = r.calls[0]!;
    expect(createHmac("sha256", token).update(first.rawBody.replace("receiving", "shipping")).digest("base64")).to.not.equal(first.headers["gs1-signature"]);

    const shown = (await (await api(fwd, "GET", sub.location)).json()) as Record<string, unknown>;
    expect(shown).to.include({ subscriptionID: sub.id, queryName: "Receiving", dest: r.url, stream: true });
    expect(shown).to.have.property("lastNotifiedAt");
    expect(shown).to.not.have.property("signatureToken");
    // The binding's discovery: OPTIONS names the methods of both resources.
    const options = await api(fwd, "OPTIONS", "/epcis/queries/Receiving/subscriptions");
    expect(options.status).to.equal(204);
    expect(options.headers.get("allow")).to.include("POST").and.include("GET");
    expect((await api(fwd, "OPTIONS", sub.location)).headers.get("allow")).to.include("DELETE");
  });

  it("delivers every event exactly once and in order after the receiver was down (closed, then 503) for a while", async function () {
    const r = await receiver();
    await namedQuery(fwd, "Loading", { EQ_bizStep: ["loading"] });
    const sub = await subscribe(fwd, "Loading", { dest: r.url, stream: true });
    const port = r.port;
    await r.stop(); // connections refused

    const events = [objectEvent("loading"), objectEvent("loading"), objectEvent("loading"), objectEvent("loading")];
    for (const e of events) await capture(fwd, [e]);
    await sleep(1000);
    r.status = 503;
    await r.start(port);
    await waitUntil("the receiver to be called while answering 503", async () => r.hits > 0, 20_000);
    await sleep(500);
    r.status = 200;
    await waitUntil("all four events", async () => deliveredEpcs(r).length >= 4, 30_000);
    await sleep(1000);

    expect(deliveredEpcs(r)).to.deep.equal(events.map(epcOf)); // each once, in capture order
    expect(r.calls.length).to.equal(r.unique().length); // nothing accepted twice
    const attempts = (await (await api(fwd, "GET", `/v1/subscriptions/${sub.id}/deliveries`)).json()) as {
      deliveries: { outcome: string; deliveryId: string }[];
    };
    expect(attempts.deliveries.some((d) => d.outcome === "FAILED")).to.equal(true);
    expect(attempts.deliveries.filter((d) => d.outcome === "DELIVERED")).to.have.length(r.unique().length);
    expect(r.unique().map((c) => c.headers["cargoproof-delivery"])).to.deep.equal(
      attempts.deliveries.filter((d) => d.outcome === "DELIVERED").map((d) => d.deliveryId),
    );
  });

  it("reports on a per-second schedule from initialRecordTime, with empty documents only where reportIfEmpty", async function () {
    await namedQuery(fwd, "Storing", { EQ_bizStep: ["storing"] });
    const before = objectEvent("storing");
    await capture(fwd, [before]);
    await sleep(50);
    const initialRecordTime = new Date().toISOString();
    await sleep(50);
    const after = objectEvent("storing");
    await capture(fwd, [after]);

    const empty = await receiver();
    const quiet = await receiver();
    const schedule = { second: "[0-59]" };
    const withEmpty = await subscribe(fwd, "Storing", { dest: empty.url, schedule, reportIfEmpty: true, initialRecordTime });
    await subscribe(fwd, "Storing", { dest: quiet.url, schedule, initialRecordTime });
    expect(withEmpty.view).to.include({ reportIfEmpty: true, initialRecordTime, minRecordTime: initialRecordTime });
    expect(withEmpty.view.schedule).to.deep.equal(schedule);

    await waitUntil("the first report", async () => deliveredEpcs(quiet).length >= 1, 15_000);
    const later = objectEvent("storing");
    await capture(fwd, [later]);
    await waitUntil("the later event's report", async () => deliveredEpcs(quiet).length >= 2, 15_000);
    await sleep(2500);

    // Events captured before initialRecordTime are never sent; each one after it in exactly one report.
    expect(deliveredEpcs(quiet)).to.deep.equal([epcOf(after), epcOf(later)]);
    expect(deliveredEpcs(empty)).to.deep.equal([epcOf(after), epcOf(later)]);
    expect(quiet.unique()).to.have.length(2); // no empty reports without reportIfEmpty
    const empties = empty.unique().filter((c) => documentOf(c).epcisBody.queryResults.resultsBody.eventList.length === 0);
    expect(empties.length).to.be.greaterThan(2); // about one a second
    for (const c of empty.unique()) expect(documentOf(c).epcisBody.queryResults.subscriptionID).to.equal(withEmpty.id);

    const shown = (await (await api(fwd, "GET", withEmpty.location)).json()) as Record<string, unknown>;
    expect(Date.parse(String(shown.minRecordTime))).to.be.greaterThan(Date.parse(initialRecordTime));
  });

  it("stops delivering once unsubscribed, and deleting the named query unsubscribes all its subscriptions", async function () {
    const r = await receiver();
    await namedQuery(fwd, "Picking", { EQ_bizStep: ["picking"] });
    const one = await subscribe(fwd, "Picking", { dest: r.url, stream: true });
    const two = await subscribe(fwd, "Picking", { dest: r.url, stream: true });
    const listed = (await (await api(fwd, "GET", "/epcis/queries/Picking/subscriptions")).json()) as { subscriptionID: string }[];
    expect(listed.map((s) => s.subscriptionID)).to.deep.equal([one.id, two.id]);

    await capture(fwd, [objectEvent("picking")]);
    await waitUntil("both subscriptions' reports", async () => r.unique().length >= 2, 15_000);

    expect((await api(fwd, "DELETE", one.location)).status).to.equal(204);
    expect((await api(fwd, "GET", one.location)).status).to.equal(404);
    expect((await api(fwd, "DELETE", one.location)).status).to.equal(404);
    await capture(fwd, [objectEvent("picking")]);
    await waitUntil("the remaining subscription's report", async () => r.unique().length >= 3, 15_000);

    expect((await api(fwd, "DELETE", "/epcis/queries/Picking")).status).to.equal(204);
    expect((await api(fwd, "GET", two.location)).status).to.equal(404);
    expect((await api(fwd, "GET", `/v1/subscriptions/${two.id}`)).status).to.equal(404);
    await capture(fwd, [objectEvent("picking")]);
    await sleep(2000);
    const ids = r.unique().map((c) => documentOf(c).epcisBody.queryResults.subscriptionID);
    expect(ids.filter((id) => id === one.id)).to.have.length(1);
    expect(ids.filter((id) => id === two.id)).to.have.length(2);
  });

  it("another organisation cannot see or delete a subscription, and its own subscription delivers only what it may read", async function () {
    const r = await receiver();
    await namedQuery(fwd, "Packing", { EQ_bizStep: ["packing"] });
    const mine = await subscribe(fwd, "Packing", { dest: r.url, stream: true });

    // Another organisation's subscription answers exactly like one that does not exist.
    await namedQuery(outsider, "Packing", { EQ_bizStep: ["packing"] });
    const unknown = `/epcis/queries/Packing/subscriptions/00000000-0000-4000-8000-000000000000`;
    for (const method of ["GET", "DELETE"]) {
      const theirs = await api(outsider, method, mine.location);
      const none = await api(outsider, method, unknown);
      expect(theirs.status).to.equal(404);
      const { instance: _a, ...theirProblem } = (await theirs.json()) as Record<string, unknown>;
      const { instance: _b, ...noneProblem } = (await none.json()) as Record<string, unknown>;
      expect(theirProblem).to.deep.equal(noneProblem);
    }
    expect(await (await api(outsider, "GET", "/epcis/queries/Packing/subscriptions")).json()).to.deep.equal([]);
    expect((await api(fwd, "GET", mine.location)).status).to.equal(200); // still there

    const snoop = await receiver();
    const earlier = new Date(Date.now() - 60_000).toISOString();
    await subscribe(outsider, "Packing", { dest: snoop.url, stream: true });
    const scheduled = await receiver();
    await subscribe(outsider, "Packing", { dest: scheduled.url, schedule: { second: "[0-59]" }, initialRecordTime: earlier });

    const [granted, hidden] = [objectEvent("packing"), objectEvent("packing")];
    const [grantedId] = await capture(fwd, [granted]);
    await capture(fwd, [hidden]);
    await operatorClient(hub.url).grant(grantedId!, outsider.id);
    await waitUntil("the outsider's scheduled report of the granted event", async () => deliveredEpcs(scheduled).length >= 1, 15_000);
    await waitUntil("the owner's stream", async () => deliveredEpcs(r).length >= 2, 15_000);
    await sleep(2000);

    expect(deliveredEpcs(scheduled)).to.deep.equal([epcOf(granted)]); // never the event it may not read
    expect(snoop.hits).to.equal(0); // its stream matched nothing it could read when captured
    expect(deliveredEpcs(r)).to.deep.equal([epcOf(granted), epcOf(hidden)]);
  });

  it("with two hub instances on one database, each event is reported and delivered once (stream and schedule)", async function () {
    const second = await startHubProcess(env());
    try {
      const streamed = await receiver();
      const scheduled = await receiver();
      await namedQuery(fwd, "Departing", { EQ_bizStep: ["departing"] });
      await subscribe(fwd, "Departing", { dest: streamed.url, stream: true });
      await subscribe(fwd, "Departing", { dest: scheduled.url, schedule: { second: "[0-59]" } });
      const viaSecond = new HubClient({ baseUrl: second.url, orgId: fwd.id, privateKey: fwd.key.privateKey });
      const events = Array.from({ length: 6 }, () => objectEvent("departing"));
      for (const [i, e] of events.entries()) await capture(fwd, [e], i % 2 === 0 ? fwd.client : viaSecond);
      await waitUntil("every event at both receivers", async () => deliveredEpcs(streamed).length >= 6 && deliveredEpcs(scheduled).length >= 6, 30_000);
      await sleep(2500);

      expect(deliveredEpcs(streamed)).to.deep.equal(events.map(epcOf)); // once each, in capture order
      expect([...deliveredEpcs(scheduled)].sort()).to.deep.equal(events.map(epcOf).sort());
      expect(streamed.calls.length).to.equal(streamed.unique().length);
      expect(scheduled.calls.length).to.equal(scheduled.unique().length);
    } finally {
      await second.stop();
    }
  });

  it("answers bad subscription bodies with 400 problems that change nothing", async function () {
    const r = await receiver();
    await namedQuery(fwd, "Checks", { EQ_bizStep: ["inspecting"] });
    // The delivery position (cursor) is moved by the webhook worker meanwhile; the subscriptions are what must not change.
    const subscriptions = async () =>
      ((await (await api(fwd, "GET", "/v1/subscriptions")).json()) as { subscriptions: Record<string, unknown>[] }).subscriptions.map(
        ({ cursor: _, ...s }) => s,
      );
    const subscriptionsBefore = await subscriptions();
    const bad: unknown[] = [
      {},
      { dest: r.url },
      { dest: r.url, stream: true, schedule: { second: "0" } },
      { dest: r.url, stream: false },
      { dest: r.url, stream: true, reportIfEmpty: true },
      { dest: r.url, schedule: { second: "60" } },
      { dest: r.url, schedule: { minute: "[30-10]" } },
      { dest: r.url, schedule: { second: "0/30" } },
      { dest: r.url, schedule: { hour: "*" } },
      { dest: r.url, schedule: { dayOfWeek: "0" } },
      { dest: r.url, schedule: { month: "2", dayOfMonth: "30" } },
      { dest: r.url, schedule: { hour: 1 } },
      { dest: "ftp://127.0.0.1/hook", stream: true },
      { dest: "not a url", stream: true },
      { dest: r.url, stream: true, initialRecordTime: "yesterday" },
      { dest: r.url, stream: true, signatureToken: "" },
      { dest: r.url, stream: true, secret: "x" },
      [],
    ];
    for (const body of bad) {
      const res = await api(fwd, "POST", "/epcis/queries/Checks/subscriptions", body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
      const problem = (await res.json()) as { status: number; type: string };
      expect(problem.status).to.equal(400);
    }
    const noJson = await fetch(`${hub.url}/epcis/queries/Checks/subscriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${await fwd.client.accessToken()}`, "content-type": "text/plain" },
      body: "dest",
    });
    expect(noJson.status).to.equal(415);
    expect((await api(fwd, "POST", "/epcis/queries/NoSuchQuery/subscriptions", { dest: r.url, stream: true })).status).to.equal(404);
    expect((await api(fwd, "GET", "/epcis/queries/NoSuchQuery/subscriptions")).status).to.equal(404);

    expect(await (await api(fwd, "GET", "/epcis/queries/Checks/subscriptions")).json()).to.deep.equal([]);
    expect(await subscriptions()).to.deep.equal(subscriptionsBefore);
    await capture(fwd, [objectEvent("inspecting")]);
    await sleep(1500);
    expect(r.hits).to.equal(0);
  });
});
