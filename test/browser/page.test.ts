// The consumer's page in real Chromium (the binary the npm package @sparticuz/chromium ships, driven by playwright-core),
// against a real hub process, a real chain and a real database: the timeline renders, the browser's
// own verification turns every step green, a step tampered with in the database red, and a
// certification revoked on chain red/"revoked"; each attester's kind shows, and what parties the
// brand did not name say never appears. Screenshots at phone and desktop size go to
// test-output/screenshots/.
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { expect } from "chai";
import { chromium, type Browser, type Page } from "playwright-core";
import npmChromium from "@sparticuz/chromium";
import { HubError } from "../../sdk/client";
import type { ProductStory } from "../../sdk/provenance/story";
import { admit, freshDatabase, hubEnv, isPostgres, sql, startHubProcess, startTestChain, type HubProcess, type TestChain } from "../integration/harness";
import {
  FACTORY_DOCK,
  FIXTURE_ENV,
  admitParties,
  lotUri,
  markSold,
  publishEvents,
  publishProduct,
  revokeOnChain,
  type Parties,
  type Product,
} from "./product-fixture";

const SCREENSHOTS = join(__dirname, "..", "..", "test-output", "screenshots");
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

describe(`the provenance page in Chromium (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(240_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let parties: Parties;
  let product: Product;
  let browser: Browser;
  const pageUrl = () => `${hub.url}/01/${product.gtin}/10/${product.lot}`;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url, FIXTURE_ENV));
    parties = await admitParties(hub.url);
    product = await publishProduct(parties, { gtin13: "0950600013436", lot: "LOT-B7", serials: ["B7-0001"], orderNumber: "SO-BROWSER-1" });
    browser = await chromium.launch({
      // From npm, unpacked on first use: a machine with only Node.js and npm runs this test too.
      executablePath: await npmChromium.executablePath(),
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async function () {
    await browser?.close();
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  async function open(url: string, viewport = DESKTOP, locale = "en-GB"): Promise<Page> {
    const context = await browser.newContext({ viewport, locale, ...(viewport === PHONE ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    (page as Page & { errors?: string[] }).errors = errors;
    const res = await page.goto(url);
    expect(res?.status()).to.equal(200);
    return page;
  }

  /** Clicks "Verify in my browser" (unless `auto`) and waits until every step has the browser's verdict. */
  async function verify(page: Page, auto = false): Promise<Record<string, string>> {
    if (!auto) await page.click("#verify-button");
    await page.waitForFunction(
      () => {
        const steps = Array.from(document.querySelectorAll<HTMLElement>("li.step"));
        return steps.length > 0 && steps.every((s) => s.dataset.browser && s.dataset.browser !== "checking") && !!document.body.dataset.verified;
      },
      undefined,
      { timeout: 60_000 },
    );
    return page.$$eval("li.step", (items) => Object.fromEntries(items.map((i) => [(i as HTMLElement).dataset.recordId!, (i as HTMLElement).dataset.browser!])));
  }

  it("the timeline renders with every step and the six facts; verifying in the browser turns all green", async function () {
    const page = await open(pageUrl());
    const ids = await page.$$eval("li.step", (items) => items.map((i) => (i as HTMLElement).dataset.recordId));
    expect([...ids].sort()).to.deep.equal(product.onPage.map((r) => r.id).sort());
    const facts = await page.$$eval(".fact", (els) => els.map((e) => [(e as HTMLElement).dataset.fact, (e as HTMLElement).dataset.known]));
    expect(facts).to.deep.equal([
      ["origin", "true"],
      ["departurePoint", "true"],
      ["importer", "true"],
      ["portOfEntry", "true"],
      ["customsStatus", "true"],
      ["dispatchWarehouse", "true"],
    ]);
    expect(await page.textContent(".fact[data-fact=customsStatus] .value")).to.equal("Released by customs");
    expect(await page.textContent(".fact[data-fact=origin] .value")).to.equal("France");
    const verdicts = await verify(page);
    for (const [id, v] of Object.entries(verdicts)) expect(v, id).to.equal("verified");
    expect(await page.textContent("#verify-status")).to.equal(`${ids.length} of ${ids.length} steps verified`);
    expect((page as Page & { errors?: string[] }).errors).to.deep.equal([]);
    await page.screenshot({ path: join(SCREENSHOTS, "page-desktop.png"), fullPage: true });
    await page.context().close();
  });

  it("each attester's kind shows (brand, partner, accredited certifier); a non-authorised party's certificate, event and sale never appear", async function () {
    const stranger = await admit(hub.url, "copy-mall", ["PLATFORM"]);
    const elsewhere = "urn:epc:id:sgln:6900000.00666.0";
    // A customs broker's certificate of origin naming another country: refused by the hub's authority
    // check, or stored and never shown.
    await parties.broker.client
      .publish("Certification", {
        kind: "CERTIFICATE_OF_ORIGIN",
        certificateNumber: "CO-BROKER-B7",
        issuedTo: "Aurora Audio SAS",
        subjects: [lotUri(product.gtin, product.lot)],
        scope: "Origin",
        originCountry: "CN",
        validFrom: "2026-04-01",
        validUntil: "2030-04-01",
      })
      .catch((e: unknown) => expect(e).to.be.instanceOf(HubError).with.property("status", 403));
    const [foreign] = await publishEvents(stranger, [
      {
        type: "ObjectEvent",
        eventTime: "2026-04-23T10:00:00+08:00",
        eventTimeZoneOffset: "+08:00",
        action: "OBSERVE",
        bizStep: "departing",
        readPoint: { id: elsewhere },
        quantityList: [{ epcClass: lotUri(product.gtin, product.lot), quantity: 1 }],
      },
    ]);
    const sold = await markSold(parties, product.gtin, product.serials[0]!, stranger);
    await new Promise((r) => setTimeout(r, 1100)); // the hub reuses an assembled story for up to a second

    const page = await open(pageUrl());
    const kinds = await page.$$eval("li.step", (items) =>
      Object.fromEntries(items.map((i) => [(i as HTMLElement).dataset.recordId!, (i as HTMLElement).dataset.attester!])),
    );
    expect(Object.keys(kinds).sort()).to.deep.equal(product.onPage.map((r) => r.id).sort());
    expect(kinds[product.batch.id]).to.equal("brand");
    expect(kinds[product.certificate.id]).to.equal("certifier");
    for (const e of Object.values(product.events)) expect(kinds[e.id], e.id).to.equal("partner");
    expect(await page.textContent(`li.step[data-record-id="${product.certificate.id}"] .who .kind`)).to.equal("Accredited certifier");
    expect(await page.textContent(`li.step[data-record-id="${product.events.shipping.id}"] .who .kind`)).to.equal("Supply-chain partner");
    expect(await page.textContent(`li.step[data-record-id="${product.batch.id}"] .who .kind`)).to.equal("Brand");
    expect(await page.textContent(".fact[data-fact=origin] .value")).to.equal("France");
    expect(await page.textContent(".fact[data-fact=origin] .by .kind")).to.equal("Accredited certifier");
    expect(await page.textContent(".fact[data-fact=dispatchWarehouse] .by .kind")).to.equal("Supply-chain partner");
    expect(await page.textContent("#product .brand-owner .kind")).to.equal("Brand");
    expect(await page.textContent("#product .partners")).to.include("(Forwarder)");
    const text = (await page.textContent("body"))!;
    for (const t of [stranger.id, elsewhere, "CO-BROKER-B7", "China", foreign!.id, sold.id]) expect(text).to.not.include(t);
    const verdicts = await verify(page);
    for (const [id, v] of Object.entries(verdicts)) expect(v, id).to.equal("verified");
    await page.screenshot({ path: join(SCREENSHOTS, "page-attesters-desktop.png"), fullPage: true });
    await page.context().close();
    // The item the stranger "sold" is not sold: its scans never count towards a copy warning.
    const item = await open(`${hub.url}/01/${product.gtin}/21/${product.serials[0]}`);
    expect(await item.$("#copy-warning")).to.equal(null);
    expect(await item.$(`li.step[data-record-id="${sold.id}"]`)).to.equal(null);
    const itemStory = (await (await fetch(`${hub.url}/provenance/story/01/${product.gtin}/21/${product.serials[0]}`)).json()) as ProductStory;
    expect(itemStory.scans.soldAt).to.equal(undefined);
    await item.context().close();
    const hant = await open(`${pageUrl()}?lang=zh-Hant`);
    expect(await hant.textContent(`li.step[data-record-id="${product.certificate.id}"] .who .kind`)).to.equal("認可認證機構");
    expect(await hant.textContent(`li.step[data-record-id="${product.events.shipping.id}"] .who .kind`)).to.equal("供應鏈夥伴");
    await hant.context().close();
  });

  it("the browser does not take the hub's word for an attester: a step the story mislabels turns red", async function () {
    const page = await open(pageUrl());
    // The story as a dishonest hub would send it: the certifier presented as one of the brand's partners.
    await page.route(/\/provenance\/story\//, async (route) => {
      const res = await route.fetch();
      const story = (await res.json()) as ProductStory;
      for (const s of story.steps) if (s.recordId === product.certificate.id) s.attestedBy.kind = "partner";
      await route.fulfill({ response: res, json: story });
    });
    const verdicts = await verify(page);
    expect(verdicts[product.certificate.id]).to.equal("failed");
    for (const [id, v] of Object.entries(verdicts)) if (id !== product.certificate.id) expect(v, id).to.equal("verified");
    expect(await page.textContent(`li.step[data-record-id="${product.certificate.id}"] ul.reasons.browser`)).to.match(
      /attester: .* is shown as partner, but is certifier/,
    );
    await page.context().close();
  });

  it("on a phone (390 x 844): one column, nothing wider than the screen", async function () {
    const page = await open(pageUrl(), PHONE);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).to.be.at.most(PHONE.width);
    const [timelineX, factsX] = await Promise.all([page.locator("#timeline").boundingBox(), page.locator("#facts").boundingBox()]);
    expect(timelineX!.x).to.equal(factsX!.x); // stacked, not side by side
    await verify(page);
    await page.screenshot({ path: join(SCREENSHOTS, "page-phone.png"), fullPage: true });
    await page.context().close();
  });

  /** A JSON-RPC endpoint on 127.0.0.1 in front of the test chain that counts what it is asked (CORS open, as a public node's). */
  async function countingRpc(): Promise<{ url: string; calls: () => number; stop(): Promise<void> }> {
    let calls = 0;
    const server = createServer((req, res) => {
      res.setHeader("access-control-allow-origin", "*");
      res.setHeader("access-control-allow-headers", "content-type");
      if (req.method === "OPTIONS") return void res.end();
      calls++;
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void fetch(chain.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) })
          .then(async (r) => res.setHeader("content-type", "application/json").end(await r.text()))
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      calls: () => calls,
      stop: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it("a link's ?rpc= with #verify verifies against the hub's RPC, not the linked one, and says nothing of a choice", async function () {
    const foreign = await countingRpc();
    try {
      const page = await open(`${pageUrl()}?rpc=${encodeURIComponent(foreign.url)}#verify`);
      expect(await page.inputValue("#rpc-url")).to.equal(chain.rpcUrl);
      const verdicts = await verify(page, true);
      expect(
        Object.values(verdicts).every((v) => v === "verified"),
        JSON.stringify(verdicts),
      ).to.equal(true);
      expect(await page.getAttribute("body", "data-rpc")).to.equal("hub");
      expect(await page.isHidden("#verify-rpc")).to.equal(true);
      expect(foreign.calls()).to.equal(0);
      await page.context().close();
    } finally {
      await foreign.stop();
    }
  });

  it("another RPC URL typed in the page reloads it allowed by the CSP, verifies against it and says it was the person's choice", async function () {
    const other = await countingRpc();
    try {
      const page = await open(pageUrl());
      await page.fill("#rpc-url", other.url);
      await page.click("#verify-button");
      await page.waitForURL((u) => u.searchParams.get("rpc") === other.url && u.hash === "#verify");
      const verdicts = await verify(page, true);
      expect(
        Object.values(verdicts).every((v) => v === "verified"),
        JSON.stringify(verdicts),
      ).to.equal(true);
      expect(other.calls()).to.be.greaterThan(0);
      expect(await page.getAttribute("body", "data-rpc")).to.equal("chosen");
      expect(await page.isVisible("#verify-rpc")).to.equal(true);
      expect(await page.textContent("#verify-rpc")).to.equal(`Checked against ${other.url}, the RPC you chose, not this hub's.`);
      // Put back to the hub's RPC: verified against it, the note gone, no reload needed.
      const before = other.calls();
      await page.fill("#rpc-url", chain.rpcUrl);
      await verify(page);
      expect(await page.getAttribute("body", "data-rpc")).to.equal("hub");
      expect(await page.isHidden("#verify-rpc")).to.equal(true);
      expect(other.calls()).to.equal(before);
      // Reloading the chosen link later is a link again: the hub's RPC.
      await page.reload();
      expect(await page.inputValue("#rpc-url")).to.equal(chain.rpcUrl);
      await page.context().close();
    } finally {
      await other.stop();
    }
  });

  it("the language switch shows Chinese strings; Accept-Language picks Traditional for zh-TW", async function () {
    const page = await open(pageUrl());
    await page.click('nav.languages a[hreflang="zh-Hans"]');
    await page.waitForURL(/lang=zh-Hans/);
    expect(await page.getAttribute("html", "lang")).to.equal("zh-Hans");
    expect(await page.textContent("#verify-button")).to.equal("在我的浏览器中验证");
    expect(await page.textContent("#timeline h2")).to.equal("时间轴");
    await page.context().close();
    const tw = await open(pageUrl(), DESKTOP, "zh-TW");
    expect(await tw.getAttribute("html", "lang")).to.equal("zh-Hant");
    expect(await tw.textContent("#timeline h2")).to.equal("時間軸");
    const verdicts = await verify(tw);
    expect(Object.values(verdicts).every((v) => v === "verified")).to.equal(true);
    expect(await tw.textContent("li.step .verdict.browser .badge")).to.equal("已驗證");
    await tw.screenshot({ path: join(SCREENSHOTS, "page-zh-Hant-desktop.png"), fullPage: true });
    await tw.context().close();
  });

  it("a step tampered with in the database turns red; the others stay green", async function () {
    const target = product.events.shipping;
    await sql(database.url, `UPDATE "RecordVersion" SET "body" = replace("body", $1, $2) WHERE "recordId" = $3`, [
      FACTORY_DOCK,
      "urn:epc:id:sgln:0000000.00000.0",
      target.id,
    ]);
    await new Promise((r) => setTimeout(r, 1100)); // the hub reuses an assembled story for up to a second (PAGE_CACHE_MS)
    const page = await open(pageUrl());
    expect(await page.getAttribute(`li.step[data-record-id="${target.id}"]`, "data-status")).to.equal("failed");
    const verdicts = await verify(page);
    expect(verdicts[target.id]).to.equal("failed");
    for (const [id, v] of Object.entries(verdicts)) if (id !== target.id) expect(v, id).to.equal("verified");
    const reasons = await page.textContent(`li.step[data-record-id="${target.id}"] ul.reasons.browser`);
    expect(reasons).to.match(/digest mismatch/);
    await page.screenshot({ path: join(SCREENSHOTS, "page-tampered-desktop.png"), fullPage: true });
    await page.context().close();
  });

  it("a certification revoked on chain shows revoked at once and verifies red; #verify runs on load", async function () {
    await revokeOnChain(chain, parties.certifier, product.certificate.digest, "certificate withdrawn after audit");
    await new Promise((r) => setTimeout(r, 1100)); // the hub reuses revocation readings and stories for up to a second
    const page = await open(`${pageUrl()}#verify`);
    const item = `li.step[data-record-id="${product.certificate.id}"]`;
    expect(await page.getAttribute(`${item} .cert`, "data-cert")).to.equal("revoked");
    expect(await page.textContent(`${item} .cert .badge`)).to.equal("Revoked");
    const verdicts = await verify(page, true);
    expect(verdicts[product.certificate.id]).to.equal("revoked");
    expect(await page.textContent(`${item} .verdict.browser .badge`)).to.equal("Revoked");
    expect(await page.textContent(`${item} ul.reasons.browser`)).to.match(/certificate withdrawn after audit/);
    await page.screenshot({ path: join(SCREENSHOTS, "page-revoked-desktop.png"), fullPage: true });
    await page.context().close();
  });
});
