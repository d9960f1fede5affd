import { expect } from "chai";
import {
  DigitalLinkError,
  digitalLinkPath,
  formatDigitalLink,
  normalizeGtin,
  parseDigitalLink,
  parseDigitalLinkDetails,
  type DigitalLinkErrorReason,
  type ProductCode,
} from "../../sdk/provenance/digital-link";

// Check digit computed here independently of the SDK: weights 3,1,3,... from the left of the
// 13 digits before the check digit of a GTIN padded to 14.
function withCheckDigit(body: string): string {
  const padded = body.padStart(13, "0");
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(padded[i]) * (i % 2 === 0 ? 3 : 1);
  return body + String((10 - (sum % 10)) % 10);
}

function reasonOf(fn: () => unknown): DigitalLinkErrorReason | "no error" {
  try {
    fn();
    return "no error";
  } catch (e) {
    if (e instanceof DigitalLinkError) return e.reason;
    throw e;
  }
}

const GTIN13 = "9506000134352"; // GS1's own example GTIN-13
const GTIN14 = "0" + GTIN13;

describe("GS1 Digital Link", function () {
  describe("valid URIs", function () {
    const cases: [string, ProductCode][] = [
      [`https://id.gs1.org/01/${GTIN14}`, { gtin: GTIN14 }],
      [`https://id.gs1.org/01/${GTIN13}`, { gtin: GTIN14 }],
      [`/01/${GTIN14}/10/ABC123`, { gtin: GTIN14, lot: "ABC123" }],
      [`/01/${GTIN14}/21/12345`, { gtin: GTIN14, serial: "12345" }],
      [`/01/${GTIN14}/10/L1/21/S1`, { gtin: GTIN14, lot: "L1", serial: "S1" }],
      [`/01/${GTIN14}/22/V2/10/L1/21/S1`, { gtin: GTIN14, lot: "L1", serial: "S1" }],
      [`http://example.com/a/path/prefix/01/${GTIN14}/10/L1`, { gtin: GTIN14, lot: "L1" }],
      [`/01/${GTIN14}/10/A%2FB%25C%3F?17=261231#frag`, { gtin: GTIN14, lot: "A/B%C?" }],
      // "01" as a lot, and a prefix segment "01" before the primary key.
      [`/01/${GTIN14}/10/01`, { gtin: GTIN14, lot: "01" }],
      [`/01/01/${GTIN14}`, { gtin: GTIN14 }],
      // Dot segments are lots here, not path navigation.
      [`https://id.example/01/${GTIN14}/10/..`, { gtin: GTIN14, lot: ".." }],
    ];
    for (const [uri, code] of cases)
      it(`parses ${uri}`, function () {
        expect(parseDigitalLink(uri)).to.deep.equal(code);
      });

    it("pads GTIN-8, GTIN-12 and GTIN-13 to 14 digits and checks their check digit", function () {
      for (const body of ["9501234", "61414100003", "950600013435", "1061414107346"]) {
        const gtin = withCheckDigit(body);
        expect(parseDigitalLink(`/01/${gtin}`).gtin, gtin).to.equal(gtin.padStart(14, "0"));
        const wrong = gtin.slice(0, -1) + String((Number(gtin.slice(-1)) + 1) % 10);
        expect(
          reasonOf(() => parseDigitalLink(`/01/${wrong}`)),
          wrong,
        ).to.equal("check-digit");
      }
    });

    it("keeps the CPV and the data attributes it knows, ignores other query parameters", function () {
      const d = parseDigitalLinkDetails(`https://id.gs1.org/01/${GTIN14}/22/2A/10/L1?17=261231&3103=000189&linkType=gs1:pip&11=250100`);
      expect(d).to.deep.equal({ code: { gtin: GTIN14, lot: "L1" }, cpv: "2A", attributes: { "17": "261231", "3103": "000189", "11": "250100" } });
      expect(parseDigitalLink(formatDigitalLink(d))).to.deep.equal(d.code);
      expect(parseDigitalLinkDetails(formatDigitalLink(d))).to.deep.equal(d);
    });
  });

  describe("invalid URIs", function () {
    const cases: [string, DigitalLinkErrorReason][] = [
      [`/01/${GTIN14.slice(0, 13)}3`, "check-digit"],
      [`https://id.gs1.org/01/09506000134353/10/L1`, "check-digit"],
      [`/01/${GTIN14}/89/x`, "unknown-ai"], // no such AI
      [`/01/${GTIN14}/99/x`, "unknown-ai"], // an AI, but not a qualifier of 01
      [`/01/${GTIN14}/17/261231`, "unknown-ai"], // a data attribute belongs in the query
      [`/01/${GTIN14}/10/L1/235/x`, "syntax"], // 22,10,21 or 235, never mixed
      ["https://id.gs1.org/00/106141412345678908", "unknown-ai"], // an SSCC: not a trade item
      ["/414/9520123456788", "unknown-ai"],
      [`/01/${GTIN14}/21/S1/10/L1`, "syntax"], // qualifiers out of order
      [`/01/${GTIN14}/10/L1/22/V1`, "syntax"],
      [`/01/${GTIN14}/10/L1/10/L2`, "syntax"],
      [`/01/${GTIN14}/10`, "syntax"],
      [`/01/${GTIN14}//10/L1`, "syntax"],
      [`/01/${GTIN14}/10/%ZZ`, "syntax"],
      ["/gtin/09506000134352", "syntax"],
      ["01/09506000134352", "syntax"],
      [`ftp://id.gs1.org/01/${GTIN14}`, "syntax"],
      [`/01/${GTIN14}?10=L1`, "syntax"],
      [`/01/${GTIN14}?17=261231&17=261231`, "syntax"],
      [`/01/${GTIN14}/10/a%23b`, "bad-value"], // "#" is not in set 82
      [`/01/${GTIN14}/10/l%C3%A9`, "bad-value"], // nor is "é"
      [`/01/${GTIN14}/10/a%20b`, "bad-value"],
      [`/01/${GTIN14}/10/${"x".repeat(21)}`, "bad-value"],
      [`/01/${GTIN14}/21/${"9".repeat(21)}`, "bad-value"],
      [`/01/${GTIN14}/22/%7E`, "bad-value"],
      ["/01/0950600013435", "check-digit"], // 13 digits: a GTIN-13 length, with a wrong check digit
      ["/01/95060001343", "bad-value"], // 11 digits
      ["/01/950600013435A", "bad-value"],
      [`/01/${GTIN14}?17=261331`, "bad-value"], // month 13
      [`/01/${GTIN14}?3103=18.9`, "bad-value"],
    ];
    for (const [uri, reason] of cases)
      it(`refuses ${uri} (${reason})`, function () {
        expect(reasonOf(() => parseDigitalLink(uri))).to.equal(reason);
      });

    it("says what is wrong", function () {
      expect(() => parseDigitalLink(`/01/${GTIN14}/89/x`)).to.throw(DigitalLinkError, /"89"/);
      expect(() => parseDigitalLink("/01/09506000134353")).to.throw(DigitalLinkError, /expected 2/);
    });
  });

  describe("digitalLinkPath", function () {
    it("formats the contract's paths", function () {
      expect(digitalLinkPath({ gtin: GTIN14, lot: "L1" })).to.equal(`/01/${GTIN14}/10/L1`);
      expect(digitalLinkPath({ gtin: GTIN14, serial: "S/1" })).to.equal(`/01/${GTIN14}/21/S%2F1`);
      expect(digitalLinkPath({ gtin: GTIN14 })).to.equal(`/01/${GTIN14}`);
    });

    it("round-trips every character of set 82 and every combination of lot and serial", function () {
      const set82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
      const values: string[] = [];
      for (let i = 0; i < set82.length; i += 20) values.push(set82.slice(i, i + 20));
      values.push(".", "..", "01", "%25", "a?b=c&d");
      for (const v of values)
        for (const code of [
          { gtin: GTIN14, lot: v },
          { gtin: GTIN14, serial: v },
          { gtin: GTIN14, lot: v, serial: v },
        ] as ProductCode[]) {
          const path = digitalLinkPath(code);
          expect(path, path).to.match(/^\/01\/\d{14}(\/(10|21)\/[A-Za-z0-9%._-]+)+$/);
          expect(parseDigitalLink(path), path).to.deep.equal(code);
          expect(parseDigitalLink(`https://example.org${path}`), path).to.deep.equal(code);
        }
    });

    it("refuses what it could not parse back", function () {
      expect(reasonOf(() => digitalLinkPath({ gtin: "09506000134353" }))).to.equal("check-digit");
      expect(reasonOf(() => digitalLinkPath({ gtin: GTIN14, lot: "" }))).to.equal("bad-value");
      expect(reasonOf(() => digitalLinkPath({ gtin: GTIN14, serial: "a b" }))).to.equal("bad-value");
    });

    it("normalizeGtin pads and checks", function () {
      expect(normalizeGtin(GTIN13)).to.equal(GTIN14);
      expect(reasonOf(() => normalizeGtin("123"))).to.equal("bad-value");
    });
  });
});
