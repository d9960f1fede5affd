import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract, Signer } from "ethers";
import { blockTime, eventsOf, expectRevert, latestTime, mined, setNextTime } from "./helpers";

const BODY = ethers.encodeBytes32String("cnas-accreditation");
const CERTIFIER = ethers.encodeBytes32String("trust-certify");
const OTHER_BODY = ethers.encodeBytes32String("other-body");
const AEO = 0;
const ACCREDITED_CERTIFIER = 1;
const SCOPE = '{"kinds":["CERTIFICATE_OF_ORIGIN"],"countries":["CN"]}';

type Credential = { subject: string; issuer: string; kind: bigint; issuedAt: bigint; validFrom: bigint; validUntil: bigint; revokedAt: bigint; scope: string };

describe("CredentialRegistry", () => {
  let participants: Contract;
  let credentials: Contract;
  let operator: Signer;
  let bodyKey: Signer;
  let otherBodyKey: Signer;
  let stranger: Signer;

  beforeEach(async () => {
    [operator, bodyKey, otherBodyKey, stranger] = await ethers.getSigners();
    participants = await ethers.deployContract("ParticipantRegistry", operator);
    credentials = await ethers.deployContract("CredentialRegistry", [await participants.getAddress()], operator);
    await mined(participants.setCredentialRegistry(await credentials.getAddress()));
    await mined(participants.admit(BODY, 1n << 12n, await bodyKey.getAddress()));
    await mined(participants.admit(OTHER_BODY, 1n << 12n, await otherBodyKey.getAddress()));
  });

  const as = (s: Signer) => credentials.connect(s) as Contract;

  it("the participant registry names it, and only its operator can change that", async () => {
    expect(await participants.credentialRegistry()).to.equal(await credentials.getAddress());
    await expectRevert(() => (participants.connect(stranger) as Contract).setCredentialRegistry(ethers.ZeroAddress), participants, "NotOperator");
    await expectRevert(() => participants.setCredentialRegistry(ethers.ZeroAddress), participants, "ZeroAddress");
  });

  it("the consortium operator issues any kind, with issuer zero, and the history is kept", async () => {
    const receipt = await mined(credentials.issue(CERTIFIER, ACCREDITED_CERTIFIER, 0, 0, SCOPE));
    const at = await blockTime(receipt);
    const [issued] = eventsOf(receipt, credentials, "CredentialIssued");
    expect(issued!.args.id).to.equal(0n);
    expect(issued!.args.subject).to.equal(CERTIFIER);
    expect(issued!.args.issuer).to.equal(ethers.ZeroHash);
    const [c] = (await credentials.credentialsOf(CERTIFIER, ACCREDITED_CERTIFIER)) as Credential[];
    expect(c!.validFrom).to.equal(BigInt(at)); // 0 = from now
    expect(c!.validUntil).to.equal(0n);
    expect(c!.revokedAt).to.equal(0n);
    expect(c!.scope).to.equal(SCOPE);
    expect(await credentials.credentialsOf(CERTIFIER, AEO)).to.have.length(0);
    expect(await credentials.credentialCount()).to.equal(1n);
  });

  it("an accreditation body issues only the kinds the operator allowed it, with its own key", async () => {
    await expectRevert(() => as(bodyKey).issue(CERTIFIER, ACCREDITED_CERTIFIER, 0, 0, SCOPE), credentials, "NotIssuer", [
      await bodyKey.getAddress(),
      ACCREDITED_CERTIFIER,
    ]);
    const allowed = await mined(credentials.setIssuer(BODY, 1n << BigInt(ACCREDITED_CERTIFIER)));
    expect(eventsOf(allowed, credentials, "IssuerChanged")[0]!.args.kinds).to.equal(2n);
    await mined(as(bodyKey).issue(CERTIFIER, ACCREDITED_CERTIFIER, 0, 0, SCOPE));
    await expectRevert(() => as(bodyKey).issue(CERTIFIER, AEO, 0, 0, "{}"), credentials, "NotIssuer");
    const [c] = (await credentials.credentialsOf(CERTIFIER, ACCREDITED_CERTIFIER)) as Credential[];
    expect(c!.issuer).to.equal(BODY);
    // Only the operator allows issuers; a stranger's key acts for no organisation.
    await expectRevert(() => as(bodyKey).setIssuer(BODY, 3n), credentials, "NotOperator");
    await expectRevert(() => as(stranger).issue(CERTIFIER, ACCREDITED_CERTIFIER, 0, 0, SCOPE), credentials, "NotIssuer");
  });

  it("a suspended accreditation body cannot issue", async () => {
    await mined(credentials.setIssuer(BODY, 1n << BigInt(ACCREDITED_CERTIFIER)));
    await mined(participants.suspend(BODY));
    await expectRevert(() => as(bodyKey).issue(CERTIFIER, ACCREDITED_CERTIFIER, 0, 0, SCOPE), credentials, "NotIssuer");
  });

  it("refuses an empty subject and a validity that ends before it starts", async () => {
    await expectRevert(() => credentials.issue(ethers.ZeroHash, AEO, 0, 0, "{}"), credentials, "ZeroSubject");
    const now = await latestTime();
    await expectRevert(() => credentials.issue(CERTIFIER, AEO, now + 100, now + 100, "{}"), credentials, "BadValidity");
  });

  it("revocation: by the issuer or the operator only, once, and the credential keeps its earlier validity", async () => {
    await mined(credentials.setIssuer(BODY, 1n << BigInt(ACCREDITED_CERTIFIER)));
    await mined(credentials.setIssuer(OTHER_BODY, 1n << BigInt(ACCREDITED_CERTIFIER)));
    await mined(as(bodyKey).issue(CERTIFIER, ACCREDITED_CERTIFIER, 0, 0, SCOPE));
    await expectRevert(() => as(otherBodyKey).revoke(0, "not mine"), credentials, "NotRevoker", [await otherBodyKey.getAddress(), 0]);
    await expectRevert(() => as(stranger).revoke(0, "nobody"), credentials, "NotRevoker");
    await expectRevert(() => credentials.revoke(7, "no such"), credentials, "UnknownCredential", [7]);
    const when = (await latestTime()) + 50;
    await setNextTime(when);
    const receipt = await mined(as(bodyKey).revoke(0, "accreditation withdrawn"));
    const [ev] = eventsOf(receipt, credentials, "CredentialRevoked");
    expect(ev!.args.revoker).to.equal(BODY);
    expect(ev!.args.reason).to.equal("accreditation withdrawn");
    const c = (await credentials.credential(0)) as Credential;
    expect(c.revokedAt).to.equal(BigInt(when));
    expect(c.validFrom < c.revokedAt).to.equal(true);
    await expectRevert(() => credentials.revoke(0, "again"), credentials, "AlreadyRevoked", [0]);
    // The operator may revoke what a body issued.
    await mined(as(bodyKey).issue(CERTIFIER, ACCREDITED_CERTIFIER, 0, 0, SCOPE));
    await mined(credentials.revoke(1, "consortium decision"));
    expect(((await credentials.credentialIds(CERTIFIER, ACCREDITED_CERTIFIER)) as bigint[]).map(Number)).to.deep.equal([0, 1]);
  });

  it("withdrawing a body's right to issue leaves what it issued in place", async () => {
    await mined(credentials.setIssuer(BODY, 1n << BigInt(ACCREDITED_CERTIFIER)));
    await mined(as(bodyKey).issue(CERTIFIER, ACCREDITED_CERTIFIER, 0, 0, SCOPE));
    await mined(credentials.setIssuer(BODY, 0n));
    expect(await credentials.issuerKinds(BODY)).to.equal(0n);
    expect(((await credentials.credential(0)) as Credential).revokedAt).to.equal(0n);
    await expectRevert(() => as(bodyKey).issue(CERTIFIER, ACCREDITED_CERTIFIER, 0, 0, SCOPE), credentials, "NotIssuer");
  });
});
