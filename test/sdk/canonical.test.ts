import { expect } from "chai";
import canonicalize from "canonicalize";
import { canonicalJson, canonicalJsonBytes } from "../../sdk/canonical";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The canonical text, after checking that both forms (text and direct UTF-8) agree. */
function jcs(value: unknown): string {
  const text = canonicalJson(value);
  expect(utf8.decode(canonicalJsonBytes(value)), "canonicalJsonBytes agrees with canonicalJson").to.equal(text);
  return text;
}

/** Both forms must refuse `value` with the same message. */
function refused(value: unknown, re: RegExp): void {
  let text = "";
  let bytes = "";
  try {
    canonicalJson(value);
  } catch (err) {
    text = (err as Error).message;
  }
  try {
    canonicalJsonBytes(value);
  } catch (err) {
    bytes = (err as Error).message;
  }
  expect(text).to.match(re);
  expect(bytes).to.equal(text);
}

/** A random JSON value: nested containers, awkward strings and numbers of every magnitude. */
function randomJson(rand: () => number, depth = 0): unknown {
  const pick = Math.floor(rand() * (depth > 3 ? 4 : 6));
  const alphabet = ["a", "Z", "0", " ", '"', "\\", "/", "\n", "\t", "\u0000", "\u001f", "\u007f", "é", "€", "\u2028", "😀", "\ud83d\ude00", "漢", "\ufb33"];
  const str = () => Array.from({ length: Math.floor(rand() * 8) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
  switch (pick) {
    case 0:
      return [null, true, false][Math.floor(rand() * 3)];
    case 1: {
      const kinds = [
        () => Math.floor(rand() * 1000) - 500,
        () => (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20),
        () => rand() * 1e308,
        () => -0,
        () => 2 ** 53 + 2,
      ];
      return kinds[Math.floor(rand() * kinds.length)]();
    }
    case 2:
    case 3:
      return str();
    case 4:
      return Array.from({ length: Math.floor(rand() * 5) }, () => randomJson(rand, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [str(), randomJson(rand, depth + 1)]));
  }
}

/** IEEE 754 double from its 16 hex digits, as RFC 8785 lists its number examples. */
function double(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt("0x" + bits));
  return view.getFloat64(0);
}

describe("canonicalJson (RFC 8785)", () => {
  it("serialises numbers as RFC 8785 section 3.2.2.3 / appendix B lists", () => {
    const cases: [string, string][] = [
      ["0000000000000000", "0"],
      ["8000000000000000", "0"], // -0
      ["0000000000000001", "5e-324"],
      ["8000000000000001", "-5e-324"],
      ["7fefffffffffffff", "1.7976931348623157e+308"],
      ["ffefffffffffffff", "-1.7976931348623157e+308"],
      ["4340000000000000", "9007199254740992"],
      ["c340000000000000", "-9007199254740992"],
      ["4430000000000000", "295147905179352830000"],
      ["44b52d02c7e14af5", "9.999999999999997e+22"],
      ["44b52d02c7e14af6", "1e+23"],
      ["44b52d02c7e14af7", "1.0000000000000001e+23"],
      ["444b1ae4d6e2ef4e", "999999999999999700000"],
      ["444b1ae4d6e2ef4f", "999999999999999900000"],
      ["444b1ae4d6e2ef50", "1e+21"],
      ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
      ["3eb0c6f7a0b5ed8d", "0.000001"],
      ["41b3de4355555553", "333333333.3333332"],
      ["41b3de4355555554", "333333333.33333325"],
      ["41b3de4355555555", "333333333.3333333"],
      ["41b3de4355555556", "333333333.3333334"],
      ["41b3de4355555557", "333333333.33333343"],
      ["becbf647612f3696", "-0.0000033333333333333333"],
      ["43143ff3c1cb0959", "1424953923781206.2"],
    ];
    for (const [bits, text] of cases) expect(jcs(double(bits)), bits).to.equal(text);
  });

  it("rejects NaN and Infinity (RFC 8785 appendix B)", () => {
    refused(double("7fffffffffffffff"), /NaN/);
    refused(double("7ff0000000000000"), /Infinity/);
    refused({ a: [1, -Infinity] }, /-Infinity at \$\.a\[1\]/);
  });

  it("reproduces the section 3.2.2 example (literals, numbers, string escapes)", () => {
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    expect(jcs(input)).to.equal(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it("sorts keys by UTF-16 code units (section 3.2.3 example)", () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`);
    expect(jcs(input)).to.equal(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it("is independent of key insertion order, recursively, and keeps array order", () => {
    expect(jcs({ b: 1, a: { d: [3, 1, 2], c: null } })).to.equal('{"a":{"c":null,"d":[3,1,2]},"b":1}');
    expect(jcs({ a: { c: null, d: [3, 1, 2] }, b: 1 })).to.equal('{"a":{"c":null,"d":[3,1,2]},"b":1}');
    expect(jcs("x")).to.equal('"x"');
    expect(jcs(null)).to.equal("null");
    expect(jcs(false)).to.equal("false");
    expect(jcs([])).to.equal("[]");
    expect(jcs({})).to.equal("{}");
    expect(jcs(Object.create(null) as object)).to.equal("{}");
  });

  it("throws a clear error on values that are not JSON", () => {
    refused(undefined, /undefined .*at \$ is not JSON/);
    refused({ a: { b: undefined } }, /undefined .*at \$\.a\.b/);
    refused([1, undefined], /\$\[1\]/);
    refused([1, , 3], /\$\[1\]/);
    refused({ f: () => 1 }, /a function at \$\.f/);
    refused(10n, /BigInt/);
    refused({ s: Symbol("x") }, /symbol/);
    refused(new Date(0), /instance of Date/);
    refused({ m: new Map() }, /instance of Map/);
    refused("\ud800x", /string with an unpaired UTF-16 surrogate at \$ /);
    refused(["ok", "x\udc00"], /surrogate at \$\[1\]/);
    refused({ ["k\ud800"]: 1 }, /key with an unpaired UTF-16 surrogate/);
    refused({ a: "\ud83d" }, /surrogate at \$\.a/); // high surrogate at the very end
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    refused(cyclic, /circular/);
  });

  it("text and direct UTF-8 forms agree with canonicalize on 3,000 random values", () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 3000; i++) {
      const value = randomJson(rand);
      expect(jcs(value), JSON.stringify(value)).to.equal(canonicalize(value));
    }
  });
});
