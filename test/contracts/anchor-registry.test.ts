import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract, Signer } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { buildMerkleTree, merkleLeaf } from "../../sdk/merkle";
import { blockTime, eventsOf, expectRevert, latestTime, mined, setNextTime } from "./helpers";

const ORG_A = ethers.encodeBytes32String("acme-shipping");
const ORG_B = ethers.encodeBytes32String("blue-air");
const SHIPPER = 1n;
const AIRLINE = 1n << 4n;

// Design budget: 3 gas per record at 10,000 records per batch => one anchor tx must cost <= 30,000 gas.
const ANCHOR_GAS_BUDGET = 30_000n;

function randomBytes32(): string {
  return ethers.hexlify(ethers.randomBytes(32));
}

/** Off-chain re-computation of the on-chain hash chain. */
function nextHead(head: string, root: string, leafCount: bigint): string {
  return ethers.solidityPackedKeccak256(["bytes32", "bytes32", "uint256"], [head, root, leafCount]);
}

function genesis(registryAddress: string, anchorer: string): string {
  return ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "address"], [registryAddress, anchorer]));
}

describe("AnchorRegistry", () => {
  let participants: Contract;
  let anchors: Contract;
  let admin: Signer;
  let hub: Signer;
  let hub2: Signer;
  let stranger: Signer;
  let keyA: Signer;
  let keyA2: Signer;
  let keyB: Signer;
  let hubAddr: string;

  beforeEach(async () => {
    [admin, hub, hub2, stranger, keyA, keyA2, keyB] = await ethers.getSigners();
    hubAddr = await hub.getAddress();
    participants = await ethers.deployContract("ParticipantRegistry", admin);
    anchors = await ethers.deployContract("AnchorRegistry", [await participants.getAddress()], admin);
  });

  function as(signer: Signer): Contract {
    return anchors.connect(signer) as Contract;
  }

  describe("admin", () => {
    it("makes the deployer admin and records the participant registry", async () => {
      expect(await anchors.admin()).to.equal(await admin.getAddress());
      expect(await anchors.participantRegistry()).to.equal(await participants.getAddress());
    });

    it("rejects a zero participant registry at deployment", async () => {
      const factory = await ethers.getContractFactory("AnchorRegistry", admin);
      await expectRevert(() => factory.deploy(ethers.ZeroAddress), anchors, "ZeroAddress");
    });

    it("transfers admin; the old admin loses its rights", async () => {
      const receipt = await mined(anchors.transferAdmin(hubAddr));
      const [ev] = eventsOf(receipt, anchors, "AdminTransferred");
      expect(ev.args.previousAdmin).to.equal(await admin.getAddress());
      expect(ev.args.newAdmin).to.equal(hubAddr);
      expect(await anchors.admin()).to.equal(hubAddr);
      await expectRevert(() => anchors.setAnchorer(hubAddr, true), anchors, "NotAdmin");
      await mined(as(hub).setAnchorer(hubAddr, true));
    });

    it("denies transferAdmin to a non-admin and to the zero address", async () => {
      await expectRevert(() => as(stranger).transferAdmin(hubAddr), anchors, "NotAdmin");
      await expectRevert(() => anchors.transferAdmin(ethers.ZeroAddress), anchors, "ZeroAddress");
    });
  });

  describe("setAnchorer", () => {
    it("sets a non-zero genesis head, keeps it on re-allow and deletes it on removal", async () => {
      expect(await anchors.headOf(hubAddr)).to.equal(ethers.ZeroHash);
      const g = genesis(await anchors.getAddress(), hubAddr);
      expect(g).to.not.equal(ethers.ZeroHash);

      const r1 = await mined(anchors.setAnchorer(hubAddr, true));
      const [e1] = eventsOf(r1, anchors, "AnchorerChanged");
      expect([e1.args.anchorer, e1.args.allowed, e1.args.head]).to.deep.equal([hubAddr, true, g]);
      expect(await anchors.headOf(hubAddr)).to.equal(g);

      // Re-allowing an active anchorer must not reset its chain.
      const root = randomBytes32();
      await mined(as(hub).anchor(root, 5));
      const advanced = nextHead(g, root, 5n);
      const r2 = await mined(anchors.setAnchorer(hubAddr, true));
      expect(eventsOf(r2, anchors, "AnchorerChanged")[0].args.head).to.equal(advanced);
      expect(await anchors.headOf(hubAddr)).to.equal(advanced);

      const r3 = await mined(anchors.setAnchorer(hubAddr, false));
      const [e3] = eventsOf(r3, anchors, "AnchorerChanged");
      expect([e3.args.anchorer, e3.args.allowed, e3.args.head]).to.deep.equal([hubAddr, false, ethers.ZeroHash]);
      expect(await anchors.headOf(hubAddr)).to.equal(ethers.ZeroHash);

      // Re-admission restarts from genesis.
      await mined(anchors.setAnchorer(hubAddr, true));
      expect(await anchors.headOf(hubAddr)).to.equal(g);
    });

    it("denies a non-admin and the zero address", async () => {
      await expectRevert(() => as(stranger).setAnchorer(hubAddr, true), anchors, "NotAdmin");
      await expectRevert(() => as(hub).setAnchorer(hubAddr, true), anchors, "NotAdmin");
      await expectRevert(() => anchors.setAnchorer(ethers.ZeroAddress, true), anchors, "ZeroAddress");
    });
  });

  describe("anchor", () => {
    beforeEach(async () => {
      await mined(anchors.setAnchorer(hubAddr, true));
    });

    it("chains heads exactly as recomputed off-chain, and events carry root, anchorer, count and head", async () => {
      let head = genesis(await anchors.getAddress(), hubAddr);
      for (const leafCount of [1n, 100n, 10_000n, 2n ** 200n]) {
        const root = randomBytes32();
        const ts = (await latestTime()) + 7;
        await setNextTime(ts);
        const receipt = await mined(as(hub).anchor(root, leafCount));
        head = nextHead(head, root, leafCount);

        const events = eventsOf(receipt, anchors, "Anchored");
        expect(events.length).to.equal(1);
        expect(events[0].args.root).to.equal(root);
        expect(events[0].args.anchorer).to.equal(hubAddr);
        expect(events[0].args.leafCount).to.equal(leafCount);
        expect(events[0].args.head).to.equal(head);
        expect(await anchors.headOf(hubAddr)).to.equal(head);
        // The anchoring time is that of the event's block.
        expect(await blockTime(receipt)).to.equal(ts);
      }
    });

    it("lets anyone find when a root was anchored from the indexed event", async () => {
      const root = randomBytes32();
      await mined(as(hub).anchor(randomBytes32(), 3));
      const receipt = await mined(as(hub).anchor(root, 42));
      const logs = await anchors.queryFilter(anchors.filters.Anchored(root), 0, "latest");
      expect(logs.length).to.equal(1);
      expect(logs[0].blockNumber).to.equal(receipt.blockNumber);
    });

    it("keeps separate chains per anchorer", async () => {
      const hub2Addr = await hub2.getAddress();
      await mined(anchors.setAnchorer(hub2Addr, true));
      const addr = await anchors.getAddress();
      const root = randomBytes32();
      await mined(as(hub).anchor(root, 10));
      expect(await anchors.headOf(hubAddr)).to.equal(nextHead(genesis(addr, hubAddr), root, 10n));
      expect(await anchors.headOf(hub2Addr)).to.equal(genesis(addr, hub2Addr));
      await mined(as(hub2).anchor(root, 10));
      expect(await anchors.headOf(hub2Addr)).to.equal(nextHead(genesis(addr, hub2Addr), root, 10n));
    });

    it("denies a non-anchorer and a removed anchorer", async () => {
      const strangerAddr = await stranger.getAddress();
      await expectRevert(() => as(stranger).anchor(randomBytes32(), 1), anchors, "NotAnchorer", [strangerAddr]);
      // The admin is not implicitly an anchorer.
      await expectRevert(() => anchors.anchor(randomBytes32(), 1), anchors, "NotAnchorer", [await admin.getAddress()]);
      await mined(anchors.setAnchorer(hubAddr, false));
      await expectRevert(() => as(hub).anchor(randomBytes32(), 1), anchors, "NotAnchorer", [hubAddr]);
    });

    it("denies an empty root and an empty batch", async () => {
      await expectRevert(() => as(hub).anchor(ethers.ZeroHash, 1), anchors, "EmptyRoot");
      await expectRevert(() => as(hub).anchor(randomBytes32(), 0), anchors, "EmptyBatch");
      // A failed anchor leaves the head untouched.
      expect(await anchors.headOf(hubAddr)).to.equal(genesis(await anchors.getAddress(), hubAddr));
    });

    it("stays within the 30,000 gas per transaction budget (3 gas/record at 10,000 records)", async () => {
      // This is the design's correctness budget, not a timing check: the first anchor of a chain and
      // later ones must both fit, including the 21,000 base and calldata of a realistic random root.
      for (let i = 0; i < 5; i++) {
        const receipt = await mined(as(hub).anchor(randomBytes32(), 10_000));
        expect(receipt.gasUsed <= ANCHOR_GAS_BUDGET, `anchor used ${receipt.gasUsed} gas`).to.equal(true);
      }
    });
  });

  describe("revoke", () => {
    let tA: number;

    beforeEach(async () => {
      tA = (await latestTime()) + 10;
      await setNextTime(tA);
      await mined(participants.admit(ORG_A, SHIPPER, await keyA.getAddress()));
      await mined(participants.admit(ORG_B, AIRLINE, await keyB.getAddress()));
    });

    it("records the revocation under the revoker's organisation", async () => {
      const digest = randomBytes32();
      expect(await anchors.revokedAt(ORG_A, digest)).to.equal(0n);
      const ts = (await latestTime()) + 5;
      await setNextTime(ts);
      const receipt = await mined(as(keyA).revoke(digest, "wrong weight"));
      const [ev] = eventsOf(receipt, anchors, "Revoked");
      expect(ev.args.digest).to.equal(digest);
      expect(ev.args.orgId).to.equal(ORG_A);
      expect(ev.args.revoker).to.equal(await keyA.getAddress());
      expect(ev.args.reason).to.equal("wrong weight");
      expect(await anchors.revokedAt(ORG_A, digest)).to.equal(BigInt(ts));
    });

    it("files another organisation's revocation of A's digest under that organisation, not A", async () => {
      const digest = randomBytes32();
      await mined(as(keyB).revoke(digest, "not yours"));
      expect(await anchors.revokedAt(ORG_A, digest)).to.equal(0n);
      expect(await anchors.revokedAt(ORG_B, digest)).to.not.equal(0n);
      // A can still revoke its own digest.
      await mined(as(keyA).revoke(digest, "superseded"));
      expect(await anchors.revokedAt(ORG_A, digest)).to.not.equal(0n);
    });

    it("denies a double revocation by the same organisation, also via a rotated key", async () => {
      const digest = randomBytes32();
      await mined(as(keyA).revoke(digest, "first"));
      await expectRevert(() => as(keyA).revoke(digest, "again"), anchors, "AlreadyRevoked", [ORG_A, digest]);
      await mined(participants.rotateKey(ORG_A, await keyA2.getAddress()));
      await expectRevert(() => as(keyA2).revoke(digest, "again"), anchors, "AlreadyRevoked", [ORG_A, digest]);
    });

    it("denies a non-member (including the anchor admin)", async () => {
      const strangerAddr = await stranger.getAddress();
      await expectRevert(() => as(stranger).revoke(randomBytes32(), "x"), anchors, "NotActiveMember", [strangerAddr]);
      const adminAddr = await admin.getAddress();
      await expectRevert(() => anchors.revoke(randomBytes32(), "x"), anchors, "NotActiveMember", [adminAddr]);
    });

    it("denies a suspended member, and allows it again after reinstatement", async () => {
      const keyAAddr = await keyA.getAddress();
      await mined(participants.suspend(ORG_A));
      await expectRevert(() => as(keyA).revoke(randomBytes32(), "x"), anchors, "NotActiveMember", [keyAAddr]);
      await mined(participants.reinstate(ORG_A));
      await mined(as(keyA).revoke(randomBytes32(), "x"));
    });

    it("denies a rotated-out key; the new key may revoke", async () => {
      const keyAAddr = await keyA.getAddress();
      await mined(participants.rotateKey(ORG_A, await keyA2.getAddress()));
      await expectRevert(() => as(keyA).revoke(randomBytes32(), "x"), anchors, "NotActiveMember", [keyAAddr]);
      const digest = randomBytes32();
      await mined(as(keyA2).revoke(digest, "x"));
      expect(await anchors.revokedAt(ORG_A, digest)).to.not.equal(0n);
    });
  });

  describe("Merkle proof compatibility with OpenZeppelin", () => {
    let checker: Contract;
    let digests: string[];

    beforeEach(async () => {
      checker = await ethers.deployContract("MerkleProofCheck", admin);
      digests = Array.from({ length: 37 }, randomBytes32);
    });

    it("verifies every StandardMerkleTree proof on chain with MerkleProof.verifyCalldata", async () => {
      const tree = StandardMerkleTree.of(
        digests.map((d) => [d]),
        ["bytes32"],
      );
      for (const [i, [digest]] of tree.entries()) {
        const leaf = tree.leafHash([digest]);
        // The hub's leaf rule: keccak256(keccak256(digest)) — the same as OZ's double-hashed abi.encode(bytes32).
        expect(leaf).to.equal(ethers.keccak256(ethers.keccak256(digest)));
        const proof = tree.getProof(i);
        expect(await checker.verify(proof, tree.root, leaf), `digest ${i}`).to.equal(true);
      }
      // Negative controls: a foreign leaf and a wrong root fail.
      const proof0 = tree.getProof(0);
      const foreign = ethers.keccak256(ethers.keccak256(randomBytes32()));
      expect(await checker.verify(proof0, tree.root, foreign)).to.equal(false);
      expect(await checker.verify(proof0, randomBytes32(), tree.leafHash([digests[0]]))).to.equal(false);
    });

    it("verifies sdk/merkle.ts proofs on chain with MerkleProof.verifyCalldata", async () => {
      for (const n of [1, 2, 3, digests.length]) {
        const subset = digests.slice(0, n);
        const tree = buildMerkleTree(subset);
        for (let i = 0; i < subset.length; i++) {
          const leaf = merkleLeaf(subset[i]);
          expect(leaf).to.equal(ethers.keccak256(ethers.keccak256(subset[i])));
          expect(tree.leaves[i]).to.equal(leaf);
          expect(await checker.verify(tree.proof(i), tree.root, leaf), `n=${n} i=${i}`).to.equal(true);
        }
      }
      // Negative control: a proof does not carry over to another leaf.
      const tree = buildMerkleTree(digests);
      expect(await checker.verify(tree.proof(0), tree.root, merkleLeaf(digests[1]))).to.equal(false);
    });
  });
});
