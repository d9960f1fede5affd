// The e-port's import messages on a real hub process, chain and database (issue 19.1): each
// publisher converts its CEB message with the hub's directory and signs the records through the
// SDK; the hub matches them as any case; each publisher reads its document's receipt (CEB312, 412,
// 512, 622) in the message's codes, with the status of the match and of customs' decision.
import { expect } from "chai";
import { CebMessageError, readCebReceipt } from "../../sdk/ceb";
import { HubError } from "../../sdk/client";
import type { MatchResultBody } from "../../sdk/records/match-result";
import { matchResultId } from "../../server/customs/cases";
import { CODES, DIRECTORY, LIST_CONTEXT, ORDER_CONTEXT, WAYBILL_CONTEXT, ceb311, ceb411, ceb511, ceb621 } from "../ceb/fixtures";
import { admit, freshDatabase, hubEnv, isPostgres, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain, type TestOrg } from "./harness";

const PLATFORM = "shop-global";
const ORDER_NUMBER = "SO-2026-000123";

describe(`customs: the e-port's import messages and their receipts (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let platform: TestOrg, payer: TestOrg, carrier: TestOrg, broker: TestOrg, customs: TestOrg;
  const ids: Record<string, string> = {};

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(
      hubEnv(chain, database.url, { CUSTOMS_MATCH_POLL_MS: "50", CUSTOMS_MATCH_SETTLE_MS: "200", CUSTOMS_CEB_DIRECTORY: JSON.stringify(DIRECTORY) }),
    );
    [platform, payer, carrier, broker, customs] = await Promise.all([
      admit(hub.url, PLATFORM, ["PLATFORM"]),
      admit(hub.url, "pay-firm", ["PAYMENT"]),
      admit(hub.url, "parcel-express", ["FORWARDER"]),
      admit(hub.url, "hz-broker", ["BROKER"]),
      admit(hub.url, "hz-customs", ["CUSTOMS"]),
    ]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  const matchResult = (accept: (b: MatchResultBody, version: number) => boolean) =>
    waitFor("the match result", async () => {
      const stored = await platform.client.getRecord(matchResultId(PLATFORM, ORDER_NUMBER)).catch(() => undefined);
      return stored && accept(stored.record.body as MatchResultBody, stored.record.version) ? stored : undefined;
    });

  /** The receipt's one return as a plain object. */
  const receipt = async (org: TestOrg, recordId: string): Promise<Record<string, string>> => {
    const read = readCebReceipt(await org.client.cebReceipt(recordId));
    return { type: read.type, guid: read.guid, ...Object.fromEntries(read.returns[0]!.values) };
  };

  it("the directory is served to members, as the operator configured it", async function () {
    expect(await payer.client.cebDirectory()).to.deep.equal(DIRECTORY);
  });

  it("the four messages, each published by its sender through the SDK, make a case that matches as any other", async function () {
    const order = ceb311();
    const orderGuid = /<guid>([^<]+)<\/guid>/.exec(order)![1]!;
    const published = {
      Order: await platform.client.publishCebMessage(order, ORDER_CONTEXT),
      Payment: await payer.client.publishCebMessage(ceb411()),
      Waybill: await carrier.client.publishCebMessage(ceb511(), WAYBILL_CONTEXT),
      CustomsDeclaration: await broker.client.publishCebMessage(ceb621(), LIST_CONTEXT),
    };
    for (const [type, records] of Object.entries(published)) {
      expect(records.map((r) => r.version)).to.deep.equal([1]);
      ids[type] = records[0]!.id;
    }
    const stored = await matchResult((b) => b.status !== "INCOMPLETE");
    const body = stored.record.body as MatchResultBody;
    expect([body.status, body.discrepancies]).to.deep.equal(["MATCHED", []]);
    // The receipt of the order: its guid the head's, in the message's codes, entered (120).
    const r = await receipt(platform, ids.Order!);
    expect(r).to.include({ type: "CEB312", guid: orderGuid, ebpCode: CODES.platform, ebcCode: CODES.seller, orderNo: ORDER_NUMBER, returnStatus: "120" });
    expect(r.returnTime).to.match(/^\d{17}$/);
  });

  it("customs' decision reaches the receipts: the list's is released (800), the order's stays entered (120)", async function () {
    const mr = await matchResult(() => true);
    await customs.client.publish("CustomsDecision", {
      platform: PLATFORM,
      orderNumber: ORDER_NUMBER,
      matchResult: { recordId: mr.record.id, version: mr.record.version },
      decision: "RELEASE",
      reasons: [{ code: "OK", text: "Released" }],
      decidedAt: new Date().toISOString(),
    });
    const list = await waitFor("the released list's receipt", async () => {
      const r = await receipt(broker, ids.CustomsDeclaration!);
      return r.returnStatus === "800" ? r : undefined;
    });
    expect(list).to.include({ type: "CEB622", customsCode: CODES.customsArea, agentCode: CODES.broker, copNo: "HZB-2026-000123" });
    expect(list.preNo).to.match(/^B20261111\d{9}$/);
    expect(list.returnInfo).to.contain("OK Released");
    expect(await receipt(payer, ids.Payment!)).to.include({
      type: "CEB412",
      payCode: CODES.payFirm,
      payTransactionId: "PAY-20261111-778899",
      returnStatus: "120",
    });
    expect(await receipt(carrier, ids.Waybill!)).to.include({
      type: "CEB512",
      logisticsCode: CODES.carrier,
      logisticsNo: "PE7788990011CN",
      returnStatus: "120",
    });
    expect((await receipt(platform, ids.Order!)).returnStatus).to.equal("120");
  });

  it("a receipt is its publisher's only: anyone else gets the 404 of a document that does not exist", async function () {
    const problemOf = async (org: TestOrg, id: string) => {
      const e = await org.client.cebReceipt(id).catch((err: unknown) => err);
      expect(e).to.be.instanceOf(HubError);
      const { status, problem } = e as HubError;
      return { status, type: problem.type, title: problem.title, detail: problem.detail };
    };
    const other = await problemOf(carrier, ids.Order!);
    expect(other.status).to.equal(404);
    expect(other).to.deep.equal(await problemOf(carrier, "shop-global:ceb-order:NO-SUCH-ORDER"));
    // Customs too: it reads the case, not the platform's receipts.
    expect((await problemOf(customs, ids.CustomsDeclaration!)).status).to.equal(404);
    // The platform's access log shows the attempt on its document.
    const res = await fetch(`${hub.url}/v1/access-log?recordId=${encodeURIComponent(ids.Order!)}`, {
      headers: { authorization: `Bearer ${await platform.client.accessToken()}` },
    });
    const log = (await res.json()) as { entries: { actor: string; action: string; detail: string }[] };
    expect(log.entries.some((e) => e.actor === "parcel-express" && e.action === "DENY" && e.detail === "customs receipt")).to.equal(true);
  });

  it("a change (appType 2) is the record's next version; the first declaration of a record already held is refused", async function () {
    const change = ceb411({ over: { appType: "2", payTime: "20261111000700" } });
    const [p] = await payer.client.publishCebMessage(change);
    expect([p!.id, p!.version]).to.deep.equal([ids.Payment, 2]);
    const again = await payer.client.publishCebMessage(ceb411()).catch((e: unknown) => e);
    expect(again).to.be.instanceOf(HubError);
    expect((again as HubError).status).to.equal(409);
    // A change of a record the hub does not hold is refused before anything is sent.
    const none = await payer.client.publishCebMessage(ceb411({ over: { appType: "2", payTransactionId: "PAY-NONE" } })).catch((e: unknown) => e);
    expect(none).to.be.instanceOf(CebMessageError);
  });

  it("a message naming another enterprise as its sender is refused before anything is sent, naming the element", async function () {
    const e = await payer.client.publishCebMessage(ceb311({ copCode: CODES.payFirm }), ORDER_CONTEXT).catch((err: unknown) => err);
    expect(e).to.be.instanceOf(CebMessageError);
    expect((e as CebMessageError).path).to.match(/OrderHead\/ebpCode$/);
  });

  it("a document published as plain JSON has no e-port receipt: its publisher is told so (409)", async function () {
    const published = await payer.client.publish("Payment", {
      transactionNumber: "PAY-JSON-1",
      platform: PLATFORM,
      orderNumber: "SO-JSON-1",
      payer: { name: "Zhang San", idType: "ID_CARD", idNumber: "11010519491231002X" },
      amount: 10,
      currency: "CNY",
      paidAt: "2026-11-11T00:06:10+08:00",
    });
    const e = await payer.client.cebReceipt(published.record.id).catch((err: unknown) => err);
    expect([(e as HubError).status, (e as HubError).problem.type]).to.deep.equal([409, "https://cargoproof.dev/problems/no-eport-message"]);
  });
});
