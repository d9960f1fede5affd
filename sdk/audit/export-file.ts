import { once } from "node:events";
import { createReadStream, createWriteStream, existsSync, openSync, readSync, closeSync, truncateSync } from "node:fs";
import { createInterface } from "node:readline";
import { HeaderLineSchema, cursorOf, parseExportLine, type ExportCounts, type HeaderLine } from "./export-format";

/**
 * An export on disk: written line by line as it streams in, and resumable. An interrupted file is
 * continued from its last complete line's cursor (a partial trailing line is dropped), and the
 * header the hub sends again on resume is checked against the file's and not repeated.
 */

export interface ResumePoint {
  /** The file's header, if it has one. */
  header?: HeaderLine;
  /** The cursor of the last complete line that has one (undefined: start from the beginning). */
  after?: string;
  /** Lines of each kind already in the file. */
  counts: ExportCounts;
  /** The file already ends with its end line. */
  complete: boolean;
  /** Bytes of a partial trailing line that were dropped. */
  droppedBytes: number;
}

const KIND_PREFIX = /^\{"kind":"(header|batch|record|access|end)"/;

/** Reads an export file to find where to resume it, and cuts off a partial trailing line. */
export async function resumePoint(file: string): Promise<ResumePoint> {
  const counts = { batches: 0, records: 0, access: 0 };
  let header: HeaderLine | undefined;
  let last: string | undefined;
  let lastWithCursor: string | undefined;
  let complete = 0; // bytes of complete lines
  let lineNo = 0;
  const stream = createReadStream(file);
  let pending = Buffer.alloc(0);
  const take = (line: Buffer) => {
    lineNo++;
    const text = line.toString("utf8");
    if (text.trim() === "") return;
    // Most lines are only counted: their kind is read from the prefix the hub writes, or parsed.
    let kind = KIND_PREFIX.exec(text)?.[1];
    if (!kind || kind === "header" || kind === "end") {
      const parsed = (() => {
        try {
          return parseExportLine(text);
        } catch (err) {
          throw new Error(`${file} line ${lineNo} is not an export line: ${(err as Error).message}`);
        }
      })();
      kind = parsed.kind;
      if (parsed.kind === "header") {
        if (lineNo !== 1) throw new Error(`${file} line ${lineNo}: a header after the first line`);
        header = HeaderLineSchema.parse(parsed);
      }
    }
    if (lineNo === 1 && kind !== "header") throw new Error(`${file} does not start with an export header`);
    if (kind === "batch") counts.batches++;
    else if (kind === "record") counts.records++;
    else if (kind === "access") counts.access++;
    last = text;
    if (kind !== "header" && kind !== "end") lastWithCursor = text;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      take(buf.subarray(start, nl));
      complete += nl + 1 - start;
      start = nl + 1;
    }
    buf = buf.subarray(start);
    pending = Buffer.from(buf);
  }
  const droppedBytes = pending.length;
  if (droppedBytes > 0) truncateSync(file, complete);
  const isEnd = last !== undefined && parseExportLine(last).kind === "end";
  const after = lastWithCursor !== undefined ? cursorOf(parseExportLine(lastWithCursor)) : undefined;
  return { header, after, counts, complete: isEnd, droppedBytes };
}

/** The header line of an export file (its first line), or an Error saying why there is none. */
export function readHeader(file: string): HeaderLine {
  const fd = openSync(file, "r");
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(65536);
    for (let total = 0; total < 1 << 20;) {
      const n = readSync(fd, buf, 0, buf.length, total);
      if (n === 0) break;
      const nl = buf.subarray(0, n).indexOf(10);
      chunks.push(Buffer.from(buf.subarray(0, nl >= 0 ? nl : n)));
      if (nl >= 0) break;
      total += n;
    }
    const first = Buffer.concat(chunks).toString("utf8");
    if (first.trim() === "") throw new Error(`${file} is empty`);
    const line = parseExportLine(first);
    if (line.kind !== "header") throw new Error(`${file} does not start with an export header`);
    return line;
  } catch (err) {
    throw new Error(`cannot read the export header of ${file}: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Marks the lines of fileLines(file) with their file, so the audit can read the file's bytes itself. */
export const EXPORT_FILE = Symbol("cargoproof export file");

/** The file behind an iterable of lines, when it came from fileLines. */
export function exportFileOf(lines: object): string | undefined {
  const file = (lines as { [EXPORT_FILE]?: unknown })[EXPORT_FILE];
  return typeof file === "string" ? file : undefined;
}

/** The lines of a file, as text, without their newlines. */
export function fileLines(file: string): AsyncGenerator<string> {
  // The audit's line pool reads a marked file as raw bytes (fileChunks), which its worker threads
  // split and parse: the main thread neither decodes nor copies lines then.
  return Object.assign(readLines(file), { [EXPORT_FILE]: file });
}

async function* readLines(file: string): AsyncGenerator<string> {
  // Opened on the first read: readline emits lines as soon as it exists, and lines emitted before
  // its async iterator is taken are lost (an audit reads the chain first, then the file).
  const input = createReadStream(file);
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    yield* rl;
  } finally {
    rl.close();
    input.destroy(); // closing readline does not close its input
  }
}

const CHUNK_BYTES = 256 * 1024;

/**
 * A file's bytes in chunks of whole lines (each ends with a newline, but the file's last), each in an
 * ArrayBuffer of its own so it can be transferred to a worker thread. A line longer than a chunk
 * makes its chunk longer.
 */
export async function* fileChunks(file: string): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const input = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  let parts: Buffer[] = [];
  let partsBytes = 0;
  const take = (tail?: Buffer): Uint8Array<ArrayBuffer> => {
    const out = new Uint8Array(partsBytes + (tail?.length ?? 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    if (tail) out.set(tail, at);
    parts = [];
    partsBytes = 0;
    return out;
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const nl = chunk.lastIndexOf(10);
      if (nl < 0) {
        parts.push(chunk);
        partsBytes += chunk.length;
        continue;
      }
      yield take(chunk.subarray(0, nl + 1));
      if (nl + 1 < chunk.length) {
        parts.push(chunk.subarray(nl + 1));
        partsBytes += chunk.length - nl - 1;
      }
    }
    if (partsBytes > 0) yield take();
  } finally {
    input.destroy();
  }
}

const SAME_EXPORT = ["scope", "orgId", "chainId", "participantRegistry", "anchorRegistry", "anchorer"] as const;

export interface WriteExportOptions {
  /** Continue the file (see resumePoint); otherwise the file must not exist yet. */
  resume?: ResumePoint;
  /** Called after each line is written, with the counts in the file so far and the header's expectations. */
  onLine?: (counts: ExportCounts, expected: ExportCounts | undefined) => void;
}

/**
 * Writes streamed export lines to `file`, each followed by a newline, with backpressure. On resume,
 * the stream's header must describe the same export as the file's and is not written again.
 * Returns the counts in the file and whether its end line arrived.
 */
export async function writeExport(
  lines: AsyncIterable<string>,
  file: string,
  opts: WriteExportOptions = {},
): Promise<{ counts: ExportCounts; complete: boolean }> {
  const resume = opts.resume;
  if (!resume && existsSync(file)) throw new Error(`${file} exists: continue it with --resume, or choose another file`);
  const out = createWriteStream(file, { flags: resume ? "a" : "wx" });
  await once(out, "open");
  const counts = resume ? { ...resume.counts } : { batches: 0, records: 0, access: 0 };
  let expected: ExportCounts | undefined = resume?.header?.expected;
  let first = true;
  let complete = false;
  try {
    for await (const text of lines) {
      const kind = KIND_PREFIX.exec(text)?.[1] ?? parseExportLine(text).kind;
      if (first) {
        first = false;
        if (kind !== "header") throw new Error("the hub's export does not start with a header line");
        const header = HeaderLineSchema.parse(JSON.parse(text));
        expected = resume?.header ? { ...header.expected, records: Math.max(header.expected.records, counts.records) } : header.expected;
        if (resume?.header) {
          for (const k of SAME_EXPORT)
            if (String(header[k]).toLowerCase() !== String(resume.header[k]).toLowerCase())
              throw new Error(`the file is an export with ${k} ${resume.header[k]}, the hub now sends ${header[k]}: not the same export`);
          continue; // the file has its header already
        }
      }
      if (kind === "batch") counts.batches++;
      else if (kind === "record") counts.records++;
      else if (kind === "access") counts.access++;
      else if (kind === "end") complete = true;
      if (!out.write(`${text}\n`)) await once(out, "drain");
      opts.onLine?.(counts, expected);
    }
  } finally {
    out.end();
    await once(out, "close");
  }
  return { counts, complete };
}
