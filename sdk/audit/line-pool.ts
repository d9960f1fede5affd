import { availableParallelism } from "node:os";
import { extname, join } from "node:path";
import { Worker } from "node:worker_threads";
import type { ExportLine } from "./export-format";
import { checkExportLine, type CheckedLine } from "./line-check";

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

interface Job {
  resolve: (r: CheckedLine[]) => void;
  reject: (e: Error) => void;
}

/** A fixed set of worker threads; each chunk goes to the least busy one. */
class WorkerPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly jobs = new Map<number, Job & { slot: { busy: number } }>();
  private nextId = 0;
  private failed: Error | undefined;

  constructor(count: number) {
    const file = join(__dirname, `line-worker${extname(__filename)}`);
    for (let i = 0; i < count; i++) {
      // Under tsx (or ts-node) the worker has no TypeScript loader of its own: it registers tsx first.
      const worker = file.endsWith(".ts")
        ? new Worker(`require("tsx/cjs"); require(${JSON.stringify(file)});`, { eval: true })
        : new Worker(file);
      const slot = { worker, busy: 0 };
      worker.on("message", (msg: { id: number; results: CheckedLine[] }) => {
        const job = this.jobs.get(msg.id);
        if (!job) return;
        this.jobs.delete(msg.id);
        job.slot.busy--;
        job.resolve(msg.results);
      });
      worker.on("error", (err) => this.fail(err));
      worker.on("exit", (code) => {
        if (code !== 0) this.fail(new Error(`audit worker thread exited with code ${code}`));
      });
      this.workers.push(slot);
    }
  }

  private fail(err: Error): void {
    this.failed ??= new Error(`audit worker thread failed: ${err.message}`);
    for (const job of this.jobs.values()) job.reject(this.failed);
    this.jobs.clear();
  }

  check(items: (string | ExportLine)[]): Promise<CheckedLine[]> {
    if (this.failed) return Promise.reject(this.failed);
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ id, items });
    });
  }

  async close(): Promise<void> {
    this.failed ??= new Error("the audit worker pool is closed");
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/** The lines of `input`, checked, in input order, numbered from 1 (blank lines are skipped but counted). */
export async function* checkLines(input: AsyncIterable<string | ExportLine> | Iterable<string | ExportLine>, opts: LinePoolOptions = {}): AsyncGenerator<NumberedLine> {
  const maxWorkers = opts.workers ?? defaultWorkerCount();
  const inlineLines = opts.inlineLines ?? DEFAULT_INLINE_LINES;
  let pool: WorkerPool | undefined;
  const queue: { lineNos: number[]; results: Promise<CheckedLine[]> }[] = [];
  let items: (string | ExportLine)[] = [];
  let lineNos: number[] = [];
  let lineNo = 0;

  const submit = () => {
    if (items.length === 0) return;
    if (!pool && maxWorkers > 0 && lineNo > inlineLines) pool = new WorkerPool(maxWorkers);
    const results = pool ? pool.check(items) : Promise.resolve(items.map(checkExportLine));
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
