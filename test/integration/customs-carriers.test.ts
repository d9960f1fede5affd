// Everyone is told (issue 19.6): customs' decision on an order also reaches the airline of the master
// waybill and the forwarder of the house waybill carrying its parcel, as the consolidation index knows
// them; an unrelated airline, and a forwarder claiming the parcel in a house under another master,
// learn nothing (the 404 of a record that does not exist). Real hub process, chain and database.
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { HubError } from "../../sdk/client";
import type { ConsolidationBody } from "../../sdk/records/consolidation";
import type { MatchResultBody } from "../../sdk/records/match-result";
import type { WaybillBody } from "../../sdk/records/waybill";
import { matchResultId } from "../../server/customs/cases";
import { declaration, order, parcelWaybill, payment } from "../customs/fixtures";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "./harness";

const PLATFORM = "shop-global";
const OFFICE = "hz-customs";
const ORDER = "SO-TOLD-1";
const PARCEL = `WB${ORDER}`;
// Air waybill numbers: prefix 020 (the test airlines' credential), serial with its mod-7 check digit.
const MASTER = "020-12345675";
const OTHER_MASTER = "020-22222222";
const HOUSE = "HKG-H-0001";
const ROGUE_HOUSE = "HKG-H-9999";

const kg = (value: number) => ({ value, unit: "KGM" as const });
const waybill = (over: Partial<WaybillBody> & Pick<WaybillBody, "waybillType" | "waybillNumber">): WaybillBody => ({
  origin: "HKG",
  destination: "HGH",
  shipper: { name: "Hong Kong Consolidators Ltd", country: "HK" },
  consignee: { name: "Hangzhou Bonded Warehouse", country: "CN", address: "No. 1 Bonded Road, Hangzhou" },
  pieceCount: 1,
  grossWeight: kg(1.6),
  goodsDescription: "Cosmetics",
  ...over,
});
const intoHouse = (house: string): ConsolidationBody => ({
  container: { kind: "HOUSE", id: house },
  contents: [{ kind: "PARCEL", id: PARCEL, pieceCount: 1, grossWeight: kg(1.6) }],
  pieceCount: 1,
  grossWeight: kg(1.6),
  at: new Date(Date.now() - 60_000).toISOString(),
});

async function status(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "allowed";
  } catch (e) {
    if (!(e instanceof HubError)) throw e;
    return `${e.status} ${String(e.problem.type).split("/").pop()}`;
  }
}

describe(`customs: the decision reaches the carriers of the parcel (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let platform: TestOrg, payer: TestOrg, carrier: TestOrg, broker: TestOrg, customs: TestOrg;
  let airline: TestOrg, forwarder: TestOrg, otherAirline: TestOrg, rogue: TestOrg;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url, { CUSTOMS_MATCH_POLL_MS: "50", CUSTOMS_MATCH_SETTLE_MS: "200" }));
    [platform, payer, carrier, broker, customs, airline, forwarder, otherAirline, rogue] = await Promise.all([
      admit(hub.url, PLATFORM, ["PLATFORM"]),
      admit(hub.url, "pay-firm", ["PAYMENT"]),
      admit(hub.url, "parcel-express", ["FORWARDER"]),
      admit(hub.url, "hz-broker", ["BROKER"]),
      admit(hub.url, OFFICE, ["CUSTOMS"]),
      admit(hub.url, "air-one", ["AIRLINE"]),
      admit(hub.url, "hk-consol", ["FORWARDER"]),
      admit(hub.url, "air-two", ["AIRLINE"]),
      admit(hub.url, "nosy-consol", ["FORWARDER"]),
    ]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("the airline of the master and the forwarder of the house read the decision and are notified; others get the 404 of nothing", async function () {
    // The airline's master, the forwarder's house under it holding the parcel, the parcel under the master.
    await airline.client.publish("Waybill", waybill({ waybillType: "MASTER", waybillNumber: MASTER, pieceCount: 5, grossWeight: kg(40) }));
    await forwarder.client.publish("Waybill", waybill({ waybillType: "HOUSE", waybillNumber: HOUSE, masterWaybillNumber: MASTER }));
    await forwarder.client.publish("Consolidation", intoHouse(HOUSE));
    // Another airline's master, and a forwarder claiming the parcel in its house under that master.
    await otherAirline.client.publish("Waybill", waybill({ waybillType: "MASTER", waybillNumber: OTHER_MASTER }));
    await rogue.client.publish("Waybill", waybill({ waybillType: "HOUSE", waybillNumber: ROGUE_HOUSE, masterWaybillNumber: OTHER_MASTER }));
    await rogue.client.publish("Consolidation", intoHouse(ROGUE_HOUSE));

    const consignee = { name: "Zhang San", address: "No. 18 Wensan Road, Xihu District, Hangzhou", country: "CN" };
    const ref = { orderNumber: ORDER, paymentTransactionNumber: `PAY-${ORDER}`, waybillNumber: PARCEL };
    await platform.client.publish("Order", order({ orderNumber: ORDER, consignee }));
    await payer.client.publish("Payment", payment({ orderNumber: ORDER, transactionNumber: ref.paymentTransactionNumber }));
    await carrier.client.publish("Waybill", parcelWaybill({ orderNumber: ORDER, waybillNumber: PARCEL, masterWaybillNumber: MASTER, consignee }));
    await broker.client.publish("CustomsDeclaration", declaration(ref));
    const mr = await waitFor("the match result", async () => {
      const stored = await platform.client.getRecord(matchResultId(PLATFORM, ORDER)).catch(() => undefined);
      return stored && (stored.record.body as MatchResultBody).status !== "INCOMPLETE" ? stored.record : undefined;
    });
    expect((mr.body as MatchResultBody).status, JSON.stringify((mr.body as MatchResultBody).discrepancies)).to.equal("MATCHED");

    const { record: decision } = await customs.client.publish("CustomsDecision", {
      platform: PLATFORM,
      orderNumber: ORDER,
      matchResult: { recordId: mr.id, version: mr.version },
      decision: "HOLD",
      reasons: [{ code: "RISK-7", text: "Held for document check" }],
      decidedAt: new Date().toISOString(),
    });

    // The case's parties as before, and now the master's airline and the house's forwarder.
    for (const org of [platform, payer, carrier, broker, airline, forwarder]) {
      expect((await org.client.getRecord(decision.id)).record.digest, `${org.id} reads the decision`).to.equal(decision.digest);
      const told = (await org.client.notifications()).notifications.filter((n) => n.kind === "CUSTOMS_DECISION" && n.recordId === decision.id);
      expect(told, `${org.id} is notified once`).to.have.length(1);
      expect(told[0]!.detail).to.include({ decision: "HOLD", orderNumber: ORDER, platform: PLATFORM });
    }
    // The airline and the forwarder learn the decision, not the case's match result or documents.
    for (const org of [airline, forwarder]) expect(await status(org.client.getRecord(mr.id))).to.equal("404 not-found");

    // An unrelated airline (even owning a master the hub knows), and a forwarder whose house is under
    // another master: exactly the answer for a record that does not exist, and no notification.
    const nothing = await status(otherAirline.client.getRecord(randomUUID()));
    expect(nothing).to.equal("404 not-found");
    for (const org of [otherAirline, rogue]) {
      expect(await status(org.client.getRecord(decision.id)), org.id).to.equal(nothing);
      const feed = (await org.client.notifications()).notifications;
      expect(
        feed.some((n) => n.recordId === decision.id || JSON.stringify(n.detail).includes(ORDER)),
        org.id,
      ).to.equal(false);
    }
  });
});
