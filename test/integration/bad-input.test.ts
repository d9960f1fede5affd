import { expect } from "chai";
import { connect, type Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { shipment } from "../fixtures";
import { raw, type RawAnswer } from "./raw-http";
import { admit, freshDatabase, hubEnv, isPostgres, sql, startHubProcess, startTestChain, type HubProcess, type TestChain, type TestOrg } from "./harness";

type Answer = RawAnswer;

/** Asserts a problem answer of this status and kind; returns its body. */
function expectProblem(a: Answer, status: number, kind: string): Record<string, unknown> {
  expect(a.status, a.text).to.equal(status);
  expect(a.headers["content-type"]).to.match(/^application\/(problem\+json|ld\+json)/);
  const body = a.json();
  expect(body.status).to.equal(status);
  expect(body.type).to.equal(`https://cargoproof.dev/problems/${kind}`);
  return body;
}

/** JSON text of `{"a":{"a":...1}}`, `depth` objects deep (built as text: JSON.stringify would overflow). */
const nested = (depth: number, key = "a"): string => `{"${key}":`.repeat(depth) + "1" + "}".repeat(depth);

/** Opens a raw connection and resolves how long the server took to close it (or rejects after `maxMs`). */
function closedWithin(hubUrl: string, first: string, maxMs: number): Promise<{ ms: number; received: string }> {
  const url = new URL(hubUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = "";
    const socket: Socket = connect(Number(url.port), url.hostname, () => socket.write(first));
    socket.on("data", (d) => (received += d.toString()));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the hub held the connection for ${maxMs} ms`));
    }, maxMs);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, received });
    });
    socket.on("error", () => {});
  });
}

describe(`bad input: a 4xx problem, never a 500, nothing changed (${isPostgres() ? "PostgreSQL" : "SQLite"})`, function () {
  this.timeout(90_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let forwarder: TestOrg;
  let auth: Record<string, string>;
  const recordCount = async () => Number((await sql<{ n: unknown }>(database.url, `SELECT COUNT(*) AS "n" FROM "RecordVersion"`))[0]!.n);

  before(async function () {
    chain = await startTestChain();
    database = await freshDatabase();
    // Small server bounds, so that the timeout tests are quick.
    hub = await startHubProcess(
      hubEnv(chain, database.url, { HTTP_HEADERS_TIMEOUT_MS: "800", HTTP_REQUEST_TIMEOUT_MS: "1500", NOTIFICATION_STREAM_HEARTBEAT_MS: "200" }),
    );
    forwarder = await admit(hub.url, "bad-input-fwd", ["FORWARDER"]);
    auth = { authorization: `Bearer ${await forwarder.client.accessToken()}` };
  });

  after(async () => {
    await hub?.stop();
    await chain?.stop();
    await database?.drop();
  });

  describe("malformed percent-encoding in a path", () => {
    for (const bad of ["%", "%E0%A4%A", "%FF", "%C0%AF"]) {
      it(`'${bad}' in a path parameter is a 400 malformed-path, on every kind of route`, async () => {
        expectProblem(await raw(hub.url, "GET", `/v1/records/${bad}`, { headers: auth }), 400, "malformed-path");
        expectProblem(await raw(hub.url, "GET", `/v1/records/${bad}`), 400, "malformed-path");
        expectProblem(await raw(hub.url, "DELETE", `/v1/records/x/grants/${bad}`, { headers: auth }), 400, "malformed-path");
        // The ONE Record router answers its own problems as api:Error (JSON-LD).
        const lo = await raw(hub.url, "GET", `/logistics-objects/${bad}`, { headers: auth });
        expectProblem(lo, 400, "malformed-path");
        expect(lo.headers["content-type"]).to.match(/^application\/ld\+json/);
        expectProblem(await raw(hub.url, "GET", `/no-such-route/${bad}`), 404, "not-found");
      });
    }
  });

  describe("content encodings and charsets", () => {
    const post = (headers: Record<string, string>, body: Buffer | string = "{}") =>
      raw(hub.url, "POST", "/v1/records", { headers: { ...auth, "content-type": "application/json", ...headers }, body });

    it("an unsupported Content-Encoding is a 415 naming the supported ones", async () => {
      for (const encoding of ["bogus", "compress", "x-gzip2"]) {
        const a = await post({ "content-encoding": encoding });
        expectProblem(a, 415, "unsupported-content-encoding");
        expect(String(a.headers["accept-encoding"])).to.include("gzip");
      }
    });

    it("a body that claims a compression it does not have is a 400 malformed-body", async () => {
      for (const encoding of ["gzip", "deflate", "br"])
        expectProblem(await post({ "content-encoding": encoding }, '{"not":"compressed"}'), 400, "malformed-body");
      // Truncated gzip.
      expectProblem(await post({ "content-encoding": "gzip" }, gzipSync(Buffer.from('{"a":1}')).subarray(0, 12)), 400, "malformed-body");
    });

    it("an unsupported charset is a 415, on JSON and on the token form", async () => {
      for (const charset of ["ibm037", "latin1", "bogus", "iso-8859-1"])
        expectProblem(await post({ "content-type": `application/json; charset=${charset}` }), 415, "unsupported-charset");
      for (const charset of ["ibm037", "latin1", "bogus", "utf-16"]) {
        const form = await raw(hub.url, "POST", "/v1/token", {
          headers: { "content-type": `application/x-www-form-urlencoded; charset=${charset}` },
          body: "a=b",
        });
        expectProblem(form, 415, "unsupported-charset");
      }
    });

    it("gzip is accepted, and the 5 MB limit applies to the inflated body", async () => {
      const record = forwarder.client.signRecord("Shipment", shipment());
      const ok = await post({ "content-encoding": "gzip" }, gzipSync(Buffer.from(JSON.stringify(record))));
      expect(ok.status, ok.text).to.equal(201);
      const bomb = gzipSync(Buffer.from(`[${"0,".repeat(3_000_000)}0]`));
      expect(bomb.length).to.be.below(100_000);
      expectProblem(await post({ "content-encoding": "gzip" }, bomb), 413, "payload-too-large");
    });
  });

  describe("nesting and reserved field names", () => {
    it("JSON nested thousands deep is a 400 too-deep, on records and on ONE Record objects, and stores nothing", async () => {
      const before = await recordCount();
      const record = forwarder.client.signRecord("Shipment", shipment());
      const text = JSON.stringify(record).replace('"body":{', `"body":{"notes":${nested(5000)},`);
      const a = expectProblem(
        await raw(hub.url, "POST", "/v1/records", { headers: { ...auth, "content-type": "application/json" }, body: text }),
        400,
        "too-deep",
      );
      expect((a.errors as { path: string }[])[0]!.path).to.match(/^body\.notes(\.a)+$/);
      const lo = JSON.stringify({
        "@context": { cargo: "https://onerecord.iata.org/ns/cargo#" },
        "@type": "cargo:Piece",
        "cargo:goodsDescription": "x",
      }).replace('"x"', nested(3000, "cargo:a"));
      expectProblem(
        await raw(hub.url, "POST", "/logistics-objects", { headers: { ...auth, "content-type": "application/ld+json" }, body: lo }),
        400,
        "too-deep",
      );
      // An array nested deep in a form-free batch too.
      expectProblem(
        await raw(hub.url, "POST", "/v1/records/batch", {
          headers: { ...auth, "content-type": "application/json" },
          body: "[".repeat(10_000) + "]".repeat(10_000),
        }),
        400,
        "too-deep",
      );
      expect(await recordCount()).to.equal(before);
    });

    it("60 levels pass the limit, on to the record's own checks", async () => {
      const record = forwarder.client.signRecord("Shipment", shipment());
      const text = JSON.stringify(record).replace('"body":{', `"body":{"notes":${nested(58)},`);
      // The Shipment schema has no such field: refused by it, not by the depth limit.
      expectProblem(await raw(hub.url, "POST", "/v1/records", { headers: { ...auth, "content-type": "application/json" }, body: text }), 400, "invalid-record");
    });

    for (const name of ["__proto__", "constructor", "prototype"]) {
      it(`a body field named '${name}' is a 400 naming the field, and nothing is stored`, async () => {
        const before = await recordCount();
        const record = forwarder.client.signRecord("Shipment", shipment());
        // Added after signing, as an attacker would: the signature does not cover it, and it must not be dropped silently.
        const text = JSON.stringify(record).replace('"body":{', `"body":{"${name}":{"polluted":true},`);
        const a = expectProblem(
          await raw(hub.url, "POST", "/v1/records", { headers: { ...auth, "content-type": "application/json" }, body: text }),
          400,
          "reserved-field-name",
        );
        expect(a.errors).to.deep.equal([{ path: `body.${name}`, message: `'${name}' is not allowed as a field name` }]);
        // Nested anywhere, too.
        const deeper = JSON.stringify({ records: [{ ...record, body: { ...record.body, x: [{ ok: 1 }] } }] }).replace('"ok"', `"${name}"`);
        const b = expectProblem(
          await raw(hub.url, "POST", "/v1/records/batch", { headers: { ...auth, "content-type": "application/json" }, body: deeper }),
          400,
          "reserved-field-name",
        );
        expect((b.errors as { path: string }[])[0]!.path).to.equal(`records.0.body.x.0.${name}`);
        expect(await recordCount()).to.equal(before);
      });
    }
  });

  describe("response headers", () => {
    it("authenticated answers are no-store and nosniff, errors included, with a strict CSP", async () => {
      for (const path of ["/v1/notifications", "/v1/records/no-such-record", "/v1/subscriptions"]) {
        const a = await raw(hub.url, "GET", path, { headers: auth });
        expect(a.headers["cache-control"], path).to.equal("no-store");
        expect(a.headers["x-content-type-options"], path).to.equal("nosniff");
        expect(a.headers["content-security-policy"], path).to.include("default-src 'none'");
      }
      const stream = new AbortController();
      const res = await fetch(`${hub.url}/v1/notifications/stream`, { headers: auth, signal: stream.signal });
      expect(res.headers.get("cache-control")).to.match(/^no-store/);
      stream.abort();
      await waitForStatus(hub.url, auth, 200).then((c) => c.abort());
    });

    it("public pages keep their own CSP and caching, with nosniff", async () => {
      const docs = await raw(hub.url, "GET", "/docs");
      expect(docs.status).to.equal(200);
      expect(docs.headers["content-security-policy"]).to.include("script-src 'self'");
      expect(docs.headers["cache-control"]).to.equal("no-cache");
      expect(docs.headers["x-content-type-options"]).to.equal("nosniff");
      const asset = await raw(hub.url, "GET", "/docs/assets/swagger-ui.css");
      expect(asset.status).to.equal(200);
      expect(asset.headers["cache-control"]).to.match(/max-age=3600/);
      expect(asset.headers["x-content-type-options"]).to.equal("nosniff");
      expect((await raw(hub.url, "GET", "/openapi.json")).headers["cache-control"]).to.equal("no-cache");
      const page = await raw(hub.url, "GET", "/01/09506000134352/10/NOPE", { headers: { accept: "text/html" } });
      expect(page.headers["content-type"]).to.match(/^text\/html/);
      expect(page.headers["content-security-policy"]).to.include("connect-src 'self'");
      expect(page.headers["x-content-type-options"]).to.equal("nosniff");
      expect(page.headers["referrer-policy"]).to.equal("no-referrer");
    });
  });

  describe("server bounds", () => {
    it("a body shorter than its Content-Length is cut at the request timeout", async () => {
      const head = `POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":`;
      const { ms, received } = await closedWithin(hub.url, head, 6000);
      expect(ms).to.be.below(4000);
      expect(received).to.match(/^HTTP\/1\.1 408/);
    });

    it("headers that trickle in are cut at the headers timeout", async () => {
      const { ms } = await closedWithin(hub.url, "GET /health HTTP/1.1\r\nHost: x\r\n", 6000);
      expect(ms).to.be.below(3000);
    });

    it("an event stream outlives the request timeout; a sixth stream of one organisation is a 429", async () => {
      const streams: AbortController[] = [];
      try {
        let lastChunkAt = 0;
        let firstEnded = false;
        for (let i = 0; i < 5; i++) {
          // Retried: a stream an earlier test closed may not be counted out yet.
          const c = await waitForStatus(hub.url, auth, 200);
          streams.push(c);
          const res = c.res;
          if (i === 0)
            void (async () => {
              try {
                for await (const _chunk of res.body as unknown as AsyncIterable<Uint8Array>) lastChunkAt = Date.now();
              } catch {
                /* aborted below */
              }
              firstEnded = true;
            })();
        }
        const opened = Date.now();
        const sixth = await raw(hub.url, "GET", "/v1/notifications/stream", { headers: auth });
        expectProblem(sixth, 429, "too-many-streams");
        expect(sixth.headers["retry-after"]).to.match(/^\d+$/);
        // Past the 1.5 s request timeout, the first stream still delivers (heartbeats every 200 ms).
        await new Promise((r) => setTimeout(r, 2500));
        expect(firstEnded).to.equal(false);
        expect(lastChunkAt - opened).to.be.above(1800);
        // A closed stream frees its place.
        streams[0]!.abort();
        const again = await waitForStatus(hub.url, auth, 200);
        again.abort();
      } finally {
        for (const c of streams) c.abort();
      }
    });
  });
});

/** Retries opening a stream until it answers `status` (a closed stream is counted out asynchronously). */
async function waitForStatus(hubUrl: string, headers: Record<string, string>, status: number): Promise<AbortController & { res: Response }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const c = new AbortController();
    const res = await fetch(`${hubUrl}/v1/notifications/stream`, { headers, signal: c.signal });
    if (res.status === status) return Object.assign(c, { res });
    c.abort();
    if (Date.now() > deadline) throw new Error(`the stream kept answering ${res.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
