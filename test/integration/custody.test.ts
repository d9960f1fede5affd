// Countersigned custody handovers over real HTTP, a real chain and database (docs/custody.md): a
// handover countersigned, one refused with a counted discrepancy, one never countersigned; what the
// receiver and an outsider see; the refusals of bad receipts; the custody chain at a time; and the
// three verified with the hub stopped, a forged countersignature failing.
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { HubError } from "../../sdk/client";
import { verifyCustody } from "../../sdk/custody";
import { custodyChain, custodyHandovers } from "../../sdk/custody-client";
import type { AnchorProof, SignedRecord } from "../../sdk/envelope";
import { randomOrgKey } from "../../sdk/keys";
import type { CustodyHandoverBody, CustodyReceiptBody } from "../../sdk/records/custody";
import { signRecord } from "../../sdk/signature";
import {
  admit,
  freshDatabase,
  kindOf,
  refusal,
  hubEnv,
  isPostgres,
  startHubProcess,
  startTestChain,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

describe(`custody handovers (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let fwd: TestOrg;
  let handler: TestOrg;
  let airline: TestOrg;
  let nosy: TestOrg;

  const uld = `AKE${Math.floor(Math.random() * 1e5)}CX`;
  const hour = 3_600_000;
  const t0 = Date.now() - 10 * hour;
  const T = (h: number) => new Date(t0 + h * hour);
  const iso = (d: Date) => d.toISOString();

  const handoverBody = (receiver: string, at: Date, more: Partial<CustodyHandoverBody> = {}): CustodyHandoverBody => ({
    receiver,
    items: [{ kind: "ULD", id: uld }],
    pieceCount: 12,
    grossWeight: { value: 412.5, unit: "KGM" },
    seals: ["SEAL-1"],
    place: { airport: "HKG", location: "Terminal 1, dock 7" },
    handedOverAt: iso(at),
    ...more,
  });
  const receiptBody = (h: SignedRecord, at: Date, more: Partial<CustodyReceiptBody> = {}): CustodyReceiptBody => ({
    handover: { id: h.id, version: h.version, digest: h.digest },
    decision: "ACCEPTED",
    countedPieces: 12,
    countedWeight: { value: 412.5, unit: "KGM" },
    seals: ["SEAL-1"],
    receivedAt: iso(at),
    ...more,
  });
  const handOver = async (from: TestOrg, body: CustodyHandoverBody) => (await from.client.publish("CustodyHandover", body)).record;
  const answer = async (by: TestOrg, body: CustodyReceiptBody) => (await by.client.publish("CustodyReceipt", body)).record;

  let h1: SignedRecord, r1: SignedRecord; // fwd -> handler, countersigned
  let h2: SignedRecord, r2: SignedRecord; // handler -> airline, refused with a counted discrepancy
  let h3: SignedRecord, r3: SignedRecord; // handler -> airline, countersigned
  let h4: SignedRecord; // airline -> fwd, never countersigned

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    fwd = await admit(hub.url, "cus-fwd", ["FORWARDER"]);
    handler = await admit(hub.url, "cus-handler", ["HANDLER"]);
    airline = await admit(hub.url, "cus-airline", ["AIRLINE"]);
    nosy = await admit(hub.url, "cus-nosy", ["FORWARDER"]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("a handover awaits the named receiver's countersignature, and only the receiver sees it", async function () {
    h1 = await handOver(
      fwd,
      handoverBody(handler.id, T(1), {
        items: [
          { kind: "ULD", id: uld },
          { kind: "PIECE", id: `piece-${uld}` },
        ],
      }),
    );
    const pending = await custodyHandovers(handler.client, { status: "pending" });
    expect(pending.map((p) => p.handover)).to.deep.equal([{ id: h1.id, version: 1, digest: h1.digest }]);
    expect(pending[0]).to.include({ hander: fwd.id, receiver: handler.id, status: "one-sided" });
    expect((await handler.client.getRecord(h1.id)).record.digest).to.equal(h1.digest);
    // The outsider: the same 404 as for an id that does not exist, and nothing pending.
    expect(await refusal(nosy.client.getRecord(h1.id))).to.deep.equal(await refusal(nosy.client.getRecord(randomUUID())));
    expect(await custodyHandovers(nosy.client, { status: "pending" })).to.deep.equal([]);
    expect(await refusal(custodyChain(nosy.client, uld))).to.deep.equal(await refusal(custodyChain(nosy.client, `no-such-${uld}`)));
    expect(await kindOf(custodyChain(nosy.client, uld))).to.equal("404 not-found");
  });

  it("refuses a handover to its own publisher or an unknown organisation; a pending one may be corrected, to the same receiver", async function () {
    expect(await kindOf(handOver(fwd, handoverBody(fwd.id, T(1))))).to.equal("400 invalid-handover");
    expect(await kindOf(handOver(fwd, handoverBody("cus-nobody", T(1))))).to.equal("400 unknown-organization");
    // In a batch, the refusal names the record by its position, and nothing of the batch is stored.
    const batch = [
      fwd.client.signRecord("CustodyHandover", handoverBody(handler.id, T(1))),
      fwd.client.signRecord("CustodyHandover", handoverBody("cus-nobody", T(1))),
    ];
    const refused = await fwd.client.publishBatch(batch).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).to.be.instanceOf(HubError);
    expect((refused as HubError).problem.errors?.map((e) => e.path)).to.deep.equal(["records.1.body.receiver"]);
    expect(String((refused as HubError).problem.type)).to.match(/unknown-organization$/);
    expect(await kindOf(fwd.client.getRecord(batch[0]!.id))).to.equal("404 not-found");
    // A pending handover may be corrected by a new version, to the same receiver only; the index follows the latest.
    const other = { kind: "PACKAGE" as const, id: `sscc-${uld}` };
    const draft = await handOver(fwd, handoverBody(nosy.id, T(1), { items: [other] }));
    expect(await kindOf(fwd.client.publish("CustodyHandover", handoverBody(airline.id, T(1), { items: [other] }), { id: draft.id, version: 2 }))).to.equal(
      "409 handover-receiver-changed",
    );
    const corrected = (
      await fwd.client.publish("CustodyHandover", handoverBody(nosy.id, T(1), { items: [other], pieceCount: 13 }), { id: draft.id, version: 2 })
    ).record;
    expect((await custodyHandovers(nosy.client, { status: "pending" })).map((v) => v.handover)).to.deep.equal([
      { id: draft.id, version: 2, digest: corrected.digest },
    ]);
    // The receiver's read is by the policy "custody": the hander cannot take it back.
    expect(await kindOf(fwd.client.revokeGrant(draft.id, nosy.id))).to.equal("409 grant-required-by-policy");
  });

  it("refuses receipts from anyone but the receiver, for another digest, version, or a second answer", async function () {
    // Not readable by the publisher, or not naming it: the same 404 as a handover that does not exist.
    const unknown = receiptBody({ ...h1, id: `cus-fwd:${randomUUID()}` }, T(1.1));
    expect(await kindOf(answer(nosy, receiptBody(h1, T(1.1))))).to.equal("404 not-found");
    expect(await kindOf(answer(airline, receiptBody(h1, T(1.1))))).to.equal("404 not-found");
    expect(await kindOf(answer(handler, unknown))).to.equal("404 not-found");
    expect(
      await kindOf(answer(handler, { ...receiptBody(h1, T(1.1)), handover: { ...receiptBody(h1, T(1.1)).handover, digest: `0x${"0".repeat(64)}` } })),
    ).to.equal("400 handover-digest-mismatch");
    expect(await kindOf(answer(handler, { ...receiptBody(h1, T(1.1)), handover: { ...receiptBody(h1, T(1.1)).handover, version: 2 } }))).to.equal(
      "409 handover-version-stale",
    );
    // Still pending after all those refusals.
    expect((await custodyHandovers(handler.client, { status: "pending" })).map((p) => p.handover.id)).to.deep.equal([h1.id]);

    r1 = await answer(handler, receiptBody(h1, T(1.1)));
    expect(await kindOf(answer(handler, receiptBody(h1, T(1.2))))).to.equal("409 handover-already-answered");
    // An answered handover is final.
    expect(await kindOf(fwd.client.publish("CustodyHandover", handoverBody(handler.id, T(1)), { id: h1.id, version: 2 }))).to.equal("409 handover-answered");
    expect(await custodyHandovers(handler.client, { status: "pending" })).to.deep.equal([]);
    // The hander reads the countersignature.
    expect((await fwd.client.getRecord(r1.id)).record.digest).to.equal(r1.digest);
    expect(await refusal(nosy.client.getRecord(r1.id))).to.deep.equal(await refusal(nosy.client.getRecord(randomUUID())));
    const mine = (await custodyHandovers(fwd.client, { as: "hander" })).find((v) => v.handover.id === h1.id);
    expect(mine).to.deep.include({ status: "countersigned", discrepancies: [] });
    expect(mine!.receipt).to.include({ id: r1.id, decision: "ACCEPTED" });
  });

  it("two receipts sent at once for one handover: exactly one is stored, the other is refused", async function () {
    const h = await handOver(fwd, handoverBody(handler.id, T(1), { items: [{ kind: "PIECE", id: `concurrent-${uld}` }] }));
    const receipts = [T(1.1), T(1.2), T(1.3)].map((at) => handler.client.signRecord("CustodyReceipt", receiptBody(h, at)));
    const outcomes = await Promise.all(receipts.map((r) => kindOf(handler.client.publishBatch([r]))));
    expect([...outcomes].sort()).to.deep.equal(["409 handover-already-answered", "409 handover-already-answered", "allowed"]);
    const stored = receipts[outcomes.indexOf("allowed")]!;
    const mine = (await custodyHandovers(fwd.client, { as: "hander" })).find((v) => v.handover.id === h.id);
    expect(mine!.receipt).to.include({ id: stored.id });
    for (const r of receipts) if (r !== stored) expect(await kindOf(handler.client.getRecord(r.id))).to.equal("404 not-found");
  });

  it("a refusal with counted figures is a discrepancy; a handover never answered stays one-sided", async function () {
    h2 = await handOver(handler, handoverBody(airline.id, T(2)));
    r2 = await answer(
      airline,
      receiptBody(h2, T(2.1), { decision: "REFUSED", countedPieces: 11, countedWeight: { value: 380, unit: "KGM" }, remarks: "one piece missing" }),
    );
    h3 = await handOver(handler, handoverBody(airline.id, T(3), { pieceCount: 11, grossWeight: { value: 380, unit: "KGM" } }));
    r3 = await answer(airline, receiptBody(h3, T(3.1), { countedPieces: 11, countedWeight: { value: 380, unit: "KGM" } }));
    h4 = await handOver(airline, handoverBody(fwd.id, T(4), { pieceCount: 11, grossWeight: { value: 380, unit: "KGM" } }));
    const byHandler = await custodyHandovers(handler.client, { as: "hander" });
    const refused = byHandler.find((v) => v.handover.id === h2.id)!;
    expect(refused.status).to.equal("refused");
    expect(refused.discrepancies).to.deep.equal([
      { field: "decision", declared: "handed over", counted: "REFUSED" },
      { field: "pieceCount", declared: "12", counted: "11" },
      { field: "grossWeight", declared: "412.5 KGM", counted: "380 KGM" },
    ]);
    expect((await custodyHandovers(fwd.client, { status: "pending" })).map((v) => v.handover.id)).to.deep.equal([h4.id]);
    expect((await custodyHandovers(airline.client, { as: "hander", status: "pending" })).map((v) => v.handover.id)).to.deep.equal([h4.id]);
  });

  it("the custody chain answers the holder at a time, from what the caller may read", async function () {
    const ids = (c: { handovers: { handover: { id: string } }[] }) => c.handovers.map((v) => v.handover.id);
    // The handler reads every handover of the ULD: its own, and the one it received.
    const now = await custodyChain(handler.client, uld);
    expect(ids(now)).to.deep.equal([h1.id, h2.id, h3.id]);
    expect(now).to.include({ holder: airline.id, since: iso(T(3)) });
    // The airline reads h2, h3 (it received them) and h4 (its own); h1 is none of its business.
    const airlineNow = await custodyChain(airline.client, uld);
    expect(ids(airlineNow)).to.deep.equal([h2.id, h3.id, h4.id]);
    expect(airlineNow.holder).to.equal(airline.id); // h4 was never countersigned
    expect(airlineNow.handovers.map((v) => v.status)).to.deep.equal(["refused", "countersigned", "one-sided"]);
    // Before and after the countersigned handover to the airline; the refused one changed nothing.
    expect(await custodyChain(handler.client, uld, T(2.5))).to.include({ holder: handler.id, since: iso(T(1)) });
    expect(ids(await custodyChain(handler.client, uld, T(2.5)))).to.deep.equal([h1.id, h2.id]);
    expect(await custodyChain(handler.client, uld, T(3.5))).to.include({ holder: airline.id });
    // Before any handover: nothing, the same 404 as an unknown item.
    expect(await kindOf(custodyChain(handler.client, uld, T(0.5)))).to.equal("404 not-found");
    // The forwarder reads h1 and its receipt, and h4 handed to it; not the handler's handovers to the airline.
    expect(ids(await custodyChain(fwd.client, uld))).to.deep.equal([h1.id, h4.id]);
    // Each handover shown is a read in its owner's access log.
    const log = await fwd.client.call(
      "GET",
      "/v1/access-log?limit=1000",
      z.object({
        entries: z.array(z.object({ actor: z.string(), action: z.string(), recordId: z.string().nullable(), detail: z.string().nullable() }).loose()),
      }),
    );
    const read = (e: (typeof log.entries)[number]) => e.actor === handler.id && e.action === "READ" && e.recordId === h1.id && e.detail === `custody of ${uld}`;
    expect(log.entries.some(read), "the handler's read of h1 in the forwarder's access log").to.equal(true);
    // The piece was handed over once, to the handler.
    expect(await custodyChain(handler.client, `piece-${uld}`)).to.include({ holder: handler.id });
  });

  it("a malformed query is a 400 problem", async function () {
    expect(await kindOf(handler.client.call("GET", "/v1/custody?item=x&at=yesterday", z.unknown()))).to.equal("400 invalid-query");
    expect(await kindOf(handler.client.call("GET", "/v1/custody/handovers?as=everyone", z.unknown()))).to.equal("400 invalid-query");
    expect(await kindOf(handler.client.call("GET", "/v1/custody", z.unknown()))).to.equal("400 invalid-query");
  });

  it("with the hub stopped, each handover is verified from the chain alone; a forged countersignature fails", async function () {
    const proofs = new Map<string, AnchorProof>();
    for (const [org, r] of [
      [fwd, h1],
      [handler, r1],
      [handler, h2],
      [airline, r2],
      [handler, h3],
      [airline, r3],
      [airline, h4],
    ] as const)
      proofs.set(r.id, await org.client.waitForProof(r.id));
    await hub.stop();
    const trust = { chain: { provider: chain.provider }, contracts: chain.deployment };
    const pair = (h: SignedRecord, r?: SignedRecord) =>
      verifyCustody({ ...trust, handover: h, handoverProof: proofs.get(h.id)!, ...(r ? { receipt: r, receiptProof: proofs.get(r.id)! } : {}) });

    const countersigned = await pair(h1, r1);
    expect(countersigned).to.include({ valid: true, status: "countersigned" });
    expect(countersigned.discrepancies).to.deep.equal([]);
    expect(countersigned.receipt!.signature.ok).to.equal(true);

    const refused = await pair(h2, r2);
    expect(refused).to.include({ valid: true, status: "refused" });
    expect(refused.discrepancies.map((d) => d.field)).to.deep.equal(["decision", "pieceCount", "grossWeight"]);

    const oneSided = await pair(h4);
    expect(oneSided).to.include({ valid: true, status: "one-sided" });
    expect(oneSided.receipt).to.equal(undefined);

    // The handler's receipt re-signed by a key that is not the handler's: its signature fails, it countersigns nothing.
    const forger = randomOrgKey();
    const { signature: _genuine, ...unsigned } = r1;
    const forged = signRecord(forger.privateKey, unsigned);
    expect(forged.digest).to.equal(r1.digest);
    const byForger = await pair(h1, forged);
    expect(byForger.valid).to.equal(false);
    expect(byForger.status).to.equal("one-sided");
    expect(byForger.receipt!.valid).to.equal(false);
    // A genuine, anchored receipt of another organisation (the airline's, for another handover) does not countersign h1.
    const byOther = await pair(h1, r3);
    expect(byOther.receipt!.valid).to.equal(true);
    expect(byOther).to.include({ valid: false, status: "one-sided" });
    expect(byOther.problems.join()).to.match(/cus-airline's, but the handover names cus-handler/);
  });
});
