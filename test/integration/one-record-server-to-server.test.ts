// ONE Record server to server (issue 15): one server per party. Two hubs on 127.0.0.1, each with
// its own chain and database, speak only ONE Record HTTP to each other: hub 2 subscribes (for its
// member B) to an object on hub 1 (where B's party holds a token), hub 1 notifies hub 2's inbound
// /notifications, hub 2 GETs the object from hub 1 and keeps an anchored copy that it attests for B.
// A third hub, without WEBHOOK_ALLOW_PRIVATE, shows the URL guard on outbound calls.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { StoredRecordSchema } from "../../sdk/api";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { speakerOf } from "../../sdk/provenance/attesters";
import { signWebhook } from "../../sdk/webhook";
import { verifyRecord } from "../../sdk/verify";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  sql,
  startHubProcess,
  startTestChain,
  waitFor,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

const CARGO = "https://onerecord.iata.org/ns/cargo#";
const API = "https://onerecord.iata.org/ns/api#";

interface Answer {
  status: number;
  headers: Headers;
  json: JsonObject | undefined;
}

describe(`ONE Record server to server: two hubs, each speaking only ONE Record to the other (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain1: TestChain;
  let chain2: TestChain;
  const databases: { url: string; drop(): Promise<void> }[] = [];
  let hub1: HubProcess;
  let hub2: HubProcess;
  let guarded: HubProcess;
  let holderA: TestOrg; // A, on hub 1
  let partyB1: TestOrg; // B's party on hub 1
  let memberB: TestOrg; // B, a member of hub 2
  let nosy: TestOrg; // another member of hub 2
  let guardedMember: TestOrg; // a member of the hub without WEBHOOK_ALLOW_PRIVATE

  async function call(
    hub: HubProcess,
    org: TestOrg | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const res = await fetch(`${hub.url}${path}`, {
      method,
      headers: {
        accept: "application/ld+json",
        ...(org ? { authorization: `Bearer ${await org.client.accessToken()}` } : {}),
        ...(body !== undefined ? { "content-type": "application/ld+json" } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as JsonObject) : undefined };
  }
  const pathOf = (hub: HubProcess, iri: string) => iri.slice(hub.url.length);
  const subscription = (topic: string, subscriber: string): JsonObject => ({
    "@context": { api: API },
    "@type": "api:Subscription",
    "api:hasSubscriber": { "@id": subscriber },
    "api:hasTopicType": { "@id": "api:LOGISTICS_OBJECT_IDENTIFIER" },
    "api:hasTopic": { "@type": "xsd:anyURI", "@value": topic },
  });
  const remoteAuth = async (org: TestOrg) => ({ "Cargoproof-Remote-Authorization": `Bearer ${await org.client.accessToken()}` });
  const change = (object: string, revision: number, value: string): JsonObject => ({
    "@context": { api: API },
    "@type": "api:Change",
    "api:hasLogisticsObject": { "@id": object },
    "api:hasDescription": "The piece's id",
    "api:hasOperation": [
      {
        "@type": "api:Operation",
        "api:op": { "@id": "api:ADD" },
        "api:s": object,
        "api:p": `${CARGO}upid`,
        "api:o": [{ "@type": "api:OperationObject", "api:hasDatatype": "http://www.w3.org/2001/XMLSchema#string", "api:hasValue": value }],
      },
    ],
    "api:hasRevision": { "@type": "http://www.w3.org/2001/XMLSchema#positiveInteger", "@value": String(revision) },
  });
  /** A piece on hub 1 that A holds and lets B's party read there; its IRI. */
  async function sharedPiece(description: string): Promise<string> {
    const created = await call(hub1, holderA, "POST", "/logistics-objects", {
      "@context": { cargo: CARGO },
      "@type": "cargo:Piece",
      "cargo:goodsDescription": description,
    });
    expect(created.status, JSON.stringify(created.json)).to.equal(201);
    const iri = created.headers.get("location")!;
    const delegated = await call(hub1, holderA, "POST", "/access-delegations", {
      "@context": { api: API },
      "@type": "api:AccessDelegation",
      "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
      "api:isRequestedFor": [{ "@id": `${hub1.url}/organizations/${partyB1.id}` }],
      "api:hasLogisticsObject": [{ "@id": iri }],
    });
    expect(delegated.status, JSON.stringify(delegated.json)).to.equal(201);
    return iri;
  }
  type View = { id: string; topic: string; remoteSubscription: string | null; copy: { recordId: string; revision: number } };
  async function subscribeB(iri: string): Promise<View> {
    const res = await call(
      hub2,
      memberB,
      "POST",
      "/remote-subscriptions",
      subscription(iri, `${hub1.url}/organizations/${partyB1.id}`),
      await remoteAuth(partyB1),
    );
    expect(res.status, JSON.stringify(res.json)).to.equal(201);
    return res.json as unknown as View;
  }
  const notificationCount = async (id: string) =>
    ((await call(hub2, memberB, "GET", `/remote-subscriptions/${id}/notifications`)).json!.notifications as unknown[]).length;

  before(async function () {
    [chain1, chain2] = await Promise.all([startTestChain(), startTestChain()]);
    for (let i = 0; i < 3; i++) databases.push(await freshDatabase());
    const fast = { WEBHOOK_POLL_MS: "100", WEBHOOK_RETRY_BASE_MS: "200" };
    [hub1, hub2] = await Promise.all([
      startHubProcess(hubEnv(chain1, databases[0]!.url, { WEBHOOK_ALLOW_PRIVATE: "true", ...fast })),
      startHubProcess(hubEnv(chain2, databases[1]!.url, { WEBHOOK_ALLOW_PRIVATE: "true", ...fast })),
    ]);
    [holderA, partyB1] = await Promise.all([admit(hub1.url, "s2s-holder", ["FORWARDER"]), admit(hub1.url, "s2s-b", ["AIRLINE"])]);
    [memberB, nosy] = await Promise.all([admit(hub2.url, "s2s-b", ["AIRLINE"]), admit(hub2.url, "s2s-nosy", ["SHIPPER"])]);
    // The guarded hub shares chain 1 only to be admitted to; it anchors nothing here.
    guarded = await startHubProcess(hubEnv(chain1, databases[2]!.url));
    guardedMember = await admit(guarded.url, "s2s-guarded", ["AIRLINE"]);
  });

  after(async function () {
    await Promise.all([hub1?.stop(), hub2?.stop(), guarded?.stop()]);
    for (const d of databases) await d.drop();
    await Promise.all([chain1?.stop(), chain2?.stop()]);
  });

  it("hub 2 subscribes for B to an object on hub 1; a change there arrives as a notification, and B reads the anchored copy (revision 2), hub-attested for B", async function () {
    const iri = await sharedPiece("Remote watches");
    const sub = await subscribeB(iri);
    expect(sub.topic).to.equal(iri);
    expect(sub.copy.revision).to.equal(1);
    // The subscription stands on hub 1, as B's party's own ONE Record subscription there.
    expect(sub.remoteSubscription).to.match(new RegExp(`^${hub1.url}/subscriptions/`));
    const there = await call(hub1, partyB1, "GET", pathOf(hub1, sub.remoteSubscription!));
    expect(there.status).to.equal(200);
    expect(there.json!["cp:hasCallbackUrl"]).to.deep.equal({ "@type": "xsd:anyURI", "@value": `${hub2.url}/notifications?subscription=${sub.id}` });

    // A changes the object on hub 1 (a change request it accepts): revision 2.
    const patched = await call(hub1, holderA, "PATCH", pathOf(hub1, iri), change(iri, 1, "PEN-1"));
    expect(patched.status, JSON.stringify(patched.json)).to.equal(201);
    const decided = await call(
      hub1,
      holderA,
      "PATCH",
      `${pathOf(hub1, patched.headers.get("location")!)}?status=${encodeURIComponent(`${API}REQUEST_ACCEPTED`)}`,
    );
    expect(decided.status).to.equal(204);

    const view = await waitFor("the copy at revision 2", async () => {
      const v = (await call(hub2, memberB, "GET", `/remote-subscriptions/${sub.id}`)).json as unknown as View;
      return v.copy.revision === 2 && v;
    });
    expect(view.copy.recordId).to.equal(sub.copy.recordId);
    const notifications = (await call(hub2, memberB, "GET", `/remote-subscriptions/${sub.id}/notifications`)).json!.notifications as {
      eventType: string;
      logisticsObject: string;
      copyVersion: number | null;
      notification: JsonObject;
    }[];
    const updated = notifications.find((n) => n.eventType === "LOGISTICS_OBJECT_UPDATED");
    expect(updated, JSON.stringify(notifications)).to.not.equal(undefined);
    expect(updated!.logisticsObject).to.equal(iri);
    expect(updated!.notification["@type"]).to.equal("api:Notification");
    expect(notifications.map((n) => n.copyVersion)).to.include(2);

    // The copy: a record of hub 2, the operator's, speaking for B; revision 2 as hub 1 gave it.
    const res = await fetch(`${hub2.url}/v1/records/${view.copy.recordId}?version=2`, {
      headers: { authorization: `Bearer ${await memberB.client.accessToken()}` },
    });
    expect(res.status).to.equal(200);
    const record = StoredRecordSchema.parse(await res.json()).record;
    expect(record).to.include({ type: "RemoteObjectCopy", owner: "operator", version: 2 });
    expect(speakerOf(record)).to.equal(memberB.id);
    expect(record.body).to.include({ sourceIri: iri, revision: 2, capturedBy: memberB.id });
    expect(new Date(String(record.body.receivedAt)).getTime()).to.be.closeTo(Date.now(), 120_000);
    const object = record.body.object as JsonObject;
    expect(object["@id"]).to.equal(iri);
    expect(object["cargo:upid"]).to.equal("PEN-1");
    expect(object["api:hasRevision"]).to.equal(2);
    const proof = await memberB.client.waitForProof(view.copy.recordId, 2);
    const verdict = await verifyRecord({
      record,
      proof,
      chain: { provider: chain2.provider },
      contracts: { participantRegistry: chain2.deployment.participantRegistry, anchorRegistry: chain2.deployment.anchorRegistry },
    });
    expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
    expect(verdict.membership.orgId).to.equal("operator");
  });

  it("a notification without the subscription's signature is refused (401, api:Error) and stores nothing", async function () {
    const iri = await sharedPiece("Remote lamps");
    const sub = await subscribeB(iri);
    const before = await notificationCount(sub.id);
    const body = JSON.stringify({
      "@context": { api: API },
      "@type": "api:Notification",
      "api:hasEventType": { "@id": "api:LOGISTICS_OBJECT_UPDATED" },
      "api:hasLogisticsObject": { "@id": iri },
    });
    const now = Math.floor(Date.now() / 1000);
    const signed = (secret: string) => ({
      "cargoproof-timestamp": String(now),
      "cargoproof-signature": signWebhook(secret, now, body),
      "cargoproof-delivery": `forged-${now}`,
    });
    for (const [path, headers] of [
      [`/notifications?subscription=${sub.id}`, {}],
      [`/notifications?subscription=${sub.id}`, signed("whsec_not-the-secret-of-this-subscription")],
      [`/notifications?subscription=${sub.id}`, { authorization: `Bearer ${await memberB.client.accessToken()}` }],
      ["/notifications?subscription=00000000-0000-4000-8000-000000000000", signed("whsec_anything")],
      ["/notifications", {}],
    ] as const) {
      const res = await call(hub2, undefined, "POST", path, body, headers);
      expect(res.status, path).to.equal(401);
      expect(res.headers.get("content-type")).to.match(/^application\/ld\+json/);
      expect(res.json!["@type"]).to.equal("api:Error");
      expect(res.json!.type).to.match(/unauthenticated-notification$/);
    }
    expect(await notificationCount(sub.id)).to.equal(before);
    expect(((await call(hub2, memberB, "GET", `/remote-subscriptions/${sub.id}`)).json as unknown as View).copy.revision).to.equal(1);
  });

  it("another member of hub 2 cannot read B's remote subscription nor its copy (404, as for none)", async function () {
    const iri = await sharedPiece("Remote books");
    const sub = await subscribeB(iri);
    for (const path of [`/remote-subscriptions/${sub.id}`, `/remote-subscriptions/${sub.id}/notifications`])
      expect((await call(hub2, nosy, "GET", path)).status, path).to.equal(404);
    const copy = await fetch(`${hub2.url}/v1/records/${sub.copy.recordId}`, { headers: { authorization: `Bearer ${await nosy.client.accessToken()}` } });
    expect(copy.status).to.equal(404);
    const list = (await call(hub2, nosy, "GET", "/remote-subscriptions")).json!.subscriptions as unknown[];
    expect(list).to.deep.equal([]);
    // B itself reads them.
    expect((await call(hub2, memberB, "GET", `/remote-subscriptions/${sub.id}`)).status).to.equal(200);
  });

  it("B lists its remote subscriptions and unsubscribes one: it ends on hub 1 too (DELETE of its IRI there), hub 2 forgets it, the copy stays; another member can neither see nor end it", async function () {
    const iri = await sharedPiece("Remote ends");
    const sub = await subscribeB(iri);
    const listed = (await call(hub2, memberB, "GET", "/remote-subscriptions")).json!.subscriptions as View[];
    expect(listed.map((s) => s.id)).to.include(sub.id);
    // Another member: the 404 of an unknown id, and nothing ends.
    const nosyDelete = await call(hub2, nosy, "DELETE", `/remote-subscriptions/${sub.id}`);
    expect(nosyDelete.status).to.equal(404);
    expect((await call(hub2, nosy, "DELETE", `/remote-subscriptions/${randomUUID()}`)).json!.type).to.equal(nosyDelete.json!.type);
    expect((await call(hub2, memberB, "GET", `/remote-subscriptions/${sub.id}`)).status).to.equal(200);

    const ended = await call(hub2, memberB, "DELETE", `/remote-subscriptions/${sub.id}`);
    expect(ended.status, JSON.stringify(ended.json)).to.equal(200);
    expect(ended.json).to.deep.equal({ id: sub.id, ended: true, remoteSubscription: sub.remoteSubscription, remote: "revoked" });
    // Hub 1 no longer has the subscription B's party held there.
    expect((await call(hub1, partyB1, "GET", pathOf(hub1, sub.remoteSubscription!))).status).to.equal(404);
    expect((await call(hub2, memberB, "GET", `/remote-subscriptions/${sub.id}`)).status).to.equal(404);
    expect((await call(hub2, memberB, "GET", `/remote-subscriptions/${sub.id}/notifications`)).status).to.equal(404);
    expect(((await call(hub2, memberB, "GET", "/remote-subscriptions")).json!.subscriptions as View[]).map((s) => s.id)).to.not.include(sub.id);
    expect((await call(hub2, memberB, "DELETE", `/remote-subscriptions/${sub.id}`)).status).to.equal(404);
    // The copy B had stays: a signed, anchored record.
    const copy = await fetch(`${hub2.url}/v1/records/${sub.copy.recordId}`, { headers: { authorization: `Bearer ${await memberB.client.accessToken()}` } });
    expect(copy.status).to.equal(200);
    expect(StoredRecordSchema.parse(await copy.json()).record.version).to.equal(1);
  });

  it("a notification for an ended subscription, signed with its secret, is refused (401) and stores nothing; a remote that does not take the DELETE does not keep it alive here", async function () {
    // A stand-in ONE Record server that keeps the callback secret and answers the DELETE with 500.
    const topicId = randomUUID();
    let callback = "";
    let secret = "";
    const deletes: string[] = [];
    const remote = createServer((req: IncomingMessage, res) => {
      req.resume();
      if (req.method === "POST" && req.url === "/subscriptions") {
        callback = String(req.headers["cargoproof-callback"]);
        secret = String(req.headers["cargoproof-callback-secret"]);
        res.writeHead(201, { location: `${base}/action-requests/${randomUUID()}` }).end();
      } else if (req.method === "GET" && req.url === `/logistics-objects/${topicId}`)
        res
          .writeHead(200, { "content-type": "application/ld+json", revision: "1" })
          .end(JSON.stringify({ "@context": { cargo: CARGO }, "@id": topic, "@type": "cargo:Piece" }));
      else if (req.method === "DELETE") {
        deletes.push(String(req.url));
        res.writeHead(500).end();
      } else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => remote.listen(0, "127.0.0.1", ok));
    const base = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
    const topic = `${base}/logistics-objects/${topicId}`;
    try {
      const made = await call(hub2, memberB, "POST", "/remote-subscriptions", subscription(topic, `${base}/organizations/b`), {
        "Cargoproof-Remote-Authorization": "Bearer stand-in",
      });
      expect(made.status, JSON.stringify(made.json)).to.equal(201);
      const sub = made.json as unknown as View;
      const send = (delivery: string) => {
        const body = JSON.stringify({
          "@context": { api: API },
          "@type": "api:Notification",
          "api:hasEventType": { "@id": "api:LOGISTICS_OBJECT_UPDATED" },
          "api:hasLogisticsObject": { "@id": topic },
        });
        const t = Math.floor(Date.now() / 1000);
        return fetch(callback, {
          method: "POST",
          headers: {
            "content-type": "application/ld+json",
            "cargoproof-timestamp": String(t),
            "cargoproof-signature": signWebhook(secret, t, body),
            "cargoproof-delivery": delivery,
          },
          body,
        });
      };
      expect((await send("before")).status).to.equal(204);
      const stored = () =>
        sql<{ n: unknown }>(databases[1]!.url, `SELECT COUNT(*) AS "n" FROM "RemoteNotification" WHERE "subscriptionId" = $1`, [sub.id]).then((r) =>
          Number(r[0]!.n),
        );
      expect(await stored()).to.equal(1);

      const ended = await call(hub2, memberB, "DELETE", `/remote-subscriptions/${sub.id}`);
      expect(ended.status).to.equal(200);
      expect(ended.json).to.include({ ended: true, remote: "refused" });
      expect(deletes).to.deep.equal([new URL(sub.remoteSubscription!).pathname]);

      const after = await send("after");
      expect(after.status).to.equal(401);
      expect(((await after.json()) as JsonObject).type).to.match(/unauthenticated-notification$/);
      expect(await stored()).to.equal(0);
    } finally {
      await new Promise((ok) => remote.close(ok));
    }
  });

  it("refuses what it cannot subscribe to: a private address without WEBHOOK_ALLOW_PRIVATE, no token for the other server, an object it may not read there, an object of this hub", async function () {
    const iri = await sharedPiece("Remote keys");
    const subscriber = `${hub1.url}/organizations/${partyB1.id}`;
    // The guarded hub calls no private address: hub 1 is on 127.0.0.1.
    const privateTarget = await call(guarded, guardedMember, "POST", "/remote-subscriptions", subscription(iri, subscriber), await remoteAuth(partyB1));
    expect(privateTarget.status).to.equal(400);
    expect(privateTarget.json!.type).to.match(/remote-url-refused$/);
    expect((await call(guarded, guardedMember, "GET", "/remote-subscriptions")).json!.subscriptions).to.deep.equal([]);

    const noToken = await call(hub2, memberB, "POST", "/remote-subscriptions", subscription(iri, subscriber));
    expect(noToken.status).to.equal(400);
    expect(noToken.json!.type).to.match(/remote-authorization-required$/);
    // A token of a party hub 1 does not let read the object: hub 1 says 404, and so does hub 2.
    const unreadable = await call(hub2, memberB, "POST", "/remote-subscriptions", subscription(iri, `${hub1.url}/organizations/${holderA.id}`), {
      "Cargoproof-Remote-Authorization": "Bearer not-a-token",
    });
    expect(unreadable.status).to.equal(404);
    const local = await call(
      hub2,
      memberB,
      "POST",
      "/remote-subscriptions",
      subscription(`${hub2.url}/logistics-objects/00000000-0000-4000-8000-000000000000`, subscriber),
      await remoteAuth(partyB1),
    );
    expect(local.status).to.equal(400);
    expect(local.json!.type).to.match(/invalid-subscription$/);
    const mine = (await call(hub2, memberB, "GET", "/remote-subscriptions")).json!.subscriptions as View[];
    expect(mine.map((s) => s.topic)).to.not.include(iri);
  });
});
