import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { HubError } from "../../sdk/client";
import { API_SCHEMAS, apiObjectOf } from "../../sdk/one-record/api-objects";
import { OneRecordClient } from "../../sdk/one-record/client";
import { bodyOfObject, type JsonObject } from "../../sdk/one-record/jsonld";
import { SIGNED_WRITE_HEADER, encodeSignedWrite, signObject } from "../../sdk/one-record/signed-write";
import { changeOfJsonLd, changeRequestBodyOf, skolemIri } from "../../sdk/one-record/change";
import { prepareRecord } from "../../sdk/digest";
import { signRecord } from "../../sdk/signature";
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
import { actionRequestKinds as kinds, failure, oneRecordClient } from "./one-record-harness";

const CARGO = "https://onerecord.iata.org/ns/cargo#";
const API = "https://onerecord.iata.org/ns/api#";
const XSD = "http://www.w3.org/2001/XMLSchema#";
const VAL = "https://onerecord.iata.org/ns/code-lists/SpecialHandlingCode#VAL";
const KGM = "https://onerecord.iata.org/ns/code-lists/MeasurementUnitCode#KGM";
const UNIT_CODES = "https://onerecord.iata.org/ns/code-lists/MeasurementUnitCode";

const piece = (description: string, extra: JsonObject = {}): JsonObject => ({
  "@context": { cargo: CARGO },
  "@type": "cargo:Piece",
  ...(description ? { "cargo:goodsDescription": description } : {}),
  "cargo:coload": false,
  "cargo:specialHandlingCodes": [{ "@id": VAL }],
  ...extra,
});

type Op = ["ADD" | "DELETE", string, string, string];
/** An api:Change of `object` on `revision`: operations [op, cargo property, xsd datatype, value] on the object itself. */
const change = (object: string, revision: number, ops: Op[], extra: JsonObject = {}): JsonObject => ({
  "@context": { api: "https://onerecord.iata.org/ns/api#", cargo: CARGO, xsd: XSD },
  "@type": "api:Change",
  "api:hasLogisticsObject": { "@id": object },
  "api:hasDescription": "test change",
  "api:hasOperation": ops.map(([op, p, dt, value]) => ({
    "@type": "api:Operation",
    "api:op": { "@id": `api:${op}` },
    "api:s": object,
    "api:p": { "@value": CARGO + p, "@type": "xsd:anyURI" },
    "api:o": [{ "@type": "api:OperationObject", "api:hasDatatype": { "@value": XSD + dt, "@type": "xsd:anyURI" }, "api:hasValue": value }],
  })),
  "api:hasRevision": { "@value": String(revision), "@type": "xsd:positiveInteger" },
  ...extra,
});

type NodeOp = ["ADD" | "DELETE", string, string, string, string];
/** An api:Change of `object` on `revision` whose operations name their subject: [op, s, cargo property, datatype IRI, value]. */
const nodeChange = (object: string, revision: number, ops: NodeOp[]): JsonObject => ({
  ...change(object, revision, []),
  "api:hasOperation": ops.map(([op, s, p, dt, value]) => ({
    "@type": "api:Operation",
    "api:op": { "@id": `api:${op}` },
    "api:s": s,
    "api:p": { "@value": CARGO + p, "@type": "xsd:anyURI" },
    "api:o": [{ "@type": "api:OperationObject", "api:hasDatatype": { "@value": dt, "@type": "xsd:anyURI" }, "api:hasValue": value }],
  })),
});

/** The same JSON-LD with every property value and @type written as a one-element array (as the expanded form writes them). */
function asArrays(doc: JsonObject): JsonObject {
  const wrap = (v: JsonObject[string]): JsonObject[string] => {
    if (Array.isArray(v)) return v.map(wrap);
    if (v === null || typeof v !== "object" || "@value" in v) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "@context" || k === "@id" ? x : Array.isArray(x) ? x.map(wrap) : [wrap(x)]]));
  };
  return wrap(doc) as JsonObject;
}

/** What a refusal looks like to the caller (the instance names the URL asked, so it is left out). */
const shape = (e: HubError) => ({ status: e.status, type: e.problem.type, title: e.problem.title, detail: e.problem.detail });
const statusOf = (request: JsonObject) => String((request["api:hasRequestStatus"] as JsonObject)["@id"]).replace("api:", "");
const body = (object: JsonObject) => bodyOfObject(object).body;

describe(`ONE Record change requests and the audit trail (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let holder: TestOrg;
  let airline: TestOrg;
  let handler: TestOrg;
  let outsider: TestOrg;
  let fwd: OneRecordClient;
  let air: OneRecordClient;
  let hdl: OneRecordClient;
  let nosy: OneRecordClient;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [holder, airline, handler, outsider] = await Promise.all([
      admit(hub.url, "fwd-changes", ["FORWARDER"]),
      admit(hub.url, "air-changes", ["AIRLINE"]),
      admit(hub.url, "gha-changes", ["HANDLER"]),
      admit(hub.url, "nosy-changes", ["SHIPPER"]),
    ]);
    [fwd, air, hdl, nosy] = [holder, airline, handler, outsider].map(oneRecordClient);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  /** A holder's piece the airline and the handler may read. */
  async function sharedPiece(description = "Watches", extra: JsonObject = {}) {
    const created = await fwd.createObject(piece(description, extra));
    await holder.client.grant(created.id, airline.id);
    await holder.client.grant(created.id, handler.id);
    return created;
  }

  it("request, accept: the new revision is the change, signed by the holder; the other pending request on that revision is rejected", async function () {
    const p = await sharedPiece();
    const wanted = change(
      p.iri,
      1,
      [
        ["ADD", "upid", "string", "P-100"],
        ["DELETE", "coload", "boolean", "false"],
        ["ADD", "coload", "boolean", "true"],
      ],
      {
        "api:notifyRequestStatusChange": true,
      },
    );
    // The action request's id is the id of the signed ChangeRequest record, chosen by the requester.
    const requestId = randomUUID();
    const requested = await air.requestChange(p.iri, wanted, { id: requestId });
    expect(requested.iri).to.equal(`${hub.url}/action-requests/${requestId}`);
    const other = await hdl.requestChange(
      p.iri,
      change(p.iri, 1, [["ADD", "shippingMarks", "string", "HANDLE WITH CARE"]], { "api:notifyRequestStatusChange": true }),
    );

    // The holder hears of both; the request reads back as an api:ChangeRequest, PENDING.
    await waitFor(
      "the pending notifications",
      async () => (await kinds(holder, requested.iri)).includes("CHANGE_REQUEST_PENDING") && (await kinds(holder, other.iri)).length === 1,
    );
    const pendingNote = (await holder.client.notifications(0, 1000)).notifications.find((n) => n.detail?.actionRequest === requested.iri)!;
    expect(pendingNote.detail).to.deep.equal({ actionRequest: requested.iri, object: p.iri, objectType: "Piece" });
    const read = await air.actionRequest(requested.iri);
    expect(read.type).to.equal(`${API}ChangeRequest`);
    expect(statusOf(read.request)).to.equal("REQUEST_PENDING");
    const parsed = API_SCHEMAS.ChangeRequest.safeParse(apiObjectOf(read.request));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
    expect(read.request["api:isRequestedBy"]).to.deep.equal({ "@id": `${hub.url}/organizations/${airline.id}` });
    expect((await fwd.actionRequest(requested.iri)).request["@id"]).to.equal(requested.iri);
    // The signed request is a record of its own, which the holder may read too.
    const signed = await holder.client.getRecord(requested.id);
    expect(signed.record).to.deep.include({ type: "ChangeRequest", owner: airline.id, digest: requested.record.digest });

    const accepted = await fwd.acceptChange(requested.iri);
    expect(accepted.revision).to.equal(2);
    const latest = await air.getObject(p.iri);
    expect(latest).to.include({ revision: 2, latestRevision: 2 });
    expect(body(latest.object)).to.deep.include({ upid: "P-100", coload: true, goodsDescription: "Watches" });
    const stored = await holder.client.getRecord(p.id);
    expect(stored.record).to.deep.include({ version: 2, owner: holder.id, digest: accepted.record.digest });

    expect(statusOf((await air.actionRequest(requested.iri)).request)).to.equal("REQUEST_ACCEPTED");
    const superseded = (await hdl.actionRequest(other.iri)).request;
    expect(statusOf(superseded)).to.equal("REQUEST_REJECTED");
    expect(JSON.stringify(superseded["api:hasError"])).to.contain(requested.iri);
    await waitFor(
      "the status notifications",
      async () =>
        (await kinds(airline, requested.iri)).includes("CHANGE_REQUEST_ACCEPTED") && (await kinds(handler, other.iri)).includes("CHANGE_REQUEST_REJECTED"),
    );
    // A request no longer pending does not change again.
    expect((await failure(fwd.acceptChange(other.iri))).status).to.equal(409);
    expect((await failure(fwd.rejectActionRequest(requested.iri))).status).to.equal(409);

    // The audit trail: the holder sees both, the handler the accepted one and its own, the airline its own.
    const all = await fwd.auditTrail(p.iri);
    expect(all.latestRevision).to.equal(2);
    expect(all.requests.map((r) => r["@id"])).to.deep.equal([requested.iri, other.iri]);
    expect(API_SCHEMAS.AuditTrail.safeParse(apiObjectOf(all.trail)).success).to.equal(true);
    expect((await hdl.auditTrail(p.iri)).requests.map((r) => r["@id"])).to.deep.equal([requested.iri, other.iri]);
    expect((await air.auditTrail(p.iri)).requests.map((r) => r["@id"])).to.deep.equal([requested.iri]);
    expect((await fwd.auditTrail(p.iri, { status: "ACCEPTED" })).requests.map((r) => r["@id"])).to.deep.equal([requested.iri]);
    expect((await fwd.auditTrail(p.iri, { updatedFrom: new Date(Date.now() + 60_000) })).requests).to.deep.equal([]);
  });

  it("answers the PATCH with 201, Location and Type, and refuses what is no acceptable change", async function () {
    const p = await sharedPiece("Books");
    const token = await airline.client.accessToken();
    const patch = (doc: unknown, headers: Record<string, string> = {}) =>
      fetch(`${hub.url}/logistics-objects/${p.id}`, {
        method: "PATCH",
        headers: { "content-type": "application/ld+json", authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify(doc),
      });

    // Without the header the hub attests the request (one-record-plain-clients.test.ts); an empty header is no signature.
    const unsigned = await patch(change(p.iri, 1, [["ADD", "upid", "string", "X"]]), { [SIGNED_WRITE_HEADER]: "" });
    expect(unsigned.status).to.equal(400);
    expect(((await unsigned.json()) as JsonObject).type).to.equal("https://cargoproof.dev/problems/signature-required");

    const cases: [JsonObject, number, string, string?][] = [
      [
        change(`${hub.url}/logistics-objects/${randomUUID()}`, 1, [["ADD", "upid", "string", "X"]]),
        400,
        "logistics-object-mismatch",
        `${API}hasLogisticsObject`,
      ],
      [change(p.iri, 2, [["ADD", "upid", "string", "X"]]), 422, "revision-conflict", `${API}hasRevision`],
      [change(p.iri, 1, [["DELETE", "coload", "boolean", "true"]]), 422, "change-not-applicable", `${CARGO}coload`],
      [change(p.iri, 1, [["ADD", "coload", "boolean", "true"]]), 422, "change-result-invalid", `${CARGO}coload`],
      [{ ...change(p.iri, 1, []), "api:hasOperation": [] }, 400, "invalid-change"],
    ];
    for (const [doc, status, kind, property] of cases) {
      const res = await patch(doc);
      const error = (await res.json()) as JsonObject;
      expect(res.status, kind).to.equal(status);
      expect(error.type, kind).to.equal(`https://cargoproof.dev/problems/${kind}`);
      expect(API_SCHEMAS.Error.safeParse(apiObjectOf(error)).success, kind).to.equal(true);
      if (property) expect(JSON.stringify(error["api:hasErrorDetail"]), kind).to.contain(property);
    }

    // Logistics events are append-only: no change requests on them.
    const ev = await fwd.appendEvent(p.iri, {
      "@context": { cargo: CARGO },
      "@type": "cargo:LogisticsEvent",
      "cargo:eventCode": { "@id": "https://onerecord.iata.org/ns/code-lists/StatusCode#RCS" },
      "cargo:eventDate": { "@type": `${XSD}dateTime`, "@value": "2026-05-01T08:00:00Z" },
    });
    const onEvent = await failure(
      fwd.requestChange(`${hub.url}/logistics-objects/${ev.id}`, change(`${hub.url}/logistics-objects/${ev.id}`, 1, [["ADD", "upid", "string", "X"]])),
    );
    expect(onEvent.status).to.equal(400);
    expect(onEvent.problem.type).to.equal("https://cargoproof.dev/problems/logistics-event-immutable");
    expect(onEvent.problem.title).to.equal("Logistics Events can not be updated");

    // A valid one: 201 with the specification's headers.
    const asked = change(p.iri, 1, [["ADD", "upid", "string", "B-1"]]);
    const id = randomUUID();
    const signed = signRecord(
      airline.key.privateKey,
      prepareRecord({ type: "ChangeRequest", id, version: 1, owner: airline.id }, { ...changeRequestBodyOf(changeOfJsonLd(asked)) }),
    );
    const created = await patch(asked, { [SIGNED_WRITE_HEADER]: encodeSignedWrite({ id, version: 1, salts: signed.salts, signature: signed.signature }) });
    expect(created.status).to.equal(201);
    expect(created.headers.get("location")).to.equal(`${hub.url}/action-requests/${id}`);
    expect(created.headers.get("type")).to.equal(`${API}ChangeRequest`);
    const ok = { id, iri: `${hub.url}/action-requests/${id}` };
    const res = await fetch(`${hub.url}/action-requests/${ok.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get("type")).to.equal(`${API}ChangeRequest`);
    expect(res.headers.get("content-type")).to.match(/^application\/ld\+json/);
    expect(new Date(res.headers.get("last-modified")!).getTime()).to.be.greaterThan(0);
    // The requester may not decide its own request: as for an unknown id.
    expect((await failure(air.acceptChange(ok.iri))).status).to.equal(404);
    expect((await failure(air.rejectActionRequest(ok.iri))).status).to.equal(404);
  });

  it("a Change with one-element arrays (hasLogisticsObject, hasRevision, every value) is the same data: accepted and applied like its compact form", async function () {
    const p = await sharedPiece("Toys");
    const compact = change(p.iri, 1, [
      ["ADD", "upid", "string", "T-1"],
      ["DELETE", "coload", "boolean", "false"],
      ["ADD", "coload", "boolean", "true"],
    ]);
    const expanded = asArrays(compact);
    expect(expanded["api:hasLogisticsObject"]).to.deep.equal([{ "@id": p.iri }]);
    const asked = await air.requestChange(p.iri, expanded);
    // The signed request is the one its compact form gives: the same operations, compared as data.
    expect(asked.record.body).to.deep.equal({ ...changeRequestBodyOf(changeOfJsonLd(compact)) });
    await fwd.acceptChange(asked.iri);
    const now = await fwd.getObject(p.iri);
    expect(now.revision).to.equal(2);
    expect(body(now.object)).to.include({ upid: "T-1", coload: true, goodsDescription: "Toys" });
  });

  it("refuses a change of the object's events (cargo:events, hasLogisticsEvent) with the specification's 400, Logistics Events can not be updated", async function () {
    const p = await sharedPiece("Pens");
    const ev = await fwd.appendEvent(p.iri, {
      "@context": { cargo: CARGO },
      "@type": "cargo:LogisticsEvent",
      "cargo:eventCode": { "@id": "https://onerecord.iata.org/ns/code-lists/StatusCode#RCS" },
      "cargo:eventDate": { "@type": `${XSD}dateTime`, "@value": "2026-05-01T08:00:00Z" },
    });
    for (const property of ["events", "hasLogisticsEvent"]) {
      for (const op of ["ADD", "DELETE"] as const) {
        const refused = await failure(air.requestChange(p.iri, nodeChange(p.iri, 1, [[op, p.iri, property, `${CARGO}LogisticsEvent`, ev.iri]])));
        expect(refused.status, `${op} ${property}`).to.equal(400);
        expect(refused.problem.type).to.equal("https://cargoproof.dev/problems/logistics-event-immutable");
        expect(refused.problem.title).to.equal("Logistics Events can not be updated");
        expect(refused.problem.errors?.[0]?.path).to.equal(CARGO + property);
      }
    }
    // Nothing was recorded: no request in the audit trail, and the object is unchanged.
    expect((await fwd.auditTrail(p.iri)).requests).to.deep.equal([]);
    expect((await fwd.getObject(p.iri)).revision).to.equal(1);
  });

  it("a change that no longer applies when accepted is FAILED (422 to the holder), and the requester hears of it", async function () {
    const p = await sharedPiece("Toys");
    const asked = await air.requestChange(
      p.iri,
      change(
        p.iri,
        1,
        [
          ["DELETE", "goodsDescription", "string", "Toys"],
          ["ADD", "goodsDescription", "string", "Wooden toys"],
        ],
        { "api:notifyRequestStatusChange": true },
      ),
    );
    // The holder publishes revision 2 itself (through the native API): the change was for revision 1.
    const second = signObject(holder.key.privateKey, holder.id, piece("Plastic toys"), { id: p.id, version: 2 });
    await holder.client.publishSigned(second.record);

    const refused = await failure(fwd.acceptChange(asked.iri));
    expect(refused.status).to.equal(422);
    expect(refused.problem.type).to.equal("https://cargoproof.dev/problems/change-request-failed");
    const failed = (await air.actionRequest(asked.iri)).request;
    expect(statusOf(failed)).to.equal("REQUEST_FAILED");
    const error = JSON.stringify(failed["api:hasError"]);
    expect(error).to.contain('"409"').and.to.contain("revision 1");
    expect((await fwd.getObject(p.iri)).revision).to.equal(2);
    await waitFor("the failure notification", async () => (await kinds(airline, asked.iri)).includes("CHANGE_REQUEST_FAILED"));
    expect((await failure(fwd.acceptChange(asked.iri))).status).to.equal(409);
  });

  it("the holder accepts only with its signature of exactly the changed object", async function () {
    const p = await sharedPiece("Pens");
    const asked = await air.requestChange(p.iri, change(p.iri, 1, [["ADD", "upid", "string", "PEN-1"]]));
    const token = await holder.client.accessToken();
    const accept = (header?: string) =>
      fetch(`${hub.url}/action-requests/${asked.id}?status=${encodeURIComponent(`${API}REQUEST_ACCEPTED`)}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, ...(header ? { [SIGNED_WRITE_HEADER]: header } : {}) },
      });
    expect((await accept()).status).to.equal(400);
    // Signed over something else than the change's result.
    const other = signObject(holder.key.privateKey, holder.id, piece("Pens", { "cargo:upid": "PEN-2" }), { id: p.id, version: 2 });
    const forged = await accept(other.header);
    expect(forged.status).to.equal(400);
    expect(((await forged.json()) as JsonObject).type).to.equal("https://cargoproof.dev/problems/signature-invalid");
    expect(statusOf((await fwd.actionRequest(asked.iri)).request)).to.equal("REQUEST_PENDING");
    expect((await fwd.getObject(p.iri)).revision).to.equal(1);
    await fwd.acceptChange(asked.iri);
    expect(body((await fwd.getObject(p.iri)).object).upid).to.equal("PEN-1");
  });

  it("two acceptances on one revision at once: one wins, the other request ends REJECTED and its acceptance is a 409", async function () {
    const p = await sharedPiece("Cups");
    const [a, b] = await Promise.all([
      air.requestChange(p.iri, change(p.iri, 1, [["ADD", "upid", "string", "CUP-A"]])),
      hdl.requestChange(p.iri, change(p.iri, 1, [["ADD", "upid", "string", "CUP-B"]])),
    ]);
    const outcomes = await Promise.allSettled([fwd.acceptChange(a.iri), fwd.acceptChange(b.iri)]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).to.have.length(1);
    const lost = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).to.be.instanceOf(HubError);
    expect((lost.reason as HubError).status).to.equal(409);
    const statuses = await Promise.all([air.actionRequest(a.iri), hdl.actionRequest(b.iri)].map(async (r) => statusOf((await r).request)));
    expect(statuses.sort()).to.deep.equal(["REQUEST_ACCEPTED", "REQUEST_REJECTED"]);
    const latest = await fwd.getObject(p.iri);
    expect(latest.revision).to.equal(2);
    expect(body(latest.object).upid).to.equal(outcomes[0]!.status === "fulfilled" ? "CUP-A" : "CUP-B");
  });

  it("refuses a change that would create a logistics object (a blank node of a logistics object class), and records nothing", async function () {
    const shipment = await fwd.createObject({ "@context": { cargo: CARGO }, "@type": "cargo:Shipment", "cargo:goodsDescription": "Crates" });
    await holder.client.grant(shipment.id, airline.id);
    for (const dt of [`${CARGO}Piece`, `${CARGO}Location`, `${CARGO}LogisticsEvent`]) {
      const refused = await failure(
        air.requestChange(
          shipment.iri,
          nodeChange(shipment.iri, 1, [
            ["ADD", shipment.iri, "pieces", dt, "_:new"],
            ["ADD", "_:new", "goodsDescription", `${XSD}string`, "Made up"],
          ]),
        ),
      );
      expect(refused.status, dt).to.equal(400);
      expect(refused.problem.type).to.equal("https://cargoproof.dev/problems/logistics-object-creation");
      expect(refused.problem.errors?.[0]?.path).to.equal(`${CARGO}pieces`);
    }
    expect((await fwd.auditTrail(shipment.iri)).requests).to.deep.equal([]);
    // An embedded node of a class that is no logistics object (a cargo:Value) is still made by a change.
    const weighed = await air.requestChange(
      shipment.iri,
      nodeChange(shipment.iri, 1, [
        ["ADD", shipment.iri, "totalGrossWeight", `${CARGO}Value`, "_:w"],
        ["ADD", "_:w", "numericalValue", `${XSD}double`, "3"],
      ]),
    );
    expect(weighed.iri).to.match(/\/action-requests\//);
  });

  it("the audit trail of an object one may not read is the specification's 404, Logistics Object not found naming it, exactly as for an unknown one", async function () {
    const p = await fwd.createObject(piece("Hidden"));
    const token = await outsider.client.accessToken();
    const trail = async (id: string) => {
      const res = await fetch(`${hub.url}/logistics-objects/${id}/audit-trail`, {
        headers: { accept: "application/ld+json", authorization: `Bearer ${token}` },
      });
      expect(res.status).to.equal(404);
      return (await res.json()) as JsonObject;
    };
    const unknown = randomUUID();
    const [denied, missing] = [await trail(p.id), await trail(unknown)];
    expect(denied["api:hasTitle"]).to.equal("Logistics Object not found");
    const [detail] = denied["api:hasErrorDetail"] as JsonObject[];
    expect(detail).to.deep.include({ "api:hasCode": "404", "api:hasResource": { "@value": p.iri, "@type": "xsd:anyURI" } });
    // Only the object asked for differs (it is named, as asked): nothing tells the two apart.
    const asked = (doc: JsonObject, id: string) => JSON.parse(JSON.stringify(doc).split(id).join("{id}")) as JsonObject;
    expect(asked(denied, p.id)).to.deep.equal(asked(missing, unknown));
  });

  it("reject by the holder, revoke by the requester", async function () {
    const p = await sharedPiece("Lamps");
    const rejected = await air.requestChange(p.iri, change(p.iri, 1, [["ADD", "upid", "string", "L-1"]], { "api:notifyRequestStatusChange": true }));
    await fwd.rejectActionRequest(rejected.iri);
    expect(statusOf((await air.actionRequest(rejected.iri)).request)).to.equal("REQUEST_REJECTED");
    await waitFor("the rejection notification", async () => (await kinds(airline, rejected.iri)).includes("CHANGE_REQUEST_REJECTED"));

    const revoked = await hdl.requestChange(p.iri, change(p.iri, 1, [["ADD", "upid", "string", "L-2"]]));
    expect((await failure(fwd.revokeActionRequest(revoked.iri))).status).to.equal(404); // only the requester revokes
    await hdl.revokeActionRequest(revoked.iri);
    const request = (await hdl.actionRequest(revoked.iri)).request;
    expect(statusOf(request)).to.equal("REQUEST_REVOKED");
    expect(request["api:isRevokedBy"]).to.deep.equal({ "@id": `${hub.url}/organizations/${handler.id}` });
    await waitFor("the revocation notification", async () => (await kinds(holder, revoked.iri)).includes("CHANGE_REQUEST_REVOKED"));
    expect((await failure(hdl.revokeActionRequest(revoked.iri))).status).to.equal(409);
    expect((await failure(fwd.acceptChange(revoked.iri))).status).to.equal(409);
    expect((await fwd.getObject(p.iri)).revision).to.equal(1);
  });

  it("the data holder may request a change of its own object: PENDING like any other, accepted as a step of its own", async function () {
    const p = await sharedPiece("Bags");
    const own = await fwd.requestChange(p.iri, change(p.iri, 1, [["ADD", "upid", "string", "BAG-1"]]));
    expect(statusOf((await fwd.actionRequest(own.iri)).request)).to.equal("REQUEST_PENDING");
    expect(await kinds(holder, own.iri)).to.deep.equal(["CHANGE_REQUEST_PENDING"]);
    expect((await fwd.getObject(p.iri)).revision).to.equal(1);
    await fwd.acceptChange(own.iri);
    expect(body((await air.getObject(p.iri)).object).upid).to.equal("BAG-1");
    // The specification's way to revoke: PATCH with api:REQUEST_REVOKED (here on a request already decided).
    expect((await failure(fwd.request("PATCH", `/action-requests/${own.id}?status=${encodeURIComponent(`${API}REQUEST_REVOKED`)}`))).status).to.equal(409);
    const other = await air.requestChange(p.iri, change(p.iri, 2, [["ADD", "shippingMarks", "string", "UP"]]));
    await air.request("PATCH", `/action-requests/${other.id}?status=${encodeURIComponent(`${API}REQUEST_REVOKED`)}`);
    expect(statusOf((await air.actionRequest(other.iri)).request)).to.equal("REQUEST_REVOKED");
  });

  it("a party with no access learns nothing: the same 404 as for unknown ids, and a denial in the access log", async function () {
    const p = await sharedPiece("Secrets");
    const asked = await air.requestChange(p.iri, change(p.iri, 1, [["ADD", "upid", "string", "S-1"]]));
    const unknownObject = `${hub.url}/logistics-objects/${randomUUID()}`;
    const unknownRequest = `${hub.url}/action-requests/${randomUUID()}`;
    const pairs: [() => Promise<unknown>, () => Promise<unknown>][] = [
      [
        () => nosy.requestChange(p.iri, change(p.iri, 1, [["ADD", "upid", "string", "N"]])),
        () => nosy.requestChange(unknownObject, change(unknownObject, 1, [["ADD", "upid", "string", "N"]])),
      ],
      [() => nosy.actionRequest(asked.iri), () => nosy.actionRequest(unknownRequest)],
      [() => nosy.rejectActionRequest(asked.iri), () => nosy.rejectActionRequest(unknownRequest)],
      [
        () => nosy.request("PATCH", `/action-requests/${asked.id}?status=nonsense`),
        () => nosy.request("PATCH", `/action-requests/${randomUUID()}?status=nonsense`),
      ],
      [() => nosy.revokeActionRequest(asked.iri), () => nosy.revokeActionRequest(unknownRequest)],
      [() => nosy.auditTrail(p.iri), () => nosy.auditTrail(unknownObject)],
    ];
    for (const [denied, missing] of pairs) {
      const [a, b] = [await failure(denied()), await failure(missing())];
      expect(a.status).to.equal(404);
      expect(shape(a)).to.deep.equal(shape(b));
    }
    expect(statusOf((await air.actionRequest(asked.iri)).request)).to.equal("REQUEST_PENDING");
    const denials = await sql<{ recordId: string }>(database.url, `SELECT "recordId" FROM "AccessLogEntry" WHERE "actor" = $1 AND "action" = 'DENY'`, [
      outsider.id,
    ]);
    const ids = denials.map((d) => d.recordId);
    expect(ids).to.include(p.id).and.to.include(asked.id);
  });

  it("a change may reference only objects its requester reads: a hidden piece is refused like a missing one, and never reaches a linked grant", async function () {
    const shipment = await fwd.createObject({ "@context": { cargo: CARGO }, "@type": "cargo:Shipment", "cargo:goodsDescription": "Mixed cargo" });
    await holder.client.grant(shipment.id, airline.id, undefined, "linked");
    const hidden = await fwd.createObject(piece("Prototype, not for the airline"));
    const missing = `${hub.url}/logistics-objects/${randomUUID()}`;
    const addPiece = (iri: string, revision = 1) => nodeChange(shipment.iri, revision, [["ADD", shipment.iri, "pieces", `${CARGO}Piece`, iri]]);
    // The airline, whose linked grant would reach the piece once it is in the shipment, names it: refused, exactly as a piece that does not exist.
    const [refused, unknown] = [
      await failure(air.requestChange(shipment.iri, addPiece(hidden.iri))),
      await failure(air.requestChange(shipment.iri, addPiece(missing))),
    ];
    expect(refused.status).to.equal(422);
    expect(refused.problem.type).to.match(/change-reference-unknown$/);
    const blind = (e: HubError) => ({ ...shape(e), detail: e.problem.detail?.replace(/\S*\/logistics-objects\/\S+/, "<object>") });
    expect(blind(refused)).to.deep.equal(blind(unknown));
    expect((await failure(air.getObject(hidden.iri))).status).to.equal(404);
    expect((await fwd.getObject(shipment.iri)).revision).to.equal(1);

    // The handler reads the piece, asks to add it, and loses it before the holder accepts: the request FAILS, nothing changes.
    await holder.client.grant(shipment.id, handler.id);
    await holder.client.grant(hidden.id, handler.id);
    const asked = await hdl.requestChange(shipment.iri, addPiece(hidden.iri));
    await holder.client.revokeGrant(hidden.id, handler.id);
    expect((await failure(fwd.acceptChange(asked.iri))).status).to.equal(422);
    expect(statusOf((await hdl.actionRequest(asked.iri)).request)).to.equal("REQUEST_FAILED");
    expect((await failure(air.getObject(hidden.iri))).status).to.equal(404);

    // The holder adding its own piece is its own choice: then the airline's linked grant reaches it.
    await fwd.acceptChange((await fwd.requestChange(shipment.iri, addPiece(hidden.iri))).iri);
    expect(body((await air.getObject(hidden.iri)).object).goodsDescription).to.equal("Prototype, not for the airline");
  });

  it("a blank node of a change becomes an embedded node named by its skolem IRI, which later changes address", async function () {
    // The kinds of change the specification's Change examples show (test/conformance/one-record-api.test.ts sends the examples themselves).
    const a = await sharedPiece("");
    const accept = async (doc: JsonObject) => fwd.acceptChange((await air.requestChange(a.iri, doc)).iri);
    await accept(
      change(a.iri, 1, [
        ["ADD", "goodsDescription", "string", "Brochures"],
        ["DELETE", "coload", "boolean", "false"],
        ["ADD", "coload", "boolean", "true"],
      ]),
    );
    expect(body((await air.getObject(a.iri)).object)).to.deep.include({ goodsDescription: "Brochures", coload: true });

    await accept(
      nodeChange(a.iri, 2, [
        ["ADD", a.iri, "grossWeight", `${CARGO}Value`, "_:w"],
        ["ADD", "_:w", "unit", UNIT_CODES, KGM],
        ["ADD", "_:w", "numericalValue", `${XSD}double`, "12.5"],
      ]),
    );
    const weight = body((await air.getObject(a.iri)).object).grossWeight as JsonObject;
    const node = skolemIri(a.iri, 2, "_:w");
    expect(node).to.match(new RegExp(`^${hub.url}/\\.well-known/genid/`));
    expect(weight).to.deep.equal({
      "@id": node,
      "@type": `${CARGO}Value`,
      unit: { "@id": KGM },
      numericalValue: { "@value": "12.5", "@type": `${XSD}double` },
    });

    await accept(
      nodeChange(a.iri, 3, [
        ["DELETE", node, "numericalValue", `${XSD}double`, "12.5"],
        ["ADD", node, "numericalValue", `${XSD}double`, "13.0"],
      ]),
    );
    expect((body((await air.getObject(a.iri)).object).grossWeight as JsonObject).numericalValue).to.deep.equal({ "@value": "13.0", "@type": `${XSD}double` });

    // Deleting the reference removes the node; its triples stay addressable until the change ends.
    await accept(
      nodeChange(a.iri, 4, [
        ["DELETE", a.iri, "grossWeight", `${CARGO}Value`, node],
        ["DELETE", node, "unit", UNIT_CODES, KGM],
        ["DELETE", node, "numericalValue", `${XSD}double`, "13"],
      ]),
    );
    const final = await air.getObject(a.iri);
    expect(final.revision).to.equal(5);
    expect(body(final.object)).to.not.have.property("grossWeight");
    const trail = await fwd.auditTrail(a.iri);
    expect(trail.latestRevision).to.equal(5);
    expect(trail.requests.map(statusOf)).to.deep.equal(["REQUEST_ACCEPTED", "REQUEST_ACCEPTED", "REQUEST_ACCEPTED", "REQUEST_ACCEPTED"]);
  });
});
