import { expect } from "chai";
import QRCode from "qrcode";
import { HubError } from "../../sdk/client";
import { compressDigitalLink, digitalLinkPath } from "../../sdk/provenance/digital-link";
import type { GtinLink } from "../../sdk/provenance/gtin-links";
import { gs1CheckDigit } from "../../sdk/records/codes";
import type { ProductBatchBody } from "../../sdk/records/product-batch";
import {
  admit,
  credentialsFor,
  freshDatabase,
  hubEnv,
  isPostgres,
  sql,
  startHubProcess,
  startTestChain,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

const gtinFrom = (first13: string) => first13 + gs1CheckDigit(first13);
const GTIN = gtinFrom("0950600013435");
const LOT = "L-7/A"; // "/" must travel percent-encoded
const VOC = "https://gs1.org/voc/";

function batch(gtin: string, over: Partial<ProductBatchBody> = {}): ProductBatchBody {
  return {
    gtin,
    lot: LOT,
    productName: "Aurora ANC headphones",
    brand: "Aurora Audio",
    productionDate: "2026-03-02",
    productionPlace: { name: "Dongguan plant 2", country: "CN", unLocode: "CNDGG" },
    manufacturer: { name: "Aurora Audio Manufacturing", country: "CN" },
    serials: ["S1", "S2"],
    ...over,
  };
}

const problemOf = (e: unknown) => (e instanceof HubError ? `${e.status} ${e.problem.type.split("/").pop()}` : String(e));
async function refusal(p: Promise<unknown>): Promise<HubError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HubError) return e;
    throw e;
  }
  throw new Error("expected the hub to refuse");
}

describe(`provenance codes: GTIN ownership, links, resolver, QR (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let brand: TestOrg;
  let rival: TestOrg;
  let shipper: TestOrg;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(hub.url + path, { headers, redirect: "manual" });
  const problemType = async (res: Response) => {
    expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
    return ((await res.json()) as { type: string }).type.split("/").pop();
  };

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    brand = await admit(hub.url, "aurora-brand", ["BRAND"]);
    rival = await admit(hub.url, "copycat-brand", ["BRAND"]);
    // It holds a GS1 company prefix (the authority check passes), but not the BRAND role.
    shipper = await admit(hub.url, "plain-shipper", ["SHIPPER"], credentialsFor("plain-shipper", ["BRAND"]));
    await brand.client.publish("ProductBatch", batch(GTIN));
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  describe("GTIN ownership", function () {
    it("refuses another brand's batch of an owned GTIN, naming the field, and stores nothing", async function () {
      const e = await refusal(rival.client.publish("ProductBatch", batch(GTIN, { lot: "FAKE1" }), { id: `${rival.id}:copycat-batch-1` }));
      expect(problemOf(e)).to.equal("403 gtin-owned");
      expect(e.problem.errors?.map((x) => x.path)).to.deep.equal(["body.gtin"]);
      expect(await sql(database.url, `SELECT "id" FROM "Record" WHERE "id" = $1`, [`${rival.id}:copycat-batch-1`])).to.have.length(0);
      expect((await get(`/01/${GTIN}/10/FAKE1?linkType=gs1:pip`)).status).to.equal(404);
    });

    it("refuses a whole batch publication when one record names an owned GTIN: its other GTIN stays unclaimed", async function () {
      const fresh = gtinFrom("0950600099999");
      const records = [rival.client.signRecord("ProductBatch", batch(fresh)), rival.client.signRecord("ProductBatch", batch(GTIN, { lot: "FAKE2" }))];
      const e = await refusal(rival.client.publishBatch(records));
      expect(problemOf(e)).to.equal("403 gtin-owned");
      expect(e.problem.errors?.map((x) => x.path)).to.deep.equal(["records.1.body.gtin"]);
      expect(await sql(database.url, `SELECT "gtin" FROM "GtinOwner" WHERE "gtin" = $1`, [fresh])).to.have.length(0);
      expect(await sql(database.url, `SELECT "id" FROM "Record" WHERE "id" IN ($1, $2)`, [records[0].id, records[1].id])).to.have.length(0);
    });

    it("refuses a ProductBatch from an organisation without the BRAND role", async function () {
      const e = await refusal(shipper.client.publish("ProductBatch", batch(gtinFrom("0950600088888"))));
      expect(problemOf(e)).to.equal("403 role-required");
    });

    it("gives a GTIN claimed by two brands at once to exactly one of them", async function () {
      const contested = gtinFrom("0950600077777");
      const results = await Promise.allSettled([
        brand.client.publish("ProductBatch", batch(contested)),
        rival.client.publish("ProductBatch", batch(contested)),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(won).to.have.length(1);
      expect(lost.map((r) => problemOf(r.reason))).to.deep.equal(["403 gtin-owned"]);
      const winner = results[0].status === "fulfilled" ? brand.id : rival.id;
      expect(await sql(database.url, `SELECT "owner" FROM "GtinOwner" WHERE "gtin" = $1`, [contested])).to.deep.equal([{ owner: winner }]);
    });

    it("lets the owner publish more batches and new versions of its GTIN", async function () {
      const { record } = await brand.client.publish("ProductBatch", batch(GTIN, { lot: "L8", serials: ["A1"] }));
      expect((await get(`/01/${GTIN}/10/L8/21/A1?linkType=gs1:pip`)).status).to.equal(307);
      // A new version replaces the serials the resolver knows.
      await brand.client.publish("ProductBatch", batch(GTIN, { lot: "L8", serials: ["A2"] }), { id: record.id, version: 2 });
      expect((await get(`/01/${GTIN}/10/L8/21/A1?linkType=gs1:pip`)).status).to.equal(404);
      expect((await get(`/01/${GTIN}/10/L8/21/A2?linkType=gs1:pip`)).status).to.equal(307);
    });
  });

  describe("links", function () {
    const pip: GtinLink = { linkType: "gs1:pip", href: "https://aurora.example/p/anc", title: "Aurora ANC", hreflang: ["en"], type: "text/html" };
    const pipZh: GtinLink = { linkType: "gs1:pip", href: "https://aurora.example/zh/p/anc", title: "極光降噪耳機", hreflang: ["zh-Hant"] };
    const lotTrace: GtinLink = { linkType: "gs1:traceability", href: "https://aurora.example/trace/l8", title: "Lot L8 trace", lot: "L8" };
    const recall: GtinLink = { linkType: "gs1:recallStatus", href: "https://aurora.example/recalls", title: "Recalls", serial: "S2" };

    it("lets only the owner set a GTIN's links; anyone reads them", async function () {
      const view = await brand.client.setGtinLinks(GTIN, [pip, pipZh, lotTrace, recall]);
      expect(view.owner).to.equal(brand.id);
      expect(view.links).to.deep.equal([pip, pipZh, lotTrace, recall]);
      expect(view.updatedAt).to.be.a("string");
      const read = await rival.client.gtinLinks(GTIN);
      expect(read.links).to.deep.equal(view.links);

      expect(problemOf(await refusal(rival.client.setGtinLinks(GTIN, [])))).to.equal("403 not-gtin-owner");
      expect(problemOf(await refusal(brand.client.setGtinLinks(gtinFrom("0950600066666"), [pip])))).to.equal("404 not-found");
      expect(problemOf(await refusal(brand.client.setGtinLinks("09506000134353", [pip])))).to.equal("400 gtin-check-digit");
      const unauth = await fetch(`${hub.url}/v1/gtins/${GTIN}/links`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ links: [] }),
      });
      expect(unauth.status).to.equal(401);
      expect((await rival.client.gtinLinks(GTIN)).links).to.have.length(4);
    });

    it("validates the links: http(s) URLs, known link types, one default per scope", async function () {
      const bad = [
        [{ ...pip, href: "ftp://aurora.example/x" }],
        [{ ...pip, linkType: "gs1:nonsense" }],
        [{ ...pip, title: "" }],
        [{ ...pip, lot: "bad lot" }],
        [
          { ...pip, default: true },
          { ...pipZh, default: true },
        ],
        [pip, pip],
      ] as GtinLink[][];
      for (const links of bad) {
        const e = await refusal(brand.client.setGtinLinks(GTIN, links));
        expect(problemOf(e), JSON.stringify(links)).to.equal("400 invalid-links");
        expect(e.problem.errors?.[0]?.path).to.match(/^links\.\d/);
      }
      expect((await brand.client.gtinLinks(GTIN)).links).to.have.length(4);
    });
  });

  describe("resolver", function () {
    const path = digitalLinkPath({ gtin: GTIN, lot: LOT });
    const anchor = () => hub.url + path;

    it("redirects (307) to the owner's link of the type first, in the caller's language", async function () {
      let res = await get(`${path}?linkType=gs1:pip`);
      expect(res.status).to.equal(307);
      expect(res.headers.get("location")).to.equal("https://aurora.example/p/anc");
      res = await get(`${path}?linkType=gs1:pip`, { "accept-language": "zh-TW, zh;q=0.9, en;q=0.5" });
      expect(res.headers.get("location")).to.equal("https://aurora.example/zh/p/anc");
      const link = res.headers.get("link")!;
      expect(link).to.include(`<${anchor()}?linkType=linkset>; rel="linkset"`);
      expect(link).to.include(`<https://aurora.example/p/anc>; rel="${VOC}pip"`);
      expect(link).to.include(`title*=UTF-8''${encodeURIComponent("極光降噪耳機")}`);
    });

    it("falls back to the hub's built-in links, and honours link scopes", async function () {
      const location = async (p: string) => {
        const res = await get(p);
        expect(res.status, p).to.equal(307);
        return res.headers.get("location");
      };
      expect(await location(`${path}?linkType=gs1:traceability`)).to.equal(`${hub.url}/provenance/story${path}`);
      expect(await location(`/01/${GTIN}/10/L8?linkType=gs1:traceability`)).to.equal("https://aurora.example/trace/l8");
      expect(await location(`${path}?linkType=${encodeURIComponent(VOC + "certificationInfo")}`)).to.equal(`${hub.url}/provenance/certifications${path}`);
      expect(await location(`${path}?linkType=gs1:verificationService`)).to.equal(`${anchor()}#verify`);
      expect(await location(`${path}?linkType=gs1:epcis`)).to.equal(`${hub.url}/epcis/epcs/${encodeURIComponent(anchor())}/events`);
      expect(await location(`/01/${GTIN}/21/S2?linkType=gs1:recallStatus`)).to.equal("https://aurora.example/recalls");
      // The recall link is scoped to serial S2: the lot has none.
      const res = await get(`${path}?linkType=gs1:recallStatus`);
      expect(res.status).to.equal(404);
      expect(await problemType(res)).to.equal("link-type-unavailable");
    });

    it("answers the RFC 9264 linkset for linkType=all, linkType=linkset and Accept: application/linkset+json", async function () {
      const answers = [await get(`${path}?linkType=all`), await get(`${path}?linkType=linkset`), await get(path, { accept: "application/linkset+json" })];
      const bodies: unknown[] = [];
      for (const res of answers) {
        expect(res.status).to.equal(200);
        expect(res.headers.get("content-type")).to.match(/^application\/linkset\+json/);
        bodies.push(await res.json());
      }
      expect(bodies[1]).to.deep.equal(bodies[0]);
      expect(bodies[2]).to.deep.equal(bodies[0]);
      const { linkset } = bodies[0] as { linkset: Record<string, unknown>[] };
      expect(linkset).to.have.length(1);
      const ctx = linkset[0] as Record<string, { href: string; title: string; type?: string; hreflang?: string[] }[]> & { anchor: string };
      expect(ctx.anchor).to.equal(anchor());
      expect(ctx[`${VOC}pip`].map((l) => l.href)).to.deep.equal(["https://aurora.example/p/anc", "https://aurora.example/zh/p/anc", anchor()]);
      expect(ctx[`${VOC}pip`][0]).to.deep.equal({ href: "https://aurora.example/p/anc", title: "Aurora ANC", type: "text/html", hreflang: ["en"] });
      expect(ctx[`${VOC}defaultLink`].map((l) => l.href)).to.deep.equal([anchor()]);
      for (const type of ["traceability", "certificationInfo", "verificationService", "epcis"]) expect(ctx[VOC + type], type).to.have.length(1);
      expect(ctx[`${VOC}recallStatus`]).to.equal(undefined);
      for (const [key, value] of Object.entries(ctx))
        if (key !== "anchor")
          expect(
            (value as { href: unknown; title: unknown }[]).every((l) => typeof l.href === "string" && typeof l.title === "string"),
            key,
          ).to.equal(true);
    });

    it("404s unknown codes and unknown link types, 400s invalid Digital Links naming the reason", async function () {
      const cases: [string, number, string][] = [
        [`/01/${GTIN}/10/NO-SUCH-LOT?linkType=gs1:pip`, 404, "unknown-code"],
        [`/01/${gtinFrom("0950600055555")}`, 404, "unknown-code"],
        [`/01/${GTIN}/21/S9?linkType=all`, 404, "unknown-code"],
        [`${path}?linkType=gs1:nonsense`, 404, "unknown-link-type"],
        [`${path}?linkType=pip`, 404, "unknown-link-type"],
        [`/01/09506000134353/10/${encodeURIComponent(LOT)}`, 400, "digital-link-check-digit"],
        [`/01/${GTIN}/99/x`, 400, "digital-link-unknown-ai"],
        [`/01/${GTIN}/21/S1/10/L1`, 400, "digital-link-syntax"],
        [`/01/${GTIN}/10/a%23b`, 400, "digital-link-bad-value"],
      ];
      for (const [p, status, type] of cases) {
        const res = await get(p, { accept: "application/json" });
        expect(res.status, p).to.equal(status);
        expect(await problemType(res), p).to.equal(type);
      }
      // A person scanning an unknown or malformed code gets the page's "not found" page instead.
      for (const p of [`/01/${gtinFrom("0950600055555")}`, `/01/09506000134353/10/${encodeURIComponent(LOT)}`]) {
        const res = await get(p, { accept: "text/html" });
        expect(res.status, p).to.be.oneOf([400, 404]);
        expect(res.headers.get("content-type"), p).to.match(/^text\/html/);
      }
    });

    it("hands a plain browser scan to the page, and a plain non-HTML request to the default link", async function () {
      const html = await get(path, { accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
      expect(html.status).to.not.equal(307);
      if (html.headers.get("content-type")?.startsWith("application/problem+json")) expect(await problemType(html)).to.equal("not-found");
      // Data attributes in the query: the default link is the canonical code URI.
      const other = await get(`${path}?17=261231`, { accept: "*/*" });
      expect(other.status).to.equal(307);
      expect(other.headers.get("location")).to.equal(anchor());
    });

    it("sends a plain scan to the owner's default link once the owner sets one", async function () {
      const links = (await brand.client.gtinLinks(GTIN)).links;
      const home: GtinLink = { linkType: "gs1:pip", href: "https://aurora.example/home", title: "Aurora", default: true };
      await brand.client.setGtinLinks(GTIN, [...links, home]);
      for (const accept of ["text/html", "*/*"]) {
        const res = await get(path, { accept });
        expect(res.status, accept).to.equal(307);
        expect(res.headers.get("location")).to.equal("https://aurora.example/home");
      }
      const all = (await (await get(`${path}?linkType=all`)).json()) as { linkset: Record<string, { href: string }[]>[] };
      expect(all.linkset[0][`${VOC}defaultLink`].map((l) => l.href)).to.deep.equal(["https://aurora.example/home"]);
      await brand.client.setGtinLinks(GTIN, links);
    });
  });

  describe("resolver: primary keys other than the GTIN (GS1 DL URI syntax, dlpkey of the syntax dictionary)", function () {
    // A logistic unit and a place in a shipper's EPCIS event, as EPC URNs (company prefix 0614141).
    const SSCC = gtinFrom("10614141234567890"); // urn:epc:id:sscc:0614141.1234567890 -> 00 + check digit
    const GLN = gtinFrom("061414100001"); // urn:epc:id:sgln:0614141.00001.0
    const OTHER_SSCC = gtinFrom("10614141999999999");
    const authGet = async (org: TestOrg, path: string, headers: Record<string, string> = {}) =>
      get(path, { authorization: `Bearer ${await org.client.accessToken()}`, ...headers });

    before(async function () {
      const res = await fetch(`${hub.url}/epcis/capture`, {
        method: "POST",
        headers: { "content-type": "application/ld+json", authorization: `Bearer ${await shipper.client.accessToken()}` },
        body: JSON.stringify({
          "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
          type: "EPCISDocument",
          schemaVersion: "2.0",
          creationDate: "2026-03-01T10:05:00.000Z",
          epcisBody: {
            eventList: [
              {
                type: "ObjectEvent",
                action: "OBSERVE",
                bizStep: "shipping",
                epcList: ["urn:epc:id:sscc:0614141.1234567890"],
                eventTime: "2026-03-01T10:00:00.000Z",
                eventTimeZoneOffset: "+00:00",
                bizLocation: { id: "urn:epc:id:sgln:0614141.00001.0" },
              },
            ],
          },
        }),
      });
      expect(res.status).to.equal(202);
      const job = await shipper.client.waitForCapture(res.headers.get("location")!.split("/").pop()!);
      expect(job).to.include({ success: true });
    });

    it("answers an SSCC's linkset to a member who may see its events, with the link to them", async function () {
      const res = await authGet(shipper, `/00/${SSCC}`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.match(/^application\/linkset\+json/);
      const body = (await res.json()) as { linkset: Record<string, { href: string }[]>[] };
      expect(body.linkset[0]!.anchor).to.equal(`${hub.url}/00/${SSCC}`);
      const events = body.linkset[0]![`${VOC}epcis`]![0]!.href;
      expect(events).to.equal(`${hub.url}/epcis/epcs/${encodeURIComponent(`https://id.gs1.org/00/${SSCC}`)}/events`);
      const answer = (await (await authGet(shipper, events.slice(hub.url.length))).json()) as {
        epcisBody: { queryResults: { resultsBody: { eventList: { epcList: string[] }[] } } };
      };
      expect(answer.epcisBody.queryResults.resultsBody.eventList.map((e) => e.epcList)).to.deep.equal([["urn:epc:id:sscc:0614141.1234567890"]]);
      const redirect = await authGet(shipper, `/00/${SSCC}?linkType=gs1:epcis`);
      expect(redirect.status).to.equal(307);
      expect(redirect.headers.get("location")).to.equal(events);
    });

    it("answers a GLN that is an event's business location (stored as an SGLN URN)", async function () {
      const res = await authGet(shipper, `/414/${GLN}?linkType=linkset`);
      expect(res.status).to.equal(200);
      expect(((await res.json()) as { linkset: { anchor: string }[] }).linkset[0]!.anchor).to.equal(`${hub.url}/414/${GLN}`);
    });

    it("404s an identifier nobody may see, exactly as one the hub never heard of: anonymous, another member, an unknown SSCC", async function () {
      const answers = await Promise.all([
        get(`/00/${SSCC}`),
        authGet(rival, `/00/${SSCC}`),
        authGet(shipper, `/00/${OTHER_SSCC}`),
        authGet(rival, `/414/${GLN}`),
      ]);
      const bodies = await Promise.all(
        answers.map(async (r) => {
          const { instance, ...body } = (await r.json()) as Record<string, unknown>;
          expect(instance).to.match(/^\/(00|414)\//);
          return { status: r.status, type: r.headers.get("content-type"), body };
        }),
      );
      for (const b of bodies) expect(b).to.deep.equal(bodies[0]);
      expect(bodies[0]!.status).to.equal(404);
      expect(bodies[0]!.body.type).to.match(/unknown-code$/);
    });

    it("resolves compressed Digital Links: a partially compressed one in place, a fully compressed one by a 307 to its uncompressed form", async function () {
      const partial = compressDigitalLink(`/00/${SSCC}?linkType=linkset`, { keepKey: true });
      const res = await authGet(shipper, partial);
      expect(res.status, partial).to.equal(200);
      expect(((await res.json()) as { linkset: { anchor: string }[] }).linkset[0]!.anchor).to.equal(`${hub.url}/00/${SSCC}`);
      const full = compressDigitalLink(`/00/${SSCC}`);
      const redirect = await authGet(shipper, `${full}?linkType=linkset`);
      expect(redirect.status, full).to.equal(307);
      expect(redirect.headers.get("location")).to.equal(`/00/${SSCC}?linkType=linkset`);
      expect((await get("/health")).status).to.not.equal(307); // a word that is no compressed Digital Link is not ours
    });

    it("refuses invalid Digital Link URIs with a 400 problem naming the AI, for every key", async function () {
      const cases: [string, string, string][] = [
        [`/00/${SSCC.slice(0, 17)}${(Number(SSCC[17]) + 1) % 10}`, "digital-link-check-digit", "AI 00"],
        [`/00/${SSCC}/10/L1`, "digital-link-unknown-ai", "AI 10"],
        [`/414/${GLN}/7040/1AB9/254/X`, "digital-link-syntax", "AI 254"],
        [`/00/${SSCC}?89=1`, "digital-link-unknown-ai", "89"],
        [`/00/${SSCC}?4307=`, "digital-link-bad-value", "AI 4307"],
        [`/01/${GTIN}/22/V/235/T1?linkType=all`, "digital-link-syntax", "AI 235"],
        [`/00/${SSCC}/%ZZ`, "digital-link-syntax", "percent-encoding"],
      ];
      for (const [path, type, named] of cases) {
        const res = await authGet(shipper, path);
        expect(res.status, path).to.equal(400);
        expect(res.headers.get("content-type"), path).to.match(/^application\/problem\+json/);
        const problem = (await res.json()) as { type: string; detail: string };
        expect(problem.type.split("/").pop(), path).to.equal(type);
        expect(problem.detail, path).to.contain(named);
      }
    });
  });

  describe("QR codes", function () {
    const path = digitalLinkPath({ gtin: GTIN, lot: LOT, serial: "S1" });

    it("serves the SVG of the code's URI, error correction M, cacheable", async function () {
      const res = await get(`/qr${path}?format=svg`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.match(/^image\/svg\+xml/);
      expect(res.headers.get("cache-control")).to.match(/max-age=\d+/);
      const svg = await res.text();
      expect(svg).to.match(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);
      // The same symbol as the QR code of exactly the code's URI at level M: any other text or level differs.
      expect(svg).to.equal(await QRCode.toString(hub.url + path, { type: "svg", errorCorrectionLevel: "M", margin: 4 }));
      expect(svg).to.not.equal(await QRCode.toString(hub.url + path, { type: "svg", errorCorrectionLevel: "L", margin: 4 }));
    });

    it("serves the PNG: signature, square IHDR of the asked size, same symbol", async function () {
      const res = await get(`/qr${path}?format=png&size=300`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.equal("image/png");
      const png = Buffer.from(await res.arrayBuffer());
      expect(png.subarray(0, 8).toString("hex")).to.equal("89504e470d0a1a0a");
      expect(png.subarray(12, 16).toString("ascii")).to.equal("IHDR");
      const width = png.readUInt32BE(16);
      expect(png.readUInt32BE(20)).to.equal(width);
      expect(width).to.be.within(290, 300);
      expect(png.equals(await QRCode.toBuffer(hub.url + path, { type: "png", errorCorrectionLevel: "M", margin: 4, width: 300 }))).to.equal(true);
    });

    it("404s unknown codes and 400s bad parameters", async function () {
      expect((await get(`/qr/01/${GTIN}/21/S9`)).status).to.equal(404);
      expect((await get(`/qr${path}?format=gif`)).status).to.equal(400);
      expect((await get(`/qr${path}?format=png&size=10`)).status).to.equal(400);
      expect((await get(`/qr/01/09506000134353`)).status).to.equal(400);
    });
  });
});
