import type { AnchorProof } from "../../sdk/envelope";
import { buildMerkleTree } from "../../sdk/merkle";
import type { Db } from "../db/client";
import { conflict, notFound } from "../http/problem";

type Tree = ReturnType<typeof buildMerkleTree>;
const CACHED_TREES = 16;

/**
 * Inclusion proofs are computed from a batch's stored leaf order rather than stored per record:
 * one row per batch instead of ten thousand. Recent trees are cached.
 */
export class ProofService {
  private readonly trees = new Map<string, { tree: Tree; index: Map<string, number> }>();

  constructor(
    private readonly db: Db,
    private readonly chain: { chainId: number; anchorRegistry: string },
  ) {}

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
    return {
      root: batch.root,
      leafIndex,
      leafCount: batch.leafCount,
      siblings: tree.proof(leafIndex),
      chainId: this.chain.chainId,
      anchorRegistry: this.chain.anchorRegistry,
      ...(batch.txHash ? { txHash: batch.txHash } : {}),
      ...(batch.blockNumber !== null ? { blockNumber: batch.blockNumber } : {}),
    };
  }
}
