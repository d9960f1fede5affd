import { z } from "zod";
import { keccakBuffer, keccakBufferInto, hexInto, toHex, utf8Into } from "./bytes";
import { canonicalJsonBytes } from "./canonical";
import { Hex32 } from "./envelope";

/**
 * The hub's access log as a hash chain: each entry's hash covers the entry before it, and the head
 * (seq, hash) is anchored as one leaf of an anchor batch. The hub writes it with these functions
 * and the auditor checks it with the same ones, so a removed, inserted or edited entry shows as a
 * broken link, and a rewritten tail shows against the anchored head.
 */

export const ACCESS_ACTIONS = ["READ", "READ_PROOF", "LIST_GRANTS", "GRANT", "REVOKE_GRANT", "DENY", "EXPORT", "NOTIFY"] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

export const AccessLogEntrySchema = z.strictObject({
  seq: z.number().int().min(1),
  at: z.iso.datetime(),
  actor: z.string().min(1).max(64),
  action: z.enum(ACCESS_ACTIONS),
  recordId: z.string().nullable(),
  version: z.number().int().nullable(),
  owner: z.string().nullable(),
  detail: z.string().max(500).nullable(),
  prevHash: Hex32,
  hash: Hex32,
});
export type AccessLogEntry = z.infer<typeof AccessLogEntrySchema>;

/**
 * A line as an organisation sees the lines about its own records (GET /v1/access-log without the
 * AUDITOR role): `seq` is its own gapless sequence (1, 2, 3, ...), not the hub-wide one, and the
 * chain fields are left out: the entry's hash covers the hub-wide seq, which anyone could recover from
 * it by trying, and the gaps between its own lines would show how busy the rest of the hub is.
 */
export const OwnAccessLogEntrySchema = AccessLogEntrySchema.omit({ prevHash: true, hash: true });
export type OwnAccessLogEntry = z.infer<typeof OwnAccessLogEntrySchema>;
export type AccessLogDraft = Omit<AccessLogEntry, "seq" | "prevHash" | "hash">;

const AccessLogDraftSchema = AccessLogEntrySchema.omit({ seq: true, prevHash: true, hash: true });
const HeadSchema = z.object({ seq: z.number().int().min(0), hash: Hex32 });

/** The prevHash of entry 1 (and the head of an empty log). */
export const ACCESS_LOG_GENESIS = `0x${"0".repeat(64)}`;

const ENTRY_DOMAIN = "cargoproof:access-log:v1";
const HEAD_DOMAIN = "cargoproof:access-log-head:v1";

/**
 * keccak256(utf8("cargoproof:access-log:v1") ‖ RFC 8785 canonical JSON of the entry without `hash`).
 * The fields are picked by name, so a `hash` (or anything else) on the argument is never hashed.
 */
export function accessEntryHash(entry: Omit<AccessLogEntry, "hash">): string {
  const { seq, at, actor, action, recordId, version, owner, detail, prevHash } = entry;
  if (typeof at !== "string") throw new Error("access log entry: `at` must be an ISO-8601 string (not a Date)");
  const json = canonicalJsonBytes({ seq, at, actor, action, recordId, version, owner, detail, prevHash });
  const buf = keccakBuffer(ENTRY_DOMAIN.length + json.length);
  const p = utf8Into(ENTRY_DOMAIN, buf, 0);
  buf.set(json, p);
  const out = new Uint8Array(32);
  keccakBufferInto(p + json.length, out, 0);
  return toHex(out);
}

const issuesText = (e: z.ZodError) => e.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");

/**
 * Chains drafts after `head` (seq 0 with ACCESS_LOG_GENESIS for an empty log): seq = head.seq+1,...,
 * each prevHash the hash before it. Throws a descriptive Error on a bad head or draft.
 */
export function chainAccessEntries(head: { seq: number; hash: string }, drafts: AccessLogDraft[]): AccessLogEntry[] {
  const h = HeadSchema.safeParse(head);
  if (!h.success) throw new Error(`invalid access log head: ${issuesText(h.error)}`);
  let { seq, hash } = h.data;
  return drafts.map((draft, i) => {
    const d = AccessLogDraftSchema.safeParse(draft);
    if (!d.success) throw new Error(`invalid access log draft ${i}: ${issuesText(d.error)}`);
    // The hash covers `at` as text, so it must survive a round trip through a database timestamp.
    if (new Date(d.data.at).toISOString() !== d.data.at)
      throw new Error(`invalid access log draft ${i}: at must be in Date.toISOString() form (e.g. 2026-01-02T03:04:05.678Z), got ${d.data.at}`);
    const unhashed = { seq: ++seq, ...d.data, prevHash: hash };
    hash = accessEntryHash(unhashed);
    return { ...unhashed, hash };
  });
}

/**
 * keccak256(utf8("cargoproof:access-log-head:v1") ‖ uint64be(seq) ‖ hash): the value the hub adds to
 * an anchor batch's leaves (like a record digest) so the log's head is anchored with the records.
 */
export function accessLogHeadLeaf(seq: number, hash: string): string {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`access log head seq must be a non-negative integer, got ${seq}`);
  const buf = keccakBuffer(HEAD_DOMAIN.length + 8 + 32);
  let p = utf8Into(HEAD_DOMAIN, buf, 0);
  // uint64 big-endian; safe integers fit in 53 bits, so the high word is seq / 2^32.
  const hi = Math.floor(seq / 2 ** 32);
  const lo = seq >>> 0;
  for (let i = 3; i >= 0; i--) buf[p++] = (hi >>> (8 * i)) & 0xff;
  for (let i = 3; i >= 0; i--) buf[p++] = (lo >>> (8 * i)) & 0xff;
  hexInto(hash, 32, buf, p, "access log head hash");
  const out = new Uint8Array(32);
  keccakBufferInto(p + 32, out, 0);
  return toHex(out);
}

/**
 * Why `entry` does not follow `prev` in the chain, or undefined if it does. Without `prev`, the
 * entry must be the log's first (seq 1, prevHash = genesis).
 */
export function checkAccessLink(prev: { seq: number; hash: string } | undefined, entry: AccessLogEntry): string | undefined {
  const expectedSeq = prev ? prev.seq + 1 : 1;
  const expectedPrev = prev ? prev.hash : ACCESS_LOG_GENESIS;
  if (entry.seq !== expectedSeq) {
    if (!prev) return `the log starts at seq ${entry.seq}, not 1`;
    return entry.seq > expectedSeq
      ? `seq ${entry.seq} follows seq ${prev.seq}: ${entry.seq - expectedSeq} entr${entry.seq - expectedSeq === 1 ? "y is" : "ies are"} missing`
      : `seq ${entry.seq} follows seq ${prev.seq}: out of order or repeated`;
  }
  if (entry.prevHash !== expectedPrev) return `entry ${entry.seq}'s prevHash ${entry.prevHash} is not the hash of the entry before it (${expectedPrev})`;
  let computed: string;
  try {
    computed = accessEntryHash(entry);
  } catch (err) {
    return `entry ${entry.seq}'s hash cannot be recomputed: ${(err as Error).message}`;
  }
  if (computed !== entry.hash) return `entry ${entry.seq} was altered: its content hashes to ${computed}, not ${entry.hash}`;
  return undefined;
}
