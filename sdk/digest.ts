import { canonicalJsonBytes } from "./canonical";
import { compareBytes, hexInto, keccakBuffer, keccakBufferInto, toHex, utf8Into } from "./bytes";
import { FieldName, RecordHeaderSchema, type RecordHeader, type SignedRecord, type UnsignedRecord } from "./envelope";

/**
 * Record digests. Each field is hashed with its own random salt, so a field can later be hidden
 * (replaced by its hash) without changing the digest, and a hidden field's value cannot be guessed
 * from its hash. The digest binds the header and the sorted field hashes (order-free, so hidden and
 * visible fields need no positions).
 */

const DOMAIN = "cargoproof:record:v1";
const SALT_BYTES = 16;
// crypto.getRandomValues fills at most 65,536 bytes per call.
const MAX_RANDOM_CHUNK = 65536;

// Random bytes are drawn in 64 KiB chunks (getRandomValues' maximum) and handed out once each: one
// call costs ~6 µs however few bytes it returns, which per record would dominate salting.
let pool = new Uint8Array(0);
let poolPos = 0;

/** `n` (at most MAX_RANDOM_CHUNK) fresh random bytes at bytes[offset..]. */
function randomBytes(n: number): { bytes: Uint8Array; offset: number } {
  if (pool.length - poolPos < n) {
    pool = crypto.getRandomValues(new Uint8Array(MAX_RANDOM_CHUNK));
    poolPos = 0;
  }
  const offset = poolPos;
  poolPos += n;
  return { bytes: pool, offset };
}

/** A fresh random 16-byte salt per field (never reused: each pooled random byte is handed out once). */
export function newSalts(body: Record<string, unknown>): Record<string, string> {
  const names = Object.keys(body);
  const salts: Record<string, string> = {};
  // Bodies too large for one draw are salted in chunks.
  const perDraw = MAX_RANDOM_CHUNK / SALT_BYTES;
  for (let start = 0; start < names.length; start += perDraw) {
    const count = Math.min(perDraw, names.length - start);
    const { bytes, offset } = randomBytes(SALT_BYTES * count);
    for (let i = 0; i < count; i++) salts[names[start + i]] = toHex(bytes, offset + i * SALT_BYTES, SALT_BYTES);
  }
  return salts;
}

/** keccak256(salt ‖ uint16be(len(name)) ‖ name ‖ canonicalJson(value)) into out[outOffset..+32]. */
function fieldHashInto(salt: string, name: string, value: unknown, out: Uint8Array, outOffset: number): void {
  const json = canonicalJsonBytes(value);
  // The preimage is built in place in keccak's own buffer; UTF-8 needs at most 3 bytes per UTF-16 unit.
  const buf = keccakBuffer(SALT_BYTES + 2 + 3 * name.length + json.length);
  try {
    hexInto(salt, SALT_BYTES, buf, 0);
  } catch {
    // Named only on failure: building the message per field would cost an allocation per hash.
    throw new Error(`salt of field '${name}' must be ${SALT_BYTES} bytes of 0x-prefixed hex`);
  }
  const nameLen = utf8Into(name, buf, SALT_BYTES + 2);
  if (nameLen > 0xffff) throw new Error("a field name must be under 64 KiB");
  buf[SALT_BYTES] = nameLen >>> 8;
  buf[SALT_BYTES + 1] = nameLen & 0xff;
  const end = SALT_BYTES + 2 + nameLen;
  if (json.length <= 64) for (let i = 0; i < json.length; i++) buf[end + i] = json[i];
  else buf.set(json, end);
  keccakBufferInto(end + json.length, out, outOffset);
}

/** The hash of one field: what stands in for the field once it is hidden. Lowercase 0x hex. */
export function fieldHash(salt: string, name: string, value: unknown): string {
  const out = new Uint8Array(32);
  fieldHashInto(salt, name, value, out, 0);
  return toHex(out);
}

/** Writes uint16be(byte length) ‖ utf8(s) at `offset`; returns the offset after it. */
function writeLp(s: string, buf: Uint8Array, offset: number, what: string): number {
  const n = utf8Into(s, buf, offset + 2);
  if (n > 0xffff) throw new Error(`record ${what} is too long`);
  buf[offset] = n >>> 8;
  buf[offset + 1] = n & 0xff;
  return offset + 2 + n;
}

const sortOrder = new Int32Array(64);
const digestHashes = new Uint8Array(32 * 64); // field hashes of records with up to 64 fields

/** The record digest from `count` 32-byte field hashes packed in `hashes`, into out[outOffset..+32]. */
function recordDigestInto(header: RecordHeader, hashes: Uint8Array, count: number, out: Uint8Array, outOffset: number): void {
  const { type, id, version, owner } = header;
  if (typeof type !== "string" || typeof id !== "string" || typeof owner !== "string") throw new Error("record header needs string type, id and owner");
  if (!Number.isInteger(version) || version < 1 || version > 0xffff_ffff) throw new Error("record version must be an integer from 1 to 2^32-1");
  const buf = keccakBuffer(DOMAIN.length + 3 * (type.length + id.length + owner.length) + 10 + 32 * count);
  let p = utf8Into(DOMAIN, buf, 0);
  p = writeLp(type, buf, p, "type");
  p = writeLp(id, buf, p, "id");
  buf[p] = version >>> 24;
  buf[p + 1] = (version >>> 16) & 0xff;
  buf[p + 2] = (version >>> 8) & 0xff;
  buf[p + 3] = version & 0xff;
  p = writeLp(owner, buf, p + 4, "owner");
  // Sorting makes the digest independent of field order, which JSON objects do not fix. Insertion
  // sort of indices: records have a handful of fields and this avoids allocating per digest.
  const order = count <= sortOrder.length ? sortOrder : new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let j = i;
    while (j > 0 && compareBytes(hashes, order[j - 1] * 32, hashes, i * 32, 32) > 0) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  for (let k = 0; k < count; k++) {
    const from = order[k] * 32;
    for (let b = 0; b < 32; b++) buf[p + b] = hashes[from + b];
    p += 32;
  }
  keccakBufferInto(p, out, outOffset);
}

/** The record digest from a header and the hex hashes of all its fields (visible and hidden). */
export function recordDigest(header: RecordHeader, fieldHashes: string[]): string {
  const hashes = new Uint8Array(32 * fieldHashes.length);
  fieldHashes.forEach((h, i) => hexInto(h, 32, hashes, i * 32, "field hash"));
  const out = new Uint8Array(32);
  recordDigestInto(header, hashes, fieldHashes.length, out, 0);
  return toHex(out);
}

/**
 * Recomputes a record's digest from its visible fields (body + salts) and hidden field hashes.
 * Throws if a visible field has no salt, a salt has no field, or a field is both visible and hidden.
 */
export function computeDigest(record: UnsignedRecord | SignedRecord): string {
  const { body, salts } = record;
  const hidden = "hidden" in record && record.hidden ? record.hidden : undefined;
  const visible = Object.keys(body);
  const hiddenNames = hidden ? Object.keys(hidden) : [];
  const saltNames = Object.keys(salts);
  if (saltNames.length !== visible.length) {
    const extra = saltNames.find((n) => !Object.hasOwn(body, n));
    if (extra !== undefined) throw new Error(`salt for field '${extra}', which is not in body`);
  }
  const count = visible.length + hiddenNames.length;
  const hashes = count <= 64 ? digestHashes : new Uint8Array(32 * count);
  for (let i = 0; i < visible.length; i++) {
    const name = visible[i];
    if (!Object.hasOwn(salts, name)) throw new Error(`body field '${name}' has no salt`);
    if (hidden && Object.hasOwn(hidden, name)) throw new Error(`field '${name}' is both in body and hidden`);
    fieldHashInto(salts[name], name, body[name], hashes, i * 32);
  }
  for (let i = 0; i < hiddenNames.length; i++) hexInto(hidden![hiddenNames[i]], 32, hashes, (visible.length + i) * 32, `hidden hash of '${hiddenNames[i]}'`);
  const out = new Uint8Array(32);
  recordDigestInto(record, hashes, count, out, 0);
  return toHex(out);
}

/**
 * A new record ready to sign: fresh salts and its digest. Top-level fields set to `undefined` are
 * left out (they are absent optional fields, as JSON would have them); any other non-JSON value throws.
 */
export function prepareRecord(header: RecordHeader, body: Record<string, unknown>): UnsignedRecord & { digest: string } {
  const h = RecordHeaderSchema.safeParse(header);
  if (!h.success) throw new Error(`invalid record header: ${h.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const clean: Record<string, unknown> = {};
  for (const name of Object.keys(body)) {
    if (body[name] === undefined) continue;
    const n = FieldName.safeParse(name);
    if (!n.success) throw new Error(`invalid body field name '${name}': ${n.error.issues[0].message}`);
    clean[name] = body[name];
  }
  const { type, id, version, owner } = h.data;
  const unsigned: UnsignedRecord = { type, id, version, owner, body: clean, salts: newSalts(clean) };
  return { ...unsigned, digest: computeDigest(unsigned) };
}
