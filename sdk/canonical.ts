import canonicalize from "canonicalize";

/**
 * RFC 8785 (JCS) canonical JSON, in two forms that must agree byte for byte (the tests hold them to it):
 * - `canonicalJson`: the text, serialised by `canonicalize`. That library silently drops or mangles
 *   what is not JSON (undefined, functions, Maps, sparse arrays) and overflows the stack on cycles, so
 *   the value is checked first and anything that is not plain JSON data is refused with its path.
 * - `canonicalJsonBytes`: its UTF-8 bytes, encoded directly. Digests hash millions of field values;
 *   going through strings (the JSON text, then TextEncoder) made allocation and garbage collection a
 *   third of the cost of a digest, and the whole cost grew with the heap.
 */

const MAX_DEPTH = 128; // deep enough for any record body; stops cycles and hostile nesting early

// In a /u regex, [\uD800-\uDFFF] matches only unpaired surrogates, which I-JSON (and so JCS) forbids.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

// Where the visit is, as a stack, so that a path is only built when an error names it.
const pathStack: (string | number)[] = [];

function fail(what: string): never {
  const path = "$" + pathStack.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
  pathStack.length = 0;
  throw new Error(`canonicalJson: ${what} at ${path} is not JSON`);
}

/** Refuses scalars that are not JSON; for objects, refuses what is not a plain object or array. */
function checkKind(value: unknown, depth: number): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) fail(String(value));
      return;
    case "undefined":
      return fail("undefined (omit the key instead)");
    case "bigint":
      return fail("a BigInt (use a string or a safe integer)");
    case "function":
    case "symbol":
      return fail(`a ${typeof value}`);
  }
  if (value === null) return;
  if (depth >= MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels (a circular reference?)`);
  if (Array.isArray(value)) return;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    fail(`an instance of ${typeof name === "string" ? name : "a class"} (only plain objects and arrays are JSON)`);
  }
}

function check(value: unknown, depth: number): void {
  checkKind(value, depth);
  if (typeof value === "string") {
    if (LONE_SURROGATE.test(value)) fail("a string with an unpaired UTF-16 surrogate");
  } else if (Array.isArray(value)) {
    // An index loop, not forEach: holes in sparse arrays must be seen (canonicalize would skip them).
    for (let i = 0; i < value.length; i++) {
      pathStack.push(i);
      check(value[i], depth + 1);
      pathStack.pop();
    }
  } else if (typeof value === "object" && value !== null) {
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      pathStack.push(key);
      if (LONE_SURROGATE.test(key)) fail("a key with an unpaired UTF-16 surrogate");
      check(obj[key], depth + 1);
      pathStack.pop();
    }
  }
}

/** The RFC 8785 canonical JSON text of `value`; throws a descriptive Error if `value` is not JSON. */
export function canonicalJson(value: unknown): string {
  pathStack.length = 0;
  check(value, 0);
  // Scalars serialise exactly as JSON.stringify does under JCS; skipping the library call is cheaper.
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null) return JSON.stringify(value);
  const text = canonicalize(value);
  if (text === undefined) throw new Error("canonicalJson: value is not JSON");
  return text;
}

// ---- Direct UTF-8 encoding -------------------------------------------------------------------------

let out = new Uint8Array(4096);
let pos = 0;

function ensure(n: number): void {
  if (pos + n <= out.length) return;
  const bigger = new Uint8Array(Math.max(pos + n, 2 * out.length));
  bigger.set(out.subarray(0, pos));
  out = bigger;
}

const HEX = "0123456789abcdef";
// JSON.stringify's short escapes (which JCS adopts); other control characters become \u00xx.
const SHORT_ESCAPE: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72, 0x22: 0x22, 0x5c: 0x5c };

function writeAscii(s: string): void {
  ensure(s.length);
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
}

/** A JSON string literal as JSON.stringify writes it, in UTF-8; refuses unpaired surrogates. */
function writeString(s: string, isKey: boolean): void {
  const n = s.length;
  ensure(2 + 6 * n); // worst case: \u00xx for every code unit
  out[pos++] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
        out[pos++] = c;
        continue;
      }
      out[pos++] = 0x5c;
      const short = SHORT_ESCAPE[c];
      if (short !== undefined) out[pos++] = short;
      else {
        out[pos++] = 0x75; // u00xx
        out[pos++] = 0x30;
        out[pos++] = 0x30;
        out[pos++] = HEX.charCodeAt(c >> 4);
        out[pos++] = HEX.charCodeAt(c & 15);
      }
    } else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) fail(isKey ? "a key with an unpaired UTF-16 surrogate" : "a string with an unpaired UTF-16 surrogate");
      const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      out[pos++] = 0xf0 | (cp >> 18);
      out[pos++] = 0x80 | ((cp >> 12) & 0x3f);
      out[pos++] = 0x80 | ((cp >> 6) & 0x3f);
      out[pos++] = 0x80 | (cp & 0x3f);
      i++;
    } else {
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  out[pos++] = 0x22;
}

function encode(value: unknown, depth: number): void {
  checkKind(value, depth);
  switch (typeof value) {
    case "string":
      return writeString(value, false);
    case "number":
      return writeAscii(String(value)); // ECMAScript Number::toString, which JCS prescribes
    case "boolean":
      return writeAscii(value ? "true" : "false");
  }
  if (value === null) return writeAscii("null");
  if (Array.isArray(value)) {
    ensure(1);
    out[pos++] = 0x5b;
    for (let i = 0; i < value.length; i++) {
      if (i > 0) {
        ensure(1);
        out[pos++] = 0x2c;
      }
      pathStack.push(i);
      encode(value[i], depth + 1);
      pathStack.pop();
    }
    ensure(1);
    out[pos++] = 0x5d;
    return;
  }
  const obj = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, the order JCS prescribes for property names.
  const keys = Object.keys(obj).sort();
  ensure(1);
  out[pos++] = 0x7b;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    pathStack.push(key);
    if (i > 0) {
      ensure(1);
      out[pos++] = 0x2c;
    }
    writeString(key, true);
    ensure(1);
    out[pos++] = 0x3a;
    encode(obj[key], depth + 1);
    pathStack.pop();
  }
  ensure(1);
  out[pos++] = 0x7d;
}

/**
 * UTF-8 of `canonicalJson(value)`, encoded without building the text. The result is a view of a
 * reused buffer, valid until the next call. Throws the same errors as `canonicalJson`.
 */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  pathStack.length = 0;
  pos = 0;
  encode(value, 0);
  return out.subarray(0, pos);
}
