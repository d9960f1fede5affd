// Plain ONE Record clients (issue 15): a standard client sends JSON-LD with its bearer token and no
// Cargoproof-Record header. The hub attests each write for the authenticated organisation (owner:
// the operator, capturedBy: the organisation), and the organisation is its data holder in every
// respect. Every call here is a plain fetch; the SDK only gets the bearer token (OAuth client
// assertion) and verifies what was read, as any verifier would (and, once, accepts as an SDK holder).
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { StoredRecordSchema } from "../../sdk/api";
import { ATTESTED_BY, CAPTURED_BY, bodyOfObject, type JsonObject } from "../../sdk/one-record/jsonld";
import { OneRecordClient } from "../../sdk/one-record/client";
import { speakerOf } from "../../sdk/provenance/attesters";
import { verifyRecord } from "../../sdk/verify";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "./harness";
import { actionRequestKinds } from "./one-record-harness";

const CARGO = "https://onerecord.iata.org/ns/cargo#";
const API = "https://onerecord.iata.org/ns/api#";
const piece = (description: string, extra: JsonObject = {}): JsonObject => ({
  "@context": { cargo: CARGO },
  "@type": "cargo:Piece",
  "cargo:goodsDescription": description,
  ...extra,
});

interface Answer {
  status: number;
  headers: Headers;
  json: JsonObject | undefined;
}

describe(`ONE Record: plain clients write, the hub attests for them (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let holder: TestOrg;
  let airline: TestOrg;
  let outsider: TestOrg;

  /** A standard client's call: JSON-LD, a bearer token, nothing else. */
  async function call(org: TestOrg, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${hub.url}${path}`, {
      method,
      headers: {
        accept: "application/ld+json",
        authorization: `Bearer ${await org.client.accessToken()}`,
        ...(body !== undefined ? { "content-type": "application/ld+json" } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as JsonObject) : undefined };
  }
  const party = (orgId: string) => ({ "@id": `${hub.url}/organizations/${orgId}` });
  const pathOf = (iri: string) => iri.slice(hub.url.length);
  /** Creates a piece as a plain client: its IRI. */
  async function create(org: TestOrg, doc: JsonObject): Promise<string> {
    const res = await call(org, "POST", "/logistics-objects", doc);
    expect(res.status, JSON.stringify(res.json)).to.equal(201);
    return res.headers.get("location")!;
  }
  /** The signed record of a version, as the record API gives it. */
  async function storedRecord(org: TestOrg, id: string, version: number) {
    const res = await fetch(`${hub.url}/v1/records/${id}?version=${version}`, { headers: { authorization: `Bearer ${await org.client.accessToken()}` } });
    expect(res.status).to.equal(200);
    return StoredRecordSchema.parse(await res.json()).record;
  }
  const change = (object: string, revision: number, value: string, property = "upid"): JsonObject => ({
    "@context": { api: API },
    "@type": "api:Change",
    "api:hasLogisticsObject": { "@id": object },
    "api:hasDescription": "The piece's id",
    "api:hasOperation": [
      {
        "@type": "api:Operation",
        "api:op": { "@id": "api:ADD" },
        "api:s": object,
        "api:p": `${CARGO}${property}`,
        "api:o": [{ "@type": "api:OperationObject", "api:hasDatatype": "http://www.w3.org/2001/XMLSchema#string", "api:hasValue": value }],
      },
    ],
    "api:hasRevision": { "@type": "http://www.w3.org/2001/XMLSchema#positiveInteger", "@value": String(revision) },
    "api:notifyRequestStatusChange": true,
  });
  const decide = (org: TestOrg, actionRequest: string, status: string, headers: Record<string, string> = {}) =>
    call(org, "PATCH", `${pathOf(actionRequest)}?status=${encodeURIComponent(`${API}REQUEST_${status}`)}`, undefined, headers);

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [holder, airline, outsider] = await Promise.all([
      admit(hub.url, "plain-fwd", ["FORWARDER"]),
      admit(hub.url, "plain-air", ["AIRLINE"]),
      admit(hub.url, "plain-nosy", ["SHIPPER"]),
    ]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("creates an object without the Cargoproof-Record header: it reads back marked as hub-attested for the organisation, and verifies as such", async function () {
    const sent = piece("Plain watches", { "cargo:specialHandlingCodes": [{ "@id": "https://onerecord.iata.org/ns/code-lists/SpecialHandlingCode#VAL" }] });
    const created = await call(holder, "POST", "/logistics-objects", sent);
    expect(created.status).to.equal(201);
    expect(created.headers.get("type")).to.equal(`${CARGO}Piece`);
    const iri = created.headers.get("location")!;
    expect(iri).to.match(new RegExp(`^${hub.url}/logistics-objects/[0-9a-f-]{36}$`));

    const read = await call(holder, "GET", pathOf(iri));
    expect(read.status).to.equal(200);
    expect(read.headers.get("revision")).to.equal("1");
    expect(read.json!["@id"]).to.equal(iri);
    // Marked: attested by the hub, for the organisation; the marker is no cargo property.
    expect(read.json![ATTESTED_BY]).to.deep.equal(party("operator"));
    expect(read.json![CAPTURED_BY]).to.deep.equal(party(holder.id));
    expect(read.json!).to.not.have.property("cargo:capturedBy");
    const { [ATTESTED_BY]: _a, [CAPTURED_BY]: _c, ...cargo } = read.json!;
    expect(bodyOfObject(cargo).body).to.deep.equal(bodyOfObject(sent).body);

    // The record: the operator's, signed with its key, speaking for the organisation; anchored and verifiable.
    const id = iri.split("/").pop()!;
    const record = await storedRecord(holder, id, 1);
    expect(record).to.include({ type: "LogisticsObject", owner: "operator", version: 1 });
    expect(record.body.capturedBy).to.equal(holder.id);
    expect(speakerOf(record)).to.equal(holder.id);
    const proof = await holder.client.waitForProof(id, 1);
    const verdict = await verifyRecord({
      record,
      proof,
      chain: { provider: chain.provider },
      contracts: { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry },
    });
    expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
    expect(verdict.membership.orgId).to.equal("operator");
  });

  it("the organisation holds it: it delegates read access; anyone else cannot see or write it, answered as for an object that does not exist", async function () {
    const iri = await create(holder, piece("Plain books"));
    const unknown = `/logistics-objects/${randomUUID()}`;
    // Another organisation: every read and write is the 404 of an unknown object.
    for (const [method, path, body] of [
      ["GET", pathOf(iri), undefined],
      ["GET", `${pathOf(iri)}/audit-trail`, undefined],
      [
        "POST",
        `${pathOf(iri)}/logistics-events`,
        { "@context": { cargo: CARGO }, "@type": "cargo:LogisticsEvent", "cargo:eventFor": { "@id": iri }, "cargo:eventName": "x" },
      ],
      ["PATCH", pathOf(iri), change(iri, 1, "NOSY")],
    ] as const) {
      const mine = await call(outsider, method, path, body);
      const none = await call(
        outsider,
        method,
        path.replace(pathOf(iri), unknown),
        body &&
          JSON.parse(
            JSON.stringify(body)
              .split(iri)
              .join(hub.url + unknown),
          ),
      );
      expect(mine.status, `${method} ${path}`).to.equal(404);
      expect(none.status).to.equal(404);
      expect(JSON.stringify(mine.json).split(iri.split("/").pop()!).join("X")).to.equal(JSON.stringify(none.json).split(unknown.split("/").pop()!).join("X"));
    }
    const id = iri.split("/").pop()!;
    expect((await fetch(`${hub.url}/v1/records/${id}`, { headers: { authorization: `Bearer ${await outsider.client.accessToken()}` } })).status).to.equal(404);
    // Not even the airline yet.
    expect((await call(airline, "GET", pathOf(iri))).status).to.equal(404);

    // The holder delegates: as the data holder, nothing to decide, granted at once.
    const delegation = {
      "@context": { api: API },
      "@type": "api:AccessDelegation",
      "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
      "api:isRequestedFor": [party(airline.id)],
      "api:hasLogisticsObject": [{ "@id": iri }],
    };
    const delegated = await call(holder, "POST", "/access-delegations", delegation);
    expect(delegated.status, JSON.stringify(delegated.json)).to.equal(201);
    const request = await call(holder, "GET", pathOf(delegated.headers.get("location")!));
    expect(request.json!["api:hasRequestStatus"]).to.deep.equal({ "@id": "api:REQUEST_ACCEPTED" });
    const read = await call(airline, "GET", pathOf(iri));
    expect(read.status).to.equal(200);
    expect(read.json![CAPTURED_BY]).to.deep.equal(party(holder.id));
    // The outsider still sees nothing.
    expect((await call(outsider, "GET", pathOf(iri))).status).to.equal(404);
    // The reads of the object are in its holder's access log (not the hub's).
    const lines = async () => {
      const res = await fetch(`${hub.url}/v1/access-log?recordId=${id}`, { headers: { authorization: `Bearer ${await holder.client.accessToken()}` } });
      return ((await res.json()) as { entries: { actor: string; action: string; owner: string | null }[] }).entries;
    };
    await waitFor("the airline's read in the holder's log", async () => (await lines()).some((e) => e.actor === airline.id && e.action === "READ"));
    // And so are the attempts of those who may not see it.
    expect((await lines()).some((e) => e.actor === outsider.id && e.action === "DENY")).to.equal(true);
    expect((await lines()).every((e) => e.owner === holder.id)).to.equal(true);
  });

  it("a linked grant of a hub-attested object reaches its holder's objects, never another organisation's that the hub also attested", async function () {
    // The airline's piece, which the holder may read and references from its shipment.
    const theirs = await create(airline, piece("The airline's piece"));
    const shared = await call(airline, "POST", "/access-delegations", {
      "@context": { api: API },
      "@type": "api:AccessDelegation",
      "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
      "api:isRequestedFor": [party(holder.id)],
      "api:hasLogisticsObject": [{ "@id": theirs }],
    });
    expect(shared.status).to.equal(201);
    const own = await create(holder, piece("The holder's piece"));
    const shipment = await create(holder, {
      "@context": { cargo: CARGO },
      "@type": "cargo:Shipment",
      "cargo:goodsDescription": "Mixed",
      "cargo:pieces": [{ "@id": own }, { "@id": theirs }],
    });
    // Both are the operator's records; only the holder's own piece is reached by its linked grant.
    await holder.client.grant(shipment.split("/").pop()!, outsider.id, undefined, "linked");
    expect((await call(outsider, "GET", pathOf(shipment))).status).to.equal(200);
    expect((await call(outsider, "GET", pathOf(own))).status).to.equal(200);
    expect((await call(outsider, "GET", pathOf(theirs))).status).to.equal(404);
  });

  it("a change through a plain PATCH, accepted by the holder without the header, makes revision 2 hub-attested for the holder", async function () {
    const iri = await create(holder, piece("Plain pens"));
    const id = iri.split("/").pop()!;
    const granted = await call(holder, "POST", "/access-delegations", {
      "@context": { api: API },
      "@type": "api:AccessDelegation",
      "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
      "api:isRequestedFor": [party(airline.id)],
      "api:hasLogisticsObject": [{ "@id": iri }],
    });
    expect(granted.status).to.equal(201);

    const asked = await call(airline, "PATCH", pathOf(iri), change(iri, 1, "PEN-1"));
    expect(asked.status, JSON.stringify(asked.json)).to.equal(201);
    const actionRequest = asked.headers.get("location")!;
    // The request is the hub's attestation for the airline; the holder is told it is pending and sees it.
    const requestRecord = await storedRecord(airline, actionRequest.split("/").pop()!, 1);
    expect(requestRecord).to.include({ type: "ChangeRequest", owner: "operator" });
    expect(requestRecord.body.capturedBy).to.equal(airline.id);
    await waitFor("the pending notification", async () => (await actionRequestKinds(holder, actionRequest)).includes("CHANGE_REQUEST_PENDING"));
    const seen = await call(holder, "GET", pathOf(actionRequest));
    expect(seen.status).to.equal(200);
    expect(seen.json!["api:isRequestedBy"]).to.deep.equal(party(airline.id));
    expect((await call(outsider, "GET", pathOf(actionRequest))).status).to.equal(404);
    // Only the holder decides: the airline cannot accept its own request.
    expect((await decide(airline, actionRequest, "ACCEPTED")).status).to.equal(404);

    expect((await decide(holder, actionRequest, "ACCEPTED")).status).to.equal(204);
    const read = await call(holder, "GET", pathOf(iri));
    expect(read.headers.get("revision")).to.equal("2");
    expect(read.json!["cargo:upid"]).to.equal("PEN-1");
    expect(read.json![CAPTURED_BY]).to.deep.equal(party(holder.id));
    const v2 = await storedRecord(holder, id, 2);
    expect(v2).to.include({ owner: "operator", version: 2 });
    expect(v2.body.capturedBy).to.equal(holder.id);
    const proof = await holder.client.waitForProof(id, 2);
    const verdict = await verifyRecord({
      record: v2,
      proof,
      chain: { provider: chain.provider },
      contracts: { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry },
    });
    expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
    await waitFor("the airline's notification", async () => (await actionRequestKinds(airline, actionRequest)).includes("CHANGE_REQUEST_ACCEPTED"));
    const trail = await call(holder, "GET", `${pathOf(iri)}/audit-trail`);
    expect((trail.json!["api:hasActionRequest"] as JsonObject[]).map((r) => r["api:hasRequestStatus"])).to.deep.equal([{ "@id": "api:REQUEST_ACCEPTED" }]);

    // A signature header on a hub-attested object's revision is refused: nobody but the hub signs the hub's record.
    const again = await call(airline, "PATCH", pathOf(iri), change(iri, 2, "Fragile", "shippingMarks"));
    expect(again.status, JSON.stringify(again.json)).to.equal(201);
    const second = again.headers.get("location")!;
    const signed = await decide(holder, second, "ACCEPTED", { "Cargoproof-Record": "eyJ9" });
    expect(signed.status).to.equal(400);
    expect(signed.json!.type).to.match(/hub-attested-object$/);
    expect((await call(holder, "GET", pathOf(iri))).headers.get("revision")).to.equal("2");
    expect((await decide(holder, second, "REJECTED")).status).to.equal(204);

    // The holder's SDK accepts on its hub-attested object too: the hub signs, the SDK sends no header.
    const third = await call(airline, "PATCH", pathOf(iri), change(iri, 2, "Upright", "shippingMarks"));
    expect(third.status).to.equal(201);
    const accepted = await new OneRecordClient({ hub: holder.client, orgId: holder.id, privateKey: holder.key.privateKey }).acceptChange(
      third.headers.get("location")!,
    );
    expect(accepted.revision).to.equal(3);
    expect(accepted.record).to.include({ owner: "operator", version: 3 });
    expect(accepted.record.body).to.include({ capturedBy: holder.id });
  });

  it("an event posted plainly is stored, attested for its poster, listed with the object and read back", async function () {
    const iri = await create(holder, piece("Plain lamps"));
    const event = {
      "@context": { cargo: CARGO },
      "@type": "cargo:LogisticsEvent",
      "cargo:eventFor": { "@id": iri },
      "cargo:eventCode": { "@id": "https://onerecord.iata.org/ns/code-lists/StatusCode#DEP" },
      "cargo:eventName": "Departed",
      "cargo:eventDate": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2026-05-03T10:00:00.000Z" },
    };
    const posted = await call(holder, "POST", `${pathOf(iri)}/logistics-events`, event);
    expect(posted.status, JSON.stringify(posted.json)).to.equal(201);
    const eventIri = posted.headers.get("location")!;
    expect(eventIri.startsWith(`${iri}/logistics-events/`)).to.equal(true);
    const read = await call(holder, "GET", pathOf(eventIri));
    expect(read.status).to.equal(200);
    expect(read.json!["cargo:eventName"]).to.equal("Departed");
    expect(read.json![CAPTURED_BY]).to.deep.equal(party(holder.id));
    const list = await call(holder, "GET", `${pathOf(iri)}/logistics-events`);
    expect(list.json!["api:hasTotalItems"]).to.equal(1);
    const record = await storedRecord(holder, eventIri.split("/").pop()!, 1);
    expect(record).to.include({ owner: "operator" });
    expect(record.body).to.include({ objectType: "LogisticsEvent", capturedBy: holder.id });
    // Someone who cannot read the object cannot post to it.
    expect((await call(outsider, "POST", `${pathOf(iri)}/logistics-events`, event)).status).to.equal(404);
    expect((await call(holder, "GET", `${pathOf(iri)}/logistics-events`)).json!["api:hasTotalItems"]).to.equal(1);
  });

  it("notifications follow the holder: a subscriber that reads the object hears of the holder's plain writes, the holder not of its own", async function () {
    const iri = await create(holder, piece("Plain bells"));
    const delegated = await call(holder, "POST", "/access-delegations", {
      "@context": { api: API },
      "@type": "api:AccessDelegation",
      "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
      "api:isRequestedFor": [party(airline.id)],
      "api:hasLogisticsObject": [{ "@id": iri }],
    });
    expect(delegated.status).to.equal(201);
    const subscribe = async (org: TestOrg) => {
      const res = await call(org, "POST", "/subscriptions", {
        "@context": { api: API },
        "@type": "api:Subscription",
        "api:hasSubscriber": party(org.id),
        "api:hasTopicType": { "@id": "api:LOGISTICS_OBJECT_IDENTIFIER" },
        "api:hasTopic": { "@type": "http://www.w3.org/2001/XMLSchema#anyURI", "@value": iri },
        "api:includeSubscriptionEventType": [{ "@id": "api:LOGISTICS_EVENT_RECEIVED" }],
      });
      expect(res.status, JSON.stringify(res.json)).to.equal(201);
    };
    await subscribe(airline);
    await subscribe(holder);
    const event = { "@context": { cargo: CARGO }, "@type": "cargo:LogisticsEvent", "cargo:eventFor": { "@id": iri }, "cargo:eventName": "Rang" };
    expect((await call(holder, "POST", `${pathOf(iri)}/logistics-events`, event)).status).to.equal(201);
    const about = async (org: TestOrg) =>
      (await org.client.notifications(0, 1000)).notifications.filter((n) => n.kind === "LOGISTICS_EVENT_RECEIVED" && n.recordId === iri.split("/").pop());
    await waitFor("the airline's notification", async () => (await about(airline)).length === 1);
    expect(await about(holder)).to.deep.equal([]);
    // The airline's own plain event: now the holder hears of it, the airline not.
    expect((await call(airline, "POST", `${pathOf(iri)}/logistics-events`, { ...event, "cargo:eventName": "Rang again" })).status).to.equal(201);
    await waitFor("the holder's notification", async () => (await about(holder)).length === 1);
    expect(await about(airline)).to.have.length(1);
  });

  it("bad bodies are 400 problems that change nothing; only the hub attests (a member's capturedBy is refused)", async function () {
    const iri = await create(holder, piece("Plain cups"));
    const before = await call(holder, "GET", pathOf(iri));
    const bad: [unknown, string][] = [
      [piece("Claims a holder", { "cargo:capturedBy": "plain-air" }), "invalid-logistics-object"],
      [{ "@context": { cargo: CARGO }, "cargo:goodsDescription": "No class" }, "invalid-logistics-object"],
      [{ "@context": "https://example.com/remote-context.jsonld", "@type": "cargo:Piece" }, "invalid-logistics-object"],
      [
        {
          "@context": { cargo: CARGO },
          "@type": "cargo:Waybill",
          "cargo:waybillType": { "@id": "cargo:MASTER" },
          "cargo:waybillPrefix": "020",
          "cargo:waybillNumber": "12345671",
        },
        "invalid-record",
      ],
    ];
    for (const [doc, kind] of bad) {
      const res = await call(holder, "POST", "/logistics-objects", doc);
      expect(res.status, JSON.stringify(doc)).to.equal(400);
      expect(res.headers.get("content-type")).to.match(/^application\/(ld\+json|problem\+json)/);
      expect(String(res.json!.type), JSON.stringify(res.json)).to.match(new RegExp(`/${kind}$`));
    }
    // A change may not touch the attestation either.
    const touch = {
      ...change(iri, 1, "x"),
      "api:hasOperation": [
        {
          "@type": "api:Operation",
          "api:op": { "@id": "api:ADD" },
          "api:s": iri,
          "api:p": `${CARGO}capturedBy`,
          "api:o": [{ "@type": "api:OperationObject", "api:hasDatatype": "http://www.w3.org/2001/XMLSchema#string", "api:hasValue": "plain-air" }],
        },
      ],
    };
    const touched = await call(holder, "PATCH", pathOf(iri), touch);
    expect(touched.status).to.equal(422);
    expect((await call(holder, "GET", `${pathOf(iri)}/audit-trail`)).json!["api:hasActionRequest"]).to.deep.equal([]);
    // An unsigned event that is no event, or names another object: 400, nothing stored.
    const noEvent = await call(holder, "POST", `${pathOf(iri)}/logistics-events`, piece("Not an event", { "cargo:eventFor": { "@id": iri } }));
    expect(noEvent.status).to.equal(400);
    const elsewhere = await call(holder, "POST", `${pathOf(iri)}/logistics-events`, {
      "@context": { cargo: CARGO },
      "@type": "cargo:LogisticsEvent",
      "cargo:eventFor": { "@id": `${hub.url}/logistics-objects/${randomUUID()}` },
    });
    expect(elsewhere.status).to.equal(400);
    expect((await call(holder, "GET", `${pathOf(iri)}/logistics-events`)).json!["api:hasTotalItems"]).to.equal(0);
    expect((await call(holder, "GET", pathOf(iri))).json).to.deep.equal(before.json);

    // A member signing its own record cannot claim a hub attestation (it would make another party the holder of its data).
    const claim = await holder.client
      .publish("LogisticsObject", { objectType: "Piece", goodsDescription: "Forged", capturedBy: airline.id } as never)
      .catch((e: unknown) => e as { status?: number; problem?: { type?: string } });
    expect((claim as { status?: number }).status).to.equal(403);
    expect((claim as { problem?: { type?: string } }).problem?.type).to.match(/hub-attested-only$/);
  });
});
