import { expect } from "chai";
import { ProductStorySchema, type ProductStory } from "../../sdk/provenance/story";
import { HubError } from "../../sdk/client";
import { MasterDataAnswerSchema } from "../../server/epcis/master-data";
import {
  FIXTURE_ENV,
  FACTORY_DOCK,
  admitParties,
  epcisDocument,
  lotUri,
  publishEvents,
  publishProduct,
  type Parties,
  type Product,
} from "../browser/product-fixture";
import { admit, freshDatabase, hubEnv, isPostgres, sql, startHubProcess, startTestChain, waitFor, type HubProcess, type TestChain } from "./harness";

/** A location under the brand's GS1 company prefix 950600 (harness TEST_GS1_PREFIXES). */
const LYON = "urn:epc:id:sgln:9506000.00001.0";
const html = { accept: "text/html,application/xhtml+xml" };

const mda = (id: string, attrs: Record<string, unknown>) => ({
  id,
  attributes: Object.entries(attrs).map(([k, v]) => ({ id: k.includes(":") ? k : `urn:epcglobal:cbv:mda:${k}`, attribute: v })),
});
/** A capture document with one event and the given location master data in its header (EPCIS 2.0 §6.5). */
const withMasterData = (event: Record<string, unknown>, elements: ReturnType<typeof mda>[], type = "urn:epcglobal:epcis:vtype:BusinessLocation") => ({
  ...epcisDocument([event]),
  epcisHeader: { epcisMasterData: { vocabularyList: [{ type, vocabularyElementList: elements }] } },
});

describe(`EPCIS master data: names of locations and parties (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let parties: Parties;
  let product: Product;
  const lotPath = () => `/01/${product.gtin}/10/${product.lot}`;
  const shipping = (time: string, where: string) => ({
    type: "ObjectEvent",
    eventTime: time,
    eventTimeZoneOffset: "+02:00",
    action: "OBSERVE",
    bizStep: "shipping",
    readPoint: { id: where },
    quantityList: [{ epcClass: lotUri(product.gtin, product.lot), quantity: 10 }],
  });
  const statements = async () =>
    sql<{ recordId: string; elementId: string; attester: string }>(
      database.url,
      `SELECT "recordId", "elementId", "attester" FROM "EpcisMasterData" ORDER BY "recordId"`,
    );

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url, { ...FIXTURE_ENV, PAGE_CACHE_MS: "0" }));
    parties = await admitParties(hub.url);
    product = await publishProduct(parties, { gtin13: "0950600013435", lot: "LOT-MD1", serials: ["SN0001"], orderNumber: "SO-MD-1" });
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  async function story(): Promise<ProductStory> {
    const res = await fetch(`${hub.url}/provenance/story${lotPath()}`, { headers: { accept: "application/json" } });
    expect(res.status, await res.clone().text()).to.equal(200);
    return ProductStorySchema.parse(await res.json());
  }
  const page = async () => (await fetch(`${hub.url}${lotPath()}`, { headers: html })).text();

  it("the location's owner names it: the page shows its name and country where it showed the SGLN (step and departure point), with the SGLN as title", async function () {
    const job = await parties.brand.client.waitForCapture(
      await parties.brand.client.captureEpcis(
        withMasterData(shipping("2026-04-01T08:00:00+02:00", LYON), [
          mda(LYON, {
            name: "Lyon plant",
            streetAddressOne: "1 rue du Port",
            city: "Lyon",
            postalCode: "69007",
            countryCode: "FR",
            latitude: 45.75,
            "urn:example:dock": "D1",
          }),
        ]),
      ),
    );
    expect(job.success, JSON.stringify(job)).to.equal(true);
    const s = await waitFor("the brand's event on the page", async () => ((await story()).places?.[LYON] ? story() : undefined));
    expect(s.places![LYON]).to.deep.include({ name: "Lyon plant", city: "Lyon", countryCode: "FR", attestedBy: parties.brand.id });
    // The statement is an anchored, hub-attested record: its public fields name the location.
    const [row] = (await statements()).filter((r) => r.elementId === LYON && r.attester === parties.brand.id);
    expect(row, "the brand's statement is indexed").to.not.equal(undefined);
    expect(s.places![LYON]!.source).to.deep.equal({ recordId: row!.recordId, version: 1, type: "EpcisMasterData" });
    const departure = s.facts.find((f) => f.key === "departurePoint")!;
    expect(departure.value).to.equal(LYON); // the fact stays the checkable id; the page writes the name
    const text = await page();
    expect(text).to.include(`<p class="where">`);
    expect(text).to.match(new RegExp(`<p class="where">[^<]*: <span class="place" title="${LYON}" data-place-id="${LYON}"[^>]*>Lyon plant, France</span>`));
    expect(text).to.match(new RegExp(`data-fact="departurePoint"[^]*?<span class="value"><span class="place" title="${LYON}"[^>]*>Lyon plant, France</span>`));
  });

  it("another organisation's name for a location it does not own is stored but never shown, and does not replace the owner's", async function () {
    const before = await statements();
    const job = await parties.forwarder.client.waitForCapture(
      await parties.forwarder.client.captureEpcis(
        withMasterData(shipping("2026-04-03T08:00:00+02:00", FACTORY_DOCK), [
          mda(LYON, { name: "Forwarder's name for Lyon", countryCode: "DE" }),
          mda(FACTORY_DOCK, { name: "Dock named by the forwarder", countryCode: "CN" }),
        ]),
      ),
    );
    expect(job.success, JSON.stringify(job)).to.equal(true);
    const theirs = (await statements()).filter((r) => r.attester === parties.forwarder.id);
    expect(theirs.map((r) => r.elementId).sort()).to.deep.equal([FACTORY_DOCK, LYON].sort());
    expect((await statements()).length).to.equal(before.length + 2);
    const s = await story();
    expect(s.places![LYON]!.name).to.equal("Lyon plant");
    expect(s.places).to.not.have.property(FACTORY_DOCK);
    const text = await page();
    for (const hidden of ["Forwarder&#39;s name for Lyon", "Forwarder's name for Lyon", "Dock named by the forwarder"]) expect(text).to.not.include(hidden);
    expect(text).to.include(`<span>${FACTORY_DOCK}</span>`);
  });

  it("the owner's new statement is a new version of its record; the same statement again changes nothing", async function () {
    const doc = (name: string) => withMasterData(shipping("2026-04-01T09:00:00+02:00", LYON), [mda(LYON, { name, countryCode: "FR" })]);
    await parties.brand.client.waitForCapture(await parties.brand.client.captureEpcis(doc("Lyon plant (Gerland)")));
    const s = await story();
    expect(s.places![LYON]).to.deep.include({ name: "Lyon plant (Gerland)" });
    expect(s.places![LYON]!.source.version).to.equal(2);
    await parties.brand.client.waitForCapture(await parties.brand.client.captureEpcis(doc("Lyon plant (Gerland)")));
    expect((await story()).places![LYON]!.source.version).to.equal(2);
  });

  it("the capturer reads its own statement as a record the hub attested for it; an organisation that did not state it gets the 404 of a record nobody has", async function () {
    const [row] = (await statements()).filter((r) => r.elementId === FACTORY_DOCK && r.attester === parties.forwarder.id);
    const record = await parties.forwarder.client.getRecord(row!.recordId);
    expect(record.record.type).to.equal("EpcisMasterData");
    expect(record.record.body).to.deep.include({
      vocabularyType: "urn:epcglobal:epcis:vtype:BusinessLocation",
      id: FACTORY_DOCK,
      name: "Dock named by the forwarder",
      countryCode: "CN",
      capturedBy: parties.forwarder.id,
    });
    const outsider = await admit(hub.url, "md-outsider", ["PLATFORM"]);
    const refused = await outsider.client.getRecord(row!.recordId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((refused as HubError).status).to.equal(404);
  });

  it("on the member path, the owner signs its master data itself (a GLN Digital Link, a PGLN too); a member's capturedBy is refused", async function () {
    const dock = "https://id.gs1.org/414/9506000000025";
    const party = "urn:epc:id:pgln:9506000.00003";
    await parties.brand.client.publish(
      "EpcisMasterData",
      { vocabularyType: "urn:epcglobal:epcis:vtype:ReadPoint", id: dock, name: "Lyon north dock", countryCode: "FR", attributes: [] },
      { id: `${parties.brand.id}:mda-dock` },
    );
    await parties.brand.client.publish(
      "EpcisMasterData",
      { vocabularyType: "urn:epcglobal:epcis:vtype:Party", id: party, name: "Aurora Audio SAS", countryCode: "FR", attributes: [] },
      { id: `${parties.brand.id}:mda-party` },
    );
    expect((await statements()).filter((r) => r.attester === parties.brand.id).map((r) => r.elementId)).to.include.members([dock, party]);
    await publishEvents(parties.brand, [shipping("2026-04-01T10:00:00+02:00", dock)]);
    const s = await story();
    expect(s.places![dock]).to.deep.include({
      name: "Lyon north dock",
      attestedBy: parties.brand.id,
      source: { recordId: `${parties.brand.id}:mda-dock`, version: 1, type: "EpcisMasterData" },
    });
    expect(await page()).to.include(`title="${dock}"`);
    const claimed = await parties.forwarder.client
      .publish(
        "EpcisMasterData",
        { vocabularyType: "urn:epcglobal:epcis:vtype:ReadPoint", id: FACTORY_DOCK, name: "x", attributes: [], capturedBy: parties.brand.id },
        { id: `${parties.forwarder.id}:mda-claim` },
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((claimed as HubError).status).to.equal(403);
    expect((claimed as HubError).problem.type).to.match(/hub-attested-only$/);
  });

  it("GET /v1/master-data answers the owner's statement and the caller's own, and of others' nothing (as for an id nobody named)", async function () {
    const get = async (org: typeof parties.brand, id: string) => {
      const res = await fetch(`${hub.url}/v1/master-data?id=${encodeURIComponent(id)}`, {
        headers: { authorization: `Bearer ${await org.client.accessToken()}` },
      });
      expect(res.status).to.equal(200);
      return MasterDataAnswerSchema.parse(await res.json());
    };
    const forBrand = await get(parties.brand, LYON);
    expect(forBrand.ownerPublished).to.deep.include({ name: "Lyon plant (Gerland)", attestedBy: parties.brand.id });
    expect(forBrand.statements.map((x) => [x.attester, x.ownerPublished])).to.deep.equal([[parties.brand.id, true]]);
    const forForwarder = await get(parties.forwarder, LYON);
    expect(forForwarder.ownerPublished).to.deep.equal(forBrand.ownerPublished);
    expect(forForwarder.statements.map((x) => [x.attester, x.body.name]).sort()).to.deep.equal(
      [
        [parties.brand.id, "Lyon plant (Gerland)"],
        [parties.forwarder.id, "Forwarder's name for Lyon"],
      ].sort(),
    );
    const outsider = await admit(hub.url, "md-reader", ["PLATFORM"]);
    expect(await get(outsider, FACTORY_DOCK)).to.deep.equal({ id: FACTORY_DOCK, statements: [] });
    expect(await get(outsider, "urn:epc:id:sgln:9506000.09999.0")).to.deep.equal({ id: "urn:epc:id:sgln:9506000.09999.0", statements: [] });
    const bad = await fetch(`${hub.url}/v1/master-data`, { headers: { authorization: `Bearer ${await outsider.client.accessToken()}` } });
    expect(bad.status).to.equal(400);
    expect(bad.headers.get("content-type")).to.match(/^application\/problem\+json/);
  });

  describe("EPCIS queries over master data (WD_, HASATTR_, EQATTR_): the owner's statements and the caller's own count, another organisation's never", function () {
    // Sites under the brand's prefix 950600: the brand owns them. OWN_SITE is under a prefix nobody holds.
    const SITE = "urn:epc:id:sgln:9506000.00100.0";
    const DOCK = "urn:epc:id:sgln:9506000.00101.0";
    const BAY = "urn:epc:id:sgln:9506000.00102.0";
    const ROGUE = "urn:epc:id:sgln:9506000.00103.0";
    const OWN_SITE = "urn:epc:id:sgln:4012345.00200.0";
    let querier: Awaited<ReturnType<typeof admit>>;
    /** The querier's event number t: at minute t. */
    const at = (t: string, readPoint: string, extra: Record<string, unknown> = {}) => ({ ...shipping(`2026-04-10T08:0${t}:00+02:00`, readPoint), ...extra });
    /** The numbers (q-{minute}) of the querier's events its query answers (it sees only its own). */
    const tags = async (params: Record<string, string>) => {
      const res = await fetch(`${hub.url}/epcis/events?${new URLSearchParams({ ...params, perPage: "1000" }).toString()}`, {
        headers: { authorization: `Bearer ${await querier.client.accessToken()}` },
      });
      expect(res.status, await res.clone().text()).to.equal(200);
      const list = ((await res.json()) as { epcisBody: { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } } }).epcisBody.queryResults
        .resultsBody.eventList;
      return list.map((e) => `q-${/T\d\d:0(\d)/.exec(String(e.eventTime))?.[1]}`).sort();
    };
    const state = async (org: typeof parties.brand, elements: (ReturnType<typeof mda> & { children?: string[] })[]) => {
      const job = await org.client.waitForCapture(await org.client.captureEpcis(withMasterData(shipping("2026-04-09T08:00:00+02:00", FACTORY_DOCK), elements)));
      expect(job.success, JSON.stringify(job)).to.equal(true);
    };

    before(async function () {
      querier = await admit(hub.url, "md-querier", ["FORWARDER"]);
      // The owner: SITE holds DOCK, DOCK holds BAY and (a cycle) SITE; SITE is a cold zone with a name.
      await state(parties.brand, [
        { ...mda(SITE, { name: "Lyon cold store", "urn:example:zone": "cold" }), children: [DOCK] },
        { ...mda(DOCK, {}), children: [BAY, SITE] },
      ]);
      // Another organisation (no owner of these sites): ROGUE under SITE, and attributes it may not give.
      await state(parties.forwarder, [
        { ...mda(SITE, {}), children: [ROGUE] },
        mda(ROGUE, { name: "Rogue bay", "urn:example:zone": "cold" }),
        mda(DOCK, { "urn:example:hazard": "yes" }),
      ]);
      // The querier's own events, and its own statement about a site nobody owns.
      const job = await querier.client.waitForCapture(
        await querier.client.captureEpcis({
          ...withMasterData(at("1", SITE), [mda(OWN_SITE, { "urn:example:zone": "ambient" })]),
          epcisBody: { eventList: [at("1", SITE), at("2", DOCK, { bizLocation: { id: DOCK } }), at("3", BAY), at("4", ROGUE), at("5", OWN_SITE)] },
        }),
      );
      expect(job.success, JSON.stringify(job)).to.equal(true);
    });

    it("WD_readPoint / WD_bizLocation: the site and its descendants by the owner's children (a cycle once), not a child another organisation names", async function () {
      expect(await tags({ WD_readPoint: SITE })).to.deep.equal(["q-1", "q-2", "q-3"]);
      expect(await tags({ WD_readPoint: DOCK })).to.deep.equal(["q-1", "q-2", "q-3"]);
      expect(await tags({ WD_bizLocation: SITE })).to.deep.equal(["q-2"]);
      expect(await tags({ EQ_readPoint: SITE })).to.deep.equal(["q-1"]);
      expect(await tags({ WD_readPoint: ROGUE }), "the rogue child is still its own place").to.deep.equal(["q-4"]);
    });

    it("HASATTR_ / EQATTR_: the owner's attributes and the caller's own match; another organisation's never", async function () {
      expect(await tags({ HASATTR_readPoint: "urn:example:zone" })).to.deep.equal(["q-1", "q-5"]);
      expect(await tags({ HASATTR_readPoint: "urn:epcglobal:cbv:mda#name" })).to.deep.equal(["q-1"]);
      expect(await tags({ HASATTR_readPoint: "urn:example:hazard" })).to.deep.equal([]);
      expect(await tags({ "EQATTR_readPoint_urn:example:zone": "cold" })).to.deep.equal(["q-1"]);
      expect(await tags({ "EQATTR_readPoint_urn:example:zone": "ambient" })).to.deep.equal(["q-5"]);
      expect(await tags({ "EQATTR_readPoint_urn:example:hazard": "yes" })).to.deep.equal([]);
      // The SDK's EpcisQueryParams types every parameter the hub accepts, the families too.
      const viaSdk = await querier.client.epcisQuery({
        WD_readPoint: [SITE],
        "EQATTR_readPoint_urn:example:zone": ["cold", "ambient"],
        HASATTR_readPoint: ["urn:epcglobal:cbv:mda:name"],
        perPage: 1000,
      });
      expect(viaSdk.epcisBody.queryResults.resultsBody.eventList.map((e) => e.readPoint)).to.deep.equal([{ id: SITE }]);
    });
  });

  for (const [what, element] of [
    ["a country that is no ISO 3166-1 alpha-2 code", mda(LYON, { name: "Lyon", countryCode: "France" })],
    ["a latitude beyond 90 degrees", mda(LYON, { name: "Lyon", latitude: "123.5" })],
    ["a name that is an object", mda(LYON, { name: { text: "Lyon" } })],
    ["an element without an id", { attributes: [] }],
  ] as const) {
    it(`bad master data (${what}) is a 400 problem and stores nothing, neither the master data nor the events`, async function () {
      const before = await statements();
      const events = await sql<{ n: unknown }>(database.url, `SELECT COUNT(*) AS "n" FROM "EpcisEvent"`);
      const e = await parties.brand.client.captureEpcis(withMasterData(shipping("2026-04-05T08:00:00+02:00", LYON), [element as ReturnType<typeof mda>])).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).to.be.instanceOf(HubError);
      expect((e as HubError).status).to.equal(400);
      expect((e as HubError).problem.type).to.match(/epcis-validation$/);
      expect(await statements()).to.deep.equal(before);
      expect(await sql<{ n: unknown }>(database.url, `SELECT COUNT(*) AS "n" FROM "EpcisEvent"`)).to.deep.equal(events);
      expect((await story()).places![LYON]!.name).to.equal("Lyon plant (Gerland)");
    });
  }
});
