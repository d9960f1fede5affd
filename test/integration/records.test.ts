import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { revokeRecord } from "../../sdk/revocation";
import { verifyRecord } from "../../sdk/verify";
import { redact } from "../../sdk/redact";
import { HubClient, HubError } from "../../sdk/client";
import { prepareRecord } from "../../sdk/digest";
import { signRecord } from "../../sdk/signature";
import { SignJWT, importJWK } from "jose";
import { createClientAssertion, tokenEndpoint } from "../../sdk/assertion";
import { randomOrgKey, secp256k1Jwk } from "../../sdk/keys";
import { shipment, masterWaybill, departedEvent, halalCertificate } from "../fixtures";
import {
  admit,
  freshDatabase,
  hubEnv,
  isPostgres,
  operatorClient,
  startHubProcess,
  sql,
  startTestChain,
  TOKEN_SECRET,
  tokenRequest as tokenRequestTo,
  type HubProcess,
  type TestChain,
  type TestOrg,
} from "./harness";

describe(`records end to end (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let airline: TestOrg;
  let customs: TestOrg;
  let certifier: TestOrg;
  let contracts: { participantRegistry: string; anchorRegistry: string };

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess(hubEnv(chain, database.url, { VERIFY_RATE_PER_MIN: "8" }));
    forwarder = await admit(hub.url, "fast-forwarding", ["FORWARDER"]);
    airline = await admit(hub.url, "lufthansa-cargo", ["AIRLINE"]);
    customs = await admit(hub.url, "customs-fra", ["CUSTOMS"]);
    certifier = await admit(hub.url, "halal-cert", ["CERTIFIER"]);
    contracts = { participantRegistry: chain.deployment.participantRegistry, anchorRegistry: chain.deployment.anchorRegistry };
  });

  after(async function () {
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  it("publishes, anchors, and the SDK verifies the record against the chain with the hub stopped", async function () {
    const { record, published } = await forwarder.client.publish("Shipment", shipment());
    expect(published.status).to.equal("PENDING");
    expect(published.digest).to.equal(record.digest);
    const proof = await forwarder.client.waitForProof(record.id);
    const stored = await forwarder.client.getRecord(record.id);
    expect(stored.anchor.status).to.equal("ANCHORED");
    expect(stored.record).to.deep.equal(record);

    await hub.stop();
    try {
      const verdict = await verifyRecord({ record: stored.record, proof, chain: { rpcUrl: chain.rpcUrl }, contracts });
      expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
      expect(verdict.signature.signer).to.equal(forwarder.key.address);
      expect(verdict.anchor.txHash).to.equal(stored.anchor.txHash);
      expect(verdict.anchor.blockNumber).to.equal(stored.anchor.blockNumber);
    } finally {
      // Same port: the organisations' clients keep talking to the same URL.
      hub = await startHubProcess(hubEnv(chain, database.url, { VERIFY_RATE_PER_MIN: "8", PORT: new URL(hub.url).port }));
    }
  });

  it("versions a record: v2 is a new anchored version, v1 stays readable and provable", async function () {
    const { record: v1 } = await forwarder.client.publish("Shipment", shipment());
    const { record: v2 } = await forwarder.client.publish("Shipment", shipment({ pieceCount: 13 }), { id: v1.id, version: 2 });
    expect((await forwarder.client.getRecord(v1.id)).record.version).to.equal(2);
    const old = await forwarder.client.getRecord(v1.id, 1);
    expect(old.record.body.pieceCount).to.equal(12);
    const [p1, p2] = await Promise.all([forwarder.client.waitForProof(v1.id, 1), forwarder.client.waitForProof(v1.id, 2)]);
    for (const [r, p] of [
      [v1, p1],
      [v2, p2],
    ] as const) {
      const verdict = await verifyRecord({ record: r, proof: p, chain: { provider: chain.provider }, contracts });
      expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
    }
    // Skipping or repeating a version is refused and stores nothing.
    const err = await forwarder.client.publish("Shipment", shipment(), { id: v1.id, version: 4 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(HubError);
    expect((err as HubError).status).to.equal(409);
    expect((await forwarder.client.getRecord(v1.id)).record.version).to.equal(2);
  });

  it("a later version under another organisation's id is answered as for an id nobody has", async function () {
    const { record } = await forwarder.client.publish("Shipment", shipment());
    const free = randomUUID();
    const attempt = (id: string, version: number): Promise<HubError> =>
      airline.client.publish("Shipment", shipment(), { id, version }).then(
        () => expect.fail("stored"),
        (e: unknown) => e as HubError,
      );
    for (const version of [2, 3]) {
      const [taken, none] = [await attempt(record.id, version), await attempt(free, version)];
      const seen = (e: HubError) => ({ status: e.status, type: e.problem.type, detail: e.problem.detail?.replace(e === taken ? record.id : free, "<id>") });
      expect(seen(taken)).to.deep.equal(seen(none));
      expect(taken.status).to.equal(409);
    }
    // A first version cannot be stored under a taken UUID: an id only those shown the record know.
    expect((await attempt(record.id, 1)).problem.type).to.match(/record-id-unavailable$/);
    expect((await forwarder.client.getRecord(record.id)).record.version).to.equal(1);
  });

  it("a new record is named in its owner's namespace: outside it the answer is the same whether the id is taken or free", async function () {
    const { record } = await forwarder.client.publish("Shipment", shipment(), { id: `${forwarder.id}:hawb-77` });
    expect(record.id).to.equal(`${forwarder.id}:hawb-77`);
    const attempt = (id: string): Promise<HubError> =>
      airline.client.publish("Shipment", shipment(), { id }).then(
        () => expect.fail("stored"),
        (e: unknown) => e as HubError,
      );
    const [taken, free, bare] = [await attempt(record.id), await attempt(`${forwarder.id}:hawb-78`), await attempt("hawb-77")];
    for (const e of [taken, free, bare]) {
      expect(e.status).to.equal(403);
      expect(e.problem.type).to.match(/record-id-outside-namespace$/);
      expect(e.problem.errors?.[0]?.path).to.equal("id");
    }
    expect(taken.problem).to.deep.equal(free.problem);
    // Its own namespace and a UUID are the airline's to take.
    expect((await airline.client.publish("Shipment", shipment(), { id: `${airline.id}:hawb-77` })).record.version).to.equal(1);
    expect((await airline.client.publish("Shipment", shipment(), { id: randomUUID() })).record.version).to.equal(1);
    expect((await forwarder.client.getRecord(record.id)).record.version).to.equal(1);
  });

  it("detects one changed byte in the stored record: digest mismatch", async function () {
    const { record } = await airline.client.publish("Waybill", masterWaybill());
    const proof = await airline.client.waitForProof(record.id);
    // Tamper with the stored body behind the hub's back: 412.5 kg becomes 412.6 kg.
    const stored = (await airline.client.getRecord(record.id)).record;
    const tampered = JSON.stringify(stored.body).replace("412.5", "412.6");
    await sql(database.url, `UPDATE "RecordVersion" SET "body" = $1 WHERE "digest" = $2`, [tampered, record.digest]);
    const served = (await airline.client.getRecord(record.id)).record;
    expect(served.body.grossWeight).to.deep.equal({ value: 412.6, unit: "KGM" });
    const verdict = await verifyRecord({ record: served, proof, chain: { provider: chain.provider }, contracts });
    expect(verdict.valid).to.equal(false);
    expect(verdict.digest.ok).to.equal(false);
    expect(verdict.digest.reason).to.match(/digest mismatch/);
    expect(verdict.anchor.ok).to.equal(false);
  });

  it("a redacted record still verifies; a changed visible field does not", async function () {
    const { record } = await forwarder.client.publish("Shipment", shipment());
    const proof = await forwarder.client.waitForProof(record.id);
    const redacted = redact(record, ["shipper", "consignee"]);
    expect(redacted.body).to.not.have.property("shipper");
    const ok = await verifyRecord({ record: redacted, proof, chain: { provider: chain.provider }, contracts });
    expect(ok.valid, JSON.stringify(ok)).to.equal(true);
    const changed = { ...redacted, body: { ...redacted.body, destination: "MUC" } };
    const bad = await verifyRecord({ record: changed, proof, chain: { provider: chain.provider }, contracts });
    expect(bad.valid).to.equal(false);
    expect(bad.digest.ok).to.equal(false);
  });

  it("a revoked certification verifies as revoked", async function () {
    const { record } = await certifier.client.publish("Certification", halalCertificate());
    const proof = await certifier.client.waitForProof(record.id);
    const before = await verifyRecord({ record, proof, chain: { provider: chain.provider }, contracts });
    expect(before.valid, JSON.stringify(before)).to.equal(true);
    // The certifier revokes on chain with its own key (the chain checks it is an active member).
    await chain.operator.sendTransaction({ to: certifier.key.address, value: 10n ** 17n }).then((t) => t.wait());
    await revokeRecord({
      privateKey: certifier.key.privateKey,
      chain: { provider: chain.provider },
      anchorRegistry: contracts.anchorRegistry,
      digest: record.digest,
      reason: "product recalled",
    });
    const after = await verifyRecord({ record, proof, chain: { provider: chain.provider }, contracts });
    expect(after.valid).to.equal(false);
    expect(after.revocation.revoked).to.equal(true);
    expect(after.revocation.reason).to.match(/product recalled/);
    expect(after.digest.ok && after.signature.ok && after.anchor.ok && after.membership.ok).to.equal(true);
  });

  it("key rotation: a record signed before the rotation still verifies; one signed after with the old key does not", async function () {
    const brand = await admit(hub.url, "brand-rotating", ["SHIPPER"]);
    const { record: before } = await brand.client.publish("Shipment", shipment());
    const proofBefore = await brand.client.waitForProof(before.id);
    const newKey = randomOrgKey();
    await operatorClient(hub.url).rotateKey(brand.id, newKey.publicKey);
    // The hub now refuses the old key...
    const refused = await brand.client.publish("Shipment", shipment()).catch((e: unknown) => e);
    expect((refused as HubError).status).to.be.oneOf([400, 401]);
    // ...and a record the old key signs after the rotation fails on chain even if anchored (by anyone).
    const rotated = { ...brand, client: new HubClient({ baseUrl: hub.url, orgId: brand.id, privateKey: newKey.privateKey }) };
    const { record: after } = await rotated.client.publish("Shipment", shipment());
    const proofAfter = await rotated.client.waitForProof(after.id);
    const ok = await verifyRecord({ record: before, proof: proofBefore, chain: { provider: chain.provider }, contracts });
    expect(ok.valid, JSON.stringify(ok)).to.equal(true);
    const okNew = await verifyRecord({ record: after, proof: proofAfter, chain: { provider: chain.provider }, contracts });
    expect(okNew.valid, JSON.stringify(okNew)).to.equal(true);
    // Back-dated: the same content re-signed with the rotated-out key, claiming the same anchored digest.
    const forged = signRecord(brand.key.privateKey, { ...after });
    const bad = await verifyRecord({ record: forged, proof: proofAfter, chain: { provider: chain.provider }, contracts });
    expect(bad.valid).to.equal(false);
    expect(bad.membership.ok).to.equal(false);
    expect(bad.membership.reason).to.be.a("string");
  });

  describe("access control", function () {
    it("only the owner and granted organisations read a record; others get the same 404 as for nothing", async function () {
      const { record } = await forwarder.client.publish("Shipment", shipment());
      const denied = await customs.client.getRecord(record.id).catch((e: unknown) => e);
      const missing = await customs.client.getRecord("no-such-record").catch((e: unknown) => e);
      expect((denied as HubError).status).to.equal(404);
      expect((denied as HubError).problem).to.deep.equal({ ...(missing as HubError).problem, instance: (denied as HubError).problem.instance });
      await customs.client.getProof(record.id).then(
        () => expect.fail("proof served without access"),
        (e: HubError) => expect(e.status).to.equal(404),
      );

      await forwarder.client.grant(record.id, customs.id);
      expect((await customs.client.getRecord(record.id)).record.digest).to.equal(record.digest);
      // A grantee reads but may not grant onwards.
      const regrant = await customs.client.grant(record.id, airline.id).catch((e: unknown) => e);
      expect((regrant as HubError).status).to.equal(404);
      await forwarder.client.revokeGrant(record.id, customs.id);
      expect(((await customs.client.getRecord(record.id).catch((e: unknown) => e)) as HubError).status).to.equal(404);
    });

    it("an expired grant gives no access", async function () {
      const { record } = await forwarder.client.publish("Shipment", shipment());
      await forwarder.client.grant(record.id, airline.id, new Date(Date.now() + 1500));
      expect((await airline.client.getRecord(record.id)).record.id).to.equal(record.id);
      await new Promise((r) => setTimeout(r, 1600));
      expect(((await airline.client.getRecord(record.id).catch((e: unknown) => e)) as HubError).status).to.equal(404);
    });

    it("refuses a record signed with another organisation's key, and stores nothing", async function () {
      const signedByAirline = airline.client.signRecord("Shipment", shipment());
      const posing = { ...signedByAirline, owner: forwarder.id };
      const err = (await forwarder.client.publishSigned(posing).catch((e: unknown) => e)) as HubError;
      expect(err.status).to.equal(400);
      expect(err.problem.type).to.match(/digest-mismatch|signature-invalid/);
      // Re-digest as the forwarder's record but keep the airline's signature.
      const prepared = prepareRecord({ type: "Shipment", id: signedByAirline.id, version: 1, owner: forwarder.id }, shipment());
      const wrongKey = signRecord(airline.key.privateKey, prepared);
      const err2 = (await forwarder.client.publishSigned(wrongKey).catch((e: unknown) => e)) as HubError;
      expect(err2.status).to.equal(400);
      expect(err2.problem.type).to.match(/signature-invalid/);
      expect(((await forwarder.client.getRecord(prepared.id).catch((e: unknown) => e)) as HubError).status).to.equal(404);
      // Publishing as another owner is forbidden outright.
      const asOther = (await forwarder.client.publishSigned(signedByAirline).catch((e: unknown) => e)) as HubError;
      expect(asOther.status).to.equal(403);
    });

    it("a bad body is a 400 problem naming the field, and changes nothing", async function () {
      const bad = { ...masterWaybill(), waybillNumber: "020-12345670" }; // wrong check digit
      const err = (await airline.client.publish("Waybill", bad).catch((e: unknown) => e)) as HubError;
      expect(err.status).to.equal(400);
      expect(err.problem.errors?.some((e) => e.path === "body.waybillNumber")).to.equal(true);
      const res = await fetch(`${hub.url}/v1/records`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await airline.client.accessToken()}` },
        body: "{not json",
      });
      expect(res.status).to.equal(400);
      expect(res.headers.get("content-type")).to.match(/application\/problem\+json/);
    });

    it("a batch is all or nothing", async function () {
      const good = forwarder.client.signRecord("Shipment", shipment());
      const event = forwarder.client.signRecord("LogisticsEvent", departedEvent(good.id));
      const broken = { ...forwarder.client.signRecord("Shipment", shipment()), digest: good.digest };
      const err = (await forwarder.client.publishBatch([good, event, broken]).catch((e: unknown) => e)) as HubError;
      expect(err.status).to.equal(400);
      expect(err.problem.errors?.[0]?.path).to.match(/^records\.2\./);
      expect(((await forwarder.client.getRecord(good.id).catch((e: unknown) => e)) as HubError).status).to.equal(404);
      const ok = await forwarder.client.publishBatch([good, event]);
      expect(ok.map((p) => p.id)).to.deep.equal([good.id, event.id]);
    });

    it("a large batch, checked on worker threads, names the one forged record and stores none", async function () {
      // 300 records: above the inline threshold, so the hub's record-check threads do the checking, in two chunks.
      const batch = Array.from({ length: 300 }, () => forwarder.client.signRecord("Shipment", shipment()));
      const forged = { ...batch[217]!, signature: batch[3]!.signature };
      const err = (await forwarder.client.publishBatch([...batch.slice(0, 217), forged, ...batch.slice(218)]).catch((e: unknown) => e)) as HubError;
      expect(err.status).to.equal(400);
      expect(err.problem.errors?.map((e) => e.path)).to.deep.equal(["records.217.signature"]);
      expect(((await forwarder.client.getRecord(batch[0]!.id).catch((e: unknown) => e)) as HubError).status).to.equal(404);
      const ok = await forwarder.client.publishBatch(batch);
      expect(ok.map((p) => p.id)).to.deep.equal(batch.map((r) => r.id));
    });
  });

  describe("authentication", function () {
    const tokenRequest = (assertion: string): Promise<Response> => tokenRequestTo(hub.url, assertion);

    it("requires a token", async function () {
      const res = await fetch(`${hub.url}/v1/records/anything`);
      expect(res.status).to.equal(401);
      expect(((await res.json()) as { type: string }).type).to.match(/unauthorized/);
    });

    it("refuses a replayed client assertion", async function () {
      const assertion = await createClientAssertion(forwarder.id, forwarder.key.privateKey, hub.url);
      expect((await tokenRequest(assertion)).status).to.equal(200);
      const replay = await tokenRequest(assertion);
      expect(replay.status).to.equal(401);
      // The token endpoint's one refusal (test/integration/tokens.test.ts compares them all).
      expect(((await replay.json()) as { detail: string }).detail).to.equal("The client assertion is not acceptable.");
    });

    it("refuses alg none, a foreign key, a wrong audience and an expired assertion", async function () {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: forwarder.id, sub: forwarder.id, aud: tokenEndpoint(hub.url), jti: "x1", iat: now, exp: now + 60 };
      const none = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
      expect((await tokenRequest(none)).status).to.equal(401);
      const foreign = await createClientAssertion(forwarder.id, airline.key.privateKey, hub.url);
      expect((await tokenRequest(foreign)).status).to.equal(401);
      const otherHub = await createClientAssertion(forwarder.id, forwarder.key.privateKey, "http://127.0.0.1:1");
      expect((await tokenRequest(otherHub)).status).to.equal(401);
      const key = await importJWK(secp256k1Jwk(forwarder.key.publicKey, forwarder.key.privateKey), "ES256K");
      const expired = await new SignJWT({})
        .setProtectedHeader({ alg: "ES256K" })
        .setIssuer(forwarder.id)
        .setSubject(forwarder.id)
        .setAudience(tokenEndpoint(hub.url))
        .setJti("old-1")
        .setIssuedAt(now - 600)
        .setExpirationTime(now - 540)
        .sign(key);
      const res = await tokenRequest(expired);
      expect(res.status).to.equal(401);
    });

    it("refuses an expired or forged access token", async function () {
      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ roles: ["FORWARDER"] })
        .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
        .setIssuer(hub.url)
        .setAudience(hub.url)
        .setSubject(forwarder.id)
        .setIssuedAt(now - 3600)
        .setExpirationTime(now - 60)
        .sign(new TextEncoder().encode(TOKEN_SECRET));
      const forged = await new SignJWT({ roles: ["OPERATOR"] })
        .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
        .setIssuer(hub.url)
        .setAudience(hub.url)
        .setSubject("operator")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(new TextEncoder().encode("not-the-hub-secret-not-the-hub-secret"));
      for (const token of [expired, forged, "not.a.token"]) {
        const res = await fetch(`${hub.url}/v1/orgs/operator`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).to.equal(401);
      }
    });

    it("a suspended organisation is refused until reinstated", async function () {
      const brand = await admit(hub.url, "brand-suspended", ["SHIPPER"]);
      await brand.client.publish("Shipment", shipment());
      const operator = operatorClient(hub.url);
      expect((await operator.suspend(brand.id)).status).to.equal("SUSPENDED");
      const refused = (await brand.client.publish("Shipment", shipment()).catch((e: unknown) => e)) as HubError;
      expect(refused.status).to.equal(401);
      const notOperator = (await forwarder.client.reinstate(brand.id).catch((e: unknown) => e)) as HubError;
      expect(notOperator.status).to.equal(403);
      await operator.reinstate(brand.id);
      expect((await brand.client.publish("Shipment", shipment())).published.status).to.equal("PENDING");
    });

    it("only the operator admits organisations", async function () {
      const err = (await forwarder.client
        .admitOrganization({ id: "sneaky", name: "x", roles: ["CUSTOMS"], publicKey: randomOrgKey().publicKey })
        .catch((e: unknown) => e)) as HubError;
      expect(err.status).to.equal(403);
      const lookup = (await forwarder.client.getOrganization("sneaky").catch((e: unknown) => e)) as HubError;
      expect(lookup.status).to.equal(404);
    });
  });

  it("the public verify endpoint gives the SDK's verdict", async function () {
    const { record } = await forwarder.client.publish("Shipment", shipment());
    const proof = await forwarder.client.waitForProof(record.id);
    const anonymous = new HubClient({ baseUrl: hub.url });
    const verdict = await anonymous.verifyRemote(redact(record, ["consignee"]), proof);
    expect(verdict.valid).to.equal(true);
    const bad = await anonymous.verifyRemote({ ...record, body: { ...record.body, pieceCount: 99 } }, proof);
    expect(bad.valid).to.equal(false);
    expect(bad.digest.ok).to.equal(false);
    // Malformed input is a verdict with reasons, not an error; a non-object body is a 400 problem.
    const res = await fetch(`${hub.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: "[1,2]" });
    expect(res.status).to.equal(400);
  });

  it("limits public verification per client", async function () {
    // This hub allows VERIFY_RATE_PER_MIN=8; the test above used 2 or 3 of them.
    let limited: Response | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const res = await fetch(`${hub.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      if (res.status === 429) limited = res;
      else expect(res.status).to.equal(200);
    }
    expect(limited, "a 429 within 10 requests").to.not.equal(undefined);
    expect(Number(limited!.headers.get("retry-after"))).to.be.within(1, 60);
    expect(((await limited!.json()) as { type: string }).type).to.match(/rate-limited/);
  });
});
