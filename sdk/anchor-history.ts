import { AbiCoder, Interface, ZeroHash, getAddress, keccak256, solidityPackedKeccak256, type Log, type Provider } from "ethers";
import { z } from "zod";
import { anchorRegistryAbi } from "./chain-abi";
import { DEFAULT_MAX_BLOCK_RANGE, checkBlockRange, getLogsPaged } from "./chain-logs";

/**
 * Completeness: the AnchorRegistry keeps, per anchorer, a running hash chain
 * head' = keccak256(head ‖ root ‖ leafCount) from the genesis keccak256(abi.encode(registry, anchorer)).
 * Replaying it from the events and comparing with headOf(anchorer) proves the events read are all
 * there, in order and unaltered: an RPC endpoint (or a reader) that drops, reorders or rewrites an
 * anchoring breaks the replay. An anchorer removed and re-admitted restarts from genesis, so the
 * head no longer vouches for its earlier anchorings: that reset is reported too.
 *
 * Used by the audit (sdk/audit/chain-history.ts reads these events in the same pages as the rest)
 * and, standalone, by checkAnchorChain (verifyRecord's completeness check).
 */

// Decoded here rather than through verify.ts, which imports this module (no import cycle).
// AdminTransferred(0, deployer) is emitted by the registry's constructor: seeing it means the range
// starts at the deployment, so every anchorer's admission must be in it.
const registryEvents = new Interface([...anchorRegistryAbi, "event AdminTransferred(address indexed previousAdmin, address indexed newAdmin)"]);
const topicOf = (name: string) => registryEvents.getEvent(name)!.topicHash;
const ANCHORED = topicOf("Anchored");
const ANCHORER_CHANGED = topicOf("AnchorerChanged");
const ADMIN_TRANSFERRED = topicOf("AdminTransferred");

/** Topic 0 of every event the replay needs (to be OR-ed into one eth_getLogs filter). */
export const ANCHOR_CHAIN_TOPICS: readonly string[] = [ANCHORED, ANCHORER_CHANGED, ADMIN_TRANSFERRED];

export const ANCHOR_CHAIN_CODES = ["anchor-chain-broken", "anchor-chain-head-mismatch", "anchorer-reset"] as const;
export const AnchorChainCodeSchema = z.enum(ANCHOR_CHAIN_CODES);
export type AnchorChainCode = z.infer<typeof AnchorChainCodeSchema>;

export const AnchorChainFindingSchema = z.object({
  code: AnchorChainCodeSchema,
  message: z.string(),
  anchorer: z.string(),
  root: z.string().optional(),
  blockNumber: z.number().int().optional(),
  txHash: z.string().optional(),
});
export type AnchorChainFinding = z.infer<typeof AnchorChainFindingSchema>;

export const AnchorerChainSchema = z.object({
  anchorer: z.string(),
  /** The head the replay reached at toBlock (zero: not an anchorer then). */
  replayedHead: z.string(),
  /** headOf(anchorer) at toBlock. */
  contractHead: z.string(),
  anchorings: z.number().int(),
  resets: z.number().int(),
  /** Replayed from its admission; false when the range starts after it (the earlier part is unchecked). */
  fromAdmission: z.boolean(),
});
export type AnchorerChain = z.infer<typeof AnchorerChainSchema>;

export const AnchorChainCheckSchema = z.object({
  /** No findings. */
  ok: z.boolean(),
  findings: z.array(AnchorChainFindingSchema),
  /** What could not be judged (e.g. a range starting after an anchorer's admission). */
  warnings: z.array(z.string()),
  anchorers: z.array(AnchorerChainSchema),
  fromBlock: z.number().int(),
  toBlock: z.number().int(),
  logCalls: z.number().int(),
});
export type AnchorChainCheck = z.infer<typeof AnchorChainCheckSchema>;

/** One Anchored event, in chain order (`pos` counts every anchoring of the registry from fromBlock). */
export interface AnchoringEvent {
  pos: number;
  root: string;
  anchorer: string;
  leafCount: number;
  head: string;
  blockNumber: number;
  logIndex: number;
  txHash: string;
}

export interface AnchorChainReplay {
  anchorings: AnchoringEvent[];
  findings: AnchorChainFinding[];
  warnings: string[];
  /** By checksummed address. */
  chains: Map<string, ReplayedChain>;
  /** The range starts at (or before) the registry's deployment. */
  fromDeployment: boolean;
}

export interface ReplayedChain {
  /** Zero: not an anchorer. */
  head: string;
  anchorings: number;
  resets: number;
  fromAdmission: boolean;
}

/** The head an anchorer's chain starts from (AnchorRegistry.setAnchorer). */
export function genesisHead(registry: string, anchorer: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "address"], [getAddress(registry), getAddress(anchorer)]));
}

/** The head after anchoring `root` with `leafCount` leaves (AnchorRegistry.anchor). */
export function nextHead(head: string, root: string, leafCount: number | bigint): string {
  return solidityPackedKeccak256(["bytes32", "bytes32", "uint256"], [head, root, leafCount]);
}

const short = (h: string) => `${h.slice(0, 10)}…`;

/**
 * Replays every anchorer's chain over the registry's Anchored, AnchorerChanged and AdminTransferred
 * logs (in chain order; other logs are ignored). After a break the replay carries on from the head
 * the event states, so one missing anchoring is one finding, not one per later anchoring.
 */
export function replayAnchorChains(registry: string, logs: readonly Log[], fromBlock: number): AnchorChainReplay {
  const fromDeployment = fromBlock === 0 || logs.some((l) => l.topics[0] === ADMIN_TRANSFERRED && BigInt(l.topics[1] ?? 1) === 0n);
  const chains = new Map<string, ReplayedChain>();
  const findings: AnchorChainFinding[] = [];
  const warnings: string[] = [];
  const anchorings: AnchoringEvent[] = [];
  const lateStart = (anchorer: string, block: number) =>
    warnings.push(
      `the chain of anchorer ${anchorer} is replayed from block ${block}: the range starts after its admission, so its earlier anchorings are not checked`,
    );

  for (const log of logs) {
    const where = { blockNumber: log.blockNumber, txHash: log.transactionHash };
    if (log.topics[0] === ANCHORER_CHANGED) {
      const e = registryEvents.decodeEventLog("AnchorerChanged", log.data, log.topics);
      const anchorer = getAddress(String(e.anchorer));
      const head = String(e.head).toLowerCase();
      const genesis = genesisHead(registry, anchorer);
      const st = chains.get(anchorer);
      if (!e.allowed) {
        if (st) st.head = ZeroHash;
        else chains.set(anchorer, { head: ZeroHash, anchorings: 0, resets: 0, fromAdmission: fromDeployment });
        continue;
      }
      if (!st) {
        const fromAdmission = head === genesis;
        if (!fromAdmission && fromDeployment)
          findings.push({
            code: "anchor-chain-broken",
            message: `anchorer ${anchorer} was re-allowed in block ${log.blockNumber} with head ${short(head)}, but no chain for it precedes that event: events are missing`,
            anchorer,
            ...where,
          });
        else if (!fromAdmission) lateStart(anchorer, log.blockNumber);
        chains.set(anchorer, { head, anchorings: 0, resets: 0, fromAdmission });
      } else if (head === st.head) {
        // Allowing an anchorer that already is one keeps its head: nothing happens to the chain.
      } else if (head === genesis) {
        st.resets++;
        findings.push({
          code: "anchorer-reset",
          message:
            st.head === ZeroHash
              ? `anchorer ${anchorer} was removed and re-admitted in block ${log.blockNumber}: its chain restarts from genesis, so its head no longer vouches for the ${st.anchorings} anchoring(s) before`
              : `anchorer ${anchorer}'s chain restarted from genesis in block ${log.blockNumber} with no removal in the events: its head no longer vouches for the ${st.anchorings} anchoring(s) before`,
          anchorer,
          ...where,
        });
        st.head = head;
      } else {
        findings.push({
          code: "anchor-chain-broken",
          message: `anchorer ${anchorer} was allowed in block ${log.blockNumber} with head ${short(head)}, the replay stood at ${short(st.head)}: events are missing or altered`,
          anchorer,
          ...where,
        });
        st.head = head;
      }
    } else if (log.topics[0] === ANCHORED) {
      const e = registryEvents.decodeEventLog("Anchored", log.data, log.topics);
      const a: AnchoringEvent = {
        pos: anchorings.length,
        root: String(e.root).toLowerCase(),
        anchorer: getAddress(String(e.anchorer)),
        leafCount: Number(e.leafCount),
        head: String(e.head).toLowerCase(),
        blockNumber: log.blockNumber,
        logIndex: log.index,
        txHash: log.transactionHash,
      };
      anchorings.push(a);
      const found = { anchorer: a.anchorer, root: a.root, ...where };
      const st = chains.get(a.anchorer);
      if (!st) {
        if (fromDeployment)
          findings.push({
            code: "anchor-chain-broken",
            message: `anchorer ${a.anchorer} anchored root ${a.root} in block ${a.blockNumber} with no admission in the events: events are missing`,
            ...found,
          });
        else lateStart(a.anchorer, a.blockNumber);
        chains.set(a.anchorer, { head: a.head, anchorings: 1, resets: 0, fromAdmission: false });
        continue;
      }
      st.anchorings++;
      if (st.head === ZeroHash)
        findings.push({
          code: "anchor-chain-broken",
          message: `anchorer ${a.anchorer} anchored root ${a.root} in block ${a.blockNumber} after its removal, with no re-admission in the events: events are missing`,
          ...found,
        });
      else if (nextHead(st.head, a.root, a.leafCount) !== a.head)
        findings.push({
          code: "anchor-chain-broken",
          message: `the anchoring of root ${a.root} by ${a.anchorer} in block ${a.blockNumber} does not follow from the previous head ${short(st.head)}: an anchoring before it is missing, reordered or altered`,
          ...found,
        });
      st.head = a.head;
    }
  }
  return { anchorings, findings, warnings, chains, fromDeployment };
}

/**
 * Compares each replayed chain (and `also`, anchorers to check even without events) with
 * headOf(anchorer) at `toBlock`; adds a finding per mismatch to the replay and returns the chains.
 */
export async function compareHeads(
  provider: Provider,
  registry: string,
  replay: AnchorChainReplay,
  toBlock: number,
  also: readonly string[] = [],
): Promise<AnchorerChain[]> {
  for (const a of also) {
    const anchorer = getAddress(a);
    if (!replay.chains.has(anchorer)) replay.chains.set(anchorer, { head: ZeroHash, anchorings: 0, resets: 0, fromAdmission: replay.fromDeployment });
  }
  const out: AnchorerChain[] = [];
  for (const [anchorer, st] of replay.chains) {
    const data = registryEvents.encodeFunctionData("headOf", [anchorer]);
    const [onChain] = registryEvents.decodeFunctionResult("headOf", await provider.call({ to: registry, data, blockTag: toBlock }));
    const contractHead = String(onChain).toLowerCase();
    out.push({ anchorer, replayedHead: st.head, contractHead, anchorings: st.anchorings, resets: st.resets, fromAdmission: st.fromAdmission });
    if (contractHead === st.head) continue;
    if (st.anchorings === 0 && st.head === ZeroHash && !replay.fromDeployment) {
      replay.warnings.push(
        `anchorer ${anchorer} has no events from the range's start, but a head on chain: its chain is not checked (start the range at the registry's deployment)`,
      );
      continue;
    }
    replay.findings.push({
      code: "anchor-chain-head-mismatch",
      message: `replaying anchorer ${anchorer}'s ${st.anchorings} anchoring(s) reaches ${short(st.head)}, the contract's head at block ${toBlock} is ${short(contractHead)}: events are missing from the logs read`,
      anchorer,
      blockNumber: toBlock,
    });
  }
  return out;
}

export interface AnchorChainOptions {
  /** Only this anchorer's chain (default: every anchorer in the events). */
  anchorer?: string;
  /** Where to start reading: the registry's deployment block (default 0). */
  fromBlock?: number;
  /** Where to stop (default: the latest block). */
  toBlock?: number;
  /** At most this many blocks per eth_getLogs request (default DEFAULT_MAX_BLOCK_RANGE). */
  maxBlockRange?: number;
  /** Epoch milliseconds: no log request is started after it (a verifier's own time bound). */
  deadline?: number;
}

/**
 * Replays the registry's anchorer hash chains from its events and compares them with the contract's
 * heads: `anchor-chain-broken`, `anchor-chain-head-mismatch` and `anchorer-reset` findings.
 * Throws only for bad options and chain errors.
 */
export async function checkAnchorChain(provider: Provider, anchorRegistry: string, opts: AnchorChainOptions = {}): Promise<AnchorChainCheck> {
  const registry = getAddress(anchorRegistry);
  const only = opts.anchorer !== undefined ? getAddress(opts.anchorer) : undefined;
  const fromBlock = opts.fromBlock ?? 0;
  const toBlock = opts.toBlock ?? (await provider.getBlockNumber());
  const maxBlockRange = opts.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE;
  checkBlockRange(fromBlock, toBlock, maxBlockRange);
  if ((await provider.getCode(registry, toBlock)) === "0x") throw new Error(`no contract at anchor registry ${registry}`);
  const { logs, calls } = await getLogsPaged(provider, {
    address: registry,
    topics: [[...ANCHOR_CHAIN_TOPICS]],
    fromBlock,
    toBlock,
    maxBlockRange,
    ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}),
  });
  const replay = replayAnchorChains(registry, logs, fromBlock);
  if (only) for (const a of [...replay.chains.keys()]) if (a !== only) replay.chains.delete(a);
  const anchorers = await compareHeads(provider, registry, replay, toBlock, only ? [only] : []);
  const findings = only ? replay.findings.filter((f) => f.anchorer === only) : replay.findings;
  const warnings = only ? replay.warnings.filter((w) => w.includes(only)) : replay.warnings;
  return { ok: findings.length === 0, findings, warnings, anchorers, fromBlock, toBlock, logCalls: calls };
}
