// Orders over time, on a real hub process, chain and database:
// - the annual limit counts a buyer's imports of a year in date order, whatever order they arrive
//   in (issue 19.5): a case that arrives dated before cases already matched for the same buyer and
//   year has those cases matched again (a new MatchResult version), so exactly the cases past the
//   limit in date order are flagged (the limit lowered to 1,000 CNY: two orders of 735.7 CNY cross it);
// - customs' statistics by origin, destination, port and day.
import { expect } from "chai";
import { prcIdCheckCharacter, type Identity } from "../../sdk/records/customs-common";
import type { MatchResultBody } from "../../sdk/records/match-result";
import { matchResultId } from "../../server/customs/cases";
import { BUYER, OTHER_PERSON, declaration, order, parcelWaybill, sampleCase, type OrderMoney } from "../customs/fixtures";
import {
  admit,
  freshDatabase,
  kindOf,
  hubEnv,
  isPostgres,
  startHubProcess,
  startTestChain,
  waitFor,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

const PLATFORM = "shop-global";
const OFFICE = "hz-customs";

describe(`customs over time: the annual limit in date order, statistics by origin, destination, port and day (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let platform: TestOrg, payer: TestOrg, carrier: TestOrg, broker: TestOrg, customs: TestOrg;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(
      hubEnv(chain, database.url, {
        CUSTOMS_MATCH_POLL_MS: "50",
        CUSTOMS_MATCH_SETTLE_MS: "200",
        CUSTOMS_MATCH_RULES: JSON.stringify({ annualLimitCny: 1000 }),
      }),
    );
    [platform, payer, carrier, broker, customs] = await Promise.all([
      admit(hub.url, PLATFORM, ["PLATFORM"]),
      admit(hub.url, "pay-firm", ["PAYMENT"]),
      admit(hub.url, "parcel-express", ["FORWARDER"]),
      admit(hub.url, "hz-broker", ["BROKER"]),
      admit(hub.url, OFFICE, ["CUSTOMS"]),
    ]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  /** The four documents of one 1210 import of `buyer`, dated `day` (November 2026); the fixtures' goods unless `over` says otherwise. */
  async function publishOrder(orderNumber: string, buyer: Identity, day: number, over: Partial<OrderMoney> & { port?: string } = {}): Promise<void> {
    const docs = sampleCase(orderNumber, buyer, day, over);
    await platform.client.publish("Order", docs.order);
    await payer.client.publish("Payment", docs.payment);
    await carrier.client.publish("Waybill", docs.waybill);
    await broker.client.publish("CustomsDeclaration", docs.declaration);
  }

  const flagged = (b: MatchResultBody) => b.discrepancies.some((d) => d.code === "limit-annual");

  /** The order's latest MatchResult once `accept` holds for it. */
  const result = (orderNumber: string, accept: (b: MatchResultBody, version: number) => boolean) =>
    waitFor(`the match result of ${orderNumber}`, async () => {
      const stored = await platform.client.getRecord(matchResultId(PLATFORM, orderNumber)).catch(() => undefined);
      return stored && accept(stored.record.body as MatchResultBody, stored.record.version) ? stored : undefined;
    });
  const matched = (b: MatchResultBody) => b.status !== "INCOMPLETE";

  it("the earlier-dated order arriving second: the later one is matched again and flagged, as in arrival by date", async function () {
    // In date order: the 10th's order is within the year's limit, the 12th's crosses it.
    await publishOrder("SO-DATE-1", BUYER, 10);
    expect(flagged((await result("SO-DATE-1", matched)).record.body as MatchResultBody)).to.equal(false);
    await publishOrder("SO-DATE-2", BUYER, 12);
    expect(flagged((await result("SO-DATE-2", matched)).record.body as MatchResultBody)).to.equal(true);

    // The same two orders of another buyer, arriving the other way round.
    await publishOrder("SO-LATE-2", OTHER_PERSON, 12);
    const alone = await result("SO-LATE-2", matched);
    expect(flagged(alone.record.body as MatchResultBody), "alone in its year, the 12th's order is within the limit").to.equal(false);
    await publishOrder("SO-LATE-1", OTHER_PERSON, 10);
    const earlier = await result("SO-LATE-1", matched);
    expect(flagged(earlier.record.body as MatchResultBody), "first in date order").to.equal(false);
    // The 12th's case is matched again with the 10th's order before it: a new version, flagged.
    const again = await result("SO-LATE-2", (_b, version) => version > alone.record.version);
    expect(flagged(again.record.body as MatchResultBody)).to.equal(true);
    expect((again.record.body as MatchResultBody).discrepancies.find((d) => d.code === "limit-annual")).to.include({ found: "1471.4 CNY" });

    // Nothing else moves: the 10th's result keeps its version, and the flags are those of arrival by date.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await platform.client.getRecord(matchResultId(PLATFORM, "SO-LATE-1"))).record.version).to.equal(earlier.record.version);
    expect((await platform.client.getRecord(matchResultId(PLATFORM, "SO-LATE-2"))).record.version).to.equal(again.record.version);
  });

  it("below the year's limit nothing is matched again: an earlier order of a year within the limit changes no later result", async function () {
    const buyer: Identity = { name: "Li Si", idType: "ID_CARD", idNumber: "110105194912310038" };
    await publishOrder("SO-LOW-2", buyer, 20);
    const later = await result("SO-LOW-2", matched);
    // A smaller order: 735.7 + 212.02 stays within 1,000 CNY (its tax: 13% VAT of 203.5 at 70%).
    const lines = [
      { lineNo: 1, hsCode: "3304990099", description: "Face cream 50 ml", quantity: 1, unit: "PCE", unitPrice: 183.5, value: 183.5, originCountry: "FR" },
    ];
    await publishOrder("SO-LOW-1", buyer, 18, { lines, goodsValue: 183.5, freight: 20, insurance: 0, discount: 10, tax: 18.52, total: 212.02 });
    const first = await result("SO-LOW-1", matched);
    expect((first.record.body as MatchResultBody).status, JSON.stringify((first.record.body as MatchResultBody).discrepancies)).to.equal("MATCHED");
    await new Promise((r) => setTimeout(r, 1500));
    expect((await platform.client.getRecord(matchResultId(PLATFORM, "SO-LOW-2"))).record.version).to.equal(later.record.version);
  });

  it("statistics by origin, destination, port and day: each goods line counted once under its declaration's values", async function () {
    const person = (name: string, first17: string): Identity => ({ name, idType: "ID_CARD", idNumber: first17 + prcIdCheckCharacter(first17) });
    // Two imports on the 25th through two ports; an export to the US on the 26th.
    await publishOrder("SO-STAT-1", person("Chen Wu", "33010619900101001"), 25);
    const jp = [
      { lineNo: 1, hsCode: "3304990099", description: "Face cream 50 ml", quantity: 1, unit: "PCE", unitPrice: 183.5, value: 183.5, originCountry: "JP" },
    ];
    await publishOrder("SO-STAT-2", person("Zhao Liu", "33010619900101002"), 25, {
      lines: jp,
      goodsValue: 183.5,
      freight: 20,
      insurance: 0,
      discount: 10,
      tax: 18.52,
      total: 212.02,
      port: "CNNGB",
    });
    const exported = { supervisionMode: "9610" as const, direction: "EXPORT" as const, destinationCountry: "US", port: "CNHGH" };
    const orderNumber = "SO-STAT-3";
    const consignee = { name: "John Smith", address: "1 Main Street, Springfield", country: "US" };
    await platform.client.publish("Order", order({ orderNumber, ...exported, orderedAt: "2026-11-26T09:00:00+08:00", consignee }));
    await carrier.client.publish("Waybill", parcelWaybill({ orderNumber, waybillNumber: `WB${orderNumber}`, destination: "JFK", consignee }));
    const { paymentTransactionNumber: _none, ...exportDeclaration } = declaration({
      orderNumber,
      ...exported,
      waybillNumber: `WB${orderNumber}`,
      declaredAt: "2026-11-26T10:00:00+08:00",
    });
    await broker.client.publish("CustomsDeclaration", exportDeclaration);
    for (const n of ["SO-STAT-1", "SO-STAT-2", "SO-STAT-3"]) await result(n, matched);

    const stats = await customs.client.customsStatistics({ groupBy: ["origin", "destination", "port"], period: "day", from: "2026-11-25", to: "2026-11-26" });
    const line = (period: string, origin: string, destination: string, port: string, quantity: number, value: number) => ({
      period,
      origin,
      destination,
      port,
      currency: "CNY",
      cases: 1,
      lines: 1,
      quantity,
      value,
    });
    expect(stats.rows).to.deep.equal([
      line("2026-11-25", "AU", "CN", "CNHGH", 3, 265.5),
      line("2026-11-25", "FR", "CN", "CNHGH", 2, 398),
      line("2026-11-25", "JP", "CN", "CNNGB", 1, 183.5),
      line("2026-11-26", "AU", "US", "CNHGH", 3, 265.5),
      line("2026-11-26", "FR", "US", "CNHGH", 2, 398),
    ]);
    // By day alone: the two imports of the 25th are two cases with three lines.
    const byDay = await customs.client.customsStatistics({ period: "day", from: "2026-11-25", to: "2026-11-26" });
    expect(byDay.rows.map((r) => [r.period, r.cases, r.lines])).to.deep.equal([
      ["2026-11-25", 2, 3],
      ["2026-11-26", 1, 2],
    ]);
    // Statistics are customs' (and the operator's): a platform is refused.
    expect(await kindOf(platform.client.customsStatistics({ period: "day" }))).to.equal("403 role-required");
  });
});
