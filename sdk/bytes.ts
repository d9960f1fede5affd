/**
 * Byte helpers for the hot paths (digests, Merkle trees): keccak-256 straight into caller buffers and
 * hex conversion without intermediate strings or wrappers. Hex appears only at API edges.
 */

import { keccak256 as ethersKeccak256 } from "ethers";

/**
 * keccak-256 for the hot paths, which hash millions of short inputs (field hashes, Merkle nodes).
 * JavaScript has no 64-bit integers, so a pure-JS keccak works on 32-bit halves: @noble/hashes (what
 * ethers uses) measured ~60k hashes/s on the target machine, a hand-unrolled JS permutation ~370k/s.
 * The permutation below is WebAssembly with native i64 lanes: ~1.6M/s. The module is assembled here
 * from this source (about 1 KB, so browsers compile it synchronously) rather than shipped as a blob.
 * Where WebAssembly is unavailable (e.g. a CSP without 'wasm-unsafe-eval') ethers' keccak256 is used.
 */

const RATE = 136; // keccak-256 absorbs 136-byte blocks
// Memory layout of the module: output (first 4 lanes of the state) | round constants | input.
const OUT_AT = 0;
const RC_AT = 64;
const INPUT_AT = 256;

// prettier-ignore
const ROUND_CONSTANTS = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n, 0x000000000000808bn, 0x0000000080000001n,
  0x8000000080008081n, 0x8000000000008009n, 0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n,
  0x000000000000800an, 0x800000008000000an, 0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

/**
 * The WebAssembly module: one memory ("m") and `absorb(ptr, blocks)`, which runs the keccak-256 sponge
 * over `blocks` already padded 136-byte blocks at `ptr` from a zero state and stores the 32-byte hash
 * at OUT_AT. Lanes (x, y) live in locals a[x + 5y]; each round is theta, rho+pi (into b), chi, iota.
 */
function keccakModule(): Uint8Array<ArrayBuffer> {
  const PTR = 0, BLOCKS = 1, A = 2, B = 27, C = 52, D = 57, R = 58; // local indices
  const XOR = 0x85, AND = 0x83, ROTL = 0x89, LOAD = 0x29, STORE = 0x37, BR_IF = 0x0d, END = 0x0b;
  const code: number[] = [];
  const op = (...bytes: number[]) => code.push(...bytes);
  const get = (i: number) => op(0x20, i);
  const set = (i: number) => op(0x21, i);
  const tee = (i: number) => op(0x22, i);
  const i64 = (n: number) => op(0x42, ...sleb(n));
  const i32 = (n: number) => op(0x41, ...sleb(n));
  const rho: number[][] = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
  for (let t = 0, x = 1, y = 0; t < 24; t++) {
    rho[x][y] = (((t + 1) * (t + 2)) / 2) % 64;
    [x, y] = [y, (2 * x + 3 * y) % 5];
  }
  op(0x02, 0x40); // block
  get(BLOCKS), op(0x45, BR_IF, 0); // no blocks: done
  op(0x03, 0x40); // loop: one block
  for (let i = 0; i < RATE / 8; i++) get(A + i), get(PTR), op(LOAD, 3, ...uleb(8 * i), XOR), set(A + i);
  i32(0), set(R);
  op(0x03, 0x40); // loop: one round
  for (let x = 0; x < 5; x++) {
    get(A + x);
    for (let y = 1; y < 5; y++) get(A + x + 5 * y), op(XOR);
    set(C + x);
  }
  for (let x = 0; x < 5; x++) {
    get(C + ((x + 4) % 5)), get(C + ((x + 1) % 5)), i64(1), op(ROTL, XOR), set(D);
    for (let y = 0; y < 5; y++) get(A + x + 5 * y), get(D), op(XOR), set(A + x + 5 * y);
  }
  for (let x = 0; x < 5; x++)
    for (let y = 0; y < 5; y++) {
      get(A + x + 5 * y);
      if (rho[x][y]) i64(rho[x][y]), op(ROTL);
      set(B + y + 5 * ((2 * x + 3 * y) % 5));
    }
  for (let y = 0; y < 5; y++)
    for (let x = 0; x < 5; x++) {
      get(B + ((x + 1) % 5) + 5 * y), i64(-1), op(XOR), get(B + ((x + 2) % 5) + 5 * y), op(AND);
      get(B + x + 5 * y), op(XOR), set(A + x + 5 * y);
    }
  get(A), get(R), op(LOAD, 3, ...uleb(RC_AT), XOR), set(A); // iota
  get(R), i32(8), op(0x6a), tee(R), i32(8 * 24), op(0x49, BR_IF, 0, END); // next round
  get(PTR), i32(RATE), op(0x6a), set(PTR);
  get(BLOCKS), i32(1), op(0x6b), tee(BLOCKS), op(BR_IF, 0, END, END); // next block
  for (let i = 0; i < 4; i++) i32(OUT_AT + 8 * i), get(A + i), op(STORE, 3, 0);
  op(END);
  const func = [2, 56, 0x7e, 1, 0x7f, ...code]; // locals: 56 i64 (a, b, c, d), 1 i32 (r)
  const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  // prettier-ignore
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 2, 0x7f, 0x7f, 0]), // type: (i32, i32) -> ()
    ...section(3, [1, 0]), // one function of that type
    ...section(5, [1, 0, 1]), // one memory, one page to start with
    ...section(7, [2, ...name("m"), 2, 0, ...name("absorb"), 0, 0]),
    ...section(10, [1, ...uleb(func.length), ...func]),
  ]);
}

interface Sponge {
  memory: WebAssembly.Memory;
  absorb: (ptr: number, blocks: number) => void;
  mem: Uint8Array; // re-made when the memory grows
}

function instantiate(): Sponge | null {
  try {
    if (typeof WebAssembly === "undefined") return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(keccakModule()));
    const memory = instance.exports.m as WebAssembly.Memory;
    const view = new DataView(memory.buffer);
    ROUND_CONSTANTS.forEach((rc, i) => view.setBigUint64(RC_AT + 8 * i, rc, true));
    return { memory, absorb: instance.exports.absorb as Sponge["absorb"], mem: new Uint8Array(memory.buffer) };
  } catch {
    return null;
  }
}

const wasm = instantiate();
let useWasm = wasm !== null;

export type KeccakBackend = "wasm" | "js";

/** Forces a keccak backend, for tests of the fallback ("auto": WebAssembly when available). */
export function useKeccakBackend(backend: KeccakBackend | "auto"): KeccakBackend {
  if (backend === "wasm" && !wasm) throw new Error("WebAssembly keccak is not available here");
  useWasm = backend === "js" ? false : wasm !== null;
  return useWasm ? "wasm" : "js";
}

// Where preimages are built: the module's input area, or a plain buffer for the fallback.
let input: Uint8Array = wasm ? wasm.mem.subarray(INPUT_AT) : new Uint8Array(1024);
let fallbackInput = new Uint8Array(1024);

/**
 * A buffer to build a keccak preimage of up to `size` bytes in, from index 0, so the hot paths write
 * straight into the module's memory instead of copying. Valid until the next call of any function here.
 */
export function keccakBuffer(size: number): Uint8Array {
  if (!useWasm || !wasm) {
    if (fallbackInput.length < size) fallbackInput = new Uint8Array(Math.max(size, 2 * fallbackInput.length));
    return fallbackInput;
  }
  // Room for the padding too (up to one more block).
  const needed = INPUT_AT + size + RATE;
  if (needed > wasm.mem.length) {
    wasm.memory.grow(Math.ceil((needed - wasm.mem.length) / 65536));
    wasm.mem = new Uint8Array(wasm.memory.buffer);
  }
  if (input.buffer !== wasm.mem.buffer) input = wasm.mem.subarray(INPUT_AT);
  return input;
}

/** keccak-256 of the first `length` bytes of keccakBuffer(), written to `out[outOffset..+32]`. */
export function keccakBufferInto(length: number, out: Uint8Array, outOffset = 0): void {
  if (!useWasm || !wasm) {
    hexInto(ethersKeccak256(fallbackInput.subarray(0, length)), 32, out, outOffset);
    return;
  }
  const mem = wasm.mem;
  const padded = (Math.floor(length / RATE) + 1) * RATE;
  mem.fill(0, INPUT_AT + length, INPUT_AT + padded);
  // keccak (pre-SHA3) padding: 0x01 after the message, 0x80 in the block's last byte.
  mem[INPUT_AT + length] = 0x01;
  mem[INPUT_AT + padded - 1] |= 0x80;
  wasm.absorb(INPUT_AT, padded / RATE);
  for (let i = 0; i < 32; i++) out[outOffset + i] = mem[OUT_AT + i];
}

/** keccak-256 of `data[0..length]`, written to `out[outOffset..+32]`. */
export function keccakInto(data: Uint8Array, out: Uint8Array, outOffset = 0, length = data.length): void {
  const buf = keccakBuffer(length);
  if (length <= 64) for (let i = 0; i < length; i++) buf[i] = data[i]; // cheaper than a view for short inputs
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
