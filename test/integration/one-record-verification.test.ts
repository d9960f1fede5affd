// ONE Record verification requests (issue 15): a party that may read an object flags errors in it
// (POST /logistics-objects/{id} with an api:Verification); the data holder acknowledges or rejects,
// the requester revokes, through /action-requests/{id}; the notifications of each step. Denials look
// like a missing object or request.
import { expect } from "chai";
import { API_SCHEMAS, apiObjectOf } from "../../sdk/one-record/api-objects";
import type { OneRecordClient } from "../../sdk/one-record/client";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "./harness";
import { actionRequestKinds as kinds, failure, oneRecordClient } from "./one-record-harness";

const CARGO = "https://onerecord.iata.org/ns/cargo#";
const API = "https://onerecord.iata.org/ns/api#";
const status = (s: string) => `?status=${encodeURIComponent(`${API}REQUEST_${s}`)}`;
const pathOf = (iri: string) => new URL(iri).pathname;
const statusOf = (request: JsonObject) => String((request["api:hasRequestStatus"] as JsonObject)["@id"]);

describe(`ONE Record verification requests (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let holder: TestOrg;
  let carrier: TestOrg;
  let outsider: TestOrg;
  let fwd: OneRecordClient;
  let air: OneRecordClient;
  let other: OneRecordClient;

  const verification = (object: string, extra: JsonObject = {}): JsonObject => ({
    "@context": { api: API, xsd: "http://www.w3.org/2001/XMLSchema#" },
    "@type": "api:Verification",
    "api:hasLogisticsObject": { "@id": object },
    "api:hasError": [
      {
        "@type": "api:Error",
        "api:hasTitle": "The gross weight is missing",
        "api:hasSeverity": { "@id": "api:ERROR" },
        "api:hasErrorDetail": {
          "@type": "api:ErrorDetail",
          "api:hasCode": "AWB07",
          "api:hasProperty": { "@value": `${CARGO}grossWeight`, "@type": "xsd:anyURI" },
        },
      },
    ],
    "api:notifyRequestStatusChange": true,
    ...extra,
  });
  /** A piece `holder` holds, readable by the carrier; its IRI. */
  async function sharedPiece(description: string): Promise<string> {
    const p = await fwd.createObject({ "@context": { cargo: CARGO }, "@type": "cargo:Piece", "cargo:goodsDescription": description });
    await holder.client.grant(p.id, carrier.id);
    return p.iri;
  }
  async function verify(client: OneRecordClient, object: string, body: JsonObject = verification(object)): Promise<string> {
    const res = await client.request("POST", client.objectPath(object), { body });
    expect(res.status).to.equal(201);
    expect(res.headers.get("type")).to.equal(`${API}VerificationRequest`);
    return res.headers.get("location")!;
  }

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [holder, carrier, outsider] = await Promise.all([
      admit(hub.url, "vr-holder", ["FORWARDER"]),
      admit(hub.url, "vr-carrier", ["AIRLINE"]),
      admit(hub.url, "vr-outsider", ["HANDLER"]),
    ]);
    [fwd, air, other] = [holder, carrier, outsider].map(oneRecordClient) as [OneRecordClient, OneRecordClient, OneRecordClient];
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("a reader asks, the holder is notified and acknowledges; the requester hears of it; the request reads back as an api:VerificationRequest", async function () {
    const iri = await sharedPiece("Flagged");
    const request = await verify(air, iri);
    expect(request).to.match(new RegExp(`^${hub.url}/action-requests/`));
    await waitFor("the pending notification", async () => (await kinds(holder, request)).includes("VERIFICATION_REQUEST_PENDING"));

    for (const client of [air, fwd]) {
      const read = await client.actionRequest(request);
      expect(read.type).to.equal(`${API}VerificationRequest`);
      expect(statusOf(read.request)).to.equal("api:REQUEST_PENDING");
      expect(API_SCHEMAS.VerificationRequest.safeParse(apiObjectOf(read.request)).success, JSON.stringify(read.request)).to.equal(true);
    }
    const { request: pending } = await air.actionRequest(request);
    const asked = pending["api:hasVerification"] as JsonObject;
    expect(asked["api:hasLogisticsObject"]).to.deep.equal({ "@id": iri });
    expect(asked["api:hasRevision"]).to.deep.include({ "@value": "1" });
    const [error] = asked["api:hasError"] as JsonObject[];
    expect(error).to.deep.include({ "api:hasTitle": "The gross weight is missing", "api:hasSeverity": { "@id": "api:ERROR" } });
    expect((error!["api:hasErrorDetail"] as JsonObject[])[0]).to.deep.include({
      "api:hasCode": "AWB07",
      "api:hasProperty": { "@value": `${CARGO}grossWeight`, "@type": "xsd:anyURI" },
    });
    expect(pending["api:isRequestedBy"]).to.deep.equal({ "@id": air.partyIri(carrier.id) });

    // The requester may not decide its own request: the 404 of an unknown request.
    expect((await failure(air.request("PATCH", `${pathOf(request)}${status("ACKNOWLEDGED")}`))).status).to.equal(404);
    // A verification is acknowledged, not accepted: REQUEST_ACCEPTED (the OpenAPI's enum) means the same.
    await fwd.request("PATCH", `${pathOf(request)}${status("ACKNOWLEDGED")}`);
    const { request: done, lastModified } = await air.actionRequest(request);
    expect(statusOf(done)).to.equal("api:REQUEST_ACKNOWLEDGED");
    expect(lastModified).to.not.equal("");
    await waitFor("the acknowledgement", async () => (await kinds(carrier, request)).includes("VERIFICATION_REQUEST_ACKNOWLEDGED"));
    // Nobody is told of its own decision; only a PENDING request changes status.
    expect(await kinds(holder, request)).to.deep.equal(["VERIFICATION_REQUEST_PENDING"]);
    expect((await failure(fwd.request("PATCH", `${pathOf(request)}${status("REJECTED")}`))).status).to.equal(409);
  });

  it("the holder rejects (REQUEST_ACCEPTED is acknowledging, not an unknown status); the requester revokes a pending one and the holder hears of it", async function () {
    const iri = await sharedPiece("Rejected");
    const rejected = await verify(air, iri);
    await fwd.request("PATCH", `${pathOf(rejected)}${status("REJECTED")}`);
    expect(statusOf((await air.actionRequest(rejected)).request)).to.equal("api:REQUEST_REJECTED");

    const acknowledged = await verify(air, iri);
    await fwd.request("PATCH", `${pathOf(acknowledged)}${status("ACCEPTED")}`);
    expect(statusOf((await air.actionRequest(acknowledged)).request)).to.equal("api:REQUEST_ACKNOWLEDGED");

    const revoked = await verify(air, iri);
    // The holder may not revoke the carrier's request.
    expect((await failure(fwd.request("DELETE", pathOf(revoked)))).status).to.equal(404);
    await air.request("DELETE", pathOf(revoked));
    const read = (await fwd.actionRequest(revoked)).request;
    expect(statusOf(read)).to.equal("api:REQUEST_REVOKED");
    expect(read["api:isRevokedBy"]).to.deep.equal({ "@id": air.partyIri(carrier.id) });
    await waitFor("the revocation", async () => (await kinds(holder, revoked)).includes("VERIFICATION_REQUEST_REVOKED"));
    expect((await failure(fwd.request("PATCH", `${pathOf(revoked)}${status("BOGUS")}`))).status).to.equal(400);
  });

  it("who may not read the object gets the 404 of a missing object, and stores nothing; only requester and holder see the request", async function () {
    const iri = await sharedPiece("Hidden");
    const denied = await failure(other.request("POST", other.objectPath(iri), { body: verification(iri) }));
    const missingIri = `${hub.url}/logistics-objects/00000000-0000-4000-8000-000000000000`;
    const missing = await failure(other.request("POST", other.objectPath(missingIri), { body: verification(missingIri) }));
    expect(denied.status).to.equal(404);
    expect({ type: denied.problem.type, title: denied.problem.title }).to.deep.equal({ type: missing.problem.type, title: missing.problem.title });
    expect(
      (await holder.client.notifications(0, 1000)).notifications.filter((n) => n.kind === "VERIFICATION_REQUEST_PENDING" && n.detail?.object === iri),
    ).to.deep.equal([]);

    const request = await verify(air, iri);
    const unknown = `${hub.url}/action-requests/00000000-0000-4000-8000-000000000000`;
    for (const [method, suffix] of [
      ["GET", ""],
      ["PATCH", status("ACKNOWLEDGED")],
      ["DELETE", ""],
    ] as const) {
      const theirs = await failure(other.request(method, pathOf(request) + suffix));
      const none = await failure(other.request(method, pathOf(unknown) + suffix));
      expect([theirs.status, theirs.problem.type], method).to.deep.equal([none.status, none.problem.type]);
      expect(theirs.status).to.equal(404);
    }
    expect(statusOf((await fwd.actionRequest(request)).request)).to.equal("api:REQUEST_PENDING");
  });

  it("refuses a verification that is not one of this object: 400 naming the property, 422 for a revision the object does not have", async function () {
    const iri = await sharedPiece("Checked");
    const cases: [JsonObject, number, string][] = [
      [verification(`${hub.url}/logistics-objects/00000000-0000-4000-8000-000000000000`), 400, "logistics-object-mismatch"],
      [verification(iri, { "api:hasError": [] }), 400, "invalid-verification"],
      [verification(iri, { "@type": "api:Change" }), 400, "invalid-verification"],
      [verification(iri, { "api:hasRevision": { "@value": "7", "@type": "xsd:positiveInteger" } }), 422, "revision-unknown"],
    ];
    for (const [body, code, type] of cases) {
      const e = await failure(air.request("POST", air.objectPath(iri), { body }));
      expect([e.status, e.problem.type], JSON.stringify(body)).to.satisfy(([s, t]: [number, string]) => s === code && t.endsWith(type));
    }
    expect(
      (await holder.client.notifications(0, 1000)).notifications.filter((n) => n.kind === "VERIFICATION_REQUEST_PENDING" && n.detail?.object === iri),
    ).to.deep.equal([]);
  });
});
