/**
 * The physical floor on this machine, measured in the same run as a benchmark so that its figures
 * can be read as ratios of what the hardware allows (issue 17): the hub's own per-record checks
 * (native secp256k1 recovery, digest recompute) on every core at once, and bulk inserts of
 * RecordVersion rows through the hub's insert path on SQLite (and PostgreSQL when given a URL).
 * Run alone: npx tsx scripts/bench/floor.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { Client as PgClient } from "pg";
import { openDatabase, writeTransaction } from "../../server/db/client";
import { insertRows } from "../../server/db/bulk-insert";
import { migrate } from "../../server/db/migrate";
import { floorRecord, type FloorJob } from "./floor-record";

export interface Floor {
  cores: number;
  /** Native secp256k1 public-key recovery of a record signature (sdk/signature.ts recoverSigner), per core, all cores busy. */
  recoveriesPerSecondPerCore: number;
  /** libsecp256k1's ecdsaRecover alone, per core, all cores busy: what recoverSigner's hashing and checksum add is the gap. */
  nativeRecoveriesPerSecondPerCore: number;
  /** A record digest recomputed from a signed record (sdk/digest.ts computeDigest), per core, all cores busy. */
  digestsPerSecondPerCore: number;
  /** cores / (1/recoveries + 1/digests): every check of a record, on all cores. */
  checkedRecordsPerSecond: number;
  /** RecordVersion rows/s, batches of 500 in transactions, server/db/bulk-insert.ts on a temp file DB with the hub's pragmas. */
  sqliteInsertsPerSecond: number;
  /** The same on PostgreSQL, when a URL is given. */
  postgresInsertsPerSecond?: number;
  /** Seconds each figure was measured for, and when. */
  seconds: number;
  when: string;
  /** The 1-minute load average before the run: other work on the shared cores lowers every figure. */
  loadBefore: number;
}

const BATCH = 500;
const COLUMNS = ["id", "recordId", "version", "type", "owner", "body", "salts", "digest", "signature", "signer", "publishedAt"] as const;

/** One check on every core at the same time; the per-core mean rate. */
async function perCore(kind: FloorJob["kind"], seconds: number, cores: number): Promise<number> {
  const workers = Array.from(
    { length: cores },
    () => new Worker(path.join(__dirname, "floor-worker.ts"), { workerData: { kind, seconds } satisfies FloorJob, execArgv: ["--require", "tsx/cjs"] }),
  );
  try {
    const ready = workers.map((w) => once<string>(w));
    await Promise.all(ready);
    const done = workers.map((w) => once<{ count: number; ms: number }>(w));
    for (const w of workers) w.postMessage("go");
    const results = await Promise.all(done);
    return results.reduce((sum, r) => sum + (r.count * 1000) / r.ms, 0) / cores;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function once<T>(w: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    w.once("error", onError);
    w.once("message", (m: T) => {
      w.off("error", onError);
      resolve(m);
    });
  });
}

/** RecordVersion rows/s through the hub's bulk insert, on an empty migrated database. */
async function insertsPerSecond(url: string, seconds: number): Promise<number> {
  await migrate(url);
  const database = await openDatabase(url);
  try {
    const template = floorRecord(0);
    const body = JSON.stringify(template.body);
    const salts = JSON.stringify(template.salts);
    let n = 0;
    const rowsOf = () =>
      Array.from({ length: BATCH }, () => {
        const i = n++;
        const digest = `0x${i.toString(16).padStart(64, "0")}`;
        return [
          `floor-${i}@1`,
          `floor-${i}`,
          1,
          template.type,
          template.owner,
          body,
          salts,
          digest,
          template.signature,
          "0x0000000000000000000000000000000000000001",
          new Date(),
        ];
      });
    const start = performance.now();
    const until = start + seconds * 1000;
    do {
      const rows = rowsOf();
      await writeTransaction(database.db, (tx) => insertRows(tx, database.provider, "RecordVersion", COLUMNS, rows));
    } while (performance.now() < until);
    return (n * 1000) / (performance.now() - start);
  } finally {
    await database.close();
  }
}

async function sqliteInserts(seconds: number): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cargoproof-floor-"));
  try {
    return await insertsPerSecond(`file:${path.join(dir, "floor.db")}`, seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** On a database of its own on the server `baseUrl` names, dropped afterwards. */
async function postgresInserts(baseUrl: string, seconds: number): Promise<number> {
  const name = `cp_floor_${process.pid}_${Date.now()}`;
  const admin = async (sql: string) => {
    const c = new PgClient({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(baseUrl);
    url.pathname = `/${name}`;
    return await insertsPerSecond(url.toString(), seconds);
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

export async function measureFloor(opts: { postgresUrl?: string; seconds?: number } = {}): Promise<Floor> {
  const seconds = opts.seconds ?? 3;
  const cores = os.availableParallelism();
  const loadBefore = os.loadavg()[0];
  const recoveriesPerSecondPerCore = await perCore("recoveries", seconds, cores);
  const nativeRecoveriesPerSecondPerCore = await perCore("nativeRecoveries", seconds, cores);
  const digestsPerSecondPerCore = await perCore("digests", seconds, cores);
  const sqliteInsertsPerSecond = await sqliteInserts(seconds);
  const postgresInsertsPerSecond = opts.postgresUrl ? await postgresInserts(opts.postgresUrl, seconds) : undefined;
  return {
    cores,
    recoveriesPerSecondPerCore,
    nativeRecoveriesPerSecondPerCore,
    digestsPerSecondPerCore,
    checkedRecordsPerSecond: cores / (1 / recoveriesPerSecondPerCore + 1 / digestsPerSecondPerCore),
    sqliteInsertsPerSecond,
    ...(postgresInsertsPerSecond !== undefined ? { postgresInsertsPerSecond } : {}),
    seconds,
    when: new Date().toISOString(),
    loadBefore,
  };
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

/** "12,345/s = 0.46 of floor (26,800/s)" style text, one place for the format. */
export function ofFloor(figure: number, floor: number, unit = "/s"): string {
  const ratio = floor > 0 && Number.isFinite(floor) ? (figure / floor).toFixed(2) : "?";
  return `${fmt(figure)}${unit} = ${ratio} of floor (${fmt(floor)}${unit})`;
}

export function printFloor(f: Floor): void {
  console.log(`floor on ${f.cores} cores (${f.seconds} s each, load ${f.loadBefore.toFixed(2)} before):`);
  console.log(
    `  secp256k1 recoveries  ${fmt(f.recoveriesPerSecondPerCore)}/s per core (recoverSigner; ecdsaRecover alone ${fmt(f.nativeRecoveriesPerSecondPerCore)}/s)`,
  );
  console.log(`  record digests        ${fmt(f.digestsPerSecondPerCore)}/s per core`);
  console.log(`  checked records       ${fmt(f.checkedRecordsPerSecond)}/s on all cores (recovery + digest)`);
  console.log(`  SQLite inserts        ${fmt(f.sqliteInsertsPerSecond)} rows/s (RecordVersion, batches of ${BATCH})`);
  if (f.postgresInsertsPerSecond !== undefined) console.log(`  PostgreSQL inserts    ${fmt(f.postgresInsertsPerSecond)} rows/s`);
}

if (require.main === module) {
  measureFloor({ postgresUrl: process.env.CARGOPROOF_TEST_PG }).then(printFloor, (err) => {
    console.error(err);
    process.exit(1);
  });
}
