import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DigitalLinkError, formatDigitalLinkUri, parseDigitalLinkUri, type DigitalLinkErrorReason } from "../../sdk/provenance/digital-link";
import { GS1_AI_TABLE } from "../../sdk/provenance/gs1/ai-table";
import { elementProblem } from "../../sdk/provenance/gs1/elements";
import { GLN, GTIN, KEY_EXAMPLES, mod10, sample, SSCC } from "./digital-link-samples";

function failure(fn: () => unknown): { reason: DigitalLinkErrorReason; ai?: string; message: string } | "no error" {
  try {
    fn();
    return "no error";
  } catch (e) {
    if (e instanceof DigitalLinkError) return { reason: e.reason, ...(e.ai ? { ai: e.ai } : {}), message: e.message };
    throw e;
  }
}
const reasonOf = (uri: string) => {
  const f = failure(() => parseDigitalLinkUri(uri));
  return f === "no error" ? f : f.reason;
};

describe("GS1 syntax dictionary: the AI table", function () {
  it("is what scripts/generate-gs1-ai-table.mjs writes from the vendored dictionary", function () {
    const generated = execFileSync(process.execPath, [join(__dirname, "../../scripts/generate-gs1-ai-table.mjs"), "--stdout"], { encoding: "utf8" });
    expect(generated).to.equal(readFileSync(join(__dirname, "../../sdk/provenance/gs1/ai-table.ts"), "utf8"));
  });

  it("has every AI of the dictionary, ranges expanded", function () {
    const text = readFileSync(join(__dirname, "../../sdk/provenance/gs1/gs1-syntax-dictionary.txt"), "utf8");
    let count = 0;
    for (const line of text.split("\n").filter((l) => /^\d/.test(l))) {
      const [from, to = from] = line.split(/\s+/)[0]!.split("-");
      for (let n = Number(from); n <= Number(to!); n++) {
        expect(GS1_AI_TABLE, line).to.have.property(String(n).padStart(from!.length, "0"));
        count++;
      }
    }
    expect(Object.keys(GS1_AI_TABLE)).to.have.length(count);
    expect(GS1_AI_TABLE["3106"]).to.equal(undefined);
  });

  it("keeps each primary key's qualifier sequences and alternatives", function () {
    expect(GS1_AI_TABLE["01"]!.dlpkey).to.deep.equal([["22", "10", "21"], ["235"]]);
    expect(GS1_AI_TABLE["414"]!.dlpkey).to.deep.equal([["254"], ["7040"]]);
    expect(GS1_AI_TABLE["00"]!.dlpkey).to.deep.equal([[]]);
    expect(GS1_AI_TABLE["10"]!.dlpkey).to.equal(undefined);
    const keys = Object.keys(GS1_AI_TABLE).filter((ai) => GS1_AI_TABLE[ai]!.dlpkey);
    expect(keys.sort()).to.deep.equal(Object.keys(KEY_EXAMPLES).sort());
  });
});

describe("GS1 syntax dictionary: every AI's value rules", function () {
  for (const [ai, def] of Object.entries(GS1_AI_TABLE)) {
    it(`AI ${ai} (${def.title}): a value by its components passes; empty, too long and wrong characters fail`, function () {
      const value = def.components.map(sample).join("");
      expect(elementProblem(ai, value), `${ai}=${value}`).to.equal(undefined);
      expect(elementProblem(ai, "")?.reason).to.equal("bad-value");
      const max = def.components.reduce((n, c) => n + c.max, 0);
      expect(elementProblem(ai, value + "1".repeat(max + 1 - value.length))?.reason, "one character too many").to.equal("bad-value");
      if (def.components[0]!.charset === "N") expect(elementProblem(ai, "A" + value.slice(1))?.reason).to.equal("bad-value");
      else expect(elementProblem(ai, "\u00e9" + value.slice(1))?.reason).to.equal("bad-value");
    });
  }
});

describe("GS1 Digital Link URIs of every primary key", function () {
  for (const [ai, uri] of Object.entries(KEY_EXAMPLES)) {
    it(`AI ${ai}: parses with its qualifiers in order, and formats back to the same path`, function () {
      const dl = parseDigitalLinkUri(`https://example.com/some/prefix${uri}?linkType=all`);
      expect(dl.key.ai).to.equal(ai);
      expect(dl.parameters).to.deep.equal({ linkType: "all" });
      expect(formatDigitalLinkUri(dl)).to.equal(`${uri}?linkType=all`);
    });
  }

  it("reads a GTIN-13 as its GTIN-14 and AI 235 (TPX) as the alternative qualifier of 01", function () {
    expect(parseDigitalLinkUri(`/01/${GTIN.slice(1)}/235/TPX-1`)).to.deep.equal({
      key: { ai: "01", value: GTIN },
      qualifiers: [{ ai: "235", value: "TPX-1" }],
      attributes: {},
      parameters: {},
    });
  });

  const refused: [string, DigitalLinkErrorReason, string?][] = [
    [`/01/${GTIN}/22/V1/235/T1`, "syntax", "235"], // dlpkey=22,10,21|235: never mixed
    [`/01/${GTIN}/235/T1/21/S1`, "syntax", "21"],
    [`/414/${GLN}/254/A/7040/1ABC`, "syntax", "7040"],
    [`/8006/${GTIN}0102/21/S/10/L`, "syntax", "10"], // order 22, 10, 21
    [`/8017/${mod10("95212345000012345")}/8019/1/8019/2`, "syntax", "8019"],
    [`/00/${SSCC}/10/L1`, "unknown-ai", "10"], // SSCC has no qualifiers; 10 is a data attribute
    [`/00/${SSCC}/8019/1`, "unknown-ai", "8019"],
    [`/00/${SSCC.slice(0, 17)}1`, "check-digit", "00"],
    [`/00/${SSCC}1`, "bad-value", "00"],
    [`/8003/1${mod10("952123400004")}`, "bad-value", "8003"], // its first digit is 0 (linter "zero")
    [`/8006/${GTIN}0302`, "bad-value", "8006"], // piece 3 of 2
    [`/8010/9521234abc`, "bad-value", "8010"], // set 39: no lower case
    [`/8010/9521234ABC/8011/0123`, "bad-value", "8011"], // nozeroprefix
    [`/8013/9521234AB22`, "check-digit", "8013"],
    [`/401/95A`, "bad-value", "401"], // a GS1 Company Prefix first
    [`/01/${GTIN}?89=x`, "unknown-ai", "89"],
    [`/01/${GTIN}?17=`, "bad-value", "17"],
    [`/01/${GTIN}?240=${"x".repeat(31)}`, "bad-value", "240"],
    [`/01/${GTIN}?17=250230`, "bad-value", "17"],
    [`/01/${GTIN}?8019=1`, "unknown-ai", "8019"], // not flagged "?" in the dictionary
    [`/01/${GTIN}?235=T`, "syntax", "235"], // a key qualifier belongs in the path
    [`/01/${GTIN}?17=250101&17=250101`, "syntax", "17"],
    [`/01/${GTIN}/10/L1?3102=000100&3103=000189`, "syntax", "3102"], // ex=310n
    [`/00/${SSCC}?17=250101`, "syntax", "17"], // req=01,02,03,255,8006,8026
    [`/01/${GTIN}?255=${mod10("952123400001")}`, "syntax", "01"], // ex=255
  ];
  for (const [uri, reason, ai] of refused)
    it(`refuses ${uri} (${reason}, naming AI ${ai})`, function () {
      const f = failure(() => parseDigitalLinkUri(uri));
      expect(f).to.not.equal("no error");
      if (f === "no error") return;
      expect(f.reason, f.message).to.equal(reason);
      expect(f.ai, f.message).to.equal(ai);
      expect(f.message).to.contain(ai);
    });

  it("accepts the dictionary's pairings: 250 with 01 and 21, 3103 once, dates with 00's logistic measures", function () {
    expect(reasonOf(`/01/${GTIN}/21/S1?250=X1&3103=000189&17=250100`)).to.equal("no error");
    expect(reasonOf(`/00/${SSCC}?3300=001250&4307=FR`)).to.equal("no error");
    expect(reasonOf(`/01/${GTIN}?17=240229`)).to.equal("no error");
    expect(reasonOf(`/01/${GTIN}?17=250229`)).to.equal("bad-value");
  });
});

describe("GS1 Digital Link: URIs that are not valid URIs", function () {
  const path = `/00/${SSCC}`;
  const cases: [string, string][] = [
    [`https://[fe80::1%25eth0]${path}`, "IPv6 zone identifier"],
    [`https://[fe80::1%eth0]${path}`, "raw zone identifier"],
    [`https://user:pw@id.gs1.org${path}`, "userinfo"],
    [`https://@id.gs1.org${path}`, "empty userinfo"],
    [`ftp://id.gs1.org${path}`, "non-http scheme"],
    [`javascript:alert(1)${path}`, "javascript scheme"],
    [`https://${path}`, "empty host"],
    [`https:${path}`, "no authority"],
    [`https://id.gs1.org:99999${path}`, "port out of range"],
    [`https://exa mple.org${path}`, "space in host"],
    [`https://id.gs1.org${path}?x=%G1`, "bad percent-encoding in the query"],
    [`https://id.gs1.org/00/10614141234567890%`, "bad percent-encoding in the path"],
    [`https://id.gs1.org${path}?x=a b`, "space"],
    [`https://id.gs1.org${path}\n`, "control character"],
    [`https://id.gs1.org${path}?x=\u00e9`, "non-ASCII character"],
  ];
  for (const [uri, what] of cases)
    it(`refuses ${JSON.stringify(uri)} (${what})`, function () {
      expect(reasonOf(uri)).to.equal("syntax");
    });

  it("accepts ports, IPv6 hosts without a zone, fragments and upper-case schemes", function () {
    for (const uri of [`https://id.gs1.org:8443${path}`, `http://[::1]:3000${path}`, `HTTPS://ID.GS1.ORG${path}#top`])
      expect(reasonOf(uri), uri).to.equal("no error");
  });
});
