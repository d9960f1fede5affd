/**
 * The limits benchmark (issue 17, target 1): measures the floor on this machine now, then reads what
 * the other benchmarks last wrote to bench-results/*.json and prints each headline figure as a ratio
 * of its floor, with the file's date. Runs no other benchmark itself: run them first.
 * Run: npx tsx scripts/bench/limits.ts   (PostgreSQL too: node scripts/with-postgres.mjs npx tsx scripts/bench/limits.ts)
 * Writes bench-results/floor.json. A benchmark that stores the floor of its own run as `floor` in
 * its JSON (measureFloor's result) is read against that one, measured under the same load.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { measureFloor, ofFloor, printFloor, type Floor } from "./floor";

// BENCH_RESULTS_DIR: another folder of results (an older run's, a copy from another machine).
const RESULTS = process.env.BENCH_RESULTS_DIR ?? path.join(__dirname, "../../bench-results");

/** A headline figure and the floor figure it is a ratio of (none: no physical floor bounds it). */
interface Headline {
  what: string;
  figure: number;
  unit: string;
  floor?: number;
  /** What the JSON lacks for a fair ratio. */
  note?: string;
}

const IngestSchema = z.object({
  sustained: z.object({ recordsPerSecond: z.number(), seconds: z.number() }),
  provider: z.string().optional(),
});
const CustomsSchema = z.object({ documentsPerSecond: z.number(), totalSeconds: z.number() });
const AuditSchema = z.object({
  results: z.array(z.object({ records: z.number(), runs: z.array(z.object({ workers: z.number(), recordsPerS: z.number() })) })),
});
const PageSchema = z.object({ steps: z.number(), requestsPerS: z.number(), p95Ms: z.number() });
const ScaleSchema = z.object({ runs: z.array(z.object({ processes: z.number(), recordsPerSecond: z.number() })) });

/**
 * A floor a benchmark measured in its own run and stored as `floor` in its JSON: its ratios are then
 * read against that (the same load on the shared cores), not against this run's.
 */
const StoredFloorSchema = z.object({
  floor: z
    .object({
      cores: z.number(),
      recoveriesPerSecondPerCore: z.number(),
      digestsPerSecondPerCore: z.number(),
      checkedRecordsPerSecond: z.number(),
      sqliteInsertsPerSecond: z.number(),
      postgresInsertsPerSecond: z.number().optional(),
    })
    .passthrough(),
});

/** Each benchmark's file, and how its headline is read against the floor. */
const READERS: Record<string, (json: unknown, f: Floor) => Headline[]> = {
  "ingest.json": (json, f) => {
    const j = IngestSchema.parse(json);
    const pg = j.provider === "postgresql";
    return [
      {
        what: `ingest sustained ${j.sustained.seconds.toFixed(0)} s${j.provider ? ` (${j.provider})` : ""}, every check`,
        figure: j.sustained.recordsPerSecond,
        unit: " records/s",
        floor: Math.min(f.checkedRecordsPerSecond, pg ? (f.postgresInsertsPerSecond ?? Infinity) : f.sqliteInsertsPerSecond),
        ...(j.provider ? {} : { note: "no provider field: taken as SQLite" }),
      },
    ];
  },
  "customs.json": (json, f) => {
    const j = CustomsSchema.parse(json);
    return [
      {
        what: `customs day publish (${j.totalSeconds.toFixed(1)} s in all)`,
        figure: j.documentsPerSecond,
        unit: " documents/s",
        floor: f.checkedRecordsPerSecond,
      },
    ];
  },
  "audit.json": (json, f) => {
    const j = AuditSchema.parse(json);
    const largest = j.results.reduce((a, b) => (b.records > a.records ? b : a));
    const best = largest.runs.reduce((a, b) => (b.recordsPerS > a.recordsPerS ? b : a));
    return [
      {
        what: `audit of ${largest.records.toLocaleString("en-US")} records, ${best.workers} workers`,
        figure: best.recordsPerS,
        unit: " records/s",
        floor: f.checkedRecordsPerSecond,
      },
    ];
  },
  "page.json": (json) => {
    const j = PageSchema.parse(json);
    return [
      {
        what: `product page, ${j.steps} steps (p95 ${j.p95Ms} ms)`,
        figure: j.requestsPerS,
        unit: " pages/s",
        note: "no floor: a page is reads and rendering, none of the floor's figures bounds it",
      },
    ];
  },
  "scale.json": (json, f) =>
    ScaleSchema.parse(json).runs.map((r) => ({
      what: `${r.processes} hub process(es) on one PostgreSQL`,
      figure: r.recordsPerSecond,
      unit: " records/s",
      floor: Math.min(f.checkedRecordsPerSecond, f.postgresInsertsPerSecond ?? Infinity),
      ...(f.postgresInsertsPerSecond === undefined ? { note: "no PostgreSQL floor in this run (run under scripts/with-postgres.mjs)" } : {}),
    })),
};

function report(f: Floor): void {
  console.log("\nlast results (bench-results/), as ratios of this run's floor:");
  for (const [file, read] of Object.entries(READERS)) {
    const full = path.join(RESULTS, file);
    if (!existsSync(full)) {
      console.log(`  ${file}: not there (run its benchmark first)`);
      continue;
    }
    const date = statSync(full).mtime.toISOString().slice(0, 16).replace("T", " ");
    let lines: Headline[];
    let whose = "this run's floor";
    try {
      const json: unknown = JSON.parse(readFileSync(full, "utf8"));
      const own = StoredFloorSchema.safeParse(json);
      if (own.success) whose = "its own run's floor";
      lines = read(json, own.success ? { ...f, ...own.data.floor } : f);
    } catch (err) {
      console.log(`  ${file} (${date}): unreadable: ${(err as Error).message.split("\n")[0]}`);
      continue;
    }
    for (const h of lines) {
      const figure =
        h.floor !== undefined && Number.isFinite(h.floor) ? ofFloor(h.figure, h.floor, h.unit) : `${Math.round(h.figure).toLocaleString("en-US")}${h.unit}`;
      const against = h.floor !== undefined ? `, ${whose}` : "";
      console.log(`  ${h.what} (${file}, ${date}${against}): ${figure}${h.note ? `  [${h.note}]` : ""}`);
    }
  }
}

async function main() {
  const floor = await measureFloor({ postgresUrl: process.env.CARGOPROOF_TEST_PG });
  printFloor(floor);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, "floor.json"), JSON.stringify(floor, null, 2) + "\n");
  report(floor);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
