import { Worker, parentPort, type TransferListItem } from "node:worker_threads";

/**
 * A fixed set of worker threads running one function over chunks of items: the audit checks
 * export lines this way, the hub checks published records. Each chunk goes to the least busy
 * worker; results come back in the chunk's order.
 */
export class WorkerPool<In, Out> {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly jobs = new Map<number, { resolve: (r: Out[]) => void; reject: (e: Error) => void; slot: { busy: number } }>();
  private nextId = 0;
  private failed: Error | undefined;

  /** `file`: the worker module (calling serveChunks), `.ts` under tsx or `.js` once compiled. */
  constructor(
    file: string,
    count: number,
    private readonly name: string,
  ) {
    for (let i = 0; i < count; i++) {
      // Under tsx (or ts-node) the worker has no TypeScript loader of its own: it registers tsx first.
      const worker = file.endsWith(".ts") ? new Worker(`require("tsx/cjs"); require(${JSON.stringify(file)});`, { eval: true }) : new Worker(file);
      const slot = { worker, busy: 0 };
      worker.on("message", (msg: { id: number; results: Out[] }) => {
        const job = this.jobs.get(msg.id);
        if (!job) return;
        this.jobs.delete(msg.id);
        job.slot.busy--;
        job.resolve(msg.results);
      });
      worker.on("error", (err) => this.fail(err));
      worker.on("exit", (code) => {
        if (code !== 0) this.fail(new Error(`${name} worker thread exited with code ${code}`));
      });
      this.workers.push(slot);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  private fail(err: Error): void {
    this.failed ??= new Error(`${this.name} worker thread failed: ${err.message}`);
    for (const job of this.jobs.values()) job.reject(this.failed);
    this.jobs.clear();
  }

  /** `transfer`: buffers among the items to move to the worker rather than copy (they are unusable here afterwards). */
  run(items: In[], transfer: TransferListItem[] = []): Promise<Out[]> {
    if (this.failed) return Promise.reject(this.failed);
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ id, items }, transfer);
    });
  }

  async close(): Promise<void> {
    this.failed ??= new Error(`the ${this.name} worker pool is closed`);
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/** The worker side of a WorkerPool: answers each chunk with `handle` applied to its items, once `ready` resolves. */
export function serveChunks<In, Out>(handle: (item: In) => Out, ready: Promise<unknown> = Promise.resolve()): void {
  if (!parentPort) throw new Error("this module runs as a worker thread only");
  const port = parentPort;
  // Messages wait in the port's queue until the listener is attached.
  void ready.then(() => {
    port.on("message", (job: { id: number; items: In[] }) => {
      port.postMessage({ id: job.id, results: job.items.map(handle) });
    });
  });
}
