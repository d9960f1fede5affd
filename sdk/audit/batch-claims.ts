import type { BatchLine, HeaderLine } from "./export-format";
import type { ChainHistory } from "./chain-history";
import type { Finding } from "./findings";

/**
 * The hub's batches against the chain's sequence of anchorings (scope "all"): an anchoring by the
 * hub's anchorer that no batch reports is withheld; a batch naming a transaction that anchored
 * another root is replaced; batches listed in another order than the chain anchored them are
 * reordered (the hub anchors batches in creation order, the order of its export). Holds one small
 * entry per batch, not per record.
 */

interface Placed {
  batchId: string;
  root: string;
  line: number;
  /** The earliest anchoring's place in the chain's order of anchorings. */
  pos: number;
  blockNumber: number;
}

export class BatchClaims {
  private readonly reported = new Set<string>();
  /** Roots on chain that a replaced batch stands for: already a finding, not also withheld. */
  private readonly explained = new Set<string>();
  private readonly placed: Placed[] = [];

  constructor(
    private readonly history: ChainHistory,
    private readonly add: (f: Finding) => void,
  ) {}

  /** Takes a batch line; returns true when it is replaced (then it is not also reported as missing from the chain). */
  take(b: BatchLine, line: number): boolean {
    const anchoring = this.reported.has(b.root) ? undefined : this.history.anchored.get(b.root); // a repeated batch is placed once
    this.reported.add(b.root);
    if (anchoring) this.placed.push({ batchId: b.id, root: b.root, line, pos: anchoring.pos, blockNumber: anchoring.blockNumber });
    if (b.status !== "ANCHORED" || !b.txHash) return false;
    const inTx = this.history.anchoringsByTx.get(b.txHash.toLowerCase()) ?? [];
    if (inTx.length === 0 || inTx.some((a) => a.root === b.root)) return false;
    for (const a of inTx) this.explained.add(a.root);
    const held = inTx.map((a) => `root ${a.root} with ${a.leafCount} leaves`).join(" and ");
    this.add({
      code: "batch-replaced",
      message: `batch ${b.id} claims root ${b.root} with ${b.leafCount} leaves, anchored in tx ${b.txHash}; that transaction (block ${inTx[0].blockNumber}, anchorer ${inTx[0].anchorer}) anchored ${held}`,
      batchId: b.id,
      root: b.root,
      line,
      anchorer: inTx[0].anchorer,
      blockNumber: inTx[0].blockNumber,
    });
    return true;
  }

  /** After the last line: withheld and foreign roots, and the batches out of the chain's order. Returns the roots left to a later export. */
  finish(header: HeaderLine): number {
    let later = 0;
    const hubAnchorer = header.anchorer.toLowerCase();
    for (const a of this.history.anchored.values()) {
      if (this.reported.has(a.root) || this.explained.has(a.root)) continue;
      if (header.chainBlock !== undefined && a.blockNumber > header.chainBlock) {
        later++;
        continue;
      }
      const hubs = a.anchorer.toLowerCase() === hubAnchorer;
      this.add({
        code: hubs ? "batch-withheld" : "unreported-root",
        message: `root ${a.root} was anchored in block ${a.blockNumber} (tx ${a.txHash}) by ${a.anchorer}${hubs ? ", the hub's anchorer," : ""} with ${a.leafCount} leaves, and no batch of the export reports it`,
        root: a.root,
        anchorer: a.anchorer,
        blockNumber: a.blockNumber,
      });
    }
    this.reportReordered();
    return later;
  }

  /** The batches outside a longest run in chain order are the ones moved: each is one finding. */
  private reportReordered(): void {
    const inOrder = longestIncreasing(this.placed.map((p) => p.pos));
    if (inOrder.size === this.placed.length) return;
    const rank = new Map([...this.placed].sort((x, y) => x.pos - y.pos).map((p, i) => [p.batchId, i + 1]));
    this.placed.forEach((p, i) => {
      if (inOrder.has(i)) return;
      this.add({
        code: "batch-reordered",
        message: `batch ${p.batchId} is anchored batch ${i + 1} of ${this.placed.length} in the export, but the chain anchored it as number ${rank.get(p.batchId)} (block ${p.blockNumber})`,
        batchId: p.batchId,
        root: p.root,
        line: p.line,
        blockNumber: p.blockNumber,
      });
    });
  }
}

/** Indices of one longest strictly increasing subsequence of `xs` (patience sorting, O(n log n)). */
export function longestIncreasing(xs: readonly number[]): Set<number> {
  const tails: number[] = []; // tails[k]: index of the smallest tail of a run of length k + 1
  const prev = new Array<number>(xs.length).fill(-1);
  for (let i = 0; i < xs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[tails[mid]] < xs[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const out = new Set<number>();
  for (let i = tails.length > 0 ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) out.add(i);
  return out;
}
