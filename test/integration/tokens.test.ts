// Keys and tokens (issue 13): the hub refuses public development keys without the flag, access tokens
// die with a key rotation or suspension (on every instance), and the token endpoint has one refusal.
import { expect } from "chai";
import { SignJWT, importJWK } from "jose";
import { createClientAssertion, tokenEndpoint } from "../../sdk/assertion";
import { randomOrgKey, secp256k1Jwk } from "../../sdk/keys";
import {
  OPERATOR_KEY,
  admit,
  freshDatabase,
  hubEnv,
  operatorClient,
  startHubProcess,
  startTestChain,
  tokenRequest,
  type HubProcess,
  type TestChain,
} from "./harness";

describe("keys and tokens", function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  /** A second hub instance on the same database (what several instances behind a balancer share). */
  let other: HubProcess;

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    hub = await startHubProcess((port) => hubEnv(chain, database.url, { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }));
    const publicUrl = hub.url;
    // The same PUBLIC_URL: tokens name it as their issuer, and every instance accepts the others'.
    const quiet = { ANCHOR_WORKER: "off", CUSTOMS_MATCHER: "off", WEBHOOK_WORKER: "off" };
    other = await startHubProcess(hubEnv(chain, database.url, { ...quiet, PUBLIC_URL: publicUrl }));
  });

  after(async function () {
    await other?.stop();
    await hub?.stop();
    await database?.drop();
    await chain?.stop();
  });

  const tokenResponse = (assertion: string): Promise<Response> => tokenRequest(hub.url, assertion);

  async function accessToken(orgId: string, privateKey: string): Promise<string> {
    const res = await tokenResponse(await createClientAssertion(orgId, privateKey, hub.url));
    expect(res.status, await res.clone().text()).to.equal(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** The status a call with this token gets, on the given instance. */
  async function statusWith(token: string, at: HubProcess, orgId: string): Promise<number> {
    const res = await fetch(`${at.url}/v1/orgs/${orgId}`, { headers: { authorization: `Bearer ${token}` } });
    await res.body?.cancel();
    return res.status;
  }

  describe("Hardhat's public development keys", function () {
    it("a hub given one without ALLOW_DEV_KEYS refuses to start, naming the variable and not the key", async function () {
      const env = { ...hubEnv(chain, database.url) };
      delete (env as Record<string, string | undefined>).ALLOW_DEV_KEYS;
      const started = await startHubProcess(env).catch((e: unknown) => e);
      if (!(started instanceof Error)) await (started as HubProcess).stop();
      const err = started as Error;
      expect(err).to.be.instanceOf(Error);
      expect(err.message).to.match(/failed to start: OPERATOR_PRIVATE_KEY and ANCHORER_PRIVATE_KEY hold a public Hardhat development key/);
      expect(err.message).to.include("ALLOW_DEV_KEYS=true");
      expect(err.message).to.not.include(OPERATOR_KEY.slice(2));
    });

    it("with ALLOW_DEV_KEYS=true on the local chain (31337) it starts, and says so", async function () {
      expect((await fetch(`${hub.url}/health`)).ok).to.equal(true);
      expect(hub.output()).to.match(/warning: OPERATOR_PRIVATE_KEY and ANCHORER_PRIVATE_KEY: Hardhat's public development keys, allowed on local chain 31337/);
    });
  });

  describe("access tokens end with a key rotation or a suspension", function () {
    it("a token from before a rotation is refused at once on every instance; a new one works", async function () {
      const org = await admit(hub.url, "rotating-forwarder", ["FORWARDER"]);
      const before = await accessToken(org.id, org.key.privateKey);
      expect(await statusWith(before, hub, org.id)).to.equal(200);
      expect(await statusWith(before, other, org.id)).to.equal(200);

      const next = randomOrgKey();
      await operatorClient(hub.url).rotateKey(org.id, next.publicKey);
      expect(await statusWith(before, hub, org.id)).to.equal(401);
      expect(await statusWith(before, other, org.id)).to.equal(401);

      const after = await accessToken(org.id, next.privateKey);
      expect(await statusWith(after, hub, org.id)).to.equal(200);
      expect(await statusWith(after, other, org.id)).to.equal(200);
      // The old key no longer gets a token at all.
      expect((await tokenResponse(await createClientAssertion(org.id, org.key.privateKey, hub.url))).status).to.equal(401);
    });

    it("a token from before a suspension is refused, and stays refused after reinstatement", async function () {
      const org = await admit(hub.url, "suspended-airline", ["AIRLINE"]);
      const before = await accessToken(org.id, org.key.privateKey);
      expect(await statusWith(before, other, org.id)).to.equal(200);
      await operatorClient(hub.url).suspend(org.id);
      expect(await statusWith(before, hub, org.id)).to.equal(401);
      expect(await statusWith(before, other, org.id)).to.equal(401);
      await operatorClient(hub.url).reinstate(org.id);
      expect(await statusWith(before, other, org.id)).to.equal(401);
      expect(await statusWith(await accessToken(org.id, org.key.privateKey), other, org.id)).to.equal(200);
    });
    it("a notification stream opened before a rotation ends within a poll of it", async function () {
      const org = await admit(hub.url, "streaming-forwarder", ["FORWARDER"]);
      const token = await accessToken(org.id, org.key.privateKey);
      const res = await fetch(`${hub.url}/v1/notifications/stream`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).to.equal(200);
      const reader = res.body!.getReader();
      await reader.read(); // the stream's opening lines
      const rotatedAt = Date.now();
      await operatorClient(hub.url).rotateKey(org.id, randomOrgKey().publicKey);
      // The hub's slow poll is 2 s (the default): the stream must end well before the test's timeout.
      const ended = await Promise.race([
        (async () => {
          for (;;) if ((await reader.read()).done) return true;
        })(),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 8000)),
      ]);
      expect(ended, "the stream still open 8 s after the rotation").to.equal(true);
      expect(Date.now() - rotatedAt).to.be.below(8000);
      expect(await statusWith(token, hub, org.id)).to.equal(401);
    });
  });

  describe("the token endpoint has one refusal", function () {
    it("unknown organisation, bad signature, suspended, wrong audience, expired, replayed, alg none: the same 401, byte for byte", async function () {
      const member = await admit(hub.url, "probed-member", ["FORWARDER"]);
      const suspended = await admit(hub.url, "probed-suspended", ["FORWARDER"]);
      await operatorClient(hub.url).suspend(suspended.id);
      const stranger = randomOrgKey();
      const now = Math.floor(Date.now() / 1000);
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const key = await importJWK(secp256k1Jwk(member.key.publicKey, member.key.privateKey), "ES256K");
      const expired = await new SignJWT({})
        .setProtectedHeader({ alg: "ES256K" })
        .setIssuer(member.id)
        .setSubject(member.id)
        .setAudience(tokenEndpoint(hub.url))
        .setJti("expired-1")
        .setIssuedAt(now - 600)
        .setExpirationTime(now - 540)
        .sign(key);
      const used = await createClientAssertion(member.id, member.key.privateKey, hub.url);
      expect((await tokenResponse(used)).status).to.equal(200);

      const attempts: Record<string, string> = {
        "unknown organisation": await createClientAssertion("no-such-org", stranger.privateKey, hub.url),
        "bad signature": await createClientAssertion(member.id, stranger.privateKey, hub.url),
        suspended: await createClientAssertion(suspended.id, suspended.key.privateKey, hub.url),
        "wrong audience": await createClientAssertion(member.id, member.key.privateKey, "http://127.0.0.1:1"),
        expired,
        replayed: used,
        "alg none": `${b64({ alg: "none", typ: "JWT" })}.${b64({ iss: member.id, sub: member.id, aud: tokenEndpoint(hub.url), jti: "n1", iat: now, exp: now + 60 })}.`,
        "not a JWT": "not-a-jwt",
      };
      const answers: Record<string, string> = {};
      for (const [what, assertion] of Object.entries(attempts)) {
        const res = await tokenResponse(assertion);
        answers[what] = `${res.status} ${res.headers.get("content-type")} ${await res.text()}`;
      }
      const distinct = new Set(Object.values(answers));
      expect(distinct.size, JSON.stringify(answers, null, 2)).to.equal(1);
      const [answer] = [...distinct];
      expect(answer).to.match(/^401 application\/problem\+json/);
      expect(answer).to.include("The client assertion is not acceptable.");
    });
  });
});
