// The consolidation index fed by ONE Record objects (docs/consolidation.md), over real HTTP, a real
// chain and database: pieces in a shipment under a house waybill under a master waybill, built up
// into a ULD, all created through the ONE Record API. Found from a piece's IRI up to the master's
// air waybill number, and from that number down (where a native house waybill naming it meets the
// ONE Record master); only what the caller may read; an outsider's 404 the same as an unknown id's;
// a new revision of the build-up that takes a piece out of the ULD changes now, not before.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { Problem } from "../../sdk/api";
import { HubError } from "../../sdk/client";
import type { ConsolidationView } from "../../sdk/consolidation";
import { consolidation } from "../../sdk/consolidation-client";
import type { OneRecordClient } from "../../sdk/one-record/client";
import type { JsonObject } from "../../sdk/one-record/jsonld";
import type { WaybillBody } from "../../sdk/records/waybill";
import {
  TEST_AWB_PREFIX,
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  startHubProcess,
  startTestChain,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";
import { oneRecordClient } from "./one-record-harness";

const CARGO = "https://onerecord.iata.org/ns/cargo#";
const XSD = "http://www.w3.org/2001/XMLSchema#";

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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Container > content, relation, depth: what an edge says, in one line. */
const edgeText = (e: ConsolidationView["contains"][number]) => `${e.container.id}>${e.content.id} ${e.relation} d${e.depth}`;

/** A ONE Record object in compact JSON-LD: its cargo class and cargo properties by local name. */
const object = (type: string, props: JsonObject): JsonObject => ({
  "@context": { cargo: CARGO },
  "@type": `cargo:${type}`,
  ...Object.fromEntries(Object.entries(props).map(([k, v]) => [`cargo:${k}`, v])),
});
const ref = (iri: string) => ({ "@id": iri });

describe(`consolidation index from ONE Record objects (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let fwd: TestOrg;
  let airline: TestOrg;
  let coloader: TestOrg;
  let customs: TestOrg;
  let nosy: TestOrg;
  let partial: TestOrg;
  let fwdOr: OneRecordClient;
  let airOr: OneRecordClient;

  const tag = Math.floor(Math.random() * 1e6);
  const serial = Math.floor(1_000_000 + Math.random() * 8_999_999);
  const awbNumber = `${TEST_AWB_PREFIX}-${serial}${serial % 7}`;
  const houseNumber = `HAWB${tag}`;
  const upid = `UPID-${tag}`;
  const uldNumber = `AKE${tag}CX`;

  let piece: string;
  let piece2: string;
  let shipment: string;
  let master: string;
  let house: string;
  let uld: string;
  let buildUp: string;
  let nativeHouse: string;
  let beforeOffload: Date;

  /** Creates a ONE Record object and shares it with customs (an ordinary grant, as for any record). */
  const create = async (by: TestOrg, client: OneRecordClient, type: string, props: JsonObject) => {
    const created = await client.createObject(object(type, props));
    await by.client.grant(created.id, customs.id);
    return created.iri;
  };

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    fwd = await admit(hub.url, "orc-fwd", ["FORWARDER"]);
    airline = await admit(hub.url, "orc-airline", ["AIRLINE"]);
    coloader = await admit(hub.url, "orc-coloader", ["FORWARDER"]);
    customs = await admit(hub.url, "orc-customs", ["CUSTOMS"]);
    nosy = await admit(hub.url, "orc-nosy", ["FORWARDER"]);
    partial = await admit(hub.url, "orc-partial", ["FORWARDER"]);
    [fwdOr, airOr] = [fwd, airline].map(oneRecordClient);

    piece = await create(fwd, fwdOr, "Piece", { upid, goodsDescription: "Headphones" });
    piece2 = await create(fwd, fwdOr, "Piece", { goodsDescription: "Headphones" });
    shipment = await create(fwd, fwdOr, "Shipment", { goodsDescription: "Headphones", pieces: [ref(piece), ref(piece2)] });
    master = await create(airline, airOr, "Waybill", {
      waybillType: ref("cargo:MASTER"),
      waybillPrefix: TEST_AWB_PREFIX,
      waybillNumber: awbNumber.slice(4),
    });
    house = await create(fwd, fwdOr, "Waybill", {
      waybillType: ref("cargo:HOUSE"),
      waybillNumber: houseNumber,
      masterWaybill: ref(master),
      shipment: ref(shipment),
    });
    uld = await create(airline, airOr, "ULD", { uldTypeCode: { "cargo:code": "AKE" }, uldSerialNumber: String(tag), ownerCode: { "cargo:code": "CX" } });
    buildUp = await create(airline, airOr, "Composing", {
      compositionType: ref("cargo:COMPOSITION"),
      actionTimeType: ref("cargo:ACTUAL"),
      loadingUnit: ref(uld),
      composedPieces: [ref(piece), ref(piece2)],
    });
    // A native house waybill of another forwarder, under the same master air waybill number.
    const native: WaybillBody = {
      waybillType: "HOUSE",
      waybillNumber: `NH-${tag}`,
      masterWaybillNumber: awbNumber,
      origin: "HKG",
      destination: "FRA",
      shipper: { name: "Shenzhen Audio Ltd", country: "CN" },
      consignee: { name: "Audio GmbH", country: "DE", address: "Hauptstrasse 1, Frankfurt" },
      pieceCount: 3,
      grossWeight: { value: 40, unit: "KGM" },
      goodsDescription: "Speakers",
    };
    const { record } = await coloader.client.publish("Waybill", native);
    await coloader.client.grant(record.id, customs.id);
    nativeHouse = native.waybillNumber;
    await sleep(50);
    beforeOffload = new Date();
    await sleep(50);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("from a piece's IRI: the chain up to the master's air waybill number, the ULD it is built up in, and the numbers naming each", async function () {
    const view = await consolidation(customs.client, piece);
    // Up is every container and every number identifying the objects on the way.
    expect(view.containedIn.map(edgeText).sort()).to.deep.equal(
      [
        `${upid}>${piece} identifies d1`,
        `${houseNumber}>${house} identifies d3`,
        `${shipment}>${piece} contains d1`,
        `${uld}>${piece} contains d1`,
        `${house}>${shipment} contains d2`,
        `${uldNumber}>${uld} identifies d2`,
        `${master}>${house} contains d3`,
        `${awbNumber}>${master} identifies d4`,
      ].sort(),
    );
    // Nothing lies within it.
    expect(view.contains).to.deep.equal([]);
    const byKind = Object.fromEntries(view.containedIn.map((e) => [e.content.id === piece ? `${e.container.kind}>` : `>${e.content.kind}`, e.record.type]));
    expect(byKind).to.deep.include({ "SHIPMENT>": "LogisticsObject", "ULD>": "LogisticsObject", ">MASTER": "LogisticsObject" });
    // ONE Record objects carry no figures for the edges they state; the statements are theirs, flagged with nothing.
    expect(view.containedIn.every((e) => e.pieceCount === undefined && e.grossWeight === undefined)).to.equal(true);
    expect(view.statements.map((s) => s.kind)).to.satisfy((kinds: string[]) => kinds.every((k) => k === "logistics-object"));
    expect(view.statements.find((s) => s.container.id === uld)?.owner).to.equal(airline.id);
    const byUpid = await consolidation(customs.client, upid);
    expect(byUpid.contains.map(edgeText)).to.deep.equal([`${upid}>${piece} identifies d1`]);
    expect(byUpid.containedIn).to.deep.equal([]);
  });

  it("from the master's air waybill number down: the ONE Record master, its house, shipment and pieces, and the native house naming that number", async function () {
    const view = await consolidation(customs.client, awbNumber);
    expect(view.contains.map(edgeText).sort()).to.deep.equal(
      [
        `${awbNumber}>${master} identifies d1`,
        `${awbNumber}>${nativeHouse} contains d1`,
        `${master}>${house} contains d2`,
        `${house}>${shipment} contains d3`,
        `${shipment}>${piece} contains d4`,
        `${shipment}>${piece2} contains d4`,
      ].sort(),
    );
    // The native house's edge keeps its figures; the ONE Record edges have none.
    const nativeEdge = view.contains.find((e) => e.content.id === nativeHouse)!;
    expect([nativeEdge.pieceCount, nativeEdge.grossWeight]).to.deep.equal([3, { value: 40, unit: "KGM" }]);
    expect(view.waybills.map((w) => w.waybillNumber)).to.deep.equal([nativeHouse]);
    // The house waybill's own number names it as well.
    const byHouseNumber = await consolidation(customs.client, houseNumber);
    expect(byHouseNumber.contains.map(edgeText)).to.include(`${house}>${shipment} contains d2`);
  });

  it("shows only the edges of records the caller may read; an outsider gets the 404 of an unknown id", async function () {
    // The forwarder reads its own objects, not the airline's master, ULD or build-up.
    const own = await consolidation(fwd.client, piece);
    expect(own.containedIn.map(edgeText).sort()).to.deep.equal(
      [
        `${upid}>${piece} identifies d1`,
        `${shipment}>${piece} contains d1`,
        `${house}>${shipment} contains d2`,
        `${houseNumber}>${house} identifies d3`,
        `${master}>${house} contains d3`,
      ].sort(),
    );
    expect(own.statements.every((s) => s.owner === fwd.id)).to.equal(true);
    const unknownIri = `${hub.url}/logistics-objects/${randomUUID()}`;
    const unknown = await refusal(consolidation(nosy.client, unknownIri));
    expect(unknown).to.not.equal("allowed");
    for (const id of [piece, master, awbNumber, uldNumber, upid]) {
      const r = await refusal(consolidation(nosy.client, id));
      expect(r, id).to.not.equal("allowed");
      if (r === "allowed" || unknown === "allowed") continue;
      expect({ status: r.status, type: r.problem.type, title: r.problem.title, detail: r.problem.detail }).to.deep.equal({
        status: unknown.status,
        type: unknown.problem.type,
        title: unknown.problem.title,
        detail: unknown.problem.detail,
      });
    }
    expect(unknown === "allowed" ? 0 : unknown.status).to.equal(404);

    // A field-level grant shows an edge only with the field stating it: the goods description is not the pieces.
    await fwd.client.grant(shipment.split("/").pop()!, partial.id, undefined, "object", ["goodsDescription"]);
    expect(await refusal(consolidation(partial.client, shipment))).to.deep.equal(await refusal(consolidation(partial.client, unknownIri)));
    await fwd.client.grant(shipment.split("/").pop()!, partial.id, undefined, "object", ["pieces"]);
    const pieces = await consolidation(partial.client, shipment);
    expect(pieces.contains.map(edgeText).sort()).to.deep.equal([`${shipment}>${piece} contains d1`, `${shipment}>${piece2} contains d1`].sort());
    expect(pieces.containedIn).to.deep.equal([]);
  });

  it("a new revision of the build-up taking a piece out of the ULD changes the index from its time on, not before", async function () {
    const change: JsonObject = {
      "@context": { api: "https://onerecord.iata.org/ns/api#", cargo: CARGO, xsd: XSD },
      "@type": "api:Change",
      "api:hasLogisticsObject": { "@id": buildUp },
      "api:hasDescription": "piece offloaded from the ULD",
      "api:hasOperation": [
        {
          "@type": "api:Operation",
          "api:op": { "@id": "api:DELETE" },
          "api:s": buildUp,
          "api:p": { "@value": `${CARGO}composedPieces`, "@type": "xsd:anyURI" },
          "api:o": [{ "@type": "api:OperationObject", "api:hasDatatype": { "@value": `${CARGO}Piece`, "@type": "xsd:anyURI" }, "api:hasValue": piece }],
        },
      ],
      "api:hasRevision": { "@value": "1", "@type": "xsd:positiveInteger" },
    };
    const requested = await airOr.requestChange(buildUp, change);
    const accepted = await airOr.acceptChange(requested.iri);
    expect(accepted.revision).to.equal(2);

    const now = await consolidation(customs.client, piece);
    expect(now.containedIn.map((e) => e.container.id)).to.not.include(uld);
    expect(now.containedIn.map(edgeText)).to.include(`${shipment}>${piece} contains d1`);
    const then = await consolidation(customs.client, piece, beforeOffload);
    expect(then.containedIn.map(edgeText)).to.include(`${uld}>${piece} contains d1`);
    expect(then.statements.find((s) => s.container.id === uld)?.record.version).to.equal(1);
    // The other piece stays in the ULD, stated by the new revision.
    const ofUld = await consolidation(customs.client, uldNumber);
    expect(ofUld.contains.map(edgeText).sort()).to.deep.equal([`${uldNumber}>${uld} identifies d1`, `${uld}>${piece2} contains d2`].sort());
    expect(ofUld.contains.find((e) => e.content.id === piece2)?.record.version).to.equal(2);
  });
});
