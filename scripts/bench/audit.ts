/**
 * Audit throughput and memory. Run: npx hardhat run scripts/bench/audit.ts   (in-process hardhat network)
 * AUDIT_RECORDS (default 1,000,000) signed records from a few organisations admitted on chain,
 * anchored in batches of 10,000 (each with the heads of the access log chains that moved as leaves),
 * written as an export file with an access log of N/10 entries in one chain per owner; then auditExport over the file is timed, with heap and
 * RSS at 25/50/75/100% of the records to show memory stays flat. A 100,000-record export is timed
 * first (inline, and on worker threads with lines sent as text and as file bytes). The floor (floor.ts) is
 * measured after each export is written, and every figure printed as a ratio of it, records/s and CPU time
 * a record. Writes bench-results/audit.json; figures only, no pass/fail.
 * With NODE_OPTIONS=--expose-gc the heap figures are the live heap (collected before each sample).
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import { performance as nodePerformance } from "node:perf_hooks";
import path from "node:path";
import { config, ethers } from "hardhat";
import { Wallet, type BaseContract, type ContractTransactionResponse, type HDNodeWallet } from "ethers";
import { ACCESS_LOG_GENESIS, accessChainHeadLeaf, accessLogChainOf, chainAccessLines, type AccessLogEntry } from "../../sdk/access-log";
import { auditExport } from "../../sdk/audit/audit";
import { fileLines } from "../../sdk/audit/export-file";
import type { ExportLine } from "../../sdk/audit/export-format";
import { defaultWorkerCount } from "../../sdk/audit/line-pool";
import { keccakReady } from "../../sdk/bytes";
import { orgIdToBytes32 } from "../../sdk/chain-abi";
import { prepareRecord } from "../../sdk/digest";
import { buildMerkleTree } from "../../sdk/merkle";
import { nativeSecp256k1Available, signRecord } from "../../sdk/signature";
import { measureFloor, ofFloor, printFloor, type Floor } from "./floor";

type Registry = BaseContract & Record<string, (...args: unknown[]) => Promise<ContractTransactionResponse>>;

const RECORDS = Number(process.env.AUDIT_RECORDS ?? 1_000_000);
const SMALL = 100_000;
const BATCH = 10_000;
const ORGS = ["acme-shipping", "fast-forward", "sky-cargo"];
const AIRPORTS = ["FRA", "JFK", "ORD", "HKG", "PVG", "DXB", "LHR", "CDG", "AMS", "SIN", "NRT", "LAX"];

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** A realistic shipment body (the 9 fields of the Shipment type), varied per record. */
function shipmentBody(i: number): Record<string, unknown> {
  return {
    goodsDescription: `Consumer electronics, consignment ${i}`,
    totalGrossWeight: { value: 100 + ((i * 37) % 5000) + 0.5, unit: i % 7 === 0 ? "LBR" : "KGM" },
    pieceCount: 1 + (i % 48),
    shipper: { name: `Shipper Company ${i % 977} Ltd`, country: "CN", address: `Nanshan ${i % 200}, Shenzhen` },
    consignee: { name: `Consignee Corp ${i % 1013}`, country: "DE", address: `Cargo Plaza ${i % 900}, Frankfurt` },
    origin: AIRPORTS[i % AIRPORTS.length],
    destination: AIRPORTS[(i + 5) % AIRPORTS.length],
    incoterms: ["DAP", "FCA", "CPT", "DDP"][i % 4],
    waybillNumber: `020-${String(1000000 + (i % 8999999)).padStart(7, "0")}${(1000000 + (i % 8999999)) % 7}`,
  };
}

interface Setup {
  contracts: { participantRegistry: string; anchorRegistry: string };
  hubAnchors: Registry;
  anchorer: string;
  chainId: number;
  fromBlock: number;
  keys: HDNodeWallet[];
}

async function setUp(): Promise<Setup> {
  const [operator, anchorer] = await ethers.getSigners();
  const participants = (await ethers.deployContract("ParticipantRegistry", operator)) as unknown as Registry;
  const fromBlock = (await participants.deploymentTransaction()!.wait())!.blockNumber;
  const anchors = (await ethers.deployContract("AnchorRegistry", [await participants.getAddress()], operator)) as unknown as Registry;
  await (await anchors.setAnchorer(anchorer.address, true)).wait();
  const keys = ORGS.map(() => Wallet.createRandom());
  for (let i = 0; i < ORGS.length; i++) await (await participants.admit(orgIdToBytes32(ORGS[i]), 1n, keys[i].address)).wait();
  return {
    contracts: { participantRegistry: await participants.getAddress(), anchorRegistry: await anchors.getAddress() },
    hubAnchors: anchors.connect(anchorer) as Registry,
    anchorer: anchorer.address,
    chainId: Number((await ethers.provider.getNetwork()).chainId),
    fromBlock,
    keys,
  };
}

/**
 * `count` access-log lines about the records, as the hub writes them: one chain per owner
 * (sdk/access-log.ts, v2), numbered hub-wide by `seq` in the order they were appended.
 */
function chainedAccessLog(count: number, n: number, tag: string): AccessLogEntry[] {
  const heads = new Map<string, { seq: number; hash: string }>();
  const out: AccessLogEntry[] = [];
  for (let i = 0; i < count; i++) {
    const owner = ORGS[i % ORGS.length]!;
    const chain = accessLogChainOf(owner);
    const draft = {
      at: new Date(Date.now() - 1000 + i).toISOString(),
      actor: ORGS[(i + 1) % ORGS.length]!,
      action: i % 10 === 9 ? ("DENY" as const) : ("READ" as const),
      recordId: `shp-${tag}-${(i * 7) % n}`,
      version: 1,
      owner,
      detail: null,
    };
    const [line] = chainAccessLines(chain, heads.get(chain) ?? { seq: 0, hash: ACCESS_LOG_GENESIS }, [draft]);
    heads.set(chain, { seq: line!.chainSeq, hash: line!.hash });
    out.push({ seq: i + 1, ...line! });
  }
  return out;
}

/** The last line of each chain among access[from, to): the heads a batch sealed then anchors. */
function movedHeads(access: readonly AccessLogEntry[], from: number, to: number): { chain: string; seq: number; hash: string }[] {
  const last = new Map<string, { chain: string; seq: number; hash: string }>();
  for (const e of access.slice(from, to)) last.set(e.chain!, { chain: e.chain!, seq: e.chainSeq!, hash: e.hash });
  return [...last.values()].sort((x, y) => (x.chain < y.chain ? -1 : 1));
}

/** Writes an export of `n` records (anchoring its batches on chain) and returns its path and size. */
async function writeExportFile(s: Setup, n: number, dir: string, tag: string): Promise<{ file: string; bytes: number; genS: number }> {
  const t0 = performance.now();
  const file = path.join(dir, `export-${tag}.jsonl`);
  const fd = openSync(file, "w");
  const write = (lines: ExportLine[]) => writeSync(fd, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const batches = Math.ceil(n / BATCH);
  const accessCount = Math.floor(n / 10);
  const access = chainedAccessLog(accessCount, n, tag);
  write([
    {
      kind: "header",
      format: "cargoproof-export/1",
      scope: "all",
      orgId: "bench-auditor",
      chainId: s.chainId,
      participantRegistry: s.contracts.participantRegistry,
      anchorRegistry: s.contracts.anchorRegistry,
      anchorer: s.anchorer,
      exportedAt: new Date().toISOString(),
      expected: { batches, records: n, access: accessCount },
    },
  ]);
  for (let b = 0; b < batches; b++) {
    const lines: ExportLine[] = [];
    const digests: string[] = [];
    const publishedAt = new Date().toISOString();
    const batchId = `batch-${tag}-${b}`;
    for (let i = b * BATCH; i < Math.min(n, (b + 1) * BATCH); i++) {
      const o = i % ORGS.length;
      const record = signRecord(s.keys[o].privateKey, prepareRecord({ type: "Shipment", id: `shp-${tag}-${i}`, version: 1, owner: ORGS[o] }, shipmentBody(i)));
      digests.push(record.digest);
      lines.push({ kind: "record", cursor: `r:${i}`, record, publishedAt, batchId });
    }
    // The heads of the chains that moved since the last batch: the log grows with the records.
    const heads = movedHeads(access, Math.floor((b * accessCount) / batches), Math.floor(((b + 1) * accessCount) / batches));
    const leaves = [...digests, ...heads.map((h) => accessChainHeadLeaf(h.chain, h.seq, h.hash))];
    const tree = buildMerkleTree(leaves);
    const receipt = (await (await s.hubAnchors.anchor(tree.root, leaves.length)).wait())!;
    write([
      {
        kind: "batch",
        cursor: `b:${b}`,
        id: batchId,
        root: tree.root,
        leafCount: leaves.length,
        leaves,
        status: "ANCHORED",
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
        ...(heads.length > 0 ? { accessLogChains: heads } : {}),
      },
      ...lines,
    ]);
    if ((b + 1) % 10 === 0) process.stderr.write(`  generated ${fmt((b + 1) * BATCH)} records\n`);
  }
  for (let i = 0; i < access.length; i += 10_000) write(access.slice(i, i + 10_000).map((entry) => ({ kind: "access", cursor: `a:${entry.seq}`, entry })));
  write([{ kind: "end", counts: { batches, records: n, access: accessCount } }]);
  closeSync(fd);
  return { file, bytes: statSync(file).size, genS: (performance.now() - t0) / 1000 };
}

const gc = (globalThis as { gc?: () => void }).gc;

interface MemoryPoint {
  percent: number;
  records: number;
  heapUsedMB: number;
  rssMB: number;
}

interface Run {
  records: number;
  workers: number;
  /** "bytes": the file's raw chunks moved to the workers; "text": its lines decoded here and copied to them. */
  input: "bytes" | "text";
  totalS: number;
  streamS: number;
  chainS: number;
  recordsPerS: number;
  clean: boolean;
  findings: number;
  memory: MemoryPoint[];
  /** CPU time of the whole process (every thread) per record checked: unlike records/s, not inflated when other work takes the cores. */
  cpuUsPerRecord: number;
  /** How busy the main thread's event loop was (0..1): with workers, it should only read the file and put results in order. */
  mainThreadBusy: number;
  /** The machine's 1-minute load average before and after: the cores are shared with other work. */
  loadBefore: number;
  loadAfter: number;
}

/** The file's lines as text, hidden from the line pool's byte path: how an export streamed from a hub is checked. */
async function* asText(file: string): AsyncGenerator<string> {
  yield* fileLines(file);
}

async function timeAudit(s: Setup, file: string, n: number, workers: number, input: "bytes" | "text" = "bytes"): Promise<Run> {
  const memory: MemoryPoint[] = [];
  const loadBefore = os.loadavg()[0];
  let next = 25;
  const cpu0 = process.cpuUsage();
  const elu0 = nodePerformance.eventLoopUtilization();
  const t0 = performance.now();
  const report = await auditExport(input === "bytes" ? fileLines(file) : asText(file), {
    provider: ethers.provider,
    contracts: s.contracts,
    fromBlock: s.fromBlock,
    workers,
    onProgress: (p) => {
      while (next <= 100 && p.records >= (n * next) / 100) {
        gc?.(); // with --expose-gc: the live heap, not whatever garbage is still uncollected
        const m = process.memoryUsage();
        memory.push({ percent: next, records: p.records, heapUsedMB: mb(m.heapUsed), rssMB: mb(m.rss) });
        next += 25;
      }
    },
  });
  const totalS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mainThreadBusy = nodePerformance.eventLoopUtilization(elu0).utilization;
  if (!report.clean) console.error(JSON.stringify(report.findings.slice(0, 5), null, 2));
  return {
    records: report.summary.counts.records,
    workers,
    input,
    totalS,
    streamS: report.summary.timings.streamMs / 1000,
    chainS: report.summary.timings.chainMs / 1000,
    recordsPerS: report.summary.counts.records / totalS,
    clean: report.clean,
    findings: report.summary.totalFindings,
    memory,
    cpuUsPerRecord: (cpu.user + cpu.system) / report.summary.counts.records,
    mainThreadBusy,
    loadBefore,
    loadAfter: os.loadavg()[0],
  };
}

/** The CPU time the floor's checks of one record take (recovery + digest), in µs. */
const floorCpuUs = (f: Floor) => 1e6 / f.recoveriesPerSecondPerCore + 1e6 / f.digestsPerSecondPerCore;

function print(label: string, r: Run, floor: Floor): void {
  const floorOf = r.workers > 0 ? floor.checkedRecordsPerSecond : floor.checkedRecordsPerSecond / floor.cores;
  console.log(`${label}: ${ofFloor(r.recordsPerS, floorOf, " records/s")}; CPU a record ${(floorCpuUs(floor) / r.cpuUsPerRecord).toFixed(2)} of floor's`);
  console.log(
    `${label}: ${fmt(r.records)} records in ${r.totalS.toFixed(1)} s = ${fmt(r.recordsPerS)} records/s ` +
      `(chain ${r.chainS.toFixed(1)} s, export ${r.streamS.toFixed(1)} s; workers ${r.workers}; ${r.cpuUsPerRecord.toFixed(0)} CPU-µs a record, main thread ${(100 * r.mainThreadBusy).toFixed(0)}% busy; ${r.clean ? "clean" : `${r.findings} findings!`}; load ${r.loadBefore.toFixed(1)} -> ${r.loadAfter.toFixed(1)})`,
  );
  for (const m of r.memory) console.log(`    at ${String(m.percent).padStart(3)}% (${fmt(m.records)} records): heap ${m.heapUsedMB} MB, RSS ${m.rssMB} MB`);
}

async function main(): Promise<void> {
  await keccakReady;
  if (!nativeSecp256k1Available()) console.warn("warning: the native secp256k1 addon is missing; signatures use the slow JS path");
  const dir = mkdtempSync(path.join(os.tmpdir(), "cargoproof-audit-bench-"));
  const workers = defaultWorkerCount();
  try {
    const sizes = [...new Set([Math.min(SMALL, RECORDS), RECORDS])];
    const results: { records: number; fileMB: number; floor: Floor; runs: Run[] }[] = [];
    for (const n of sizes) {
      // Fresh registries per size: an earlier run's roots would be unreported roots of this export.
      const s = await setUp();
      console.log(`\n${fmt(n)} records: writing the export (signing, anchoring ${Math.ceil(n / BATCH)} batches)...`);
      const { file, bytes, genS } = await writeExportFile(s, n, dir, String(n));
      console.log(`  ${path.basename(file)}: ${fmt(bytes / 2 ** 20)} MB, ${fmt(n / 10)} access-log entries, written in ${genS.toFixed(0)} s`);
      // Measured here, after the export is written: under the same load as the audits that follow.
      const floor = await measureFloor({ seconds: 2 });
      printFloor(floor);
      const runs: Run[] = [];
      if (n === Math.min(SMALL, RECORDS)) {
        runs.push(await timeAudit(s, file, n, 0));
        print(`  audit inline (1 thread)`, runs[runs.length - 1], floor);
        runs.push(await timeAudit(s, file, n, workers, "text"));
        print(`  audit with ${workers} worker threads, lines sent as text`, runs[runs.length - 1], floor);
      }
      runs.push(await timeAudit(s, file, n, workers));
      print(`  audit with ${workers} worker threads, file bytes sent`, runs[runs.length - 1], floor);
      results.push({ records: n, fileMB: bytes / 2 ** 20, floor, runs });
      rmSync(file, { force: true });
    }
    const outDir = path.join(config.paths.root, "bench-results");
    mkdirSync(outDir, { recursive: true });
    const out = {
      when: new Date().toISOString(),
      machine: { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, node: process.version },
      batchSize: BATCH,
      orgs: ORGS.length,
      // The floor of the largest export's run: what bench:limits reads the headline against.
      floor: results[results.length - 1].floor,
      results,
    };
    const outFile = path.join(outDir, "audit.json");
    writeFileSync(outFile, JSON.stringify(out, null, 2) + "\n");
    console.log(`\nwrote ${path.relative(config.paths.root, outFile)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
