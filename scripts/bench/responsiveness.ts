// Responsiveness probes for benchmarks: while a benchmark loads a hub, GET /health and
// GET /v1/records/:id (as a member who may read the record) are sent every ~20 ms each, one at a
// time per endpoint, and their latencies summarised. A blocked event loop shows here first.

/** Latency figures of one probed endpoint, in milliseconds. */
export interface Latency {
  count: number;
  p50ms: number;
  p95ms: number;
  maxMs: number;
}

export interface ProbeFigures {
  health: Latency;
  record: Latency;
}

export interface ProbeOptions {
  hubUrl: string;
  /** A record the token's organisation may read. */
  recordId: string;
  /** A valid access token of that organisation (called before each record probe; cache it). */
  token: () => Promise<string>;
  /** Time between the starts of two probes of the same endpoint (default 20 ms). */
  intervalMs?: number;
}

/** The nearest-rank percentile `p` (0..100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** count, p50, p95 and max of a list of durations in ms (rounded to 0.1 ms). */
export function latencyOf(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return { count: sorted.length, p50ms: round(percentile(sorted, 50)), p95ms: round(percentile(sorted, 95)), maxMs: round(sorted[sorted.length - 1] ?? NaN) };
}

/**
 * Starts the two probe loops; `stop()` ends them (after the requests in flight) and returns the
 * figures. A probe answered with anything but 200 throws from `stop()`: a refusal is not a latency.
 */
export function startProbes(opts: ProbeOptions): { stop(): Promise<ProbeFigures> } {
  const interval = opts.intervalMs ?? 20;
  let running = true;
  let failure: Error | undefined;
  // `headers` is asked before the clock starts: getting a token is not the endpoint's latency.
  const loop = async (url: string, samples: number[], headers: () => Promise<Record<string, string>>) => {
    while (running) {
      let t0 = performance.now();
      try {
        const h = await headers();
        t0 = performance.now();
        const res = await fetch(url, { headers: h });
        // The body is read in full: the latency is the whole answer's.
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`probe answered ${res.status}`);
        samples.push(performance.now() - t0);
      } catch (err) {
        failure ??= err as Error;
        return;
      }
      const wait = interval - (performance.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const health: number[] = [];
  const record: number[] = [];
  const loops = [
    loop(`${opts.hubUrl}/health`, health, async () => ({})),
    loop(`${opts.hubUrl}/v1/records/${encodeURIComponent(opts.recordId)}`, record, async () => ({ authorization: `Bearer ${await opts.token()}` })),
  ];
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      if (failure) throw new Error(`responsiveness probe failed: ${failure.message}`);
      return { health: latencyOf(health), record: latencyOf(record) };
    },
  };
}
