import type { Log, Provider } from "ethers";

/**
 * eth_getLogs over a block range in bounded pages. Public RPC endpoints refuse large log queries
 * (commonly over 1,000 or 10,000 blocks, or too many results), so no request ever spans more than
 * `maxBlockRange` blocks, and a page the endpoint still refuses is split in halves.
 */

/** Blocks per eth_getLogs request unless told otherwise: what most public endpoints accept. */
export const DEFAULT_MAX_BLOCK_RANGE = 1_000;

export interface PagedLogQuery {
  address: string;
  /** As for eth_getLogs: topic 0 may be a list of event topics (any of them). */
  topics: (string | string[] | null)[];
  fromBlock: number;
  toBlock: number;
  /** At most this many blocks per request (default DEFAULT_MAX_BLOCK_RANGE). */
  maxBlockRange?: number;
}

export interface PagedLogs {
  /** In chain order (block, then log index). */
  logs: Log[];
  /** eth_getLogs requests made, refused ones included. */
  calls: number;
}

const errText = (err: unknown): string => {
  const e = err as { shortMessage?: unknown; message?: unknown };
  return typeof e?.shortMessage === "string" ? e.shortMessage : typeof e?.message === "string" ? e.message : String(err);
};

/** Checks a block range and page size; throws a plain Error naming the bad value. */
export function checkBlockRange(fromBlock: number, toBlock: number, maxBlockRange: number): void {
  if (!Number.isInteger(fromBlock) || fromBlock < 0) throw new Error(`fromBlock must be a block number, got ${fromBlock}`);
  if (!Number.isInteger(toBlock) || toBlock < fromBlock) throw new Error(`toBlock (${toBlock}) must be a block number from fromBlock (${fromBlock}) on`);
  if (!Number.isInteger(maxBlockRange) || maxBlockRange < 1) throw new Error(`the block range per log request must be a positive integer, got ${maxBlockRange}`);
}

/** Every log matching the query in [fromBlock, toBlock], never more than maxBlockRange blocks per request. */
export async function getLogsPaged(provider: Provider, q: PagedLogQuery): Promise<PagedLogs> {
  const page = q.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE;
  checkBlockRange(q.fromBlock, q.toBlock, page);
  let calls = 0;
  const range = async (from: number, to: number): Promise<Log[]> => {
    try {
      calls++;
      return await provider.getLogs({ address: q.address, topics: q.topics, fromBlock: from, toBlock: to });
    } catch (err) {
      if (to <= from) throw new Error(`eth_getLogs failed for block ${from}: ${errText(err)}`);
      // Endpoints also cap results ("query returned more than 10000 results"): halve and retry.
      const mid = from + Math.floor((to - from) / 2);
      return [...(await range(from, mid)), ...(await range(mid + 1, to))];
    }
  };
  const logs: Log[] = [];
  for (let from = q.fromBlock; from <= q.toBlock; from += page) logs.push(...(await range(from, Math.min(q.toBlock, from + page - 1))));
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  return { logs, calls };
}
