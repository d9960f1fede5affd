/**
 * A background job run over and over: each pass starts `delayAfter(result)` ms after the previous
 * one ended, so two passes never overlap, until stopped. A failed pass is reported and the job goes
 * on; failures in a row back off (the failed pass's delay doubled each time, up to
 * MAX_FAILURE_BACKOFF_MS), so a full disk or a database locked by another process is neither
 * hammered nor logged several times a second, and the job resumes within seconds once it recovers.
 * The hub's workers (anchoring, customs matching, webhooks, the self-audit) all run this way.
 */
export const MAX_FAILURE_BACKOFF_MS = 5000;
/** The first retry after a failure waits at least this long, even for a job that otherwise runs at once. */
const MIN_FAILURE_DELAY_MS = 100;

export class RepeatingTask<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  /** Passes failed in a row (0 after a success). */
  private failures = 0;

  constructor(
    private readonly pass: () => Promise<T>,
    /** The pause before the next pass; `undefined` when the pass failed. */
    private readonly delayAfter: (result: T | undefined) => number,
    /** Hears each failure, with how many passes in a row have failed. */
    private readonly onError: (err: Error, failuresInARow: number) => void,
    /** Whether a pending pass keeps the process alive (an idle self-audit should not). */
    private readonly keepAlive = true,
  ) {}

  start(firstDelayMs = 0): void {
    this.stopped = false;
    this.schedule(firstDelayMs);
  }

  /** Stops scheduling and waits for the pass in progress, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** The pause after a failed pass: the job's own, doubled per failure in a row, within the bounds. */
  private failureDelay(): number {
    const own = this.delayAfter(undefined);
    const backoff = Math.max(own, MIN_FAILURE_DELAY_MS) * 2 ** Math.min(this.failures - 1, 16);
    return Math.max(own, Math.min(backoff, MAX_FAILURE_BACKOFF_MS));
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      let result: T | undefined;
      let failed = false;
      this.running = this.pass()
        .then((r) => {
          result = r;
          this.failures = 0;
        })
        .catch((err: unknown) => {
          failed = true;
          this.failures++;
          this.onError(described(err), this.failures);
        })
        .finally(() => this.schedule(failed ? this.failureDelay() : this.delayAfter(result)));
    }, delay);
    if (!this.keepAlive) this.timer.unref();
  }
}

/** The failure as an Error whose message says something: a driver's error may carry it only in its name, code or cause. */
function described(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  if (err.message) return err;
  const { code } = err as { code?: unknown };
  const cause = err.cause instanceof Error ? err.cause.message : err.cause;
  const detail = [err.name, code, cause].filter((p) => p !== undefined && p !== "").join(": ");
  return new Error(detail || "an error without a message", { cause: err });
}
