import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { compareBytes, fromHex, keccak, keccakInto, keccakReady, toHex, useKeccakBackend, utf8, utf8Into } from "../../sdk/bytes";

describe("bytes helpers", () => {
  before(() => keccakReady);
  afterEach(() => useKeccakBackend("auto"));

  it("uses the WebAssembly keccak here", () => {
    expect(useKeccakBackend("auto")).to.equal("wasm");
  });

  for (const backend of ["wasm", "js"] as const) {
    it(`keccak (${backend}) agrees with ethers' keccak256 for every length across several blocks`, () => {
      useKeccakBackend(backend);
      for (let n = 0; n <= 600; n++) {
        const data = new Uint8Array(n);
        for (let i = 0; i < n; i++) data[i] = (i * 131 + n * 7 + 1) & 0xff;
        expect(toHex(keccak(data)), `length ${n}`).to.equal(keccak256(data));
      }
      expect(toHex(keccak(new Uint8Array(0)))).to.equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    });

    it(`keccakInto (${backend}) hashes a prefix into an offset`, () => {
      useKeccakBackend(backend);
      const data = toUtf8Bytes("hello world, and then some");
      const out = new Uint8Array(40).fill(0xee);
      keccakInto(data, out, 4, 11);
      expect(toHex(out, 4, 32)).to.equal(keccak256(toUtf8Bytes("hello world")));
      expect(out[3]).to.equal(0xee);
      expect(out[36]).to.equal(0xee);
    });
  }

  it("keccak handles inputs larger than the module's initial memory", () => {
    const big = new Uint8Array(300_000).map((_, i) => i & 0xff);
    expect(toHex(keccak(big))).to.equal(keccak256(big));
    expect(toHex(keccak(big.subarray(0, 1000)))).to.equal(keccak256(big.subarray(0, 1000)));
  });

  it("converts hex both ways and rejects malformed hex", () => {
    expect(toHex(fromHex("0x00ff10Ab", 4))).to.equal("0x00ff10ab");
    expect(() => fromHex("00ff", 2)).to.throw(/0x-prefixed/);
    expect(() => fromHex("0x00f", 2)).to.throw(/2 bytes/);
    expect(() => fromHex("0x00fg", 2)).to.throw(/hex/);
  });

  it("compares bytewise and encodes UTF-8 like TextEncoder", () => {
    const a = fromHex("0x0102", 2);
    const b = fromHex("0x0103", 2);
    expect(compareBytes(a, 0, b, 0, 2)).to.be.below(0);
    expect(compareBytes(b, 0, a, 0, 2)).to.be.above(0);
    expect(compareBytes(a, 0, a, 0, 2)).to.equal(0);
    for (const s of ["", "ascii", "ünïcødé", "€ and 😀", "mixed ascii then 漢字"]) {
      const buf = new Uint8Array(3 * s.length + 3);
      const n = utf8Into(s, buf, 3);
      expect(toHex(buf, 3, n)).to.equal(toHex(utf8(s)));
      expect(toHex(utf8(s))).to.equal(toHex(toUtf8Bytes(s)));
    }
  });
});
