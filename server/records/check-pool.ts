import { availableParallelism } from "node:os";
import { extname, join } from "node:path";
import { prepareRecord } from "../../sdk/digest";
import type { RecordHeader, SignedRecord } from "../../sdk/envelope";
import { signRecord } from "../../sdk/signature";
import { WorkerPool } from "../../sdk/worker-pool";
import { checkRecord, type CheckedRecord } from "./check";

/** A published record to check: owner and signer are the publisher's. */
export interface RecordCheckJob {
  raw: unknown;
  owner: string;
  signer: string;
  prefix: string;
}

/** A record the hub publishes itself, to salt, digest and sign with `key`. */
export interface RecordSignJob {
  key: string;
  header: RecordHeader;
  body: Record<string, unknown>;
}

export type RecordJob = ({ kind: "check" } & RecordCheckJob) | ({ kind: "sign" } & RecordSignJob);
export type RecordJobResult = CheckedRecord | SignedRecord;

export function runRecordJob(job: RecordJob): RecordJobResult {
  return job.kind === "check" ? checkRecord(job.raw, job.owner, job.signer, job.prefix) : signRecord(job.key, prepareRecord(job.header, job.body));
}

const CHUNK = 200;
// Below this a batch is handled on the request's thread: posting it to a worker would cost more.
const INLINE_BELOW = 64;

export const defaultCheckWorkers = (): number => Math.max(1, availableParallelism() - 1);

/**
 * The CPU-heavy part of publishing (~200 µs a record: digests, signature recovery, signing) for
 * large batches, on worker threads, so the request thread keeps serving the database and requests.
 */
export class RecordChecks {
  private pool: WorkerPool<RecordJob, RecordJobResult> | undefined;
  private closed = false;

  /** `workers`: threads, started on the first large batch; 0 does everything inline. */
  constructor(private readonly workers: number) {}

  private async run(jobs: RecordJob[]): Promise<RecordJobResult[]> {
    if (this.workers === 0 || this.closed || jobs.length < INLINE_BELOW) return jobs.map(runRecordJob);
    this.pool ??= new WorkerPool(join(__dirname, `check-worker${extname(__filename)}`), this.workers, "record check");
    const chunks: Promise<RecordJobResult[]>[] = [];
    for (let i = 0; i < jobs.length; i += CHUNK) chunks.push(this.pool.run(jobs.slice(i, i + CHUNK)));
    return (await Promise.all(chunks)).flat();
  }

  /** Checks submitted records (checkRecord), in order. */
  check(jobs: RecordCheckJob[]): Promise<CheckedRecord[]> {
    return this.run(jobs.map((j) => ({ kind: "check" as const, ...j }))) as Promise<CheckedRecord[]>;
  }

  /** Salts, digests and signs records the hub publishes, in order. */
  sign(jobs: RecordSignJob[]): Promise<SignedRecord[]> {
    return this.run(jobs.map((j) => ({ kind: "sign" as const, ...j }))) as Promise<SignedRecord[]>;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
  }
}
