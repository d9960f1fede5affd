import { z } from "zod";
import { computeDigest } from "../digest";
import { AnchorProofSchema, SignedRecordSchema, type AnchorProof } from "../envelope";
import { buildMerkleTree, merkleLeaf, processProof } from "../merkle";
import { recoverSigner } from "../signature";
import {
  AccessLineSchema,
  BatchLineSchema,
  EndLineSchema,
  HeaderLineSchema,
  RecordLineSchema,
  type AccessLine,
  type BatchLine,
  type EndLine,
  type ExportLine,
  type HeaderLine,
} from "./export-format";

/**
 * The CPU-heavy, order-free part of an audit, one export line at a time: parse and validate it, and
 * for a record recompute its digest, recover its signer and fold its proof; for a batch fold its
 * leaves into a root. What comes out is small (a record loses its body), so it can cross from a
 * worker thread to the auditor cheaply and the auditor never holds record contents.
 */

export interface CheckedRecord {
  kind: "record";
  cursor: string;
  id: string;
  version: number;
  type: string;
  owner: string;
  /** The digest the line claims (what was signed and anchored). */
  digest: string;
  /** Whether the record envelope is well formed; if not, contentError says why. */
  wellFormed: boolean;
  /** The digest recomputed from the content, if it could be. */
  computed?: string;
  contentError?: string;
  signer?: string;
  signatureError?: string;
  /** Milliseconds since the epoch. */
  publishedAt: number;
  batchId: string | null;
  /** Where the line's proof (scope "own") leads from its digest, and the root it claims. */
  proof?: { folded: string; root: string; leafCount: number };
  proofError?: string;
}

export type CheckedLine =
  | { kind: "header"; line: HeaderLine }
  | { kind: "batch"; line: BatchLine; computedRoot: string }
  | CheckedRecord
  | { kind: "access"; line: AccessLine }
  | { kind: "end"; line: EndLine }
  | { kind: "invalid"; error: string };

/** A checked line with its number in the export (from 1; blank lines are skipped but counted). */
export type NumberedLine = CheckedLine & { lineNo: number };

/** The checked lines of a chunk of an export's bytes, numbered from 1 within the chunk. */
export interface CheckedChunk {
  /** Lines in the chunk, blank ones included. */
  lines: number;
  checked: NumberedLine[];
}

// The line around the record is validated strictly; the record itself separately, because a
// malformed record is a finding about the hub's data, not a broken export.
const RecordLineOuterSchema = RecordLineSchema.extend({ record: z.unknown(), proof: z.unknown().optional() });

const issuesText = (error: z.ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join(".") || "(line)"}: ${i.message}`)
    .join("; ");

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

function parsed<T>(schema: z.ZodType<T>, json: unknown): T | { error: string } {
  const r = schema.safeParse(json);
  return r.success ? r.data : { error: issuesText(r.error) };
}

function checkRecord(json: unknown): CheckedRecord | { kind: "invalid"; error: string } {
  const outer = RecordLineOuterSchema.safeParse(json);
  if (!outer.success) return { kind: "invalid", error: `record line: ${issuesText(outer.error)}` };
  const { cursor, publishedAt, batchId } = outer.data;
  const raw = (outer.data.record ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const out: CheckedRecord = {
    kind: "record",
    cursor,
    id: str(raw.id),
    version: typeof raw.version === "number" ? raw.version : 0,
    type: str(raw.type),
    owner: str(raw.owner),
    digest: str(raw.digest).toLowerCase(),
    wellFormed: false,
    publishedAt: Date.parse(publishedAt),
    batchId,
  };
  const rec = SignedRecordSchema.safeParse(raw);
  if (!rec.success) {
    out.contentError = `malformed record: ${issuesText(rec.error)}`;
    return out;
  }
  const record = rec.data;
  out.wellFormed = true;
  try {
    out.computed = computeDigest(record);
  } catch (err) {
    out.contentError = `cannot compute the digest: ${errText(err)}`;
  }
  try {
    out.signer = recoverSigner(record.digest, record.signature);
  } catch (err) {
    out.signatureError = errText(err);
  }
  if (outer.data.proof !== undefined) {
    const p = AnchorProofSchema.safeParse(outer.data.proof);
    if (!p.success) out.proofError = `malformed proof: ${issuesText(p.error)}`;
    else {
      const proof: AnchorProof = p.data;
      out.proof = { folded: processProof(merkleLeaf(record.digest), proof.siblings), root: proof.root, leafCount: proof.leafCount };
    }
  }
  return out;
}

/** Checks one export line, given as text or already parsed. Never throws: problems come back as "invalid". */
export function checkExportLine(input: string | ExportLine): CheckedLine {
  let json: unknown = input;
  if (typeof input === "string") {
    try {
      json = JSON.parse(input);
    } catch (err) {
      return { kind: "invalid", error: `not JSON: ${errText(err)}` };
    }
  }
  const kind = (json as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case "record":
      return checkRecord(json);
    case "batch": {
      const line = parsed(BatchLineSchema, json);
      if ("error" in line) return { kind: "invalid", error: `batch line: ${line.error}` };
      return { kind: "batch", line, computedRoot: buildMerkleTree(line.leaves).root };
    }
    case "access": {
      const line = parsed(AccessLineSchema, json);
      return "error" in line ? { kind: "invalid", error: `access line: ${line.error}` } : { kind: "access", line };
    }
    case "header": {
      const line = parsed(HeaderLineSchema, json);
      return "error" in line ? { kind: "invalid", error: `header line: ${line.error}` } : { kind: "header", line };
    }
    case "end": {
      const line = parsed(EndLineSchema, json);
      return "error" in line ? { kind: "invalid", error: `end line: ${line.error}` } : { kind: "end", line };
    }
    default:
      return { kind: "invalid", error: `unknown line kind ${JSON.stringify(kind)}` };
  }
}

// Line ends as readline (crlfDelay: Infinity) finds them, so a file read as bytes is split as
// fileLines would split it.
const LINE_END = /\r\n|\n|\r/;
// Keeps a byte-order mark, as reading the file as text does.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** Checks the lines of a chunk of whole lines (see fileChunks): decoding and splitting happen here, on the worker thread. */
export function checkExportChunk(bytes: Uint8Array): CheckedChunk {
  const lines = utf8.decode(bytes).split(LINE_END);
  if (lines[lines.length - 1] === "") lines.pop(); // the chunk's last newline ends a line, it starts none
  const checked: NumberedLine[] = [];
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() !== "") checked.push(Object.assign(checkExportLine(lines[i]), { lineNo: i + 1 }));
  return { lines: lines.length, checked };
}

/** What the audit's worker threads do with each item they are sent: a chunk of bytes or one line. */
export function checkExportItem(item: Uint8Array | string | ExportLine): CheckedChunk | CheckedLine {
  return item instanceof Uint8Array ? checkExportChunk(item) : checkExportLine(item);
}
