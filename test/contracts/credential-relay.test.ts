import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract, Signer } from "ethers";
import {
  CREDENTIAL_DOMAIN,
  ISSUE_CREDENTIAL_TYPES,
  REVOKE_CREDENTIAL_TYPES,
  issueCredentialBySignatureArgs,
  revokeCredentialBySignatureArgs,
  signCredentialIssue,
  signCredentialRevocation,
  submitCredentialIssue,
  type SignCredentialIssueInput,
  type SignCredentialRevocationInput,
  type SignedCredentialIssue,
  type SignedCredentialRevocation,
} from "../../sdk/relay";
import { issuedCredentialId } from "../../sdk/authority/chain";
import { credentialKindNumber } from "../../sdk/authority/credentials";
import { eventsOf, expectRevert, latestTime, mined } from "./helpers";

const BODY = ethers.encodeBytes32String("cnas-accreditation");
const OTHER_BODY = ethers.encodeBytes32String("other-body");
const SUBJECT = "trust-certify";
const CERTIFIER = credentialKindNumber("ACCREDITED_CERTIFIER");
const GRANT = { kind: "ACCREDITED_CERTIFIER", scope: { kinds: ["CERTIFICATE_OF_ORIGIN"], countries: ["CN"] } } as const;

describe("CredentialRegistry relayed issue and revocation (EIP-712)", () => {
  let participants: Contract;
  let credentials: Contract;
  let operator: Signer;
  let relayer: Signer;
  let bodyKey: ReturnType<typeof ethers.Wallet.createRandom>;
  let otherKey: ReturnType<typeof ethers.Wallet.createRandom>;
  let registry: string;

  beforeEach(async () => {
    [operator, relayer] = await ethers.getSigners();
    participants = await ethers.deployContract("ParticipantRegistry", operator);
    credentials = await ethers.deployContract("CredentialRegistry", [await participants.getAddress()], operator);
    registry = await credentials.getAddress();
    // Fresh keys: they have never held any funds.
    bodyKey = ethers.Wallet.createRandom();
    otherKey = ethers.Wallet.createRandom();
    await mined(participants.admit(BODY, 1n << 12n, bodyKey.address));
    await mined(participants.admit(OTHER_BODY, 1n << 12n, otherKey.address));
    await mined(credentials.setIssuer(BODY, 1n << BigInt(CERTIFIER)));
  });

  const signIssue = (over: Partial<SignCredentialIssueInput> = {}): Promise<SignedCredentialIssue> =>
    signCredentialIssue({
      privateKey: bodyKey.privateKey,
      chain: { provider: ethers.provider },
      credentialRegistry: registry,
      subject: SUBJECT,
      grant: GRANT,
      ...over,
    });
  const signRevoke = (id: bigint, over: Partial<SignCredentialRevocationInput> = {}): Promise<SignedCredentialRevocation> =>
    signCredentialRevocation({
      privateKey: bodyKey.privateKey,
      chain: { provider: ethers.provider },
      credentialRegistry: registry,
      id,
      reason: "accreditation withdrawn",
      ...over,
    });
  const relayIssue = (s: SignedCredentialIssue) =>
    (credentials.connect(relayer) as Contract).getFunction("issueBySignature")(...issueCredentialBySignatureArgs(s));
  const relayRevoke = (s: SignedCredentialRevocation) =>
    (credentials.connect(relayer) as Contract).getFunction("revokeBySignature")(...revokeCredentialBySignatureArgs(s));
  const issued = async (s: SignedCredentialIssue): Promise<bigint> => issuedCredentialId((await mined(relayIssue(s))).logs);

  it("uses the SDK's EIP-712 types and domain", async () => {
    expect(await credentials.ISSUE_TYPEHASH()).to.equal(ethers.id(ethers.TypedDataEncoder.from(ISSUE_CREDENTIAL_TYPES).encodeType("IssueCredential")));
    expect(await credentials.REVOKE_TYPEHASH()).to.equal(ethers.id(ethers.TypedDataEncoder.from(REVOKE_CREDENTIAL_TYPES).encodeType("RevokeCredential")));
    const { chainId } = await ethers.provider.getNetwork();
    expect(await credentials.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain({ ...CREDENTIAL_DOMAIN, chainId, verifyingContract: registry }));
  });

  it("an accreditation body's key with zero balance issues and revokes through a relayer, with the events of direct calls", async () => {
    expect(await ethers.provider.getBalance(bodyKey.address)).to.equal(0n);
    const signed = await signIssue({ grant: { ...GRANT, validUntil: (await latestTime()) + 86_400 } });
    expect(signed.nonce).to.equal("0");
    const receipt = await mined(relayIssue(signed));
    expect(receipt.from).to.equal(await relayer.getAddress());
    const [ev] = eventsOf(receipt, credentials, "CredentialIssued");
    expect(ev!.args.subject).to.equal(ethers.encodeBytes32String(SUBJECT));
    expect(ev!.args.kind).to.equal(BigInt(CERTIFIER));
    expect(ev!.args.issuer).to.equal(BODY);
    expect(ev!.args.scope).to.equal('{"countries":["CN"],"kinds":["CERTIFICATE_OF_ORIGIN"]}');
    expect(ev!.args.validUntil).to.equal(BigInt(signed.validUntil));
    const id = ev!.args.id as bigint;
    expect(await credentials.nonces(bodyKey.address)).to.equal(1n);

    const revoked = await mined(relayRevoke(await signRevoke(id)));
    const [rev] = eventsOf(revoked, credentials, "CredentialRevoked");
    expect(rev!.args.id).to.equal(id);
    expect(rev!.args.revoker).to.equal(BODY);
    expect(rev!.args.reason).to.equal("accreditation withdrawn");
    expect((await credentials.credential(id)).revokedAt).to.not.equal(0n);
    expect(await credentials.nonces(bodyKey.address)).to.equal(2n);
    expect(await ethers.provider.getBalance(bodyKey.address)).to.equal(0n);

    // The same key issuing directly (funded for it) emits a log of the same shape.
    await (await operator.sendTransaction({ to: bodyKey.address, value: 10n ** 17n })).wait();
    const direct = await mined(
      (credentials.connect(bodyKey.connect(ethers.provider)) as Contract).issue(
        ethers.encodeBytes32String(SUBJECT),
        CERTIFIER,
        0,
        signed.validUntil,
        signed.scope,
      ),
    );
    expect(direct.logs[0]!.topics.slice(2)).to.deep.equal(receipt.logs[0]!.topics.slice(2));
    expect(direct.logs[0]!.topics[0]).to.equal(receipt.logs[0]!.topics[0]);
  });

  it("the consortium operator's unfunded key may have its credential relayed too (issuer zero); the SDK's submitCredentialIssue sends from any account", async () => {
    const operatorKey = ethers.Wallet.createRandom();
    await mined(participants.transferOperator(operatorKey.address));
    expect(await ethers.provider.getBalance(operatorKey.address)).to.equal(0n);
    const signed = await signIssue({ privateKey: operatorKey.privateKey, grant: { kind: "AEO", scope: { country: "CN", tier: "AEOF" } } });
    const receipt = await submitCredentialIssue(signed, { sender: relayer, credentialRegistry: registry });
    const [ev] = eventsOf(receipt as Parameters<typeof eventsOf>[0], credentials, "CredentialIssued");
    expect(ev!.args.issuer).to.equal(ethers.ZeroHash);
    expect(ev!.args.kind).to.equal(BigInt(credentialKindNumber("AEO")));
    // And it revokes what a body issued, as `revoke` allows it.
    const id = await issued(await signIssue());
    await mined(relayRevoke(await signRevoke(id, { privateKey: operatorKey.privateKey })));
    expect((await credentials.credential(id)).revokedAt).to.not.equal(0n);
  });

  it("refuses a replay, a nonce ahead and a signature reused for other content", async () => {
    const signed = await signIssue();
    const id = await issued(signed);
    await expectRevert(() => relayIssue(signed), credentials, "InvalidAccountNonce", [bodyKey.address, 1n]);
    await expectRevert(() => relayIssue({ ...signed, nonce: "1", subject: "someone-else" }), credentials, "InvalidSignature", [bodyKey.address]);
    await expectRevert(async () => relayIssue(await signIssue({ nonce: 7n })), credentials, "InvalidAccountNonce", [bodyKey.address, 1n]);
    // Issue and revoke share the key's nonce: a revocation signed, used, then replayed.
    const revocation = await signRevoke(id);
    await mined(relayRevoke(revocation));
    await expectRevert(() => relayRevoke(revocation), credentials, "InvalidAccountNonce", [bodyKey.address, 2n]);
    await expectRevert(() => relayRevoke({ ...revocation, nonce: "2", reason: "changed" }), credentials, "InvalidSignature", [bodyKey.address]);
  });

  it("refuses an expired deadline", async () => {
    const deadline = (await latestTime()) - 1;
    await expectRevert(async () => relayIssue(await signIssue({ deadline })), credentials, "SignatureExpired", [deadline]);
    const id = await issued(await signIssue());
    await expectRevert(async () => relayRevoke(await signRevoke(id, { deadline })), credentials, "SignatureExpired", [deadline]);
  });

  it("refuses a signature for another chain id or another deployment", async () => {
    await expectRevert(async () => relayIssue(await signIssue({ chainId: 1n })), credentials, "InvalidSignature", [bodyKey.address]);
    const other = await ethers.deployContract("CredentialRegistry", [await participants.getAddress()], operator);
    await expectRevert(async () => relayIssue(await signIssue({ credentialRegistry: await other.getAddress() })), credentials, "InvalidSignature", [
      bodyKey.address,
    ]);
    const id = await issued(await signIssue());
    await expectRevert(async () => relayRevoke(await signRevoke(id, { chainId: 1n })), credentials, "InvalidSignature", [bodyKey.address]);
    expect(await credentials.nonces(bodyKey.address)).to.equal(1n);
  });

  it("refuses a signer without issuer authority for that kind, and a revoker that is not the issuer", async () => {
    // Allowed ACCREDITED_CERTIFIER only: an AEO credential is refused.
    await expectRevert(async () => relayIssue(await signIssue({ grant: { kind: "AEO", scope: { country: "CN", tier: "AEOF" } } })), credentials, "NotIssuer", [
      bodyKey.address,
      credentialKindNumber("AEO"),
    ]);
    // A member key of an organisation that may issue nothing.
    const byOther = await signIssue({ privateKey: otherKey.privateKey });
    await expectRevert(() => relayIssue(byOther), credentials, "NotIssuer", [otherKey.address, CERTIFIER]);
    // A key of no organisation.
    const stranger = ethers.Wallet.createRandom();
    await expectRevert(async () => relayIssue(await signIssue({ privateKey: stranger.privateKey })), credentials, "NotIssuer", [stranger.address, CERTIFIER]);
    const id = await issued(await signIssue());
    await expectRevert(async () => relayRevoke(await signRevoke(id, { privateKey: otherKey.privateKey })), credentials, "NotRevoker", [otherKey.address, id]);
    await expectRevert(async () => relayRevoke(await signRevoke(id + 5n)), credentials, "UnknownCredential", [id + 5n]);
  });

  it("refuses a suspended body's key and a rotated-out key, judged when the signature is submitted", async () => {
    const id = await issued(await signIssue());
    // Signed while the key is active (nonces 1 and 2 are the next two).
    const issue = await signIssue({ nonce: 1n });
    const revoke = await signRevoke(id, { nonce: 1n });
    await mined(participants.suspend(BODY));
    await expectRevert(() => relayIssue(issue), credentials, "NotIssuer", [bodyKey.address, CERTIFIER]);
    await expectRevert(() => relayRevoke(revoke), credentials, "NotRevoker", [bodyKey.address, id]);
    await mined(participants.reinstate(BODY));
    await mined(participants.rotateKey(BODY, ethers.Wallet.createRandom().address));
    await expectRevert(() => relayIssue(issue), credentials, "NotIssuer", [bodyKey.address, CERTIFIER]);
    await expectRevert(() => relayRevoke(revoke), credentials, "NotRevoker", [bodyKey.address, id]);
    // Nothing was used up by the refusals.
    expect(await credentials.nonces(bodyKey.address)).to.equal(1n);
  });

  it("refuses a validity that ends before it starts, and a second revocation", async () => {
    const now = await latestTime();
    await expectRevert(
      async () => relayIssue(await signIssue({ grant: { ...GRANT, validFrom: now + 100, validUntil: now + 50 } })),
      credentials,
      "BadValidity",
    );
    const id = await issued(await signIssue());
    await mined(relayRevoke(await signRevoke(id)));
    await expectRevert(async () => relayRevoke(await signRevoke(id)), credentials, "AlreadyRevoked", [id]);
  });
});
