import { request } from "node:http";
import { expect } from "chai";
import { ProductStorySchema, PublicCertificationsSchema, type ProductStory } from "../../sdk/provenance/story";
import { HubError } from "../../sdk/client";
import { fieldHash } from "../../sdk/digest";
import type { SignedRecord } from "../../sdk/envelope";
import { epcisRecordId, type EpcisEventHash } from "../../sdk/records/epcis-event";
import {
  FIXTURE_ENV,
  INTERNAL_NOTES,
  PORT_OF_ENTRY,
  FACTORY_DOCK,
  BONDED_WAREHOUSE,
  admitParties,
  epcisDocument,
  lotUri,
  markSold,
  productBatch,
  publishEvents,
  publishProduct,
  revokeOnChain,
  serialUri,
  type Parties,
  type Product,
} from "../browser/product-fixture";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  sql,
  startHubProcess,
  startTestChain,
  waitFor,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

/** A GET from a chosen loopback source address (another /16 is another coarse place). */
function getFrom(
  url: string,
  localAddress: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const html = { accept: "text/html,application/xhtml+xml" };

describe(`the consumer's provenance page: story, disclosure, scans (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let parties: Parties;
  let product: Product;
  /** A member the brand never named: nothing it says about the product may show. */
  let stranger: TestOrg;
  const lotPath = () => `/01/${product.gtin}/10/${product.lot}`;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(
      hubEnv(chain, database.url, {
        ...FIXTURE_ENV,
        SCAN_WARN_SCANS_AFTER_SOLD: "2",
        SCAN_WARN_PLACES_AFTER_SOLD: "1",
        EXPLORER_TX_URL: "https://explorer.example/tx/{tx}",
        // Every request sees the database as it is now (the browser test runs with the default 1 s reuse).
        PAGE_CACHE_MS: "0",
      }),
    );
    parties = await admitParties(hub.url);
    product = await publishProduct(parties, {
      gtin13: "0950600013435",
      lot: "LOT-A1",
      serials: ["SN0001", "SN0002", "SN0003", "SN0004", "SN0005"],
      orderNumber: "SO-PAGE-1",
    });
    stranger = await admit(hub.url, "copy-mall", ["PLATFORM"]);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  async function story(path: string): Promise<ProductStory> {
    const res = await fetch(`${hub.url}/provenance/story${path}`, { headers: { accept: "application/json" } });
    expect(res.status, await res.clone().text()).to.equal(200);
    return ProductStorySchema.parse(await res.json());
  }

  it("the story: the product, every step tied to it in time order with who attested it, proofs and the hub's verdicts", async function () {
    const s = await story(lotPath());
    expect(s.code).to.deep.equal({ gtin: product.gtin, lot: product.lot });
    expect(s.product.fields).to.include({ productName: "Aurora ANC Headphones", brand: "Aurora Audio", gtin: product.gtin, lot: product.lot });
    expect(s.product.brandOwner.orgId).to.equal(parties.brand.id);
    expect(s.steps.map((x) => x.recordId).sort()).to.deep.equal(product.onPage.map((r) => r.id).sort());
    const times = s.steps.map((x) => Date.parse(x.time));
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    for (const step of s.steps) {
      expect(step.verdict.status, `${step.type} ${step.recordId}: ${step.verdict.reasons.join("; ")}`).to.equal("verified");
      expect(step.proof).to.not.equal(null);
      expect(step.txUrl).to.equal(`https://explorer.example/tx/${step.proof!.txHash}`);
    }
    const decision = s.steps.find((x) => x.recordId === product.decision.id)!;
    expect(decision.attestedBy).to.deep.equal({ orgId: "hz-customs", name: "hz-customs", kind: "partner" });
    expect(decision.record.body).to.deep.equal({ decision: "RELEASE", decidedAt: "2026-04-20T09:30:00+08:00" });
    const cert = s.steps.find((x) => x.recordId === product.certificate.id)!;
    expect(cert.certification).to.deep.equal({ status: "valid" });
    expect(s.chain).to.deep.equal({
      chainId: 31337,
      participantRegistry: chain.deployment.participantRegistry,
      anchorRegistry: chain.deployment.anchorRegistry,
      // Where a browser's log searches start: the registries' deployment block, not block 0.
      fromBlock: chain.deployment.deployedAtBlock,
      rpcUrl: chain.rpcUrl,
    });
    expect(chain.deployment.deployedAtBlock).to.be.greaterThan(0);
  });

  it("the six facts, each with the record it comes from", async function () {
    const facts = Object.fromEntries((await story(lotPath())).facts.map((f) => [f.key, f]));
    expect(facts.origin).to.include({ value: "FR", attestedBy: parties.certifier.id });
    expect(facts.origin!.source!.recordId).to.equal(product.certificate.id);
    expect(facts.departurePoint).to.include({ value: FACTORY_DOCK, attestedBy: parties.forwarder.id });
    expect(facts.departurePoint!.source!.recordId).to.equal(product.events.shipping.id);
    expect(facts.importer).to.include({ value: parties.importer.id });
    expect(facts.importer!.source!.recordId).to.equal(product.events.transaction.id);
    expect(facts.portOfEntry).to.include({ value: PORT_OF_ENTRY });
    expect(facts.portOfEntry!.source!.recordId).to.equal(product.events.customs.id);
    expect(facts.customsStatus).to.include({ value: "RELEASE" });
    expect(facts.customsStatus!.source!.recordId).to.equal(product.decision.id);
    expect(facts.dispatchWarehouse).to.include({ value: BONDED_WAREHOUSE });
    expect(facts.dispatchWarehouse!.source!.recordId).to.equal(product.events.dispatch.id);
  });

  it("each step, fact and the product say which kind of attester they come from: brand, partner, accredited certifier", async function () {
    const s = await story(lotPath());
    expect(s.product.brandOwner).to.deep.equal({ orgId: parties.brand.id, name: parties.brand.id, kind: "brand" });
    expect(s.product.partners).to.deep.equal([
      { orgId: parties.forwarder.id, name: parties.forwarder.id, role: "FORWARDER" },
      { orgId: parties.importer.id, name: parties.importer.id, role: "PLATFORM" },
      { orgId: parties.customs.id, name: parties.customs.id, role: "CUSTOMS" },
    ]);
    // The partners are a public field of the signed batch: a browser checks them against the chain.
    expect(s.steps.find((x) => x.recordId === product.batch.id)!.record.body.partners).to.have.length(3);
    const kindOf = (r: SignedRecord) => s.steps.find((x) => x.recordId === r.id)!.attestedBy.kind;
    expect(kindOf(product.batch)).to.equal("brand");
    expect(kindOf(product.certificate)).to.equal("certifier");
    for (const e of Object.values(product.events)) expect(kindOf(e), e.id).to.equal("partner");
    expect(kindOf(product.decision)).to.equal("partner");
    const facts = Object.fromEntries(s.facts.map((f) => [f.key, f]));
    expect(facts.origin!.attesterKind).to.equal("certifier");
    for (const key of ["departurePoint", "importer", "portOfEntry", "customsStatus", "dispatchWarehouse"])
      expect(facts[key]!.attesterKind, key).to.equal("partner");
    const page = await (await fetch(`${hub.url}${lotPath()}`, { headers: html })).text();
    expect(page).to.include('data-fact="origin" data-known="true" data-attester="certifier"');
    expect(page).to.include('<span class="kind" data-kind="certifier">Accredited certifier</span>');
    expect(page).to.include('<span class="kind" data-kind="partner">Supply-chain partner</span>');
    expect(page).to.include(`<dd class="brand-owner">${parties.brand.id} <span class="kind" data-kind="brand">Brand</span></dd>`);
    expect(page).to.include(
      `<dd class="partners">${parties.forwarder.id} (Forwarder), ${parties.importer.id} (E-commerce platform), ${parties.customs.id} (Customs)</dd>`,
    );
    const hant = await (await fetch(`${hub.url}${lotPath()}?lang=zh-Hant`, { headers: html })).text();
    expect(hant).to.include(">供應鏈夥伴</span>");
    expect(hant).to.include(">認可認證機構</span>");
  });

  it("a customs broker's certificate of origin and failed inspection report never make a fact or a step", async function () {
    const before = await story(lotPath());
    const certificates = [
      { kind: "CERTIFICATE_OF_ORIGIN", certificateNumber: "CO-BROKER-1", originCountry: "CN" },
      { kind: "INSPECTION_REPORT", certificateNumber: "IR-BROKER-1", result: "FAIL" },
    ] as const;
    const published: string[] = [];
    for (const c of certificates) {
      // The hub's authority check may refuse it at once (the broker holds no certifier's accreditation);
      // if it is stored, the page must still never show it.
      const outcome = await parties.broker.client
        .publish("Certification", {
          ...c,
          issuedTo: "Aurora Audio SAS",
          subjects: [lotUri(product.gtin, product.lot)],
          scope: "Origin and inspection",
          validFrom: "2026-04-01",
          validUntil: "2030-04-01",
        })
        .then(
          (r) => r.record.id,
          (e: unknown) => e,
        );
      if (typeof outcome === "string") published.push(outcome);
      else expect(outcome, String(outcome)).to.be.instanceOf(HubError).with.property("status", 403);
    }
    const after = await story(lotPath());
    expect(after.steps.map((x) => x.recordId)).to.deep.equal(before.steps.map((x) => x.recordId));
    expect(after.facts).to.deep.equal(before.facts);
    const origin = after.facts.find((f) => f.key === "origin")!;
    expect(origin).to.include({ value: "FR", attesterKind: "certifier" });
    expect(after.facts.find((f) => f.key === "customsStatus")!.detail).to.equal(undefined);
    const page = await (await fetch(`${hub.url}${lotPath()}`, { headers: html })).text();
    for (const text of ["CO-BROKER-1", "IR-BROKER-1", "inspection failed", "China", ...published]) expect(page).to.not.include(text);
    const listed = PublicCertificationsSchema.parse(await (await fetch(`${hub.url}/provenance/certifications${lotPath()}`)).json());
    expect(listed.certifications.map((c) => c.issuer.orgId)).to.deep.equal([parties.certifier.id]);
  });

  it("an event of a party the brand did not name never shows, member-signed or hub-attested; a named partner's capture shows as the partner's, attested by the hub", async function () {
    const elsewhere = "urn:epc:id:sgln:6900000.00666.0";
    const event = (time: string, bizStep: string) => ({
      type: "ObjectEvent",
      eventTime: time,
      eventTimeZoneOffset: "+08:00",
      action: "OBSERVE",
      bizStep,
      readPoint: { id: elsewhere },
      quantityList: [{ epcClass: lotUri(product.gtin, product.lot), quantity: 100 }],
    });
    const before = await story(lotPath());
    const [signed] = await publishEvents(stranger, [event("2026-04-02T07:00:00+08:00", "shipping")]);
    const captured = await stranger.client.waitForCapture(await stranger.client.captureEpcis(epcisDocument([event("2026-04-21T07:00:00+08:00", "departing")])));
    expect(captured.success, JSON.stringify(captured)).to.equal(true);
    const capturedId = epcisRecordId(captured.events[0]!.eventID as EpcisEventHash, stranger.id);
    // Both are stored (the EPCIS interface has them), and tied to the code by the index...
    await stranger.client.getRecord(signed!.id);
    expect(
      (await sql<{ n: unknown }>(database.url, `SELECT COUNT(*) AS "n" FROM "ProductIndex" WHERE "recordId" IN ($1, $2)`, [signed!.id, capturedId]))[0]!.n,
    ).to.satisfy((n: unknown) => Number(n) >= 2);
    // ...but the page shows neither.
    const after = await story(lotPath());
    expect(after.steps.map((x) => x.recordId)).to.deep.equal(before.steps.map((x) => x.recordId));
    expect(after.facts).to.deep.equal(before.facts);
    const page = await (await fetch(`${hub.url}${lotPath()}`, { headers: html })).text();
    for (const text of [elsewhere, stranger.id, signed!.id, capturedId]) expect(page).to.not.include(text);

    // The forwarder, a named partner, captures through the standard interface: it shows, for the forwarder.
    const ours = await parties.forwarder.client.waitForCapture(
      await parties.forwarder.client.captureEpcis(epcisDocument([{ ...event("2026-04-21T08:00:00+08:00", "storing"), readPoint: { id: BONDED_WAREHOUSE } }])),
    );
    const oursId = epcisRecordId(ours.events[0]!.eventID as EpcisEventHash, parties.forwarder.id);
    const step = await waitFor("the partner's captured event on the page", async () => (await story(lotPath())).steps.find((x) => x.recordId === oursId));
    expect(step.attestedBy.kind).to.equal("hub");
    expect(step.capturedBy).to.deep.equal({ orgId: parties.forwarder.id, name: parties.forwarder.id, kind: "partner" });
    const shown = await (await fetch(`${hub.url}${lotPath()}`, { headers: html })).text();
    expect(shown).to.match(new RegExp(`data-record-id="${oursId}"[^>]*data-attester="partner" data-attested-by="hub"`));
  });

  it("a stranger's retail_sold marks nothing: no step, no sale, no copy warning; the brand's partner's does", async function () {
    const serial = product.serials[3]!;
    const path = `/01/${product.gtin}/21/${serial}`;
    const theirs = await markSold(parties, product.gtin, serial, stranger);
    for (let i = 0; i < 5; i++) await getFrom(`${hub.url}${path}`, i % 2 === 0 ? "127.0.0.1" : "127.1.0.1", html);
    const s = await story(path);
    expect(s.steps.map((x) => x.recordId)).to.not.include(theirs.id);
    expect(s.scans).to.deep.include({ count: 5, copyWarning: false });
    expect(s.scans.soldAt).to.equal(undefined);
    const page = await getFrom(`${hub.url}${path}`, "127.0.0.1", html);
    expect(page.body).to.not.include("copy-warning");
    expect(page.body).to.not.include(theirs.id);
    // The importer, a partner the brand named, marks the same item sold: from then on scans count.
    const ours = await publishEvents(parties.importer, [
      {
        type: "ObjectEvent",
        eventTime: "2026-05-02T12:00:00+08:00",
        eventTimeZoneOffset: "+08:00",
        action: "OBSERVE",
        bizStep: "retail_selling",
        disposition: "retail_sold",
        epcList: [`https://id.gs1.org/01/${product.gtin}/21/${serial}`],
      },
    ]);
    const sold = await story(path);
    expect(sold.steps.map((x) => x.recordId)).to.include(ours[0]!.id);
    expect(sold.scans.soldAt).to.be.a("string");
    expect(sold.scans.scansAfterSold).to.equal(0);
    await getFrom(`${hub.url}${path}`, "127.0.0.1", html);
    expect((await story(path)).scans.scansAfterSold).to.equal(1);
  });

  it("a batch's partners are checked: an organisation named twice or a malformed id is a 400 problem and stores nothing", async function () {
    const gtin = product.gtin;
    for (const partners of [
      [{ org: parties.forwarder.id }, { org: parties.forwarder.id, role: "FORWARDER" as const }],
      [{ org: "Not An Org!" }],
      [{ org: parties.forwarder.id, role: "CAPTAIN" }],
    ]) {
      const e = await parties.brand.client
        .publish("ProductBatch", productBatch(gtin, "LOT-BAD-PARTNERS", [], partners as never), { id: `${parties.brand.id}:batch-bad-partners` })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(e, JSON.stringify(partners)).to.be.instanceOf(HubError).with.property("status", 400);
    }
    expect(await sql(database.url, `SELECT "id" FROM "Record" WHERE "id" = $1`, [`${parties.brand.id}:batch-bad-partners`])).to.deep.equal([]);
    expect((await fetch(`${hub.url}/provenance/story/01/${gtin}/10/LOT-BAD-PARTNERS`)).status).to.equal(404);
  });

  it("only public fields: internal notes are gone, their hash stays; the redacted batch still has its digest", async function () {
    const res = await fetch(`${hub.url}/provenance/story${lotPath()}`);
    const text = await res.text();
    expect(text).to.not.include(INTERNAL_NOTES);
    const s = ProductStorySchema.parse(JSON.parse(text));
    const batch = s.steps.find((x) => x.recordId === product.batch.id)!;
    expect(batch.record.body).to.not.have.property("internalNotes");
    expect(batch.record.body).to.not.have.property("serials");
    expect(batch.record.hidden!.internalNotes).to.equal(fieldHash(product.batch.salts.internalNotes!, "internalNotes", product.batch.body.internalNotes));
    expect(batch.record.digest).to.equal(product.batch.digest);
    // An EPCIS event shows its public fields, never the captured event itself.
    const event = s.steps.find((x) => x.recordId === product.events.shipping.id)!;
    expect(event.record.body).to.not.have.property("event");
    expect(event.record.body).to.include({ bizStep: "shipping", readPoint: FACTORY_DOCK });
  });

  it("a record of another organisation not tied to the product never appears, even when an event links it", async function () {
    const s = await story(lotPath());
    const ids = s.steps.map((x) => x.recordId);
    expect(ids).to.not.include(product.unrelated.id);
    // The forwarder's event links the operator's MatchResult: another owner, so it does not join.
    expect(ids).to.include(product.events.foreign.id);
    const linked = (product.events.foreign.body.links as { recordId: string }[]).map((l) => l.recordId);
    expect(linked).to.have.length(1);
    expect(ids).to.not.include(linked[0]);
    // Nor on the page.
    const page = await (await fetch(`${hub.url}${lotPath()}`, { headers: html })).text();
    expect(page).to.not.include(product.unrelated.id);
    expect(page).to.not.include(linked[0]);
  });

  it("a linked record published after the event that links it joins the page", async function () {
    const report = await parties.customs.client.signRecord("Certification", {
      kind: "INSPECTION_REPORT",
      certificateNumber: "IR-LATE-1",
      issuedTo: "Harbour Import Ltd",
      subjects: ["urn:example:none"],
      scope: "Sampling inspection at the port",
      validFrom: "2026-04-20",
      validUntil: "2027-04-20",
      result: "PASS",
    });
    // A report by customs naming no product: only the link of customs' own event ties it.
    await publishEvents(parties.customs, [
      {
        type: "ObjectEvent",
        eventTime: "2026-04-20T11:00:00+08:00",
        eventTimeZoneOffset: "+08:00",
        action: "OBSERVE",
        bizStep: "inspecting",
        bizLocation: { id: PORT_OF_ENTRY },
        quantityList: [{ epcClass: `https://id.gs1.org/01/${product.gtin}/10/${product.lot}`, quantity: 5 }],
        certificationInfo: `urn:cargoproof:record:${report.id}`,
      },
    ]);
    expect((await story(lotPath())).steps.map((x) => x.recordId)).to.not.include(report.id);
    await parties.customs.client.publishSigned(report);
    expect((await story(lotPath())).steps.map((x) => x.recordId)).to.include(report.id);
  });

  it("certifications: the public list with status; revoked on chain shows revoked at once, with the reason", async function () {
    const url = `${hub.url}/provenance/certifications${lotPath()}`;
    const before = PublicCertificationsSchema.parse(await (await fetch(url)).json());
    const mine = before.certifications.find((c) => c.recordId === product.certificate.id)!;
    expect(mine).to.include({ status: "valid" });
    expect(mine.issuer.orgId).to.equal(parties.certifier.id);
    expect(mine.fields).to.include({ kind: "CERTIFICATE_OF_ORIGIN", originCountry: "FR" });
    await revokeOnChain(chain, parties.certifier, product.certificate.digest, "factory audit failed");
    await new Promise((r) => setTimeout(r, 1100)); // the hub reuses a revocation reading for up to a second
    const after = PublicCertificationsSchema.parse(await (await fetch(url)).json());
    const revoked = after.certifications.find((c) => c.recordId === product.certificate.id)!;
    expect(revoked.status).to.equal("revoked");
    expect(revoked.revocationReason).to.match(/factory audit failed/);
    const s = await story(lotPath());
    const step = s.steps.find((x) => x.recordId === product.certificate.id)!;
    expect(step.certification!.status).to.equal("revoked");
    expect(step.verdict.status).to.equal("failed");
    // A revoked certificate of origin no longer makes the origin fact: the brand's production place does.
    const origin = s.facts.find((f) => f.key === "origin")!;
    expect(origin.source!.recordId).to.equal(product.batch.id);
  });

  it("unknown codes: 404 page and 404 problem; a malformed code is a 400 problem", async function () {
    const unknownLot = `/01/${product.gtin}/10/NO-SUCH-LOT`;
    const page = await fetch(`${hub.url}${unknownLot}`, { headers: html });
    expect(page.status).to.equal(404);
    expect(page.headers.get("content-type")).to.match(/text\/html/);
    expect(await page.text()).to.include("Unknown product code");
    const json = await fetch(`${hub.url}/provenance/story${unknownLot}`);
    expect(json.status).to.equal(404);
    expect(json.headers.get("content-type")).to.match(/application\/problem\+json/);
    expect((await fetch(`${hub.url}/provenance/story/01/${product.gtin}/21/NO-SUCH-SERIAL`)).status).to.equal(404);
    expect((await fetch(`${hub.url}/provenance/certifications${unknownLot}`)).status).to.equal(404);
    const bad = await fetch(`${hub.url}/provenance/story/01/09506000134353/10/X`);
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { type: string }).type).to.match(/invalid-code-check-digit$/);
  });

  it("scans: a page view counts, the JSON does not; no IP address is stored", async function () {
    const path = `/01/${product.gtin}/21/${product.serials[0]}`;
    const first = await getFrom(`${hub.url}${path}`, "127.0.0.1", html);
    expect(first.status).to.equal(200);
    expect(first.body).to.include("Scanned 1 times");
    await getFrom(`${hub.url}${path}`, "127.0.0.1", html);
    const s = await story(path);
    expect(s.scans.count).to.equal(2);
    expect(Date.parse(s.scans.firstAt!)).to.be.at.most(Date.parse(s.scans.lastAt!));
    expect(s.scans.copyWarning).to.equal(false);
    expect((await story(path)).scans.count).to.equal(2);
    // Nothing in the scan tables looks like an address.
    const rows = await sql<Record<string, unknown>>(database.url, `SELECT * FROM "ProductScanPlace"`);
    expect(rows.length).to.be.greaterThan(0);
    const dump = JSON.stringify([...rows, ...(await sql(database.url, `SELECT * FROM "ProductScan"`))]);
    expect(dump).to.not.match(/127\.0\.|::1|::ffff/);
    for (const r of rows) expect(r.place).to.match(/^[0-9a-f]{16}$/);
  });

  it("the copy warning: after the item is marked sold, too many scans or too many places", async function () {
    const serial = product.serials[1]!;
    const path = `/01/${product.gtin}/21/${serial}`;
    // Scans before the sale do not count towards the warning.
    for (let i = 0; i < 4; i++) await getFrom(`${hub.url}${path}`, "127.0.0.1", html);
    const sold = await markSold(parties, product.gtin, serial);
    const s0 = await story(path);
    expect(s0.steps.map((x) => x.recordId)).to.include(sold.id);
    expect(s0.scans).to.include({ copyWarning: false, scansAfterSold: 0 });
    // Two places after the sale (threshold 1): 127.0.x.x and 127.1.x.x are two /16 networks.
    await getFrom(`${hub.url}${path}`, "127.0.0.1", html);
    const second = await getFrom(`${hub.url}${path}`, "127.1.0.1", html);
    expect(second.body).to.include("copy-warning");
    const s1 = await story(path);
    expect(s1.scans).to.include({ copyWarning: true, scansAfterSold: 2, placesAfterSold: 2 });

    // Scans alone (one place): the third scan after the sale passes the threshold of 2.
    const other = product.serials[2]!;
    const otherPath = `/01/${product.gtin}/21/${other}`;
    await markSold(parties, product.gtin, other);
    for (let i = 0; i < 2; i++) await getFrom(`${hub.url}${otherPath}`, "127.0.0.1", html);
    expect((await story(otherPath)).scans.copyWarning).to.equal(false);
    const third = await getFrom(`${hub.url}${otherPath}`, "127.0.0.1", html);
    expect(third.body).to.include("copy-warning");
    // A lot is never warned about (only serialised items are sold one by one).
    expect((await story(lotPath())).scans.copyWarning).to.equal(false);
  });

  it("the page: language from Accept-Language or ?lang=, CSP, and the page's script bundled from the SDK", async function () {
    const en = await fetch(`${hub.url}${lotPath()}`, { headers: { ...html, "accept-language": "fr-FR, en;q=0.5" } });
    const csp = en.headers.get("content-security-policy")!;
    expect(csp).to.include("script-src 'self'");
    expect(csp).to.include(`connect-src 'self' ${new URL(chain.rpcUrl).origin}`);
    const enText = await en.text();
    expect(enText).to.include('<html lang="en">');
    expect(enText).to.include("Verify in my browser");
    const hant = await (await fetch(`${hub.url}${lotPath()}`, { headers: { ...html, "accept-language": "zh-TW,zh;q=0.9" } })).text();
    expect(hant).to.include('<html lang="zh-Hant">');
    expect(hant).to.include("在我的瀏覽器中驗證");
    const hans = await (await fetch(`${hub.url}${lotPath()}`, { headers: { ...html, "accept-language": "zh-CN" } })).text();
    expect(hans).to.include('<html lang="zh-Hans">');
    expect(hans).to.include("在我的浏览器中验证");
    const switched = await (await fetch(`${hub.url}${lotPath()}?lang=zh-Hans`, { headers: { ...html, "accept-language": "zh-TW" } })).text();
    expect(switched).to.include('<html lang="zh-Hans">');
    // No third-party resources (links to the explorer are only links).
    expect(enText).to.not.match(/src="https?:\/\/|<link[^>]+href="https?:\/\//);
    expect(enText).to.include('href="https://explorer.example/tx/0x');
    const js = await fetch(`${hub.url}/provenance/assets/page.js`);
    expect(js.status).to.equal(200);
    expect(js.headers.get("content-type")).to.match(/javascript/);
    const code = await js.text();
    expect(code.length).to.be.greaterThan(10_000);
    expect(code).to.not.match(/require\("secp256k1/);
    // (node:http: fetch adds "Cache-Control: no-cache" to a conditional request, which defeats it)
    const again = await getFrom(`${hub.url}/provenance/assets/page.js`, "127.0.0.1", { "if-none-match": js.headers.get("etag")! });
    expect(again.status).to.equal(304);
  });
  it("EPCIS 2.0 §7.4.1.2: a sale its own attester declared in error unmarks the item (no sold mark, no copy warning); another party's declaration does not; a later sale marks it again", async function () {
    const serials = ["SN0901", "SN0902"];
    const partners = [
      { org: parties.forwarder.id, role: "FORWARDER" as const },
      { org: parties.importer.id, role: "PLATFORM" as const },
    ];
    await parties.brand.client.publish("ProductBatch", productBatch(product.gtin, "LOT-SALES", serials, partners));
    const [retracted, kept] = serials.map((s) => `/01/${product.gtin}/21/${s}`) as [string, string];
    const sale = (serial: string, eventTime = "2026-05-01T12:00:00+08:00") => ({
      type: "ObjectEvent",
      eventTime,
      eventTimeZoneOffset: "+08:00",
      action: "OBSERVE",
      bizStep: "retail_selling",
      disposition: "retail_sold",
      epcList: [serialUri(product.gtin, serial)],
    });
    const declared = (event: Record<string, unknown>) => ({
      ...event,
      errorDeclaration: { declarationTime: "2026-05-02T09:00:00+08:00", reason: "incorrect_data" },
    });
    const capture = async (org: TestOrg, events: Record<string, unknown>[]) => {
      const job = await org.client.waitForCapture(await org.client.captureEpcis(epcisDocument(events)));
      expect(job.success, JSON.stringify(job)).to.equal(true);
    };
    // The importer (a partner) sells both items; scans after the sale pass the threshold (2).
    await capture(parties.importer, [sale(serials[0]!), sale(serials[1]!)]);
    for (let i = 0; i < 3; i++) await getFrom(`${hub.url}${retracted}`, "127.0.0.1", html);
    expect((await story(retracted)).scans).to.include({ copyWarning: true, scansAfterSold: 3 });

    // Another partner declares the importer's sale of the second item erroneous: that retracts nothing.
    await capture(parties.forwarder, [declared(sale(serials[1]!))]);
    expect((await story(kept)).scans.soldAt).to.be.a("string");

    // The importer declares its own sale of the first item in error: the item is no longer sold.
    await capture(parties.importer, [declared(sale(serials[0]!))]);
    const unsold = await story(retracted);
    const saleStep = unsold.steps.find((x) => x.record.body.disposition === "retail_sold" && x.record.body.errorDeclaration === undefined)!;
    expect(saleStep.declaredInError).to.include({ reason: "incorrect_data" });
    expect(unsold.scans.copyWarning).to.equal(false);
    for (const k of ["soldAt", "scansAfterSold", "placesAfterSold"] as const) expect(unsold.scans[k], k).to.equal(undefined);
    const page = await getFrom(`${hub.url}${retracted}`, "127.0.0.1", html);
    expect(page.body).to.not.include('id="copy-warning"');

    // A later sale (another event) marks it sold again, counted from then.
    await capture(parties.importer, [sale(serials[0]!, "2026-05-09T12:00:00+08:00")]);
    const resold = await story(retracted);
    expect(resold.scans).to.include({ copyWarning: false, scansAfterSold: 0 });
    expect(resold.scans.soldAt).to.be.a("string");
  });

  it("EPCIS 2.0 §7.4.1.2: an event its own attester declared in error says so on the page and makes no fact; a declaration sells nothing; another party's declaration corrects nothing", async function () {
    const serial = product.serials[4]!;
    const path = `/01/${product.gtin}/21/${serial}`;
    const item = `https://id.gs1.org/01/${product.gtin}/21/${serial}`;
    const shipped = {
      type: "ObjectEvent",
      eventTime: "2026-04-03T09:00:00+08:00",
      eventTimeZoneOffset: "+08:00",
      action: "OBSERVE",
      bizStep: "shipping",
      readPoint: { id: FACTORY_DOCK },
      epcList: [item],
    };
    const [original] = await publishEvents(parties.forwarder, [shipped]);
    const declare = async (org: TestOrg, event: Record<string, unknown>, reason: string) => {
      const job = await org.client.waitForCapture(
        await org.client.captureEpcis(epcisDocument([{ ...event, errorDeclaration: { declarationTime: "2026-04-04T10:00:00+08:00", reason } }])),
      );
      expect(job.success, JSON.stringify(job)).to.equal(true);
      return job;
    };
    // Another partner (the importer) declares the forwarder's event erroneous: that corrects nothing.
    await declare(parties.importer, shipped, "did_not_occur");
    const notCorrected = await waitFor("the importer's declaration on the page", async () => {
      const s = await story(path);
      return s.steps.some((x) => x.type === "EpcisEvent" && x.record.body.errorDeclaration !== undefined) ? s : undefined;
    });
    expect(notCorrected.steps.find((x) => x.recordId === original!.id)!.declaredInError).to.equal(undefined);

    // The forwarder declares its own event erroneous: the step says so, with its reason, and leaves the facts.
    await declare(parties.forwarder, shipped, "incorrect_data");
    const corrected = await waitFor("the forwarder's own declaration applied", async () => {
      const s = await story(path);
      return s.steps.find((x) => x.recordId === original!.id)!.declaredInError ? s : undefined;
    });
    const step = corrected.steps.find((x) => x.recordId === original!.id)!;
    expect(step.declaredInError).to.include({ at: "2026-04-04T10:00:00+08:00", reason: "incorrect_data" });
    const declaration = corrected.steps.find((x) => x.recordId === step.declaredInError!.declaration)!;
    expect(declaration.capturedBy?.orgId).to.equal(parties.forwarder.id);
    // The declaration's errorDeclaration is public: a browser sees what the hub's label rests on.
    expect(declaration.record.body.errorDeclaration).to.deep.equal({ declarationTime: "2026-04-04T10:00:00+08:00", reason: "incorrect_data" });
    for (const f of corrected.facts) expect([original!.id, declaration.recordId]).to.not.include(f.source?.recordId);
    const page = await (await fetch(`${hub.url}${path}`, { headers: html })).text();
    expect(page).to.match(
      new RegExp(
        `data-record-id="${original!.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"[\\s\\S]*?data-correction="declaredInError"[^<]*<span class="badge">Declared in error on`,
      ),
    );
    expect(page).to.include('data-correction="errorDeclaration"');

    // A declaration of a sale that was never captured: the item is not sold.
    const sale = {
      type: "ObjectEvent",
      eventTime: "2026-05-03T12:00:00+08:00",
      eventTimeZoneOffset: "+08:00",
      action: "OBSERVE",
      bizStep: "retail_selling",
      disposition: "retail_sold",
      epcList: [item],
    };
    await declare(parties.importer, sale, "incorrect_data");
    const unsold = await waitFor("the sale's declaration on the page", async () => {
      const s = await story(path);
      return s.steps.some((x) => x.record.body.disposition === "retail_sold") ? s : undefined;
    });
    expect(unsold.scans.soldAt).to.equal(undefined);
  });
});
