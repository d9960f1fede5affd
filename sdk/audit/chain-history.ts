import { getAddress, type Log, type Provider } from "ethers";
import { ANCHORED_TOPIC, REVOKED_TOPIC, decodeAnchored, decodeRevoked } from "../verify";

/**
 * The anchoring history of an AnchorRegistry, rebuilt from its Anchored and Revoked logs alone (the
 * hub is not asked anything), paged by block ranges so that any RPC endpoint's log limits are met.
 */

export interface AnchoredRoot {
  root: string;
  anchorer: string;
  leafCount: number;
  blockNumber: number;
  /** Unix seconds of the anchoring block. */
  blockTime: number;
  txHash: string;
  /** How many Anchored events name this root (more than one: the earliest counts). */
  times: number;
}

export interface Revocation {
  digest: string;
  /** The revoking organisation's bytes32 id. */
  orgId: string;
  revoker: string;
  reason: string;
  blockNumber: number;
  blockTime: number;
}

export interface ChainHistory {
  chainId: number;
  fromBlock: number;
  toBlock: number;
  /** Unix seconds of block toBlock: "now" on chain. */
  toBlockTime: number;
  /** By root (lowercase hex), the earliest anchoring of each root, in chain order. */
  anchored: Map<string, AnchoredRoot>;
  /** By revocationKey(orgId, digest). */
  revocations: Map<string, Revocation>;
  logPages: number;
}

export interface ChainHistoryOptions {
  fromBlock?: number;
  toBlock?: number;
  /** Blocks per eth_getLogs request; a range the endpoint refuses is split in halves. */
  logPageBlocks?: number;
}

export const DEFAULT_LOG_PAGE_BLOCKS = 10_000;
const BLOCK_FETCH_CONCURRENCY = 8;

/** The key of a revocation: the revoking organisation's bytes32 id and the digest, lowercase. */
export const revocationKey = (orgIdBytes32: string, digest: string): string => `${orgIdBytes32.toLowerCase()}:${digest.toLowerCase()}`;

const errText = (err: unknown): string => {
  const e = err as { shortMessage?: unknown; message?: unknown };
  return typeof e?.shortMessage === "string" ? e.shortMessage : typeof e?.message === "string" ? e.message : String(err);
};

/** Logs of both events in [from, to], splitting the range when the endpoint refuses it. */
async function logsIn(provider: Provider, address: string, from: number, to: number, pages: { n: number }): Promise<Log[]> {
  try {
    pages.n++;
    return await provider.getLogs({ address, topics: [[ANCHORED_TOPIC, REVOKED_TOPIC]], fromBlock: from, toBlock: to });
  } catch (err) {
    if (to <= from) throw new Error(`eth_getLogs failed for block ${from}: ${errText(err)}`);
    // Endpoints cap results or ranges ("query returned more than 10000 results"): halve and retry.
    const mid = from + Math.floor((to - from) / 2);
    return [...(await logsIn(provider, address, from, mid, pages)), ...(await logsIn(provider, address, mid + 1, to, pages))];
  }
}

/** Timestamps of the given blocks, a few requests at a time. */
async function blockTimes(provider: Provider, numbers: number[]): Promise<Map<number, number>> {
  const times = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < numbers.length) {
      const n = numbers[next++];
      const block = await provider.getBlock(n);
      if (!block) throw new Error(`block ${n} is not available from the RPC endpoint`);
      times.set(n, block.timestamp);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BLOCK_FETCH_CONCURRENCY, numbers.length) }, worker));
  return times;
}

/** Reads every Anchored and Revoked event of `anchorRegistry` in the block range. */
export async function readChainHistory(provider: Provider, anchorRegistry: string, opts: ChainHistoryOptions = {}): Promise<ChainHistory> {
  const address = getAddress(anchorRegistry);
  const chainId = Number((await provider.getNetwork()).chainId);
  const fromBlock = opts.fromBlock ?? 0;
  const toBlock = opts.toBlock ?? (await provider.getBlockNumber());
  const page = opts.logPageBlocks ?? DEFAULT_LOG_PAGE_BLOCKS;
  if (!Number.isInteger(fromBlock) || fromBlock < 0) throw new Error(`fromBlock must be a block number, got ${fromBlock}`);
  if (!Number.isInteger(toBlock) || toBlock < fromBlock) throw new Error(`toBlock (${toBlock}) must be a block number from fromBlock (${fromBlock}) on`);
  if (!Number.isInteger(page) || page < 1) throw new Error(`logPageBlocks must be a positive integer, got ${page}`);
  if ((await provider.getCode(address, toBlock)) === "0x") throw new Error(`no contract at anchor registry ${address} on chain ${chainId}`);

  const pages = { n: 0 };
  const logs: Log[] = [];
  for (let from = fromBlock; from <= toBlock; from += page) logs.push(...(await logsIn(provider, address, from, Math.min(toBlock, from + page - 1), pages)));
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);

  const times = await blockTimes(provider, [...new Set([toBlock, ...logs.map((l) => l.blockNumber)])]);
  const anchored = new Map<string, AnchoredRoot>();
  const revocations = new Map<string, Revocation>();
  for (const log of logs) {
    const blockTime = times.get(log.blockNumber)!;
    if (log.topics[0] === ANCHORED_TOPIC) {
      const e = decodeAnchored(log);
      const seen = anchored.get(e.root);
      if (seen) seen.times++; // sorted by chain order, so the first one kept is the earliest
      else
        anchored.set(e.root, {
          root: e.root,
          anchorer: e.anchorer,
          leafCount: Number(e.leafCount),
          blockNumber: log.blockNumber,
          blockTime,
          txHash: log.transactionHash,
          times: 1,
        });
    } else {
      const e = decodeRevoked(log);
      // The contract refuses a second revocation of the same (org, digest), so keys are unique.
      revocations.set(revocationKey(e.orgId, e.digest), { ...e, blockNumber: log.blockNumber, blockTime });
    }
  }
  return { chainId, fromBlock, toBlock, toBlockTime: times.get(toBlock)!, anchored, revocations, logPages: pages.n };
}
