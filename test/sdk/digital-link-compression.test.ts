import { expect } from "chai";
import { compressDigitalLink, DigitalLinkError, formatDigitalLinkUri, parseDigitalLinkUri } from "../../sdk/provenance/digital-link";
import { GTIN, KEY_EXAMPLES, SSCC } from "./digital-link-samples";

// Vectors built here by the compression standard's rules, independently of the SDK.
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const nibbles = (hex: string) => [...hex].map((h) => parseInt(h, 16).toString(2).padStart(4, "0")).join("");
const num = (digits: string, bits: number) => BigInt(digits).toString(2).padStart(bits, "0");
const base64 = (bits: string) => {
  const padded = bits + "0".repeat((6 - (bits.length % 6)) % 6);
  return padded
    .match(/.{6}/g)!
    .map((b) => B64[parseInt(b, 2)])
    .join("");
};

describe("GS1 Digital Link compression", function () {
  it("an SSCC: AI 00 as two nibbles, then its 18 digits as a 60-bit integer", function () {
    // 18 digits need ceil(18 * log2(10)) = 60 bits.
    const expected = "/" + base64(nibbles("00") + num(SSCC, 60));
    expect(compressDigitalLink(`/00/${SSCC}`)).to.equal(expected);
    expect(parseDigitalLinkUri(`https://id.example.org${expected}`).key).to.deep.equal({ ai: "00", value: SSCC });
  });

  it("a GTIN and lot: optimisation 0B (01, 10), 47 bits of GTIN, lot as encoding 3 (base64, 6 bits a character) with a 5-bit length", function () {
    const lot = "Lot-7"; // not hex: base64
    const chars = [...lot].map((c) => B64.indexOf(c).toString(2).padStart(6, "0")).join("");
    const expected = "/" + base64(nibbles("0B") + num(GTIN, 47) + "011" + (5).toString(2).padStart(5, "0") + chars);
    expect(compressDigitalLink(`/01/${GTIN}/10/${lot}`)).to.equal(expected);
    expect(parseDigitalLinkUri(expected).qualifiers).to.deep.equal([{ ai: "10", value: lot }]);
  });

  it("a serial with a slash: encoding 4 (7-bit ASCII); digits without a leading zero: encoding 0; upper-case hex: encoding 2", function () {
    const serial = "A/1";
    const ascii = [...serial].map((c) => c.charCodeAt(0).toString(2).padStart(7, "0")).join("");
    expect(compressDigitalLink(`/01/${GTIN}/21/A%2F1`)).to.equal("/" + base64(nibbles("0C") + num(GTIN, 47) + "100" + "00011" + ascii));
    // "12345": 5 digits in ceil(5 * log2(10)) = 17 bits.
    expect(compressDigitalLink(`/01/${GTIN}/21/12345`)).to.equal("/" + base64(nibbles("0C") + num(GTIN, 47) + "000" + "00101" + num("12345", 17)));
    expect(compressDigitalLink(`/01/${GTIN}/21/0123`)).to.equal("/" + base64(nibbles("0C") + num(GTIN, 47) + "001" + "00100" + nibbles("0123"))); // a leading zero: lower-case hex
    expect(compressDigitalLink(`/01/${GTIN}/21/AB12`)).to.equal("/" + base64(nibbles("0C") + num(GTIN, 47) + "010" + "00100" + nibbles("AB12")));
  });

  for (const [ai, uri] of Object.entries(KEY_EXAMPLES))
    it(`AI ${ai}: compresses and decompresses to the same Digital Link, fully and with the key kept`, function () {
      const original = parseDigitalLinkUri(`${uri}?linkType=all`);
      const full = compressDigitalLink(`${uri}?linkType=all`);
      expect(full).to.match(/^\/[A-Za-z0-9_-]+$/);
      expect(parseDigitalLinkUri(`https://id.example.org${full}`)).to.deep.equal(original);
      const partial = compressDigitalLink(uri, { keepKey: true });
      expect(partial.startsWith(`/${ai}/`), partial).to.equal(true);
      expect(formatDigitalLinkUri(parseDigitalLinkUri(partial))).to.equal(uri);
    });

  it("keeps data attributes and the query string of a compressed URI", function () {
    const c = compressDigitalLink(`/01/${GTIN}/10/L1?17=261231&3103=000189`);
    expect(parseDigitalLinkUri(`${c}?linkType=gs1:pip`)).to.deep.equal({
      key: { ai: "01", value: GTIN },
      qualifiers: [{ ai: "10", value: "L1" }],
      attributes: { "17": "261231", "3103": "000189" },
      parameters: { linkType: "gs1:pip" },
    });
  });

  it("refuses what does not decompress, or decompresses to an invalid Digital Link", function () {
    for (const path of [
      "/health",
      "/gtin/09506000134352",
      "/" + base64(nibbles("0B") + "1".repeat(47)),
      "/" + base64(nibbles("00") + num(SSCC.slice(0, 17) + "1", 60)),
    ]) {
      let error: unknown;
      try {
        parseDigitalLinkUri(path);
      } catch (e) {
        error = e;
      }
      expect(error, path).to.be.instanceOf(DigitalLinkError);
    }
  });
});
