import { expect } from "chai";
import { verifyRecord } from "../../sdk/verify";
import { HubError } from "../../sdk/client";
import type { SignedRecord } from "../../sdk/envelope";
import type { CustomsCasePicture, StoredRecord } from "../../sdk/api";
import type { MatchResultBody } from "../../sdk/records/match-result";
import type { DocumentKind } from "../../sdk/records/customs-common";
import type { RecordBody, RecordType } from "../../sdk/records";
import { matchResultId } from "../../server/customs/cases";
import { BUYER, declaration, order, parcelWaybill, payment } from "../customs/fixtures";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  operatorClient,
  startHubProcess,
  startTestChain,
  waitFor,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

// Parties named as in test/customs/fixtures.ts, so the fixtures' bodies refer to them.
const PLATFORM = "shop-global";
const OFFICE = "hz-customs";
const DEADLINE_MS = 5_000;

const statusOf = (e: unknown) => (e instanceof HubError ? e.status : e);
const problemOf = (e: unknown) => (e instanceof HubError ? e.problem.type.split("/").pop() : String(e));

describe(`customs: the four-document match, decisions, statistics (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let platform: TestOrg;
  let payer: TestOrg;
  let carrier: TestOrg;
  let broker: TestOrg;
  let customs: TestOrg;
  let otherCustoms: TestOrg;
  let contracts: { participantRegistry: string; anchorRegistry: string };

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(
      hubEnv(chain, database.url, {
        CUSTOMS_DOCUMENT_DEADLINE_MS: String(DEADLINE_MS),
        CUSTOMS_MATCH_POLL_MS: "50",
        CUSTOMS_MATCH_SETTLE_MS: "1000",
      }),
    );
    [platform, payer, carrier, broker, customs, otherCustoms] = await Promise.all([
      admit(hub.url, PLATFORM, ["PLATFORM"]),
      admit(hub.url, "pay-firm", ["PAYMENT"]),
      admit(hub.url, "parcel-express", ["FORWARDER"]),
      admit(hub.url, "hz-broker", ["BROKER"]),
      admit(hub.url, OFFICE, ["CUSTOMS"]),
      admit(hub.url, "sh-customs", ["CUSTOMS"]),
    ]);
    contracts = { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry };
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  /** Publishes one document of `orderNumber` by the party that owns its kind; returns the signed record. */
  async function publishDoc(
    kind: DocumentKind,
    orderNumber: string,
    over: Record<string, unknown> = {},
    opts: { id?: string; version?: number } = {},
  ): Promise<SignedRecord> {
    const [org, type, body] = docOf(kind, orderNumber, over);
    return (await org.client.publish(type, body as RecordBody<typeof type>, opts)).record;
  }

  function docOf(kind: DocumentKind, orderNumber: string, changes: Record<string, unknown>): [TestOrg, RecordType, unknown] {
    // An undefined value leaves the field out.
    const over = { orderNumber, ...changes };
    const strip = <T extends object>(body: T): T => Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as T;
    if (kind === "ORDER") return [platform, "Order", strip(order(over))];
    if (kind === "PAYMENT") return [payer, "Payment", strip(payment(over))];
    if (kind === "WAYBILL") return [carrier, "Waybill", strip(parcelWaybill(over))];
    return [broker, "CustomsDeclaration", strip(declaration(over))];
  }

  /** The case's MatchResult (latest version) once `accept` holds for it, as the platform reads it. */
  async function matchResult(orderNumber: string, accept: (b: MatchResultBody, version: number) => boolean, reader = platform): Promise<StoredRecord> {
    return waitFor(`the match result of ${orderNumber}`, async () => {
      const stored = await reader.client.getRecord(matchResultId(PLATFORM, orderNumber));
      return accept(stored.record.body as MatchResultBody, stored.record.version) ? stored : undefined;
    });
  }

  /** The consolidated picture once every record in it is anchored and verified. */
  async function verifiedPicture(orderNumber: string): Promise<CustomsCasePicture> {
    return waitFor(
      `the verified picture of ${orderNumber}`,
      async () => {
        const p = await customs.client.customsCase(PLATFORM, orderNumber);
        const all = [...p.documents, p.matchResult, p.decision].filter((r) => r !== undefined);
        return all.every((r) => r.verification !== undefined) ? p : undefined;
      },
      30_000,
    );
  }

  const matchedOrders: string[] = [];

  it("the four documents of a 1210 import, in several orders of arrival, give one MATCHED result", async function () {
    const arrivals: DocumentKind[][] = [
      ["ORDER", "PAYMENT", "WAYBILL", "DECLARATION"],
      ["DECLARATION", "WAYBILL", "PAYMENT", "ORDER"],
      ["PAYMENT", "DECLARATION", "ORDER", "WAYBILL"],
      ["WAYBILL", "ORDER", "DECLARATION", "PAYMENT"],
    ];
    await Promise.all(
      arrivals.map(async (kinds, i) => {
        const orderNumber = `SO-ARRIVAL-${i}`;
        const published: SignedRecord[] = [];
        for (const kind of kinds) published.push(await publishDoc(kind, orderNumber));
        const result = await matchResult(orderNumber, (b) => b.status !== "INCOMPLETE");
        const body = result.record.body as MatchResultBody;
        expect(body.status, JSON.stringify(body.discrepancies)).to.equal("MATCHED");
        // Published together (within the settle time): one match, not one per arrival.
        expect(result.record.version).to.equal(1);
        expect(result.record.owner).to.equal("operator");
        expect(body.missing).to.deep.equal([]);
        expect(body.documents.map((d) => d.digest).sort()).to.deep.equal(published.map((r) => r.digest).sort());
        expect(Object.fromEntries(body.documents.map((d) => [d.kind, d.owner]))).to.deep.equal({
          ORDER: PLATFORM,
          PAYMENT: "pay-firm",
          WAYBILL: "parcel-express",
          DECLARATION: "hz-broker",
        });
        matchedOrders.push(orderNumber);
      }),
    );
  });

  it("the four parties publishing the same moment open one case between them", async function () {
    const orderNumbers = ["SO-RACE-1", "SO-RACE-2", "SO-RACE-3"];
    await Promise.all(orderNumbers.flatMap((n) => (["ORDER", "PAYMENT", "WAYBILL", "DECLARATION"] as const).map((kind) => publishDoc(kind, n))));
    for (const n of orderNumbers) {
      const result = await matchResult(n, (b) => b.status !== "INCOMPLETE");
      expect((result.record.body as MatchResultBody).status).to.equal("MATCHED");
      expect((result.record.body as MatchResultBody).documents).to.have.length(4);
      matchedOrders.push(n);
    }
  });

  it("one document missing: INCOMPLETE naming it, OVERDUE after the deadline, MATCHED once it arrives", async function () {
    const orderNumber = "SO-MISSING";
    for (const kind of ["ORDER", "PAYMENT", "WAYBILL"] as const) await publishDoc(kind, orderNumber);
    const incomplete = await matchResult(orderNumber, () => true);
    expect((incomplete.record.body as MatchResultBody).status).to.equal("INCOMPLETE");
    expect((incomplete.record.body as MatchResultBody).missing).to.deep.equal(["DECLARATION"]);
    const overdue = await matchResult(orderNumber, (b) => b.status === "OVERDUE", platform);
    expect(overdue.record.version).to.equal(incomplete.record.version + 1);
    expect((overdue.record.body as MatchResultBody).missing).to.deep.equal(["DECLARATION"]);
    const queue = await customs.client.customsCases({ status: "OVERDUE" });
    expect(queue.cases.map((c) => c.orderNumber)).to.include(orderNumber);

    await publishDoc("DECLARATION", orderNumber);
    const matched = await matchResult(orderNumber, (b) => b.status === "MATCHED");
    expect(matched.record.version).to.equal(overdue.record.version + 1);
    matchedOrders.push(orderNumber);
  });

  it("a discrepancy (the payment's amount) is named by field, and a corrected version clears it", async function () {
    const orderNumber = "SO-AMOUNT";
    await publishDoc("ORDER", orderNumber);
    await publishDoc("WAYBILL", orderNumber);
    await publishDoc("DECLARATION", orderNumber);
    const wrong = await publishDoc("PAYMENT", orderNumber, { amount: 733.8 });
    const found = await matchResult(orderNumber, (b) => b.status !== "INCOMPLETE");
    const body = found.record.body as MatchResultBody;
    expect(body.status).to.equal("DISCREPANCIES");
    expect(body.discrepancies).to.have.length(1);
    expect(body.discrepancies[0]).to.include({ code: "amount", field: "amount", expected: "735.7", found: "733.8" });
    expect(body.discrepancies[0]!.documents).to.have.members(["ORDER", "PAYMENT"]);
    const queued = await customs.client.customsCases({ status: "DISCREPANCIES" });
    expect(queued.cases.find((c) => c.orderNumber === orderNumber)?.discrepancyCount).to.equal(1);

    await publishDoc("PAYMENT", orderNumber, {}, { id: wrong.id, version: 2 });
    const cleared = await matchResult(orderNumber, (b) => b.status !== "DISCREPANCIES");
    const clearedBody = cleared.record.body as MatchResultBody;
    expect(clearedBody.status).to.equal("MATCHED");
    expect(cleared.record.version).to.equal(found.record.version + 1);
    expect(clearedBody.documents.find((d) => d.kind === "PAYMENT")).to.include({ recordId: wrong.id, version: 2 });
    matchedOrders.push(orderNumber);
  });

  it("the retail import tax and the positive list: a wrong tax names the lines, goods off the list are named, the corrected order is MATCHED", async function () {
    // The tax at the old flat 9.1% of the goods, where the rule gives 62.2 (VAT 13% of goods and freight, at 70%).
    const wrongTax = { tax: 60.38, total: 733.88 };
    const taxed: Partial<Record<DocumentKind, SignedRecord>> = {};
    for (const kind of ["ORDER", "PAYMENT", "WAYBILL", "DECLARATION"] as const)
      taxed[kind] = await publishDoc(kind, "SO-TAX", kind === "PAYMENT" ? { amount: wrongTax.total } : kind === "WAYBILL" ? {} : wrongTax);
    // A carton of cigarettes among the goods: not on the positive list.
    const cigarettes = { lineNo: 3, hsCode: "2402200000", description: "Cigarettes", quantity: 1, unit: "PCE", unitPrice: 10, value: 10, originCountry: "KR" };
    const offList = { lines: [...order().lines, cigarettes], goodsValue: 673.5, total: 745.7 };
    const listed: Partial<Record<DocumentKind, SignedRecord>> = {};
    for (const kind of ["ORDER", "PAYMENT", "WAYBILL", "DECLARATION"] as const)
      listed[kind] = await publishDoc(kind, "SO-POSITIVE", kind === "PAYMENT" ? { amount: 745.7 } : kind === "WAYBILL" ? {} : offList);

    const tax = (await matchResult("SO-TAX", (b) => b.status !== "INCOMPLETE")).record.body as MatchResultBody;
    expect(tax.status).to.equal("DISCREPANCIES");
    expect(tax.discrepancies.map((d) => [d.code, d.field])).to.deep.equal([["tax", "tax"]]);
    expect(tax.discrepancies[0]).to.include({
      expected: "62.2 CNY (line 1 HS 3304990099: 37.31 CNY; line 2 HS 2106909090: 24.89 CNY)",
      found: "60.38 CNY",
    });
    expect(tax.discrepancies[0]!.documents).to.deep.equal(["ORDER"]);
    expect(tax.discrepancies[0]!.message).to.include("line 1 HS 3304990099: 37.31 CNY").and.include("70%");

    const positive = (await matchResult("SO-POSITIVE", (b) => b.status !== "INCOMPLETE")).record.body as MatchResultBody;
    expect(positive.status).to.equal("DISCREPANCIES");
    expect(positive.discrepancies.map((d) => [d.code, d.field, d.found])).to.deep.equal([["positive-list", "lines.2.hsCode", "2402200000"]]);

    // Corrected versions (the sample's consistent bodies) clear both.
    for (const [orderNumber, records] of [
      ["SO-TAX", taxed],
      ["SO-POSITIVE", listed],
    ] as const)
      for (const kind of ["ORDER", "PAYMENT", "DECLARATION"] as const) await publishDoc(kind, orderNumber, {}, { id: records[kind]!.id, version: 2 });
    for (const orderNumber of ["SO-TAX", "SO-POSITIVE"]) {
      const cleared = (await matchResult(orderNumber, (b) => b.status !== "DISCREPANCIES")).record.body as MatchResultBody;
      expect(cleared.status, `${orderNumber}: ${JSON.stringify(cleared.discrepancies)}`).to.equal("MATCHED");
      matchedOrders.push(orderNumber);
    }
  });

  it("customs' queue: filtered by status, mode, port and period, keyset-paginated", async function () {
    // A 9610 import (three documents) through another port, a month later.
    const orderNumber = "SO-9610";
    const at = { port: "CNNGB", supervisionMode: "9610" };
    await publishDoc("ORDER", orderNumber, { ...at, orderedAt: "2026-12-01T10:00:00+08:00" });
    await publishDoc("PAYMENT", orderNumber);
    await publishDoc("WAYBILL", orderNumber);
    await matchResult(orderNumber, (b) => b.status === "MATCHED");

    const byMode = await customs.client.customsCases({ mode: "9610" });
    expect(byMode.cases.map((c) => c.orderNumber)).to.deep.equal([orderNumber]);
    expect(byMode.cases[0]).to.include({ status: "MATCHED", port: "CNNGB", supervisionMode: "9610", direction: "IMPORT", customsOffice: OFFICE });
    expect((await customs.client.customsCases({ port: "CNNGB" })).cases.map((c) => c.orderNumber)).to.deep.equal([orderNumber]);
    expect((await customs.client.customsCases({ from: "2026-12-01" })).cases.map((c) => c.orderNumber)).to.deep.equal([orderNumber]);
    const november = await customs.client.customsCases({ from: "2026-11-01", to: "2026-11-30", limit: 500 });
    expect(november.cases.map((c) => c.orderNumber)).to.not.include(orderNumber);
    expect(november.cases.map((c) => c.orderNumber)).to.include.members(matchedOrders);
    const matched = await customs.client.customsCases({ status: "MATCHED", mode: "1210" });
    expect(matched.cases.every((c) => c.status === "MATCHED" && c.supervisionMode === "1210")).to.equal(true);
    expect(matched.cases.map((c) => c.orderNumber)).to.have.members(matchedOrders);

    // Pages of two: the same cases, in the same order, none twice.
    const all = await customs.client.customsCases({ limit: 500 });
    const paged: string[] = [];
    let after: string | undefined;
    do {
      const page = await customs.client.customsCases({ limit: 2, ...(after ? { after } : {}) });
      expect(page.cases.length).to.be.at.most(2);
      paged.push(...page.cases.map((c) => c.id));
      after = page.next;
    } while (after);
    expect(paged).to.deep.equal(all.cases.map((c) => c.id));
    expect(paged.length).to.be.greaterThan(4);
    const bad = await customs.client.customsCases({ status: "LOST" as "MATCHED" }).catch((e: unknown) => e);
    expect(statusOf(bad)).to.equal(400);
  });

  it("the consolidated picture: every document, the match result and the decision verify against the chain", async function () {
    const orderNumber = matchedOrders[0]!;
    const picture = await verifiedPicture(orderNumber);
    expect(picture.case).to.include({ status: "MATCHED", customsOffice: OFFICE, platform: PLATFORM, orderNumber });
    expect(picture.documents.map((d) => d.kind).sort()).to.deep.equal(["DECLARATION", "ORDER", "PAYMENT", "WAYBILL"]);
    for (const d of [...picture.documents, picture.matchResult!]) {
      expect(d.anchor.status).to.equal("ANCHORED");
      expect(d.verification!.valid, JSON.stringify(d.verification)).to.equal(true);
      // The hub's verdict is the SDK's: check one ourselves.
      const ours = await verifyRecord({ record: d.record, proof: d.proof!, chain: { provider: chain.provider }, contracts });
      expect(ours.valid).to.equal(true);
    }
    // Customs sees the personal fields.
    expect(picture.documents.find((d) => d.kind === "ORDER")!.record.body.buyer).to.deep.equal(BUYER);
    expect(picture.documents.find((d) => d.kind === "PAYMENT")!.record.body.payer).to.deep.equal(BUYER);
    expect(picture.matchResult!.record.id).to.equal(matchResultId(PLATFORM, orderNumber));
  });

  it("customs' decision reaches the platform, the payment firm and the carrier, and each can read it", async function () {
    const orderNumber = matchedOrders[1]!;
    const picture = await customs.client.customsCase(PLATFORM, orderNumber);
    const mr = picture.case.matchResult!;
    const { record: decision } = await customs.client.publish("CustomsDecision", {
      platform: PLATFORM,
      orderNumber,
      matchResult: { recordId: mr.recordId, version: mr.version },
      decision: "INSPECT",
      reasons: [{ code: "RISK-7", text: "Random inspection" }],
      decidedAt: new Date().toISOString(),
    });
    for (const party of [platform, payer, carrier, broker]) {
      const feed = await party.client.notifications();
      const told = feed.notifications.find((n) => n.kind === "CUSTOMS_DECISION" && n.recordId === decision.id);
      expect(told, `${party.id} was not told`).to.not.equal(undefined);
      expect(told!.detail).to.include({ decision: "INSPECT", orderNumber });
      expect(feed.notifications.some((n) => n.kind === "MATCH_RESULT" && n.recordId === mr.recordId)).to.equal(true);
      const read = await party.client.getRecord(decision.id);
      expect(read.record.digest).to.equal(decision.digest);
    }
    const after = await customs.client.customsCase(PLATFORM, orderNumber);
    expect(after.case.decision).to.include({ decision: "INSPECT", recordId: decision.id, version: 1 });
    expect(after.decision!.record.digest).to.equal(decision.digest);
  });

  it("no party sees another's buyer or payer; customs does; the redacted forms verify", async function () {
    const orderNumber = matchedOrders[2]!;
    const picture = await verifiedPicture(orderNumber);
    const doc = (kind: DocumentKind) => picture.documents.find((d) => d.kind === kind)!;
    // The parties share documents with each other as they need to (the carrier needs the order).
    await platform.client.grant(doc("ORDER").record.id, carrier.id);
    await payer.client.grant(doc("PAYMENT").record.id, platform.id);
    await broker.client.grant(doc("DECLARATION").record.id, payer.id);
    const reads: [TestOrg, DocumentKind, string][] = [
      [carrier, "ORDER", "buyer"],
      [platform, "PAYMENT", "payer"],
      [payer, "DECLARATION", "buyer"],
    ];
    for (const [reader, kind, field] of reads) {
      const seen = await reader.client.getRecord(doc(kind).record.id);
      expect(seen.record.body, `${reader.id} reading the ${kind}`).to.not.have.property(field);
      expect(seen.record.hidden).to.have.property(field);
      // (The consignee, who is also the buyer here, is no personal field: the carrier delivers to them.)
      expect(JSON.stringify(seen)).to.not.include(BUYER.idNumber);
      const proof = await reader.client.getProof(doc(kind).record.id);
      const verdict = await verifyRecord({ record: seen.record, proof, chain: { provider: chain.provider }, contracts });
      expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
      // Customs reads the same record whole.
      expect((await customs.client.getRecord(doc(kind).record.id)).record.body).to.have.property(field);
    }
    // What every party reads about the case carries no personal data either.
    for (const party of [platform, payer, carrier, broker]) {
      const mr = await party.client.getRecord(picture.matchResult!.record.id);
      expect(JSON.stringify(mr)).to.not.include(BUYER.idNumber).and.not.include(BUYER.name);
    }
  });

  it("a case of another office: 404 for its picture and for a decision on it; the queue is customs' only", async function () {
    const orderNumber = matchedOrders[0]!;
    const mr = (await customs.client.customsCase(PLATFORM, orderNumber)).case.matchResult!;
    expect(statusOf(await otherCustoms.client.customsCase(PLATFORM, orderNumber).catch((e: unknown) => e))).to.equal(404);
    expect(statusOf(await customs.client.customsCase(PLATFORM, "SO-NO-SUCH").catch((e: unknown) => e))).to.equal(404);
    expect((await otherCustoms.client.customsCases()).cases).to.deep.equal([]);
    const decision = {
      platform: PLATFORM,
      orderNumber,
      matchResult: { recordId: mr.recordId, version: mr.version },
      decision: "RELEASE" as const,
      reasons: [],
      decidedAt: new Date().toISOString(),
    };
    const foreign = await otherCustoms.client.publish("CustomsDecision", decision).catch((e: unknown) => e);
    expect(statusOf(foreign)).to.equal(404);
    // A non-customs organisation cannot decide either: it holds no customs office credential, which
    // is refused whatever the case (so the answer tells nothing about it).
    const byPlatform = await platform.client.publish("CustomsDecision", decision).catch((e: unknown) => e);
    expect([statusOf(byPlatform), problemOf(byPlatform)]).to.deep.equal([403, "authority-missing"]);
    const byPlatformOnNone = await platform.client.publish("CustomsDecision", { ...decision, orderNumber: "SO-NO-SUCH" }).catch((e: unknown) => e);
    expect([statusOf(byPlatformOnNone), problemOf(byPlatformOnNone)]).to.deep.equal([403, "authority-missing"]);
    // A decision on a match result version that does not exist yet is refused.
    const ahead = await customs.client
      .publish("CustomsDecision", { ...decision, matchResult: { recordId: mr.recordId, version: mr.version + 5 } })
      .catch((e: unknown) => e);
    expect(statusOf(ahead)).to.equal(400);
    expect(problemOf(ahead)).to.equal("invalid-decision");

    for (const org of [platform, payer, carrier]) {
      const err = await org.client.customsCases().catch((e: unknown) => e);
      expect(statusOf(err)).to.equal(403);
      expect(problemOf(err)).to.equal("role-required");
    }
    expect(statusOf(await carrier.client.customsStatistics().catch((e: unknown) => e))).to.equal(403);
  });

  it("who may publish what: a payment by a platform-only organisation, an order to a non-customs office, a hub record id", async function () {
    // (The credential check, sdk/authority, answers before the customs role check.)
    const byPlatform = await platform.client.publish("Payment", payment({ orderNumber: "SO-DENIED" })).catch((e: unknown) => e);
    expect(statusOf(byPlatform)).to.equal(403);
    expect(problemOf(byPlatform)).to.equal("authority-missing");
    const toCarrier = await platform.client.publish("Order", order({ orderNumber: "SO-DENIED", customsOffice: "parcel-express" })).catch((e: unknown) => e);
    expect(statusOf(toCarrier)).to.equal(400);
    expect(problemOf(toCarrier)).to.equal("unknown-customs-office");
    const squat = await platform.client
      .publish("Order", order({ orderNumber: "SO-DENIED" }), { id: matchResultId(PLATFORM, "SO-DENIED") })
      .catch((e: unknown) => e);
    expect(statusOf(squat)).to.equal(403);
    // Nothing of it was stored: no case exists.
    expect((await customs.client.customsCases({ limit: 500 })).cases.map((c) => c.orderNumber)).to.not.include("SO-DENIED");
  });

  it("a match result's id answers the same whether its case exists or not (no existence oracle)", async function () {
    const existing = matchResultId(PLATFORM, matchedOrders[0]!);
    expect((await platform.client.getRecord(existing)).record.type).to.equal("MatchResult");
    const answers = await Promise.all(
      [existing, matchResultId(PLATFORM, "SO-NEVER-SEEN")].map((id) =>
        platform.client.publish("Order", order({ orderNumber: "SO-PROBE" }), { id }).catch((e: unknown) => e),
      ),
    );
    for (const a of answers) expect(statusOf(a)).to.equal(403);
    const [taken, free] = answers.map((a) => (a as HubError).problem);
    expect(taken).to.deep.equal(free);
    expect(problemOf(answers[0])).to.equal("reserved-record-id");
  });

  it("statistics by mode and HS chapter, per month and quarter; the operator sees every office", async function () {
    // One case at another office, so the operator's figures differ from this office's.
    await publishDoc("ORDER", "SO-SH", { customsOffice: "sh-customs" });
    await waitFor("the Shanghai case", async () => ((await otherCustoms.client.customsCases()).cases.length === 1 ? true : undefined));

    const queue = (await customs.client.customsCases({ limit: 500 })).cases;
    const n1210 = queue.filter((c) => c.supervisionMode === "1210").length;
    const stats = await customs.client.customsStatistics({ groupBy: ["mode", "hsChapter"], period: "month" });
    const row = (period: string, mode: string, hsChapter: string) =>
      stats.rows.find((r) => r.period === period && r.mode === mode && r.hsChapter === hsChapter);
    // Every 1210 case has a face cream line (chapter 33: 2 x 199 CNY) and a gummies line (chapter 21: 3 x 88.5).
    expect(row("2026-11", "1210", "33")).to.deep.equal({
      period: "2026-11",
      mode: "1210",
      hsChapter: "33",
      currency: "CNY",
      cases: n1210,
      lines: n1210,
      quantity: 2 * n1210,
      value: 398 * n1210,
    });
    expect(row("2026-11", "1210", "21")).to.include({ cases: n1210, quantity: 3 * n1210, value: 265.5 * n1210 });
    expect(row("2026-12", "9610", "33")).to.include({ cases: 1, lines: 1, value: 398 });
    expect(stats.rows.every((r) => r.mode !== undefined && r.hsChapter !== undefined && r.currency === "CNY")).to.equal(true);

    const quarters = await customs.client.customsStatistics({ groupBy: ["mode"], period: "quarter" });
    expect(quarters.rows.find((r) => r.mode === "1210")).to.include({ period: "2026-Q4", cases: n1210, lines: 2 * n1210 });
    const byOffice = await operatorClient(hub.url).customsStatistics({ groupBy: ["office"], period: "month", from: "2026-11-01", to: "2026-11-30" });
    expect(byOffice.rows.find((r) => r.office === OFFICE)).to.include({ cases: n1210 });
    expect(byOffice.rows.find((r) => r.office === "sh-customs")).to.include({ cases: 1, lines: 2 });
    const own = await customs.client.customsStatistics({ groupBy: ["office"] });
    expect(own.rows.map((r) => r.office)).to.not.include("sh-customs");
    const bad = await customs.client.customsStatistics({ groupBy: ["colour"] as never }).catch((e: unknown) => e);
    expect(statusOf(bad)).to.equal(400);
  });

  it("a 9610 export: released lists summarised once in a SummaryDeclaration the broker drafts, signs and publishes", async function () {
    const orderNumber = "SO-EXPORT-1";
    const exportFields = { supervisionMode: "9610", direction: "EXPORT", destinationCountry: "US", port: "CNHGH" };
    await publishDoc("ORDER", orderNumber, { ...exportFields, orderedAt: "2026-11-20T09:00:00+08:00" });
    await publishDoc("WAYBILL", orderNumber, { consignee: { name: "Zhang San", address: "No. 18 Wensan Road, Xihu District, Hangzhou", country: "CN" } });
    const list = await publishDoc("DECLARATION", orderNumber, {
      ...exportFields,
      declaredAt: "2026-11-20T10:00:00+08:00",
      paymentTransactionNumber: undefined,
    });
    const result = await matchResult(orderNumber, (b) => b.status !== "INCOMPLETE");
    const query = { mode: "9610" as const, customsOffice: OFFICE, from: "2026-11-01", to: "2026-11-30" };
    // Not released yet: nothing to summarise.
    expect(statusOf(await broker.client.summaryDraft(query).catch((e: unknown) => e))).to.equal(404);

    await customs.client.publish("CustomsDecision", {
      platform: PLATFORM,
      orderNumber,
      matchResult: { recordId: result.record.id, version: result.record.version },
      decision: "RELEASE",
      reasons: [],
      decidedAt: new Date().toISOString(),
    });
    const draft = await broker.client.summaryDraft(query);
    expect(draft.lists).to.equal(1);
    expect(draft.body.lists).to.deep.equal([
      { recordId: list.id, version: 1, declarationNumber: (list.body as { declarationNumber: string }).declarationNumber },
    ]);
    expect(draft.body.totals).to.deep.equal([{ currency: "CNY", value: 663.5 }]);
    expect(draft.body.lines.map((l) => [l.hsCode, l.destinationCountry, l.quantity])).to.deep.equal([
      ["2106909090", "US", 3],
      ["3304990099", "US", 2],
    ]);
    // Lines that are not the lists' are refused, naming the field.
    const tampered = await broker.client
      .publish("SummaryDeclaration", { ...draft.body, lines: draft.body.lines.map((l) => ({ ...l, quantity: l.quantity + 1 })) })
      .catch((e: unknown) => e);
    expect(statusOf(tampered)).to.equal(400);
    expect(problemOf(tampered)).to.equal("summary-lines");
    // Someone else's list is refused as if it did not exist.
    const notMine = await platform.client.publish("SummaryDeclaration", draft.body).catch((e: unknown) => e);
    expect(problemOf(notMine)).to.equal("summary-list");

    const { record: summary } = await broker.client.publish("SummaryDeclaration", draft.body);
    const feed = await customs.client.notifications();
    expect(feed.notifications.some((n) => n.kind === "SUMMARY_DECLARATION" && n.recordId === summary.id)).to.equal(true);
    expect((await customs.client.getRecord(summary.id)).record.digest).to.equal(summary.digest);
    // A list is summarised once.
    const again = await broker.client.publish("SummaryDeclaration", { ...draft.body, summaryNumber: "S-AGAIN" }).catch((e: unknown) => e);
    expect(statusOf(again)).to.equal(409);
    expect(problemOf(again)).to.equal("list-already-summarised");
    expect(statusOf(await broker.client.summaryDraft(query).catch((e: unknown) => e))).to.equal(404);
  });
});
