// Sharing of logistics objects over real HTTP (docs/one-record.md "Sharing", docs/api.md "Grants and
// access requests"): deny by default, object and linked grants, events, onward delegation with its
// revocation cascade, access requests, customs by the manifest policy, and no existence leaks.
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { HubError } from "../../sdk/client";
import type { AccessRequestView, Problem } from "../../sdk/api";
import type { LogisticsObjectBody } from "../../sdk/records/logistics-object";
import { CARGO, CODE_LISTS } from "../../sdk/one-record/vocabulary";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";

/** What a refusal looks like to the caller: its status and problem (the instance is the URL asked). */
async function refusal(p: Promise<unknown>): Promise<{ status: number; problem: Omit<Problem, "instance"> } | "allowed"> {
  try {
    await p;
    return "allowed";
  } catch (e) {
    if (!(e instanceof HubError)) throw e;
    const { instance: _instance, ...problem } = e.problem;
    return { status: e.status, problem };
  }
}

describe(`sharing of logistics objects (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let fwd: TestOrg;
  let airline: TestOrg;
  let handler: TestOrg;
  let carrier: TestOrg;
  let shipper: TestOrg;
  let nosy: TestOrg;
  let customs: TestOrg;
  let notFound: Awaited<ReturnType<typeof refusal>>;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url, { CUSTOMS_AIRPORTS: "customs-hkg=HKG" }));
    fwd = await admit(hub.url, "shr-fwd", ["FORWARDER"]);
    airline = await admit(hub.url, "shr-airline", ["AIRLINE"]);
    handler = await admit(hub.url, "shr-handler", ["HANDLER"]);
    carrier = await admit(hub.url, "shr-carrier", ["HANDLER"]);
    shipper = await admit(hub.url, "shr-shipper", ["SHIPPER"]);
    nosy = await admit(hub.url, "shr-nosy", ["FORWARDER"]);
    customs = await admit(hub.url, "customs-hkg", ["CUSTOMS"]);
    notFound = await refusal(nosy.client.getRecord(randomUUID()));
    expect(notFound).to.not.equal("allowed");
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  const iri = (id: string) => ({ "@id": `${hub.url}/logistics-objects/${id}` });
  /** Publishes a logistics object (version 1 unless said) and returns its id. */
  async function put(org: TestOrg, body: Record<string, unknown>, id: string = randomUUID(), version = 1): Promise<string> {
    await org.client.publish("LogisticsObject", body as LogisticsObjectBody, { id, version });
    return id;
  }
  const piece = (org: TestOrg, what = "Books") => put(org, { objectType: "Piece", goodsDescription: what });
  const shipment = (org: TestOrg, pieces: string[], more: Record<string, unknown> = {}, id?: string, version?: number) =>
    put(org, { objectType: "Shipment", pieces: pieces.map(iri), ...more }, id, version);
  const event = (org: TestOrg, about: string, code = "DEP") =>
    put(org, {
      objectType: "LogisticsEvent",
      eventCode: { "@id": `${CODE_LISTS}StatusCode#${code}` },
      eventFor: iri(about),
      eventDate: new Date().toISOString(),
    });
  const house = (org: TestOrg, number: string, master: string, shipmentId: string, id?: string) =>
    put(
      org,
      { objectType: "Waybill", waybillType: { "@id": `${CARGO}HOUSE` }, waybillNumber: number, masterWaybill: iri(master), shipment: iri(shipmentId) },
      id,
    );
  const master = (org: TestOrg, airport: string, houses: string[], id?: string) =>
    put(
      org,
      {
        objectType: "Waybill",
        waybillType: { "@id": `${CARGO}MASTER` },
        waybillPrefix: "020",
        waybillNumber: "12345675",
        arrivalLocation: { "@type": `${CARGO}Location`, locationCodes: [{ code: airport }] },
        ...(houses.length > 0 ? { houseWaybills: houses.map(iri) } : {}),
      },
      id,
    );
  const reads = (org: TestOrg, id: string) => refusal(org.client.getRecord(id)).then((r) => r === "allowed");
  /** Each id readable by the org (true) or refused exactly as an unknown id (false); anything else fails. */
  async function sees(org: TestOrg, ids: string[]): Promise<boolean[]> {
    return Promise.all(
      ids.map(async (id) => {
        const r = await refusal(org.client.getRecord(id));
        if (r === "allowed") return true;
        expect(r, `the refusal of ${id} is the 404 of an unknown id`).to.deep.equal(notFound);
        return false;
      }),
    );
  }

  it("denies by default: another party gets the same 404 as for an id that does not exist", async function () {
    const p = await piece(fwd);
    expect(await sees(nosy, [p])).to.deep.equal([false]);
    expect(await refusal(nosy.client.getProof(p))).to.deep.equal(await refusal(nosy.client.getProof(randomUUID())));
    expect(await sees(fwd, [p])).to.deep.equal([true]);
  });

  it("an object grant with an expiry reads until it expires, then 404", async function () {
    const p = await piece(fwd);
    const g = await fwd.client.grant(p, airline.id, new Date(Date.now() + 1500));
    expect(g).to.include({ grantee: airline.id, scope: "object" });
    expect(await sees(airline, [p])).to.deep.equal([true]);
    await new Promise((r) => setTimeout(r, 1600));
    expect(await sees(airline, [p])).to.deep.equal([false]);
  });

  it("a linked grant on a shipment covers its pieces, its waybill and third parties' events, follows new versions, and never another owner's piece", async function () {
    const [p1, p2] = [await piece(fwd), await piece(fwd)];
    const foreign = await piece(shipper, "Not the forwarder's");
    const wbShipment = randomUUID();
    const hw = await house(fwd, "HX1001", randomUUID(), wbShipment);
    const s = await shipment(fwd, [p1, p2, foreign], { waybill: iri(hw) }, wbShipment);
    // The handler posts events about pieces it was let read (events come only from those).
    await fwd.client.grant(p1, handler.id);
    await shipper.client.grant(foreign, handler.id);
    const e1 = await event(handler, p1);
    const eForeign = await event(handler, foreign);
    expect(await sees(airline, [s, p1, p2, hw, e1])).to.deep.equal([false, false, false, false, false]);

    const g = await fwd.client.grant(s, airline.id, undefined, "linked");
    expect(g.scope).to.equal("linked");
    expect(await sees(airline, [s, p1, p2, hw, e1])).to.deep.equal([true, true, true, true, true]);
    expect(await sees(airline, [foreign, eForeign]), "another owner's piece (and its events) linked from the shipment").to.deep.equal([false, false]);
    expect(await sees(nosy, [e1]), "an event is not public").to.deep.equal([false]);

    // A piece added later is covered at once; one removed is no longer.
    const p3 = await piece(fwd);
    expect(await sees(airline, [p3])).to.deep.equal([false]);
    await shipment(fwd, [p1, p3, foreign], { waybill: iri(hw) }, s, 2);
    expect(await sees(airline, [p1, p3, p2, e1])).to.deep.equal([true, true, false, true]);
  });

  it("onward delegation by access request; revoking the first grant ends both at once", async function () {
    const p = await piece(fwd);
    const s = await shipment(fwd, [p]);
    const expiry = new Date(Date.now() + 3_600_000);
    const first = await fwd.client.grant(s, airline.id, expiry, "linked");

    const request = await airline.client.requestAccess({ recordIds: [s], scope: "linked", requestedFor: carrier.id, description: "the trucker picks it up" });
    expect(request).to.include({ status: "PENDING", requestedBy: airline.id, requestedFor: carrier.id, scope: "linked" });
    expect(await sees(carrier, [s, p])).to.deep.equal([false, false]);
    const pending = await fwd.client.accessRequests({ as: "owner", status: "PENDING" });
    expect(pending.map((r) => r.id)).to.include(request.id);

    const accepted = await fwd.client.decideAccessRequest(request.id, "ACCEPTED");
    expect(accepted.status).to.equal("ACCEPTED");
    expect(accepted.statusHistory.map((h) => h.status)).to.deep.equal(["PENDING", "ACCEPTED"]);
    expect(await sees(carrier, [s, p])).to.deep.equal([true, true]);
    const onward = (await fwd.client.listGrants(s)).find((g) => g.grantee === carrier.id)!;
    expect(onward).to.include({ parentGrantId: first.id, scope: "linked", grantedBy: fwd.id });
    expect(onward.expiresAt, "never later than its parent").to.equal(expiry.toISOString());

    await fwd.client.revokeGrant(s, airline.id);
    expect(await sees(airline, [s, p])).to.deep.equal([false, false]);
    expect(await sees(carrier, [s, p])).to.deep.equal([false, false]);
    expect((await fwd.client.listGrants(s)).map((g) => g.grantee)).to.deep.equal([]);
  });

  it("an accepted delegation whose requester lost its grant meanwhile is FAILED and grants nothing", async function () {
    const s = await shipment(fwd, [await piece(fwd)]);
    await fwd.client.grant(s, airline.id);
    const request = await airline.client.requestAccess({ recordIds: [s], requestedFor: carrier.id });
    await fwd.client.revokeGrant(s, airline.id);
    const decided = await fwd.client.decideAccessRequest(request.id, "ACCEPTED");
    expect(decided.statusHistory.map((h) => h.status)).to.deep.equal(["PENDING", "ACCEPTED", "FAILED"]);
    expect(decided.status).to.equal("FAILED");
    expect(await sees(carrier, [s])).to.deep.equal([false]);
  });

  it("access requests: the owner accepts or rejects; the requester withdraws; the owner revokes an accepted one", async function () {
    const [p4, p5] = [await piece(fwd), await piece(fwd)];
    const s = await shipment(fwd, [p4, p5]);
    await fwd.client.grant(s, airline.id); // object scope: the pieces are known to the airline, not readable
    expect(await sees(airline, [s, p4, p5])).to.deep.equal([true, false, false]);

    const ask4 = await airline.client.requestAccess({ recordIds: [p4] });
    expect(await airline.client.accessRequest(ask4.id)).to.deep.equal(ask4);
    expect((await fwd.client.accessRequest(ask4.id)).requestedBy).to.equal(airline.id);
    await fwd.client.decideAccessRequest(ask4.id, "ACCEPTED");
    expect(await sees(airline, [p4])).to.deep.equal([true]);
    expect(await refusal(fwd.client.decideAccessRequest(ask4.id, "REJECTED"))).to.deep.include({ status: 409 });

    const ask5 = await airline.client.requestAccess({ recordIds: [p5] });
    const rejected = await fwd.client.decideAccessRequest(ask5.id, "REJECTED");
    expect(rejected.status).to.equal("REJECTED");
    expect(await sees(airline, [p5])).to.deep.equal([false]);
    expect((await airline.client.accessRequest(ask5.id)).statusHistory.map((h) => h.status)).to.deep.equal(["PENDING", "REJECTED"]);

    const again = await airline.client.requestAccess({ recordIds: [p5] });
    expect((await airline.client.revokeAccessRequest(again.id)).status).to.equal("REVOKED");
    expect((await fwd.client.accessRequest(again.id)).status).to.equal("REVOKED");
    expect(await refusal(fwd.client.decideAccessRequest(again.id, "ACCEPTED"))).to.deep.include({ status: 409 });

    expect((await fwd.client.revokeAccessRequest(ask4.id)).status).to.equal("REVOKED");
    expect(await sees(airline, [p4])).to.deep.equal([false]);

    // The owner's own records for someone else: granted at once.
    const own = await fwd.client.requestAccess({ recordIds: [p5], requestedFor: carrier.id });
    expect(own.status).to.equal("ACCEPTED");
    expect(await sees(carrier, [p5])).to.deep.equal([true]);
  });

  it("a request naming an id that does not exist looks exactly like one naming an existing object, and shows to nobody else", async function () {
    const secret = await piece(fwd, "Not linked from anything the airline reads");
    const ask = async (id: string) => {
      const res = await fetch(`${hub.url}/v1/access-requests`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await airline.client.accessToken()}` },
        body: JSON.stringify({ recordIds: [id], scope: "linked" }),
      });
      return { status: res.status, body: (await res.json()) as AccessRequestView };
    };
    const existing = await ask(secret);
    const missing = await ask(randomUUID());
    const shape = (r: { status: number; body: AccessRequestView }) => ({
      status: r.status,
      keys: Object.keys(r.body).sort(),
      request: { ...r.body, id: "-", recordIds: ["-"], requestedAt: "-", statusHistory: r.body.statusHistory.map((h) => h.status) },
    });
    expect(shape(existing)).to.deep.equal(shape(missing));
    expect(existing.body.status).to.equal("PENDING");

    const mine = (await airline.client.accessRequests({ status: "PENDING" })).map((r) => r.id);
    expect(mine).to.include.members([existing.body.id, missing.body.id]);
    const owners = (await fwd.client.accessRequests({ as: "owner" })).map((r) => r.id);
    expect(owners).to.not.include(existing.body.id);
    const unknown = await refusal(fwd.client.accessRequest(randomUUID()));
    expect(unknown).to.deep.include({ status: 404 });
    for (const org of [fwd, nosy])
      for (const r of [existing, missing]) {
        expect(await refusal(org.client.accessRequest(r.body.id))).to.deep.equal(unknown);
        expect(await refusal(org.client.decideAccessRequest(r.body.id, "ACCEPTED"))).to.deep.equal(unknown);
      }
    // The requester can still withdraw either, the same way.
    expect((await airline.client.revokeAccessRequest(existing.body.id)).status).to.equal("REVOKED");
    expect((await airline.client.revokeAccessRequest(missing.body.id)).status).to.equal("REVOKED");
  });

  it("customs reads a master's manifest by policy: the master, the houses naming it, their shipments, pieces and events; nothing else", async function () {
    const mId = randomUUID();
    const m2 = await master(airline, "PVG", []);
    // A house stored before its master, one after, and a third party's house of another master that this master lists.
    const [p1, p2, p3] = [await piece(fwd), await piece(fwd), await piece(shipper)];
    const [s1, s2, s3] = [await shipment(fwd, [p1]), await shipment(fwd, [p2]), await shipment(shipper, [p3])];
    const h1 = await house(fwd, "HX2001", mId, s1);
    const h3 = await house(shipper, "HX2003", m2, s3);
    await master(airline, "HKG", [h1, h3], mId);
    const h2 = await house(fwd, "HX2002", mId, s2);
    await fwd.client.grant(p2, handler.id);
    const e2 = await event(handler, p2, "ARR");
    const unrelated = await piece(fwd);

    expect(await sees(customs, [mId, h1, s1, p1, h2, s2, p2, e2])).to.deep.equal([true, true, true, true, true, true, true, true]);
    expect(await sees(customs, [h3, s3, p3, m2, unrelated])).to.deep.equal([false, false, false, false, false]);
    expect(await sees(nosy, [mId, h1])).to.deep.equal([false, false]);

    // The forwarder's access log shows the policy's grant of its house.
    const res = await fetch(`${hub.url}/v1/access-log?recordId=${h1}`, { headers: { authorization: `Bearer ${await fwd.client.accessToken()}` } });
    const { entries } = (await res.json()) as { entries: { actor: string; action: string; detail: string | null }[] };
    expect(entries.some((e) => e.actor === "policy:customs-manifest" && e.action === "GRANT" && e.detail === `to ${customs.id} (linked)`)).to.equal(true);
    expect(entries.some((e) => e.actor === customs.id && e.action === "READ")).to.equal(true);
  });

  it("every new endpoint answers a party without rights exactly as for an id that does not exist", async function () {
    const p = await piece(fwd);
    const s = await shipment(fwd, [p]);
    await fwd.client.grant(s, airline.id, undefined, "linked");
    // Grants: only the owner grants, lists and revokes; a grantee is refused like anybody.
    expect(await refusal(airline.client.grant(s, carrier.id, undefined, "linked"))).to.deep.equal(
      await refusal(airline.client.grant(randomUUID(), carrier.id, undefined, "linked")),
    );
    expect(await refusal(airline.client.grant(s, carrier.id, undefined, "linked"))).to.deep.include({ status: 404 });
    expect(await refusal(airline.client.listGrants(s))).to.deep.equal(await refusal(airline.client.listGrants(randomUUID())));
    expect(await refusal(nosy.client.revokeGrant(s, airline.id))).to.deep.equal(await refusal(nosy.client.revokeGrant(randomUUID(), airline.id)));

    // Access requests: someone else's request is an unknown one, for reading, deciding and revoking.
    const request = await airline.client.requestAccess({ recordIds: [p], requestedFor: carrier.id });
    const unknownId = randomUUID();
    for (const org of [nosy, carrier]) {
      expect(await refusal(org.client.accessRequest(request.id))).to.deep.equal(await refusal(org.client.accessRequest(unknownId)));
      expect(await refusal(org.client.decideAccessRequest(request.id, "ACCEPTED"))).to.deep.equal(
        await refusal(org.client.decideAccessRequest(unknownId, "ACCEPTED")),
      );
      expect(await refusal(org.client.revokeAccessRequest(request.id))).to.deep.equal(await refusal(org.client.revokeAccessRequest(unknownId)));
    }
    expect(await refusal(nosy.client.accessRequest(unknownId))).to.deep.include({ status: 404 });
    // The requester does not decide its own request.
    expect(await refusal(airline.client.decideAccessRequest(request.id, "ACCEPTED"))).to.deep.equal(
      await refusal(airline.client.decideAccessRequest(unknownId, "ACCEPTED")),
    );
    // Lists hold only the caller's own.
    expect((await nosy.client.accessRequests()).map((r) => r.id)).to.not.include(request.id);
    expect((await nosy.client.accessRequests({ as: "owner" })).map((r) => r.id)).to.not.include(request.id);
    expect(await reads(carrier, p)).to.equal(false);
  });
});
