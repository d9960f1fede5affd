import { availableParallelism } from "node:os";
import { extname, join } from "node:path";
import type { ExportLine } from "./export-format";
import { checkExportLine, type CheckedLine } from "./line-check";
import { WorkerPool } from "../worker-pool";

/**
 * Runs checkExportLine over a stream of export lines, in order, on worker threads once the stream
 * proves long enough to pay for starting them (a short export is checked inline). Lines are sent in
 * chunks and at most a few chunks are in flight, so memory stays flat whatever the export's size.
 */

export type NumberedLine = CheckedLine & { lineNo: number };

export interface LinePoolOptions {
  /** Worker threads to use for long exports; 0 checks everything inline. Default: one per CPU core. */
  workers?: number;
  /** Lines checked inline before workers are started. */
  inlineLines?: number;
}

const CHUNK_LINES = 256;
const CHUNKS_IN_FLIGHT_PER_WORKER = 4;
const DEFAULT_INLINE_LINES = 20_000;

export const defaultWorkerCount = (): number => Math.max(1, Math.min(8, availableParallelism()));

/** The lines of `input`, checked, in input order, numbered from 1 (blank lines are skipped but counted). */
export async function* checkLines(
  input: AsyncIterable<string | ExportLine> | Iterable<string | ExportLine>,
  opts: LinePoolOptions = {},
): AsyncGenerator<NumberedLine> {
  const maxWorkers = opts.workers ?? defaultWorkerCount();
  const inlineLines = opts.inlineLines ?? DEFAULT_INLINE_LINES;
  let pool: WorkerPool<string | ExportLine, CheckedLine> | undefined;
  const queue: { lineNos: number[]; results: Promise<CheckedLine[]> }[] = [];
  let items: (string | ExportLine)[] = [];
  let lineNos: number[] = [];
  let lineNo = 0;

  const submit = () => {
    if (items.length === 0) return;
    if (!pool && maxWorkers > 0 && lineNo > inlineLines) pool = new WorkerPool(join(__dirname, `line-worker${extname(__filename)}`), maxWorkers, "audit");
    const results = pool ? pool.run(items) : Promise.resolve(items.map(checkExportLine));
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
