import { getAddress, type Provider } from "ethers";
import { accessChainHeadLeaf, accessChainLabel, accessEntryHash, accessLogHeadLeaf, accessPlaceOf, checkAccessLink } from "../access-log";
import { keccakReady } from "../bytes";
import { orgIdToBytes32 } from "../chain-abi";
import { checkMembership, type RegistryChain } from "../verify";
import { BatchClaims } from "./batch-claims";
import { readChainHistory, revocationKey, type AnchoredRoot, type ChainHistory } from "./chain-history";
import { EXPORT_FORMAT, type AccessLine, type BatchLine, type EndLine, type ExportLine, type HeaderLine } from "./export-format";
import { FindingLog, type AuditReport, type Finding, type RevokedItem } from "./findings";
import type { CheckedRecord } from "./line-check";
import { checkLines, type NumberedLine } from "./line-pool";

export { AuditReportSchema, FINDING_CODES, type AuditReport, type Finding, type FindingCode, type RevokedItem } from "./findings";

/**
 * The audit engine: checks a hub's export against the chain alone. It first rebuilds the anchoring
 * history from the AnchorRegistry's events (replaying every anchorer's hash chain against its head on
 * chain), then streams the export once, holding only the current batch's leaves (never all records),
 * and checks every record's content, signature, signer membership, anchoring and revocation, every
 * batch's root and place in the chain's anchorings, and the access log's hash chain against the
 * heads anchored with the batches. Used by the `cargoproof audit` CLI and by the hub's self-audit.
 */

export interface AuditOptions {
  provider: Provider;
  contracts: { participantRegistry: string; anchorRegistry: string };
  /** The first block to read events from (the registry's deployment block; default 0). */
  fromBlock?: number;
  /** The last block (default: the latest when the audit starts). */
  toBlock?: number;
  /** Blocks per eth_getLogs request. */
  logPageBlocks?: number;
  /** How long a record may wait for its anchoring, in seconds (default 3600). */
  maxAnchorLagS?: number;
  /** The audit's "now", for the age of pending records (default: the clock). */
  now?: Date;
  onProgress?: (p: { records: number; batches: number; access: number }) => void;
  /** Worker threads for digests and signatures on long exports; 0 runs inline (default: CPU cores). */
  workers?: number;
}

export const DEFAULT_MAX_ANCHOR_LAG_S = 3600;
const PROGRESS_EVERY_LINES = 2000;

/** The export cannot be audited (malformed, out of order, cut short, or for another chain). */
export class AuditInputError extends Error {
  override name = "AuditInputError";
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `export line ${line}: ${message}`);
  }
}

interface OpenBatch {
  line: BatchLine;
  lineNo: number;
  /** Leaf -> whether a record line of the batch matched it. */
  leaves: Map<string, boolean>;
  /** The leaves that are access log heads, not records. */
  headLeaves: Set<string>;
  /** The anchoring that proves the batch's records, when its leaves fold to an anchored root. */
  proven?: AnchoredRoot;
}

interface ExpectedHead {
  /** The chain (undefined: the legacy chain) and the place in it the head names. */
  chain: string | undefined;
  seq: number;
  hash: string;
  batchId: string;
  root: string;
  checked: boolean;
}

type Phase = "start" | "body" | "access" | "done";
const ORDER: Record<Phase, number> = { start: 0, body: 1, access: 2, done: 3 };

/** The key of a chain in the audit's maps: the legacy chain's cannot be an organisation's id. */
const LEGACY = "\u0000legacy";
const chainKey = (chain: string | undefined) => chain ?? LEGACY;
const headKey = (chain: string | undefined, seq: number) => `${seq}|${chainKey(chain)}`;
const chainFields = (chain: string | undefined) => (chain === undefined ? {} : { chain });

const iso = (ms: number) => new Date(ms).toISOString();
const duration = (s: number) => (s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

class Audit {
  private phase: Phase = "start";
  header!: HeaderLine;
  end?: EndLine;
  readonly findings = new FindingLog();
  readonly revoked: RevokedItem[] = [];
  readonly seen = { batches: 0, records: 0, access: 0 };
  readonly warnings: string[] = [];
  membershipCalls = 0;

  private batch: OpenBatch | undefined;
  private readonly batchIds = new Set<string>();
  private readonly claims: BatchClaims;
  /** Batches marked anchored in a block after the audit's last one but not after the export's: judged at the end. */
  private readonly afterView: { finding: Finding; blockNumber: number }[] = [];
  /** Anchored heads by headKey(chain, seq), checked as the log's lines go by. */
  private readonly heads = new Map<string, ExpectedHead[]>();
  /** Each chain's last line seen (by chainKey): its place and hash. */
  private readonly lastAccess = new Map<string, { seq: number; hash: string }>();
  private lastOwnAccess = 0;
  private readonly membership = new Map<string, { ok: boolean; reason?: string }>();
  private readonly chains = new Map<string, RegistryChain>();
  private readonly lagMs: number;
  private readonly nowMs: number;

  constructor(
    private readonly history: ChainHistory,
    private readonly opts: AuditOptions & { maxAnchorLagS: number },
    private readonly registries: { participantRegistry: string; anchorRegistry: string },
  ) {
    this.lagMs = opts.maxAnchorLagS * 1000;
    this.nowMs = (opts.now ?? new Date()).getTime();
    this.claims = new BatchClaims(history, (f) => this.add(f));
    // The anchorers' hash chains are judged from the chain alone, before any line is read.
    for (const { txHash: _tx, ...f } of history.anchorChain.findings) this.add(f);
    this.warnings.push(...history.anchorChain.warnings);
  }

  private enter(phase: Phase, lineNo: number, what: string): void {
    if (ORDER[phase] < ORDER[this.phase]) throw new AuditInputError(`${what} after the access log began`, lineNo);
    this.phase = phase;
  }

  /** Takes the next checked line; returns a promise only when it must wait for the chain. */
  take(c: NumberedLine): void | Promise<void> {
    if (c.kind === "invalid") throw new AuditInputError(c.error, c.lineNo);
    if (this.phase === "done") throw new AuditInputError(`a ${c.kind} line after the end line`, c.lineNo);
    if (this.phase === "start" && c.kind !== "header") throw new AuditInputError("the export must start with its header line", c.lineNo);
    switch (c.kind) {
      case "header":
        if (this.phase !== "start") throw new AuditInputError("a second header line (a resumed export must not repeat it)", c.lineNo);
        this.takeHeader(c.line, c.lineNo);
        this.phase = "body";
        return;
      case "batch":
        this.enter("body", c.lineNo, "a batch line");
        return this.takeBatch(c.line, c.computedRoot, c.lineNo);
      case "record":
        this.enter("body", c.lineNo, "a record line");
        return this.takeRecord(c);
      case "access":
        this.enter("access", c.lineNo, "an access line");
        this.closeBatch();
        return this.takeAccess(c.line, c.lineNo);
      case "end":
        this.closeBatch();
        this.phase = "done";
        this.end = c.line;
        return;
    }
  }

  private takeHeader(h: HeaderLine, lineNo: number): void {
    if (h.format !== EXPORT_FORMAT) throw new AuditInputError(`unknown export format ${h.format}`, lineNo);
    if (h.chainId !== this.history.chainId)
      throw new AuditInputError(`the export is from chain ${h.chainId}, the RPC endpoint serves chain ${this.history.chainId}`, lineNo);
    for (const name of ["anchorRegistry", "participantRegistry"] as const)
      if (h[name].toLowerCase() !== this.registries[name].toLowerCase())
        throw new AuditInputError(`the export names ${name} ${h[name]}, the audit is against ${this.registries[name]}`, lineNo);
    this.header = h;
  }

  private takeBatch(b: BatchLine, computedRoot: string, lineNo: number): void {
    this.closeBatch();
    this.seen.batches++;
    const where = { batchId: b.id, root: b.root, line: lineNo };
    if (this.batchIds.has(b.id)) this.add({ code: "batch-root-mismatch", message: `batch ${b.id} is listed twice`, ...where });
    this.batchIds.add(b.id);
    const replaced = this.claims.take(b, lineNo);
    const open: OpenBatch = { line: b, lineNo, leaves: new Map(b.leaves.map((l) => [l, false])), headLeaves: new Set() };
    let foldsToRoot = computedRoot === b.root;
    if (!foldsToRoot)
      this.add({
        code: "batch-root-mismatch",
        message: `batch ${b.id}'s ${b.leaves.length} leaves fold to ${computedRoot}, not to its root ${b.root}`,
        ...where,
      });
    if (b.leafCount !== b.leaves.length) {
      foldsToRoot = false;
      this.add({ code: "batch-root-mismatch", message: `batch ${b.id} says it has ${b.leafCount} leaves but lists ${b.leaves.length}`, ...where });
    }
    const anchoring = this.history.anchored.get(b.root);
    if (!anchoring) {
      if (b.status === "ANCHORED" && !replaced) {
        const finding: Finding = {
          code: "batch-not-on-chain",
          message: `batch ${b.id} is marked anchored${b.txHash ? ` (tx ${b.txHash})` : ""} but no Anchored event names its root`,
          ...where,
        };
        const block = b.blockNumber;
        // Mined after the block the audit read up to, while the export began later (a hub that keeps
        // anchoring): whether the chain has it is asked at the end. In a block beyond the export's own
        // chain block, the chain has lost it (or the hub invented it).
        if (block !== undefined && block > this.history.toBlock && this.header.chainBlock !== undefined && block <= this.header.chainBlock)
          this.afterView.push({ finding, blockNumber: block });
        else if (block !== undefined && block > this.history.toBlock)
          this.add({
            ...finding,
            message: `${finding.message}, and its block ${block} is beyond the chain's head (block ${this.header.chainBlock ?? this.history.toBlock})`,
          });
        else this.add(finding);
      }
    } else if (anchoring.leafCount !== b.leafCount) {
      foldsToRoot = false;
      this.add({
        code: "batch-root-mismatch",
        message: `batch ${b.id} has ${b.leafCount} leaves, its root was anchored with leafCount ${anchoring.leafCount}`,
        ...where,
      });
    }
    if (foldsToRoot && anchoring) open.proven = anchoring;
    const anchoredHeads = [
      ...(b.accessLogHead ? [{ chain: undefined, ...b.accessLogHead, leaf: accessLogHeadLeaf(b.accessLogHead.seq, b.accessLogHead.hash) }] : []),
      ...(b.accessLogChains ?? []).map((h) => ({ ...h, leaf: accessChainHeadLeaf(h.chain, h.seq, h.hash) })),
    ];
    for (const { chain, seq, hash, leaf } of anchoredHeads) {
      open.headLeaves.add(leaf);
      if (!open.leaves.has(leaf))
        this.add({
          code: "access-log-head-mismatch",
          message: `batch ${b.id} names ${accessChainLabel(chain)}access-log head ${seq} but its leaf is not among the batch's leaves`,
          seq,
          ...chainFields(chain),
          ...where,
        });
      const key = headKey(chain, seq);
      const list = this.heads.get(key) ?? [];
      list.push({ chain, seq, hash, batchId: b.id, root: b.root, checked: false });
      this.heads.set(key, list);
    }
    this.batch = open;
  }

  /** Ends the current batch: every leaf must have been a record line of it (or the log head). */
  private closeBatch(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = undefined;
    for (const [leaf, matched] of b.leaves)
      if (!matched && !b.headLeaves.has(leaf))
        this.add({
          code: "missing-record",
          message: `leaf ${leaf} of batch ${b.line.id} is not the digest of any record line of the batch`,
          digest: leaf,
          batchId: b.line.id,
          root: b.line.root,
          line: b.lineNo,
        });
  }

  private takeRecord(r: NumberedLine & CheckedRecord): void | Promise<void> {
    this.seen.records++;
    const where = { recordId: r.id, version: r.version, owner: r.owner, digest: r.digest, line: r.lineNo, ...(r.batchId ? { batchId: r.batchId } : {}) };
    const name = `${r.type || "record"} ${r.id} v${r.version}`;

    if (r.contentError) this.add({ code: "content-mismatch", message: `${name}: ${r.contentError}`, ...where });
    else if (r.computed !== r.digest)
      this.add({ code: "content-mismatch", message: `${name}: its content hashes to ${r.computed}, not to its digest`, ...where });
    if (r.signatureError) this.add({ code: "signature-invalid", message: `${name}: ${r.signatureError}`, ...where });

    const anchoring = this.anchoringOf(r, name, where);
    if (anchoring && anchoring.blockTime * 1000 - r.publishedAt > this.lagMs)
      this.add({
        code: "anchored-late",
        message: `${name} was anchored ${duration(anchoring.blockTime - r.publishedAt / 1000)} after its publication (limit ${duration(this.lagMs / 1000)})`,
        root: anchoring.root,
        ...where,
      });

    if (!r.wellFormed) return;
    const chain = this.chainOf(r.owner);
    const revocation = this.history.revocations.get(revocationKey(chain.orgId, r.digest));
    if (revocation)
      this.revoked.push({
        recordId: r.id,
        version: r.version,
        owner: r.owner,
        digest: r.digest,
        revokedAt: iso(revocation.blockTime * 1000),
        blockNumber: revocation.blockNumber,
        revoker: revocation.revoker,
        reason: revocation.reason,
      });
    if (r.signer === undefined) return;
    // Judged when the record was anchored, as a verifier will; a record not (yet) anchored, at the
    // chain's latest block: its anchoring can come no earlier. (Its publication time is the hub's
    // clock, not the chain's, so a record published just after its key was admitted could fail.)
    const at = anchoring ? anchoring.blockTime : this.history.toBlockTime;
    const key = `${r.owner}|${r.signer}|${at}`;
    const known = this.membership.get(key);
    if (known) return this.reportMembership(known, r.signer, name, where);
    this.membershipCalls++;
    return checkMembership(chain, r.signer, at, r.owner).then((m) => {
      this.membership.set(key, m);
      this.reportMembership(m, r.signer!, name, where);
    });
  }

  private reportMembership(m: { ok: boolean; reason?: string }, signer: string, name: string, where: Omit<Finding, "code" | "message">): void {
    if (!m.ok) this.add({ code: "signer-not-member", message: `${name}: ${m.reason ?? `signer ${signer} was not an active key of ${where.owner}`}`, ...where });
  }

  /** The anchoring that proves the record, or undefined (reporting not-anchored where it is overdue). */
  private anchoringOf(r: CheckedRecord, name: string, where: Omit<Finding, "code" | "message">): AnchoredRoot | undefined {
    const overdue = this.nowMs - r.publishedAt > this.lagMs;
    const notAnchored = (why: string) => this.add({ code: "not-anchored", message: `${name} ${why}`, ...where });
    const pending = (why: string) => {
      if (overdue) notAnchored(`${why}, ${duration((this.nowMs - r.publishedAt) / 1000)} after its publication (limit ${duration(this.lagMs / 1000)})`);
    };
    if (this.header.scope === "own" && (r.proof || r.proofError)) {
      // Scope "own" has no batch lines: an anchored record carries its proof.
      if (r.proofError) return void notAnchored(`has a ${r.proofError}`);
      const p = r.proof!;
      if (p.folded !== p.root) return void notAnchored(`has a proof that does not lead from its digest to the root it names (${p.root})`);
      const anchoring = this.history.anchored.get(p.root);
      if (!anchoring) return void notAnchored(`has a proof to root ${p.root}, which no Anchored event names`);
      return anchoring;
    }
    if (r.batchId === null) return void pending("is in no anchor batch");
    const b = this.batch;
    if (!b || b.line.id !== r.batchId) {
      if (this.header.scope === "own") return void pending(`is in batch ${r.batchId}, which has no proof for it yet`);
      return void notAnchored(
        this.batchIds.has(r.batchId)
          ? `claims batch ${r.batchId} but is listed after another batch's records`
          : `claims batch ${r.batchId}, which the export does not list`,
      );
    }
    if (!b.leaves.has(r.digest)) return void notAnchored(`claims batch ${r.batchId} but its digest is not among the batch's leaves`);
    b.leaves.set(r.digest, true);
    if (b.proven) return b.proven;
    // Not proven: a broken or unanchored batch is reported once, on its batch line; only records
    // still waiting for a batch the hub has not anchored yet are judged here.
    if (b.line.status !== "ANCHORED" && !this.history.anchored.has(b.line.root)) pending(`is in batch ${b.line.id}, not anchored yet (${b.line.status})`);
    return undefined;
  }

  private takeAccess(a: AccessLine, lineNo: number): void {
    this.seen.access++;
    const e = a.entry;
    const where = { seq: e.seq, line: lineNo, ...(e.recordId ? { recordId: e.recordId } : {}) };
    if (this.header.scope === "own") {
      if ("hash" in e) {
        // A hub from before own sequences: hub-wide numbers, so only each line's hash can be checked.
        if (accessEntryHash(e) !== e.hash)
          this.add({ code: "access-log-gap", message: `access entry ${e.seq} was altered: its content does not hash to ${e.hash}`, ...where });
        return;
      }
      // An organisation's own lines: its own gapless sequence (no hash chain: it would reveal the
      // hub-wide one). A missing number is a line cut from its log.
      const expected = this.lastOwnAccess + 1;
      if (e.seq !== expected) this.add({ code: "access-log-gap", message: `own access entry ${expected} is missing: the next line is ${e.seq}`, ...where });
      this.lastOwnAccess = e.seq;
      return;
    }
    if (!("hash" in e)) {
      this.add({ code: "access-log-gap", message: `access entry ${e.seq} has no hash: an auditor's export carries the log's hash chain`, ...where });
      return;
    }
    const key = chainKey(e.chain);
    const place = accessPlaceOf(e);
    const chained = { ...where, ...chainFields(e.chain), seq: place };
    const why = checkAccessLink(this.lastAccess.get(key), e);
    if (why) this.add({ code: "access-log-gap", message: why, ...chained });
    for (const h of this.heads.get(headKey(e.chain, place)) ?? []) {
      h.checked = true;
      if (h.hash !== e.hash)
        this.add({
          code: "access-log-head-mismatch",
          message: `batch ${h.batchId} anchored ${accessChainLabel(e.chain)}access-log head ${place} with hash ${h.hash}, the log's entry ${place} has ${e.hash}`,
          batchId: h.batchId,
          root: h.root,
          ...chained,
        });
    }
    this.lastAccess.set(key, { seq: place, hash: e.hash });
  }

  /** After the last line: what can only be judged with everything seen. */
  finish(): void {
    if (this.phase === "start") throw new AuditInputError("the export is empty (no header line)");
    if (this.phase !== "done") throw new AuditInputError("the export ends without its end line: it was cut short (resume the export)");
    for (const list of this.heads.values())
      for (const h of list) {
        if (h.checked || this.header.scope !== "all") continue;
        const lastSeq = this.lastAccess.get(chainKey(h.chain))?.seq ?? 0;
        const label = accessChainLabel(h.chain);
        this.add({
          code: "access-log-head-mismatch",
          message:
            h.seq > lastSeq
              ? `batch ${h.batchId} anchored ${label}access-log head ${h.seq}, but the log ends at entry ${lastSeq}`
              : `batch ${h.batchId} anchored ${label}access-log head ${h.seq}, which is missing from the log`,
          seq: h.seq,
          ...chainFields(h.chain),
          batchId: h.batchId,
          root: h.root,
        });
      }
    const later = this.header.scope === "all" ? this.claims.finish(this.header) : 0;
    if (later > 0)
      this.warnings.push(`${later} root(s) anchored after the export began (block ${this.header.chainBlock}) are not covered: audit a newer export for them`);
    const end = this.end!.counts;
    for (const k of ["batches", "records", "access"] as const)
      if (end[k] !== this.seen[k]) this.warnings.push(`the end line counts ${end[k]} ${k} lines, the export has ${this.seen[k]}`);
  }

  /**
   * The batches anchored after the audit's last block: with the export's chain block beyond the
   * chain's head now, the export's view of the chain is one the chain no longer has (each such batch
   * is a finding); otherwise they are left to a later audit, with a warning.
   */
  async judgeAfterView(provider: Provider): Promise<void> {
    if (this.afterView.length === 0) return;
    const head = await provider.getBlockNumber();
    const lost = this.afterView.filter((a) => a.blockNumber > head);
    for (const { finding, blockNumber } of lost)
      this.add({ ...finding, message: `${finding.message}, and its block ${blockNumber} is beyond the chain's head (block ${head})` });
    const later = this.afterView.length - lost.length;
    if (later > 0)
      this.warnings.push(
        `${later} batch(es) anchored after block ${this.history.toBlock}, where the audit read the chain up to, are not covered: audit again for them`,
      );
  }

  private add(f: Finding): void {
    this.findings.add(f);
  }

  private chainOf(owner: string): RegistryChain {
    let chain = this.chains.get(owner);
    if (!chain) {
      chain = { provider: this.opts.provider, ...this.registries, orgId: orgIdToBytes32(owner) };
      this.chains.set(owner, chain);
    }
    return chain;
  }
}

/**
 * Audits an export (its lines as text, e.g. read from a file, or as parsed objects) against the
 * chain. Throws AuditInputError when the export cannot be audited, and chain errors as they come;
 * everything found wrong with the hub's data is in the report.
 */
export async function auditExport(lines: AsyncIterable<string | ExportLine> | Iterable<string | ExportLine>, opts: AuditOptions): Promise<AuditReport> {
  const t0 = performance.now();
  const maxAnchorLagS = opts.maxAnchorLagS ?? DEFAULT_MAX_ANCHOR_LAG_S;
  if (!(maxAnchorLagS >= 0)) throw new AuditInputError(`maxAnchorLagS must be a non-negative number of seconds, got ${maxAnchorLagS}`);
  let registries: { participantRegistry: string; anchorRegistry: string };
  try {
    registries = { participantRegistry: getAddress(opts.contracts.participantRegistry), anchorRegistry: getAddress(opts.contracts.anchorRegistry) };
  } catch (err) {
    throw new AuditInputError(`invalid contract address: ${(err as Error).message}`);
  }
  await keccakReady;
  const history = await readChainHistory(opts.provider, registries.anchorRegistry, opts);
  if ((await opts.provider.getCode(registries.participantRegistry, history.toBlock)) === "0x")
    throw new AuditInputError(`no contract at participant registry ${registries.participantRegistry} on chain ${history.chainId}`);
  const t1 = performance.now();

  const audit = new Audit(history, { ...opts, maxAnchorLagS }, registries);
  let sinceProgress = 0;
  const progress = () => opts.onProgress?.({ ...audit.seen });
  for await (const line of checkLines(lines, { workers: opts.workers })) {
    const waiting = audit.take(line);
    if (waiting) await waiting;
    if (++sinceProgress >= PROGRESS_EVERY_LINES) {
      sinceProgress = 0;
      progress();
    }
  }
  audit.finish();
  await audit.judgeAfterView(opts.provider);
  progress();
  const t2 = performance.now();

  const h = audit.header;
  const streamMs = t2 - t1;
  return {
    summary: {
      format: h.format,
      scope: h.scope,
      orgId: h.orgId,
      exportedAt: h.exportedAt,
      auditedAt: new Date().toISOString(),
      maxAnchorLagS,
      chain: {
        chainId: history.chainId,
        fromBlock: history.fromBlock,
        toBlock: history.toBlock,
        anchorRegistry: registries.anchorRegistry,
        participantRegistry: registries.participantRegistry,
        anchorer: h.anchorer,
        anchoredRoots: history.anchored.size,
        revocations: history.revocations.size,
        logPages: history.logPages,
        membershipCalls: audit.membershipCalls,
        anchorChains: history.anchorers,
      },
      counts: { ...audit.seen },
      expected: h.expected,
      findings: { ...audit.findings.counts },
      totalFindings: audit.findings.total,
      revoked: audit.revoked.length,
      timings: { chainMs: t1 - t0, streamMs, totalMs: t2 - t0, recordsPerS: streamMs > 0 ? (audit.seen.records * 1000) / streamMs : 0 },
      warnings: audit.warnings,
    },
    findings: audit.findings.kept,
    revoked: audit.revoked,
    clean: audit.findings.total === 0,
  };
}
