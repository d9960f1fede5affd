// Field-level grants and grants the law requires, over real HTTP with a real chain (docs/api.md
// "Grants and access requests"): the grantee reads the redacted form, which verifies against the
// chain; unknown fields are a 400 that changes nothing; grants add up; onward delegation only
// narrows; personal fields stay with their publisher and customs; ONE Record reads and embedded
// objects show no more; a policy grant (customs' view of a declared order) cannot be withdrawn.
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { HubError } from "../../sdk/client";
import type { SignedRecord } from "../../sdk/envelope";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import { verifyRecord } from "../../sdk/verify";
import { shipment } from "../fixtures";
import { order } from "../customs/fixtures";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";
import { oneRecordClient } from "./one-record-harness";

const CARGO = "https://onerecord.iata.org/ns/cargo#";

/** A refusal's status and problem (without the instance, which names the URL asked). */
async function refusal(
  p: Promise<unknown>,
): Promise<{ status: number; type: string; title: string; detail?: string; errors?: { path: string; message: string }[] } | "allowed"> {
  try {
    await p;
    return "allowed";
  } catch (e) {
    if (!(e instanceof HubError)) throw e;
    const { instance: _instance, ...problem } = e.problem;
    return { ...problem, status: e.status };
  }
}

const shown = (r: SignedRecord) => Object.keys(r.body).sort();
const hiddenOf = (r: SignedRecord) => Object.keys(r.hidden ?? {}).sort();

describe(`field-level grants and grants by law (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let fwd: TestOrg;
  let airline: TestOrg;
  let carrier: TestOrg;
  let trucker: TestOrg;
  let handler: TestOrg;
  let nosy: TestOrg;
  let platform: TestOrg;
  let customs: TestOrg;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [fwd, airline, carrier, trucker, handler, nosy, platform, customs] = await Promise.all([
      admit(hub.url, "fld-fwd", ["FORWARDER"]),
      admit(hub.url, "fld-airline", ["AIRLINE"]),
      admit(hub.url, "fld-carrier", ["HANDLER"]),
      admit(hub.url, "fld-trucker", ["HANDLER"]),
      admit(hub.url, "fld-handler", ["HANDLER"]),
      admit(hub.url, "fld-nosy", ["FORWARDER"]),
      admit(hub.url, "shop-global", ["PLATFORM"]),
      admit(hub.url, "hz-customs", ["CUSTOMS"]),
    ]);
    // The other parties an order names.
    await Promise.all([admit(hub.url, "pay-firm", ["PAYMENT"]), admit(hub.url, "parcel-express", ["FORWARDER"]), admit(hub.url, "hz-broker", ["BROKER"])]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  async function publishShipment(): Promise<string> {
    return (await fwd.client.publish("Shipment", shipment())).record.id;
  }

  it("a field-level grant: the grantee sees only the granted fields, and its copy verifies against the chain", async function () {
    const id = await publishShipment();
    const grant = await fwd.client.grant(id, airline.id, undefined, undefined, ["goodsDescription", "pieceCount"]);
    expect(grant).to.include({ grantee: airline.id, scope: "object" });
    expect(grant.fields).to.deep.equal(["goodsDescription", "pieceCount"]);
    expect((await fwd.client.listGrants(id)).find((g) => g.grantee === airline.id)?.fields).to.deep.equal(["goodsDescription", "pieceCount"]);

    const copy = (await airline.client.getRecord(id)).record;
    expect(shown(copy)).to.deep.equal(["goodsDescription", "pieceCount"]);
    const full = (await fwd.client.getRecord(id)).record;
    expect(hiddenOf(copy)).to.deep.equal(shown(full).filter((f) => f !== "goodsDescription" && f !== "pieceCount"));
    expect(copy.body.pieceCount).to.equal(full.body.pieceCount);
    // A whole-record grant shows everything.
    await fwd.client.grant(id, handler.id);
    expect((await handler.client.getRecord(id)).record).to.deep.equal(full);

    // The redacted copy and the proof the grantee fetches verify on the chain alone.
    const proof = await airline.client.waitForProof(id);
    const contracts = { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry };
    const verdict = await verifyRecord({ record: copy, proof, chain: { provider: chain.provider }, contracts });
    expect(verdict.digest.ok && verdict.signature.ok && verdict.anchor.ok && verdict.revocation.ok, JSON.stringify(verdict)).to.equal(true);
    expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);

    // Granting again replaces the owner's grant: the fields can be narrowed, or the grant made whole.
    await fwd.client.grant(id, airline.id, undefined, undefined, ["pieceCount"]);
    expect(shown((await airline.client.getRecord(id)).record)).to.deep.equal(["pieceCount"]);
    await fwd.client.grant(id, airline.id);
    expect((await airline.client.getRecord(id)).record).to.deep.equal(full);
  });

  it("an unknown field is a 400 naming it, and changes nothing; fields with a linked scope are refused", async function () {
    const id = await publishShipment();
    await fwd.client.grant(id, airline.id, undefined, undefined, ["origin"]);
    const bad = await refusal(fwd.client.grant(id, airline.id, undefined, undefined, ["destination", "buyer"]));
    expect(bad).to.deep.include({ status: 400, type: "https://cargoproof.dev/problems/unknown-field" });
    expect(bad !== "allowed" && bad.errors).to.deep.equal([{ path: "fields.1", message: "unknown field buyer" }]);
    expect(await refusal(fwd.client.grant(id, airline.id, undefined, undefined, ["not a field"]))).to.deep.include({ status: 400 });
    expect(await refusal(fwd.client.grant(id, carrier.id, undefined, "linked", ["origin"]))).to.deep.include({ status: 400 });
    // Nothing changed: the airline still reads just the origin, the carrier nothing.
    expect(shown((await airline.client.getRecord(id)).record)).to.deep.equal(["origin"]);
    expect((await fwd.client.listGrants(id)).map((g) => [g.grantee, g.fields])).to.deep.equal([[airline.id, ["origin"]]]);
    const missing = await refusal(carrier.client.getRecord(randomUUID()));
    expect(await refusal(carrier.client.getRecord(id))).to.deep.equal({ ...(missing as object) });
    // A party that may not see the record gets the 404 of an unknown one, whatever the body.
    expect(await refusal(nosy.client.grant(id, carrier.id, undefined, undefined, ["nope"]))).to.deep.equal(
      await refusal(nosy.client.grant(randomUUID(), carrier.id, undefined, undefined, ["nope"])),
    );
  });

  it("several grants of one grantee add up; personal fields stay with their publisher and customs", async function () {
    const id = (await platform.client.publish("Order", order({ orderNumber: `SO-FLD-${randomUUID().slice(0, 8)}` }))).record.id;
    await platform.client.grant(id, carrier.id, undefined, undefined, ["orderNumber", "buyer"]);
    const ask = await carrier.client.requestAccess({ recordIds: [id], fields: ["total", "currency"] });
    expect(ask.fields).to.deep.equal(["currency", "total"]);
    await platform.client.decideAccessRequest(ask.id, "ACCEPTED");
    const seen = (await carrier.client.getRecord(id)).record;
    // buyer was granted, but a buyer's identity is personal: the platform and customs only.
    expect(shown(seen)).to.deep.equal(["currency", "orderNumber", "total"]);
    expect(hiddenOf(seen)).to.include("buyer");
    expect((await customs.client.getRecord(id)).record.body).to.have.property("buyer");
    // Revoking the owner's grant leaves the request's.
    await platform.client.revokeGrant(id, carrier.id);
    expect(await refusal(carrier.client.getRecord(id))).to.deep.include({ status: 404 });
  });

  it("onward delegation only narrows the fields", async function () {
    const id = await publishShipment();
    await fwd.client.grant(id, airline.id, undefined, undefined, ["goodsDescription", "pieceCount"]);
    const narrower = await airline.client.requestAccess({ recordIds: [id], requestedFor: carrier.id, fields: ["pieceCount", "origin"] });
    expect((await fwd.client.decideAccessRequest(narrower.id, "ACCEPTED")).status).to.equal("ACCEPTED");
    expect(shown((await carrier.client.getRecord(id)).record)).to.deep.equal(["pieceCount"]);
    const asMuch = await airline.client.requestAccess({ recordIds: [id], requestedFor: trucker.id });
    await fwd.client.decideAccessRequest(asMuch.id, "ACCEPTED");
    expect(shown((await trucker.client.getRecord(id)).record)).to.deep.equal(["goodsDescription", "pieceCount"]);
    expect((await fwd.client.listGrants(id)).find((g) => g.grantee === trucker.id)?.fields).to.deep.equal(["goodsDescription", "pieceCount"]);
    // Asking only for what the requester does not read leaves nothing to share.
    const nothing = await airline.client.requestAccess({ recordIds: [id], requestedFor: handler.id, fields: ["origin"] });
    expect((await fwd.client.decideAccessRequest(nothing.id, "ACCEPTED")).status).to.equal("FAILED");
    expect(await refusal(handler.client.getRecord(id))).to.deep.include({ status: 404 });
  });

  it("ONE Record reads, embedded objects too, show only the granted properties", async function () {
    const one = oneRecordClient(fwd);
    const piece = await one.createObject({
      "@context": { cargo: CARGO },
      "@type": "cargo:Piece",
      "cargo:goodsDescription": "Watches",
      "cargo:shippingMarks": "FRAGILE",
      "cargo:upid": "PC-0042",
    });
    const s = await one.createObject({
      "@context": { cargo: CARGO },
      "@type": "cargo:Shipment",
      "cargo:goodsDescription": "Consolidation",
      "cargo:pieces": [{ "@id": piece.iri }],
    });
    const grant = await fwd.client.grant(piece.id, airline.id, undefined, undefined, ["goodsDescription"]);
    expect(grant.fields, "a logistics object always shows its class").to.deep.equal(["additionalTypes", "goodsDescription", "objectType"]);
    await fwd.client.grant(s.id, airline.id);
    const air = oneRecordClient(airline);
    const read = (await air.getObject(piece.iri)).object;
    expect(read["@type"]).to.match(/Piece$/);
    expect(read).to.have.property("cargo:goodsDescription");
    expect(read).to.not.have.any.keys("cargo:shippingMarks", "cargo:upid");
    const embedded = (await air.getObject(s.iri, { embedded: true })).object;
    const inner = (Array.isArray(embedded["cargo:pieces"]) ? embedded["cargo:pieces"][0] : embedded["cargo:pieces"]) as JsonObject;
    expect(inner).to.have.property("cargo:goodsDescription");
    expect(inner).to.not.have.any.keys("cargo:shippingMarks", "cargo:upid");
    // The owner reads it all.
    expect((await one.getObject(piece.iri)).object).to.include.keys("cargo:shippingMarks", "cargo:upid");
  });

  it("customs' policy grant on a declared order cannot be withdrawn by the declarant; customs still reads it", async function () {
    const id = (await platform.client.publish("Order", order({ orderNumber: `SO-LAW-${randomUUID().slice(0, 8)}` }))).record.id;
    expect((await customs.client.getRecord(id)).record.body).to.have.property("buyer");
    const byPolicy = (await platform.client.listGrants(id)).find((g) => g.grantee === customs.id);
    expect(byPolicy?.policy).to.equal("customs-declared");

    const refused = await refusal(platform.client.revokeGrant(id, customs.id));
    expect(refused).to.deep.include({ status: 409, type: "https://cargoproof.dev/problems/grant-required-by-policy" });
    expect(refused !== "allowed" && refused.detail).to.contain("customs-declared");
    expect((await customs.client.getRecord(id)).record.id).to.equal(id);
    expect((await platform.client.listGrants(id)).map((g) => g.id)).to.include(byPolicy!.id);

    // A grant of the declarant's own beside it is the declarant's to revoke; the policy's stays.
    await platform.client.grant(id, customs.id, new Date(Date.now() + 3_600_000));
    await platform.client.revokeGrant(id, customs.id);
    expect((await platform.client.listGrants(id)).filter((g) => g.grantee === customs.id).map((g) => g.policy)).to.deep.equal(["customs-declared"]);
    expect((await customs.client.getRecord(id)).record.id).to.equal(id);
  });
});
