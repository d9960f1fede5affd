// The SDK's HubClient against a real hub behind a proxy that fails on purpose (issue 16 item 5):
// idempotent requests (GET) are retried on network errors and 502/503/504, a bounded number of
// times; a POST that may have reached the hub is never sent twice; a 401 from an expired token makes
// the client renew it once and carry on. Counts are taken at the proxy.
import { expect } from "chai";
import { HubClient, HubError } from "../../sdk/client";
import { randomOrgKey } from "../../sdk/keys";
import { epcisDocument } from "../browser/product-fixture";
import { shipment } from "../fixtures";
import { startFaultProxy, type FaultProxy } from "../fault-proxy";
import { freshDatabase, hubEnv, operatorClient, startHubProcess, startTestChain, type HubProcess, type TestChain } from "../integration/harness";

describe("HubClient against a hub that fails on purpose", function () {
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  /** The hub with its usual token lifetime, behind `proxy`. */
  let hub: HubProcess;
  let proxy: FaultProxy;
  /** A second instance on the same database whose tokens last 1 s, behind `shortProxy`. */
  let shortHub: HubProcess;
  let shortProxy: FaultProxy;
  const key = randomOrgKey();
  const ORG = "forwarder-f";

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    proxy = await startFaultProxy();
    shortProxy = await startFaultProxy();
    // Each instance's PUBLIC_URL is its proxy: client assertions name the URL the client talks to.
    hub = await startHubProcess(hubEnv(chain, database.url, { PUBLIC_URL: proxy.url, CUSTOMS_MATCHER: "off", WEBHOOK_WORKER: "off" }));
    proxy.target = hub.url;
    shortHub = await startHubProcess(
      hubEnv(chain, database.url, { PUBLIC_URL: shortProxy.url, ACCESS_TOKEN_TTL_S: "1", ANCHOR_WORKER: "off", CUSTOMS_MATCHER: "off", WEBHOOK_WORKER: "off" }),
    );
    shortProxy.target = shortHub.url;
    await operatorClient(proxy.url).admitOrganization({
      id: ORG,
      name: ORG,
      roles: ["FORWARDER"],
      publicKey: key.publicKey,
      credentials: [{ kind: "LICENSED_FORWARDER", scope: {} }],
    });
  });

  after(async function () {
    await shortHub?.stop();
    await hub?.stop();
    await shortProxy?.close();
    await proxy?.close();
    await database?.drop();
    await chain?.stop();
  });

  beforeEach(() => {
    proxy.reset();
    shortProxy.reset();
  });

  /** A client of the test organisation through `via`, its token already fetched (so counts are of the call alone). */
  async function member(via: FaultProxy): Promise<HubClient> {
    const client = new HubClient({ baseUrl: via.url, orgId: ORG, privateKey: key.privateKey });
    await client.accessToken();
    via.seen.length = 0;
    return client;
  }

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => expect.fail("the call should have failed"),
      (e: unknown) => e,
    );

  describe("idempotent requests (GET) are retried", function () {
    it("after connection resets, until one gets through", async function () {
      const client = await member(proxy);
      proxy.fail({ method: "GET", path: `/v1/orgs/${ORG}`, fault: { kind: "reset" }, times: 2 });
      expect((await client.getOrganization(ORG)).id).to.equal(ORG);
      expect(proxy.count("GET", `/v1/orgs/${ORG}`)).to.equal(3);
      expect(proxy.count("GET", `/v1/orgs/${ORG}`, "forwarded")).to.equal(1);
    });

    it("after 503 and 504 answers", async function () {
      const client = await member(proxy);
      proxy.fail({ method: "GET", path: `/v1/orgs/${ORG}`, fault: { kind: "status", status: 503 }, times: 1 });
      proxy.fail({ method: "GET", path: `/v1/orgs/${ORG}`, fault: { kind: "status", status: 504 }, times: 1 });
      expect((await client.getOrganization(ORG)).id).to.equal(ORG);
      expect(proxy.count("GET", `/v1/orgs/${ORG}`)).to.equal(3);
      expect(proxy.count("GET", `/v1/orgs/${ORG}`, "forwarded")).to.equal(1);
    });

    it("after a 429 or 503, no sooner than its Retry-After says", async function () {
      const client = await member(proxy);
      proxy.fail({ method: "GET", path: `/v1/orgs/${ORG}`, fault: { kind: "status", status: 429, retryAfter: "1" }, times: 1 });
      expect((await client.getOrganization(ORG)).id).to.equal(ORG);
      const tries = proxy.seen.filter((s) => s.path === `/v1/orgs/${ORG}`);
      expect(tries).to.have.length(2);
      expect(tries[1]!.at - tries[0]!.at).to.be.at.least(950);
      proxy.fail({
        method: "GET",
        path: `/v1/orgs/${ORG}`,
        fault: { kind: "status", status: 503, retryAfter: new Date(Date.now() + 2000).toUTCString() },
        times: 1,
      });
      proxy.seen.length = 0;
      expect((await client.getOrganization(ORG)).id).to.equal(ORG);
      // An HTTP-date has whole seconds: at least the second after the next one.
      expect(proxy.seen[1]!.at - proxy.seen[0]!.at).to.be.at.least(950);
    });

    it("not when the Retry-After is longer than the client waits: that answer is the caller's", async function () {
      const client = new HubClient({ baseUrl: proxy.url, orgId: ORG, privateKey: key.privateKey, maxRetryAfterMs: 5000 });
      await client.accessToken();
      proxy.seen.length = 0;
      proxy.fail({ method: "GET", path: `/v1/orgs/${ORG}`, fault: { kind: "status", status: 503, retryAfter: "3600" }, times: 1 });
      const started = Date.now();
      const err = await refusal(client.getOrganization(ORG));
      expect((err as HubError).status).to.equal(503);
      expect(Date.now() - started).to.be.below(3000);
      expect(proxy.count("GET", `/v1/orgs/${ORG}`)).to.equal(1);
    });

    it("a bounded number of times: then the gateway's 502 is a HubError, even when its page is not JSON", async function () {
      const client = await member(proxy);
      proxy.fail({ method: "GET", path: `/v1/orgs/${ORG}`, fault: { kind: "status", status: 502 }, times: 10 });
      const err = await refusal(client.getOrganization(ORG));
      expect(err).to.be.instanceOf(HubError);
      expect((err as HubError).status).to.equal(502);
      expect(proxy.count("GET", `/v1/orgs/${ORG}`)).to.equal(3); // the first try and the default 2 retries
      expect(proxy.count("GET", `/v1/orgs/${ORG}`, "forwarded")).to.equal(0);
    });

    it("a bounded number of times after resets: then the network error", async function () {
      const client = new HubClient({ baseUrl: proxy.url, orgId: ORG, privateKey: key.privateKey, retries: 1 });
      await client.accessToken();
      proxy.seen.length = 0;
      proxy.fail({ method: "GET", path: `/v1/orgs/${ORG}`, fault: { kind: "reset" }, times: 10 });
      const err = await refusal(client.getOrganization(ORG));
      expect(err).to.be.instanceOf(TypeError); // fetch's network error
      expect(proxy.count("GET", `/v1/orgs/${ORG}`)).to.equal(2);
    });
  });

  describe("a POST that may have reached the hub is never sent twice", function () {
    for (const fault of [
      { kind: "reset" },
      { kind: "status", status: 503 },
      { kind: "reset-after-forward" },
      { kind: "status-after-forward", status: 502 },
      { kind: "status-after-forward", status: 504 },
    ] as const) {
      it(`${fault.kind}${"status" in fault ? ` ${fault.status}` : ""}: one attempt, the failure reported`, async function () {
        const client = await member(proxy);
        proxy.fail({ method: "POST", path: "/v1/records", fault, times: 1 });
        const record = client.signRecord("Shipment", shipment());
        const err = await refusal(client.publishSigned(record));
        if (fault.kind === "reset" || fault.kind === "reset-after-forward") expect(err).to.be.instanceOf(TypeError);
        else expect(err).to.be.instanceOf(HubError).and.have.property("status", fault.status);
        expect(proxy.count("POST", "/v1/records")).to.equal(1);
        // Where the hub had it, it took it once; where it never saw it, there is nothing.
        const read = await client.getRecord(record.id).then(
          (stored) => stored.record.digest,
          (e: unknown) => e,
        );
        if (fault.kind.endsWith("after-forward")) expect(read).to.equal(record.digest);
        else expect(read).to.be.instanceOf(HubError).and.have.property("status", 404);
      });
    }
  });

  describe("a 401 from an expired token", function () {
    /** A client that believes its 1-second token lasts an hour (the proxy rewrites expires_in), once that token has expired at the hub. */
    async function withExpiredToken(): Promise<HubClient> {
      shortProxy.rewriteTokenLifetimeS = 3600;
      const client = await member(shortProxy);
      await new Promise((r) => setTimeout(r, 2_200));
      return client;
    }

    it("makes a GET renew the token once and succeed", async function () {
      const client = await withExpiredToken();
      expect((await client.getOrganization(ORG)).id).to.equal(ORG);
      expect(shortProxy.seen.map((s) => `${s.method} ${s.path} ${s.hubStatus}`)).to.deep.equal([
        `GET /v1/orgs/${ORG} 401`,
        "POST /v1/auth/token 200",
        `GET /v1/orgs/${ORG} 200`,
      ]);
    });

    it("makes a POST renew the token once and publish once (the hub refused the first before handling it)", async function () {
      const client = await withExpiredToken();
      const { record } = await client.publish("Shipment", shipment());
      expect(shortProxy.seen.map((s) => `${s.method} ${s.path} ${s.hubStatus}`)).to.deep.equal([
        "POST /v1/records 401",
        "POST /v1/auth/token 200",
        "POST /v1/records 201",
      ]);
      expect((await client.getRecord(record.id)).record.version).to.equal(1);
    });

    it("renews after a retried 503 too", async function () {
      const client = await withExpiredToken();
      shortProxy.fail({ method: "GET", path: `/v1/orgs/${ORG}`, fault: { kind: "status", status: 503 }, times: 1 });
      expect((await client.getOrganization(ORG)).id).to.equal(ORG);
      expect(shortProxy.seen.map((s) => `${s.method} ${s.path} ${s.hubStatus}`)).to.deep.equal([
        `GET /v1/orgs/${ORG} undefined`,
        `GET /v1/orgs/${ORG} 401`,
        "POST /v1/auth/token 200",
        `GET /v1/orgs/${ORG} 200`,
      ]);
    });

    it("makes an EPCIS capture (a POST of its own media type) renew the token once, captured once", async function () {
      const client = await withExpiredToken();
      const event = {
        type: "ObjectEvent",
        eventTime: "2026-04-21T07:00:00+08:00",
        eventTimeZoneOffset: "+08:00",
        action: "OBSERVE",
        bizStep: "departing",
        epcList: ["urn:epc:id:sgtin:0614141.107346.2018"],
      };
      const job = await client.captureEpcis(epcisDocument([event]));
      expect(job).to.be.a("string").and.not.equal("");
      expect(shortProxy.seen.map((s) => `${s.method} ${s.path} ${s.hubStatus}`)).to.deep.equal([
        "POST /epcis/capture 401",
        "POST /v1/auth/token 200",
        "POST /epcis/capture 202",
      ]);
    });

    it("makes a streamed GET (the audit export) renew the token, and retry a reset", async function () {
      const client = await withExpiredToken();
      shortProxy.fail({ method: "GET", path: "/v1/audit/export", fault: { kind: "reset" }, times: 1 });
      const lines: string[] = [];
      for await (const line of client.exportLines({ scope: "own" })) lines.push(line);
      expect(lines.length).to.be.at.least(2); // a header and an end line at least
      expect(shortProxy.seen.map((s) => `${s.method} ${s.path} ${s.hubStatus}`)).to.deep.equal([
        "GET /v1/audit/export undefined",
        "GET /v1/audit/export 401",
        "POST /v1/auth/token 200",
        "GET /v1/audit/export 200",
      ]);
    });

    it("renews only once: a second 401 is the caller's answer", async function () {
      const client = await withExpiredToken();
      const expired = await client.accessToken();
      // The retried request carries the expired token again (as a caching gateway might): the hub refuses it too.
      shortProxy.fail({ method: "GET", path: `/v1/orgs/${ORG}`, fault: { kind: "bearer", token: expired }, times: 2 });
      const err = await refusal(client.getOrganization(ORG));
      expect(err).to.be.instanceOf(HubError).and.have.property("status", 401);
      expect(shortProxy.seen.map((s) => `${s.method} ${s.path} ${s.hubStatus}`)).to.deep.equal([
        `GET /v1/orgs/${ORG} 401`,
        "POST /v1/auth/token 200",
        `GET /v1/orgs/${ORG} 401`,
      ]);
    });
  });
});
