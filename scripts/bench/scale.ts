// Several hub processes on one PostgreSQL (issue 17, target 7): 1, 2 and 4 hub processes (each its
// own INSTANCE_ID and port, one DATABASE_URL, one chain) ingest signed records through
// POST /v1/records/batch, the batches spread round-robin over the processes. For each N:
//  - total records/s sustained over a fixed period, as a ratio of the floor (floor.ts, same run);
//  - CPU-seconds per 1,000 records of each hub process and of all of them, from /proc/PID/stat
//    (utime + stime: every thread of the process, its record-check workers included), read before
//    and after the timed period; the PostgreSQL server's backends and this load generator beside;
//  - GET /health and GET /v1/records/:id on the first hub meanwhile (responsiveness.ts): the same
//    probe load whatever N is, so that it does not favour one N.
// Then whether the total does not fall as processes are added, and the projection to Hong Kong's
// peak. Records are signed before the timed phases (the publisher's signing is not the hub's work),
// once for all N: each N gets a fresh chain and a fresh database, the organisation admitted anew
// with the same key, so the same signed records are new to it.
// Run: node scripts/with-postgres.mjs npx tsx scripts/bench/scale.ts [--seconds 20 --processes 1,2,4
//      --batch 500 --concurrency 2 --pool-rate R --tolerance 0.05]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Client as PgClient } from "pg";
import { HubClient } from "../../sdk/client";
import type { SignedRecord } from "../../sdk/envelope";
import { computeDigest } from "../../sdk/digest";
import { randomOrgKey, type OrgKey } from "../../sdk/keys";
import { recoverSigner } from "../../sdk/signature";
import {
  credentialsFor,
  freshDatabase,
  hubEnv,
  isPostgres,
  operatorClient,
  sql,
  startHubProcess,
  startTestChain,
  type HubProcess,
} from "../../test/integration/harness";
import { shipment } from "../../test/fixtures";
import { measureFloor, ofFloor, printFloor, type Floor } from "./floor";
import { startProbes, type ProbeFigures } from "./responsiveness";

/** Hong Kong's air-cargo e-commerce peak: about 2.7 million parcels a day, ten records each (issue 17). */
export const PEAK_RECORDS_PER_SECOND = 3000;
const ORG = "bench-scale";

/**
 * CPU-seconds (user + system) of a process from the text of its /proc/PID/stat. The command name
 * (field 2) is in parentheses and may itself hold spaces and ')': the fields are counted after the
 * last ')'. utime and stime are fields 14 and 15, in clock ticks.
 */
export function cpuSecondsOfStat(stat: string, ticksPerSecond: number): number {
  const close = stat.lastIndexOf(")");
  if (close < 0) throw new Error("not a /proc/PID/stat line: no command name in parentheses");
  // After ")": field 3 (state) onwards, so field k is at index k - 3.
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new Error("not a /proc/PID/stat line: utime/stime are not integers");
  return (utime + stime) / ticksPerSecond;
}

let ticks: number | undefined;
/** The kernel's clock ticks per second (USER_HZ; 100 nearly everywhere, asked once). */
function clockTicks(): number {
  if (ticks === undefined) {
    const asked = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    ticks = Number.isInteger(asked) && asked > 0 ? asked : 100;
  }
  return ticks;
}

/** CPU-seconds a live process has used so far, every thread of it; undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  return cpuSecondsOfStat(stat, clockTicks());
}

/**
 * Busy and total CPU-seconds of the whole machine since boot, from the first ("cpu") line of
 * /proc/stat: user nice system idle iowait irq softirq steal, in clock ticks. Busy is everything but
 * idle and iowait (steal too: a core the hypervisor gave away is not ours to use).
 */
export function machineCpuOfStat(stat: string, ticksPerSecond: number): { busy: number; total: number } {
  const line = stat.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) throw new Error("not /proc/stat: no cpu line");
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const fields = [user, nice, system, idle, iowait, irq, softirq, steal];
  if (!fields.every((f) => Number.isInteger(f))) throw new Error("not /proc/stat: the cpu line has fewer than 8 counters");
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: busy / ticksPerSecond, total: (busy + idle! + iowait!) / ticksPerSecond };
}

const machineCpu = () => machineCpuOfStat(readFileSync("/proc/stat", "utf8"), clockTicks());

interface SignJob {
  orgId: string;
  privateKey: string;
  count: number;
}

/** Signs `count` records on every core at once (worker threads running this file). */
async function signPool(key: OrgKey, count: number): Promise<SignedRecord[]> {
  const cores = availableParallelism();
  const parts = await Promise.all(
    Array.from({ length: cores }, (_, k) => {
      const job: SignJob = { orgId: ORG, privateKey: key.privateKey, count: Math.floor(count / cores) + (k < count % cores ? 1 : 0) };
      const w = new Worker(__filename, { workerData: job, execArgv: ["--require", "tsx/cjs"] });
      return new Promise<SignedRecord[]>((resolve, reject) => {
        w.once("error", reject);
        w.once("message", (records: SignedRecord[]) => {
          resolve(records);
          void w.terminate();
        });
      });
    }),
  );
  return parts.flat();
}

/**
 * The floor of a record's CPU cost: its digest recomputed and its signer recovered (the hub's own
 * sdk code), timed by this process's CPU clock rather than the wall clock, so that other work on
 * the shared cores does not inflate it (floor.ts's per-core rates are wall-clock, all cores busy).
 */
function checkCpuSecondsPer1000(records: readonly SignedRecord[]): number {
  const before = process.cpuUsage();
  for (const r of records) {
    if (computeDigest(r) !== r.digest) throw new Error("floor: digest mismatch");
    recoverSigner(r.digest, r.signature);
  }
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / 1e6 / records.length) * 1000;
}

/** CPU-seconds of each of a set of processes, read at the same moment. */
const cpuOfAll = (pids: readonly number[]) => new Map(pids.map((pid) => [pid, cpuSecondsOf(pid)]));

/**
 * The PostgreSQL server's processes (client backends and its background workers), when the server
 * runs on this machine: its CPU belongs to the cost of a record too. A backend that exits during the
 * period takes its CPU with it, so the figure is a lower bound.
 */
async function postgresPids(url: string, exclude: number): Promise<number[]> {
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost") return [];
  const rows = await sql<{ pid: number }>(url, `SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND pid <> $1`, [exclude]);
  return rows.map((r) => Number(r.pid)).filter((pid) => existsSync(`/proc/${pid}`));
}

/** What the hubs' PostgreSQL sessions were doing, on average over the samples. */
export interface SessionWaits {
  samples: number;
  /** Sessions running a statement (on CPU or waiting inside it). */
  meanActive: number;
  /** Sessions in an open transaction between statements: the hub's own work while it holds the transaction's locks. */
  meanIdleInTransaction: number;
  /** Mean sessions per wait of the active ones ("CPU" where none), most first. */
  waits: { wait: string; meanSessions: number }[];
  /** The statements waiting on a lock, with their mean sessions, most first. */
  lockWaits: { query: string; meanSessions: number }[];
}

/**
 * Samples pg_stat_activity of one database every `intervalMs` on a connection of its own (whose
 * pid `pid` gives, to leave its CPU out): where several hub processes serialise shows as sessions
 * waiting on a Lock, and on which statement.
 */
async function startSessionSampler(url: string, intervalMs = 100): Promise<{ pid: number; stop(): Promise<SessionWaits> }> {
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  const [{ pid }] = (await pg.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows as [{ pid: number }];
  let samples = 0;
  let active = 0;
  let idleInTransaction = 0;
  const waits = new Map<string, number>();
  const locks = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await pg.query<{ state: string | null; type: string | null; event: string | null; query: string }>(
        `SELECT state, wait_event_type AS type, wait_event AS event, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      );
      samples++;
      for (const r of rows) {
        if (r.state === "idle in transaction") idleInTransaction++;
        if (r.state !== "active") continue;
        active++;
        add(waits, r.type ? `${r.type}:${r.event}` : "CPU");
        if (r.type === "Lock") add(locks, r.query);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  const ranked = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +(v / samples).toFixed(2)] as const);
  return {
    pid,
    async stop() {
      running = false;
      await loop;
      await pg.end();
      return {
        samples,
        meanActive: +(active / samples).toFixed(2),
        meanIdleInTransaction: +(idleInTransaction / samples).toFixed(2),
        waits: ranked(waits).map(([wait, meanSessions]) => ({ wait, meanSessions })),
        lockWaits: ranked(locks).map(([query, meanSessions]) => ({ query, meanSessions })),
      };
    },
  };
}

interface Options {
  seconds: number;
  batch: number;
  concurrency: number;
}

interface ProcessFigures {
  instance: string;
  records: number;
  cpuSeconds: number;
  cpuSecondsPer1000: number;
}

interface Run {
  processes: number;
  seconds: number;
  records: number;
  recordsPerSecond: number;
  ofFloor: number;
  /** The signed pool ran out before the period ended: the rate is over the shorter time. */
  poolExhausted: boolean;
  perProcess: ProcessFigures[];
  hubsCpuSeconds: number;
  hubsCpuSecondsPer1000: number;
  postgresCpuSeconds?: number;
  postgresCpuSecondsPer1000?: number;
  benchCpuSecondsPer1000: number;
  machine: { busyCores: number; ofCores: number; thisRunCores: number };
  /** Rows in RecordVersion afterwards = records acknowledged (nothing acknowledged lost). */
  stored: number;
  acknowledged: number;
  probes: ProbeFigures;
  sessions: SessionWaits;
  loadBefore: number;
}

async function runWith(n: number, key: OrgKey, pool: readonly SignedRecord[], floorRps: number, o: Options): Promise<Run> {
  const chain = await startTestChain();
  const database = await freshDatabase();
  const hubs: HubProcess[] = [];
  try {
    for (let i = 1; i <= n; i++) {
      hubs.push(await startHubProcess(hubEnv(chain, database.url, { INSTANCE_ID: `scale-${i}`, ANCHOR_MAX_AGE_MS: "1000", ANCHOR_POLL_MS: "100" })));
    }
    await operatorClient(hubs[0]!.url).admitOrganization({
      id: ORG,
      name: ORG,
      roles: ["FORWARDER"],
      publicKey: key.publicKey,
      credentials: credentialsFor(ORG, ["FORWARDER"]),
    });
    const clients = hubs.map((h) => new HubClient({ baseUrl: h.url, orgId: ORG, privateKey: key.privateKey }));
    await Promise.all(clients.map((c) => c.accessToken()));

    // The probes' record, then one batch through each hub to warm it up (outside the timed period).
    let next = 0;
    const take = (count: number) => pool.slice(next, (next += count));
    const [probeRecord] = await clients[0]!.publishBatch(take(1));
    await Promise.all(clients.map((c) => c.publishBatch(take(o.batch))));
    const warm = next;

    const names = hubs.map((_, i) => `scale-${i + 1}`);
    const perHub = hubs.map(() => 0);
    const hubPids = hubs.map((h) => h.child.pid!);
    const sampler = await startSessionSampler(database.url);
    const pgPids = await postgresPids(database.url, sampler.pid);
    const probes = startProbes({ hubUrl: hubs[0]!.url, recordId: probeRecord!.id, token: () => clients[0]!.accessToken() });
    const loadBefore = loadavg()[0]!;

    const machine0 = machineCpu();
    const hubCpu0 = cpuOfAll(hubPids);
    const pgCpu0 = cpuOfAll(pgPids);
    const benchCpu0 = process.cpuUsage();
    const start = performance.now();
    const deadline = start + o.seconds * 1000;
    let poolExhausted = false;
    // Worker k drives hub k mod N: the batches spread evenly, `concurrency` in flight per process.
    const worker = async (k: number) => {
      const hub = k % n;
      while (performance.now() < deadline) {
        if (next + o.batch > pool.length) {
          poolExhausted = true;
          return;
        }
        const batch = take(o.batch);
        await clients[hub]!.publishBatch(batch);
        perHub[hub]! += batch.length;
      }
    };
    await Promise.all(Array.from({ length: n * o.concurrency }, (_, k) => worker(k)));
    const elapsed = (performance.now() - start) / 1000;
    const hubCpu1 = cpuOfAll(hubPids);
    const machine1 = machineCpu();
    const pgCpu1 = cpuOfAll(await postgresPids(database.url, sampler.pid));
    const benchCpu = process.cpuUsage(benchCpu0);
    const probeFigures = await probes.stop();
    const sessions = await sampler.stop();

    const records = perHub.reduce((a, b) => a + b, 0);
    const per1000 = (cpu: number, of = records) => (cpu * 1000) / of;
    // Each process's CPU per 1,000 of the records it took in (the anchoring lease holder also anchors the others').
    const perProcess = hubPids.map((pid, i) => {
      const before = hubCpu0.get(pid);
      const after = hubCpu1.get(pid);
      if (before === undefined || after === undefined) throw new Error(`hub ${names[i]} (pid ${pid}) exited during the run:\n${hubs[i]!.output()}`);
      return { instance: names[i]!, records: perHub[i]!, cpuSeconds: after - before, cpuSecondsPer1000: per1000(after - before, perHub[i]!) };
    });
    const benchCpuSeconds = (benchCpu.user + benchCpu.system) / 1e6;
    const hubsCpuSeconds = perProcess.reduce((a, p) => a + p.cpuSeconds, 0);
    // A backend born during the period counts from 0; one gone by its end is lost (a lower bound).
    let postgresCpuSeconds = 0;
    for (const [pid, after] of pgCpu1) if (after !== undefined) postgresCpuSeconds += after - (pgCpu0.get(pid) ?? 0);
    const [{ count } = { count: 0 }] = await sql<{ count: string | number }>(database.url, `SELECT COUNT(*) AS count FROM "RecordVersion"`);
    const acknowledged = records + warm;
    return {
      processes: n,
      seconds: +elapsed.toFixed(2),
      records,
      recordsPerSecond: Math.round(records / elapsed),
      ofFloor: +(records / elapsed / floorRps).toFixed(3),
      poolExhausted,
      perProcess,
      hubsCpuSeconds,
      hubsCpuSecondsPer1000: per1000(hubsCpuSeconds),
      ...(pgPids.length > 0 ? { postgresCpuSeconds, postgresCpuSecondsPer1000: per1000(postgresCpuSeconds) } : {}),
      benchCpuSecondsPer1000: per1000(benchCpuSeconds),
      machine: {
        // Cores busy on average over the period, all processes; this run's share (hubs, PostgreSQL, load generator); the rest is others'.
        busyCores: +((machine1.busy - machine0.busy) / elapsed).toFixed(2),
        ofCores: +((machine1.total - machine0.total) / elapsed).toFixed(2),
        thisRunCores: +((hubsCpuSeconds + postgresCpuSeconds + benchCpuSeconds) / elapsed).toFixed(2),
      },
      stored: Number(count),
      acknowledged,
      probes: probeFigures,
      sessions,
      loadBefore,
    };
  } finally {
    await Promise.all(hubs.map((h) => h.stop()));
    await database.drop();
    await chain.stop();
  }
}

const cpuText = (perThousand: number, floorPerThousand: number) =>
  `${perThousand.toFixed(3)} CPU-s per 1,000 records (${(perThousand / floorPerThousand).toFixed(1)}x the floor's ${floorPerThousand.toFixed(3)})`;

/** Each N's total is at least (1 - tolerance) of the one before it (fewer processes). */
export function totalDoesNotFall(rates: readonly number[], tolerance: number): boolean {
  return rates.every((r, i) => i === 0 || r >= (1 - tolerance) * rates[i - 1]!);
}

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "20" },
      processes: { type: "string", default: "1,2,4" },
      batch: { type: "string", default: "500" },
      // Requests in flight per hub process: one answered while the next is parsed.
      concurrency: { type: "string", default: "2" },
      // The signed pool holds this many records/s times the period (plus warm-up): above it a run ends early, and says so.
      // Default: 1.25 x the checked-records floor (no hub checks faster), at most 8,000: signing is slow.
      "pool-rate": { type: "string" },
      // Noise on shared cores: "does not fall" allows this fraction below the previous N's total.
      tolerance: { type: "string", default: "0.05" },
    },
  });
  const o: Options = { seconds: Number(values.seconds), batch: Number(values.batch), concurrency: Number(values.concurrency) };
  const counts = values.processes.split(",").map(Number);
  const tolerance = Number(values.tolerance);
  if (
    ![o.seconds, o.batch, o.concurrency, tolerance, ...counts].every((x) => Number.isFinite(x) && x >= 0) ||
    counts.some((c) => !Number.isInteger(c) || c < 1)
  ) {
    throw new Error("--seconds, --batch, --concurrency, --tolerance and --processes take positive numbers");
  }
  if (!isPostgres()) throw new Error("bench:scale runs on PostgreSQL: node scripts/with-postgres.mjs npx tsx scripts/bench/scale.ts");

  // The floor first, on the same cores and under the same load as the runs.
  const floor: Floor = await measureFloor({ postgresUrl: process.env.CARGOPROOF_TEST_PG, seconds: 3 });
  printFloor(floor);
  const floorRps = Math.min(floor.checkedRecordsPerSecond, floor.postgresInsertsPerSecond ?? Infinity);

  const key = randomOrgKey();
  const poolRate = values["pool-rate"] !== undefined ? Number(values["pool-rate"]) : Math.min(8000, 1.25 * floor.checkedRecordsPerSecond);
  if (!(poolRate > 0)) throw new Error("--pool-rate takes a positive number");
  const poolSize = Math.ceil(poolRate * o.seconds) + (Math.max(...counts) + 1) * o.batch + 1;
  process.stdout.write(`signing ${poolSize.toLocaleString("en-US")} records ahead of the timed phases, on ${availableParallelism()} cores... `);
  const signStart = Date.now();
  const pool = await signPool(key, poolSize);
  console.log(`${((Date.now() - signStart) / 1000).toFixed(1)} s`);
  const floorCpuPer1000 = checkCpuSecondsPer1000(pool.slice(0, 2000));
  console.log(`  checks alone (digest + recovery): ${floorCpuPer1000.toFixed(3)} CPU-s per 1,000 records (CPU clock, the floor of a record's cost)`);

  const runs: Run[] = [];
  for (const n of counts) {
    process.stdout.write(`${n} hub process(es): `);
    const run = await runWith(n, key, pool, floorRps, o);
    runs.push(run);
    console.log(
      `${run.recordsPerSecond.toLocaleString("en-US")} records/s over ${run.seconds} s${run.poolExhausted ? " (pool exhausted: raise --pool-rate)" : ""}`,
    );
  }

  const falls = !totalDoesNotFall(
    runs.map((r) => r.recordsPerSecond),
    tolerance,
  );
  // On shared cores the others' load changes from one N to the next: the records per CPU-second this
  // run got (hubs, PostgreSQL, load generator) read the same check without it.
  const perCoreGot = runs.map((r) => r.recordsPerSecond / r.machine.thisRunCores);
  const fallsPerCore = !totalDoesNotFall(perCoreGot, tolerance);
  // Cores kept fully busy at the peak: the measured CPU-seconds a record times the peak rate, for each N.
  const projection = {
    peakRecordsPerSecond: PEAK_RECORDS_PER_SECOND,
    floorCores: (floorCpuPer1000 / 1000) * PEAK_RECORDS_PER_SECOND,
    byProcesses: runs.map((r) => ({
      processes: r.processes,
      hubCpuSecondsPerRecord: r.hubsCpuSecondsPer1000 / 1000,
      postgresCpuSecondsPerRecord: (r.postgresCpuSecondsPer1000 ?? 0) / 1000,
      hubCores: (r.hubsCpuSecondsPer1000 / 1000) * PEAK_RECORDS_PER_SECOND,
      hubAndPostgresCores: ((r.hubsCpuSecondsPer1000 + (r.postgresCpuSecondsPer1000 ?? 0)) / 1000) * PEAK_RECORDS_PER_SECOND,
    })),
  };
  console.log(`
several hub processes on one PostgreSQL, POST /v1/records/batch (${o.batch} records/request, ${o.concurrency} in flight per process, signatures checked)`);
  for (const r of runs) {
    console.log(
      `  ${r.processes} process(es), ${r.seconds} s (load ${r.loadBefore.toFixed(2)} before): ${ofFloor(r.recordsPerSecond, floorRps, " records/s")}`,
    );
    for (const p of r.perProcess) console.log(`    ${p.instance}: ${p.records} records, ${cpuText(p.cpuSecondsPer1000, floorCpuPer1000)}`);
    console.log(`    all hub processes: ${r.hubsCpuSeconds.toFixed(2)} CPU-s, ${cpuText(r.hubsCpuSecondsPer1000, floorCpuPer1000)}`);
    if (r.postgresCpuSecondsPer1000 !== undefined)
      console.log(`    PostgreSQL backends: ${r.postgresCpuSecondsPer1000.toFixed(3)} CPU-s per 1,000 records (at least)`);
    console.log(`    this load generator: ${r.benchCpuSecondsPer1000.toFixed(3)} CPU-s per 1,000 records`);
    console.log(
      `    the machine: ${r.machine.busyCores} of ${r.machine.ofCores} cores busy on average, ${r.machine.thisRunCores} of them this run's (hubs, PostgreSQL, load generator), ${Math.max(0, r.machine.busyCores - r.machine.thisRunCores).toFixed(2)} others'`,
    );
    const w = r.sessions;
    console.log(
      `    PostgreSQL sessions (${w.samples} samples): ${w.meanActive} active, ${w.meanIdleInTransaction} idle in a transaction; active: ${w.waits
        .slice(0, 4)
        .map((x) => `${x.wait} ${x.meanSessions}`)
        .join(", ")}`,
    );
    for (const l of w.lockWaits.slice(0, 3)) console.log(`      waiting on a lock (${l.meanSessions}): ${l.query}`);
    console.log(`    acknowledged ${r.acknowledged}, stored ${r.stored}: ${r.acknowledged === r.stored ? "nothing lost" : "MISMATCH"}`);
    console.log(
      `    meanwhile on ${r.perProcess[0]!.instance}: GET /health p50 ${r.probes.health.p50ms} ms, p95 ${r.probes.health.p95ms} ms; GET /v1/records/:id p50 ${r.probes.record.p50ms} ms, p95 ${r.probes.record.p95ms} ms`,
    );
  }
  const ratiosOf = (xs: readonly number[]) =>
    runs.map((r, i) => (i === 0 ? "" : ` ${r.processes}/${runs[i - 1]!.processes}: ${(xs[i]! / xs[i - 1]!).toFixed(2)}`)).join("");
  console.log(
    `  total does not fall as processes are added (on ${availableParallelism()} cores, ${tolerance * 100}% noise allowed):${ratiosOf(runs.map((r) => r.recordsPerSecond))}: ${falls ? "FAIL" : "PASS"}`,
  );
  console.log(
    `  the same per core this run got (records/s / its cores busy: ${perCoreGot.map((x) => Math.round(x).toLocaleString("en-US")).join(", ")}):${ratiosOf(perCoreGot)}: ${fallsPerCore ? "FAIL" : "PASS"}`,
  );
  console.log(
    `projection to the peak of ${PEAK_RECORDS_PER_SECOND.toLocaleString("en-US")} records/s (2.7 million parcels a day, ten records each): cores kept fully busy`,
  );
  for (const p of projection.byProcesses) {
    const us = (x: number) => (x * 1e6).toFixed(0);
    console.log(
      `  cost measured with ${p.processes} process(es): hubs ${us(p.hubCpuSecondsPerRecord)} CPU-µs a record x ${PEAK_RECORDS_PER_SECOND} = ${p.hubCores.toFixed(2)} cores; ` +
        `with PostgreSQL's ${us(p.postgresCpuSecondsPerRecord)} CPU-µs: ${p.hubAndPostgresCores.toFixed(2)} cores`,
    );
  }
  console.log(`  the checks alone at the floor: ${projection.floorCores.toFixed(2)} cores`);
  mkdirSync("bench-results", { recursive: true });
  const result = {
    machine: { cores: cpus().length, node: process.version },
    provider: "postgresql",
    floor,
    floorRecordsPerSecond: floorRps,
    floorCpuSecondsPer1000: floorCpuPer1000,
    options: { ...o, tolerance, poolRate, poolSize },
    runs,
    totalDoesNotFall: !falls,
    perCoreGotDoesNotFall: !fallsPerCore,
    projection,
  };
  writeFileSync(join("bench-results", "scale.json"), JSON.stringify(result, null, 2));
  if (runs.some((r) => r.acknowledged !== r.stored)) process.exitCode = 1;
}

if (!isMainThread) {
  // A signing worker (signPool): its share of the pool, sent back at once.
  const job = workerData as SignJob;
  const client = new HubClient({ baseUrl: "http://127.0.0.1", orgId: job.orgId, privateKey: job.privateKey });
  parentPort!.postMessage(Array.from({ length: job.count }, () => client.signRecord("Shipment", shipment())));
} else if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
