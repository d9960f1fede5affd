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

  // From the rules (server/notifications/public-address.ts), not only the reported examples.
  const notPublic = [
    // IPv4: this network 0/8, RFC 1918, CGNAT 100.64/10, loopback, link-local, IETF/test/benchmark nets, multicast, 240/4, broadcast
    ...["0.0.0.0", "0.1.2.3", "10.0.0.1", "100.64.0.1", "100.127.255.255", "127.0.0.1", "127.255.255.254", "169.254.169.254", "172.16.0.1", "172.31.255.255"],
    ...["192.0.0.8", "192.0.2.1", "192.168.1.1", "198.18.0.1", "198.51.100.1", "203.0.113.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255"],
    // IPv4 written the other ways ipaddr.js reads (decimal, hex, octal, short forms)
    ...["2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "127.1", "10.1"],
    // IPv6: unspecified, loopback, IPv4-compatible ::/96 (deprecated, refused whatever it carries), IPv4-mapped, IPv4-translated
    ...[
      "::",
      "::1",
      "::127.0.0.1",
      "::7f00:1",
      "::8.8.8.8",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "::ffff:a9fe:a9fe",
      "::ffff:0:7f00:1",
      "::ffff:0:808:808",
    ],
    // NAT64 well-known prefix carrying a private IPv4, the local-use NAT64 prefix (RFC 8215), 6to4 carrying a private IPv4
    ...[
      "64:ff9b::7f00:1",
      "64:ff9b::a00:1",
      "64:ff9b::127.0.0.1",
      "64:ff9b:1::7f00:1",
      "64:ff9b:1::808:808",
      "2002:7f00:1::1",
      "2002:c0a8:101::1",
      "2002:a9fe:a9fe::",
    ],
    // Teredo: private client (127.0.0.1 inverted = 80ff:fffe), private server (10.0.0.1)
    ...["2001:0:4136:e378:8000:63bf:80ff:fffe", "2001:0:a00:1:8000:63bf:f7f7:f7f7"],
    // link-local, site-local, unique-local, multicast, discard, documentation, benchmarking, ORCHID, segment routing, outside 2000::/3
    ...[
      "fe80::1",
      "febf::1",
      "fe80::1%eth0",
      "fec0::1",
      "fc00::1",
      "fd12:3456::1",
      "ff02::1",
      "ff0e::1",
      "100::1",
      "2001:db8::1",
      "2001:2::1",
      "2001:20::1",
      "5f00::1",
      "4000::1",
      "1::1",
    ],
    // not an address at all
    ...["not-an-ip", "", "1.2.3.4.5", "[::1]"],
  ];
  const publicOnes = [
    ...["8.8.8.8", "93.184.216.34", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "192.169.0.1", "223.255.255.254"],
    ...[
      "::ffff:8.8.8.8",
      "::ffff:808:808",
      "64:ff9b::808:808",
      "64:ff9b::8.8.8.8",
      "2002:808:808::1",
      "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
      "2606:4700:4700::1111",
      "2a00:1450:4001::1",
    ],
  ];

  it("treats only public unicast addresses as public, unpacking the IPv4 inside mapped, NAT64, 6to4 and Teredo forms", async function () {
    const { isPublicAddress } = await import("../../server/notifications/public-address");
    for (const a of notPublic) expect(isPublicAddress(a), a).to.equal(false);
    for (const a of publicOnes) expect(isPublicAddress(a), a).to.equal(true);
  });

  it("refuses a subscription to a non-public address in any URL form with a 400 naming the field", async function () {
    const { webhookUrl } = await import("../../server/notifications/subscriptions");
    const { HttpProblem } = await import("../../server/http/problem");
    const urls = [
      ...[
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://127.1:8080/",
        "http://0/",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest",
      ],
      ...[
        "http://[::127.0.0.1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:0:7f00:1]/",
        "http://[64:ff9b:1::7f00:1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::1]/",
      ],
      ...[
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[ff02::1]/",
        "http://[::]/",
        "https://[::1]:8443/x",
      ],
    ];
    for (const url of urls) {
      const err = await webhookUrl({ allowPrivate: false }, url, "delivery.url").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, url).to.be.instanceOf(HttpProblem);
      const problem = err as InstanceType<typeof HttpProblem>;
      expect(problem.status, url).to.equal(400);
      expect(problem.kind, url).to.equal("invalid-webhook-url");
      expect(problem.errors?.[0]?.path, url).to.equal("delivery.url");
      expect(await webhookUrl({ allowPrivate: true }, url, "delivery.url"), url).to.be.a("string");
    }
    expect(await webhookUrl({ allowPrivate: false }, "http://[64:ff9b::808:808]/hook", "delivery.url")).to.equal("http://[64:ff9b::808:808]/hook");
  });

  it("judges every address a host name resolves to", async function () {
    const { checkWebhookUrl, WebhookUrlError } = await import("../../server/notifications/url-guard");
    const resolverOf =
      (table: Record<string, string[]>) => (host: string, cb: (e: NodeJS.ErrnoException | null, a: { address: string; family: number }[]) => void) =>
        table[host]
          ? cb(
              null,
              table[host]!.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
            )
          : cb(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }), []);
    const resolver = resolverOf({
      "good.example": ["8.8.8.8", "2606:4700:4700::1111"],
      "mixed.example": ["8.8.8.8", "::ffff:7f00:1"],
      "nat64.example": ["64:ff9b:1::a00:1"],
    });
    const refused = async (url: string) =>
      (await checkWebhookUrl(url, false, resolver).then(
        () => undefined,
        (e: unknown) => e,
      )) instanceof WebhookUrlError;
    expect(await refused("https://good.example/hook")).to.equal(false);
    expect(await refused("https://mixed.example/hook")).to.equal(true);
    expect(await refused("https://nat64.example/hook")).to.equal(true);
    expect(await refused("https://nowhere.example/hook")).to.equal(true);
  });

  it("refuses at connect time a name that resolves to a private address (DNS rebinding), and connects to the address it checked", async function () {
    const { publicOnlyLookup } = await import("../../server/notifications/url-guard");
    const { postWebhook } = await import("../../server/notifications/post");
    const { createServer, request } = await import("node:http");
    let calls = 0;
    const server = createServer((_req, res) => {
      calls++;
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as import("node:net").AddressInfo).port;
    try {
      // A name that passed the subscription check (public) and now resolves to loopback.
      let answer = "8.8.8.8";
      const rebinding = publicOnlyLookup((_host, cb) => cb(null, [{ address: answer, family: 4 }]));
      answer = "127.0.0.1";
      const err = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
        const req = request({ host: "hooks.example", port, method: "POST", lookup: rebinding }, () => reject(new Error("connected")));
        req.on("error", resolve);
        req.end("x");
      });
      expect(err.code).to.equal("EPRIVATE");
      // The same through the delivery itself, with the system resolver: localhost is 127.0.0.1.
      const refused = await postWebhook(`http://localhost:${port}/hook`, {}, "{}", { timeoutMs: 2000, allowPrivate: false });
      expect(refused.ok).to.equal(false);
      expect(refused.error).to.match(/EPRIVATE/);
      const literal = await postWebhook(`http://[::ffff:7f00:1]:${port}/hook`, {}, "{}", { timeoutMs: 2000, allowPrivate: false });
      expect(literal.ok).to.equal(false);
      expect(calls).to.equal(0);
      // The receiver is reachable: the refusals above were the guard's.
      expect((await postWebhook(`http://localhost:${port}/hook`, {}, "{}", { timeoutMs: 2000, allowPrivate: true })).ok).to.equal(true);
      expect(calls).to.equal(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("refuses non-http(s) URLs and private hosts unless allowed", async function () {
    const { checkWebhookUrl, WebhookUrlError } = await import("../../server/notifications/url-guard");
    const refused = async (url: string, allow = false) =>
      (await checkWebhookUrl(url, allow).then(
        () => undefined,
        (e: unknown) => e,
      )) instanceof WebhookUrlError;
    expect(await refused("ftp://example.com/")).to.equal(true);
    expect(await refused("http://user:pw@example.com/")).to.equal(true);
    expect(await refused("http://127.0.0.1:8080/x")).to.equal(true);
    expect(await refused("http://[::1]/x")).to.equal(true);
    expect(await refused("http://127.0.0.1:8080/x", true)).to.equal(false);
    expect(await refused("http://8.8.8.8/hook")).to.equal(false);
  });

  it("matches notifications by record, type, kinds and detail filter", async function () {
    const { matches } = await import("../../server/notifications/subscriptions");
    const n = {
      seq: 1,
      kind: "RECORD_UPDATED",
      recordId: "r1",
      version: 2,
      detail: { type: "Shipment", changed: ["pieceCount"] },
      createdAt: new Date(),
      recordType: "Shipment",
      recordOwner: "o",
    };
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
