import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { HubError } from "../../sdk/client";
import { API_SCHEMAS, apiObjectOf } from "../../sdk/one-record/api-objects";
import { OneRecordClient } from "../../sdk/one-record/client";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "./harness";
import { actionRequestKinds as kinds, failure, oneRecordClient } from "./one-record-harness";

const CARGO = "https://onerecord.iata.org/ns/cargo#";
const API = "https://onerecord.iata.org/ns/api#";

const piece = (description: string): JsonObject => ({ "@context": { cargo: CARGO }, "@type": "cargo:Piece", "cargo:goodsDescription": description });
const delegation = (objects: string[], parties: string[], extra: JsonObject = {}): JsonObject => ({
  "@context": { cargo: CARGO, api: API },
  "@type": "api:AccessDelegation",
  "api:hasDescription": "Our handler needs to read the piece",
  "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
  "api:isRequestedFor": parties.map((p) => ({ "@id": p })),
  "api:hasLogisticsObject": objects.map((o) => ({ "@id": o })),
  "api:notifyRequestStatusChange": true,
  ...extra,
});

const shape = (e: HubError) => ({ status: e.status, type: e.problem.type, title: e.problem.title, detail: e.problem.detail });
const statusOf = (request: JsonObject) => String((request["api:hasRequestStatus"] as JsonObject)["@id"]).replace("api:", "");

describe(`ONE Record access delegations (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let holder: TestOrg;
  let airline: TestOrg;
  let handler: TestOrg;
  let trucker: TestOrg;
  let outsider: TestOrg;
  let fwd: OneRecordClient;
  let air: OneRecordClient;
  let nosy: OneRecordClient;
  const party = (org: TestOrg) => `${hub.url}/organizations/${org.id}`;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [holder, airline, handler, trucker, outsider] = await Promise.all([
      admit(hub.url, "fwd-delegations", ["FORWARDER"]),
      admit(hub.url, "air-delegations", ["AIRLINE"]),
      admit(hub.url, "gha-delegations", ["HANDLER"]),
      admit(hub.url, "truck-delegations", ["HANDLER"]),
      admit(hub.url, "nosy-delegations", ["SHIPPER"]),
    ]);
    [fwd, air, nosy] = [holder, airline, outsider].map(oneRecordClient);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  /** A holder's piece the airline reads. */
  async function airlinePiece(description = "Watches") {
    const created = await fwd.createObject(piece(description));
    await holder.client.grant(created.id, airline.id);
    return created;
  }

  it("request for a third party -> the data holder accepts -> the party reads", async function () {
    const p = await airlinePiece();
    const handlerClient = oneRecordClient(handler);
    expect((await failure(handlerClient.getObject(p.iri))).status).to.equal(404);

    const token = await airline.client.accessToken();
    const res = await fetch(`${hub.url}/access-delegations`, {
      method: "POST",
      headers: { "content-type": "application/ld+json", authorization: `Bearer ${token}` },
      body: JSON.stringify(delegation([p.iri], [party(handler)])),
    });
    expect(res.status).to.equal(201);
    expect(res.headers.get("type")).to.equal(`${API}AccessDelegationRequest`);
    const iri = res.headers.get("location")!;
    expect(iri).to.match(new RegExp(`^${hub.url}/action-requests/[0-9a-f-]{36}$`));

    await waitFor("the pending notification", async () => (await kinds(holder, iri)).includes("ACCESS_DELEGATION_REQUEST_PENDING"));
    const seen = await fwd.actionRequest(iri);
    expect(seen.type).to.equal(`${API}AccessDelegationRequest`);
    expect(statusOf(seen.request)).to.equal("REQUEST_PENDING");
    const parsed = API_SCHEMAS.AccessDelegationRequest.safeParse(apiObjectOf(seen.request));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
    expect(seen.request["api:isRequestedBy"]).to.deep.equal({ "@id": party(airline) });
    expect((seen.request["api:hasAccessDelegation"] as JsonObject)["api:isRequestedFor"]).to.deep.equal([{ "@id": party(handler) }]);
    // Only the requester and the data holder see it; the party it is for is neither.
    expect((await failure(handlerClient.actionRequest(iri))).status).to.equal(404);

    await fwd.request("PATCH", `/action-requests/${iri.slice(iri.lastIndexOf("/") + 1)}?status=${encodeURIComponent(`${API}REQUEST_ACCEPTED`)}`);
    expect(statusOf((await air.actionRequest(iri)).request)).to.equal("REQUEST_ACCEPTED");
    expect((await handlerClient.getObject(p.iri)).revision).to.equal(1);
    await waitFor("the acceptance notification", async () => (await kinds(airline, iri)).includes("ACCESS_DELEGATION_REQUEST_ACCEPTED"));
    // Decided once.
    expect((await failure(fwd.rejectActionRequest(iri))).status).to.equal(409);
  });

  it("reject; revoke while pending; one action request per party asked for", async function () {
    const p = await airlinePiece("Books");
    const rejected = await air.requestAccessDelegation(delegation([p.iri], [party(trucker)]));
    await fwd.rejectActionRequest(rejected.iri);
    expect(statusOf((await air.actionRequest(rejected.iri)).request)).to.equal("REQUEST_REJECTED");
    expect((await failure(oneRecordClient(trucker).getObject(p.iri))).status).to.equal(404);

    const two = await air.requestAccessDelegation(delegation([p.iri], [party(handler), party(trucker)]));
    expect(two.iris).to.have.length(2);
    expect(two.iri).to.equal(two.iris[0]);
    const [forHandler, forTrucker] = await Promise.all(two.iris.map(async (i) => (await air.actionRequest(i)).request));
    expect((forHandler!["api:hasAccessDelegation"] as JsonObject)["api:isRequestedFor"]).to.deep.equal([{ "@id": party(handler) }]);
    expect((forTrucker!["api:hasAccessDelegation"] as JsonObject)["api:isRequestedFor"]).to.deep.equal([{ "@id": party(trucker) }]);
    // The requester withdraws one; the holder can no longer decide it.
    await air.revokeActionRequest(two.iris[1]!);
    expect(statusOf((await air.actionRequest(two.iris[1]!)).request)).to.equal("REQUEST_REVOKED");
    await waitFor("the revocation notification", async () => (await kinds(holder, two.iris[1]!)).includes("ACCESS_DELEGATION_REQUEST_REVOKED"));
    expect(
      (await failure(fwd.request("PATCH", `/action-requests/${two.iris[1]!.split("/").pop()}?status=${encodeURIComponent(`${API}REQUEST_ACCEPTED`)}`))).status,
    ).to.equal(409);
    expect(statusOf((await fwd.actionRequest(two.iris[0]!)).request)).to.equal("REQUEST_PENDING");
  });

  it("never reveals whether an object exists: requests on unknown and unreadable objects look like any other", async function () {
    const p = await fwd.createObject(piece("Secret piece"));
    const onReal = await nosy.requestAccessDelegation(delegation([p.iri], [party(outsider)]));
    const onNothing = await nosy.requestAccessDelegation(delegation([`${hub.url}/logistics-objects/${randomUUID()}`], [party(outsider)]));
    const [a, b] = [(await nosy.actionRequest(onReal.iri)).request, (await nosy.actionRequest(onNothing.iri)).request];
    expect(statusOf(a)).to.equal("REQUEST_PENDING");
    expect(Object.keys(a).sort()).to.deep.equal(Object.keys(b).sort());
    expect(statusOf(b)).to.equal("REQUEST_PENDING");
    // The holder is not asked about a party that may not know its object, and sees no such request.
    expect(await kinds(holder, onReal.iri)).to.deep.equal([]);
    expect(shape(await failure(fwd.actionRequest(onReal.iri)))).to.deep.equal(shape(await failure(fwd.actionRequest(onNothing.iri))));
    expect((await failure(fwd.rejectActionRequest(onReal.iri))).status).to.equal(404);
    // A third party sees no request at all.
    const iri = (await air.requestAccessDelegation(delegation([(await airlinePiece()).iri], [party(handler)]))).iri;
    const unknown = `${hub.url}/action-requests/${randomUUID()}`;
    for (const call of [
      (c: OneRecordClient, i: string) => c.actionRequest(i),
      (c: OneRecordClient, i: string) => c.rejectActionRequest(i),
      (c: OneRecordClient, i: string) => c.revokeActionRequest(i),
    ])
      expect(shape(await failure(call(nosy, iri)))).to.deep.equal(shape(await failure(call(nosy, unknown))));
    // A malformed delegation is a 400 naming the property, whatever the objects.
    const bad = await failure(nosy.requestAccessDelegation(delegation([p.iri], ["https://elsewhere.example/Airline_XYZ"])));
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.problem)).to.contain(`${API}isRequestedFor`);
  });
});
