import type { Log, Provider } from "ethers";

/**
 * THE way the SDK reads logs: eth_getLogs over bounded block windows. Public RPC endpoints refuse
 * large log queries (commonly over 1,000 or 10,000 blocks, or too many results, or they time out), so
 * no request ever spans more than `maxBlockRange` blocks, a window the endpoint still refuses is
 * halved (and the smaller size kept for that connection), and searches stop at a request count or a
 * deadline with a clear error instead of walking a long chain forever. Nothing here asks for 0..latest.
 */

/** Blocks per eth_getLogs request unless told otherwise: what most public endpoints accept. */
export const DEFAULT_MAX_BLOCK_RANGE = 1_000;
/** eth_getLogs requests a search (firstLog, logNear) makes at most unless told otherwise. */
export const DEFAULT_MAX_SEARCH_REQUESTS = 2_000;

export interface LogScanLimits {
  /** At most this many blocks per request (default DEFAULT_MAX_BLOCK_RANGE). */
  maxBlockRange?: number;
  /** At most this many eth_getLogs requests, refused ones included (searches default to DEFAULT_MAX_SEARCH_REQUESTS). */
  maxRequests?: number;
  /** Epoch milliseconds: no request is started after it. */
  deadline?: number;
}

export interface LogFilter {
  address: string;
  /** As for eth_getLogs: topic 0 may be a list of event topics (any of them). */
  topics: (string | string[] | null)[];
}

export interface PagedLogQuery extends LogFilter, LogScanLimits {
  fromBlock: number;
  toBlock: number;
}

export interface PagedLogs {
  /** In chain order (block, then log index). */
  logs: Log[];
  /** eth_getLogs requests made, refused ones included. */
  calls: number;
}

/** A log read that stopped: its budget ran out, or the endpoint refused even a single block. */
export class LogScanError extends Error {
  override name = "LogScanError";
}

const errText = (err: unknown): string => {
  const e = err as { shortMessage?: unknown; message?: unknown };
  return typeof e?.shortMessage === "string" ? e.shortMessage : typeof e?.message === "string" ? e.message : String(err);
};

/** Every code and message an ethers error carries, the JSON-RPC error inside it included. */
function errorParts(err: unknown): { codes: unknown[]; text: string } {
  const codes: unknown[] = [];
  const texts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (e: unknown, depth: number) => {
    if (typeof e !== "object" || e === null || seen.has(e) || depth > 4) return;
    seen.add(e);
    const o = e as Record<string, unknown>;
    codes.push(o.code, o.status, o.responseStatus);
    for (const k of ["message", "shortMessage", "responseStatus", "responseBody"]) if (typeof o[k] === "string") texts.push(o[k]);
    for (const k of ["error", "info", "cause", "payload"]) walk(o[k], depth + 1);
  };
  walk(err, 0);
  return { codes, text: texts.join(" ").toLowerCase() };
}

const REFUSAL_TEXT =
  /block range|range (is )?too (large|wide|big)|limit exceeded|query returned more than|more than \d+ (results|logs)|too many (results|logs|blocks)|exceeds? (the )?max|response size|payload too large|\b413\b|timeout|timed out/;

/**
 * Whether an eth_getLogs failure means "ask for less" (the provider's answer to too large a range or
 * result, or a timeout) rather than a failure a smaller window would not cure.
 */
export function isRangeRefusal(err: unknown): boolean {
  const { codes, text } = errorParts(err);
  if (codes.includes("TIMEOUT") || codes.includes(-32005) || codes.includes(413)) return true;
  if (codes.includes(-32602) && /range/.test(text)) return true;
  return REFUSAL_TEXT.test(text);
}

/** Checks a block range and page size; throws a plain Error naming the bad value. */
export function checkBlockRange(fromBlock: number, toBlock: number, maxBlockRange: number): void {
  if (!Number.isInteger(fromBlock) || fromBlock < 0) throw new Error(`fromBlock must be a block number, got ${fromBlock}`);
  if (!Number.isInteger(toBlock) || toBlock < fromBlock) throw new Error(`toBlock (${toBlock}) must be a block number from fromBlock (${fromBlock}) on`);
  if (!Number.isInteger(maxBlockRange) || maxBlockRange < 1)
    throw new Error(`the block range per log request must be a positive integer, got ${maxBlockRange}`);
}

// The window an endpoint last accepted, per connection: one refusal teaches every later read on it.
const learnedWindow = new WeakMap<Provider, number>();

/** One filter's reads on one connection, within one budget. */
class LogReader {
  calls = 0;
  window: number;
  constructor(
    private readonly provider: Provider,
    private readonly filter: LogFilter,
    private readonly limits: LogScanLimits,
    private readonly what: string,
  ) {
    this.window = Math.min(limits.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE, learnedWindow.get(provider) ?? Infinity);
  }

  /** The logs of [from, to] (at most one window wide), in chain order; a refused window is halved. */
  async read(from: number, to: number): Promise<Log[]> {
    if (this.limits.maxRequests !== undefined && this.calls >= this.limits.maxRequests)
      throw new LogScanError(`${this.what}: stopped after ${this.calls} eth_getLogs requests (the limit), before block ${from}`);
    if (this.limits.deadline !== undefined && Date.now() >= this.limits.deadline)
      throw new LogScanError(`${this.what}: out of time after ${this.calls} eth_getLogs requests, before block ${from}`);
    this.calls++;
    try {
      const logs = await this.provider.getLogs({ address: this.filter.address, topics: this.filter.topics, fromBlock: from, toBlock: to });
      // Only canonical logs count: a node may still hand out one a reorg removed (`removed: true`).
      return logs.filter((l) => !l.removed).sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    } catch (err) {
      if (!isRangeRefusal(err)) throw err;
      if (to <= from) throw new LogScanError(`${this.what}: the endpoint refuses eth_getLogs even for block ${from}: ${errText(err)}`);
      this.window = Math.min(this.window, Math.ceil((to - from + 1) / 2));
      learnedWindow.set(this.provider, Math.min(learnedWindow.get(this.provider) ?? Infinity, this.window));
      return this.forward(from, to);
    }
  }

  /** [from, to] window by window (the window as it is now: it may shrink on the way), oldest first; stops when `stop` says so after a window. */
  async forward(from: number, to: number, stop: (logs: Log[]) => boolean = () => false): Promise<Log[]> {
    const out: Log[] = [];
    for (let start = from; start <= to;) {
      const end = Math.min(to, start + this.window - 1);
      const logs = await this.read(start, end);
      out.push(...logs);
      if (stop(logs)) break;
      start = end + 1;
    }
    return out;
  }
}

/** Every log matching the query in [fromBlock, toBlock], never more than maxBlockRange blocks per request. */
export async function getLogsPaged(provider: Provider, q: PagedLogQuery): Promise<PagedLogs> {
  checkBlockRange(q.fromBlock, q.toBlock, q.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE);
  const reader = new LogReader(provider, q, q, `reading logs of ${q.address} in blocks ${q.fromBlock}..${q.toBlock}`);
  const logs = await reader.forward(q.fromBlock, q.toBlock);
  return { logs, calls: reader.calls };
}

const searchLimits = (q: LogScanLimits): LogScanLimits => ({ ...q, maxRequests: q.maxRequests ?? DEFAULT_MAX_SEARCH_REQUESTS });

/**
 * The earliest log matching the filter in [fromBlock, toBlock], read oldest window first and stopping
 * at the first window holding one (where an earliest-wins rule must look from the lower bound up).
 */
export async function firstLog(provider: Provider, q: PagedLogQuery): Promise<{ log: Log | undefined; calls: number }> {
  checkBlockRange(q.fromBlock, q.toBlock, q.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE);
  const reader = new LogReader(provider, q, searchLimits(q), `searching blocks ${q.fromBlock}..${q.toBlock}`);
  const logs = await reader.forward(q.fromBlock, q.toBlock, (page) => page.length > 0);
  return { log: logs[0], calls: reader.calls };
}

/**
 * The logs matching the filter nearest to block `near`: the window around it first, then windows
 * alternately before and after it, widening outward within [fromBlock, toBlock] until one holds a
 * log (for an event known to happen once, at about a known block).
 */
export async function logNear(provider: Provider, q: PagedLogQuery & { near: number }): Promise<{ logs: Log[]; calls: number }> {
  checkBlockRange(q.fromBlock, q.toBlock, q.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE);
  const reader = new LogReader(provider, q, searchLimits(q), `searching blocks ${q.fromBlock}..${q.toBlock} around block ${q.near}`);
  const near = Math.min(q.toBlock, Math.max(q.fromBlock, Math.floor(q.near)));
  let lo = Math.max(q.fromBlock, near - Math.floor(reader.window / 2));
  let hi = Math.min(q.toBlock, lo + reader.window - 1);
  let logs = await reader.read(lo, hi);
  while (logs.length === 0 && (lo > q.fromBlock || hi < q.toBlock)) {
    if (hi < q.toBlock) {
      const end = Math.min(q.toBlock, hi + reader.window);
      logs = await reader.read(hi + 1, end);
      hi = end;
    }
    if (logs.length === 0 && lo > q.fromBlock) {
      const start = Math.max(q.fromBlock, lo - reader.window);
      logs = await reader.read(start, lo - 1);
      lo = start;
    }
  }
  return { logs, calls: reader.calls };
}

/** The first block in [lo, hi] whose timestamp is at least `time` (Unix seconds), by bisection: about log2(hi - lo) reads. */
export async function firstBlockAtOrAfter(provider: Provider, time: number, lo: number, hi: number): Promise<number> {
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const block = await provider.getBlock(mid);
    if (!block) throw new Error(`block ${mid} is not available from the RPC endpoint`);
    if (block.timestamp >= time) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
