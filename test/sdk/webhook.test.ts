import { expect } from "chai";
import { signWebhook, verifyWebhookSignature } from "../../sdk/webhook";
import { signedHeaders } from "../../server/notifications/signature";

describe("webhook signatures (sdk/webhook.ts)", function () {
  const secret = "whsec_" + "k".repeat(40);
  const body = JSON.stringify({ id: 7, kind: "RECORD_UPDATED", recordId: "r1", version: 2 });
  const now = new Date("2026-03-01T12:00:00Z");

  it("verifies what the hub signs, with Node and fetch-style headers", function () {
    const headers = signedHeaders(secret, "sub:7", body, now);
    expect(headers["cargoproof-signature"]).to.match(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, headers, body, { now })).to.equal(true);
    expect(verifyWebhookSignature(secret, new Headers(headers), Buffer.from(body), { now })).to.equal(true);
  });

  it("refuses a tampered body, another secret, a missing or malformed signature", function () {
    const headers = signedHeaders(secret, "sub:7", body, now);
    expect(verifyWebhookSignature(secret, headers, body.replace('"version":2', '"version":3'), { now })).to.equal(false);
    expect(verifyWebhookSignature(secret + "x", headers, body, { now })).to.equal(false);
    expect(verifyWebhookSignature(secret, { ...headers, "cargoproof-signature": undefined }, body, { now })).to.equal(false);
    expect(verifyWebhookSignature(secret, { ...headers, "cargoproof-signature": "v1=zz" }, body, { now })).to.equal(false);
    expect(verifyWebhookSignature(secret, { ...headers, "cargoproof-timestamp": "soon" }, body, { now })).to.equal(false);
  });

  it("binds the timestamp: a replay outside the tolerance or a changed timestamp fails", function () {
    const headers = signedHeaders(secret, "sub:7", body, now);
    const later = new Date(now.getTime() + 301_000);
    expect(verifyWebhookSignature(secret, headers, body, { now: later })).to.equal(false);
    expect(verifyWebhookSignature(secret, headers, body, { now: later, toleranceS: 400 })).to.equal(true);
    const shifted = { ...headers, "cargoproof-timestamp": String(Number(headers["cargoproof-timestamp"]) + 1) };
    expect(verifyWebhookSignature(secret, shifted, body, { now })).to.equal(false);
  });

  it("accepts any one of several signatures (secret rotation) and signs timestamp.body", function () {
    const ts = Math.floor(now.getTime() / 1000);
    const expected = signWebhook(secret, ts, body);
    const headers = { "Cargoproof-Timestamp": String(ts), "Cargoproof-Signature": `v1=${"0".repeat(64)} ${expected}` };
    expect(verifyWebhookSignature(secret, headers, body, { now })).to.equal(true);
    expect(signWebhook(secret, ts, body)).to.not.equal(signWebhook(secret, ts + 1, body));
  });
});

describe("webhook delivery rules (server/notifications)", function () {
  it("backs off exponentially with jitter, capped at ten minutes", async function () {
    const { backoffMs } = await import("../../server/notifications/webhook-worker");
    expect(backoffMs(1, 1000, () => 0)).to.equal(500);
    expect(backoffMs(1, 1000, () => 1)).to.equal(1000);
    expect(backoffMs(4, 1000, () => 1)).to.equal(8000);
    expect(backoffMs(40, 1000, () => 1)).to.equal(600_000);
    expect(backoffMs(40, 1000, () => 0)).to.equal(300_000);
  });

  it("treats loopback, private, link-local and mapped addresses as private, public ones not", async function () {
    const { isPrivateAddress } = await import("../../server/notifications/url-guard");
    for (const a of ["127.0.0.1", "10.0.0.5", "172.20.1.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "not-an-ip"])
      expect(isPrivateAddress(a), a).to.equal(true);
    for (const a of ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect(isPrivateAddress(a), a).to.equal(false);
  });

  it("refuses non-http(s) URLs and private hosts unless allowed", async function () {
    const { checkWebhookUrl, WebhookUrlError } = await import("../../server/notifications/url-guard");
    const refused = async (url: string, allow = false) => (await checkWebhookUrl(url, allow).then(() => undefined, (e: unknown) => e)) instanceof WebhookUrlError;
    expect(await refused("ftp://example.com/")).to.equal(true);
    expect(await refused("http://user:pw@example.com/")).to.equal(true);
    expect(await refused("http://127.0.0.1:8080/x")).to.equal(true);
    expect(await refused("http://[::1]/x")).to.equal(true);
    expect(await refused("http://127.0.0.1:8080/x", true)).to.equal(false);
    expect(await refused("http://8.8.8.8/hook")).to.equal(false);
  });

  it("matches notifications by record, type, kinds and detail filter", async function () {
    const { matches } = await import("../../server/notifications/subscriptions");
    const n = { seq: 1, kind: "RECORD_UPDATED", recordId: "r1", version: 2, detail: { type: "Shipment", changed: ["pieceCount"] }, createdAt: new Date(), recordType: "Shipment", recordOwner: "o" };
    const none = { recordId: null, recordType: null, kinds: null, filter: null };
    expect(matches(none, n)).to.equal(true);
    expect(matches({ ...none, recordId: "r2" }, n)).to.equal(false);
    expect(matches({ ...none, recordType: "Waybill" }, n)).to.equal(false);
    expect(matches({ ...none, kinds: ["CUSTOMS_DECISION"] }, n)).to.equal(false);
    expect(matches({ ...none, filter: { changed: ["totalGrossWeight", "pieceCount"] } }, n)).to.equal(true);
    expect(matches({ ...none, filter: { changed: ["totalGrossWeight"] } }, n)).to.equal(false);
    expect(matches({ ...none, filter: { eventCode: ["DEP"] } }, n)).to.equal(false);
  });
});
