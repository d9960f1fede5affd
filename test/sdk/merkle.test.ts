import { expect } from "chai";
import { hexlify, keccak256, randomBytes } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { buildMerkleTree, hashPair, merkleLeaf, processProof, verifyMerkleProof } from "../../sdk/merkle";

const digests = (n: number) => Array.from({ length: n }, () => hexlify(randomBytes(32)));

describe("merkle trees", () => {
  it("leaf = keccak256(keccak256(digest)), pair = keccak256 of the sorted pair", () => {
    const d = hexlify(randomBytes(32));
    expect(merkleLeaf(d)).to.equal(keccak256(keccak256(d)));
    const [a, b] = digests(2);
    const [lo, hi] = a < b ? [a, b] : [b, a];
    expect(hashPair(a, b)).to.equal(keccak256(lo + hi.slice(2)));
    expect(hashPair(b, a)).to.equal(hashPair(a, b));
  });

  for (const n of [1, 2, 3, 7, 100, 257]) {
    it(`${n} leaves: every proof verifies, wrong leaves and siblings fail`, () => {
      const ds = digests(n);
      const tree = buildMerkleTree(ds);
      expect(tree.leaves).to.deep.equal(ds.map(merkleLeaf));
      if (n === 1) {
        expect(tree.root).to.equal(merkleLeaf(ds[0]));
        expect(tree.proof(0)).to.deep.equal([]);
      }
      expect(tree.proof(n - 1).length).to.be.at.most(Math.ceil(Math.log2(n)));
      for (let i = 0; i < n; i++) {
        const proof = tree.proof(i);
        expect(verifyMerkleProof(ds[i], proof, tree.root), `leaf ${i}`).to.equal(true);
        expect(processProof(merkleLeaf(ds[i]), proof)).to.equal(tree.root);
        expect(verifyMerkleProof(ds[(i + 1) % n === i ? 0 : (i + 1) % n], proof, tree.root)).to.equal(n === 1);
        if (proof.length > 0) {
          const bad = [...proof];
          const k = i % proof.length;
          bad[k] = bad[k].slice(0, -1) + (bad[k].endsWith("0") ? "1" : "0");
          expect(verifyMerkleProof(ds[i], bad, tree.root)).to.equal(false);
          expect(verifyMerkleProof(ds[i], proof.slice(1), tree.root)).to.equal(false);
        }
      }
      expect(verifyMerkleProof(hexlify(randomBytes(32)), tree.proof(0), tree.root)).to.equal(false);
    });
  }

  it("rejects empty input, bad digests and out-of-range proof indices", () => {
    expect(() => buildMerkleTree([])).to.throw(/no digests/);
    expect(() => buildMerkleTree(["0x1234"])).to.throw(/digest must be 32 bytes/);
    const tree = buildMerkleTree(digests(3));
    expect(() => tree.proof(3)).to.throw(RangeError);
    expect(() => tree.proof(-1)).to.throw(RangeError);
    expect(() => tree.proof(0.5)).to.throw(RangeError);
  });

  for (const n of [1, 2, 3, 7, 100]) {
    it(`agrees with @openzeppelin/merkle-tree StandardMerkleTree(["bytes32"]) for ${n} leaves`, () => {
      const ds = digests(n);
      const ours = buildMerkleTree(ds);
      const oz = StandardMerkleTree.of(
        ds.map((d) => [d]),
        ["bytes32"],
      );
      ds.forEach((d, i) => {
        expect(oz.leafHash([d])).to.equal(ours.leaves[i]);
        // Our proofs pass their verifier...
        expect(StandardMerkleTree.verify(ours.root, ["bytes32"], [d], ours.proof(i)), `ours ${i}`).to.equal(true);
        // ...and theirs pass ours.
        expect(verifyMerkleProof(d, oz.getProof([d]), oz.root), `theirs ${i}`).to.equal(true);
      });
      expect(StandardMerkleTree.verify(ours.root, ["bytes32"], [hexlify(randomBytes(32))], ours.proof(0))).to.equal(false);
    });
  }
});
