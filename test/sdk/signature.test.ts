import { expect } from "chai";
import { Wallet, getBytes, hexlify, randomBytes } from "ethers";
import { prepareRecord } from "../../sdk/digest";
import {
  nativeSecp256k1Available,
  recoverSigner,
  secp256k1Backend,
  signDigest,
  signRecord,
  useSecp256k1Backend,
  type Secp256k1Backend,
} from "../../sdk/signature";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex32 = (n: bigint) => n.toString(16).padStart(64, "0");

/** Runs `fn` under each backend available here and returns the results by backend. */
function underEach<T>(fn: () => T): Partial<Record<Secp256k1Backend, T | Error>> {
  const out: Partial<Record<Secp256k1Backend, T | Error>> = {};
  const backends: Secp256k1Backend[] = nativeSecp256k1Available() ? ["native", "js"] : ["js"];
  try {
    for (const b of backends) {
      useSecp256k1Backend(b);
      try {
        out[b] = fn();
      } catch (err) {
        out[b] = err as Error;
      }
    }
  } finally {
    useSecp256k1Backend("auto");
  }
  return out;
}

describe("signatures", () => {
  after(() => useSecp256k1Backend("auto"));

  it("uses the native libsecp256k1 addon here (npm rebuild secp256k1 if this fails)", function () {
    if (!nativeSecp256k1Available()) this.skip();
    expect(secp256k1Backend()).to.equal("native");
  });

  it("signDigest equals ethers' personal_sign over the digest bytes, on both backends", async () => {
    for (let i = 0; i < 10; i++) {
      const wallet = Wallet.createRandom();
      const digest = hexlify(randomBytes(32));
      const expected = await wallet.signMessage(getBytes(digest));
      for (const [backend, sig] of Object.entries(underEach(() => signDigest(wallet.privateKey, digest)))) {
        expect(sig, backend).to.equal(expected);
        expect(sig).to.match(/^0x[0-9a-f]{130}$/);
      }
    }
  });

  it("recoverSigner gives the checksummed signer, identically on both backends", () => {
    for (let i = 0; i < 25; i++) {
      const wallet = Wallet.createRandom();
      const digest = hexlify(randomBytes(32));
      const sig = signDigest(wallet.privateKey, digest);
      const results = underEach(() => recoverSigner(digest, sig));
      for (const [backend, addr] of Object.entries(results)) expect(addr, backend).to.equal(wallet.address);
    }
  });

  it("a different digest recovers a different address", () => {
    const wallet = Wallet.createRandom();
    const sig = signDigest(wallet.privateKey, "0x" + "11".repeat(32));
    const results = underEach(() => recoverSigner("0x" + "12".repeat(32), sig));
    for (const addr of Object.values(results)) expect(addr).to.be.a("string").and.not.equal(wallet.address);
    expect(new Set(Object.values(results)).size).to.equal(1);
  });

  it("rejects malformed and non-canonical signatures with the same error on both backends", () => {
    const wallet = Wallet.createRandom();
    const digest = hexlify(randomBytes(32));
    const sig = signDigest(wallet.privateKey, digest);
    const r = sig.slice(2, 66);
    const s = BigInt("0x" + sig.slice(66, 130));
    const v = parseInt(sig.slice(130), 16);
    const highS = `0x${r}${hex32(N - s)}${(v === 27 ? 28 : 27).toString(16)}`;
    const cases: [string, RegExp][] = [
      [highS, /upper half/],
      [sig.slice(0, -2) + "01", /v must be 27 or 28/],
      [sig.slice(0, -2) + "00", /v must be 27 or 28/],
      [sig.slice(0, 130), /65 bytes/],
      [sig + "00", /65 bytes/],
      ["not hex", /65 bytes/],
      [`0x${"00".repeat(32)}${sig.slice(66)}`, /r is out of range/],
      [`0x${hex32(N)}${sig.slice(66)}`, /r is out of range/],
      [`0x${r}${"00".repeat(32)}1b`, /s is out of range/],
      // r = 5 is not the x-coordinate of a curve point (x^3 + 7 = 132 is not a square mod p).
      [`0x${hex32(5n)}${sig.slice(66)}`, /no public key can be recovered/],
    ];
    for (const [bad, re] of cases) {
      const results = underEach(() => recoverSigner(digest, bad));
      const messages = Object.values(results).map((e) => (e instanceof Error ? e.message : `no error, got ${String(e)}`));
      for (const m of messages) expect(m, bad).to.match(re);
      expect(new Set(messages).size, bad).to.equal(1);
    }
    expect(() => recoverSigner("0x1234", sig)).to.throw(/digest must be 32 bytes/);
  });

  it("signRecord signs a prepared record and refuses one whose digest does not match", () => {
    const wallet = Wallet.createRandom();
    const prepared = prepareRecord({ type: "Shipment", id: "s-1", version: 1, owner: "acme" }, { pieceCount: 3, origin: "FRA" });
    const signed = signRecord(wallet.privateKey, prepared);
    expect(signed.digest).to.equal(prepared.digest);
    expect(recoverSigner(signed.digest, signed.signature)).to.equal(wallet.address);
    expect(() => signRecord(wallet.privateKey, { ...prepared, body: { ...prepared.body, pieceCount: 4 } })).to.throw(/does not match/);
  });

  it("forcing the native backend where it is missing fails loudly", () => {
    if (nativeSecp256k1Available()) expect(useSecp256k1Backend("native")).to.equal("native");
    else expect(() => useSecp256k1Backend("native")).to.throw(/not available/);
    expect(useSecp256k1Backend("js")).to.equal("js");
    useSecp256k1Backend("auto");
  });
});
