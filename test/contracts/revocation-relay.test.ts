import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract, Signer } from "ethers";
import { REVOCATION_DOMAIN, REVOKE_TYPES, revokeBySignatureArgs, signRevocation, submitRevocation, type SignedRevocation } from "../../sdk/relay";
import { eventsOf, expectRevert, latestTime, mined } from "./helpers";

const ORG_A = ethers.encodeBytes32String("acme-shipping");
const SHIPPER = 1n;

function randomBytes32(): string {
  return ethers.hexlify(ethers.randomBytes(32));
}

describe("AnchorRegistry relayed revocation (EIP-712)", () => {
  let participants: Contract;
  let anchors: Contract;
  let admin: Signer;
  let relayer: Signer;
  let member: ReturnType<typeof ethers.Wallet.createRandom>;
  let anchorAddr: string;

  beforeEach(async () => {
    [admin, relayer] = await ethers.getSigners();
    participants = await ethers.deployContract("ParticipantRegistry", admin);
    anchors = await ethers.deployContract("AnchorRegistry", [await participants.getAddress()], admin);
    anchorAddr = await anchors.getAddress();
    // A fresh key: it has never held any funds.
    member = ethers.Wallet.createRandom();
    await mined(participants.admit(ORG_A, SHIPPER, member.address));
  });

  const sign = (over: Partial<Parameters<typeof signRevocation>[0]> = {}): Promise<SignedRevocation> =>
    signRevocation({
      privateKey: member.privateKey,
      chain: { provider: ethers.provider },
      anchorRegistry: anchorAddr,
      digest: randomBytes32(),
      reason: "wrong weight",
      ...over,
    });
  const relay = (s: SignedRevocation) => (anchors.connect(relayer) as Contract).getFunction("revokeBySignature")(...revokeBySignatureArgs(s));

  it("uses the SDK's EIP-712 type and domain", async () => {
    expect(await anchors.REVOKE_TYPEHASH()).to.equal(ethers.id(ethers.TypedDataEncoder.from(REVOKE_TYPES).encodeType("Revoke")));
    const { chainId } = await ethers.provider.getNetwork();
    expect(await anchors.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain({ ...REVOCATION_DOMAIN, chainId, verifyingContract: anchorAddr }));
  });

  it("a member with zero balance revokes through a relayer, with the same event as a direct revocation", async () => {
    expect(await ethers.provider.getBalance(member.address)).to.equal(0n);
    const signed = await sign();
    expect(signed.nonce).to.equal("0");
    const receipt = await mined(relay(signed));
    const [ev] = eventsOf(receipt, anchors, "Revoked");
    expect(ev.args.digest).to.equal(signed.digest);
    expect(ev.args.orgId).to.equal(ORG_A);
    expect(ev.args.revoker).to.equal(member.address);
    expect(ev.args.reason).to.equal("wrong weight");
    expect(await anchors.revokedAt(ORG_A, signed.digest)).to.not.equal(0n);
    expect(await anchors.nonces(member.address)).to.equal(1n);
    expect(await ethers.provider.getBalance(member.address)).to.equal(0n);

    // The same key revoking directly (funded for it) emits a log of the same shape: topics and data.
    await (await admin.sendTransaction({ to: member.address, value: 10n ** 17n })).wait();
    const direct = await mined((anchors.connect(member.connect(ethers.provider)) as Contract).revoke(randomBytes32(), "wrong weight"));
    const [a, b] = [receipt.logs[0], direct.logs[0]];
    expect(a.topics[0]).to.equal(b.topics[0]);
    expect(a.topics[2]).to.equal(b.topics[2]);
    expect(a.data).to.equal(b.data);
  });

  it("the SDK's submitRevocation sends it from any account", async () => {
    const signed = await sign();
    const done = await submitRevocation(signed, { sender: relayer, anchorRegistry: anchorAddr });
    expect(done.revoker).to.equal(member.address);
    expect(await anchors.revokedAt(ORG_A, signed.digest)).to.not.equal(0n);
  });

  it("refuses a replay, and a signature with a nonce ahead of the member's", async () => {
    const signed = await sign();
    await mined(relay(signed));
    await expectRevert(() => relay(signed), anchors, "InvalidAccountNonce", [member.address, 1n]);
    // A replay of the same signature for another digest fails on the signature (the digest is signed).
    await expectRevert(() => relay({ ...signed, digest: randomBytes32(), nonce: "1" }), anchors, "InvalidSignature", [member.address]);
    const ahead = await sign({ nonce: 5n });
    await expectRevert(() => relay(ahead), anchors, "InvalidAccountNonce", [member.address, 1n]);
    // Signatures are used in order: the next one (nonce 1) goes through.
    await mined(relay(await sign()));
  });

  it("refuses a signature for another chain id or another deployment", async () => {
    const otherChain = await sign({ chainId: 1n });
    await expectRevert(() => relay(otherChain), anchors, "InvalidSignature", [member.address]);
    const other = await ethers.deployContract("AnchorRegistry", [await participants.getAddress()], admin);
    const forOther = await sign({ anchorRegistry: await other.getAddress() });
    await expectRevert(() => relay(forOther), anchors, "InvalidSignature", [member.address]);
    expect(await anchors.nonces(member.address)).to.equal(0n);
  });

  it("refuses an expired deadline", async () => {
    const signed = await sign({ deadline: (await latestTime()) - 1 });
    await expectRevert(() => relay(signed), anchors, "SignatureExpired", [BigInt(signed.deadline)]);
  });

  it("refuses a changed reason, another key's signature and a malformed signature", async () => {
    const signed = await sign();
    await expectRevert(() => relay({ ...signed, reason: "something else" }), anchors, "InvalidSignature", [member.address]);
    const stranger = ethers.Wallet.createRandom();
    const byStranger = await signRevocation({
      privateKey: stranger.privateKey,
      chain: { provider: ethers.provider },
      anchorRegistry: anchorAddr,
      digest: signed.digest,
      reason: "x",
    });
    await expectRevert(() => relay({ ...byStranger, revoker: member.address }), anchors, "InvalidSignature", [member.address]);
    await expectRevert(() => relay({ ...signed, signature: "0x" + "00".repeat(65) }), anchors, "InvalidSignature", [member.address]);
  });

  it("refuses a non-member's signature", async () => {
    const stranger = ethers.Wallet.createRandom();
    const signed = await signRevocation({
      privateKey: stranger.privateKey,
      chain: { provider: ethers.provider },
      anchorRegistry: anchorAddr,
      digest: randomBytes32(),
      reason: "x",
    });
    await expectRevert(() => relay(signed), anchors, "NotActiveMember", [stranger.address]);
  });

  it("refuses a suspended member's and a rotated-out key's signature, judged when it is submitted", async () => {
    const signed = await sign();
    await mined(participants.suspend(ORG_A));
    await expectRevert(() => relay(signed), anchors, "NotActiveMember", [member.address]);
    await mined(participants.reinstate(ORG_A));
    await mined(participants.rotateKey(ORG_A, ethers.Wallet.createRandom().address));
    await expectRevert(() => relay(signed), anchors, "NotActiveMember", [member.address]);
  });

  it("refuses a second revocation of the same digest by the organisation", async () => {
    const first = await sign();
    await mined(relay(first));
    const again = await sign({ digest: first.digest });
    await expectRevert(() => relay(again), anchors, "AlreadyRevoked", [ORG_A, first.digest]);
  });
});
