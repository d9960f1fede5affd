import { compareBytes, hexInto, keccakBuffer, keccakBufferInto, toHex } from "./bytes";

/**
 * Merkle batches of record digests, compatible with OpenZeppelin's `MerkleProof` (sorted-pair
 * hashing) and `@openzeppelin/merkle-tree`'s StandardMerkleTree with leaf encoding ["bytes32"]
 * (leaf = keccak256(keccak256(digest)); the double hash keeps a leaf from passing for an inner node).
 *
 * Tree shape: leaves in the given order, paired level by level; an odd last node is carried up
 * unchanged. Any shape folds correctly with sorted pairs, so verifiers need no positions.
 * Nodes are kept as packed bytes per level; hex is made only for what leaves the module.
 */

/** Hashes the sorted pair (a[aOff..+32], b[bOff..+32]) into out[outOff..+32]. */
function hashPairInto(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, out: Uint8Array, outOff: number): void {
  const buf = keccakBuffer(64);
  // Smaller value first; copy loops, as views would be allocated per pair.
  const aFirst = compareBytes(a, aOff, b, bOff, 32) <= 0;
  const at = aFirst ? 0 : 32;
  const bt = aFirst ? 32 : 0;
  for (let i = 0; i < 32; i++) {
    buf[at + i] = a[aOff + i];
    buf[bt + i] = b[bOff + i];
  }
  keccakBufferInto(64, out, outOff);
}

/** Leaf of the digest in hex `digest` into out[outOff..+32]. */
function leafInto(digest: string, out: Uint8Array, outOff: number): void {
  const buf = keccakBuffer(32);
  hexInto(digest, 32, buf, 0, "digest");
  keccakBufferInto(32, buf, 0); // the inner hash lands where the outer one reads it
  keccakBufferInto(32, out, outOff);
}

/** The Merkle leaf of a record digest: keccak256(keccak256(digest)). */
export function merkleLeaf(digest: string): string {
  const out = new Uint8Array(32);
  leafInto(digest, out, 0);
  return toHex(out);
}

/** keccak256 of the two 32-byte values concatenated in ascending order. */
export function hashPair(a: string, b: string): string {
  const x = new Uint8Array(64);
  hexInto(a, 32, x, 0, "node");
  hexInto(b, 32, x, 32, "node");
  const out = new Uint8Array(32);
  hashPairInto(x, 0, x, 32, out, 0);
  return toHex(out);
}

export interface MerkleTree {
  /** The root, lowercase hex. */
  readonly root: string;
  /** The leaf hashes in the order of the digests given. */
  readonly leaves: string[];
  /** The sibling hashes from leaf `index` up to the root. */
  proof(index: number): string[];
}

/** Builds the tree of `digests` (in that order). Throws on an empty list or a malformed digest. */
export function buildMerkleTree(digests: string[]): MerkleTree {
  const n = digests.length;
  if (n === 0) throw new Error("cannot build a Merkle tree of no digests");
  const levels: Uint8Array[] = [new Uint8Array(32 * n)];
  const counts: number[] = [n];
  for (let i = 0; i < n; i++) leafInto(digests[i], levels[0], i * 32);
  while (counts[counts.length - 1] > 1) {
    const below = levels[levels.length - 1];
    const m = counts[counts.length - 1];
    const up = Math.ceil(m / 2);
    const level = new Uint8Array(32 * up);
    for (let j = 0; j + 1 < m; j += 2) hashPairInto(below, j * 32, below, (j + 1) * 32, level, (j >> 1) * 32);
    if (m % 2 === 1) level.set(below.subarray((m - 1) * 32, m * 32), (up - 1) * 32);
    levels.push(level);
    counts.push(up);
  }
  // Hex of each node is made at most once, when a proof first needs it.
  const hexCache: (string | undefined)[][] = counts.map((c) => new Array<string | undefined>(c));
  const hexAt = (lv: number, i: number): string => (hexCache[lv][i] ??= toHex(levels[lv], i * 32, 32));
  let leavesHex: string[] | undefined;
  const root = toHex(levels[levels.length - 1], 0, 32);

  return {
    root,
    get leaves(): string[] {
      return (leavesHex ??= Array.from({ length: n }, (_, i) => hexAt(0, i)));
    },
    proof(index: number): string[] {
      if (!Number.isInteger(index) || index < 0 || index >= n) throw new RangeError(`leaf index ${index} is outside 0..${n - 1}`);
      const siblings: string[] = [];
      let i = index;
      for (let lv = 0; lv < levels.length - 1; lv++) {
        const sib = i ^ 1;
        if (sib < counts[lv]) siblings.push(hexAt(lv, sib)); // else: carried up, no sibling at this level
        i >>= 1;
      }
      return siblings;
    },
  };
}

/** Folds a leaf with its siblings (sorted pairs) into the root they imply. */
export function processProof(leaf: string, siblings: string[]): string {
  const acc = new Uint8Array(32);
  const sib = new Uint8Array(32);
  hexInto(leaf, 32, acc, 0, "leaf");
  for (const s of siblings) {
    hexInto(s, 32, sib, 0, "sibling");
    hashPairInto(acc, 0, sib, 0, acc, 0);
  }
  return toHex(acc);
}

/** Whether `siblings` prove `digest` is in the tree with `root`. Throws on malformed hex. */
export function verifyMerkleProof(digest: string, siblings: string[], root: string): boolean {
  const acc = new Uint8Array(32);
  const sib = new Uint8Array(32);
  leafInto(digest, acc, 0);
  for (const s of siblings) {
    hexInto(s, 32, sib, 0, "sibling");
    hashPairInto(acc, 0, sib, 0, acc, 0);
  }
  const expected = new Uint8Array(32);
  hexInto(root, 32, expected, 0, "root");
  return compareBytes(acc, 0, expected, 0, 32) === 0;
}
