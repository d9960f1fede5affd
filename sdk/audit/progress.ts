/**
 * Progress of a long export or audit on a terminal: a redrawn bar when the stream is a TTY, else a
 * plain line now and then (so logs of unattended runs stay readable).
 */

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const n = (x: number) => Math.round(x).toLocaleString("en-US");

export class Progress {
  private readonly started = Date.now();
  private lastDraw = Date.now(); // the first line comes after one interval; finish() always shows
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly out: ProgressStream,
    private readonly opts: { unit?: string; ttyEveryMs?: number; lineEveryMs?: number } = {},
  ) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  /** `done` of `total` units so far (total unknown or 0: no percentage). */
  update(done: number, total?: number): void {
    const now = Date.now();
    const every = this.tty ? (this.opts.ttyEveryMs ?? 100) : (this.opts.lineEveryMs ?? 5000);
    if (now - this.lastDraw < every) return;
    this.lastDraw = now;
    this.draw(done, total, false);
  }

  /** The final state, always shown. */
  finish(done: number, total?: number): void {
    this.draw(done, total, true);
  }

  private draw(done: number, total: number | undefined, final: boolean): void {
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const unit = this.opts.unit ?? "records";
    const of = total ? `/${n(total)}` : "";
    const pct = total ? ` (${Math.min(100, (100 * done) / total).toFixed(1)}%)` : "";
    const text = `${this.label}: ${n(done)}${of} ${unit}${pct}, ${n(rate)} ${unit}/s, ${secs.toFixed(0)} s`;
    if (!this.tty) {
      this.out.write(`${text}\n`);
      return;
    }
    const width = 30;
    const filled = total ? Math.min(width, Math.round((width * done) / total)) : 0;
    const bar = total ? `[${"#".repeat(filled)}${".".repeat(width - filled)}] ` : "";
    const line = `${bar}${text}`.slice(0, Math.max(20, (this.out.columns ?? 100) - 1));
    this.out.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
    this.drawn = !final;
  }

  /** Ends a half-drawn bar line, so a message can follow on its own line. */
  interrupt(): void {
    if (this.drawn) this.out.write("\n");
    this.drawn = false;
  }
}
