// Hub ingest benchmark, on this machine, over real HTTP to a hub process on 127.0.0.1:
//  0. the floor (floor.ts), measured in the same run: every figure is printed as a ratio of it;
//  1. sustained: records/s through POST /v1/records/batch (signature checks) for 60 s, with
//     GET /health and GET /v1/records/:id probed meanwhile (responsiveness.ts);
//  2. latency: publish at 5,000 records/s for 20 s; acknowledgement to anchored, p50/p95, probed too;
//  3. reads: GET /v1/records/:id (access check and access-log line), several in flight, for 10 s.
// Records are signed before the timed phases: the publisher's signing is not the hub's work.
// SQLite by default; `node scripts/with-postgres.mjs npx tsx scripts/bench/ingest.ts` runs on PostgreSQL.
// Usage: npm run bench:ingest [-- --seconds 60 --batch 500 --latency-seconds 20 --rate 5000 --read-seconds 10 --cpu-prof DIR]
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { SignedRecord } from "../../sdk/envelope";
import { admit, freshDatabase, hubEnv, isPostgres, sql, startHubProcess, startTestChain } from "../../test/integration/harness";
import { shipment } from "../../test/fixtures";
import { measureFloor, ofFloor, printFloor } from "./floor";
import { latencyOf, startProbes, type ProbeFigures } from "./responsiveness";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    batch: { type: "string", default: "500" },
    "latency-seconds": { type: "string", default: "20" },
    rate: { type: "string", default: "5000" },
    "read-seconds": { type: "string", default: "10" },
    "read-concurrency": { type: "string", default: "8" },
    // A folder: the hub process (and its worker threads) write V8 CPU profiles there (cpu-profile.cjs).
    "cpu-prof": { type: "string" },
  },
});
const SECONDS = Number(values.seconds);
const BATCH = Number(values.batch);
const LATENCY_SECONDS = Number(values["latency-seconds"]);
const RATE = Number(values.rate);
const READ_SECONDS = Number(values["read-seconds"]);
const READ_CONCURRENCY = Number(values["read-concurrency"]);
const provider = isPostgres() ? "postgresql" : "sqlite";
// Issue 17, targets 2, 4 and 6.
const TARGET_RPS = provider === "postgresql" ? 6000 : 12_000;
const TARGET_P95_ANCHORED_MS = 1500;
const TARGET_PROBE = { p50ms: 20, p95ms: 50 };
const TARGET_READS = 5000;

const probesPass = (p: ProbeFigures) => [p.health, p.record].every((l) => l.p50ms < TARGET_PROBE.p50ms && l.p95ms < TARGET_PROBE.p95ms);
const probeLine = (p: ProbeFigures) =>
  `GET /health p50 ${p.health.p50ms} ms, p95 ${p.health.p95ms} ms, max ${p.health.maxMs} ms (${p.health.count}); ` +
  `GET /v1/records/:id p50 ${p.record.p50ms} ms, p95 ${p.record.p95ms} ms, max ${p.record.maxMs} ms (${p.record.count}): ${probesPass(p) ? "PASS" : "FAIL"} (< 20 ms p50, < 50 ms p95)`;

async function main() {
  // The floor first, on the same cores and under the same load as the run.
  const floor = await measureFloor({ postgresUrl: process.env.CARGOPROOF_TEST_PG, seconds: 3 });
  printFloor(floor);
  const insertFloor = provider === "postgresql" ? (floor.postgresInsertsPerSecond ?? Infinity) : floor.sqliteInsertsPerSecond;
  const ingestFloor = Math.min(floor.checkedRecordsPerSecond, insertFloor);

  const chain = await startTestChain();
  const database = await freshDatabase();
  const hub = await startHubProcess(
    hubEnv(chain, database.url, {
      ANCHOR_MAX_AGE_MS: "1000",
      ANCHOR_POLL_MS: "100",
      ...(values["cpu-prof"] ? { NODE_OPTIONS: `--require ${join(__dirname, "cpu-profile.cjs")}`, CARGOPROOF_CPU_PROF_DIR: resolve(values["cpu-prof"]) } : {}),
    }),
  );
  const org = await admit(hub.url, "bench-forwarder", ["FORWARDER"]);
  const token = () => org.client.accessToken();
  await token();
  // The probes' record: one the forwarder published, read as its owner.
  const [probeRecord] = await org.client.publishBatch([org.client.signRecord("Shipment", shipment())]);
  const recordId = probeRecord!.id;

  // Concurrency 2: one request in flight while the next is parsed, on a 2-core machine.
  const concurrency = 2;
  const expected = Math.ceil((TARGET_RPS * 1.5 * SECONDS) / BATCH) * BATCH;
  process.stdout.write(`signing ${expected} records ahead of the timed phase... `);
  const signStart = Date.now();
  const pool: SignedRecord[] = Array.from({ length: expected }, () => org.client.signRecord("Shipment", shipment()));
  console.log(`${((Date.now() - signStart) / 1000).toFixed(1)} s`);
  // The idle keep-alive connections were closed by the hub meanwhile: a retried GET opens fresh ones.
  await org.client.chainInfo();

  let next = 0;
  let done = 0;
  const ingestProbes = startProbes({ hubUrl: hub.url, recordId, token });
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
  const ingestProbeFigures = await ingestProbes.stop();
  const sustained = done / elapsed;
  // A second in which no request finished is a hole in the array: it counts as 0 (map would skip it).
  const slowestSecond = Math.min(...Array.from({ length: Math.floor(elapsed) }, (_, i) => perSecond[i] ?? 0));

  // Latency: a steady RATE records/s in batches every 100 ms, then acknowledgement-to-anchor times
  // from the hub's own timestamps (publishedAt, batch anchoredAt).
  const perTick = Math.max(1, Math.round(RATE / 10));
  const latencyPool = Array.from({ length: perTick * LATENCY_SECONDS * 10 }, () => org.client.signRecord("Shipment", shipment()));
  await org.client.chainInfo();
  const digests = new Set<string>();
  const latencyProbes = startProbes({ hubUrl: hub.url, recordId, token });
  const latencyStart = Date.now();
  let lateTicks = 0;
  for (let tick = 0; tick < LATENCY_SECONDS * 10; tick++) {
    const batch = latencyPool.slice(tick * perTick, (tick + 1) * perTick);
    await org.client.publishBatch(batch);
    batch.forEach((r) => digests.add(r.digest));
    // On schedule (tick k starts at k × 100 ms), whatever a slow answer cost: the rate is offered, not adapted.
    const wait = latencyStart + (tick + 1) * 100 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else lateTicks++;
  }
  const offeredRate = digests.size / ((Date.now() - latencyStart) / 1000);
  const latencies: number[] = [];
  const waitDeadline = Date.now() + 120_000;
  for (;;) {
    const rows = await sql<{ d: string; p: string | Date; a: string | Date }>(
      database.url,
      `SELECT v."digest" AS d, v."publishedAt" AS p, b."anchoredAt" AS a FROM "RecordVersion" v
       JOIN "AnchorItem" i ON i."digest" = v."digest" JOIN "AnchorBatch" b ON b."id" = i."batchId" WHERE b."status" = 'ANCHORED'`,
    );
    const mine = rows.filter((r) => digests.has(r.d));
    if (mine.length === digests.size || Date.now() > waitDeadline) {
      for (const r of mine) latencies.push(new Date(r.a).getTime() - new Date(r.p).getTime());
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const latencyProbeFigures = await latencyProbes.stop();
  const anchored = latencyOf(latencies);

  // Reads: GET /v1/records/:id of records just published, READ_CONCURRENCY in flight, each with its access check and access-log line.
  const readIds = pool.slice(0, Math.min(done, 10_000)).map((r) => r.id);
  const readTimes: number[] = [];
  const readStart = Date.now();
  const readDeadline = readStart + READ_SECONDS * 1000;
  let reads = 0;
  const reader = async (k: number) => {
    for (let i = k; Date.now() < readDeadline; i += READ_CONCURRENCY) {
      const t0 = performance.now();
      const res = await fetch(`${hub.url}/v1/records/${readIds[i % readIds.length]}`, { headers: { authorization: `Bearer ${await token()}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`read answered ${res.status}`);
      readTimes.push(performance.now() - t0);
      reads++;
    }
  };
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, (_, k) => reader(k)));
  const readsPerSecond = reads / ((Date.now() - readStart) / 1000);

  await hub.stop();
  await database.drop();
  await chain.stop();

  const ratio = (figure: number, of: number) => +(figure / of).toFixed(3);
  const result = {
    machine: { cores: cpus().length, node: process.version },
    provider,
    floor,
    sustained: {
      seconds: elapsed,
      records: done,
      recordsPerSecond: Math.round(sustained),
      slowestSecond,
      batchSize: BATCH,
      concurrency,
      ofCheckedRecordsFloor: ratio(sustained, floor.checkedRecordsPerSecond),
      ofInsertFloor: ratio(sustained, insertFloor),
      probes: ingestProbeFigures,
    },
    latency: {
      rate: RATE,
      offeredRate: Math.round(offeredRate),
      lateTicks,
      ...anchored,
      batchMaxAgeMs: 1000,
      probes: latencyProbeFigures,
    },
    reads: {
      seconds: READ_SECONDS,
      concurrency: READ_CONCURRENCY,
      reads,
      readsPerSecond: Math.round(readsPerSecond),
      ofCheckedRecordsFloor: ratio(readsPerSecond, floor.checkedRecordsPerSecond),
      ...latencyOf(readTimes),
    },
  };
  console.log(`
ingest through POST /v1/records/batch (${provider}, signatures checked, ${BATCH} records/request, ${concurrency} in flight)
  sustained over ${elapsed.toFixed(1)} s: ${done} records, ${ofFloor(sustained, ingestFloor, " records/s")} (slowest 1-s window: ${slowestSecond})
  of the checked-records floor ${result.sustained.ofCheckedRecordsFloor}, of the ${provider} insert floor ${result.sustained.ofInsertFloor}
  target >= ${TARGET_RPS} records/s sustained: ${sustained >= TARGET_RPS ? "PASS" : "FAIL"}
  meanwhile ${probeLine(ingestProbeFigures)}
publish -> anchored at ${RATE} records/s offered (${result.latency.offeredRate}/s achieved, ${lateTicks} late ticks; batch max age 1000 ms)
  ${anchored.count} records: p50 ${anchored.p50ms} ms, p95 ${anchored.p95ms} ms, max ${anchored.maxMs} ms: ${anchored.p95ms <= TARGET_P95_ANCHORED_MS ? "PASS" : "FAIL"} (p95 <= 1,500 ms)
  meanwhile ${probeLine(latencyProbeFigures)}
reads GET /v1/records/:id (access check, access-log line), ${READ_CONCURRENCY} in flight, ${READ_SECONDS} s
  ${ofFloor(readsPerSecond, floor.checkedRecordsPerSecond, " reads/s")}; p50 ${result.reads.p50ms} ms, p95 ${result.reads.p95ms} ms: ${readsPerSecond >= TARGET_READS ? "PASS" : "FAIL"} (>= 5,000/s)`);
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(join("bench-results", "ingest.json"), JSON.stringify(result, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
