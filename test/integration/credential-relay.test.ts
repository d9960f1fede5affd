import { expect } from "chai";
import { Contract, Wallet } from "ethers";
import { credentialRegistryAbi } from "../../sdk/chain-abi";
import { HubClient, HubError } from "../../sdk/client";
import { relayCredentialIssue, relayCredentialRevocation, signCredentialIssue, signCredentialRevocation, type SignedCredentialIssue } from "../../sdk/relay";
import { verifyRecord } from "../../sdk/verify";
import { halalCertificate } from "../fixtures";
import {
  OPERATOR_KEY,
  admit,
  freshDatabase,
  hubEnv,
  operatorClient,
  startHubProcess,
  startTestChain,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

/** The problem a refused call answered (fails the test if it was not refused). */
async function refusal(call: Promise<unknown>): Promise<{ status: number; kind: string | undefined }> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "the call should have been refused").to.be.instanceOf(HubError);
  const e = err as HubError;
  return { status: e.status, kind: e.problem.type.split("/").pop() };
}

const quality = () => ({ ...halalCertificate(), kind: "QUALITY" as const, certificateNumber: `Q-${Math.random().toString(36).slice(2, 10)}` });
const GRANT = { kind: "ACCREDITED_CERTIFIER", scope: { kinds: ["QUALITY"] } } as const;

describe("relayed credential issue and revocation through the hub (issuers need no gas)", function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let body: TestOrg;
  let certifier: TestOrg;
  let contracts: { participantRegistry: string; anchorRegistry: string };
  let registry: string;
  let credentials: Contract;
  const operatorAddress = new Wallet(OPERATOR_KEY).address;
  /** The credential the first test issued and revoked. */
  let revokedId: string;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    body = await admit(hub.url, "relay-accreditor", ["ACCREDITOR"]);
    certifier = await admit(hub.url, "relay-certify", ["CERTIFIER"], []);
    await operatorClient(hub.url).setIssuer(body.id, ["ACCREDITED_CERTIFIER"]);
    contracts = { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry };
    registry = chain.deployment.credentialRegistry;
    credentials = new Contract(registry, credentialRegistryAbi, chain.provider);
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  const at = (url: string, org: TestOrg): HubClient => new HubClient({ baseUrl: url, orgId: org.id, privateKey: org.key.privateKey });
  const signIssue = (over: { privateKey?: string; deadline?: number; grant?: Parameters<typeof signCredentialIssue>[0]["grant"] } = {}) =>
    signCredentialIssue({
      privateKey: body.key.privateKey,
      chain: { provider: chain.provider },
      credentialRegistry: registry,
      subject: certifier.id,
      grant: GRANT,
      ...over,
    });
  const signRevoke = (id: string, over: { privateKey?: string; deadline?: number } = {}) =>
    signCredentialRevocation({
      privateKey: body.key.privateKey,
      chain: { provider: chain.provider },
      credentialRegistry: registry,
      id,
      reason: "accreditation withdrawn",
      ...over,
    });
  const verify = async (client: HubClient, id: string) => {
    const { record } = await client.getRecord(id);
    const proof = await client.waitForProof(id);
    return verifyRecord({ record, proof, chain: { provider: chain.provider }, contracts });
  };

  it("an unfunded body's key issues a credential through the hub, a record depending on it verifies; revoked through the hub, a record anchored after fails authority", async function () {
    expect(await chain.provider.getBalance(body.key.address)).to.equal(0n);
    const before = await refusal(certifier.client.publish("Certification", quality()));
    expect(before.kind, "no credential yet").to.equal("authority-missing");

    const relayed = await relayCredentialIssue(body.client, await signIssue());
    expect(relayed.credential).to.include({ kind: "ACCREDITED_CERTIFIER", subject: certifier.id, issuer: body.id, inForce: true });
    expect(relayed.credential.scope).to.deep.equal({ kinds: ["QUALITY"] });
    const receipt = await chain.provider.getTransactionReceipt(relayed.txHash);
    expect(receipt?.status).to.equal(1);
    expect(receipt?.from).to.equal(operatorAddress);
    expect(await chain.provider.getBalance(body.key.address)).to.equal(0n);

    // The hub honours it at once (it forgot its cached view of the subject), and so does every verifier.
    const { record: early } = await certifier.client.publish("Certification", quality());
    const issued = await verify(certifier.client, early.id);
    expect(issued.valid, JSON.stringify(issued.authority)).to.equal(true);
    expect(issued.authority.credential).to.include({ kind: "ACCREDITED_CERTIFIER", issuer: body.id });

    // A certificate accepted while the credential is in force but anchored only after its revocation:
    // this hub does not anchor; the anchoring one takes over once the credential is revoked.
    await hub.stop();
    const quiet = await startHubProcess(hubEnv(chain, database.url, { ANCHOR_WORKER: "off" }));
    let late: string;
    try {
      ({
        record: { id: late },
      } = await at(quiet.url, certifier).publish("Certification", quality()));
      const revoked = await relayCredentialRevocation(at(quiet.url, body), await signRevoke(relayed.credential.id));
      expect(revoked.credential.id).to.equal(relayed.credential.id);
      revokedId = revoked.credential.id;
      expect(revoked.credential.revokedAt, "revoked on chain").to.be.a("string");
      expect(revoked.credential.inForce).to.equal(false);
      expect((await chain.provider.getTransactionReceipt(revoked.txHash))?.from).to.equal(operatorAddress);
      // The hub refuses new certificates by it at once.
      expect((await refusal(at(quiet.url, certifier).publish("Certification", quality()))).kind).to.equal("authority-missing");
    } finally {
      await quiet.stop();
      hub = await startHubProcess(hubEnv(chain, database.url));
    }
    body = { ...body, client: at(hub.url, body) };
    certifier = { ...certifier, client: at(hub.url, certifier) };
    expect(await chain.provider.getBalance(body.key.address)).to.equal(0n);
    const after = await verify(certifier.client, late);
    expect(after.valid).to.equal(false);
    expect(after.authority.ok).to.equal(false);
    expect(after.authority.reason).to.match(/revoked at/);
    expect(after.digest.ok && after.signature.ok && after.membership.ok && after.anchor.ok).to.equal(true);
    expect((await verify(certifier.client, early.id)).authority.ok, "anchored before the revocation").to.equal(true);
  });

  it("refusals are problems and send nothing: the operator's nonce, the signers' nonces and the registry stay as they were", async function () {
    const opNonce = await chain.provider.getTransactionCount(operatorAddress);
    const bodyNonce = (await credentials.getFunction("nonces")(body.key.address)) as bigint;
    const count = (await credentials.getFunction("credentialCount")()) as bigint;
    const latest = (await chain.provider.getBlock("latest"))!.timestamp;

    const good = await signIssue();
    const cases: [string, () => Promise<unknown>, number, string][] = [
      ["expired", async () => relayCredentialIssue(body.client, await signIssue({ deadline: latest - 1 })), 400, "credential-signature-expired"],
      ["tampered", async () => relayCredentialIssue(body.client, { ...good, subject: "relay-accreditor" }), 400, "credential-signature-invalid"],
      [
        "nonce ahead",
        async () =>
          relayCredentialIssue(
            body.client,
            await signCredentialIssue({
              privateKey: body.key.privateKey,
              chain: { provider: chain.provider },
              credentialRegistry: registry,
              subject: certifier.id,
              grant: GRANT,
              nonce: bodyNonce + 3n,
            }),
          ),
        409,
        "credential-signature-replayed",
      ],
      [
        "kind not allowed",
        async () => relayCredentialIssue(body.client, await signIssue({ grant: { kind: "AEO", scope: { country: "CN", tier: "AEOF" } } })),
        403,
        "issuer-not-authorised",
      ],
      ["not an issuer", async () => relayCredentialIssue(body.client, await signIssue({ privateKey: certifier.key.privateKey })), 403, "issuer-not-authorised"],
      [
        "scope not canonical",
        async () => relayCredentialIssue(body.client, { ...good, scope: '{ "kinds": ["QUALITY"] }' } as SignedCredentialIssue),
        400,
        "invalid-signed-credential",
      ],
      ["unknown credential", async () => relayCredentialRevocation(body.client, await signRevoke("999")), 404, "not-found"],
      ["already revoked", async () => relayCredentialRevocation(body.client, await signRevoke(revokedId)), 409, "credential-revoked"],
    ];
    for (const [what, call, status, kind] of cases) expect(await refusal(call()), what).to.deep.equal({ status, kind });
    expect(await chain.provider.getTransactionCount(operatorAddress), "nothing sent").to.equal(opNonce);
    expect(await credentials.getFunction("nonces")(body.key.address)).to.equal(bodyNonce);
    expect(await credentials.getFunction("credentialCount")()).to.equal(count);

    // The good signature still works, once; its replay is refused.
    await relayCredentialIssue(body.client, good);
    expect(await refusal(relayCredentialIssue(body.client, good))).to.deep.equal({ status: 409, kind: "credential-signature-replayed" });
  });

  it("a revoker that is not the credential's issuer is refused; both routes need a member's token", async function () {
    const { credential } = await relayCredentialIssue(body.client, await signIssue());
    expect(await refusal(relayCredentialRevocation(certifier.client, await signRevoke(credential.id, { privateKey: certifier.key.privateKey })))).to.deep.equal(
      {
        status: 403,
        kind: "credential-revoker-not-issuer",
      },
    );
    for (const path of ["/v1/credentials/issuances", "/v1/credentials/revocations"]) {
      const res = await fetch(`${hub.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(res.status, path).to.equal(401);
      expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
    }
  });
});
