// The identifier bridge over real HTTP, a real chain and database (docs/resolve.md): a master and a
// house waybill, a ONE Record object, an EPCIS event naming an SGTIN and an SSCC, a product batch;
// each resolved from every identifier kind it has, to the same answer, with a proof that folds to
// an anchored root; a reader through a field-level grant, an outsider and an unknown identifier.
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HubError } from "../../sdk/client";
import type { SignedRecord } from "../../sdk/envelope";
import { epcUrnToDigitalLink } from "../../sdk/epcis/gs1-uri";
import { merkleLeaf } from "../../sdk/merkle";
import type { ProductBatchBody } from "../../sdk/records/product-batch";
import { RECORD_EXAMPLES } from "../../sdk/records/examples";
import { checkResolvedProof, type ResolveAnswer, type ResolvedRecord } from "../../sdk/resolve";
import { resolve } from "../../sdk/resolve-client";
import { verifyRecord } from "../../sdk/verify";
import { admit, freshDatabase, hubEnv, isPostgres, sql, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";

const CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"];
const GTIN = "09506000134352";
const SGTIN = "urn:epc:id:sgtin:950600.0013435.RES-77";
const SSCC = "urn:epc:id:sscc:950600.01234567890";
const MASTER_AWB = "020-44455563";
const PAGE_SIZE = 8;

/** A record as the bridge answers it, without what changes as the chain grows (the proof's confirmations). */
const steady = (r: ResolvedRecord) => ({ ...r, ...(r.proof ? { proof: { ...r.proof, confirmations: undefined } } : {}) });

describe(`identifier bridge (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let airline: TestOrg;
  let fwd: TestOrg;
  let brand: TestOrg;
  let nosy: TestOrg;
  let master: SignedRecord;
  let house: SignedRecord;
  let piece: SignedRecord;
  let event: SignedRecord;
  let batch: SignedRecord;
  const eventID = `urn:uuid:${randomUUID()}`;

  /** The raw answer to a resolve, as a caller sees it on the wire. */
  const raw = async (org: TestOrg, id: string | string[], extra = "") => {
    const q = (Array.isArray(id) ? id : [id]).map((i) => `id=${encodeURIComponent(i)}`).join("&") + extra;
    const res = await fetch(`${hub.url}/v1/resolve?${q}`, { headers: { authorization: `Bearer ${await org.client.accessToken()}` } });
    const text = await res.text();
    // The problem's instance echoes the caller's own request; everything else must be the same bytes.
    return { status: res.status, type: res.headers.get("content-type"), body: text.replace(JSON.stringify(`/v1/resolve?${q}`), '"<instance>"') };
  };
  const status = async (p: Promise<unknown>) => {
    try {
      await p;
      return 200;
    } catch (e) {
      if (e instanceof HubError) return e.status;
      throw e;
    }
  };

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    // Small pages of candidates, so that finding a readable record behind hidden ones takes several.
    hub = await startHubProcess(hubEnv(chain, database.url, { RESOLVE_PAGE_SIZE: String(PAGE_SIZE) }));
    airline = await admit(hub.url, "res-airline", ["AIRLINE"]);
    fwd = await admit(hub.url, "res-fwd", ["FORWARDER"]);
    brand = await admit(hub.url, "res-brand", ["BRAND"]);
    nosy = await admit(hub.url, "res-nosy", ["FORWARDER"]);

    master = (await airline.client.publish("Waybill", { ...RECORD_EXAMPLES.Waybill, waybillNumber: MASTER_AWB })).record;
    house = (
      await fwd.client.publish("Waybill", { ...RECORD_EXAMPLES.Waybill, waybillType: "HOUSE", waybillNumber: "HWB-RES-1", masterWaybillNumber: MASTER_AWB })
    ).record;
    piece = (await fwd.client.publish("LogisticsObject", { objectType: "Piece", goodsDescription: "Wireless earphones", coload: false })).record;
    const [published] = await brand.client.publishEpcis({
      "@context": CONTEXT,
      type: "EPCISDocument",
      schemaVersion: "2.0",
      creationDate: "2026-12-01T10:05:00.000Z",
      epcisBody: {
        eventList: [
          {
            type: "ObjectEvent",
            eventID,
            action: "OBSERVE",
            bizStep: "shipping",
            epcList: [SGTIN, SSCC],
            eventTime: "2026-12-01T10:00:00.000+08:00",
            eventTimeZoneOffset: "+08:00",
          },
        ],
      },
    });
    event = (await brand.client.getRecord(published!.id)).record;
    const body: ProductBatchBody = { ...RECORD_EXAMPLES.ProductBatch, gtin: GTIN, lot: "LOT-RES-1", serials: ["S1"] };
    batch = (await brand.client.publish("ProductBatch", body)).record;
    for (const [org, r] of [
      [airline, master],
      [fwd, house],
      [fwd, piece],
      [brand, event],
      [brand, batch],
    ] as const)
      await org.client.waitForProof(r.id, r.version);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  /** Resolves each identifier as `org` and checks every answer names exactly `record`, the same way. */
  async function sameFromEach(org: TestOrg, record: SignedRecord, identifiers: Record<string, string>): Promise<ResolvedRecord> {
    const answers: [string, ResolveAnswer][] = [];
    for (const [kind, id] of Object.entries(identifiers)) answers.push([kind, await resolve(org.client, id)]);
    const [first] = answers[0]![1].records;
    expect(first).to.include({ id: record.id, type: record.type, owner: record.owner, version: record.version, digest: record.digest });
    expect(first!.merkleLeaf).to.equal(merkleLeaf(record.digest));
    for (const [kind, a] of answers) {
      expect(a.kind, identifiers[kind]).to.equal(kind);
      expect(a.truncated).to.equal(false);
      expect(a.records.map(steady), kind).to.deep.equal([steady(first!)]);
    }
    // The proof is the proof endpoint's, and it folds the digest to its root.
    expect(steady(first!).proof).to.deep.equal({ ...(await org.client.getProof(record.id, record.version)), confirmations: undefined });
    expect(checkResolvedProof(first!)).to.equal(true);
    // Another digest's leaf, or a root the siblings do not fold to: refused.
    expect(checkResolvedProof({ ...first!, merkleLeaf: merkleLeaf(`0x${"ee".repeat(32)}`) })).to.equal(false);
    expect(checkResolvedProof({ ...first!, proof: { ...first!.proof!, root: `0x${"ee".repeat(32)}` } })).to.equal(false);
    return first!;
  }

  it("a master waybill: from its id, digest, leaf and air waybill number", async function () {
    const r = await sameFromEach(airline, master, {
      "record-id": master.id,
      digest: master.digest,
      "merkle-leaf": merkleLeaf(master.digest),
      "air-waybill": MASTER_AWB,
    });
    expect(r.airWaybillNumbers).to.deep.equal([MASTER_AWB]);
    expect(r.waybillNumber).to.equal(MASTER_AWB);
    expect(r.links).to.deep.equal({ record: `/v1/records/${master.id}?version=1`, proof: `/v1/records/${master.id}/proof?version=1` });
    // The same number without its dash names the same waybill.
    expect((await resolve(airline.client, MASTER_AWB.replace("-", ""))).records.map((x) => x.id)).to.deep.equal([master.id]);
    // The answer verifies against the chain alone: the record read from its link, the proof the bridge gave.
    const stored = await airline.client.getRecord(master.id);
    const verdict = await verifyRecord({ record: stored.record, proof: r.proof!, chain: { provider: chain.provider }, contracts: chain.deployment });
    expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
  });

  it("an air waybill number naming a master and a house answers both to who reads both, each alone to who reads one", async function () {
    const own = await sameFromEach(fwd, house, {
      "record-id": house.id,
      digest: house.digest,
      "merkle-leaf": merkleLeaf(house.digest),
      "air-waybill": MASTER_AWB,
      // The house's own number, free text on the waybill.
      "waybill-number": "HWB-RES-1",
    });
    expect(own.waybillNumber).to.equal("HWB-RES-1");
    // Hidden from whoever does not read the house (the airline, until granted): the unknown 404.
    expect(await raw(airline, "HWB-RES-1")).to.deep.equal(await raw(airline, "HWB-RES-NONE"));
    await fwd.client.grant(house.id, airline.id);
    const both = await resolve(airline.client, MASTER_AWB);
    expect(both.records.map((r) => r.id).sort()).to.deep.equal([master.id, house.id].sort());
    expect(both.records.find((r) => r.id === house.id)?.airWaybillNumbers).to.deep.equal([MASTER_AWB]);
  });

  it("a ONE Record object: from its id, digest, leaf and object IRI, with links to the record and its proof", async function () {
    const iri = `${hub.url}/logistics-objects/${piece.id}`;
    const r = await sameFromEach(fwd, piece, { "record-id": piece.id, digest: piece.digest, "merkle-leaf": merkleLeaf(piece.digest), "one-record-iri": iri });
    expect(r.oneRecordIri).to.equal(iri);
    expect(r.links.oneRecord).to.equal(iri);
    // An IRI of another server names nothing here.
    expect(await status(resolve(fwd.client, `https://elsewhere.example/logistics-objects/${piece.id}`))).to.equal(404);
  });

  it("an EPCIS event: from its id, digest, leaf, eventID, event hash, EPC URNs and Digital Links (SGTIN and SSCC)", async function () {
    const sgtinLink = epcUrnToDigitalLink(SGTIN)!;
    const ssccLink = epcUrnToDigitalLink(SSCC)!;
    expect(sgtinLink).to.equal(`https://id.gs1.org/01/${GTIN}/21/RES-77`);
    const body = event.body as { eventId: string };
    const r = await sameFromEach(brand, event, {
      "record-id": event.id,
      digest: event.digest,
      "merkle-leaf": merkleLeaf(event.digest),
      "epcis-event-id": eventID,
      "epc-urn": SGTIN,
      "digital-link": sgtinLink,
    });
    expect(r.epcis).to.deep.equal({ eventID, eventHash: body.eventId, epcs: [SGTIN, SSCC].sort() });
    expect(r.digitalLinks).to.deep.equal([sgtinLink, ssccLink].sort());
    expect(r.gtins).to.deep.equal([GTIN]);
    expect(r.ssccs).to.deep.equal([ssccLink.split("/").pop()]);
    // The event at the EPCIS interface, which links back to its record and proof.
    expect(r.links.epcis).to.equal(`/epcis/events/${encodeURIComponent(body.eventId)}`);
    const atEpcis = await fetch(hub.url + r.links.epcis!, { headers: { authorization: `Bearer ${await brand.client.accessToken()}` } });
    expect(atEpcis.status).to.equal(200);
    expect(atEpcis.headers.get("link")).to.equal(`<${r.links.record}>; rel="describedby", <${r.links.proof}>; rel="https://cargoproof.dev/rel/proof"`);
    // The event's hash, the SSCC in both forms, and a Digital Link on another host: the same event.
    for (const id of [body.eventId, SSCC, ssccLink, `https://brand.example/01/${GTIN}/21/RES-77`])
      expect((await resolve(brand.client, id)).records.map(steady), id).to.deep.equal([steady(r)]);
  });

  it("a product batch: from its id, digest, leaf and Digital Link; the GTIN alone names the batch and the event", async function () {
    const link = `https://id.gs1.org/01/${GTIN}/10/LOT-RES-1`;
    const r = await sameFromEach(brand, batch, { "record-id": batch.id, digest: batch.digest, "merkle-leaf": merkleLeaf(batch.digest), "digital-link": link });
    expect(r.digitalLinks).to.deep.equal([link]);
    expect(r.gtins).to.deep.equal([GTIN]);
    const all = await resolve(brand.client, `https://id.gs1.org/01/${GTIN}`);
    expect(all.kind).to.equal("digital-link");
    expect(all.records.map((x) => x.id).sort()).to.deep.equal([batch.id, event.id].sort());
  });

  it("an identifier naming more than 50 readable records answers the first 50 by id, and says it was cut", async function () {
    const urn = (i: number) => `urn:epc:id:sgtin:614141.0107346.N${i}`;
    const published = await brand.client.publishEpcis({
      "@context": CONTEXT,
      type: "EPCISDocument",
      schemaVersion: "2.0",
      creationDate: "2026-12-01T10:05:00.000Z",
      epcisBody: {
        eventList: Array.from({ length: 51 }, (_, i) => ({
          type: "ObjectEvent",
          action: "OBSERVE",
          epcList: [urn(i)],
          eventTime: "2026-12-01T11:00:00.000+08:00",
          eventTimeZoneOffset: "+08:00",
        })),
      },
    });
    const gtinLink = epcUrnToDigitalLink(urn(0))!.replace(/\/21\/.*$/, "");
    const answer = await resolve(brand.client, gtinLink);
    expect(answer.truncated).to.equal(true);
    expect(answer.records.map((r) => r.id)).to.deep.equal(
      published
        .map((p) => p.id)
        .sort()
        .slice(0, 50),
    );
    // One item of them: that event alone.
    expect((await resolve(brand.client, urn(7))).records.map((r) => r.id)).to.deep.equal([published[7]!.id]);
  });

  it("what the caller may not read is the 404 of an unknown identifier, byte for byte, for every kind", async function () {
    const cases: [hidden: string, unknown: string][] = [
      [master.id, randomUUID()],
      [master.digest, `0x${"ab".repeat(32)}`],
      [merkleLeaf(master.digest), `0x${"cd".repeat(32)}`],
      [MASTER_AWB, "020-11111111"],
      [`${hub.url}/logistics-objects/${piece.id}`, `${hub.url}/logistics-objects/${randomUUID()}`],
      [eventID, `urn:uuid:${randomUUID()}`],
      [(event.body as { eventId: string }).eventId, `ni:///sha-256;${"0".repeat(64)}?ver=CBV2.0`],
      [SGTIN, "urn:epc:id:sgtin:950600.0013435.NOPE"],
      [SSCC, "urn:epc:id:sscc:950600.09999999999"],
      [`https://id.gs1.org/01/${GTIN}/10/LOT-RES-1`, `https://id.gs1.org/01/${GTIN}/10/NO-SUCH-LOT`],
      [`https://id.gs1.org/01/${GTIN}`, "https://id.gs1.org/01/09506000134345"],
    ];
    const unknownAnswer = await raw(nosy, "no-such-record");
    expect(unknownAnswer.status).to.equal(404);
    expect(unknownAnswer.type).to.match(/^application\/problem\+json/);
    for (const [hidden, unknown] of cases) {
      const h = await raw(nosy, hidden);
      expect(h, hidden).to.deep.equal(await raw(nosy, unknown));
      expect(h, hidden).to.deep.equal(unknownAnswer);
    }
    // Every refusal was logged, naming no record.
    const denials = await sql<{ n: unknown }>(
      database.url,
      `SELECT COUNT(*) AS "n" FROM "AccessLogEntry" WHERE "actor" = $1 AND "action" = 'DENY' AND "recordId" IS NULL AND "detail" LIKE 'resolve %'`,
      [nosy.id],
    );
    expect(Number(denials[0]!.n)).to.equal(1 + 2 * cases.length);
  });

  it("a field-level grant shows the record's own identifiers, but no body identifier names it or is shown", async function () {
    await airline.client.grant(master.id, nosy.id, undefined, undefined, ["origin"]);
    const r = await resolve(nosy.client, master.id);
    expect(r.records.map((x) => x.id)).to.deep.equal([master.id]);
    expect(r.records[0]!.airWaybillNumbers).to.deep.equal([]);
    expect(await raw(nosy, MASTER_AWB)).to.deep.equal(await raw(nosy, "no-such-record"));
    // Each record shown was logged as a READ by the bridge.
    const reads = await sql<{ recordId: string; owner: string }>(
      database.url,
      `SELECT "recordId", "owner" FROM "AccessLogEntry" WHERE "actor" = $1 AND "action" = 'READ' AND "detail" = 'resolve record-id'`,
      [nosy.id],
    );
    expect(reads).to.deep.equal([{ recordId: master.id, owner: airline.id }]);
  });

  it("migration 0032 fills the air waybill numbers of stored waybills as the publishing transaction does", async function () {
    const rows = () =>
      sql<{ value: string; recordId: string; version: unknown }>(
        database.url,
        `SELECT "value", "recordId", "version" FROM "ResolveKey" WHERE "kind" = 'awb' ORDER BY "recordId"`,
      );
    const kept = (await rows()).map((r) => ({ ...r, version: Number(r.version) }));
    expect(kept).to.deep.equal(
      [master, house].map((w) => ({ value: MASTER_AWB.replace("-", ""), recordId: w.id, version: 1 })).sort((a, b) => (a.recordId < b.recordId ? -1 : 1)),
    );
    const migration = readFileSync(join(__dirname, "../../server/db/migrations", isPostgres() ? "postgresql" : "sqlite", "0032_resolve_keys.sql"), "utf8");
    await sql(database.url, `DELETE FROM "ResolveKey" WHERE "kind" = 'awb'`);
    await sql(database.url, migration.slice(migration.indexOf("INSERT INTO")));
    expect((await rows()).map((r) => ({ ...r, version: Number(r.version) }))).to.deep.equal(kept);
  });

  it("a malformed query is a 400 problem; an identifier of no known shape is the unknown 404", async function () {
    for (const q of ["", "id=", "id=a&id=b", "id=x&other=1", `id=${"a".repeat(2049)}`, "id=a%20b"]) {
      const res = await fetch(`${hub.url}/v1/resolve?${q}`, { headers: { authorization: `Bearer ${await fwd.client.accessToken()}` } });
      expect(res.status, q).to.equal(400);
      expect(res.headers.get("content-type"), q).to.match(/^application\/problem\+json/);
      expect(((await res.json()) as { type: string }).type, q).to.match(/invalid-query$/);
    }
    expect((await raw(fwd, "%%not/an:identifier")).status).to.equal(404);
    const anonymous = await fetch(`${hub.url}/v1/resolve?id=${encodeURIComponent(master.id)}`);
    expect(anonymous.status).to.equal(401);
  });
  it("a waybill's new version answers to its new master number only", async function () {
    const other = "020-11111111";
    await fwd.client.publish(
      "Waybill",
      { ...RECORD_EXAMPLES.Waybill, waybillType: "HOUSE", waybillNumber: "HWB-RES-1", masterWaybillNumber: other },
      { id: house.id, version: 2 },
    );
    const moved = await resolve(fwd.client, other);
    expect(moved.records.map((r) => [r.id, r.version, r.airWaybillNumbers])).to.deep.equal([[house.id, 2, [other]]]);
    expect((await raw(fwd, MASTER_AWB)).status).to.equal(404);
    // Its first version is still named by its own digest, as version 1.
    expect((await resolve(fwd.client, house.digest)).records.map((r) => [r.id, r.version, r.latestVersion])).to.deep.equal([[house.id, 1, 2]]);
  });

  it("a readable record is found behind more hidden ones than a page of candidates holds", async function () {
    // Another master: the waybills of the tests above keep their numbers.
    const awb = "020-77788896";
    const hider = await admit(hub.url, "res-aaa", ["FORWARDER"]);
    // Their ids sort before the forwarder's ("res-aaa:" < "res-fwd:"): the first pages are all hidden from it.
    const hidden = Array.from({ length: PAGE_SIZE + 4 }, (_, i) =>
      hider.client.signRecord(
        "Waybill",
        { ...RECORD_EXAMPLES.Waybill, waybillType: "HOUSE", waybillNumber: `HWB-HIDDEN-${i}`, masterWaybillNumber: awb },
        { id: `res-aaa:hwb-${String(i).padStart(2, "0")}` },
      ),
    );
    await hider.client.publishBatch(hidden);
    expect((await raw(fwd, awb)).status, "nothing of the forwarder's yet").to.equal(404);
    const own = (
      await fwd.client.publish("Waybill", { ...RECORD_EXAMPLES.Waybill, waybillType: "HOUSE", waybillNumber: "HWB-RES-OWN", masterWaybillNumber: awb })
    ).record;
    const answer = await resolve(fwd.client, awb);
    expect(answer.records.map((r) => r.id)).to.deep.equal([own.id]);
    expect(answer.truncated).to.equal(false);
    // The hider reads its own, in id order, and only its own.
    expect((await resolve(hider.client, awb)).records.map((r) => r.id)).to.deep.equal(hidden.map((h) => h.id));
  });
});
