import { expect } from "chai";
import { createHmac } from "node:crypto";
import Ajv from "ajv";
import { HubClient } from "../../sdk/client";
import addFormats from "ajv-formats";
import { ScheduleError, nextQueryTime, parseSchedule, type QuerySchedule } from "../../server/epcis/subscriptions-schedule";
import {
  admit,
  freshDatabase,
  hubEnv,
  startHubProcess,
  startTestChain,
  waitUntil,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "../integration/harness";
import { WebhookReceiver, type ReceivedCall, webhookReceivers } from "../integration/webhook-receiver";
import { readJson, standardsFile } from "./standards";

/**
 * EPCIS query subscriptions, one rule per test: the REST binding's subscription resources and
 * callback (openapi.yaml, /queries/{queryName}/subscriptions, components QueryScheduleSubscription,
 * QueryStreamSubscription, GS1-Signature, GS1-Query-InitialRecordTime, GS1-Query-Min-Record-Time)
 * and the standard's query schedule (EPCIS §8.2.5.3) and initialRecordTime (§8.2.5.2).
 */

const at = (iso: string) => new Date(iso);
const next = (schedule: QuerySchedule, after: string) => nextQueryTime(schedule, at(after))?.toISOString();

describe("conformance: EPCIS §8.2.5.3 query schedules", function () {
  it("§8.2.5.3: an omitted field matches every value (hour = 2 alone: every second from 2:00:00 to 2:59:59)", function () {
    expect(next({ hour: "2" }, "2024-06-03T01:59:59.500Z")).to.equal("2024-06-03T02:00:00.000Z");
    expect(next({ hour: "2" }, "2024-06-03T02:00:00.000Z")).to.equal("2024-06-03T02:00:01.000Z");
    expect(next({ hour: "2" }, "2024-06-03T02:59:59.000Z")).to.equal("2024-06-04T02:00:00.000Z");
  });

  it("§8.2.5.3: second = 0, minute = 30, hour = 2 runs once a day at 2:30 am", function () {
    const s = { second: "0", minute: "30", hour: "2" };
    expect(next(s, "2024-06-03T00:00:00.000Z")).to.equal("2024-06-03T02:30:00.000Z");
    expect(next(s, "2024-06-03T02:30:00.000Z")).to.equal("2024-06-04T02:30:00.000Z");
  });

  it("§8.2.5.3: dayOfWeek 1 is Monday and 7 Sunday; [1-5] is the weekdays", function () {
    const s = { second: "0", minute: "0", dayOfWeek: "[1-5]" };
    // 2024-06-01 is a Saturday: the next weekday top of the hour is Monday 00:00.
    expect(next(s, "2024-06-01T12:00:00.000Z")).to.equal("2024-06-03T00:00:00.000Z");
    expect(next({ second: "0", minute: "0", hour: "0", dayOfWeek: "7" }, "2024-06-01T12:00:00.000Z")).to.equal("2024-06-02T00:00:00.000Z");
  });

  it("§8.2.5.3: a field is Element (',' Element)*, an Element a Number or '[' Number '-' Number ']'", function () {
    const s = { second: "0", minute: "1,[3-4],7", hour: "5" };
    const times: string[] = [];
    let t = "2024-06-03T05:00:00.000Z";
    for (let i = 0; i < 4; i++) times.push((t = next(s, t)!));
    expect(times).to.deep.equal(["2024-06-03T05:01:00.000Z", "2024-06-03T05:03:00.000Z", "2024-06-03T05:04:00.000Z", "2024-06-03T05:07:00.000Z"]);
  });

  it("§8.2.5.3: a value off the grammar, out of the field's range, or a range whose first number is greater is refused", function () {
    const refused: QuerySchedule[] = [
      { second: "0/30" },
      { hour: "*" },
      { minute: "" },
      { minute: "1," },
      { minute: " 1" },
      { minute: "[1-]" },
      { minute: "[30-10]" },
      { second: "60" },
      { minute: "60" },
      { hour: "24" },
      { dayOfMonth: "0" },
      { dayOfMonth: "32" },
      { month: "0" },
      { month: "13" },
      { dayOfWeek: "0" },
      { dayOfWeek: "8" },
    ];
    for (const s of refused) expect(() => parseSchedule(s), JSON.stringify(s)).to.throw(ScheduleError);
    for (const s of [{ second: "59" }, { hour: "23" }, { dayOfMonth: "31" }, { month: "[1-12]" }, { dayOfWeek: "1,7" }])
      expect(() => parseSchedule(s)).to.not.throw();
  });
});

type QueryDocument = {
  type: string;
  epcisBody: { queryResults: { queryName: string; subscriptionID?: string; resultsBody: { eventList: Record<string, unknown>[] } } };
};
const documentOf = (c: ReceivedCall) => JSON.parse(c.rawBody) as QueryDocument;
const eventsIn = (r: WebhookReceiver) => r.unique().flatMap((c) => documentOf(c).epcisBody.queryResults.resultsBody.eventList);

let serial = 80_000;
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

describe("conformance: EPCIS REST binding query subscriptions (webhooks)", function () {
  this.timeout(300_000);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(readJson(standardsFile("epcis", "EPCIS-JSON-Schema.json")) as object);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let member: TestOrg;
  const { receiver, stopAll: stopReceivers } = webhookReceivers();

  async function api(method: string, path: string, body?: unknown, base = hub.url, client: HubClient = member.client): Promise<Response> {
    return fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${await client.accessToken()}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  async function capture(events: Record<string, unknown>[]): Promise<void> {
    const id = await member.client.captureEpcis({
      "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
      type: "EPCISDocument",
      schemaVersion: "2.0",
      creationDate: new Date().toISOString(),
      epcisBody: { eventList: events },
    });
    expect((await member.client.waitForCapture(id)).success).to.equal(true);
  }

  let queries = 0;
  /** A fresh named query over events of one bizStep. */
  async function namedQuery(bizStep: string): Promise<string> {
    const name = `Q${++queries}`;
    expect((await api("POST", "/epcis/queries", { name, query: { EQ_bizStep: [bizStep] } })).status).to.equal(201);
    return name;
  }

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(
      hubEnv(chain, database.url, { WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_RETRY_BASE_MS: "50", WEBHOOK_POLL_MS: "300", WEBHOOK_TIMEOUT_MS: "1000" }),
    );
    member = await admit(hub.url, "epcis-subscriber", ["FORWARDER"]);
  });

  after(async function () {
    await stopReceivers();
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("REST binding (QueryStreamSubscription / QueryScheduleSubscription): exactly one of stream: true or a schedule, else a 400 problem", async function () {
    const r = await receiver();
    const name = await namedQuery("receiving");
    for (const body of [
      { dest: r.url },
      { dest: r.url, stream: true, schedule: { second: "0" } },
      { dest: r.url, stream: false },
      { dest: r.url, stream: false, schedule: { second: "0" } },
    ]) {
      const res = await api("POST", `/epcis/queries/${name}/subscriptions`, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
    }
    expect((await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: r.url, stream: true })).status).to.equal(201);
    expect((await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: r.url, schedule: { hour: "1", minute: "5" } })).status).to.equal(201);
  });

  it("REST binding (POST .../subscriptions 201): the Location points to the subscriptionID, and the signatureToken is not returned", async function () {
    const r = await receiver();
    const name = await namedQuery("loading");
    const res = await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: r.url, signatureToken: "secret-token-1", stream: true });
    const created = (await res.json()) as Record<string, unknown>;
    expect(res.status).to.equal(201);
    expect(res.headers.get("location")).to.equal(`/epcis/queries/${name}/subscriptions/${String(created.subscriptionID)}`);
    const one = await (await api("GET", res.headers.get("location")!)).text();
    const list = await (await api("GET", `/epcis/queries/${name}/subscriptions`)).text();
    for (const text of [JSON.stringify(created), one, list]) expect(text).to.not.include("secret-token-1");
    expect(JSON.parse(one)).to.include({ subscriptionID: created.subscriptionID, dest: r.url, stream: true });
    expect(JSON.parse(one)).to.have.property("createdAt");
  });

  it("REST binding (callback querySubscriptionResults): each call's body is an EPCISQueryDocument (EPCIS JSON schema) naming the query and the subscriptionID", async function () {
    const r = await receiver();
    const name = await namedQuery("picking");
    const { subscriptionID } = (await (await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: r.url, stream: true })).json()) as {
      subscriptionID: string;
    };
    await capture([objectEvent("picking"), objectEvent("picking")]);
    await waitUntil("the report", async () => eventsIn(r).length >= 2, 15_000);
    for (const call of r.unique()) {
      const doc = documentOf(call);
      expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
      expect(doc.type).to.equal("EPCISQueryDocument");
      expect(doc.epcisBody.queryResults).to.include({ queryName: name, subscriptionID });
    }
  });

  it("REST binding (GS1-Signature): with a signatureToken each call carries GS1-Signature, HMAC-SHA256 of the body keyed with the token; without one, none", async function () {
    const signed = await receiver();
    const plain = await receiver();
    const name = await namedQuery("packing");
    const token = "13df38d8275b13f05704629e5f1cf3d45d6132d5";
    await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: signed.url, signatureToken: token, stream: true });
    await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: plain.url, stream: true });
    await capture([objectEvent("packing")]);
    await waitUntil("both reports", async () => signed.calls.length >= 1 && plain.calls.length >= 1, 15_000);
    for (const c of signed.calls) expect(c.headers["gs1-signature"]).to.equal(createHmac("sha256", token).update(c.rawBody, "utf8").digest("base64"));
    for (const c of plain.calls) expect(c.headers).to.not.have.property("gs1-signature");
  });

  it("REST binding (GS1-Query-Stream): a stream reports whenever a captured event matches, only events that match", async function () {
    const r = await receiver();
    const name = await namedQuery("storing");
    await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: r.url, stream: true });
    const match = objectEvent("storing");
    await capture([match, objectEvent("shipping")]);
    await waitUntil("the report", async () => eventsIn(r).length >= 1, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(eventsIn(r).map((e) => (e.epcList as string[])[0])).to.deep.equal([(match.epcList as string[])[0]]);
  });

  it("§8.2.7.1 WD_bizLocation / EQATTR_ in stream and scheduled subscriptions: master data counts as in GET /events (the site and its descendants), only matching events are delivered", async function () {
    const site = (n: number) => `urn:epc:id:sgln:4012345.00${n}.0`;
    const held = (n: number) => ({ ...objectEvent("holding"), bizLocation: { id: site(n) } });
    const wd = await receiver();
    const attr = await receiver();
    const scheduled = await receiver();
    const initialRecordTime = new Date().toISOString();
    // The member's own master data (§6.5): 901 has child 902, 903 is nobody's; 902 is in the cold zone.
    const first = [held(901), held(902), held(903)];
    const doc = {
      "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
      type: "EPCISDocument",
      schemaVersion: "2.0",
      creationDate: new Date().toISOString(),
      epcisHeader: {
        epcisMasterData: {
          vocabularyList: [
            {
              type: "urn:epcglobal:epcis:vtype:BusinessLocation",
              vocabularyElementList: [
                { id: site(901), attributes: [], children: [site(902)] },
                { id: site(902), attributes: [{ id: "urn:example:zone", attribute: "cold" }] },
              ],
            },
          ],
        },
      },
      epcisBody: { eventList: first },
    };
    expect((await member.client.waitForCapture(await member.client.captureEpcis(doc))).success).to.equal(true);
    for (const [name, query, r] of [
      ["WDsite", { WD_bizLocation: [site(901)] }, wd],
      ["COLDzone", { "EQATTR_bizLocation_urn:example:zone": ["cold"] }, attr],
    ] as const) {
      expect((await api("POST", "/epcis/queries", { name, query })).status).to.equal(201);
      // From before the first capture: its events come in the stream's first report (the backfill), the later ones as they are captured.
      expect((await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: r.url, stream: true, initialRecordTime })).status).to.equal(201);
    }
    expect(
      (await api("POST", "/epcis/queries/WDsite/subscriptions", { dest: scheduled.url, schedule: { second: "[0-59]" }, initialRecordTime })).status,
    ).to.equal(201);
    const later = [held(902), held(903), held(901)];
    await capture(later);
    const epcOf = (e: Record<string, unknown>) => (e.epcList as string[])[0];
    const expectWd = [first[0]!, first[1]!, later[0]!, later[2]!].map(epcOf);
    const expectAttr = [first[1]!, later[0]!].map(epcOf);
    await waitUntil(
      "the reports",
      async () => eventsIn(wd).length >= expectWd.length && eventsIn(attr).length >= expectAttr.length && eventsIn(scheduled).length >= expectWd.length,
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Events of one capture share a recordTime: their order within a report is the hub's record order.
    expect(eventsIn(wd).map(epcOf).sort()).to.deep.equal(expectWd.sort());
    expect(eventsIn(attr).map(epcOf).sort()).to.deep.equal(expectAttr.sort());
    expect(eventsIn(scheduled).map(epcOf).sort()).to.deep.equal(expectWd);
    // The same query answers the same events (one matcher).
    const res = await api(
      "GET",
      `/epcis/events?${new URLSearchParams({ WD_bizLocation: site(901), MATCH_epc: [...first, ...later].map(epcOf).join("|") }).toString()}`,
    );
    expect(((await res.json()) as QueryDocument).epcisBody.queryResults.resultsBody.eventList.map(epcOf).sort()).to.deep.equal(expectWd);
  });

  it("§8.2.5.2 / GS1-Query-InitialRecordTime: omitted, a subscription starts now; given, events captured since then (before subscribing) are reported", async function () {
    const fromNow = await receiver();
    const fromBefore = await receiver();
    const name = await namedQuery("inspecting");
    const start = new Date().toISOString();
    const earlier = objectEvent("inspecting");
    await capture([earlier]);
    await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: fromNow.url, stream: true });
    await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: fromBefore.url, stream: true, initialRecordTime: start });
    const later = objectEvent("inspecting");
    await capture([later]);
    await waitUntil("the reports", async () => eventsIn(fromNow).length >= 1 && eventsIn(fromBefore).length >= 2, 15_000);
    const epcs = (r: WebhookReceiver) => eventsIn(r).map((e) => (e.epcList as string[])[0]);
    expect(epcs(fromNow)).to.deep.equal([(later.epcList as string[])[0]]);
    expect(epcs(fromBefore)).to.deep.equal([(earlier.epcList as string[])[0], (later.epcList as string[])[0]]);
  });

  it("GS1-Query-Min-Record-Time / GS1-Query-ReportIfEmpty: minRecordTime starts at initialRecordTime and moves to each query time; reportIfEmpty sends empty documents", async function () {
    const r = await receiver();
    const name = await namedQuery("departing");
    const initialRecordTime = new Date().toISOString();
    const res = await api("POST", `/epcis/queries/${name}/subscriptions`, {
      dest: r.url,
      schedule: { second: "[0-59]" },
      reportIfEmpty: true,
      initialRecordTime,
    });
    const created = (await res.json()) as Record<string, unknown>;
    expect(created).to.include({ minRecordTime: initialRecordTime, reportIfEmpty: true });
    await waitUntil("two empty reports", async () => r.unique().length >= 2, 15_000);
    for (const c of r.unique()) expect(documentOf(c).epcisBody.queryResults.resultsBody.eventList).to.deep.equal([]);
    const shown = (await (await api("GET", res.headers.get("location")!)).json()) as { minRecordTime: string };
    expect(shown.minRecordTime.endsWith(".000Z")).to.equal(true); // a query time, to the second
    expect(Date.parse(shown.minRecordTime)).to.be.greaterThan(Date.parse(initialRecordTime));
  });

  it("REST binding (DELETE /queries/{queryName}): removing a named query unsubscribes all its subscriptions", async function () {
    const r = await receiver();
    const name = await namedQuery("arriving");
    const loc = (await api("POST", `/epcis/queries/${name}/subscriptions`, { dest: r.url, stream: true })).headers.get("location")!;
    expect((await api("DELETE", `/epcis/queries/${name}`)).status).to.equal(204);
    expect((await api("GET", loc)).status).to.equal(404);
    await capture([objectEvent("arriving")]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(r.hits).to.equal(0);
  });

  it("REST binding (dest, format uri): where private targets are refused the hub calls https URLs only, never loopback or private addresses", async function () {
    const strict = await startHubProcess(
      hubEnv(chain, database.url, { WEBHOOK_ALLOW_PRIVATE: "false", WEBHOOK_WORKER: "off", ANCHOR_WORKER: "off", CUSTOMS_MATCHER: "off" }),
    );
    try {
      const name = await namedQuery("unloading");
      const client = new HubClient({ baseUrl: strict.url, orgId: member.id, privateKey: member.key.privateKey });
      for (const dest of ["http://example.com/hook", "https://127.0.0.1/hook", "https://10.1.2.3/hook"]) {
        const res = await api("POST", `/epcis/queries/${name}/subscriptions`, { dest, stream: true }, strict.url, client);
        expect(res.status, dest).to.equal(400);
      }
      expect(await (await api("GET", `/epcis/queries/${name}/subscriptions`, undefined, strict.url, client)).json()).to.deep.equal([]);
    } finally {
      await strict.stop();
    }
  });
});
