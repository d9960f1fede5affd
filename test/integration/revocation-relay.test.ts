import { expect } from "chai";
import { Contract, Wallet } from "ethers";
import { anchorRegistryAbi, orgIdToBytes32 } from "../../sdk/chain-abi";
import { HubError } from "../../sdk/client";
import { relayRevocation, signRevocation, type SignedRevocation } from "../../sdk/relay";
import { verifyRecord } from "../../sdk/verify";
import { shipment } from "../fixtures";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";

/** The problem a refused call answered (fails the test if it was not refused). */
async function refusal(call: Promise<unknown>): Promise<HubError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "the call should have been refused").to.be.instanceOf(HubError);
  return err as HubError;
}

describe("relayed revocation through the hub (members need no gas)", function () {
  this.timeout(120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let member: TestOrg;
  let contracts: { participantRegistry: string; anchorRegistry: string };
  let anchors: Contract;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    member = await admit(hub.url, "fast-forwarding", ["FORWARDER"]);
    contracts = { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry };
    anchors = new Contract(contracts.anchorRegistry, anchorRegistryAbi, chain.provider);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  const sign = (digest: string, over: { privateKey?: string; deadline?: number } = {}): Promise<SignedRevocation> =>
    signRevocation({
      privateKey: member.key.privateKey,
      chain: { provider: chain.provider },
      anchorRegistry: contracts.anchorRegistry,
      digest,
      reason: "shipment cancelled",
      ...over,
    });

  it("a member with zero balance revokes its record through the hub's relay, and verifyRecord reports it revoked", async function () {
    expect(await chain.provider.getBalance(member.key.address)).to.equal(0n);
    const { record } = await member.client.publish("Shipment", shipment());
    const proof = await member.client.waitForProof(record.id);
    const before = await verifyRecord({ record, proof, chain: { provider: chain.provider }, contracts });
    expect(before.valid, JSON.stringify(before)).to.equal(true);

    const signed = await sign(record.digest);
    const relayed = await relayRevocation(member.client, signed);
    expect(relayed.digest).to.equal(record.digest);
    expect(relayed.revoker).to.equal(member.key.address);
    const receipt = await chain.provider.getTransactionReceipt(relayed.txHash);
    expect(receipt?.status).to.equal(1);
    expect(receipt?.from).to.not.equal(member.key.address);
    expect(await chain.provider.getBalance(member.key.address)).to.equal(0n);

    const after = await verifyRecord({ record, proof, chain: { provider: chain.provider }, contracts });
    expect(after.valid).to.equal(false);
    expect(after.revocation.revoked).to.equal(true);
    expect(after.revocation.reason).to.match(/shipment cancelled/);
    expect(after.digest.ok && after.signature.ok && after.anchor.ok && after.membership.ok).to.equal(true);

    // The same signature again: a replay, refused by the contract's nonce; nothing is sent.
    const replay = await refusal(relayRevocation(member.client, signed));
    expect(replay.status).to.equal(409);
    expect(replay.problem.type).to.match(/\/revocation-replayed$/);
  });

  it("refuses an expired signature, a tampered one and a non-member's, as problems; nothing changes on chain", async function () {
    const { record } = await member.client.publish("Shipment", shipment());
    const nonce = (await anchors.getFunction("nonces")(member.key.address)) as bigint;
    const latest = (await chain.provider.getBlock("latest"))!.timestamp;

    const expired = await refusal(relayRevocation(member.client, await sign(record.digest, { deadline: latest - 1 })));
    expect([expired.status, expired.problem.type]).to.deep.equal([400, "https://cargoproof.dev/problems/revocation-expired"]);

    const signed = await sign(record.digest);
    const tampered = await refusal(relayRevocation(member.client, { ...signed, reason: "something else" }));
    expect([tampered.status, tampered.problem.type]).to.deep.equal([400, "https://cargoproof.dev/problems/revocation-signature-invalid"]);

    const stranger = await sign(record.digest, { privateKey: Wallet.createRandom().privateKey });
    const notMember = await refusal(relayRevocation(member.client, stranger));
    expect([notMember.status, notMember.problem.type]).to.deep.equal([403, "https://cargoproof.dev/problems/revoker-not-member"]);

    const malformed = await refusal(relayRevocation(member.client, { ...signed, signature: "0x12" }));
    expect([malformed.status, malformed.problem.type]).to.deep.equal([400, "https://cargoproof.dev/problems/invalid-signed-revocation"]);

    expect(await anchors.getFunction("nonces")(member.key.address)).to.equal(nonce);
    expect(await anchors.getFunction("revokedAt")(orgIdToBytes32(member.id), record.digest)).to.equal(0n);
    // The good signature still works afterwards.
    await relayRevocation(member.client, signed);
    expect(await anchors.getFunction("revokedAt")(orgIdToBytes32(member.id), record.digest)).to.not.equal(0n);
  });

  it("needs a member's token", async function () {
    const res = await fetch(`${hub.url}/v1/revocations`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).to.equal(401);
    expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
  });
});
