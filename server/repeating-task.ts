/**
 * A background job run over and over: each pass starts `delayAfter(result)` ms after the previous
 * one ended, so two passes never overlap, until stopped. A failed pass is reported and the job goes
 * on. The hub's workers (anchoring, customs matching, the self-audit) all run this way.
 */
export class RepeatingTask<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly pass: () => Promise<T>,
    /** The pause before the next pass; `undefined` when the pass failed. */
    private readonly delayAfter: (result: T | undefined) => number,
    private readonly onError: (err: Error) => void,
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

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      let result: T | undefined;
      this.running = this.pass()
        .then((r) => void (result = r))
        .catch((err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))))
        .finally(() => this.schedule(this.delayAfter(result)));
    }, delay);
    if (!this.keepAlive) this.timer.unref();
  }
}
