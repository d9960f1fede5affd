// Transaction journal of the local demo chain: JSON Lines, one entry per mined
// transaction, in mining order. Replaying it on a fresh hardhat node rebuilds
// the same chain (see index.ts).
import { closeSync, fsyncSync, openSync, readFileSync, ftruncateSync, writeSync, fstatSync } from "node:fs";
import { dirname, join } from "node:path";
import { keccak256 } from "ethers";
import { z } from "zod";

export const JOURNAL_FILE_NAME = "chain-journal.jsonl";

export function journalPath(dataDir: string): string {
  return join(dataDir, JOURNAL_FILE_NAME);
}

const hexBytes = z.string().regex(/^0x(?:[0-9a-fA-F]{2})+$/, "expected 0x-prefixed hex bytes");
const hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 32-byte 0x-prefixed hex hash");

export const journalEntrySchema = z
  .object({
    blockNumber: z.number().int().positive(),
    /** Block timestamp in seconds since the epoch. */
    timestamp: z.number().int().nonnegative(),
    /** The signed transaction exactly as submitted to eth_sendRawTransaction. */
    raw: hexBytes,
    hash: hash32,
    // Optional so that hand-made journals still replay; the proxy always writes it,
    // and replay then also proves the whole block (genesis, order, state) came out the same.
    blockHash: hash32.optional(),
  })
  .strict();

export type JournalEntry = z.infer<typeof journalEntrySchema>;

export class JournalError extends Error {
  override name = "JournalError";
}

export interface JournalContents {
  entries: JournalEntry[];
  /** Byte length of the well-formed prefix (every complete line). */
  validBytes: number;
  /** The file ended in an incomplete line (interrupted append); it was ignored. */
  tornTail: boolean;
}

/**
 * Reads and validates a journal. A missing file is an empty journal. A final line
 * without its newline is what an interrupted append leaves behind, so it is ignored;
 * any other malformed line is corruption and throws (replaying around it would build
 * a different chain).
 */
export function readJournal(file: string): JournalContents {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], validBytes: 0, tornTail: false };
    throw err;
  }
  const lastNewline = buf.lastIndexOf(0x0a);
  const validBytes = lastNewline + 1;
  const tornTail = validBytes < buf.length;
  const lines = buf.subarray(0, validBytes).toString("utf8").split("\n");
  lines.pop(); // the empty string after the final newline

  const entries: JournalEntry[] = [];
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new JournalError(`${file} line ${lineNo}: not valid JSON (journal is corrupt)`);
    }
    const parsed = journalEntrySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
      throw new JournalError(`${file} line ${lineNo}: invalid entry (${where}${issue?.message ?? "schema mismatch"})`);
    }
    entries.push(parsed.data);
  });
  validateEntries(entries, file);
  return { entries, validBytes, tornTail };
}

/** Checks that hold for any journal the proxy can write; each failure means tampering or corruption. */
function validateEntries(entries: JournalEntry[], file: string): void {
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const lineNo = i + 1;
    const computed = keccak256(e.raw);
    if (computed.toLowerCase() !== e.hash.toLowerCase()) {
      throw new JournalError(
        `${file} line ${lineNo}: hash ${e.hash} does not match its raw transaction (keccak256 = ${computed}); journal is corrupt`,
      );
    }
    const key = e.hash.toLowerCase();
    if (seen.has(key)) throw new JournalError(`${file} line ${lineNo}: duplicate transaction ${e.hash}`);
    seen.add(key);
    const prev = entries[i - 1];
    if (prev === undefined) return;
    if (e.blockNumber < prev.blockNumber) {
      throw new JournalError(`${file} line ${lineNo}: block ${e.blockNumber} comes after block ${prev.blockNumber}`);
    }
    if (e.blockNumber === prev.blockNumber) {
      if (e.timestamp !== prev.timestamp || e.blockHash !== prev.blockHash) {
        throw new JournalError(`${file} line ${lineNo}: disagrees with line ${lineNo - 1} about block ${e.blockNumber}`);
      }
    } else if (e.timestamp <= prev.timestamp) {
      // Hardhat never mines a block with a timestamp <= its parent's.
      throw new JournalError(
        `${file} line ${lineNo}: timestamp ${e.timestamp} of block ${e.blockNumber} is not after ${prev.timestamp} of block ${prev.blockNumber}`,
      );
    }
  });
}

/** Append-only writer; every append is fsync'd before it returns. */
export class JournalWriter {
  private fd: number | null;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /**
   * Opens for appending. `validBytes` (from readJournal) drops a torn tail first,
   * so the next entry does not get glued onto half a line.
   */
  static open(file: string, validBytes: number): JournalWriter {
    const fd = openSync(file, "a");
    try {
      if (fstatSync(fd).size > validBytes) {
        ftruncateSync(fd, validBytes);
        fsyncSync(fd);
      }
      if (validBytes === 0) fsyncDir(dirname(file)); // make a newly created file's directory entry durable
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new JournalWriter(fd);
  }

  append(entry: JournalEntry): void {
    if (this.fd === null) throw new JournalError("journal is closed");
    const line = Buffer.from(JSON.stringify(journalEntrySchema.parse(entry)) + "\n", "utf8");
    let off = 0;
    while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms/filesystems cannot fsync a directory; the file data itself is still synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
