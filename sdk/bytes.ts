/**
 * Byte helpers for the hot paths (digests, Merkle trees): keccak-256 straight into caller buffers and
 * hex conversion without intermediate strings or wrappers. Hex appears only at API edges.
 */

import { keccak256 as ethersKeccak256 } from "ethers";
import { createKeccak, type IHasher } from "hash-wasm";

/**
 * keccak-256 for the hot paths, which hash millions of short inputs (field hashes, Merkle nodes).
 * JavaScript has no 64-bit integers, so pure-JS keccak is slow: @noble/hashes (what ethers uses)
 * measured ~60k hashes/s here. hash-wasm's WebAssembly keccak does ~1M/s. It loads asynchronously:
 * until `keccakReady` resolves, and wherever WebAssembly is unavailable (e.g. a CSP without
 * 'wasm-unsafe-eval'), ethers' keccak256 is used. The results are the same either way; only speed differs.
 */
let hasher: IHasher | undefined;
let useWasm = true;

/** Resolves once the fast keccak is loaded (never rejects: the fallback stays in use on failure). */
export const keccakReady: Promise<void> = createKeccak(256).then(
  (h) => {
    hasher = h;
  },
  () => undefined,
);

export type KeccakBackend = "wasm" | "js";

/** Forces a keccak backend, for tests of the fallback ("auto": WebAssembly when loaded). */
export function useKeccakBackend(backend: KeccakBackend | "auto"): KeccakBackend {
  if (backend === "wasm" && !hasher) throw new Error("WebAssembly keccak is not loaded (await keccakReady)");
  useWasm = backend !== "js";
  return useWasm && hasher ? "wasm" : "js";
}

// Where preimages are built, so the hot paths write into one reused buffer.
let input = new Uint8Array(1024);

/**
 * A buffer to build a keccak preimage of up to `size` bytes in, from index 0.
 * Valid until the next call of any function here.
 */
export function keccakBuffer(size: number): Uint8Array {
  if (input.length < size) input = new Uint8Array(Math.max(size, 2 * input.length));
  return input;
}

/** keccak-256 of the first `length` bytes of keccakBuffer(), written to `out[outOffset..+32]`. */
export function keccakBufferInto(length: number, out: Uint8Array, outOffset = 0): void {
  if (useWasm && hasher) {
    hasher.init();
    hasher.update(input.subarray(0, length));
    out.set(hasher.digest("binary"), outOffset);
    return;
  }
  hexInto(ethersKeccak256(input.subarray(0, length)), 32, out, outOffset);
}

/** keccak-256 of `data[0..length]`, written to `out[outOffset..+32]`. */
export function keccakInto(data: Uint8Array, out: Uint8Array, outOffset = 0, length = data.length): void {
  const buf = keccakBuffer(length);
  if (length <= 64)
    for (let i = 0; i < length; i++) buf[i] = data[i]; // cheaper than a view for short inputs
  else buf.set(length === data.length ? data : data.subarray(0, length), 0);
  keccakBufferInto(length, out, outOffset);
}

/** keccak-256 of `data` as a new 32-byte array. */
export function keccak(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  keccakInto(data, out, 0);
  return out;
}

// ASCII codes of the two hex digits of each byte value.
const HEX_CODES = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, "0");
  HEX_CODES[2 * i] = h.charCodeAt(0);
  HEX_CODES[2 * i + 1] = h.charCodeAt(1);
}
let hexChars = new Uint8Array(2 + 2 * 64);
// Decoding ASCII digits gives a flat string. Building it with += would give a rope of ~33 objects per
// hash, and keeping 100,000s of those alive (Merkle proofs) made garbage collection the main cost.
const latin1 = new TextDecoder("latin1");

/** Lowercase 0x-prefixed hex of `bytes[offset..offset+length]`. */
export function toHex(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  if (hexChars.length < 2 + 2 * length) hexChars = new Uint8Array(2 + 2 * length);
  const c = hexChars;
  c[0] = 48; // "0"
  c[1] = 120; // "x"
  for (let i = 0, j = 2; i < length; i++, j += 2) {
    const v = bytes[offset + i] << 1;
    c[j] = HEX_CODES[v];
    c[j + 1] = HEX_CODES[v + 1];
  }
  return latin1.decode(c.subarray(0, 2 + 2 * length));
}

// Value of each hex digit by character code, -1 for anything else.
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  NIBBLE["0123456789abcdef".charCodeAt(i)] = i;
  NIBBLE["0123456789ABCDEF".charCodeAt(i)] = i;
}

/**
 * Parses 0x-prefixed hex (either case) into `out[outOffset..]`; throws if it is not exactly
 * `byteLength` bytes of hex. `what` names the value in the error message.
 */
export function hexInto(hex: string, byteLength: number, out: Uint8Array, outOffset: number, what = "value"): void {
  if (typeof hex !== "string" || hex.length !== 2 + 2 * byteLength || hex[0] !== "0" || (hex[1] !== "x" && hex[1] !== "X"))
    throw new Error(`${what} must be ${byteLength} bytes of 0x-prefixed hex`);
  for (let i = 0, j = 2; i < byteLength; i++, j += 2) {
    const a = hex.charCodeAt(j);
    const b = hex.charCodeAt(j + 1);
    const hi = a < 128 ? NIBBLE[a] : -1;
    const lo = b < 128 ? NIBBLE[b] : -1;
    if (hi < 0 || lo < 0) throw new Error(`${what} must be ${byteLength} bytes of 0x-prefixed hex`);
    out[outOffset + i] = (hi << 4) | lo;
  }
}

/** Parses 0x-prefixed hex of exactly `byteLength` bytes. */
export function fromHex(hex: string, byteLength: number, what = "value"): Uint8Array {
  const out = new Uint8Array(byteLength);
  hexInto(hex, byteLength, out, 0, what);
  return out;
}

/** Bytewise comparison of two equal-length regions, for sorting hashes as unsigned 256-bit numbers. */
export function compareBytes(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, length: number): number {
  for (let i = 0; i < length; i++) {
    const d = a[aOff + i] - b[bOff + i];
    if (d !== 0) return d;
  }
  return 0;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * Writes UTF-8 of `s` into `out` at `offset` (which must have room for 3 bytes per UTF-16 unit) and
 * returns the number of bytes written; avoids allocating a buffer per string.
 */
export function utf8Into(s: string, out: Uint8Array, offset: number): number {
  // ASCII fast path: most field names and values are ASCII and this beats TextEncoder for short strings.
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) break;
    out[offset + i] = c;
  }
  if (i === n) return n;
  return i + encoder.encodeInto(s.slice(i), out.subarray(offset + i)).written;
}
