import { expect } from "chai";
import { Contract, Wallet, parseEther } from "ethers";
import { anchorRegistryAbi } from "../../sdk/chain-abi";
import { verifyRecord } from "../../sdk/verify";
import { HubClient, HubError } from "../../sdk/client";
import { issueCredential } from "../../sdk/authority/chain";
import { revokeRecord } from "../../sdk/revocation";
import type { RecordBody } from "../../sdk/records";
import { devAccountKey } from "../../scripts/dev-accounts";
import { halalCertificate, masterWaybill } from "../fixtures";
import { productBatch } from "../browser/product-fixture";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  operatorClient,
  startHubProcess,
  startTestChain,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

const certificateOfOrigin = (country: string, over: Partial<RecordBody<"Certification">> = {}): RecordBody<"Certification"> => ({
  ...halalCertificate(),
  kind: "CERTIFICATE_OF_ORIGIN",
  certificateNumber: `CO-${country}-${Math.random().toString(36).slice(2, 8)}`,
  subjects: ["https://id.gs1.org/01/09506000134352/10/LYS-2611"],
  originCountry: country,
  validFrom: day(-10),
  validUntil: day(30),
  ...over,
});

const at = (url: string, org: TestOrg): TestOrg => ({ ...org, client: new HubClient({ baseUrl: url, orgId: org.id, privateKey: org.key.privateKey }) });

const problemOf = (e: unknown) =>
  e instanceof HubError ? { status: e.status, kind: e.problem.type.split("/").pop(), problem: e.problem } : { status: 0, kind: String(e), problem: undefined };

describe(`authority: credentials on chain, checked by the hub and by every verifier (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(180_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let certifier: TestOrg;
  let broker: TestOrg;
  let contracts: { participantRegistry: string; anchorRegistry: string };

  const verify = async (org: TestOrg, id: string, asOf?: number) => {
    const { record } = await org.client.getRecord(id);
    const proof = await org.client.waitForProof(id);
    return verifyRecord({ record, proof, chain: { provider: chain.provider }, contracts, ...(asOf !== undefined ? { asOf } : {}) });
  };

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url));
    [certifier, broker] = await Promise.all([
      admit(hub.url, "cn-certify", ["CERTIFIER"], [{ kind: "ACCREDITED_CERTIFIER", scope: { kinds: ["CERTIFICATE_OF_ORIGIN"], countries: ["CN"] } }]),
      admit(hub.url, "bay-brokers", ["BROKER"]),
    ]);
    // verifyRecord finds the credential registry through the participant registry it trusts.
    contracts = { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry };
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("a broker's certificate of origin is refused with a 403 naming the credential, and nothing is stored", async () => {
    const signed = broker.client.signRecord("Certification", certificateOfOrigin("VN"));
    const err = problemOf(await broker.client.publishSigned(signed).catch((e: unknown) => e));
    expect(err.status).to.equal(403);
    expect(err.kind).to.equal("authority-missing");
    expect(err.problem?.detail).to.contain("ACCREDITED_CERTIFIER credential for CERTIFICATE_OF_ORIGIN in VN");
    expect(err.problem?.errors?.[0]?.message).to.contain("ACCREDITED_CERTIFIER");
    expect(err.problem?.errors?.[0]?.path).to.equal("type");
    expect(problemOf(await broker.client.getRecord(signed.id).catch((e: unknown) => e)).status, "not stored").to.equal(404);
    // A batch with one such record stores none of them.
    const fine = broker.client.signRecord("Shipment", {
      goodsDescription: "x",
      totalGrossWeight: { value: 1, unit: "KGM" },
      pieceCount: 1,
      shipper: { name: "a", country: "CN" },
      consignee: { name: "b", country: "DE" },
      origin: "SZX",
      destination: "FRA",
    });
    const batch = problemOf(
      await broker.client.publishBatch([fine, broker.client.signRecord("Certification", certificateOfOrigin("CN"))]).catch((e: unknown) => e),
    );
    expect(batch).to.include({ status: 403, kind: "authority-missing" });
    expect(batch.problem?.errors?.[0]?.path).to.equal("records.1.type");
    expect(problemOf(await broker.client.getRecord(fine.id).catch((e: unknown) => e)).status, "nothing of the batch stored").to.equal(404);
  });

  it("a certifier accredited for certificates of origin in CN may issue those, not for VN, not a halal certificate", async () => {
    await certifier.client.publish("Certification", certificateOfOrigin("CN"));
    expect(problemOf(await certifier.client.publish("Certification", certificateOfOrigin("VN")).catch((e: unknown) => e)).kind).to.equal("authority-missing");
    expect(problemOf(await certifier.client.publish("Certification", halalCertificate()).catch((e: unknown) => e)).kind).to.equal("authority-missing");
  });

  it("a brand publishes batches only of GTINs under its GS1 company prefixes; a master waybill needs the airline of its prefix", async () => {
    const brand = await admit(hub.url, "aurora-audio", ["BRAND"], [{ kind: "GS1_COMPANY_PREFIX", scope: { prefixes: ["950600"] } }]);
    const batch = (gtin: string) => productBatch(gtin, "L1", []);
    await brand.client.publish("ProductBatch", batch("09506000134352"));
    const other = problemOf(await brand.client.publish("ProductBatch", batch("00614141123452")).catch((e: unknown) => e));
    expect(other.kind).to.equal("authority-missing");
    expect(other.problem?.detail).to.contain("GS1_COMPANY_PREFIX credential covering GTIN 00614141123452");

    const airline = await admit(hub.url, "skyline-air", ["AIRLINE"], [{ kind: "AIRLINE", scope: { prefix: "160" } }]);
    expect(problemOf(await airline.client.publish("Waybill", masterWaybill()).catch((e: unknown) => e)).kind).to.equal("authority-missing");
    await airline.client.publish("Waybill", masterWaybill({ waybillNumber: "160-12345675" }));
  });

  it("members read credentials; only the operator issues them; a bad scope is a 400 naming the field", async () => {
    const list = await broker.client.credentials("cn-certify");
    expect(list).to.have.length(1);
    expect(list[0]).to.include({ kind: "ACCREDITED_CERTIFIER", subject: "cn-certify", inForce: true });
    expect(list[0]!.issuer).to.equal(undefined); // the consortium operator
    expect(list[0]!.scope).to.deep.equal({ kinds: ["CERTIFICATE_OF_ORIGIN"], countries: ["CN"] });
    const denied = problemOf(
      await broker.client.issueCredential("bay-brokers", { kind: "ACCREDITED_CERTIFIER", scope: { kinds: ["QUALITY"] } }).catch((e: unknown) => e),
    );
    expect(denied).to.include({ status: 403, kind: "operator-only" });
    const bad = problemOf(
      await operatorClient(hub.url)
        .issueCredential("bay-brokers", { kind: "AIRLINE", scope: { prefix: "12" } })
        .catch((e: unknown) => e),
    );
    expect(bad.status).to.equal(400);
    expect(bad.problem?.errors?.map((e) => e.path)).to.deep.equal(["scope.prefix"]);
    expect(problemOf(await broker.client.credentials("nobody-here").catch((e: unknown) => e)).status).to.equal(404);
    expect(await broker.client.credentials("bay-brokers").then((l) => l.map((c) => c.kind))).to.deep.equal(["LICENSED_BROKER"]);
  });

  it("verifyRecord: authority holds for a certificate anchored before its certifier's credential was revoked, fails for one anchored after", async () => {
    const certifier2 = await admit(hub.url, "revoked-certify", ["CERTIFIER"], [{ kind: "ACCREDITED_CERTIFIER", scope: { kinds: ["QUALITY"] } }]);
    const quality = () => ({ ...halalCertificate(), kind: "QUALITY" as const, certificateNumber: `Q-${Math.random()}` });
    const { record: before } = await certifier2.client.publish("Certification", quality());
    const early = await verify(certifier2, before.id);
    expect(early.valid, JSON.stringify(early.authority)).to.equal(true);
    expect(early.authority).to.include({ ok: true });
    expect(early.authority.credential).to.include({ kind: "ACCREDITED_CERTIFIER" });

    // A second certificate the hub accepts while the credential is in force, anchored only after the
    // revocation: this hub does not anchor; another one takes over once the credential is revoked.
    await hub.stop();
    const quiet = await startHubProcess(hubEnv(chain, database.url, { ANCHOR_WORKER: "off" }));
    let after: string;
    try {
      ({
        record: { id: after },
      } = await at(quiet.url, certifier2).client.publish("Certification", quality()));
      const [credential] = await operatorClient(quiet.url).credentials("revoked-certify");
      await operatorClient(quiet.url).revokeCredential("revoked-certify", credential!.id, "accreditation withdrawn");
      // Now the hub refuses new certificates by it.
      await new Promise((r) => setTimeout(r, 300));
      expect(
        problemOf(
          await at(quiet.url, certifier2)
            .client.publish("Certification", quality())
            .catch((e: unknown) => e),
        ).kind,
      ).to.equal("authority-missing");
    } finally {
      await quiet.stop();
      hub = await startHubProcess(hubEnv(chain, database.url));
    }
    const late = await verify(at(hub.url, certifier2), after);
    expect(late.valid).to.equal(false);
    expect(late.authority.ok).to.equal(false);
    expect(late.authority.reason).to.match(/revoked at/);
    expect(late.digest.ok && late.signature.ok && late.membership.ok && late.anchor.ok).to.equal(true);
    const again = await verify(at(hub.url, certifier2), before.id);
    expect(again.authority.ok, "anchored before the revocation").to.equal(true);
  });

  it("valid as of a date: anchored by then, revoked only if by then, the certificate's own dates", async () => {
    const c = at(hub.url, certifier);
    const { record } = await c.client.publish("Certification", certificateOfOrigin("CN", { validFrom: day(-10), validUntil: day(30) }));
    // Times as the chain counts them (a development chain's clock may run ahead of this one).
    const chainNow = async () => (await chain.provider.getBlock("latest"))!.timestamp;
    await c.client.waitForProof(record.id);
    const now = await verify(c, record.id, (await chainNow()) + 5);
    expect(now.valid, JSON.stringify(now)).to.equal(true);
    const expired = await verify(c, record.id, (await chainNow()) + 40 * 86_400);
    expect(expired.valid).to.equal(false);
    expect(expired.asOf?.reason).to.match(/expired on .* \(valid until/);
    const beforeAnchoring = await verify(c, record.id, (await chainNow()) - 3600);
    expect(beforeAnchoring.valid).to.equal(false);
    expect(beforeAnchoring.asOf?.reason).to.match(/not yet anchored/);

    // Revocation: the record was valid as of a moment before it, not as of one after.
    const beforeRevocation = await chainNow();
    await new Promise((r) => setTimeout(r, 1100));
    await revokeRecord({
      privateKey: certifier.key.privateKey,
      chain: { provider: chain.provider },
      anchorRegistry: contracts.anchorRegistry,
      digest: record.digest,
      reason: "withdrawn",
    }).catch(async (e: unknown) => {
      // The certifier has no funds of its own on this chain: fund it and retry.
      if (!String(e).match(/funds|balance/i)) throw e;
      const faucet = new Wallet(devAccountKey(5), chain.provider);
      await (await faucet.sendTransaction({ to: new Wallet(certifier.key.privateKey).address, value: parseEther("1") })).wait();
      await revokeRecord({
        privateKey: certifier.key.privateKey,
        chain: { provider: chain.provider },
        anchorRegistry: contracts.anchorRegistry,
        digest: record.digest,
        reason: "withdrawn",
      });
    });
    const asOfBefore = await verify(c, record.id, beforeRevocation);
    expect(asOfBefore.valid, JSON.stringify(asOfBefore.revocation)).to.equal(true);
    const asOfAfter = await verify(c, record.id, (await chainNow()) + 5);
    expect(asOfAfter.valid).to.equal(false);
    expect(asOfAfter.revocation.revoked).to.equal(true);
  });

  it("an accreditation body issues credentials with its own key, for the kinds the operator allowed it", async () => {
    const body = await admit(hub.url, "cnas", ["ACCREDITOR"]); // after the restart above: clients of the hub that runs now
    const halal = await admit(hub.url, "halal-body", ["CERTIFIER"], []);
    expect(problemOf(await halal.client.publish("Certification", halalCertificate()).catch((e: unknown) => e)).kind).to.equal("authority-missing");
    const bodyWallet = new Wallet(body.key.privateKey, chain.provider);
    const faucet = new Wallet(devAccountKey(6), chain.provider);
    await (await faucet.sendTransaction({ to: bodyWallet.address, value: parseEther("1") })).wait();
    const registry = chain.deployment.credentialRegistry;
    let refused = false;
    await issueCredential(bodyWallet, registry, "halal-body", { kind: "ACCREDITED_CERTIFIER", scope: { kinds: ["HALAL"] } }).catch(() => (refused = true));
    expect(refused, "not yet allowed to issue").to.equal(true);
    await operatorClient(hub.url).setIssuer("cnas", ["ACCREDITED_CERTIFIER"]);
    await issueCredential(bodyWallet, registry, "halal-body", { kind: "ACCREDITED_CERTIFIER", scope: { kinds: ["HALAL"] } });
    await new Promise((r) => setTimeout(r, 300)); // the hub's credential cache (CREDENTIAL_CACHE_MS)
    const { record } = await halal.client.publish("Certification", halalCertificate());
    const verdict = await verify(halal, record.id);
    expect(verdict.valid).to.equal(true);
    expect(verdict.authority.credential).to.include({ kind: "ACCREDITED_CERTIFIER", issuer: "cnas" });
    // The hub's own verification endpoint gives the same authority check.
    const proof = await halal.client.waitForProof(record.id);
    const served = await halal.client.verifyRemote(record, proof);
    expect(served.authority).to.deep.equal(verdict.authority);
  });

  it("completeness on request: the anchorer's hash chain replays to the contract's head; an anchorer reset is a finding", async () => {
    const c = at(hub.url, certifier);
    const { record } = await c.client.publish("Certification", certificateOfOrigin("CN"));
    const proof = await c.client.waitForProof(record.id);
    const full = await c.client.getRecord(record.id);
    const check = () => verifyRecord({ record: full.record, proof, chain: { provider: chain.provider }, contracts, completeness: { maxBlockRange: 5 } });
    const clean = await check();
    expect(clean.valid, JSON.stringify(clean.completeness)).to.equal(true);
    expect(clean.completeness).to.deep.include({ ok: true, anchorer: new Wallet(hubEnv(chain, "").ANCHORER_PRIVATE_KEY!).address, findings: [] });
    // The registry's admin removes the hub's anchorer and admits it again: its chain restarts from genesis.
    const anchors = new Contract(chain.deployment.anchorRegistry, anchorRegistryAbi, chain.operator);
    const anchorer = clean.completeness!.anchorer!;
    await (await anchors.getFunction("setAnchorer")(anchorer, false)).wait();
    await (await anchors.getFunction("setAnchorer")(anchorer, true)).wait();
    const reset = await check();
    expect(reset.valid).to.equal(false);
    expect(reset.completeness?.findings.map((f) => f.code)).to.include("anchorer-reset");
    expect(reset.digest.ok && reset.anchor.ok && reset.authority.ok).to.equal(true);
  });
});
