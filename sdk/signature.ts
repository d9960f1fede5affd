import { Signature, SigningKey, computeAddress } from "ethers";
import { compareBytes, fromHex, hexInto, keccak, keccakInto, toHex } from "./bytes";
import { computeDigest } from "./digest";
import type { SignedRecord, UnsignedRecord } from "./envelope";

/**
 * Record signatures: EIP-191 personal_sign over the 32 raw digest bytes, so any Ethereum wallet can
 * sign records and any verifier gets an address to look up in the ParticipantRegistry.
 *
 * Two interchangeable backends: libsecp256k1 through the optional native `secp256k1` package (about
 * 100x faster, which the hub needs to check thousands of signatures per second) and ethers (pure JS,
 * for browsers or when the native addon is missing). Both are deterministic (RFC 6979, low s) and
 * give identical results; the tests hold them to that.
 */

/** The parts of libsecp256k1's binding used here. */
interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
}

export type Secp256k1Backend = "native" | "js";

let nativeLib: NativeSecp256k1 | null | undefined; // undefined: not tried yet
let forced: Secp256k1Backend | undefined;

/** Loads the native addon once, lazily, and only where Node's require exists (browser bundles drop it). */
function loadNative(): NativeSecp256k1 | null {
  if (nativeLib !== undefined) return nativeLib;
  nativeLib = null;
  try {
    if (typeof process !== "undefined" && process.versions?.node && typeof require === "function") {
      // "secp256k1/bindings" is the addon alone: the package root silently falls back to elliptic.js,
      // which is slower than ethers. A require, not an import: the addon is optional (browsers have none).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lib = require("secp256k1/bindings") as Partial<NativeSecp256k1> | undefined;
      // A bundle for the browser replaces the addon by an empty module (server/provenance/page/assets.ts):
      // only the real binding counts, or a Node.js running that bundle would recover no signer.
      if (typeof lib?.ecdsaRecover === "function" && typeof lib.ecdsaSign === "function") nativeLib = lib as NativeSecp256k1;
    }
  } catch {
    nativeLib = null;
  }
  return nativeLib;
}

/** Whether the native libsecp256k1 addon can be loaded here. */
export function nativeSecp256k1Available(): boolean {
  return loadNative() !== null;
}

/** The backend that signing and recovery use now. */
export function secp256k1Backend(): Secp256k1Backend {
  return forced ?? (loadNative() ? "native" : "js");
}

/**
 * Forces a backend ("auto": native when it loads). For tests and benchmarks that must exercise the
 * pure-JS path; forcing "native" throws where the addon is missing. Returns the backend now in use.
 */
export function useSecp256k1Backend(backend: Secp256k1Backend | "auto"): Secp256k1Backend {
  if (backend === "native" && !loadNative()) throw new Error("the native secp256k1 addon is not available");
  forced = backend === "auto" ? undefined : backend;
  return secp256k1Backend();
}

// "\x19Ethereum Signed Message:\n32": EIP-191 version 0x45 prefix for a 32-byte message.
const EIP191_PREFIX = new TextEncoder().encode("\x19Ethereum Signed Message:\n32");

/** The hash an EIP-191 personal_sign of the 32 digest bytes signs. */
function personalHash(digest: string): Uint8Array {
  const buf = new Uint8Array(EIP191_PREFIX.length + 32);
  buf.set(EIP191_PREFIX, 0);
  hexInto(digest, 32, buf, EIP191_PREFIX.length, "digest");
  return keccak(buf);
}

// secp256k1 group order n, and n/2: EIP-2 allows only s <= n/2 so that a signature has one encoding.
const N = fromHex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 32);
const HALF_N = fromHex("0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", 32);

const isZero = (b: Uint8Array, off: number) => b.subarray(off, off + 32).every((x) => x === 0);

/** Parses a 65-byte r ‖ s ‖ v signature and enforces its canonical form. */
function parseSignature(signature: string): { rs: Uint8Array; recid: number } {
  if (typeof signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(signature))
    throw new Error("malformed signature: expected 65 bytes (r ‖ s ‖ v) as 0x-prefixed hex");
  const bytes = fromHex(signature, 65, "signature");
  const v = bytes[64];
  if (v !== 27 && v !== 28) throw new Error(`malformed signature: v must be 27 or 28, got ${v}`);
  if (isZero(bytes, 0) || compareBytes(bytes, 0, N, 0, 32) >= 0) throw new Error("malformed signature: r is out of range");
  if (isZero(bytes, 32) || compareBytes(bytes, 32, N, 0, 32) >= 0) throw new Error("malformed signature: s is out of range");
  if (compareBytes(bytes, 32, HALF_N, 0, 32) > 0) throw new Error("non-canonical signature: s is in the upper half of the curve order (EIP-2)");
  return { rs: bytes.subarray(0, 64), recid: v - 27 };
}

const NO_KEY = "invalid signature: no public key can be recovered from it";

/** EIP-55 checksummed address from the 20 address bytes (our keccak: ethers' getAddress is slower). */
function checksumAddress(addr: Uint8Array): string {
  const hex = toHex(addr).slice(2);
  const hash = keccak(new TextEncoder().encode(hex));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const nib = i % 2 === 0 ? hash[i >> 1] >> 4 : hash[i >> 1] & 0x0f;
    out += nib >= 8 ? hex[i].toUpperCase() : hex[i];
  }
  return out;
}

function recoverNative(lib: NativeSecp256k1, hash: Uint8Array, rs: Uint8Array, recid: number): string {
  let pub: Uint8Array;
  try {
    pub = lib.ecdsaRecover(rs, recid, hash, false);
  } catch {
    throw new Error(NO_KEY);
  }
  // Address = last 20 bytes of keccak256(uncompressed public key without its 0x04 prefix).
  const h = new Uint8Array(32);
  keccakInto(pub.subarray(1), h, 0);
  return checksumAddress(h.subarray(12));
}

function recoverJs(hash: Uint8Array, rs: Uint8Array, recid: number): string {
  let pub: string;
  try {
    const sig = Signature.from({ r: toHex(rs, 0, 32), s: toHex(rs, 32, 32), v: 27 + recid });
    pub = SigningKey.recoverPublicKey(hash, sig);
  } catch {
    throw new Error(NO_KEY);
  }
  return computeAddress(pub); // checksummed, like ours
}

/**
 * The checksummed address that produced `signature` (EIP-191 over the digest bytes). Throws a
 * descriptive Error on malformed, non-canonical (high s, v not 27/28) or unrecoverable signatures.
 */
export function recoverSigner(digest: string, signature: string): string {
  const { rs, recid } = parseSignature(signature);
  const hash = personalHash(digest);
  const lib = secp256k1Backend() === "native" ? loadNative() : null;
  return lib ? recoverNative(lib, hash, rs, recid) : recoverJs(hash, rs, recid);
}

/** EIP-191 personal_sign of the 32 digest bytes; 65-byte lowercase hex r ‖ s ‖ v (v = 27 or 28). */
export function signDigest(privateKey: string, digest: string): string {
  const hash = personalHash(digest);
  const lib = secp256k1Backend() === "native" ? loadNative() : null;
  if (lib) {
    let sig: { signature: Uint8Array; recid: number };
    try {
      sig = lib.ecdsaSign(hash, fromHex(privateKey, 32, "private key"));
    } catch (err) {
      throw new Error(`cannot sign: ${(err as Error).message}`);
    }
    const out = new Uint8Array(65);
    out.set(sig.signature, 0);
    out[64] = 27 + sig.recid;
    return toHex(out);
  }
  return new SigningKey(privateKey).sign(hash).serialized.toLowerCase();
}

/** Signs a prepared record after checking that its digest really is the digest of its content. */
export function signRecord(privateKey: string, unsigned: UnsignedRecord & { digest: string }): SignedRecord {
  const digest = computeDigest(unsigned);
  if (digest !== unsigned.digest) throw new Error("cannot sign: the record's digest does not match its content");
  const { type, id, version, owner, body, salts } = unsigned;
  return { type, id, version, owner, body, salts, digest, signature: signDigest(privateKey, digest) };
}
