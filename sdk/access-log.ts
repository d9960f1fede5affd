import { z } from "zod";
import { keccakBuffer, keccakBufferInto, hexInto, toHex, utf8, utf8Into } from "./bytes";
import { canonicalJsonBytes } from "./canonical";
import { Hex32 } from "./envelope";

/**
 * The hub's access log as hash chains: each entry's hash covers the entry before it in its chain, and
 * each chain's head is anchored as one leaf of an anchor batch. The hub writes it with these
 * functions and the auditor checks it with the same ones, so a removed, inserted or edited entry
 * shows as a broken link, and a rewritten tail shows against the anchored head.
 *
 * There is one chain per owner organisation (key: the owner; lines without an owner go to the hub's
 * own chain, key ""), so appends about different owners never wait for each other (issue 17). Such
 * entries carry `chain` and `chainSeq` and hash under the v2 domain. Entries written before chains
 * (no `chain`) form the legacy chain: one for the whole hub, by the hub-wide `seq`, v1 domain.
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
  /** The chain the entry is in (accessLogChainOf(owner)); absent on legacy entries. */
  chain: z.string().max(64).optional(),
  /** The entry's place in its chain (1, 2, 3, ...); absent on legacy entries, which `seq` places. */
  chainSeq: z.number().int().min(1).optional(),
});
export type AccessLogEntry = z.infer<typeof AccessLogEntrySchema>;

/**
 * A line as an organisation sees the lines about its own records (GET /v1/access-log without the
 * AUDITOR role): `seq` is its own gapless sequence (1, 2, 3, ...), not the hub-wide one, and the
 * chain fields are left out: the entry's hash covers the hub-wide seq, which anyone could recover from
 * it by trying, and the gaps between its own lines would show how busy the rest of the hub is.
 */
export const OwnAccessLogEntrySchema = AccessLogEntrySchema.omit({ prevHash: true, hash: true, chain: true, chainSeq: true });
export type OwnAccessLogEntry = z.infer<typeof OwnAccessLogEntrySchema>;
export type AccessLogDraft = Omit<AccessLogEntry, "seq" | "prevHash" | "hash" | "chain" | "chainSeq">;
/** An entry of a chain as the hub writes it: its hub-wide `seq` (a row number, not hashed) is the database's. */
export type ChainedAccessEntry = Omit<AccessLogEntry, "seq" | "chain" | "chainSeq"> & { chain: string; chainSeq: number };

const AccessLogDraftSchema = AccessLogEntrySchema.omit({ seq: true, prevHash: true, hash: true, chain: true, chainSeq: true });
const HeadSchema = z.object({ seq: z.number().int().min(0), hash: Hex32 });

/** The prevHash of entry 1 (and the head of an empty log). */
export const ACCESS_LOG_GENESIS = `0x${"0".repeat(64)}`;

const ENTRY_DOMAIN = "cargoproof:access-log:v1";
const ENTRY_DOMAIN_V2 = "cargoproof:access-log:v2";
const HEAD_DOMAIN = "cargoproof:access-log-head:v1";
const HEAD_DOMAIN_V2 = "cargoproof:access-log-head:v2";

/** The chain an entry about `owner`'s record goes to: the owner's own, or the hub's ("") without an owner. */
export function accessLogChainOf(owner: string | null): string {
  return owner ?? "";
}

/**
 * An entry's hash. Chained entries (with `chainSeq`): keccak256(utf8("cargoproof:access-log:v2") ‖
 * RFC 8785 JSON of {chain, chainSeq, at, actor, action, recordId, version, owner, detail, prevHash});
 * the hub-wide `seq` is not covered (entries of different chains are numbered by the database, in no
 * order the chain promises). Legacy entries: keccak256(utf8("cargoproof:access-log:v1") ‖ RFC 8785
 * JSON of {seq, at, ..., prevHash}). The fields are picked by name, so a `hash` (or anything else) on
 * the argument is never hashed.
 */
export function accessEntryHash(entry: Omit<AccessLogEntry, "hash" | "seq"> & { seq?: number }): string {
  const { seq, at, actor, action, recordId, version, owner, detail, prevHash, chain, chainSeq } = entry;
  if (typeof at !== "string") throw new Error("access log entry: `at` must be an ISO-8601 string (not a Date)");
  if (chainSeq !== undefined) {
    if (typeof chain !== "string") throw new Error("access log entry: a chained entry (chainSeq) must name its chain");
    return domainHash(ENTRY_DOMAIN_V2, canonicalJsonBytes({ chain, chainSeq, at, actor, action, recordId, version, owner, detail, prevHash }));
  }
  if (seq === undefined) throw new Error("access log entry: a legacy entry (no chainSeq) must have its seq");
  return domainHash(ENTRY_DOMAIN, canonicalJsonBytes({ seq, at, actor, action, recordId, version, owner, detail, prevHash }));
}

function domainHash(domain: string, json: Uint8Array): string {
  const buf = keccakBuffer(domain.length + json.length);
  const p = utf8Into(domain, buf, 0);
  buf.set(json, p);
  const out = new Uint8Array(32);
  keccakBufferInto(p + json.length, out, 0);
  return toHex(out);
}

const issuesText = (e: z.ZodError) => e.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");

function parsedHead(head: { seq: number; hash: string }): { seq: number; hash: string } {
  const h = HeadSchema.safeParse(head);
  if (!h.success) throw new Error(`invalid access log head: ${issuesText(h.error)}`);
  return h.data;
}

function parsedDraft(draft: AccessLogDraft, i: number): AccessLogDraft {
  const d = AccessLogDraftSchema.safeParse(draft);
  if (!d.success) throw new Error(`invalid access log draft ${i}: ${issuesText(d.error)}`);
  // The hash covers `at` as text, so it must survive a round trip through a database timestamp.
  if (new Date(d.data.at).toISOString() !== d.data.at)
    throw new Error(`invalid access log draft ${i}: at must be in Date.toISOString() form (e.g. 2026-01-02T03:04:05.678Z), got ${d.data.at}`);
  return d.data;
}

/**
 * Chains drafts onto chain `chain` after its `head` (seq 0 with ACCESS_LOG_GENESIS for a new chain):
 * chainSeq = head.seq+1, ..., each prevHash the hash before it. Every draft must belong to the chain
 * (accessLogChainOf(draft.owner) === chain). Throws a descriptive Error on a bad head or draft.
 */
export function chainAccessLines(chain: string, head: { seq: number; hash: string }, drafts: AccessLogDraft[]): ChainedAccessEntry[] {
  let { seq, hash } = parsedHead(head);
  return drafts.map((draft, i) => {
    const d = parsedDraft(draft, i);
    if (accessLogChainOf(d.owner) !== chain) throw new Error(`invalid access log draft ${i}: its owner ${d.owner} belongs to another chain than "${chain}"`);
    const unhashed = { chain, chainSeq: ++seq, ...d, prevHash: hash };
    hash = accessEntryHash(unhashed);
    return { ...unhashed, hash };
  });
}

/**
 * Legacy (v1) entries: chains drafts after `head` of the single hub-wide chain by `seq`. The hub no
 * longer writes these; kept to build logs as hubs before chains did (tests, benchmarks).
 */
export function chainAccessEntries(head: { seq: number; hash: string }, drafts: AccessLogDraft[]): AccessLogEntry[] {
  let { seq, hash } = parsedHead(head);
  return drafts.map((draft, i) => {
    const unhashed = { seq: ++seq, ...parsedDraft(draft, i), prevHash: hash };
    hash = accessEntryHash(unhashed);
    return { ...unhashed, hash };
  });
}

/**
 * Legacy (v1): keccak256(utf8("cargoproof:access-log-head:v1") ‖ uint64be(seq) ‖ hash), the leaf the
 * hub added to an anchor batch for the single hub-wide chain's head.
 */
export function accessLogHeadLeaf(seq: number, hash: string): string {
  const buf = keccakBuffer(HEAD_DOMAIN.length + 8 + 32);
  const p = seqAndHashInto(seq, hash, buf, utf8Into(HEAD_DOMAIN, buf, 0));
  const out = new Uint8Array(32);
  keccakBufferInto(p, out, 0);
  return toHex(out);
}

/**
 * keccak256(utf8("cargoproof:access-log-head:v2") ‖ uint16be(byte length of chain) ‖ utf8(chain) ‖
 * uint64be(seq) ‖ hash): the value the hub adds to an anchor batch's leaves (like a record digest)
 * for each chain whose head moved since the last batch, so every chain is anchored with the records.
 * The chain key is bound (length-prefixed), so one chain's head cannot stand for another's.
 */
export function accessChainHeadLeaf(chain: string, seq: number, hash: string): string {
  const key = utf8(chain);
  if (key.length > 0xffff) throw new Error("access log chain key too long");
  const buf = keccakBuffer(HEAD_DOMAIN_V2.length + 2 + key.length + 8 + 32);
  let p = utf8Into(HEAD_DOMAIN_V2, buf, 0);
  buf[p++] = key.length >>> 8;
  buf[p++] = key.length & 0xff;
  buf.set(key, p);
  p = seqAndHashInto(seq, hash, buf, p + key.length);
  const out = new Uint8Array(32);
  keccakBufferInto(p, out, 0);
  return toHex(out);
}

/** Writes uint64be(seq) ‖ hash at `p`; returns the offset after them. */
function seqAndHashInto(seq: number, hash: string, buf: Uint8Array, p: number): number {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`access log head seq must be a non-negative integer, got ${seq}`);
  // uint64 big-endian; safe integers fit in 53 bits, so the high word is seq / 2^32.
  const hi = Math.floor(seq / 2 ** 32);
  const lo = seq >>> 0;
  for (let i = 3; i >= 0; i--) buf[p++] = (hi >>> (8 * i)) & 0xff;
  for (let i = 3; i >= 0; i--) buf[p++] = (lo >>> (8 * i)) & 0xff;
  hexInto(hash, 32, buf, p, "access log head hash");
  return p + 32;
}

/** The entry's place in its chain: chainSeq for a chained entry, the hub-wide seq for a legacy one. */
export function accessPlaceOf(entry: Pick<AccessLogEntry, "seq" | "chainSeq">): number {
  return entry.chainSeq ?? entry.seq;
}

/** How messages name a chain: `chain "acme": ` (the hub's own: `the hub's chain: `), nothing for the legacy chain. */
export function accessChainLabel(chain: string | undefined): string {
  if (chain === undefined) return "";
  return chain === "" ? "the hub's chain: " : `chain "${chain}": `;
}

/**
 * Why `entry` does not follow `prev` in its chain, or undefined if it does; `prev` is the chain's
 * previous entry's place (accessPlaceOf) and hash. Without `prev`, the entry must be its chain's first
 * (place 1, prevHash = genesis). Messages name the chain (accessChainLabel).
 */
export function checkAccessLink(prev: { seq: number; hash: string } | undefined, entry: AccessLogEntry): string | undefined {
  const label = accessChainLabel(entry.chain);
  if ((entry.chain === undefined) !== (entry.chainSeq === undefined)) return `${label}entry ${entry.seq} has a chain or a chainSeq, not both`;
  if (entry.chain !== undefined && entry.chain !== accessLogChainOf(entry.owner))
    return `${label}entry ${entry.chainSeq} is about owner ${entry.owner}'s record, which belongs to another chain`;
  const seq = accessPlaceOf(entry);
  const expectedSeq = prev ? prev.seq + 1 : 1;
  const expectedPrev = prev ? prev.hash : ACCESS_LOG_GENESIS;
  if (seq !== expectedSeq) {
    if (!prev) return `${label}the log starts at seq ${seq}, not 1`;
    return seq > expectedSeq
      ? `${label}seq ${seq} follows seq ${prev.seq}: ${seq - expectedSeq} entr${seq - expectedSeq === 1 ? "y is" : "ies are"} missing`
      : `${label}seq ${seq} follows seq ${prev.seq}: out of order or repeated`;
  }
  if (entry.prevHash !== expectedPrev) return `${label}entry ${seq}'s prevHash ${entry.prevHash} is not the hash of the entry before it (${expectedPrev})`;
  let computed: string;
  try {
    computed = accessEntryHash(entry);
  } catch (err) {
    return `${label}entry ${seq}'s hash cannot be recomputed: ${(err as Error).message}`;
  }
  if (computed !== entry.hash) return `${label}entry ${seq} was altered: its content hashes to ${computed}, not ${entry.hash}`;
  return undefined;
}
