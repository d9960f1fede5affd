// GS1 Digital Link rules tested from the published GS1 Barcode Syntax Dictionary (gs1/ under the
// standards folder, see ./standards.ts) and the GS1 Digital Link URI Syntax standard (1.x) it serves:
// each test states one rule, with the clause it comes from.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { digitalLinkToEpcUrn, epcUrnToDigitalLink } from "../../sdk/epcis/gs1-uri";
import { DigitalLinkError, parseDigitalLinkUri, type DigitalLinkErrorReason } from "../../sdk/provenance/digital-link";
import { GS1_AI_TABLE } from "../../sdk/provenance/gs1/ai-table";
import { GTIN, KEY_EXAMPLES, SSCC, sample } from "../sdk/digital-link-samples";
import { listFiles, standardsFile } from "./standards";

function failure(uri: string): { reason: DigitalLinkErrorReason; ai?: string } | undefined {
  try {
    parseDigitalLinkUri(uri);
    return undefined;
  } catch (e) {
    if (e instanceof DigitalLinkError) return { reason: e.reason, ...(e.ai ? { ai: e.ai } : {}) };
    throw e;
  }
}

const valueOf = (ai: string) => GS1_AI_TABLE[ai]!.components.map(sample).join("");
const enc = (v: string) => v.replace(/[^A-Za-z0-9._-]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"));
const KEYS = Object.entries(GS1_AI_TABLE).filter(([, d]) => d.dlpkey);

describe("GS1 Digital Link conformance (GS1 Barcode Syntax Dictionary; GS1 Digital Link Standard: URI Syntax, Release 1.2, Jan 2021)", function () {
  it("Syntax Dictionary: the SDK's copy is the published dictionary", async function () {
    const published = readFileSync(standardsFile("gs1", "gs1-syntax-dictionary.txt"), "utf8");
    expect(readFileSync(join(__dirname, "../../sdk/provenance/gs1/gs1-syntax-dictionary.txt"), "utf8")).to.equal(published);
    const { generate } = await import("../../scripts/generate-gs1-ai-table.mjs");
    expect(generate(published)).to.equal(readFileSync(join(__dirname, "../../sdk/provenance/gs1/ai-table.ts"), "utf8"));
  });

  it('Syntax Dictionary flag "?": every AI without it is refused as a data attribute, naming the AI', function () {
    const unflagged = Object.keys(GS1_AI_TABLE).filter((ai) => !GS1_AI_TABLE[ai]!.dlDataAttribute && !GS1_AI_TABLE[ai]!.dlpkey);
    expect(unflagged.length).to.be.greaterThan(5);
    for (const ai of unflagged) {
      const f = failure(`/00/${SSCC}?${ai}=${enc(valueOf(ai))}`);
      expect(f, `${ai}: ${JSON.stringify(f)}`).to.deep.equal({ reason: "unknown-ai", ai });
    }
  });

  it('Syntax Dictionary flag "?": every flagged AI is a data attribute (checked for its value and pairings, never refused as such)', function () {
    for (const [ai, def] of Object.entries(GS1_AI_TABLE)) {
      if (!def.dlDataAttribute || ai === "00") continue;
      const f = failure(`/00/${SSCC}?${ai}=${enc(valueOf(ai))}`);
      // A pairing rule (req=/ex=) may refuse it beside an SSCC; being an attribute may not.
      if (f) expect(f, ai).to.deep.include({ reason: "syntax" });
    }
  });

  it("Syntax Dictionary components: every AI's value is checked for emptiness, length and character set in the query string", function () {
    for (const [ai, def] of Object.entries(GS1_AI_TABLE)) {
      if (!def.dlDataAttribute || ai === "00") continue;
      const max = def.components.reduce((n, c) => n + c.max, 0);
      expect(failure(`/00/${SSCC}?${ai}=`), `${ai} empty`).to.deep.equal({ reason: "bad-value", ai });
      expect(failure(`/00/${SSCC}?${ai}=${"1".repeat(max + 1)}`), `${ai} too long`).to.deep.equal({ reason: "bad-value", ai });
    }
  });

  it("Syntax Dictionary linter csum: every primary key with a GS1 check digit refuses a wrong one", function () {
    for (const [ai, def] of KEYS) {
      const at = def.components.findIndex((c) => c.linters.includes("csum"));
      if (at < 0) continue;
      const before = def.components.slice(0, at).reduce((n, c) => n + c.max, 0);
      const end = before + def.components[at]!.max;
      const value = decodeURIComponent(KEY_EXAMPLES[ai]!.split("/")[2]!);
      const wrong = value.slice(0, end - 1) + ((Number(value[end - 1]) + 1) % 10) + value.slice(end);
      expect(failure(`/${ai}/${enc(wrong)}`), `${ai}/${wrong}`).to.deep.equal({ reason: "check-digit", ai });
    }
  });

  it("GS1 DL URI Syntax 1.2, primary keys (Syntax Dictionary dlpkey): every primary key resolves as one, with each of its qualifier sequences", function () {
    for (const [ai, def] of KEYS)
      for (const alt of def.dlpkey!) {
        const path = `/${ai}/${enc(decodeURIComponent(KEY_EXAMPLES[ai]!.split("/")[2]!))}` + alt.map((q) => `/${q}/${enc(valueOf(q))}`).join("");
        const dl = parseDigitalLinkUri(`https://id.example.org/prefix${path}`);
        expect(dl.key.ai, path).to.equal(ai);
        expect(
          dl.qualifiers.map((q) => q.ai),
          path,
        ).to.deep.equal([...alt]);
      }
  });

  it("GS1 DL URI Syntax 1.2, key qualifiers (dlpkey=a,b,c): qualifiers out of their order are refused", function () {
    let tested = 0;
    for (const [ai, def] of KEYS)
      for (const alt of def.dlpkey!.filter((a) => a.length > 1)) {
        const path =
          `/${ai}/${enc(decodeURIComponent(KEY_EXAMPLES[ai]!.split("/")[2]!))}` +
          [...alt]
            .reverse()
            .map((q) => `/${q}/${enc(valueOf(q))}`)
            .join("");
        expect(failure(path)?.reason, path).to.equal("syntax");
        tested++;
      }
    expect(tested).to.be.greaterThan(1);
  });

  it("GS1 DL URI Syntax 1.2, key qualifiers (dlpkey=...|...): two alternative sequences are never mixed", function () {
    let tested = 0;
    for (const [ai, def] of KEYS) {
      const alts = def.dlpkey!.filter((a) => a.length > 0);
      if (alts.length < 2) continue;
      const path = `/${ai}/${enc(decodeURIComponent(KEY_EXAMPLES[ai]!.split("/")[2]!))}/${alts[0]![0]}/${enc(valueOf(alts[0]![0]!))}/${alts[1]![0]}/${enc(valueOf(alts[1]![0]!))}`;
      expect(failure(path), path).to.deep.equal({ reason: "syntax", ai: alts[1]![0] });
      tested++;
    }
    expect(tested).to.be.greaterThan(1); // 01 (22,10,21|235) and 414 (254|7040)
  });

  it("GS1 DL URI Syntax 1.2, key qualifiers: an AI that is not a qualifier of the key is refused in the path", function () {
    for (const [ai] of KEYS) {
      const path = `${KEY_EXAMPLES[ai]!.split("/").slice(0, 3).join("/")}/17/250101`;
      expect(failure(path), path).to.deep.equal({ reason: "unknown-ai", ai: "17" });
    }
  });

  it("GS1 DL URI Syntax 1.2, query string: an AI appears once in a URI, and a key qualifier only in the path", function () {
    expect(failure(`/01/${GTIN}?17=250101&17=250102`)).to.deep.equal({ reason: "syntax", ai: "17" });
    expect(failure(`/01/${GTIN}/10/L1?10=L1`)).to.deep.equal({ reason: "syntax", ai: "10" });
    expect(failure(`/01/${GTIN}?21=S1`)).to.deep.equal({ reason: "syntax", ai: "21" });
  });

  it("GS1 DL URI Syntax 1.2, query string: other parameters (linkType, context) are kept, not read as AIs", function () {
    expect(parseDigitalLinkUri(`/00/${SSCC}?linkType=gs1:epcis&context=dock`).parameters).to.deep.equal({ linkType: "gs1:epcis", context: "dock" });
  });

  it("GS1 DL URI Syntax 1.2 (a URI per RFC 3986): a host with an IPv6 zone identifier, userinfo, bad percent-encoding or another scheme is refused", function () {
    for (const uri of [`https://[fe80::1%25eth0]/00/${SSCC}`, `https://a@id.gs1.org/00/${SSCC}`, `https://id.gs1.org/00/${SSCC}?x=%`, `urn:x:/00/${SSCC}`])
      expect(failure(uri)?.reason, uri).to.equal("syntax");
  });

  it("EPC Tag Data Standard 2.3 §7 Correspondence between EPCs and GS1 Keys: every EPC URN of a primary key in the EPCIS 2.0 examples has a Digital Link that converts back to it", function () {
    const urns = new Set<string>();
    const walk = (v: unknown): void => {
      if (typeof v === "string" && /^urn:epc:(id|class):/.test(v)) urns.add(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    for (const f of listFiles(join("epcis", "examples"), ".jsonld")) walk(JSON.parse(readFileSync(standardsFile("epcis", "examples", f), "utf8")));
    let count = 0;
    for (const urn of urns) {
      const dl = epcUrnToDigitalLink(urn);
      if (!dl) continue;
      expect(failure(dl), `${urn} -> ${dl}`).to.equal(undefined);
      const prefixLength = urn.split(":")[4]!.split(".")[0]!.length;
      expect(digitalLinkToEpcUrn(dl, prefixLength), dl).to.equal(urn);
      count++;
    }
    expect(count).to.be.greaterThan(10);
  });
});
