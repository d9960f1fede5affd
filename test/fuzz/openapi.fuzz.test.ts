// Walks every operation of the hub's own /openapi.json with malformed, oversized and wrongly typed
// input (fast-check), against a real hub, chain and SQLite database. Every answer must be a 2xx, 3xx
// or a 4xx problem whose body matches its status, never a 5xx; a refused request changes no row.
// Bounded: RUNS per operation and a total time cap. A failure prints fast-check's seed and path;
// replay with FUZZ_SEED=<seed>.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import fc from "fast-check";
import { admit, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain } from "../integration/harness";
import { raw, type RawAnswer } from "../integration/raw-http";

const RUNS = 25;
const TOTAL_BUDGET_MS = 75_000;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;

type Json = Record<string, unknown>;
type OpenApi = { paths: Record<string, Record<string, Json>> };

/** Rows that change by themselves, not by requests (the background workers are off: see before()). */
const BACKGROUND_TABLE = /Lease|_migrations|Migration/i;
/** The access log, which records refused attempts too (not for malformed requests: those are 400s). */
const AUDIT_TRAIL = /^AccessLog(Entry|Head|ChainHead)$/;
/** The shared rate limit's counters, which count every attempt, refused and malformed ones too. */
const ATTEMPT_COUNTER = /^RateLimit$/;

/** A digest of each table's rows, read behind the hub's back (read-only). */
function databaseDigest(file: string): Record<string, string> {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const out: Record<string, string> = {};
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[];
    for (const { name } of tables) {
      if (BACKGROUND_TABLE.test(name)) continue;
      const hash = createHash("sha256");
      for (const row of db.prepare(`SELECT * FROM "${name}"`).raw().iterate())
        hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : Buffer.isBuffer(v) ? v.toString("hex") : v)));
      out[name] = hash.digest("hex").slice(0, 16);
    }
    return out;
  } finally {
    db.close();
  }
}

const MALFORMED_SEGMENTS = ["%", "%E0%A4%A", "%FF", "%C0%AF", "%00", "..", "%2e%2e", "a".repeat(3000), "%F0%9F%98", "__proto__", "-1", "0x"];
const pathSegment = fc.oneof(
  fc.constantFrom(...MALFORMED_SEGMENTS),
  fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: "binary-ascii", maxLength: 20 }).map((s) => encodeURIComponent(s).replace(/%2F/g, "%")),
);

const oddValue = fc.oneof(
  fc.constantFrom("", "-1", "0", "1e309", "NaN", "true", "null", "[]", "{}", "%", "%FF", "9".repeat(40), "a".repeat(5000), "2026-13-45T99:99:99Z"),
  fc.string({ maxLength: 30 }),
);
const queryString = (names: string[]) =>
  fc
    .array(
      fc.tuple(names.length > 0 ? fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 10 })) : fc.string({ maxLength: 10 }), oddValue, fc.boolean()),
      { maxLength: 4 },
    )
    .map((pairs) => pairs.map(([k, v, rawValue]) => `${encodeURIComponent(k)}=${rawValue ? v.replace(/[#&\s]/g, "") : encodeURIComponent(v)}`).join("&"));

const nestedText = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const bodyText = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.object({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(
    "",
    "{",
    "[]]",
    '{"a":1,}',
    "\u0000",
    "null",
    "0",
    '"str"',
    nestedText(3000),
    '{"__proto__":{"x":1}}',
    '{"records":[{"constructor":1}]}',
    `{"a":"${"x".repeat(200_000)}"}`,
  ),
  fc.string({ maxLength: 200 }),
);
const contentType = fc.constantFrom(
  "application/json",
  "application/ld+json",
  "application/json; charset=latin1",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "garbage",
  "",
);
const encoding = fc.constantFrom(undefined, undefined, undefined, "gzip", "bogus", "br");

interface Case {
  path: string;
  query: string;
  body: string | undefined;
  contentType: string;
  encoding: string | undefined;
  who: "a" | "b" | "none" | "garbage";
}

describe(`fuzz: every operation of /openapi.json answers bad input with a 4xx problem (SQLite, seed ${SEED})`, function () {
  this.timeout(TOTAL_BUDGET_MS + 120_000);
  let chain: TestChain;
  let database: { url: string; drop(): Promise<void> };
  let hub: HubProcess;
  let tokens: Record<Case["who"], string | undefined>;
  let doc: OpenApi;

  before(async function () {
    // Always SQLite, whatever CARGOPROOF_TEST_PG says: the digest reads the file directly (the
    // PostgreSQL run covers the same routes in test/integration). No background worker writes
    // (anchoring, matching, webhooks): every row change is a request's.
    chain = await startTestChain();
    const dir = mkdtempSync(join(tmpdir(), "cargoproof-fuzz-"));
    database = { url: `file:${join(dir, "hub.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    hub = await startHubProcess(
      hubEnv(chain, database.url, { VERIFY_RATE_PER_MIN: "100000", ANCHOR_WORKER: "off", CUSTOMS_MATCHER: "off", WEBHOOK_WORKER: "off" }),
    );
    const a = await admit(hub.url, "fuzz-forwarder", ["FORWARDER"]);
    const b = await admit(hub.url, "fuzz-airline", ["AIRLINE"]);
    tokens = { a: await a.client.accessToken(), b: await b.client.accessToken(), none: undefined, garbage: "eyJhbGciOiJub25lIn0.e30." };
    doc = (await (await fetch(`${hub.url}/openapi.json`)).json()) as OpenApi;
    // The page's script is bundled on its first request (most of a second on a busy machine): built
    // here, so that its operation's time budget is not spent before its first case has run.
    expect((await fetch(`${hub.url}/provenance/assets/page.js`)).status).to.equal(200);
  });

  after(async () => {
    await hub?.stop();
    await chain?.stop();
    await database?.drop();
  });

  it("walks every operation within the budget", async function () {
    const file = database.url.slice("file:".length);
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([m]) => ["get", "post", "put", "patch", "delete"].includes(m))
        .map(([method, op]) => ({ path, method, op })),
    );
    expect(ops.length).to.be.above(40);
    const perOpMs = Math.floor(TOTAL_BUDGET_MS / ops.length);
    const seen: Record<string, number> = {};
    let requests = 0;

    for (const { path, method, op } of ops) {
      const params = (op.parameters ?? []) as { name: string; in: string }[];
      const pathNames = params.filter((p) => p.in === "path").map((p) => p.name);
      const queryNames = params.filter((p) => p.in === "query").map((p) => p.name);
      const hasBody = op.requestBody !== undefined || method !== "get";
      const arbitrary: fc.Arbitrary<Case> = fc.record({
        path: fc.tuple(...pathNames.map(() => pathSegment)).map((segments) => pathNames.reduce((p, name, i) => p.replace(`{${name}}`, segments[i]!), path)),
        query: queryString(queryNames),
        body: hasBody ? fc.option(bodyText, { nil: undefined, freq: 6 }) : fc.constant(undefined),
        contentType,
        encoding,
        who: fc.constantFrom("a", "a", "b", "none", "garbage"),
      });
      let before = databaseDigest(file);
      await fc.assert(
        fc.asyncProperty(arbitrary, async (c) => {
          const headers: Record<string, string> = {};
          const token = tokens[c.who];
          if (token) headers.authorization = `Bearer ${token}`;
          if (c.body !== undefined) {
            if (c.contentType) headers["content-type"] = c.contentType;
            if (c.encoding) headers["content-encoding"] = c.encoding;
          }
          const target = c.query ? `${c.path}?${c.query}` : c.path;
          const answer: RawAnswer = await raw(hub.url, method.toUpperCase(), target, { headers, ...(c.body !== undefined ? { body: c.body } : {}) });
          requests++;
          seen[String(answer.status)] = (seen[String(answer.status)] ?? 0) + 1;
          const where = `${method.toUpperCase()} ${target.slice(0, 200)} -> ${answer.status} ${answer.text.slice(0, 300)}`;
          expect(answer.status, where).to.be.within(200, 499);
          const after = databaseDigest(file);
          if (answer.status >= 400) {
            expect(String(answer.headers["content-type"]), where).to.match(/^application\/(problem\+json|ld\+json)/);
            const body = answer.json();
            expect(body.status, where).to.equal(answer.status);
            expect(String(body.type), where).to.match(/^https:\/\/cargoproof\.dev\/problems\/[a-z0-9-]+$/);
            // A refusal of a read is itself an access-log line (docs/audit.md: who read, was granted, denied).
            const changed = Object.keys(after).filter(
              (t) => after[t] !== before[t] && !ATTEMPT_COUNTER.test(t) && !(AUDIT_TRAIL.test(t) && answer.status !== 400),
            );
            expect(changed, `a refused request changed rows: ${where}`).to.deep.equal([]);
          }
          before = after; // a 2xx (a search, a read logged in the access log) may change rows
        }),
        { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: perOpMs, markInterruptAsFailure: false, endOnFailure: true },
      );
    }
    console.log(`      fuzz: ${requests} requests over ${ops.length} operations, answers by status ${JSON.stringify(seen)}`);
    expect(requests).to.be.above(ops.length);
  });
});
