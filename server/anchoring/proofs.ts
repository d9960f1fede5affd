import type { AnchorProof } from "../../sdk/envelope";
import { buildMerkleTree } from "../../sdk/merkle";
import type { Db } from "../db/client";
import { conflict, notFound } from "../http/problem";

type Tree = ReturnType<typeof buildMerkleTree>;
const CACHED_TREES = 16;
/** The chain's head is read at most this often for proofs' confirmations (an export serves thousands). */
const HEAD_CACHE_MS = 1000;
/** A proof is served without confirmations when the chain's head cannot be read within this. */
const HEAD_TIMEOUT_MS = 2000;

/**
 * Inclusion proofs are computed from a batch's stored leaf order rather than stored per record:
 * one row per batch instead of ten thousand. Recent trees are cached.
 */
export class ProofService {
  private readonly trees = new Map<string, { tree: Tree; index: Map<string, number> }>();
  private head: { at: number; block: Promise<number | undefined> } | undefined;

  constructor(
    private readonly db: Db,
    private readonly chain: { chainId: number; anchorRegistry: string; headBlock?: () => Promise<number> },
  ) {}

  /** The chain's current block number (cached briefly), or undefined when the chain does not answer in time. */
  private headBlock(): Promise<number | undefined> {
    const read = this.chain.headBlock;
    if (!read) return Promise.resolve(undefined);
    if (!this.head || Date.now() - this.head.at > HEAD_CACHE_MS) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), HEAD_TIMEOUT_MS)));
      const block = Promise.race([read().catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
      this.head = { at: Date.now(), block };
    }
    return this.head.block;
  }

  private treeOf(batchId: string, leavesJson: string) {
    let entry = this.trees.get(batchId);
    if (!entry) {
      const leaves = JSON.parse(leavesJson) as string[];
      entry = { tree: buildMerkleTree(leaves), index: new Map(leaves.map((d, i) => [d, i])) };
      this.trees.set(batchId, entry);
      if (this.trees.size > CACHED_TREES) this.trees.delete(this.trees.keys().next().value!);
    }
    return entry;
  }

  /** The proof of an anchored digest; 409 while it waits for its batch. */
  async proofOf(digest: string): Promise<AnchorProof> {
    const item = await this.db.anchorItem.findUnique({ where: { digest } });
    if (!item) throw notFound();
    const batch = item.batchId ? await this.db.anchorBatch.findUnique({ where: { id: item.batchId } }) : null;
    if (!batch || batch.status !== "ANCHORED") throw conflict("anchor-pending", "This record version is not anchored yet; try again shortly.");
    const { tree, index } = this.treeOf(batch.id, batch.leaves);
    const leafIndex = index.get(digest);
    if (leafIndex === undefined) throw new Error(`digest ${digest} missing from batch ${batch.id}`);
    const head = batch.blockNumber !== null ? await this.headBlock() : undefined;
    return {
      root: batch.root,
      leafIndex,
      leafCount: batch.leafCount,
      siblings: tree.proof(leafIndex),
      chainId: this.chain.chainId,
      anchorRegistry: this.chain.anchorRegistry,
      ...(batch.txHash ? { txHash: batch.txHash } : {}),
      ...(batch.blockNumber !== null ? { blockNumber: batch.blockNumber } : {}),
      // Against the head when served; a head behind the block (a node lagging) still says at least one.
      ...(head !== undefined && batch.blockNumber !== null ? { confirmations: Math.max(1, head - batch.blockNumber + 1) } : {}),
    };
  }
}
