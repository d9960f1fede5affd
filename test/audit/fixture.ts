// A miniature hub for the audit tests: real contracts on the in-process hardhat network, records
// signed by organisations admitted on chain, batches anchored by the hub's anchorer (with the access
// log's heads as leaves), and the export lines such a hub would serve. Tampering = editing the state.
// logAccess writes the legacy (single, hub-wide) chain, logChained the per-owner chains hubs write now.
import { ethers, network } from "hardhat";
import { Wallet, type BaseContract, type ContractTransactionResponse, type Filter, type HDNodeWallet, type Provider } from "ethers";
import {
  ACCESS_LOG_GENESIS,
  accessChainHeadLeaf,
  accessLogChainOf,
  accessLogHeadLeaf,
  chainAccessEntries,
  chainAccessLines,
  type AccessLogDraft,
  type AccessLogEntry,
} from "../../sdk/access-log";
import type { ExportLine, ExportScope } from "../../sdk/audit/export-format";
import { orgIdToBytes32 } from "../../sdk/chain-abi";
import { prepareRecord } from "../../sdk/digest";
import type { AnchorProof, SignedRecord } from "../../sdk/envelope";
import { buildMerkleTree } from "../../sdk/merkle";
import { signRecord } from "../../sdk/signature";
import { shipment } from "../fixtures";

export type Registry = BaseContract & Record<string, (...args: unknown[]) => Promise<ContractTransactionResponse>>;

export const ACME = "acme-shipping";
export const FAST = "fast-forward";

export interface StoredRec {
  record: SignedRecord;
  publishedAt: string;
  batchId: string | null;
}

export interface Batch {
  id: string;
  root: string;
  leafCount: number;
  leaves: string[];
  status: "BUILT" | "SIGNED" | "ANCHORED";
  txHash?: string;
  blockNumber?: number;
  accessLogHead?: { seq: number; hash: string };
  accessLogChains?: { chain: string; seq: number; hash: string }[];
  records: StoredRec[];
}

export interface HubState {
  batches: Batch[];
  pending: StoredRec[];
  access: AccessLogEntry[];
}

export interface Chain {
  provider: Provider;
  chainId: number;
  participants: Registry;
  anchors: Registry;
  /** The anchor registry as the hub's anchorer. */
  hubAnchors: Registry;
  anchorer: string;
  contracts: { participantRegistry: string; anchorRegistry: string };
  keys: Record<string, HDNodeWallet>;
  deployedAtBlock: number;
}

export async function deployChain(): Promise<Chain> {
  const [operator, anchorer] = await ethers.getSigners();
  const provider = ethers.provider;
  const participants = (await (await ethers.getContractFactory("ParticipantRegistry", operator)).deploy()) as unknown as Registry;
  const deployedAtBlock = (await participants.deploymentTransaction()!.wait())!.blockNumber;
  const anchors = (await (await ethers.getContractFactory("AnchorRegistry", operator)).deploy(await participants.getAddress())) as unknown as Registry;
  await (await anchors.setAnchorer(anchorer.address, true)).wait();
  const keys: Record<string, HDNodeWallet> = {};
  for (const org of [ACME, FAST]) {
    keys[org] = Wallet.createRandom().connect(provider);
    await (await participants.admit(orgIdToBytes32(org), 1n, keys[org].address)).wait();
    // Publishers send their own revocations, so they need gas money.
    await (await operator.sendTransaction({ to: keys[org].address, value: ethers.parseEther("1") })).wait();
  }
  return {
    provider,
    chainId: Number((await provider.getNetwork()).chainId),
    participants,
    anchors,
    hubAnchors: anchors.connect(anchorer) as Registry,
    anchorer: anchorer.address,
    contracts: { participantRegistry: await participants.getAddress(), anchorRegistry: await anchors.getAddress() },
    keys,
    deployedAtBlock,
  };
}

let serial = 0;

/** A shipment signed by `key` as `owner`, published `agoS` seconds ago. */
export function publish(owner: string, key: { privateKey: string }, agoS = 60): StoredRec {
  serial++;
  const unsigned = prepareRecord({ type: "Shipment", id: `shp-${serial}`, version: 1, owner }, shipment({ pieceCount: serial }));
  return { record: signRecord(key.privateKey, unsigned), publishedAt: new Date(Date.now() - agoS * 1000).toISOString(), batchId: null };
}

const draftOf = (d: Partial<AccessLogDraft>): AccessLogDraft => ({
  at: new Date().toISOString(),
  actor: FAST,
  action: "READ" as const,
  recordId: "shp-1",
  version: 1,
  owner: ACME,
  detail: null,
  ...d,
});

/** Appends to the legacy chain (as hubs before per-owner chains wrote it). */
export function logAccess(state: HubState, drafts: Partial<AccessLogDraft>[]): void {
  const last = state.access.filter((e) => e.chain === undefined).at(-1);
  state.access.push(...chainAccessEntries(last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: ACCESS_LOG_GENESIS }, drafts.map(draftOf)));
}

/** Appends each draft to its owner's chain; `seq` is the row number the database would give. */
export function logChained(state: HubState, drafts: Partial<AccessLogDraft>[]): void {
  for (const d of drafts.map(draftOf)) {
    const chain = accessLogChainOf(d.owner);
    const last = chainHead(state, chain);
    const [entry] = chainAccessLines(chain, last, [d]);
    state.access.push({ seq: (state.access.at(-1)?.seq ?? 0) + 1, ...entry! });
  }
}

function chainHead(state: HubState, chain: string): { seq: number; hash: string } {
  const last = state.access.filter((e) => e.chain === chain).at(-1);
  return last ? { seq: last.chainSeq!, hash: last.hash } : { seq: 0, hash: ACCESS_LOG_GENESIS };
}

/** The chains whose head moved since the last batch that anchored them. */
function movedChains(state: HubState): { chain: string; seq: number; hash: string }[] {
  const anchored = new Map<string, number>();
  for (const b of state.batches) for (const h of b.accessLogChains ?? []) anchored.set(h.chain, Math.max(anchored.get(h.chain) ?? 0, h.seq));
  const chains = [...new Set(state.access.flatMap((e) => (e.chain === undefined ? [] : [e.chain])))].sort();
  return chains.map((chain) => ({ chain, ...chainHead(state, chain) })).filter((h) => h.seq > (anchored.get(h.chain) ?? 0));
}

/** Seals the records (and the access log's current head) into a batch; anchors it unless told not to. */
export async function seal(chain: Chain, state: HubState, records: StoredRec[], opts: { anchor?: boolean; withHead?: boolean } = {}): Promise<Batch> {
  const id = `batch-${state.batches.length + 1}`;
  const last = state.access.filter((e) => e.chain === undefined).at(-1);
  const head = opts.withHead !== false && last ? { seq: last.seq, hash: last.hash } : undefined;
  const chains = opts.withHead !== false ? movedChains(state) : [];
  const leaves = [
    ...records.map((r) => r.record.digest),
    ...(head ? [accessLogHeadLeaf(head.seq, head.hash)] : []),
    ...chains.map((h) => accessChainHeadLeaf(h.chain, h.seq, h.hash)),
  ];
  const tree = buildMerkleTree(leaves);
  for (const r of records) r.batchId = id;
  const batch: Batch = {
    id,
    root: tree.root,
    leafCount: leaves.length,
    leaves,
    status: "BUILT",
    accessLogHead: head,
    ...(chains.length > 0 ? { accessLogChains: chains } : {}),
    records,
  };
  if (opts.anchor !== false) {
    const receipt = await (await chain.hubAnchors.anchor(tree.root, leaves.length)).wait();
    Object.assign(batch, { status: "ANCHORED", txHash: receipt!.hash, blockNumber: receipt!.blockNumber });
  }
  state.batches.push(batch);
  return batch;
}

/** The proof of a record in its batch, as the hub serves it (scope "own"). */
export function proofOf(chain: Chain, batch: Batch, digest: string): AnchorProof {
  const tree = buildMerkleTree(batch.leaves);
  const leafIndex = batch.leaves.indexOf(digest);
  return {
    root: batch.root,
    leafIndex,
    leafCount: batch.leafCount,
    siblings: tree.proof(leafIndex),
    chainId: chain.chainId,
    anchorRegistry: chain.contracts.anchorRegistry,
    ...(batch.txHash ? { txHash: batch.txHash } : {}),
    ...(batch.blockNumber !== undefined ? { blockNumber: batch.blockNumber } : {}),
  };
}

/** The export the hub would serve for the state. */
/** `hubWideOwnAccess`: an own export as hubs before own access-log sequences served it (hub-wide entries). */
export function exportOf(chain: Chain, state: HubState, scope: ExportScope = "all", orgId = "auditor-one", hubWideOwnAccess = false): ExportLine[] {
  const own = scope === "own";
  const records = [...state.batches.flatMap((b) => b.records), ...state.pending].filter((r) => !own || r.record.owner === orgId);
  // As the hub lists the log: the legacy chain by seq, then each chain by (chain, chainSeq).
  const chained = (e: AccessLogEntry) => e.chain !== undefined;
  const access = [
    ...state.access.filter((e) => !chained(e)),
    ...state.access.filter(chained).sort((a, b) => (a.chain! < b.chain! ? -1 : a.chain! > b.chain! ? 1 : a.chainSeq! - b.chainSeq!)),
  ].filter((e) => !own || e.owner === orgId);
  const lines: ExportLine[] = [
    {
      kind: "header",
      format: "cargoproof-export/1",
      scope,
      orgId,
      chainId: chain.chainId,
      participantRegistry: chain.contracts.participantRegistry,
      anchorRegistry: chain.contracts.anchorRegistry,
      anchorer: chain.anchorer,
      exportedAt: new Date().toISOString(),
      expected: { batches: own ? 0 : state.batches.length, records: records.length, access: access.length },
    },
  ];
  const recordLine = (r: StoredRec, cursor: string, batch?: Batch): ExportLine => ({
    kind: "record",
    cursor,
    record: r.record,
    publishedAt: r.publishedAt,
    batchId: r.batchId,
    ...(own && batch?.status === "ANCHORED" ? { proof: proofOf(chain, batch, r.record.digest) } : {}),
  });
  let n = 0;
  for (const b of state.batches) {
    const { records: recs, ...line } = b;
    if (!own)
      lines.push({ kind: "batch", cursor: `b:${b.id}`, ...line, ...(b.accessLogHead ? { accessLogHead: b.accessLogHead } : { accessLogHead: undefined }) });
    for (const r of recs) if (!own || r.record.owner === orgId) lines.push(recordLine(r, `r:${++n}`, b));
  }
  for (const r of state.pending) if (!own || r.record.owner === orgId) lines.push(recordLine(r, `r:${++n}`));
  // An organisation's own lines: numbered by its own sequence, without the hash chain's fields.
  access.forEach((e, i) => {
    const { prevHash: _p, hash: _h, chain: _c, chainSeq: _s, ...view } = e;
    const entry = own && !hubWideOwnAccess ? { ...view, seq: i + 1 } : e;
    lines.push({ kind: "access", cursor: `a:${entry.seq}`, entry });
  });
  const count = (k: ExportLine["kind"]) => lines.filter((l) => l.kind === k).length;
  lines.push({ kind: "end", counts: { batches: count("batch"), records: count("record"), access: count("access") } });
  // As over the wire: JSON drops the undefined keys.
  return lines.map((l) => JSON.parse(JSON.stringify(l)) as ExportLine);
}

/**
 * The provider as a lying RPC endpoint would serve it: eth_getLogs answers without the logs of the
 * given transactions; everything else is the real chain.
 */
export function withholdingLogs(provider: Provider, ...txHashes: string[]): Provider {
  const hidden = new Set(txHashes.map((h) => h.toLowerCase()));
  return new Proxy(provider, {
    get(target, key) {
      if (key === "getLogs") return async (filter: Filter) => (await target.getLogs(filter)).filter((l) => !hidden.has(l.transactionHash.toLowerCase()));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A deep copy of the state, to tamper with. */
export function copyState(state: HubState): HubState {
  return structuredClone(state);
}

export async function snapshot(): Promise<string> {
  return (await network.provider.send("evm_snapshot", [])) as string;
}

export async function revert(id: string): Promise<void> {
  await network.provider.send("evm_revert", [id]);
}
