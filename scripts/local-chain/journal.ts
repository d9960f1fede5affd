// Transaction journal of the local demo chain: JSON Lines, one entry per transaction in mining
// order, written BEFORE the node mines it (proxy.ts), then a seal line with the mined block's hash.
// Replaying it on a fresh hardhat node rebuilds the same chain (see index.ts).
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

/**
 * The hash a block got once mined. The entry is journaled before its block exists, so the hash
 * follows on a line of its own; readJournal folds it into the block's entries. A seal that never got
 * written (a crash, a full disk) only means replay cannot compare that block's hash.
 */
export const journalSealSchema = z.object({ blockNumber: z.number().int().positive(), blockHash: hash32 }).strict();
export type JournalSeal = z.infer<typeof journalSealSchema>;

export class JournalError extends Error {
  override name = "JournalError";
}

export interface JournalContents {
  entries: JournalEntry[];
  /** The file line (1-based) of each entry: seal lines sit between them. */
  entryLines: number[];
  /** Byte length of the well-formed prefix (every complete line). */
  validBytes: number;
  /** The file ended in an incomplete line (interrupted append); it was ignored. */
  tornTail: boolean;
  /**
   * Where the last line starts when it is an entry without its seal: journaled, but the proxy may
   * have stopped before the node mined it. Replay keeps it if it still mines, else cuts it off here.
   */
  unsealedTailAt?: number;
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
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], entryLines: [], validBytes: 0, tornTail: false };
    throw err;
  }
  const lastNewline = buf.lastIndexOf(0x0a);
  const validBytes = lastNewline + 1;
  const tornTail = validBytes < buf.length;
  const lines = buf.subarray(0, validBytes).toString("utf8").split("\n");
  lines.pop(); // the empty string after the final newline

  const entries: JournalEntry[] = [];
  const entryLines: number[] = [];
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new JournalError(`${file} line ${lineNo}: not valid JSON (journal is corrupt)`);
    }
    const seal = journalSealSchema.safeParse(json);
    if (seal.success) return applySeal(entries, seal.data, `${file} line ${lineNo}`);
    const parsed = journalEntrySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
      throw new JournalError(`${file} line ${lineNo}: invalid entry (${where}${issue?.message ?? "schema mismatch"})`);
    }
    entries.push(parsed.data);
    entryLines.push(lineNo);
  });
  validateEntries(entries, entryLines, file);
  const lastLine = lines[lines.length - 1];
  const last = lastLine === undefined ? undefined : (JSON.parse(lastLine) as object);
  const unsealed = last !== undefined && "raw" in last && !("blockHash" in last);
  return { entries, entryLines, validBytes, tornTail, ...(unsealed ? { unsealedTailAt: validBytes - Buffer.byteLength(lastLine!) - 1 } : {}) };
}

/** Gives the block hash of a seal line to the entries of its block, which must come right before it. */
function applySeal(entries: JournalEntry[], seal: JournalSeal, where: string): void {
  const last = entries[entries.length - 1];
  if (last === undefined || last.blockNumber !== seal.blockNumber) {
    throw new JournalError(`${where}: seal of block ${seal.blockNumber} does not follow that block's transactions; journal is corrupt`);
  }
  for (let i = entries.length - 1; i >= 0 && entries[i].blockNumber === seal.blockNumber; i--) {
    const e = entries[i];
    if (e.blockHash !== undefined && e.blockHash.toLowerCase() !== seal.blockHash.toLowerCase()) {
      throw new JournalError(`${where}: seal of block ${seal.blockNumber} disagrees with its entries' block hash; journal is corrupt`);
    }
    entries[i] = { ...e, blockHash: seal.blockHash };
  }
}

/** Checks that hold for any journal the proxy can write; each failure means tampering or corruption. */
function validateEntries(entries: JournalEntry[], entryLines: number[], file: string): void {
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const lineNo = entryLines[i];
    const computed = keccak256(e.raw);
    if (computed.toLowerCase() !== e.hash.toLowerCase()) {
      throw new JournalError(`${file} line ${lineNo}: hash ${e.hash} does not match its raw transaction (keccak256 = ${computed}); journal is corrupt`);
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
        throw new JournalError(`${file} line ${lineNo}: disagrees with line ${entryLines[i - 1]} about block ${e.blockNumber}`);
      }
    } else if (e.timestamp <= prev.timestamp) {
      // Hardhat never mines a block with a timestamp <= its parent's.
      throw new JournalError(
        `${file} line ${lineNo}: timestamp ${e.timestamp} of block ${e.blockNumber} is not after ${prev.timestamp} of block ${prev.blockNumber}`,
      );
    }
  });
}

/** The one file-system call whose failure the fault tests simulate (a full disk), replaceable there. */
export interface JournalIo {
  write(fd: number, buf: Buffer, offset: number, length: number): number;
}
const realIo: JournalIo = { write: (fd, buf, offset, length) => writeSync(fd, buf, offset, length) };

/**
 * Append-only writer; every append is fsync'd before it returns. A failed append (ENOSPC, EIO) is
 * cut off again, so the file only ever holds whole lines and a later append cannot be glued onto
 * half a line; the proxy then refuses the transaction instead of mining it unjournaled.
 */
export class JournalWriter {
  private fd: number | null;
  /** Bytes of whole lines: what the file holds once every append so far is settled. */
  private size: number;

  private constructor(
    fd: number,
    size: number,
    private readonly io: JournalIo,
  ) {
    this.fd = fd;
    this.size = size;
  }

  /**
   * Opens for appending. `validBytes` (from readJournal) drops a torn tail first,
   * so the next entry does not get glued onto half a line.
   */
  static open(file: string, validBytes: number, io: JournalIo = realIo): JournalWriter {
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
    return new JournalWriter(fd, validBytes, io);
  }

  /** Appends one line; returns the journal's length before it, for `truncate` should the transaction not be mined. */
  append(line: JournalEntry | JournalSeal): number {
    const fd = this.openFd();
    const json = "raw" in line ? journalEntrySchema.parse(line) : journalSealSchema.parse(line);
    const bytes = Buffer.from(JSON.stringify(json) + "\n", "utf8");
    const before = this.size;
    this.settle(fd);
    try {
      let off = 0;
      while (off < bytes.length) off += this.io.write(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } catch (err) {
      try {
        this.truncate(before);
      } catch {
        // Still torn: settle() cuts it off before the next append, readJournal ignores it on start.
      }
      throw err;
    }
    this.size = before + bytes.length;
    return before;
  }

  /** Cuts the journal back to `length` bytes (an entry whose transaction was not mined after all). */
  truncate(length: number): void {
    const fd = this.openFd();
    ftruncateSync(fd, length);
    fsyncSync(fd);
    this.size = length;
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  private openFd(): number {
    if (this.fd === null) throw new JournalError("journal is closed");
    return this.fd;
  }

  /** Drops what a failed append left behind (a partial line), so appends always start on a line boundary. */
  private settle(fd: number): void {
    if (fstatSync(fd).size !== this.size) this.truncate(this.size);
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
