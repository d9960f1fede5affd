// Hub ingest benchmark, on this machine, over real HTTP to a hub process on 127.0.0.1:
//  1. sustained: records/s through POST /v1/records/batch (signature checks, SQLite) for 60 s;
//  2. latency: publish at 500 records/s for 20 s; time from acknowledgement to anchored, p50/p95.
// Records are signed before the timed phase: the publisher's signing is not the hub's work.
// Usage: npm run bench:ingest [-- --seconds 60 --batch 500 --latency-seconds 20 --rate 500]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { SignedRecord } from "../../sdk/envelope";
import { admit, freshDatabase, hubEnv, sql, startHubProcess, startTestChain } from "../../test/integration/harness";
import { shipment } from "../../test/fixtures";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    batch: { type: "string", default: "500" },
    "latency-seconds": { type: "string", default: "20" },
    rate: { type: "string", default: "500" },
  },
});
const SECONDS = Number(values.seconds);
const BATCH = Number(values.batch);
const LATENCY_SECONDS = Number(values["latency-seconds"]);
const RATE = Number(values.rate);
const TARGET_RPS = 2000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main() {
  const chain = await startTestChain();
  const database = await freshDatabase();
  const hub = await startHubProcess(hubEnv(chain, database.url, { ANCHOR_MAX_AGE_MS: "1000", ANCHOR_POLL_MS: "100" }));
  const org = await admit(hub.url, "bench-forwarder", ["FORWARDER"]);
  await org.client.accessToken();

  // Concurrency 2: one request in flight while the next is parsed, on a 2-core machine.
  const concurrency = 2;
  const expected = Math.ceil((TARGET_RPS * 2.5 * SECONDS) / BATCH) * BATCH;
  process.stdout.write(`signing ${expected} records ahead of the timed phase... `);
  const signStart = Date.now();
  const pool: SignedRecord[] = Array.from({ length: expected }, () => org.client.signRecord("Shipment", shipment()));
  console.log(`${((Date.now() - signStart) / 1000).toFixed(1)} s`);
  // The idle keep-alive connections were closed by the hub meanwhile: a retried GET opens fresh ones.
  await org.client.chainInfo();

  let next = 0;
  let done = 0;
  const start = Date.now();
  const deadline = start + SECONDS * 1000;
  const perSecond: number[] = [];
  const worker = async () => {
    while (Date.now() < deadline && next + BATCH <= pool.length) {
      const batch = pool.slice(next, next + BATCH);
      next += BATCH;
      await org.client.publishBatch(batch);
      done += batch.length;
      const sec = Math.floor((Date.now() - start) / 1000);
      perSecond[sec] = (perSecond[sec] ?? 0) + batch.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (Date.now() - start) / 1000;
  const sustained = done / elapsed;
  // A second in which no request finished is a hole in the array: it counts as 0 (map would skip it).
  const slowestSecond = Math.min(...Array.from({ length: Math.floor(elapsed) }, (_, i) => perSecond[i] ?? 0));

  // Latency: a steady 500 records/s in batches every 100 ms, then acknowledgement-to-anchor times
  // from the hub's own timestamps (publishedAt, batch anchoredAt).
  const perTick = Math.max(1, Math.round(RATE / 10));
  const latencyPool = Array.from({ length: perTick * LATENCY_SECONDS * 10 }, () => org.client.signRecord("Shipment", shipment()));
  const digests = new Set<string>();
  for (let tick = 0; tick < LATENCY_SECONDS * 10; tick++) {
    const t0 = Date.now();
    const batch = latencyPool.slice(tick * perTick, (tick + 1) * perTick);
    await org.client.publishBatch(batch);
    batch.forEach((r) => digests.add(r.digest));
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - t0))));
  }
  const latencies: number[] = [];
  const waitDeadline = Date.now() + 120_000;
  for (;;) {
    const rows = await sql<{ d: string; p: string; a: string }>(
      database.url,
      `SELECT v."digest" AS d, v."publishedAt" AS p, b."anchoredAt" AS a FROM "RecordVersion" v
       JOIN "AnchorItem" i ON i."digest" = v."digest" JOIN "AnchorBatch" b ON b."id" = i."batchId" WHERE b."status" = 'ANCHORED'`,
    );
    const mine = rows.filter((r) => digests.has(r.d));
    if (mine.length === digests.size || Date.now() > waitDeadline) {
      for (const r of mine) latencies.push(Date.parse(r.a) - Date.parse(r.p));
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  latencies.sort((a, b) => a - b);

  await hub.stop();
  await database.drop();
  await chain.stop();

  const result = {
    machine: { cores: (await import("node:os")).cpus().length, node: process.version },
    sustained: { seconds: elapsed, records: done, recordsPerSecond: Math.round(sustained), slowestSecond, batchSize: BATCH, concurrency },
    latency: {
      rate: RATE,
      records: latencies.length,
      p50ms: percentile(latencies, 50),
      p95ms: percentile(latencies, 95),
      maxMs: latencies[latencies.length - 1],
      batchMaxAgeMs: 1000,
    },
  };
  console.log(`
ingest through POST /v1/records/batch (SQLite, signatures checked, ${BATCH} records/request, ${concurrency} in flight)
  sustained over ${elapsed.toFixed(1)} s: ${done} records, ${result.sustained.recordsPerSecond} records/s (slowest 1-s window: ${slowestSecond})
  target >= ${TARGET_RPS} records/s sustained: ${sustained >= TARGET_RPS ? "PASS" : "FAIL"}
publish -> anchored at ${RATE} records/s (batch max age 1000 ms)
  ${latencies.length} records: p50 ${result.latency.p50ms} ms, p95 ${result.latency.p95ms} ms, max ${result.latency.maxMs} ms`);
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(join("bench-results", "ingest.json"), JSON.stringify(result, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
