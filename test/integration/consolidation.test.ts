// The consolidation index over real HTTP, a real chain and database (docs/consolidation.md): a
// parcel in a house under a master, in a ULD, found from the ULD and back as customs and refused to an
// outsider exactly like an unknown id; a house split across two flights and reconsolidated, its counts
// and weights checked, one split that does not add up, and the certificate of origin reachable from
// every part; the index as of a time before the split and before an offload.
import { expect } from "chai";
import { z } from "zod";
import { containmentOf, type ConsolidationView } from "../../sdk/consolidation";
import { consolidation } from "../../sdk/consolidation-client";
import type { SignedRecord } from "../../sdk/envelope";
import { RECORD_EXAMPLES } from "../../sdk/records/examples";
import type { ConsignmentSplitBody, ConsolidationBody } from "../../sdk/records/consolidation";
import type { WaybillBody } from "../../sdk/records/waybill";
import {
  TEST_AWB_PREFIX,
  admit,
  freshDatabase,
  sql,
  hubEnv,
  isPostgres,
  startHubProcess,
  startTestChain,
  type HubProcess,
  type TestChain,
  type TestOrg,
  kindOf,
  refusal,
} from "./harness";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An air waybill number with the given prefix: 7 digits and their mod-7 check digit. */
function awb(prefix: string): string {
  const serial = Math.floor(1_000_000 + Math.random() * 8_999_999);
  return `${prefix}-${serial}${serial % 7}`;
}

const kg = (value: number) => ({ value, unit: "KGM" as const });
const edgeText = (e: ConsolidationView["contains"][number]) => `${e.container.id}>${e.content.id} ${e.relation} d${e.depth}`;

describe(`consolidation index (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let fwd: TestOrg;
  let airline: TestOrg;
  let certifier: TestOrg;
  let platform: TestOrg;
  let customs: TestOrg;
  let nosy: TestOrg;

  const tag = Math.floor(Math.random() * 1e6);
  const master = awb(TEST_AWB_PREFIX);
  const house = `H1-${tag}`;
  const parcel = `P1-${tag}`;
  const uld = `AKE${tag}CX`;
  const house2 = `H2-${tag}`;
  const house3 = `H3-${tag}`;
  const [partA, partB, partR] = [`${house2}-A`, `${house2}-B`, `${house2}-R`];
  const [uld1, uld2] = [`AKE${tag}1X`, `AKE${tag}2X`];
  const orderNumber = `SO-${tag}`;

  // Times from just after the waybills' publication (their containment holds from then), in 50 ms steps.
  let t0 = 0;
  const T = (k: number) => new Date(t0 + k * 50);
  const iso = (d: Date) => d.toISOString();

  let cert: SignedRecord;
  let order: SignedRecord;
  let masterBill: SignedRecord;
  let houseBill: SignedRecord;
  let parcelBill: SignedRecord;
  let split: SignedRecord;
  let badSplit: SignedRecord;
  let inUld: SignedRecord;

  const waybill = (over: Partial<WaybillBody> & Pick<WaybillBody, "waybillType" | "waybillNumber">): WaybillBody => ({
    origin: "HKG",
    destination: "FRA",
    shipper: { name: "Shenzhen Audio Ltd", country: "CN" },
    consignee: { name: "Audio GmbH", country: "DE", address: "Hauptstrasse 1, Frankfurt" },
    pieceCount: 10,
    grossWeight: kg(250),
    goodsDescription: "Headphones",
    ...over,
  });
  /** Publishes and shares with customs (an ordinary grant: the access rule customs reads anything else by). */
  const shared = async (by: TestOrg, type: "Waybill" | "Consolidation" | "ConsignmentSplit" | "Certification" | "Order", body: unknown, opts = {}) => {
    const { record } = await by.client.publish(type, body as never, opts);
    await by.client.grant(record.id, customs.id);
    return record;
  };

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    fwd = await admit(hub.url, "con-fwd", ["FORWARDER"]);
    airline = await admit(hub.url, "con-airline", ["AIRLINE"]);
    certifier = await admit(hub.url, "con-certifier", ["CERTIFIER"]);
    platform = await admit(hub.url, "con-platform", ["PLATFORM"]);
    customs = await admit(hub.url, "con-customs", ["CUSTOMS"]);
    nosy = await admit(hub.url, "con-nosy", ["FORWARDER"]);

    cert = await shared(certifier, "Certification", {
      kind: "CERTIFICATE_OF_ORIGIN",
      certificateNumber: `CO-${tag}`,
      issuedTo: "Shenzhen Audio Ltd",
      subjects: [house2],
      scope: "Headphones, HS 851830",
      originCountry: "CN",
      validFrom: "2026-01-01",
      validUntil: "2027-12-31",
    });
    order = await shared(platform, "Order", { ...RECORD_EXAMPLES.Order, orderNumber, customsOffice: customs.id, logisticsProvider: fwd.id });
    masterBill = await shared(airline, "Waybill", waybill({ waybillType: "MASTER", waybillNumber: master, pieceCount: 26, grossWeight: kg(602.5) }));
    houseBill = await shared(
      fwd,
      "Waybill",
      waybill({ waybillType: "HOUSE", waybillNumber: house, masterWaybillNumber: master, pieceCount: 11, grossWeight: kg(252.5) }),
    );
    parcelBill = await shared(
      fwd,
      "Waybill",
      waybill({ waybillType: "PARCEL", waybillNumber: parcel, pieceCount: 1, grossWeight: kg(2.5), orderNumber, platform: platform.id }),
    );
    await shared(fwd, "Waybill", waybill({ waybillType: "HOUSE", waybillNumber: house2, masterWaybillNumber: master }));
    await shared(fwd, "Waybill", waybill({ waybillType: "HOUSE", waybillNumber: house3, masterWaybillNumber: master, pieceCount: 5, grossWeight: kg(100) }));
    t0 = Date.now() + 50;
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("a parcel is found from its ULD and back, with its house, master, order and documents, as customs", async function () {
    const intoHouse: ConsolidationBody = {
      container: { kind: "HOUSE", id: house },
      contents: [
        { kind: "PARCEL", id: parcel, pieceCount: 1, grossWeight: kg(2.5) },
        { kind: "PACKAGE", id: `sscc-${tag}`, pieceCount: 10, grossWeight: kg(250) },
      ],
      pieceCount: 11,
      grossWeight: kg(252.5),
      at: iso(T(1)),
    };
    const inHouse = await shared(fwd, "Consolidation", intoHouse);
    inUld = await shared(fwd, "Consolidation", {
      container: { kind: "ULD", id: uld },
      contents: [{ kind: "HOUSE", id: house, pieceCount: 11, grossWeight: kg(252.5) }],
      pieceCount: 11,
      grossWeight: kg(252.5),
      at: iso(T(2)),
    } satisfies ConsolidationBody);
    await sleep(Math.max(0, T(3).getTime() - Date.now()));

    // From the box: its house (by the forwarder's consolidation), the ULD and the master above it.
    const up = await consolidation(customs.client, parcel);
    expect(up.containedIn.map(edgeText)).to.have.members([`${house}>${parcel} contains d1`, `${uld}>${house} contains d2`, `${master}>${house} contains d2`]);
    const first = up.containedIn.find((e) => e.depth === 1)!;
    expect(first.record).to.deep.equal({ id: inHouse.id, version: 1, digest: inHouse.digest, type: "Consolidation" });
    expect(first).to.include({ owner: fwd.id, pieceCount: 1, validFrom: iso(T(1)) });
    expect(up.contains).to.deep.equal([]);
    // The parcel's own waybill with its order, and the order among its case's documents; the house's and master's waybills.
    const parcelView = up.waybills.find((w) => w.waybillNumber === parcel)!;
    expect(parcelView).to.deep.include({ waybillType: "PARCEL", orderNumber, platform: platform.id });
    expect(parcelView.record).to.deep.equal({ id: parcelBill.id, version: 1, digest: parcelBill.digest, type: "Waybill" });
    expect(parcelView.documents).to.deep.equal([{ kind: "ORDER", id: order.id, version: 1 }]);
    expect(up.waybills.map((w) => w.record.id)).to.have.members([parcelBill.id, houseBill.id, masterBill.id]);
    expect(up.statements.map((s) => s.kind).sort()).to.deep.equal(["consolidation", "consolidation", "waybill"]);
    expect(up.statements.every((s) => s.discrepancies.length === 0)).to.equal(true);

    // And back: from the ULD down to the parcel.
    const down = await consolidation(customs.client, uld);
    expect(down.contains.map(edgeText)).to.have.members([`${uld}>${house} contains d1`, `${house}>${parcel} contains d2`, `${house}>sscc-${tag} contains d2`]);
    expect(down.containedIn).to.deep.equal([]);
    expect(down.truncated).to.equal(false);
    // From the master: the houses its airline's master names by their waybills (the forwarder's), the ULD's contents below.
    const fromMaster = await consolidation(customs.client, master);
    expect(fromMaster.contains.filter((e) => e.depth === 1).map((e) => e.content.id)).to.have.members([house, house2, house3]);
    expect(fromMaster.contains.map(edgeText)).to.include(`${house}>${parcel} contains d2`);
  });

  it("an outsider gets the 404 of an unknown id; a party sees only the edges of records it reads", async function () {
    expect(await kindOf(consolidation(nosy.client, uld))).to.equal("404 not-found");
    expect(await refusal(consolidation(nosy.client, uld))).to.deep.equal(await refusal(consolidation(nosy.client, `no-such-${uld}`)));
    expect(await refusal(consolidation(nosy.client, parcel))).to.deep.equal(await refusal(consolidation(customs.client, `no-such-${parcel}`)));
    expect(await refusal(consolidation(nosy.client, master))).to.deep.equal(await refusal(consolidation(nosy.client, `no-such-${uld}`)));
    // The airline reads its master waybill, not the forwarder's houses or consolidations: the master, containing nothing it may see.
    const airlineView = await consolidation(airline.client, master);
    expect(airlineView.waybills.map((w) => w.record.id)).to.deep.equal([masterBill.id]);
    expect(airlineView.contains).to.deep.equal([]);
    expect(await kindOf(consolidation(airline.client, uld))).to.equal("404 not-found");
    // Each record shown is a READ line in its owner's access log.
    const log = await fwd.client.call(
      "GET",
      "/v1/access-log?limit=1000",
      z.object({
        entries: z.array(z.object({ actor: z.string(), action: z.string(), recordId: z.string().nullable(), detail: z.string().nullable() }).loose()),
      }),
    );
    const read = log.entries.some((e) => e.actor === customs.id && e.action === "READ" && e.recordId === inUld.id && e.detail === `consolidation of ${uld}`);
    expect(read, "customs' read of the ULD's consolidation in the forwarder's access log").to.equal(true);
    // The outsider's refused lookups are DENY lines, naming no record.
    const denials = await sql<{ recordId: string | null }>(
      database.url,
      `SELECT "recordId" FROM "AccessLogEntry" WHERE "actor" = $1 AND "action" = 'DENY' AND "detail" = $2`,
      [nosy.id, `consolidation of ${uld}: READ`],
    );
    expect(denials.map((d) => d.recordId)).to.deep.equal([null, null]);

    // A field-level grant of the house waybill shows its edge only with every field stating it, and its waybill (number, order) not at all.
    await fwd.client.grant(houseBill.id, nosy.id, undefined, "object", ["goodsDescription"]);
    expect(await refusal(consolidation(nosy.client, house))).to.deep.equal(await refusal(consolidation(nosy.client, `no-such-${house}`)));
    await fwd.client.grant(houseBill.id, nosy.id, undefined, "object", ["waybillType", "waybillNumber", "masterWaybillNumber", "pieceCount", "grossWeight"]);
    const partial = await consolidation(nosy.client, house);
    expect(partial.containedIn.map(edgeText)).to.deep.equal([`${master}>${house} contains d1`]);
    expect(partial.waybills).to.deep.equal([]);
  });

  it("a house split across two flights and reconsolidated: counts and weights add up, every part carries the certificate of origin", async function () {
    const body: ConsignmentSplitBody = {
      consignment: { kind: "HOUSE", id: house2, pieceCount: 10, grossWeight: kg(250) },
      origin: [cert.id],
      parts: [
        { id: partA, pieceCount: 6, grossWeight: kg(150), flight: "CX0831", date: iso(T(4)).slice(0, 10) },
        { id: partB, pieceCount: 4, grossWeight: kg(100), flight: "CX0845" },
      ],
      at: iso(T(4)),
    };
    split = await shared(fwd, "ConsignmentSplit", body);
    await shared(fwd, "Consolidation", {
      container: { kind: "ULD", id: uld1 },
      contents: [{ kind: "HOUSE", id: partA, pieceCount: 6, grossWeight: kg(150) }],
      pieceCount: 6,
      grossWeight: kg(150),
      at: iso(T(5)),
    } satisfies ConsolidationBody);
    const second: ConsolidationBody = {
      container: { kind: "ULD", id: uld2 },
      contents: [
        { kind: "HOUSE", id: partB, pieceCount: 4, grossWeight: kg(100) },
        { kind: "HOUSE", id: `${house3}-A`, pieceCount: 3, grossWeight: kg(60) },
      ],
      pieceCount: 7,
      grossWeight: kg(160),
      at: iso(T(5)),
    };
    const inUld2 = await shared(fwd, "Consolidation", second);
    // The other house's part is offloaded: a new version of the ULD's consolidation, from its own time on.
    await fwd.client.publish(
      "Consolidation",
      { ...second, contents: [second.contents[0]!], pieceCount: 4, grossWeight: kg(100), at: iso(T(6)) },
      { id: inUld2.id, version: 2 },
    );
    // Reconsolidated at destination into one house again.
    const recon = await shared(fwd, "Consolidation", {
      container: { kind: "HOUSE", id: partR },
      contents: [
        { kind: "HOUSE", id: partA, pieceCount: 6, grossWeight: kg(150) },
        { kind: "HOUSE", id: partB, pieceCount: 4, grossWeight: kg(100) },
      ],
      pieceCount: 10,
      grossWeight: kg(250),
      at: iso(T(7)),
      origin: [cert.id],
    } satisfies ConsolidationBody);
    // A split whose parts do not add up: indexed and flagged, not refused.
    badSplit = await shared(fwd, "ConsignmentSplit", {
      consignment: { kind: "HOUSE", id: house3, pieceCount: 5, grossWeight: kg(100) },
      origin: [cert.id],
      parts: [
        { id: `${house3}-A`, pieceCount: 3, grossWeight: kg(60) },
        { id: `${house3}-B`, pieceCount: 3, grossWeight: kg(40) },
      ],
      at: iso(T(4)),
    } satisfies ConsignmentSplitBody);
    await sleep(Math.max(0, T(8).getTime() - Date.now()));

    const whole = await consolidation(customs.client, house2);
    const splitView = whole.statements.find((s) => s.record.id === split.id)!;
    expect(splitView).to.deep.include({ kind: "split", container: { kind: "HOUSE", id: house2 }, discrepancies: [], origin: [cert.id] });
    const parts = whole.contains.filter((e) => e.relation === "split");
    expect(parts.map((p) => [p.content.id, p.pieceCount, p.grossWeight?.value, p.flight])).to.deep.equal([
      [partA, 6, 150, "CX0831"],
      [partB, 4, 100, "CX0845"],
    ]);
    expect(parts.reduce((s, p) => s + (p.pieceCount ?? 0), 0)).to.equal(10);
    expect(whole.originDocuments.map((d) => d.id)).to.deep.equal([cert.id]);

    for (const [part, flightUld] of [
      [partA, uld1],
      [partB, uld2],
    ] as const) {
      const view = await consolidation(customs.client, part);
      expect(view.containedIn.map(edgeText)).to.include.members([
        `${house2}>${part} split d1`,
        `${flightUld}>${part} contains d1`,
        `${partR}>${part} contains d1`,
        `${master}>${house2} contains d2`,
      ]);
      // The split as seen from either part: both parts, each with the certificate of origin.
      const seen = view.statements.find((s) => s.record.id === split.id)!;
      expect(seen.parts!.map((p) => [p.id, p.pieceCount, p.grossWeight.value, p.flight, p.origin])).to.deep.equal([
        [partA, 6, 150, "CX0831", [cert.id]],
        [partB, 4, 100, "CX0845", [cert.id]],
      ]);
      // The certificate of origin: named by the split and the reconsolidation, and readable by customs.
      const co = view.originDocuments.find((d) => d.id === cert.id)!;
      expect(co.record).to.deep.equal({ id: cert.id, version: 1, digest: cert.digest, type: "Certification" });
      expect((await customs.client.getRecord(cert.id)).record.digest).to.equal(cert.digest);
    }
    // The reconsolidated house carries it too, and its parts add up to the original's.
    const reconView = await consolidation(customs.client, partR);
    expect(reconView.statements.find((s) => s.record.id === recon.id)!.discrepancies).to.deep.equal([]);
    expect(reconView.originDocuments.map((d) => d.id)).to.deep.equal([cert.id]);
    expect(reconView.contains.filter((e) => e.depth === 1).reduce((s, e) => s + (e.pieceCount ?? 0), 0)).to.equal(10);

    // The mismatch is a discrepancy, the same one a verifier computes from the record itself.
    const bad = (await consolidation(customs.client, house3)).statements.find((s) => s.record.id === badSplit.id)!;
    expect(bad.discrepancies).to.deep.equal([{ field: "pieceCount", declared: "5", counted: "6" }]);
    expect(bad.parts!.reduce((s, p) => s + p.pieceCount, 0)).to.equal(6);
    const stored = (await customs.client.getRecord(badSplit.id)).record;
    expect(containmentOf(stored.type, stored.body)!.discrepancies).to.deep.equal(bad.discrepancies);
    // Its parts keep the origin documents all the same.
    expect((await consolidation(customs.client, `${house3}-B`)).originDocuments.map((d) => d.id)).to.deep.equal([cert.id]);
    // An outsider: nothing of it.
    expect(await refusal(consolidation(nosy.client, partA))).to.deep.equal(await refusal(consolidation(nosy.client, `no-such-${partA}`)));
  });

  it("?at= answers as of a past time: before the split, before the offload", async function () {
    const before = await consolidation(customs.client, house2, T(3));
    expect(before.contains).to.deep.equal([]);
    expect(before.statements.map((s) => s.kind)).to.deep.equal(["waybill"]);
    expect(before.containedIn.map(edgeText)).to.deep.equal([`${master}>${house2} contains d1`]);
    expect(before.originDocuments).to.deep.equal([]);
    // The part of the other house was in the second ULD until the new version offloaded it.
    const offloaded = `${house3}-A`;
    expect((await consolidation(customs.client, offloaded, T(5.5))).containedIn.map(edgeText)).to.include(`${uld2}>${offloaded} contains d1`);
    expect((await consolidation(customs.client, offloaded)).containedIn.map(edgeText)).to.not.include(`${uld2}>${offloaded} contains d1`);
    const uldNow = await consolidation(customs.client, uld2);
    expect(uldNow.contains.filter((e) => e.depth === 1).map((e) => [e.content.id, e.record.version])).to.deep.equal([[partB, 2]]);
    // Before anything was consolidated into the ULD: the same 404 as an unknown id.
    expect(await kindOf(consolidation(customs.client, uld, T(1.5)))).to.equal("404 not-found");
  });

  it("a malformed query is a 400 problem", async function () {
    expect(await kindOf(customs.client.call("GET", `/v1/consolidation?id=${uld}&at=yesterday`, z.unknown()))).to.equal("400 invalid-query");
    expect(await kindOf(customs.client.call("GET", "/v1/consolidation", z.unknown()))).to.equal("400 invalid-query");
    expect(await kindOf(customs.client.call("GET", `/v1/consolidation?id=${uld}&depth=3`, z.unknown()))).to.equal("400 invalid-query");
    expect(await kindOf(customs.client.call("GET", `/v1/consolidation?id=${"x".repeat(300)}`, z.unknown()))).to.equal("400 invalid-query");
  });
});
