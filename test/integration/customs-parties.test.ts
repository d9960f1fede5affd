import { expect } from "chai";
import { HubError } from "../../sdk/client";
import type { StoredRecord } from "../../sdk/api";
import type { MatchResultBody } from "../../sdk/records/match-result";
import type { RecordBody } from "../../sdk/records";
import { matchResultId } from "../../server/customs/cases";
import { BUYER, OTHER_PERSON, declaration, order, parcelWaybill, payment } from "../customs/fixtures";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "./harness";

// Parties named as in test/customs/fixtures.ts (its orders name pay-firm, parcel-express and hz-broker).
const PLATFORM = "shop-global";
const OFFICE = "hz-customs";
const SETTLE_MS = 400;
/** Long enough for any match a document could have caused (settle time, poll, publication). */
const QUIET_MS = SETTLE_MS + 1_500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The problem a refused call answers with (status and body), or "ok". */
async function refusal(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
    return "ok";
  } catch (e) {
    if (e instanceof HubError) return { status: e.status, problem: e.problem };
    throw e;
  }
}

describe(`customs: a case's parties are the ones its order names (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let platform: TestOrg;
  let payer: TestOrg;
  let carrier: TestOrg;
  let broker: TestOrg;
  let customs: TestOrg;
  let rogueCarrier: TestOrg;
  let rogueBroker: TestOrg;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(
      hubEnv(chain, database.url, { CUSTOMS_MATCH_POLL_MS: "50", CUSTOMS_MATCH_SETTLE_MS: String(SETTLE_MS), CUSTOMS_DOCUMENT_DEADLINE_MS: "600000" }),
    );
    [platform, payer, carrier, broker, customs, rogueCarrier, rogueBroker] = await Promise.all([
      admit(hub.url, PLATFORM, ["PLATFORM"]),
      admit(hub.url, "pay-firm", ["PAYMENT"]),
      admit(hub.url, "parcel-express", ["FORWARDER"]),
      admit(hub.url, "hz-broker", ["BROKER"]),
      admit(hub.url, OFFICE, ["CUSTOMS"]),
      admit(hub.url, "rogue-forwarding", ["FORWARDER"]),
      admit(hub.url, "rogue-broker", ["BROKER"]),
    ]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  const mrId = (orderNumber: string) => matchResultId(PLATFORM, orderNumber);

  /** The named parties' four documents of `orderNumber` (the order as given). */
  async function publishCase(orderNumber: string, orderBody: RecordBody<"Order"> = order({ orderNumber })): Promise<void> {
    await platform.client.publish("Order", orderBody);
    await payer.client.publish("Payment", payment({ orderNumber }));
    await carrier.client.publish("Waybill", parcelWaybill({ orderNumber }));
    await broker.client.publish("CustomsDeclaration", declaration({ orderNumber }));
  }

  /** The case's MatchResult once `accept` holds, as the platform reads it. */
  const matchResult = (orderNumber: string, accept: (b: MatchResultBody, version: number) => boolean): Promise<StoredRecord> =>
    waitFor(`the match result of ${orderNumber}`, async () => {
      const stored = await platform.client.getRecord(mrId(orderNumber));
      return accept(stored.record.body as MatchResultBody, stored.record.version) ? stored : undefined;
    });

  /** What an intruder publishes about an order: a parcel waybill and two lists, one guessing the buyer right, one wrong. */
  async function intrude(orderNumber: string): Promise<string[]> {
    const w = await rogueCarrier.client.publish("Waybill", parcelWaybill({ orderNumber, waybillNumber: `RG${orderNumber}` }));
    const right = await rogueBroker.client.publish(
      "CustomsDeclaration",
      declaration({ orderNumber, declarationNumber: `R1-${orderNumber}`, buyer: { ...BUYER } }),
    );
    const wrong = await rogueBroker.client.publish(
      "CustomsDeclaration",
      declaration({ orderNumber, declarationNumber: `R2-${orderNumber}`, buyer: { ...OTHER_PERSON } }),
    );
    return [w.record.id, right.record.id, wrong.record.id];
  }

  async function accessLog(org: TestOrg, recordId: string): Promise<{ action: string; actor: string; detail: string | null }[]> {
    const res = await fetch(`${hub.url}/v1/access-log?recordId=${encodeURIComponent(recordId)}&limit=1000`, {
      headers: { authorization: `Bearer ${await org.client.accessToken()}` },
    });
    expect(res.status).to.equal(200);
    const { entries } = (await res.json()) as { entries: { action: string; actor: string; detail: string | null }[] };
    return entries.map(({ action, actor, detail }) => ({ action, actor, detail }));
  }

  /** Everything an organisation can observe about an order and its own documents of it. */
  async function viewOf(org: TestOrg, orderNumber: string, own: string[]): Promise<unknown> {
    const told = (await org.client.notifications()).notifications.filter((n) => JSON.stringify(n).includes(orderNumber));
    const view = {
      matchResult: await refusal(org.client.getRecord(mrId(orderNumber))),
      matchResultProof: await refusal(org.client.getProof(mrId(orderNumber))),
      matchResultGrants: await refusal(org.client.listGrants(mrId(orderNumber))),
      decision: await refusal(org.client.getRecord(`${customs.id}:decision-${orderNumber}`)),
      picture: await refusal(org.client.customsCase(PLATFORM, orderNumber)),
      told,
      own: await Promise.all(
        own.map(async (id) => ({
          grants: (await org.client.listGrants(id)).map((g) => ({ grantee: g.grantee, policy: g.policy, scope: g.scope })),
          log: await accessLog(org, id),
        })),
      ),
    };
    // The order number itself is the only difference allowed (the problems' `instance` names the URL asked).
    return JSON.parse(JSON.stringify(view).replaceAll(orderNumber, "<order>")) as unknown;
  }

  it("an unnamed forwarder and broker join nothing, learn nothing, and see what they would see of an order that does not exist", async function () {
    const orderNumber = "SO-PARTY-1";
    await publishCase(orderNumber);
    const first = await matchResult(orderNumber, (b) => b.status === "MATCHED");
    const caseBefore = (await customs.client.customsCase(PLATFORM, orderNumber)).case;

    // The same attempt on the real order and on one that does not exist.
    const onReal = await intrude(orderNumber);
    const onNone = await intrude("SO-PARTY-NONE");
    await sleep(QUIET_MS);
    // Customs decides on the real case afterwards, with a reason.
    await customs.client.publish(
      "CustomsDecision",
      {
        platform: PLATFORM,
        orderNumber,
        matchResult: { recordId: first.record.id, version: first.record.version },
        decision: "INSPECT",
        reasons: [{ code: "RISK-9", text: "Declared value looks low for the brand" }],
        decidedAt: new Date().toISOString(),
      },
      { id: `${customs.id}:decision-${orderNumber}` },
    );
    await sleep(500);

    // The case is as it was: no new match, no new document, the same deadline.
    const now = await platform.client.getRecord(mrId(orderNumber));
    expect(now.record.version).to.equal(first.record.version);
    const body = now.record.body as MatchResultBody;
    expect(body.status).to.equal("MATCHED");
    expect(body.discrepancies).to.deep.equal([]);
    expect(body.documents.map((d) => d.owner).sort()).to.deep.equal(["hz-broker", "parcel-express", "pay-firm", PLATFORM]);
    const picture = await customs.client.customsCase(PLATFORM, orderNumber);
    expect(picture.documents.map((d) => d.record.owner).sort()).to.deep.equal(["hz-broker", "parcel-express", "pay-firm", PLATFORM]);
    const { decision: _d, ...caseNow } = picture.case;
    expect(caseNow).to.deep.equal(caseBefore);
    expect((await customs.client.customsCases({ limit: 500 })).cases.map((c) => c.orderNumber)).to.not.include("SO-PARTY-NONE");

    // The named parties are told of the decision and read it; the intruders are not and do not.
    for (const party of [platform, payer, carrier, broker])
      expect((await party.client.getRecord(`${customs.id}:decision-${orderNumber}`)).record.id).to.equal(`${customs.id}:decision-${orderNumber}`);
    for (const [org, own] of [
      [rogueCarrier, [0]],
      [rogueBroker, [1, 2]],
    ] as const) {
      const real = await viewOf(
        org,
        orderNumber,
        own.map((i) => onReal[i]!),
      );
      const none = await viewOf(
        org,
        "SO-PARTY-NONE",
        own.map((i) => onNone[i]!),
      );
      expect(real, `${org.id}: the real order against none`).to.deep.equal(none);
      expect((real as { matchResult: unknown }).matchResult).to.deep.include({ status: 404 });
      expect((real as { decision: unknown }).decision).to.deep.include({ status: 404 });
      expect((real as { told: unknown[] }).told).to.deep.equal([]);
    }
    // What customs receives by law: the lists addressed to it, though they are no part of the case.
    expect((await customs.client.getRecord(onReal[1]!)).record.body.buyer).to.deep.equal(BUYER);
  });

  it("documents that arrive before the order count once it names their publishers, and never otherwise", async function () {
    const orderNumber = "SO-PARTY-2";
    const [rogueWaybill] = await intrude(orderNumber);
    await payer.client.publish("Payment", payment({ orderNumber }));
    await broker.client.publish("CustomsDeclaration", declaration({ orderNumber }));
    await sleep(QUIET_MS);
    // Before the order nobody is a party: there is no result to read.
    for (const org of [platform, payer, broker, rogueCarrier]) expect(await refusal(org.client.getRecord(mrId(orderNumber)))).to.deep.include({ status: 404 });

    await platform.client.publish("Order", order({ orderNumber }));
    await carrier.client.publish("Waybill", parcelWaybill({ orderNumber }));
    const result = await matchResult(orderNumber, (b) => b.status !== "INCOMPLETE");
    const body = result.record.body as MatchResultBody;
    expect(body.status, JSON.stringify(body.discrepancies)).to.equal("MATCHED");
    expect(body.documents.map((d) => d.owner).sort()).to.deep.equal(["hz-broker", "parcel-express", "pay-firm", PLATFORM]);
    expect(body.documents.map((d) => d.recordId)).to.not.include(rogueWaybill);
    for (const party of [payer, broker, carrier]) expect((await party.client.getRecord(mrId(orderNumber))).record.version).to.equal(result.record.version);
    expect(await refusal(rogueCarrier.client.getRecord(mrId(orderNumber)))).to.deep.include({ status: 404 });
    expect(await refusal(rogueBroker.client.getRecord(mrId(orderNumber)))).to.deep.include({ status: 404 });
  });

  it("a new version of the order names a party after the fact, or stops naming one, who then reads nothing more", async function () {
    const orderNumber = "SO-PARTY-3";
    const unnamed = order({ orderNumber });
    delete unnamed.logisticsProvider;
    const { record: v1 } = await platform.client.publish("Order", unnamed);
    await payer.client.publish("Payment", payment({ orderNumber }));
    await broker.client.publish("CustomsDeclaration", declaration({ orderNumber }));
    const { record: ownWaybill } = await carrier.client.publish("Waybill", parcelWaybill({ orderNumber }));
    const { record: rogueWaybill } = await rogueCarrier.client.publish("Waybill", parcelWaybill({ orderNumber }));
    const incomplete = await matchResult(orderNumber, () => true);
    expect((incomplete.record.body as MatchResultBody).missing).to.deep.equal(["WAYBILL"]);
    for (const org of [carrier, rogueCarrier]) expect(await refusal(org.client.getRecord(mrId(orderNumber)))).to.deep.include({ status: 404 });

    // The platform names its carrier: the waybill already there counts.
    await platform.client.publish("Order", order({ orderNumber }), { id: v1.id, version: 2 });
    const named = await matchResult(orderNumber, (b) => b.status === "MATCHED");
    expect((named.record.body as MatchResultBody).documents.find((d) => d.kind === "WAYBILL")).to.include({ recordId: ownWaybill.id, owner: "parcel-express" });
    expect((await carrier.client.getRecord(mrId(orderNumber))).record.version).to.equal(named.record.version);
    const told = await waitFor("the carrier's notification", async () =>
      (await carrier.client.notifications()).notifications.find((n) => n.kind === "MATCH_RESULT" && n.recordId === mrId(orderNumber)),
    );
    expect(told.detail).to.include({ status: "MATCHED" });

    // It names another carrier instead: that one's earlier waybill counts, the first carrier is out.
    await platform.client.publish("Order", order({ orderNumber, logisticsProvider: "rogue-forwarding" }), { id: v1.id, version: 3 });
    const switched = await matchResult(orderNumber, (b, v) => v > named.record.version);
    expect((switched.record.body as MatchResultBody).documents.find((d) => d.kind === "WAYBILL")).to.include({
      recordId: rogueWaybill.id,
      owner: "rogue-forwarding",
    });
    expect(await refusal(carrier.client.getRecord(mrId(orderNumber)))).to.deep.include({ status: 404 });
    expect((await rogueCarrier.client.getRecord(mrId(orderNumber))).record.version).to.equal(switched.record.version);
  });

  it("an unnamed broker's export list is never released: no summary draft, and a summary of it is refused as for an unknown order", async function () {
    const exportFields = { supervisionMode: "9610" as const, direction: "EXPORT" as const, destinationCountry: "US", port: "CNHGH" };
    const list = (orderNumber: string, declarationNumber: string) => {
      const body = declaration({ orderNumber, declarationNumber, ...exportFields, declaredAt: "2026-11-21T10:00:00+08:00" });
      delete body.paymentTransactionNumber;
      return body;
    };
    const orderNumber = "SO-PARTY-EX";
    await platform.client.publish("Order", order({ orderNumber, ...exportFields, orderedAt: "2026-11-21T09:00:00+08:00" }));
    await carrier.client.publish("Waybill", parcelWaybill({ orderNumber }));
    const { record: realList } = await broker.client.publish("CustomsDeclaration", list(orderNumber, "EX-REAL"));
    const { record: rogueList } = await rogueBroker.client.publish("CustomsDeclaration", list(orderNumber, "EX-ROGUE"));
    const { record: noneList } = await rogueBroker.client.publish("CustomsDeclaration", list("SO-PARTY-EX-NONE", "EX-NONE"));
    const result = await matchResult(orderNumber, (b) => b.status === "MATCHED");
    expect((result.record.body as MatchResultBody).documents.map((d) => d.recordId))
      .to.include(realList.id)
      .and.not.include(rogueList.id);
    await customs.client.publish("CustomsDecision", {
      platform: PLATFORM,
      orderNumber,
      matchResult: { recordId: result.record.id, version: result.record.version },
      decision: "RELEASE",
      reasons: [],
      decidedAt: new Date().toISOString(),
    });
    const query = { mode: "9610" as const, customsOffice: OFFICE, from: "2026-11-21", to: "2026-11-21" };
    expect((await broker.client.summaryDraft(query)).body.lists.map((l) => l.recordId)).to.deep.equal([realList.id]);
    expect(await refusal(rogueBroker.client.summaryDraft(query))).to.deep.include({ status: 404 });

    // Summarising the list yourself: the same refusal as for the list of an order that does not exist.
    const summary = (l: typeof rogueList) => ({
      summaryNumber: `S-${l.id}`,
      customsOffice: OFFICE,
      supervisionMode: "9610" as const,
      period: { from: "2026-11-21", to: "2026-11-21" },
      lists: [{ recordId: l.id, version: 1, declarationNumber: (l.body as { declarationNumber: string }).declarationNumber }],
      lines: [
        { hsCode: "2106909090", destinationCountry: "US", currency: "CNY", quantity: 3, value: 265.5 },
        { hsCode: "3304990099", destinationCountry: "US", currency: "CNY", quantity: 2, value: 398 },
      ],
      totals: [{ currency: "CNY", value: 663.5 }],
    });
    const anonymise = (r: unknown, id: string) => JSON.parse(JSON.stringify(r).replaceAll(id, "<list>")) as unknown;
    const onReal = anonymise(await refusal(rogueBroker.client.publish("SummaryDeclaration", summary(rogueList))), rogueList.id);
    const onNone = anonymise(await refusal(rogueBroker.client.publish("SummaryDeclaration", summary(noneList))), noneList.id);
    expect(onReal).to.deep.equal(onNone);
    expect(onReal).to.deep.include({ status: 400 });
    expect(JSON.stringify(onReal)).to.include("summary-list").and.include("not released");
  });
});
