import { expect } from "chai";
import canonicalize from "canonicalize";
import { concat, keccak256, solidityPacked, solidityPackedKeccak256, toUtf8Bytes } from "ethers";
import {
  ACCESS_LOG_GENESIS,
  AccessLogEntrySchema,
  accessEntryHash,
  accessChainHeadLeaf,
  accessLogHeadLeaf,
  chainAccessEntries,
  chainAccessLines,
  checkAccessLink,
  type AccessLogDraft,
  type AccessLogEntry,
} from "../../sdk/access-log";
import { keccakReady } from "../../sdk/bytes";

const draft = (i: number, over: Partial<AccessLogDraft> = {}): AccessLogDraft => ({
  at: new Date(Date.UTC(2026, 10, 23, 10, 0, i)).toISOString(),
  actor: "fast-forward",
  action: "READ",
  recordId: `shp-${i}`,
  version: 1,
  owner: "acme-shipping",
  detail: null,
  ...over,
});

const drafts = (n: number) => Array.from({ length: n }, (_, i) => draft(i + 1));
const GENESIS_HEAD = { seq: 0, hash: ACCESS_LOG_GENESIS };

describe("access log hash chain", () => {
  before(() => keccakReady);

  it("hashes an entry as keccak256(domain ‖ RFC 8785 JSON of the entry without its hash)", () => {
    const [entry] = chainAccessEntries(GENESIS_HEAD, [draft(1, { detail: 'grüße \u2028 "quoted"' })]);
    const { hash, ...unhashed } = entry;
    const expected = keccak256(concat([toUtf8Bytes("cargoproof:access-log:v1"), toUtf8Bytes(canonicalize(unhashed)!)]));
    expect(hash).to.equal(expected);
    expect(accessEntryHash(unhashed)).to.equal(expected);
    expect(accessEntryHash(entry), "a hash on the argument is not hashed").to.equal(expected);
    expect(accessEntryHash({ ...unhashed, actor: "someone-else" })).to.not.equal(expected);
  });

  it("refuses a Date for `at`, with a clear error", () => {
    const [entry] = chainAccessEntries(GENESIS_HEAD, [draft(1)]);
    expect(() => accessEntryHash({ ...entry, at: new Date() as unknown as string })).to.throw(/`at` must be an ISO-8601 string/);
  });

  it("chains drafts after a head: seq, prevHash links, one chain however it is appended", () => {
    const all = chainAccessEntries(GENESIS_HEAD, drafts(5));
    expect(all.map((e) => e.seq)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(all[0].prevHash).to.equal(ACCESS_LOG_GENESIS);
    for (let i = 1; i < all.length; i++) expect(all[i].prevHash).to.equal(all[i - 1].hash);
    for (const e of all) expect(AccessLogEntrySchema.parse(e)).to.deep.equal(e);
    const first = chainAccessEntries(GENESIS_HEAD, drafts(2));
    const rest = chainAccessEntries({ seq: 2, hash: first[1].hash }, drafts(5).slice(2));
    expect([...first, ...rest]).to.deep.equal(all);
  });

  it("refuses bad drafts and heads, naming the problem", () => {
    expect(() => chainAccessEntries(GENESIS_HEAD, [draft(1, { action: "STEAL" as "READ" })])).to.throw(/draft 0: action/);
    expect(() => chainAccessEntries(GENESIS_HEAD, [draft(1), { ...draft(2), extra: 1 } as AccessLogDraft])).to.throw(/draft 1/);
    expect(() => chainAccessEntries(GENESIS_HEAD, [draft(1, { detail: "x".repeat(501) })])).to.throw(/detail/);
    expect(() => chainAccessEntries(GENESIS_HEAD, [draft(1, { at: "2026-11-23T10:00:00Z" })])).to.throw(/toISOString\(\) form/);
    expect(() => chainAccessEntries({ seq: -1, hash: ACCESS_LOG_GENESIS }, drafts(1))).to.throw(/invalid access log head/);
    expect(() => chainAccessEntries({ seq: 0, hash: "0x12" }, drafts(1))).to.throw(/invalid access log head/);
  });

  it("the head leaf is keccak256(domain ‖ uint64be(seq) ‖ hash)", () => {
    const [e] = chainAccessEntries(GENESIS_HEAD, drafts(1));
    for (const seq of [1, 255, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER]) {
      const expected = solidityPackedKeccak256(["string", "uint64", "bytes32"], ["cargoproof:access-log-head:v1", seq, e.hash]);
      expect(accessLogHeadLeaf(seq, e.hash)).to.equal(expected);
    }
    expect(accessLogHeadLeaf(1, e.hash)).to.not.equal(accessLogHeadLeaf(2, e.hash));
    expect(() => accessLogHeadLeaf(-1, e.hash)).to.throw(/non-negative integer/);
    expect(() => accessLogHeadLeaf(1, "0xabc")).to.throw(/32 bytes/);
  });

  describe("checkAccessLink", () => {
    const log = chainAccessEntries(GENESIS_HEAD, drafts(6));
    const link = (prev: AccessLogEntry | undefined, e: AccessLogEntry) => checkAccessLink(prev && { seq: prev.seq, hash: prev.hash }, e);

    it("accepts a genuine chain from its first entry", () => {
      expect(log.map((e, i) => link(log[i - 1], e))).to.deep.equal(log.map(() => undefined));
    });

    it("the first entry must be seq 1 after the genesis hash", () => {
      expect(link(undefined, log[1])).to.equal("the log starts at seq 2, not 1");
      expect(link(undefined, { ...log[0], prevHash: log[3].hash })).to.match(/prevHash .* is not the hash of the entry before it/);
    });

    it("reports cut, repeated and re-linked entries", () => {
      expect(link(log[1], log[3])).to.equal("seq 4 follows seq 2: 1 entry is missing");
      expect(link(log[0], log[4])).to.equal("seq 5 follows seq 1: 3 entries are missing");
      expect(link(log[3], log[3])).to.equal("seq 4 follows seq 4: out of order or repeated");
      // Renumbered after a cut, but still pointing at the removed entry.
      expect(link(log[1], { ...log[3], seq: 3 })).to.match(/entry 3's prevHash .* is not the hash of the entry before it/);
    });

    it("reports an entry whose content was edited", () => {
      expect(link(log[1], { ...log[2], actor: "someone-else" })).to.match(/^entry 3 was altered: its content hashes to 0x[0-9a-f]{64}, not /);
    });
  });

  it("the schema refuses what the hub must never store", () => {
    const [e] = chainAccessEntries(GENESIS_HEAD, drafts(1));
    expect(AccessLogEntrySchema.safeParse({ ...e, hash: e.hash.toUpperCase().replace("0X", "0x") }).success).to.equal(false);
    expect(AccessLogEntrySchema.safeParse({ ...e, seq: 0 }).success).to.equal(false);
    expect(AccessLogEntrySchema.safeParse({ ...e, note: "x" }).success).to.equal(false);
    expect(AccessLogEntrySchema.safeParse({ ...e, actor: "" }).success).to.equal(false);
  });

  describe("per-owner chains (v2)", () => {
    const acme = (n: number) => chainAccessLines("acme-shipping", GENESIS_HEAD, drafts(n));
    const asEntry = (e: ReturnType<typeof acme>[number], seq: number): AccessLogEntry => ({ seq, ...e });

    it("hashes a chained entry under the v2 domain over its chain and chainSeq, not the hub-wide seq", () => {
      const [e] = acme(1);
      const { hash, ...unhashed } = e!;
      const expected = keccak256(concat([toUtf8Bytes("cargoproof:access-log:v2"), toUtf8Bytes(canonicalize(unhashed)!)]));
      expect(hash).to.equal(expected);
      expect(accessEntryHash({ ...unhashed, seq: 977 }), "the row number is not covered").to.equal(expected);
      expect(accessEntryHash({ ...unhashed, chain: "fast-forward" })).to.not.equal(expected);
      expect(accessEntryHash({ ...unhashed, chainSeq: 2 })).to.not.equal(expected);
      // The same line as a legacy entry hashes differently (domain and fields), so one cannot pass for the other.
      const { chain: _c, chainSeq: _s, ...legacy } = unhashed;
      expect(accessEntryHash({ ...legacy, seq: 1 })).to.not.equal(expected);
    });

    it("chains drafts onto one chain from chainSeq 1, and refuses another owner's draft", () => {
      const all = acme(4);
      expect(all.map((e) => e.chainSeq)).to.deep.equal([1, 2, 3, 4]);
      expect(all[0]!.prevHash).to.equal(ACCESS_LOG_GENESIS);
      for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).to.equal(all[i - 1]!.hash);
      const rest = chainAccessLines("acme-shipping", { seq: 2, hash: all[1]!.hash }, drafts(4).slice(2));
      expect([...all.slice(0, 2), ...rest]).to.deep.equal(all);
      expect(() => chainAccessLines("fast-forward", GENESIS_HEAD, drafts(1))).to.throw(/another chain/);
      expect(chainAccessLines("", GENESIS_HEAD, [draft(1, { owner: null })])[0]!.chain).to.equal("");
      expect(() => chainAccessLines("", GENESIS_HEAD, drafts(1))).to.throw(/another chain/);
      for (const [i, e] of all.entries()) expect(AccessLogEntrySchema.parse(asEntry(e, i + 10))).to.deep.equal(asEntry(e, i + 10));
    });

    it("checkAccessLink follows chainSeq, names the chain, and refuses a line filed in another owner's chain", () => {
      const all = acme(4).map((e, i) => asEntry(e, 100 + 3 * i)); // row numbers with gaps: other chains in between
      const prev = (i: number) => ({ seq: all[i]!.chainSeq!, hash: all[i]!.hash });
      expect(all.map((e, i) => checkAccessLink(i === 0 ? undefined : prev(i - 1), e))).to.deep.equal(all.map(() => undefined));
      expect(checkAccessLink(prev(0), all[2]!)).to.equal('chain "acme-shipping": seq 3 follows seq 1: 1 entry is missing');
      expect(checkAccessLink(prev(1), { ...all[2]!, detail: "x" })).to.match(/^chain "acme-shipping": entry 3 was altered/);
      expect(checkAccessLink(prev(1), { ...all[2]!, owner: "fast-forward" })).to.match(/belongs to another chain/);
      const { chainSeq: _s, ...half } = all[0]!;
      expect(checkAccessLink(undefined, half)).to.match(/not both/);
      const [hub] = chainAccessLines("", GENESIS_HEAD, [draft(1, { owner: null })]);
      expect(checkAccessLink(undefined, { ...asEntry(hub!, 1), chainSeq: 2 })).to.match(/^the hub's chain: the log starts at seq 2/);
    });

    it("the chain head leaf is keccak256(v2 domain ‖ uint16be(len) ‖ chain ‖ uint64be(seq) ‖ hash), bound to its chain", () => {
      const [e] = acme(1);
      for (const chain of ["", "acme-shipping", "grüße"]) {
        const key = toUtf8Bytes(chain);
        const packed = solidityPacked(["string", "uint16", "bytes", "uint64", "bytes32"], ["cargoproof:access-log-head:v2", key.length, key, 7, e!.hash]);
        expect(accessChainHeadLeaf(chain, 7, e!.hash)).to.equal(keccak256(packed));
      }
      expect(accessChainHeadLeaf("acme", 1, e!.hash)).to.not.equal(accessChainHeadLeaf("acme-shipping", 1, e!.hash));
      expect(accessChainHeadLeaf("a", 1, e!.hash)).to.not.equal(accessLogHeadLeaf(1, e!.hash));
      expect(() => accessChainHeadLeaf("acme", -1, e!.hash)).to.throw(/non-negative integer/);
    });
  });
});
