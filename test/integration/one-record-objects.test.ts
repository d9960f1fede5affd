import { expect } from "chai";
import { bodyOfObject, type JsonObject } from "../../sdk/one-record/jsonld";
import { OneRecordClient } from "../../sdk/one-record/client";
import { API_SCHEMAS, apiObjectOf } from "../../sdk/one-record/api-objects";
import { SIGNED_WRITE_HEADER, signObject } from "../../sdk/one-record/signed-write";
import { verifyRecord } from "../../sdk/verify";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";
import { failure, oneRecordClient } from "./one-record-harness";

const CONTEXT = { cargo: "https://onerecord.iata.org/ns/cargo#" };
const piece = (description: string, extra: JsonObject = {}): JsonObject => ({
  "@context": CONTEXT,
  "@type": "cargo:Piece",
  "cargo:goodsDescription": description,
  "cargo:grossWeight": {
    "@type": "cargo:Value",
    "cargo:numericalValue": 12.5,
    "cargo:unit": { "@id": "https://onerecord.iata.org/ns/code-lists/MeasurementUnitCode#KGM" },
  },
  "cargo:specialHandlingCodes": [{ "@id": "https://onerecord.iata.org/ns/code-lists/SpecialHandlingCode#VAL" }],
  ...extra,
});

/** The same data: both sides as record bodies (JSON-LD normal form, prefixes expanded). */
const sameObject = (a: unknown, b: unknown) => expect(bodyOfObject(a).body).to.deep.equal(bodyOfObject(b).body);

describe(`ONE Record logistics objects (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let airline: TestOrg;
  let outsider: TestOrg;
  let fwd: OneRecordClient;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [forwarder, airline, outsider] = await Promise.all([
      admit(hub.url, "swift-fwd", ["FORWARDER"]),
      admit(hub.url, "sky-air", ["AIRLINE"]),
      admit(hub.url, "nosy-party", ["SHIPPER"]),
    ]);
    fwd = oneRecordClient(forwarder);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("answers GET / with its server information, without a token", async function () {
    const info = await fwd.serverInformation();
    const parsed = API_SCHEMAS.ServerInformation.safeParse(apiObjectOf(info));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
    expect(info["api:hasServerEndpoint"]).to.equal(hub.url);
    expect(info["api:hasSupportedContentType"]).to.deep.equal(["application/ld+json"]);
  });

  it("creates an object signed by its holder and reads back the same object with its revision headers", async function () {
    const sent = piece("Watches");
    const created = await fwd.createObject(sent);
    expect(created.iri).to.equal(`${hub.url}/logistics-objects/${created.id}`);
    const read = await fwd.getObject(created.iri);
    expect(read).to.include({ revision: 1, latestRevision: 1, type: "https://onerecord.iata.org/ns/cargo#Piece" });
    expect(read.object["@id"]).to.equal(created.iri);
    expect(new Date(read.lastModified).getTime()).to.be.greaterThan(0);
    sameObject(read.object, sent);
    // The revision is a record of the core, signed by the forwarder, and it verifies against the chain.
    const proven = await fwd.getObjectWithProof(created.id);
    expect(proven.stored.record).to.deep.equal(created.record);
    const verdict = await verifyRecord({
      record: proven.stored.record,
      proof: proven.proof,
      chain: { provider: chain.provider },
      contracts: { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry },
    });
    expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
    expect(verdict.signature.signer).to.equal(forwarder.key.address);
  });

  it("serves the revision current at a past time (?at=), and nothing before the object existed", async function () {
    const created = await fwd.createObject(piece("Books"));
    const first = await fwd.getObject(created.id);
    await new Promise((r) => setTimeout(r, 50));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 50));
    const second = signObject(forwarder.key.privateKey, forwarder.id, piece("Books, second edition"), { id: created.id, version: 2 });
    await forwarder.client.publishSigned(second.record);

    const latest = await fwd.getObject(created.id);
    expect(latest).to.include({ revision: 2, latestRevision: 2 });
    expect(bodyOfObject(latest.object).body.goodsDescription).to.equal("Books, second edition");
    const past = await fwd.getObject(created.id, { at: between });
    expect(past).to.include({ revision: 1, latestRevision: 2 });
    sameObject(past.object, first.object);
    const before = await failure(fwd.getObject(created.id, { at: new Date(Date.parse(first.lastModified) - 60_000) }));
    expect(before.status).to.equal(404);
    // The historical revision comes with its own inclusion proof.
    const proven = await fwd.getObjectWithProof(created.id, { at: between });
    expect(proven.stored.record.version).to.equal(1);
    expect(proven.stored.record.digest).to.equal(created.record.digest);
  });

  it("reads ?at= in the specification's basic format (YYYYMMDDThhmmssZ), refuses a future or impossible time, and keeps the time in every linked object IRI", async function () {
    const token = await forwarder.client.accessToken();
    const get = (path: string) => fetch(`${hub.url}${path}`, { headers: { accept: "application/ld+json", authorization: `Bearer ${token}` } });
    const part = await fwd.createObject(piece("Spare part, first description"));
    const shipment = await fwd.createObject({
      "@context": CONTEXT,
      "@type": "cargo:Shipment",
      "cargo:goodsDescription": "Spares",
      "cargo:pieces": [{ "@id": part.iri }],
    });
    // A whole second after both were created, and before the piece changes: the basic format has no fraction.
    const second = Math.floor(Date.now() / 1000) * 1000 + 1000;
    await new Promise((r) => setTimeout(r, second - Date.now() + 100));
    const at = new Date(second).toISOString().slice(0, 19).replace(/[-:]/g, "") + "Z";
    const revised = signObject(forwarder.key.privateKey, forwarder.id, piece("Spare part, revised"), { id: part.id, version: 2 });
    await forwarder.client.publishSigned(revised.record);

    const old = await get(`/logistics-objects/${part.id}?at=${at}`);
    expect(old.status).to.equal(200);
    expect(old.headers.get("revision")).to.equal("1");
    expect(old.headers.get("latest-revision")).to.equal("2");
    expect(old.headers.get("location")).to.equal(`${part.iri}?at=${at}`);
    expect(bodyOfObject(await old.json()).body.goodsDescription).to.equal("Spare part, first description");

    // The shipment then: the piece's IRI carries the same at, and following it gives the piece as it was then.
    const then = await fwd.getObject(`${shipment.iri}?at=${at}`);
    expect(then.object["@id"]).to.equal(shipment.iri);
    expect(then.object["cargo:pieces"]).to.deep.equal([{ "@id": `${part.iri}?at=${at}` }]);
    const followed = await fwd.getObject(`${part.iri}?at=${at}`);
    expect(followed.revision).to.equal(1);
    const embeddedThen = await get(`/logistics-objects/${shipment.id}?at=${at}&embedded=true`);
    const [embeddedPiece] = ((await embeddedThen.json()) as JsonObject)["cargo:pieces"] as JsonObject[];
    expect(embeddedPiece).to.include({ "@id": `${part.iri}?at=${at}`, "cargo:goodsDescription": "Spare part, first description" });
    // Without at, the links are plain and the embedded piece is the latest revision.
    const now = await fwd.getObject(shipment.iri, { embedded: true });
    expect((now.object["cargo:pieces"] as JsonObject[])[0]).to.include({ "@id": part.iri, "cargo:goodsDescription": "Spare part, revised" });

    for (const bad of [
      new Date(Date.now() + 3_600_000).toISOString().slice(0, 19).replace(/[-:]/g, "") + "Z", // the future
      "20260231T000000Z", // no such day
      "20261123T1000Z", // no seconds
      "yesterday",
    ]) {
      const refused = await get(`/logistics-objects/${part.id}?at=${encodeURIComponent(bad)}`);
      expect(refused.status, bad).to.equal(400);
      const error = (await refused.json()) as JsonObject;
      expect(error["@type"], bad).to.equal("api:Error");
    }
    // The future is refused before anything is looked up: the same answer for an object nobody has.
    const future = new Date(Date.now() + 3_600_000).toISOString().slice(0, 19).replace(/[-:]/g, "") + "Z";
    const { instance: _a, ...forOwn } = (await (await get(`/logistics-objects/${part.id}?at=${future}`)).json()) as JsonObject;
    const { instance: _b, ...forNone } = (await (await get(`/logistics-objects/${crypto.randomUUID()}?at=${future}`)).json()) as JsonObject;
    expect(forOwn).to.deep.equal(forNone);
    expect(forOwn.type).to.equal("https://cargoproof.dev/problems/at-in-future");
  });

  it("embeds the referenced objects the caller may read, and leaves the others as references", async function () {
    const own = await fwd.createObject(piece("Own piece"));
    const foreign = await oneRecordClient(airline).createObject(piece("Airline's piece"));
    const shipment = await fwd.createObject({
      "@context": CONTEXT,
      "@type": "cargo:Shipment",
      "cargo:goodsDescription": "Consolidated watches",
      "cargo:pieces": [{ "@id": own.iri }, { "@id": foreign.iri }],
    });
    const plain = await fwd.getObject(shipment.iri);
    expect(plain.object["cargo:pieces"]).to.deep.equal([{ "@id": own.iri }, { "@id": foreign.iri }]);
    const embedded = await fwd.getObject(shipment.iri, { embedded: true });
    const pieces = embedded.object["cargo:pieces"] as JsonObject[];
    expect(pieces[0]).to.include({ "@id": own.iri, "@type": "cargo:Piece", "cargo:goodsDescription": "Own piece" });
    expect(pieces[1]).to.deep.equal({ "@id": foreign.iri });
  });

  it("refuses writes without a valid signature, with api:Error bodies that are also problem details", async function () {
    const token = await forwarder.client.accessToken();
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${hub.url}/logistics-objects`, {
        method: "POST",
        headers: { "content-type": "application/ld+json", authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify(body),
      });

    // No header is a plain ONE Record client's write, which the hub attests (one-record-plain-clients.test.ts); an empty one is no signature.
    const unsigned = await post(piece("No signature"), { [SIGNED_WRITE_HEADER]: "" });
    expect(unsigned.status).to.equal(400);
    expect(unsigned.headers.get("content-type")).to.match(/^application\/ld\+json/);
    const error = (await unsigned.json()) as JsonObject;
    expect(API_SCHEMAS.Error.safeParse(apiObjectOf(error)).success).to.equal(true);
    expect(error).to.include({ type: "https://cargoproof.dev/problems/signature-required", status: 400 });

    // Signed over another body: the digest the hub recomputes is not what was signed.
    const other = signObject(forwarder.key.privateKey, forwarder.id, piece("Something else"), { id: crypto.randomUUID(), version: 1 });
    const forged = await post(piece("Tampered"), { [SIGNED_WRITE_HEADER]: other.header });
    expect(forged.status).to.equal(400);
    expect(((await forged.json()) as JsonObject).type).to.equal("https://cargoproof.dev/problems/signature-invalid");

    const wrongType = await fetch(`${hub.url}/logistics-objects`, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${token}` },
      body: "x",
    });
    expect(wrongType.status).to.equal(415);

    const anonymous = await fetch(`${hub.url}/logistics-objects`, { method: "POST", headers: { "content-type": "application/ld+json" }, body: "{}" });
    expect(anonymous.status).to.equal(401);
    expect(((await anonymous.json()) as JsonObject)["@type"]).to.equal("api:Error");
  });

  it("names the property of a bad code (an air waybill number with a wrong check digit)", async function () {
    const waybill: JsonObject = {
      "@context": CONTEXT,
      "@type": "cargo:Waybill",
      "cargo:waybillType": { "@id": "cargo:MASTER" },
      "cargo:waybillPrefix": "020",
      "cargo:waybillNumber": "12345674",
    };
    const err = await failure(fwd.createObject(waybill));
    expect(err.status).to.equal(400);
    expect(err.problem.errors?.map((e) => e.path)).to.include("https://onerecord.iata.org/ns/cargo#waybillNumber");
    const ok = await fwd.createObject({ ...waybill, "cargo:waybillNumber": "12345675" });
    expect((await fwd.getObject(ok.id)).revision).to.equal(1);
  });

  it("answers a party with no right exactly as for an object that does not exist", async function () {
    const created = await fwd.createObject(piece("Confidential"));
    const nosy = oneRecordClient(outsider);
    const unknownId = crypto.randomUUID();
    const denied = await failure(nosy.getObject(created.id));
    const missing = await failure(nosy.getObject(unknownId));
    expect(denied.status).to.equal(404);
    // What differs may only repeat what was asked: the path (instance) and the object's IRI (each detail's api:hasResource).
    const withoutEcho = ({ instance: _i, ...rest }: Record<string, unknown>, asked: string) => {
      const details = rest["api:hasErrorDetail"] as Record<string, unknown>[];
      expect(details).to.have.length.above(0);
      rest["api:hasErrorDetail"] = details.map(({ "api:hasResource": resource, ...detail }) => {
        expect((resource as { "@value": string })["@value"]).to.match(new RegExp(`/logistics-objects/${asked}$`));
        return detail;
      });
      return rest;
    };
    expect(withoutEcho(denied.problem, created.id)).to.deep.equal(withoutEcho(missing.problem, unknownId));
    expect((await failure(nosy.getObject(created.id, { embedded: true, at: new Date() }))).status).to.equal(404);
  });
});
