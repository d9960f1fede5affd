import { z } from "zod";
import { ANCHOR_CHAIN_CODES, AnchorerChainSchema } from "../anchor-history";

/** What an audit can find wrong, and the report it writes (schemas are the source of the types). */

export const FINDING_CODES = [
  "content-mismatch",
  "signature-invalid",
  "signer-not-member",
  "not-anchored",
  "anchored-late",
  "batch-root-mismatch",
  "batch-not-on-chain",
  "missing-record",
  "unreported-root",
  "access-log-gap",
  "access-log-head-mismatch",
  "batch-withheld",
  "batch-replaced",
  "batch-reordered",
  // The anchorers' hash chains (sdk/anchor-history.ts): about the chain's events, not the export.
  ...ANCHOR_CHAIN_CODES,
] as const;
export const FindingCodeSchema = z.enum(FINDING_CODES);
export type FindingCode = z.infer<typeof FindingCodeSchema>;

export const FindingSchema = z.object({
  code: FindingCodeSchema,
  message: z.string(),
  recordId: z.string().optional(),
  version: z.number().int().optional(),
  owner: z.string().optional(),
  digest: z.string().optional(),
  batchId: z.string().optional(),
  root: z.string().optional(),
  /** An access log line's place in its chain (chainSeq; the hub-wide seq in the legacy chain). */
  seq: z.number().int().optional(),
  /** The access log chain, for findings about one (absent: the legacy chain, or not about the log). */
  chain: z.string().optional(),
  /** The anchoring address, for findings about an anchorer's chain or anchorings. */
  anchorer: z.string().optional(),
  /** The block it was found at, for findings about the chain's events. */
  blockNumber: z.number().int().optional(),
  /** The export line it was found at (1-based), when one line shows it. */
  line: z.number().int().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

/** A revoked record: a legitimate on-chain act by its publisher, listed apart from the findings. */
export const RevokedItemSchema = z.object({
  recordId: z.string(),
  version: z.number().int(),
  owner: z.string(),
  digest: z.string(),
  revokedAt: z.string(),
  blockNumber: z.number().int(),
  revoker: z.string(),
  reason: z.string(),
});
export type RevokedItem = z.infer<typeof RevokedItemSchema>;

const Counts = z.object({ batches: z.number().int(), records: z.number().int(), access: z.number().int() });

export const AuditReportSchema = z.object({
  summary: z.object({
    format: z.string(),
    scope: z.enum(["all", "own"]),
    orgId: z.string(),
    exportedAt: z.string(),
    auditedAt: z.string(),
    maxAnchorLagS: z.number(),
    chain: z.object({
      chainId: z.number().int(),
      fromBlock: z.number().int(),
      toBlock: z.number().int(),
      anchorRegistry: z.string(),
      participantRegistry: z.string(),
      /** The hub's anchoring address, as its export names it. */
      anchorer: z.string(),
      anchoredRoots: z.number().int(),
      revocations: z.number().int(),
      logPages: z.number().int(),
      membershipCalls: z.number().int(),
      /** Each anchorer's hash chain as replayed from the events, with the contract's head. */
      anchorChains: z.array(AnchorerChainSchema),
    }),
    /** Lines audited, and what the header said to expect. */
    counts: Counts,
    expected: Counts,
    findings: z.record(FindingCodeSchema, z.number().int()),
    totalFindings: z.number().int(),
    revoked: z.number().int(),
    timings: z.object({ chainMs: z.number(), streamMs: z.number(), totalMs: z.number(), recordsPerS: z.number() }),
    /** Oddities that are not findings (e.g. an end line whose counts disagree with the lines). */
    warnings: z.array(z.string()),
  }),
  /** At most FINDINGS_KEPT_PER_CODE per code; summary.findings has the true counts. */
  findings: z.array(FindingSchema),
  /** All of them: there are at most as many as Revoked events on chain. */
  revoked: z.array(RevokedItemSchema),
  clean: z.boolean(),
});
export type AuditReport = z.infer<typeof AuditReportSchema>;

export const FINDINGS_KEPT_PER_CODE = 1000;

/** Collects findings, keeping the first FINDINGS_KEPT_PER_CODE of each code and counting all. */
export class FindingLog {
  readonly counts = Object.fromEntries(FINDING_CODES.map((c) => [c, 0])) as Record<FindingCode, number>;
  readonly kept: Finding[] = [];
  total = 0;

  add(finding: Finding): void {
    this.total++;
    if (this.counts[finding.code]++ < FINDINGS_KEPT_PER_CODE) this.kept.push(finding);
  }
}
