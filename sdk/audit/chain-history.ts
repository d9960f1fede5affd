import { getAddress, type Provider } from "ethers";
import { ANCHOR_CHAIN_TOPICS, compareHeads, replayAnchorChains, type AnchorChainReplay, type AnchorerChain, type AnchoringEvent } from "../anchor-history";
import { DEFAULT_MAX_BLOCK_RANGE, checkBlockRange, getLogsPaged } from "../chain-logs";
import { ANCHORED_TOPIC, REVOKED_TOPIC, decodeAnchored, decodeRevoked } from "../verify";

/**
 * The anchoring history of an AnchorRegistry, rebuilt from its events alone (the hub is not asked
 * anything), paged by bounded block ranges so that any RPC endpoint's log limits are met, with
 * every anchorer's hash chain replayed against the contract's heads.
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
  /** The earliest anchoring's place among all the registry's Anchored events in the range (0 first). */
  pos: number;
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
  /** By transaction hash (lowercase), the anchorings it holds (the hub's batch lines name their tx). */
  anchoringsByTx: Map<string, AnchoringEvent[]>;
  /** By revocationKey(orgId, digest). */
  revocations: Map<string, Revocation>;
  /** Every anchorer's hash chain replayed and compared with its head on chain (sdk/anchor-history.ts). */
  anchorChain: AnchorChainReplay;
  anchorers: AnchorerChain[];
  logPages: number;
}

export interface ChainHistoryOptions {
  fromBlock?: number;
  toBlock?: number;
  /** At most this many blocks per eth_getLogs request (default DEFAULT_MAX_BLOCK_RANGE); a range the endpoint refuses is split in halves. */
  logPageBlocks?: number;
}

const BLOCK_FETCH_CONCURRENCY = 8;

/** The key of a revocation: the revoking organisation's bytes32 id and the digest, lowercase. */
export const revocationKey = (orgIdBytes32: string, digest: string): string => `${orgIdBytes32.toLowerCase()}:${digest.toLowerCase()}`;

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

/** Reads every Anchored, Revoked and anchorer event of `anchorRegistry` in the block range, and replays the anchorers' chains. */
export async function readChainHistory(provider: Provider, anchorRegistry: string, opts: ChainHistoryOptions = {}): Promise<ChainHistory> {
  const address = getAddress(anchorRegistry);
  const chainId = Number((await provider.getNetwork()).chainId);
  const fromBlock = opts.fromBlock ?? 0;
  const toBlock = opts.toBlock ?? (await provider.getBlockNumber());
  const page = opts.logPageBlocks ?? DEFAULT_MAX_BLOCK_RANGE;
  checkBlockRange(fromBlock, toBlock, page);
  if ((await provider.getCode(address, toBlock)) === "0x") throw new Error(`no contract at anchor registry ${address} on chain ${chainId}`);

  // One pass over the logs for everything: anchorings, revocations and the anchorers' chains.
  const { logs, calls } = await getLogsPaged(provider, { address, topics: [[REVOKED_TOPIC, ...ANCHOR_CHAIN_TOPICS]], fromBlock, toBlock, maxBlockRange: page });
  const anchorChain = replayAnchorChains(address, logs, fromBlock);
  const anchorers = await compareHeads(provider, address, anchorChain, toBlock);
  const anchoringsByTx = new Map<string, AnchoringEvent[]>();
  for (const a of anchorChain.anchorings) {
    const tx = a.txHash.toLowerCase();
    anchoringsByTx.set(tx, [...(anchoringsByTx.get(tx) ?? []), a]);
  }

  const times = await blockTimes(provider, [
    ...new Set([toBlock, ...logs.filter((l) => l.topics[0] === ANCHORED_TOPIC || l.topics[0] === REVOKED_TOPIC).map((l) => l.blockNumber)]),
  ]);
  const anchored = new Map<string, AnchoredRoot>();
  const revocations = new Map<string, Revocation>();
  let pos = 0;
  for (const log of logs) {
    const blockTime = times.get(log.blockNumber)!;
    if (log.topics[0] === ANCHORED_TOPIC) {
      const e = decodeAnchored(log);
      const seen = anchored.get(e.root);
      pos++;
      if (seen)
        seen.times++; // sorted by chain order, so the first one kept is the earliest
      else
        anchored.set(e.root, {
          root: e.root,
          anchorer: e.anchorer,
          leafCount: Number(e.leafCount),
          blockNumber: log.blockNumber,
          blockTime,
          txHash: log.transactionHash,
          times: 1,
          pos: pos - 1,
        });
    } else if (log.topics[0] === REVOKED_TOPIC) {
      const e = decodeRevoked(log);
      // The contract refuses a second revocation of the same (org, digest), so keys are unique.
      revocations.set(revocationKey(e.orgId, e.digest), { ...e, blockNumber: log.blockNumber, blockTime });
    }
  }
  return { chainId, fromBlock, toBlock, toBlockTime: times.get(toBlock)!, anchored, anchoringsByTx, revocations, anchorChain, anchorers, logPages: calls };
}
