import { z } from "zod";
import { AccessLogEntrySchema, OwnAccessLogEntrySchema } from "../access-log";
import { Address, AnchorProofSchema, Hex32, OrgIdSchema, SignedRecordSchema } from "../envelope";

/**
 * The hub's audit export: JSON Lines, one object per line, in this order:
 *   header; for each anchor batch in creation order its batch line then its records; records in no
 *   batch; the access log: the legacy chain by seq, then each chain by (chain, chainSeq); end.
 * Scope "own" (any organisation, its own records) has no batch lines: each anchored record carries
 * its proof, and access lines are only the entries whose owner is the organisation.
 * `cursor` is opaque; GET /v1/audit/export?after=<cursor> resumes after that line (header first).
 */

export const EXPORT_FORMAT = "cargoproof-export/1";
export const ExportScopeSchema = z.enum(["all", "own"]);
export type ExportScope = z.infer<typeof ExportScopeSchema>;

const Counts = z.strictObject({
  batches: z.number().int().min(0),
  records: z.number().int().min(0),
  access: z.number().int().min(0),
});
export type ExportCounts = z.infer<typeof Counts>;

const Cursor = z.string().min(1);

export const HeaderLineSchema = z.strictObject({
  kind: z.literal("header"),
  format: z.literal(EXPORT_FORMAT),
  scope: ExportScopeSchema,
  orgId: OrgIdSchema,
  chainId: z.number().int().min(1),
  participantRegistry: Address,
  anchorRegistry: Address,
  /** The hub's anchoring address. */
  anchorer: Address,
  exportedAt: z.iso.datetime({ offset: true }),
  /**
   * The chain's latest block when the export began; batches are shown as they stood at it. Roots
   * anchored after it belong to a later export (the hub keeps anchoring while it exports).
   */
  chainBlock: z.number().int().min(0).optional(),
  /** What the export will hold, for a progress bar. */
  expected: Counts,
});
export type HeaderLine = z.infer<typeof HeaderLineSchema>;

export const BatchStatusSchema = z.enum(["BUILT", "SIGNED", "ANCHORED"]);

export const BatchLineSchema = z.strictObject({
  kind: z.literal("batch"),
  cursor: Cursor,
  id: z.string().min(1),
  root: Hex32,
  leafCount: z.number().int().min(1),
  /**
   * Record digests in leaf order, plus accessLogHeadLeaf(accessLogHead) when that is set and
   * accessChainHeadLeaf(chain, seq, hash) for each of accessLogChains.
   */
  leaves: z.array(Hex32).min(1),
  status: BatchStatusSchema,
  txHash: Hex32.optional(),
  blockNumber: z.number().int().min(0).optional(),
  /** The legacy (single, hub-wide) access log chain's head, on batches sealed while it grew. */
  accessLogHead: z.strictObject({ seq: z.number().int().min(1), hash: Hex32 }).optional(),
  /** The head of each access log chain that moved since the batch before (sdk/access-log.ts). */
  accessLogChains: z
    .array(z.strictObject({ chain: z.string().max(64), seq: z.number().int().min(1), hash: Hex32 }))
    .min(1)
    .optional(),
});
export type BatchLine = z.infer<typeof BatchLineSchema>;

export const RecordLineSchema = z.strictObject({
  kind: z.literal("record"),
  cursor: Cursor,
  record: SignedRecordSchema,
  publishedAt: z.iso.datetime({ offset: true }),
  batchId: z.string().min(1).nullable(),
  proof: AnchorProofSchema.optional(),
});
export type RecordLine = z.infer<typeof RecordLineSchema>;

export const AccessLineSchema = z.strictObject({
  kind: z.literal("access"),
  cursor: Cursor,
  // An auditor's export: the hub-wide entry with its hash chain; an organisation's own: its own view.
  entry: z.union([AccessLogEntrySchema, OwnAccessLogEntrySchema]),
});
export type AccessLine = z.infer<typeof AccessLineSchema>;

export const EndLineSchema = z.strictObject({ kind: z.literal("end"), counts: Counts });
export type EndLine = z.infer<typeof EndLineSchema>;

export const ExportLineSchema = z.discriminatedUnion("kind", [HeaderLineSchema, BatchLineSchema, RecordLineSchema, AccessLineSchema, EndLineSchema]);
export type ExportLine = z.infer<typeof ExportLineSchema>;
export type ExportLineKind = ExportLine["kind"];

/** The line's cursor, if its kind has one (header and end lines do not). */
export function cursorOf(line: ExportLine): string | undefined {
  return "cursor" in line ? line.cursor : undefined;
}

/** One line of JSON text, serialised (no trailing newline). */
export function formatExportLine(line: ExportLine): string {
  return JSON.stringify(line);
}

/** Parses and validates one line of text; throws a descriptive Error naming what is wrong. */
export function parseExportLine(text: string): ExportLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const parsed = ExportLineSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.map(String).join(".") || "(line)"}: ${i.message}`)
        .join("; "),
    );
  return parsed.data;
}
