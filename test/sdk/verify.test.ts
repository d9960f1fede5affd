// verifyRecord against the real contracts on the in-process hardhat network.
// Run alone with: npx hardhat test test/sdk/verify.test.ts
import { expect } from "chai";
import { rpcServer } from "../rpc-bridge";
import { ethers } from "hardhat";
import { Wallet, type BaseContract, type HDNodeWallet, type ContractTransactionResponse, type Provider } from "ethers";
import { orgIdToBytes32 } from "../../sdk/chain-abi";
import { prepareRecord } from "../../sdk/digest";
import type { AnchorProof, SignedRecord } from "../../sdk/envelope";
import { buildMerkleTree } from "../../sdk/merkle";
import { redact } from "../../sdk/redact";
import { signRecord } from "../../sdk/signature";
import { VerdictSchema, verifyRecord, type Verdict } from "../../sdk/verify";
import { shipment } from "../fixtures";

const OWNER = "acme-shipping";
const ORG = orgIdToBytes32(OWNER);
const SHIPPER_ROLE = 1n;

type Registry = BaseContract & Record<string, (...args: unknown[]) => Promise<ContractTransactionResponse>>;

let provider: Provider;
let participants: Registry;
let anchors: Registry;
let contracts: { participantRegistry: string; anchorRegistry: string };
let chainId: number;
let orgKey: HDNodeWallet;
let serial = 0;

function newRecord(key: { privateKey: string }, overrides: Record<string, unknown> = {}): SignedRecord {
  serial++;
  const unsigned = prepareRecord({ type: "Shipment", id: `shp-${serial}`, version: 1, owner: OWNER }, { ...shipment(), ...overrides });
  return signRecord(key.privateKey, unsigned);
}

/** Anchors the records as one batch, as the hub does, and returns each record's proof. */
async function anchorBatch(records: SignedRecord[]): Promise<AnchorProof[]> {
  const tree = buildMerkleTree(records.map((r) => r.digest));
  const tx = await anchors.anchor(tree.root, records.length);
  const receipt = await tx.wait();
  if (!receipt) throw new Error("no receipt");
  return records.map((_, i) => ({
    root: tree.root,
    leafIndex: i,
    leafCount: records.length,
    siblings: tree.proof(i),
    chainId,
    anchorRegistry: contracts.anchorRegistry,
    txHash: receipt.hash,
    blockNumber: receipt.blockNumber,
  }));
}

async function verify(record: SignedRecord, proof: AnchorProof): Promise<Verdict> {
  const verdict = await verifyRecord({ record, proof, chain: { provider }, contracts });
  expect(VerdictSchema.safeParse(verdict).success, "verdict matches VerdictSchema").to.equal(true);
  return verdict;
}

function expectValid(v: Verdict): void {
  expect(v, JSON.stringify(v, null, 2)).to.deep.include({ valid: true });
  for (const part of [v.digest, v.signature, v.membership, v.anchor, v.revocation]) expect(part.reason).to.equal(undefined);
}

describe("verifyRecord (hardhat network)", function () {
  this.timeout(60_000);

  before(async () => {
    const [operator, anchorer] = await ethers.getSigners();
    provider = ethers.provider;
    chainId = Number((await provider.getNetwork()).chainId);
    participants = (await (await ethers.getContractFactory("ParticipantRegistry", operator)).deploy()) as unknown as Registry;
    anchors = (await (await ethers.getContractFactory("AnchorRegistry", operator)).deploy(await participants.getAddress())) as unknown as Registry;
    contracts = { participantRegistry: await participants.getAddress(), anchorRegistry: await anchors.getAddress() };
    await (await anchors.setAnchorer(anchorer.address, true)).wait();
    anchors = anchors.connect(anchorer) as Registry;
    orgKey = Wallet.createRandom().connect(provider);
    await (await participants.admit(ORG, SHIPPER_ROLE, orgKey.address)).wait();
    // The publisher sends its own revocations, so it needs gas money.
    await (await operator.sendTransaction({ to: orgKey.address, value: ethers.parseEther("1") })).wait();
  });

  it("a genuine record is valid, with every check reported", async () => {
    const records = [newRecord(orgKey), newRecord(orgKey), newRecord(orgKey)];
    const proofs = await anchorBatch(records);
    for (let i = 0; i < records.length; i++) {
      const v = await verify(records[i], proofs[i]);
      expectValid(v);
      expect(v.digest.computed).to.equal(records[i].digest);
      expect(v.signature.signer).to.equal(orgKey.address);
      expect(v.membership.orgId).to.equal(OWNER);
      expect(v.anchor.blockNumber).to.equal(proofs[i].blockNumber);
      expect(v.anchor.txHash).to.equal(proofs[i].txHash);
      expect(v.membership.at).to.equal(v.anchor.blockTime);
      expect(v.revocation).to.deep.equal({ ok: true, revoked: false });
    }
  });

  it("works over an RPC URL too", async () => {
    const { url, server } = await rpcServer();
    try {
      const record = newRecord(orgKey);
      const [proof] = await anchorBatch([record, newRecord(orgKey)]);
      expectValid(await verifyRecord({ record, proof, chain: { rpcUrl: url }, contracts }));
      const tampered = await verifyRecord({ record: { ...record, id: "other" }, proof, chain: { rpcUrl: url }, contracts });
      expect(tampered.digest.reason).to.equal("digest mismatch: record content does not match its digest");
    } finally {
      server.close();
    }
  });

  it("a tampered body fails the digest and the anchor, still reporting the signature and membership", async () => {
    const record = newRecord(orgKey);
    const [proof] = await anchorBatch([record, newRecord(orgKey)]);
    const tampered = { ...record, body: { ...record.body, pieceCount: 13 } };
    const v = await verify(tampered, proof);
    expect(v.valid).to.equal(false);
    expect(v.digest.ok).to.equal(false);
    expect(v.digest.reason).to.equal("digest mismatch: record content does not match its digest");
    expect(v.digest.claimed).to.equal(record.digest);
    expect(v.digest.computed).to.not.equal(record.digest);
    expect(v.signature).to.deep.equal({ ok: true, signer: orgKey.address });
    expect(v.anchor.ok).to.equal(false);
    expect(v.anchor.reason).to.match(/does not lead from the record's content to the root/);
    expect(v.membership.ok).to.equal(true); // the signed version was anchored while the key was active
  });

  it("a redacted record stays valid", async () => {
    const record = newRecord(orgKey);
    const [proof] = await anchorBatch([record]);
    const v = await verify(redact(record, ["consignee", "totalGrossWeight"]), proof);
    expectValid(v);
    expect(proof.siblings).to.deep.equal([]); // a batch of one: the root is the leaf
  });

  it("a revoked record fails revocation, with the publisher's reason", async () => {
    const record = newRecord(orgKey);
    const [proof] = await anchorBatch([record, newRecord(orgKey)]);
    await (await (anchors.connect(orgKey) as Registry).revoke(record.digest, "weight misdeclared")).wait();
    const v = await verify(record, proof);
    expect(v.valid).to.equal(false);
    expect(v.revocation.ok).to.equal(false);
    expect(v.revocation.revoked).to.equal(true);
    expect(v.revocation.revokedAt).to.be.a("number").and.be.at.least(v.anchor.blockTime!);
    expect(v.revocation.reason).to.match(/^revoked by acme-shipping at .*: weight misdeclared$/);
    expect(v.anchor.ok && v.digest.ok && v.signature.ok && v.membership.ok).to.equal(true);
  });

  it("a record signed by a key that is not a member fails membership", async () => {
    const stranger = Wallet.createRandom();
    const record = newRecord(stranger);
    const [proof] = await anchorBatch([record]);
    const v = await verify(record, proof);
    expect(v.valid).to.equal(false);
    expect(v.signature).to.deep.equal({ ok: true, signer: stranger.address });
    expect(v.membership.ok).to.equal(false);
    expect(v.membership.reason).to.match(/is not registered to any organisation/);
    expect(v.anchor.ok && v.digest.ok && v.revocation.ok).to.equal(true);
  });

  it("after a key rotation, records anchored before it stay valid and later ones by the old key fail", async () => {
    const oldKey = Wallet.createRandom();
    const newKey = Wallet.createRandom();
    const owner = "rotating-org";
    const org = orgIdToBytes32(owner);
    const [operator] = await ethers.getSigners();
    const registry = participants.connect(operator) as Registry;
    await (await registry.admit(org, SHIPPER_ROLE, oldKey.address)).wait();
    const sign = (key: { privateKey: string }) =>
      signRecord(key.privateKey, prepareRecord({ type: "Shipment", id: `rot-${++serial}`, version: 1, owner }, { pieceCount: serial }));

    const before = sign(oldKey);
    const [beforeProof] = await anchorBatch([before]);
    await (await registry.rotateKey(org, newKey.address)).wait();
    const lateOld = sign(oldKey);
    const fresh = sign(newKey);
    const [lateProof, freshProof] = await anchorBatch([lateOld, fresh]);

    expectValid(await verify(before, beforeProof));
    expectValid(await verify(fresh, freshProof));
    const v = await verify(lateOld, lateProof);
    expect(v.valid).to.equal(false);
    expect(v.membership.ok).to.equal(false);
    expect(v.membership.reason).to.match(/was not an active key of rotating-org/);
  });

  it("does not trust the proof's hints: a wrong block hint is corrected, the earliest anchoring wins", async () => {
    const record = newRecord(orgKey);
    const [first] = await anchorBatch([record]);
    const [second] = await anchorBatch([record]); // the same root again, later
    expect(second.blockNumber).to.be.greaterThan(first.blockNumber!);
    const fromLater = await verify(record, second);
    expectValid(fromLater);
    expect(fromLater.anchor.blockNumber).to.equal(first.blockNumber);
    expect(fromLater.anchor.txHash).to.equal(first.txHash);
    const wrongHint = await verify(record, { ...first, blockNumber: 1, txHash: "0x" + "00".repeat(32) });
    expectValid(wrongHint);
    expect(wrongHint.anchor.txHash).to.equal(first.txHash);
    const { blockNumber: _b, txHash: _t, ...noHints } = first;
    expectValid(await verify(record, noHints));
  });

  it("fails the anchor for a root never anchored, a wrong registry, chain or batch size", async () => {
    const record = newRecord(orgKey);
    const lone = buildMerkleTree([record.digest]);
    const unanchored: AnchorProof = { root: lone.root, leafIndex: 0, leafCount: 1, siblings: [], chainId, anchorRegistry: contracts.anchorRegistry };
    let v = await verify(record, unanchored);
    expect(v.anchor.ok).to.equal(false);
    expect(v.anchor.reason).to.match(/not anchored/);
    expect(v.membership.reason).to.match(/no anchoring time/);

    const [proof] = await anchorBatch([record, newRecord(orgKey)]);
    v = await verify(record, { ...proof, anchorRegistry: contracts.participantRegistry });
    expect(v.anchor.ok).to.equal(false);
    expect(v.anchor.reason).to.match(/names anchor registry/);
    v = await verify(record, { ...proof, chainId: 1 });
    expect(v.anchor.ok).to.equal(false);
    expect(v.anchor.reason).to.match(/for chain 1, the chain is 31337/);
    v = await verify(record, { ...proof, leafCount: 5 });
    expect(v.anchor.ok).to.equal(false);
    expect(v.anchor.reason).to.match(/says the batch has 5 records, its anchoring says 2/);
    v = await verify(record, { ...proof, siblings: [lone.root] });
    expect(v.anchor.ok).to.equal(false);
  });

  it("reports malformed input and an unreachable chain in the verdict instead of throwing", async () => {
    const record = newRecord(orgKey);
    const [proof] = await anchorBatch([record]);
    let v = await verify({ ...record, signature: "0x1234" }, proof);
    expect(v.valid).to.equal(false);
    expect(v.digest.reason).to.match(/^invalid record: signature/);
    v = await verify(record, { ...proof, root: "nope" } as unknown as AnchorProof);
    expect(v.anchor.reason).to.match(/^invalid proof: root/);
    expect(v.digest.ok && v.signature.ok && v.revocation.ok).to.equal(true);
    const highS = await verify({ ...record, signature: record.signature.slice(0, -2) + "01" }, proof);
    expect(highS.signature.reason).to.match(/v must be 27 or 28/);
    expect(highS.membership.reason).to.match(/no signer/);

    const badContracts = await verifyRecord({ record, proof, chain: { provider }, contracts: { ...contracts, anchorRegistry: "0x123" } });
    expect(badContracts.anchor.reason).to.match(/invalid contract addresses/);
    expect(badContracts.membership.reason).to.match(/^not checked: invalid contract addresses/);

    const t = Date.now();
    const dead = await verifyRecord({ record, proof, chain: { rpcUrl: "http://127.0.0.1:9" }, contracts });
    expect(Date.now() - t).to.be.below(30_000);
    expect(dead.valid).to.equal(false);
    expect(dead.digest.ok && dead.signature.ok).to.equal(true);
    expect(dead.anchor.reason).to.match(/cannot reach the chain/);
  });
});
