import { availableParallelism } from "node:os";
import { extname, join } from "node:path";
import { exportFileOf, fileChunks } from "./export-file";
import type { ExportLine } from "./export-format";
import { checkExportChunk, checkExportLine, type CheckedChunk, type CheckedLine, type NumberedLine } from "./line-check";
import { WorkerPool } from "../worker-pool";

/**
 * Runs checkExportLine over a stream of export lines, in order, on worker threads once the stream
 * proves long enough to pay for starting them (a short export is checked inline). Lines are sent in
 * chunks and at most a few chunks are in flight, so memory stays flat whatever the export's size.
 * The lines of an export file (fileLines) go as raw bytes, moved, not copied, to the workers, which
 * decode, split and parse them: the main thread only reads the file and puts results in order.
 */

export type { NumberedLine } from "./line-check";

export interface LinePoolOptions {
  /** Worker threads to use for long exports; 0 checks everything inline. Default: one per CPU core. */
  workers?: number;
  /** Lines checked inline before workers are started. */
  inlineLines?: number;
}

type Item = string | ExportLine | Uint8Array;
type Pool = WorkerPool<Item, CheckedLine | CheckedChunk>;

const CHUNK_LINES = 256;
const CHUNKS_IN_FLIGHT_PER_WORKER = 4;
// Starting a worker costs a few hundred milliseconds of a core (more under tsx): about what
// checking this many lines inline costs.
const DEFAULT_INLINE_LINES = 5_000;

export const defaultWorkerCount = (): number => Math.max(1, Math.min(8, availableParallelism()));

const startPool = (workers: number): Pool => new WorkerPool(join(__dirname, `line-worker${extname(__filename)}`), workers, "audit");

/** The lines of `input`, checked, in input order, numbered from 1 (blank lines are skipped but counted). */
export async function* checkLines(
  input: AsyncIterable<string | ExportLine> | Iterable<string | ExportLine>,
  opts: LinePoolOptions = {},
): AsyncGenerator<NumberedLine> {
  const file = exportFileOf(input);
  if (file !== undefined) yield* checkFile(file, opts);
  else yield* checkItems(input, opts);
}

async function* checkItems(input: AsyncIterable<string | ExportLine> | Iterable<string | ExportLine>, opts: LinePoolOptions): AsyncGenerator<NumberedLine> {
  const maxWorkers = opts.workers ?? defaultWorkerCount();
  const inlineLines = opts.inlineLines ?? DEFAULT_INLINE_LINES;
  let pool: Pool | undefined;
  const queue: { lineNos: number[]; results: Promise<CheckedLine[]> }[] = [];
  let items: (string | ExportLine)[] = [];
  let lineNos: number[] = [];
  let lineNo = 0;

  const submit = () => {
    if (items.length === 0) return;
    if (!pool && maxWorkers > 0 && lineNo > inlineLines) pool = startPool(maxWorkers);
    const results = pool ? (pool.run(items) as Promise<CheckedLine[]>) : Promise.resolve(items.map(checkExportLine));
    results.catch(() => undefined); // awaited in order below; this only silences an early rejection
    queue.push({ lineNos, results });
    items = [];
    lineNos = [];
  };
  async function* drain(keep: number): AsyncGenerator<NumberedLine> {
    while (queue.length > keep) {
      const { lineNos: nos, results } = queue.shift()!;
      const checked = await results;
      for (let i = 0; i < checked.length; i++) yield Object.assign(checked[i], { lineNo: nos[i] });
    }
  }

  try {
    for await (const item of input) {
      lineNo++;
      if (typeof item === "string" && item.trim() === "") continue;
      items.push(item);
      lineNos.push(lineNo);
      if (items.length >= CHUNK_LINES) {
        submit();
        yield* drain(pool ? maxWorkers * CHUNKS_IN_FLIGHT_PER_WORKER : 0);
      }
    }
    submit();
    yield* drain(0);
  } finally {
    await pool?.close();
  }
}

async function* checkFile(file: string, opts: LinePoolOptions): AsyncGenerator<NumberedLine> {
  const maxWorkers = opts.workers ?? defaultWorkerCount();
  const inlineLines = opts.inlineLines ?? DEFAULT_INLINE_LINES;
  let pool: Pool | undefined;
  const queue: Promise<CheckedChunk>[] = [];
  let before = 0; // lines before the first chunk in the queue

  async function* drain(keep: number): AsyncGenerator<NumberedLine> {
    while (queue.length > keep) {
      const { lines, checked } = await queue.shift()!;
      for (const c of checked) {
        c.lineNo += before;
        yield c;
      }
      before += lines;
    }
  }

  try {
    for await (const bytes of fileChunks(file)) {
      if (!pool && maxWorkers > 0 && before > inlineLines) pool = startPool(maxWorkers);
      const results = pool ? pool.run([bytes], [bytes.buffer]).then((r) => r[0] as CheckedChunk) : Promise.resolve(checkExportChunk(bytes));
      results.catch(() => undefined); // awaited in order below; this only silences an early rejection
      queue.push(results);
      yield* drain(pool ? maxWorkers * CHUNKS_IN_FLIGHT_PER_WORKER : 0);
    }
    yield* drain(0);
  } finally {
    await pool?.close();
  }
}
