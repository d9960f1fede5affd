// The quota pre-check (issue 19.4): a platform asks, before it accepts an order, whether the buyer's
// order stays within the personal import limits (5,000 CNY an order, 26,000 CNY a year), from the
// buyer's matched imports of the year by every platform, and learns only their sum. Real hub
// process, chain and database; the rate limit lowered so a test can cross it.
import { expect } from "chai";
import { z } from "zod";
import { HubError } from "../../sdk/client";
import { QuotaCheckSchema, type QuotaCheckRequest } from "../../sdk/api";
import { roundAmount, type Identity } from "../../sdk/records/customs-common";
import type { MatchResultBody } from "../../sdk/records/match-result";
import { matchResultId } from "../../server/customs/cases";
import { BUYER, OTHER_PERSON, order, sampleCase } from "../customs/fixtures";
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

const OFFICE = "hz-customs";
/** The sample order's total in CNY (test/customs/fixtures.ts): each matched order counts this much. */
const ORDER_TOTAL = order().total;
const PER_MINUTE = 25;

describe(`customs: the quota pre-check (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let shopA: TestOrg, shopB: TestOrg, shopC: TestOrg, payer: TestOrg, carrier: TestOrg, broker: TestOrg, auditor: TestOrg;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(
      hubEnv(chain, database.url, { CUSTOMS_MATCH_POLL_MS: "50", CUSTOMS_MATCH_SETTLE_MS: "200", CUSTOMS_QUOTA_CHECK_PER_MIN: String(PER_MINUTE) }),
    );
    [shopA, shopB, shopC, payer, carrier, broker, auditor] = await Promise.all([
      admit(hub.url, "shop-global", ["PLATFORM"]),
      admit(hub.url, "shop-two", ["PLATFORM"]),
      admit(hub.url, "shop-three", ["PLATFORM"]),
      admit(hub.url, "pay-firm", ["PAYMENT"]),
      admit(hub.url, "parcel-express", ["FORWARDER"]),
      admit(hub.url, "hz-broker", ["BROKER"]),
      admit(hub.url, "the-auditor", ["AUDITOR"]),
      admit(hub.url, OFFICE, ["CUSTOMS"]),
    ]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  /** The four documents of one sample order (ORDER_TOTAL CNY) of `buyer` on `platform`, dated 2026-11-`day`; resolves once it is matched. */
  async function matchedOrder(platform: TestOrg, orderNumber: string, buyer: Identity, day: number): Promise<void> {
    const docs = sampleCase(orderNumber, buyer, day, { platform: platform.id });
    await platform.client.publish("Order", docs.order);
    await payer.client.publish("Payment", docs.payment);
    await carrier.client.publish("Waybill", docs.waybill);
    await broker.client.publish("CustomsDeclaration", docs.declaration);
    const result = await waitFor(`the match result of ${orderNumber}`, async () => {
      const stored = await platform.client.getRecord(matchResultId(platform.id, orderNumber)).catch(() => undefined);
      return stored && (stored.record.body as MatchResultBody).status !== "INCOMPLETE" ? stored : undefined;
    });
    expect((result.record.body as MatchResultBody).status, JSON.stringify((result.record.body as MatchResultBody).discrepancies)).to.equal("MATCHED");
  }

  /** The whole access log, as the auditor reads it. */
  async function accessLog(): Promise<{ actor: string; action: string; recordId: string | null; detail: string | null }[]> {
    const Page = z.object({
      entries: z.array(z.object({ actor: z.string(), action: z.string(), recordId: z.string().nullable(), detail: z.string().nullable() }).loose()),
      next: z.number(),
    });
    const entries: { actor: string; action: string; recordId: string | null; detail: string | null }[] = [];
    for (let after = 0; ;) {
      const page = await auditor.client.call("GET", `/v1/access-log?after=${after}&limit=1000`, Page);
      entries.push(...page.entries);
      if (page.entries.length < 1000) return entries;
      after = page.next;
    }
  }

  const ask = (platform: TestOrg, over: Partial<QuotaCheckRequest> = {}) =>
    platform.client.quotaCheck({ buyer: { ...BUYER }, amount: 100, currency: "CNY", year: 2026, ...over });

  it("a buyer with no imports: the per-order limit at exactly 5,000 CNY is within, 5,000.01 is over", async function () {
    expect(await ask(shopA, { amount: 5000 })).to.deep.equal({
      perOrder: { limitCny: 5000, amountCny: 5000, within: true },
      annual: { limitCny: 26000, usedCny: 0, remainingCny: 26000, within: true },
    });
    expect((await ask(shopA, { amount: 5000.01 })).perOrder).to.deep.equal({ limitCny: 5000, amountCny: 5000.01, within: false });
    // Another currency at the configured rate (USD 7.2), rounded as the matcher rounds.
    expect((await ask(shopA, { amount: 694.4445, currency: "USD" })).perOrder).to.deep.equal({ limitCny: 5000, amountCny: 5000.0004, within: false });
    expect((await ask(shopA, { amount: 694.4444, currency: "USD" })).perOrder).to.deep.equal({ limitCny: 5000, amountCny: 4999.9997, within: true });
  });

  it("after matched orders of the buyer on two platforms, the remaining annual amount is exact, and the limit is reached at exactly 26,000", async function () {
    await matchedOrder(shopA, "SO-QA-1", BUYER, 10);
    await matchedOrder(shopB, "SO-QB-1", BUYER, 12);
    // Another buyer's order counts for nothing here.
    await matchedOrder(shopB, "SO-QB-2", OTHER_PERSON, 12);
    const used = roundAmount(2 * ORDER_TOTAL);
    const remaining = roundAmount(26000 - used);
    // The name and number as another document spells them: the same buyer to the matcher, so to the pre-check.
    const answer = await ask(shopC, { amount: remaining, buyer: { ...BUYER, name: "  ZHANG   san " } });
    expect(answer).to.deep.equal({
      perOrder: { limitCny: 5000, amountCny: remaining, within: false },
      annual: { limitCny: 26000, usedCny: used, remainingCny: remaining, within: true },
    });
    // 26,000 exactly with this order is within; a cent more is over.
    expect((await ask(shopC, { amount: roundAmount(remaining + 0.01) })).annual).to.deep.equal({
      limitCny: 26000,
      usedCny: used,
      remainingCny: remaining,
      within: false,
    });
    expect((await ask(shopC, { amount: 4000 })).annual.within).to.equal(true);
    // The year is the order's: by orderedAt as written, and another year is empty.
    expect((await ask(shopC, { year: undefined, orderedAt: "2026-12-31T23:30:00+08:00" })).annual.usedCny).to.equal(used);
    expect((await ask(shopC, { year: 2027 })).annual).to.deep.equal({ limitCny: 26000, usedCny: 0, remainingCny: 26000, within: true });
    expect((await ask(shopC, { buyer: { ...OTHER_PERSON } })).annual.usedCny).to.equal(ORDER_TOTAL);
  });

  it("a platform learns only the sum: the same answer, of exactly these keys, whichever platform asks", async function () {
    const raw = z.record(z.string(), z.unknown());
    const asked = async (p: TestOrg) =>
      p.client.call("POST", "/v1/customs/quota-check", raw, { body: { buyer: { ...BUYER }, amount: 10, currency: "CNY", year: 2026 } });
    const answers = await Promise.all([shopA, shopB, shopC].map(asked));
    for (const a of answers) {
      expect(Object.keys(a).sort()).to.deep.equal(["annual", "perOrder"]);
      expect(Object.keys(a.perOrder as object).sort()).to.deep.equal(["amountCny", "limitCny", "within"]);
      expect(Object.keys(a.annual as object).sort()).to.deep.equal(["limitCny", "remainingCny", "usedCny", "within"]);
      expect(a).to.deep.equal(answers[0]);
      // No order number, platform, case or date of the buyer's orders anywhere in it.
      expect(JSON.stringify(a)).not.to.match(/SO-Q|shop-|2026-11/);
    }
    QuotaCheckSchema.parse(answers[0]);
  });

  it("only a platform asks (403); a bad body is a 400 naming the field; a currency without a rate a 400 naming currency", async function () {
    for (const other of [payer, broker, auditor])
      expect(await kindOf(other.client.quotaCheck({ buyer: { ...BUYER }, amount: 1, currency: "CNY" }))).to.equal("403 role-required");
    const fields = async (body: unknown) => {
      try {
        await shopA.client.call("POST", "/v1/customs/quota-check", z.unknown(), { body });
        return "allowed";
      } catch (e) {
        if (!(e instanceof HubError)) throw e;
        return `${e.status} ${String(e.problem.type).split("/").pop()} ${(e.problem.errors ?? []).map((x) => x.path).join(",")}`;
      }
    };
    expect(await fields({ buyer: { ...BUYER }, amount: -1, currency: "CNY" })).to.equal("400 invalid-quota-check amount");
    expect(await fields({ buyer: { ...BUYER, idNumber: "110105194912310021" }, amount: 1, currency: "CNY" })).to.equal(
      "400 invalid-quota-check buyer.idNumber",
    );
    expect(await fields({ amount: 1, currency: "CNY" })).to.equal("400 invalid-quota-check buyer");
    expect(await fields({ buyer: { ...BUYER }, amount: 1, currency: "CNY", platform: "shop-two" })).to.equal("400 invalid-quota-check ");
    expect(await fields({ buyer: { ...BUYER }, amount: 1, currency: "CHF" })).to.equal("400 unknown-exchange-rate currency");
  });

  it("every call is in the access log (a refusal as a DENY), without the buyer's identity", async function () {
    const entries = await accessLog();
    const quota = entries.filter((e) => e.detail?.startsWith("customs quota-check"));
    const count = (actor: string, action: string, detail: string) =>
      quota.filter((e) => e.actor === actor && e.action === action && e.detail === detail).length;
    // shop-three: 6 answers in the second test, 1 in the third.
    expect(count(shopC.id, "READ", "customs quota-check")).to.equal(7);
    expect(count(shopA.id, "READ", "customs quota-check")).to.equal(5);
    expect(count(payer.id, "DENY", "customs quota-check: 403 role-required")).to.equal(1);
    expect(count(shopA.id, "DENY", "customs quota-check: 400 invalid-quota-check")).to.equal(4);
    expect(count(shopA.id, "DENY", "customs quota-check: 400 unknown-exchange-rate")).to.equal(1);
    expect(quota.every((e) => e.recordId === null)).to.equal(true);
    const text = JSON.stringify(entries);
    for (const secret of [BUYER.idNumber, BUYER.name, OTHER_PERSON.idNumber]) expect(text).not.to.include(secret);
  });

  it(`over ${PER_MINUTE} calls a minute a platform is refused (429), counted per platform`, async function () {
    const fresh = await admit(hub.url, "shop-four", ["PLATFORM"]);
    for (let i = 0; i < PER_MINUTE; i++) await ask(fresh);
    expect(await kindOf(ask(fresh))).to.equal("429 rate-limited");
    // Another platform is not held up by it.
    expect((await ask(shopB)).annual.usedCny).to.equal(roundAmount(2 * ORDER_TOTAL));
    expect((await accessLog()).some((e) => e.actor === fresh.id && e.action === "DENY" && e.detail === "customs quota-check: 429 rate-limited")).to.equal(true);
  });
});
