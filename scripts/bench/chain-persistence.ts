/**
 * Can Anvil's own state persistence replace the local chain's journal (scripts/local-chain)?
 * Run: npm run bench:chain-persistence   (127.0.0.1 only; stops by itself in about 2-3 minutes).
 *
 * For each mechanism (a: our journaled Hardhat chain, `scripts/local-chain/main.ts`, i.e.
 * startLocalChain; b: Anvil `--state FILE --state-interval 1`, the smallest interval it accepts;
 * c: Anvil `--state FILE`, dump on exit only), CHAIN_BENCH_CYCLES (default 5) cycles of: start on the
 * data folder, check every transaction acknowledged so far (receipt present, same block number, block
 * hash, contract address and log count; the block at that number still has that hash), send anchor()
 * calls one by one waiting for each receipt (= acknowledged), SIGKILL the node's whole process group
 * at a random moment (up to CHAIN_BENCH_KILL_MS, default 2000 ms, after sending starts), repeat.
 *
 * A longer chain: CHAIN_BENCH_LONG_TXS (default 200) transactions, a normal stop, a restart: bytes on
 * disk per transaction and the restart time of a longer chain; then, for Anvil with an interval,
 * CHAIN_BENCH_PROBES (default 8) more SIGKILLs on that bigger state file (is it ever left torn?).
 *
 * Full disk: the node runs under RLIMIT_FSIZE (`prlimit --fsize=CHAIN_BENCH_FSIZE`, default 32 KiB,
 * with SIGXFSZ ignored so a write past the limit fails with EFBIG, as one fails with ENOSPC on a full
 * disk; no root needed). It is sent CHAIN_BENCH_FULL_DISK_TXS (default 40) transactions, stopped
 * normally, restarted with the limit still on, stopped, then restarted without it ("disk freed");
 * each start's outcome is recorded.
 *
 * Prints the figures and writes bench-results/chain-persistence.json. Figures only, no pass/fail.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Interface, Wallet, hexlify, randomBytes } from "ethers";
import { z } from "zod";
import { getBlock, rpcCall, rpcRequest } from "../local-chain/proxy";

const ROOT = path.resolve(__dirname, "..", "..");
const ANVIL_BIN = path.join(ROOT, "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
const CYCLES = positiveInt("CHAIN_BENCH_CYCLES", 5);
const KILL_MS = positiveInt("CHAIN_BENCH_KILL_MS", 2_000);
const FSIZE = positiveInt("CHAIN_BENCH_FSIZE", 32 * 1024);
const FULL_DISK_TXS = positiveInt("CHAIN_BENCH_FULL_DISK_TXS", 40);
const LONG_TXS = positiveInt("CHAIN_BENCH_LONG_TXS", 200);
const PROBES = positiveInt("CHAIN_BENCH_PROBES", 8);
const SEED = positiveInt("CHAIN_BENCH_SEED", Math.floor(Math.random() * 2 ** 31));
const START_TIMEOUT_MS = 60_000;
// Hardhat's and Anvil's default account #0 (the "test test ... junk" mnemonic), chain id 31337 on both.
const KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const CHAIN_ID = 31337;

function positiveInt(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

// Small seeded PRNG (mulberry32) so a run's kill moments can be repeated with CHAIN_BENCH_SEED.
let prngState = SEED >>> 0;
function random(): number {
  prngState = (prngState + 0x6d2b79f5) >>> 0;
  let t = prngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}

// ---------------------------------------------------------------- node processes

interface Mechanism {
  name: string;
  /** The command that runs the node on `dataDir`, printing its RPC endpoint when ready. */
  argv(dataDir: string): string[];
  ready: RegExp;
  /** Files that hold the chain (their size is the mechanism's disk use). */
  dataFiles(dataDir: string): string[];
  /** Signal a graceful stop sends (the node then writes what it writes on exit). */
  stopSignal: NodeJS.Signals;
}

const localChain: Mechanism = {
  name: "our journal (hardhat node + proxy)",
  argv: (dir) => [process.execPath, "--require", "tsx/cjs", path.join(ROOT, "scripts/local-chain/main.ts"), "--data", dir, "--port", "0"],
  ready: /RPC endpoint: (http:\/\/127\.0\.0\.1:\d+)/,
  dataFiles: (dir) => [path.join(dir, "chain-journal.jsonl")],
  stopSignal: "SIGINT",
};

function anvil(name: string, extra: string[]): Mechanism {
  return {
    name,
    argv: (dir) => [ANVIL_BIN, "--host", "127.0.0.1", "--port", "0", "--state", path.join(dir, "state.json"), ...extra],
    ready: /Listening on (127\.0\.0\.1:\d+)/,
    dataFiles: (dir) => [path.join(dir, "state.json")],
    stopSignal: "SIGTERM",
  };
}
const anvilInterval = anvil("anvil --state --state-interval 1", ["--state-interval", "1"]);
const anvilOnExit = anvil("anvil --state (dump on exit)", []);

interface RunningNode {
  url: string;
  startMs: number;
  child: ChildProcess;
  exited: Promise<void>;
  output(): string;
}

class StartFailure extends Error {
  override name = "StartFailure";
}

const liveGroups = new Set<number>();
process.on("exit", () => {
  for (const pgid of liveGroups) killGroup(pgid);
});

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Starts the node in a process group of its own (so SIGKILL reaches all of it), optionally under RLIMIT_FSIZE. */
async function startNode(m: Mechanism, dataDir: string, fsizeLimit?: number): Promise<RunningNode> {
  const argv = m.argv(dataDir);
  // An ignored SIGXFSZ stays ignored across exec: writes past the limit then fail with EFBIG instead of killing.
  const [cmd, ...args] = fsizeLimit === undefined ? argv : ["/bin/sh", "-c", `trap '' XFSZ; exec prlimit --fsize=${fsizeLimit} -- "$@"`, "sh", ...argv];
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid !== undefined) liveGroups.add(child.pid);
  let out = "";
  let url: string | undefined;
  const onData = (d: Buffer): void => {
    out = (out + d.toString()).slice(-20_000);
    const hit = m.ready.exec(out);
    if (url === undefined && hit) url = hit[1].startsWith("http") ? hit[1] : `http://${hit[1]}`;
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      resolve();
    }),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (url !== undefined) {
      try {
        await rpcCall(url, "eth_chainId", [], 2_000);
        return { url, startMs: performance.now() - t0, child, exited, output: () => out };
      } catch {
        // printed its address a moment before answering
      }
    }
    if (hasExited) throw new StartFailure(`exited during start (${child.exitCode ?? child.signalCode}): ${lastLines(out)}`);
    if (Date.now() > deadline) {
      killGroup(child.pid!);
      await exited;
      throw new StartFailure(`no answer within ${START_TIMEOUT_MS} ms: ${lastLines(out)}`);
    }
    await sleep(20);
  }
}

async function sigkill(node: RunningNode): Promise<void> {
  killGroup(node.child.pid!);
  await node.exited;
}

async function stopGracefully(m: Mechanism, node: RunningNode): Promise<void> {
  node.child.kill(m.stopSignal);
  const timer = setTimeout(() => killGroup(node.child.pid!), 15_000);
  await node.exited;
  clearTimeout(timer);
  killGroup(node.child.pid!); // anything of the group left behind
}

function lastLines(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^Run with|^Location:|^at |^\d+: /.test(l));
  return lines.slice(-3).join(" | ").slice(0, 400);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- transactions

const artifactSchema = z.object({ abi: z.array(z.unknown()), bytecode: z.string().regex(/^0x[0-9a-fA-F]+$/) });
const artifact = artifactSchema.parse(JSON.parse(readFileSync(path.join(ROOT, "artifacts/contracts/AnchorRegistry.sol/AnchorRegistry.json"), "utf8")));
const registry = new Interface(artifact.abi as string[]);
const wallet = new Wallet(KEY_0);

const hexQuantity = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/)
  .transform((s) => Number(BigInt(s)));
const receiptSchema = z.object({
  transactionHash: z.string(),
  blockNumber: hexQuantity,
  blockHash: z.string(),
  contractAddress: z.string().nullable().optional(),
  logs: z.array(z.unknown()),
  status: hexQuantity,
});

/** What a client was given: what an old proof relies on. */
interface Ack {
  hash: string;
  blockNumber: number;
  blockHash: string;
  contractAddress: string | null;
  logs: number;
}

class ConnectionLost extends Error {
  override name = "ConnectionLost";
}

async function receiptOf(url: string, hash: string): Promise<z.infer<typeof receiptSchema> | null> {
  const r = await rpcCall(url, "eth_getTransactionReceipt", [hash], 5_000);
  return r === null ? null : receiptSchema.parse(r);
}

/** Signs and sends one transaction and waits for its receipt; "refused" when the node says no. */
async function sendAndWait(url: string, nonce: number, tx: { to?: string; data: string; gasLimit: number }): Promise<Ack | "refused"> {
  const raw = await wallet.signTransaction({
    type: 2,
    chainId: CHAIN_ID,
    nonce,
    ...tx,
    value: 0,
    maxFeePerGas: 50_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  });
  let res;
  try {
    res = await rpcRequest(url, { jsonrpc: "2.0", id: nonce, method: "eth_sendRawTransaction", params: [raw] }, 10_000);
  } catch (err) {
    throw new ConnectionLost((err as Error).message);
  }
  if ("error" in res) return "refused";
  const hash = String(res.result);
  for (let i = 0; i < 200; i++) {
    let r;
    try {
      r = await receiptOf(url, hash);
    } catch (err) {
      throw new ConnectionLost((err as Error).message);
    }
    if (r !== null) {
      if (r.status !== 1) throw new Error(`transaction ${hash} reverted`);
      return { hash, blockNumber: r.blockNumber, blockHash: r.blockHash, contractAddress: r.contractAddress ?? null, logs: r.logs.length };
    }
    await sleep(10);
  }
  throw new Error(`no receipt for ${hash}`);
}

async function nonceOf(url: string): Promise<number> {
  return Number(BigInt(String(await rpcCall(url, "eth_getTransactionCount", [wallet.address, "latest"]))));
}

/** The acknowledged transactions that are no longer what the client was told (gone, or in another block). */
async function lostAcks(url: string, acks: Ack[]): Promise<Ack[]> {
  const lost: Ack[] = [];
  const blockHashes = new Map<number, string | null>();
  for (const a of acks) {
    const r = await receiptOf(url, a.hash);
    if (!blockHashes.has(a.blockNumber)) {
      blockHashes.set(
        a.blockNumber,
        await getBlock(url, a.blockNumber).then(
          (b) => b.hash,
          () => null,
        ),
      );
    }
    const same =
      r !== null &&
      r.blockNumber === a.blockNumber &&
      r.blockHash === a.blockHash &&
      (r.contractAddress ?? null) === a.contractAddress &&
      r.logs.length === a.logs &&
      blockHashes.get(a.blockNumber) === a.blockHash;
    if (!same) lost.push(a);
  }
  return lost;
}

/** A registry that lets our wallet anchor: reuses the one at `known` if it is still there, else deploys one. */
async function ensureRegistry(url: string, known: string | undefined, acks: Ack[]): Promise<string | "refused"> {
  if (known !== undefined && String(await rpcCall(url, "eth_getCode", [known, "latest"])) !== "0x") return known;
  let nonce = await nonceOf(url);
  const deployData = artifact.bytecode + registry.encodeDeploy([wallet.address]).slice(2);
  const deployed = await sendAndWait(url, nonce++, { data: deployData, gasLimit: 3_000_000 });
  if (deployed === "refused" || deployed.contractAddress === null) return "refused";
  acks.push(deployed);
  const allowed = await sendAndWait(url, nonce, {
    to: deployed.contractAddress,
    data: registry.encodeFunctionData("setAnchorer", [wallet.address, true]),
    gasLimit: 200_000,
  });
  if (allowed === "refused") return "refused";
  acks.push(allowed);
  return deployed.contractAddress;
}

interface SendOutcome {
  acked: number;
  refused: number;
  /** True when the loop ended because the node went away. */
  connectionLost: boolean;
  ms: number;
}

/** Sends anchor() calls until the node goes away or `maxTxs` are done. */
async function sendAnchors(url: string, registryAddress: string, acks: Ack[], maxTxs: number): Promise<SendOutcome> {
  const out: SendOutcome = { acked: 0, refused: 0, connectionLost: false, ms: 0 };
  const t0 = performance.now();
  let nonce: number;
  try {
    nonce = await nonceOf(url);
  } catch {
    return { ...out, connectionLost: true };
  }
  for (let i = 0; i < maxTxs; i++) {
    try {
      const r = await sendAndWait(url, nonce, {
        to: registryAddress,
        data: registry.encodeFunctionData("anchor", [hexlify(randomBytes(32)), 1]),
        gasLimit: 100_000,
      });
      if (r === "refused") out.refused++;
      else {
        acks.push(r);
        out.acked++;
        nonce++;
      }
    } catch (err) {
      if (err instanceof ConnectionLost) {
        out.connectionLost = true;
        break;
      }
      throw err;
    }
  }
  out.ms = performance.now() - t0;
  return out;
}

function diskBytes(m: Mechanism, dir: string): number {
  return m.dataFiles(dir).reduce((sum, f) => sum + (existsSync(f) ? statSync(f).size : 0), 0);
}

// ---------------------------------------------------------------- the crash cycles

interface CrashFigures {
  mechanism: string;
  cycles: number;
  freshStartMs: number[];
  restartMs: number[];
  /** Transactions in the chain at each of those restarts (what our journal replays). */
  restartTxs: number[];
  restartsOk: number;
  restartFailures: string[];
  acked: number;
  lost: number;
  /** Lost per cycle: shows whether losses are the usual case or a rare one. */
  lostPerCycle: number[];
  txsPerSecond: number;
}

async function crashCycles(m: Mechanism): Promise<CrashFigures> {
  const figures: CrashFigures = {
    mechanism: m.name,
    cycles: CYCLES,
    freshStartMs: [],
    restartMs: [],
    restartTxs: [],
    restartsOk: 0,
    restartFailures: [],
    acked: 0,
    lost: 0,
    lostPerCycle: [],
    txsPerSecond: 0,
  };
  // A fresh start of the same node, three times, for the ratio (the first one also warms file caches).
  for (let i = 0; i < 3; i++) {
    const dir = tempDir();
    const node = await startNode(m, dir);
    figures.freshStartMs.push(node.startMs);
    await sigkill(node);
    rmSync(dir, { recursive: true, force: true });
  }

  const dir = tempDir();
  let acks: Ack[] = [];
  let registryAddress: string | undefined;
  let sentMs = 0;
  let sent = 0;
  for (let cycle = 0; cycle <= CYCLES; cycle++) {
    let node: RunningNode;
    let failed = false;
    try {
      node = await startNode(m, dir);
    } catch (err) {
      if (!(err instanceof StartFailure)) throw err;
      failed = true;
      // The data no longer starts a node: everything acknowledged is gone. Go on as a user would, from scratch.
      figures.restartFailures.push(err.message);
      figures.lost += acks.length;
      figures.lostPerCycle.push(acks.length);
      acks = [];
      registryAddress = undefined;
      for (const f of m.dataFiles(dir)) if (existsSync(f)) renameSync(f, `${f}.refused-${cycle}`);
      node = await startNode(m, dir);
    }
    if (cycle > 0 && !failed) {
      figures.restartMs.push(node.startMs);
      figures.restartTxs.push(await nonceOf(node.url));
      figures.restartsOk++;
      const lost = await lostAcks(node.url, acks);
      figures.lost += lost.length;
      figures.lostPerCycle.push(lost.length);
      const lostSet = new Set(lost);
      acks = acks.filter((a) => !lostSet.has(a));
    }
    if (cycle === CYCLES) {
      await sigkill(node);
      break;
    }
    const before = acks.length;
    const r = await ensureRegistry(node.url, registryAddress, acks);
    if (r === "refused") throw new Error(`${m.name}: could not deploy the registry`);
    registryAddress = r;
    const killAfter = 200 + random() * (KILL_MS - 200);
    const timer = setTimeout(() => killGroup(node.child.pid!), killAfter);
    const out = await sendAnchors(node.url, registryAddress, acks, 100_000);
    clearTimeout(timer);
    await sigkill(node);
    figures.acked += acks.length - before;
    sentMs += out.ms;
    sent += out.acked;
    process.stdout.write(
      `  ${m.name}: cycle ${cycle + 1}/${CYCLES}: ${out.acked} acknowledged, SIGKILL at ${Math.round(killAfter)} ms` +
        `${figures.lostPerCycle.length > 0 ? `; lost on the restart before: ${figures.lostPerCycle[figures.lostPerCycle.length - 1]}` : ""}\n`,
    );
  }
  figures.txsPerSecond = sentMs > 0 ? (sent * 1000) / sentMs : 0;
  rmSync(dir, { recursive: true, force: true });
  return figures;
}

// ---------------------------------------------------------------- a longer chain

interface LongFigures {
  mechanism: string;
  txs: number;
  bytes: number;
  restartMs: number;
  lostAfterGracefulStop: number;
  /** Anvil only: SIGKILLs on the longer chain (its state file is rewritten whole on every dump). */
  probes?: { kills: number; fileInvalid: number; restartFailed: number; lost: number };
}

/** LONG_TXS transactions, a graceful stop: disk use per transaction and the restart time of a longer chain. */
async function longRun(m: Mechanism, probe: boolean): Promise<LongFigures> {
  const dir = tempDir();
  const acks: Ack[] = [];
  let node = await startNode(m, dir);
  const r = await ensureRegistry(node.url, undefined, acks);
  if (r === "refused") throw new Error(`${m.name}: could not deploy the registry`);
  await sendAnchors(node.url, r, acks, LONG_TXS - acks.length);
  const txs = await nonceOf(node.url);
  await stopGracefully(m, node);
  const bytes = diskBytes(m, dir);
  node = await startNode(m, dir);
  const figures: LongFigures = { mechanism: m.name, txs, bytes, restartMs: node.startMs, lostAfterGracefulStop: (await lostAcks(node.url, acks)).length };
  await stopGracefully(m, node);
  if (probe) {
    const p = { kills: 0, fileInvalid: 0, restartFailed: 0, lost: 0 };
    let alive = acks;
    for (let i = 0; i < PROBES; i++) {
      let n: RunningNode;
      try {
        n = await startNode(m, dir);
      } catch (err) {
        if (!(err instanceof StartFailure)) throw err;
        p.restartFailed++;
        p.lost += alive.length;
        alive = [];
        rmSync(m.dataFiles(dir)[0], { force: true });
        n = await startNode(m, dir);
      }
      const gone = new Set(await lostAcks(n.url, alive));
      p.lost += gone.size;
      alive = alive.filter((a) => !gone.has(a));
      const reg = await ensureRegistry(n.url, r, alive);
      if (reg === "refused") throw new Error(`${m.name}: could not deploy the registry`);
      const timer = setTimeout(() => killGroup(n.child.pid!), 200 + random() * 2_000);
      await sendAnchors(n.url, reg, alive, 100_000);
      clearTimeout(timer);
      await sigkill(n);
      p.kills++;
      if (describeFile(m, dir) !== "valid JSON") p.fileInvalid++;
    }
    figures.probes = p;
  }
  rmSync(dir, { recursive: true, force: true });
  return figures;
}

// ---------------------------------------------------------------- full disk

interface StartOutcome {
  started: boolean;
  detail: string;
  error?: string;
  /** Acknowledged transactions present as acknowledged, of all acknowledged. */
  present?: number;
}

interface FullDiskFigures {
  mechanism: string;
  limitBytes: number;
  acked: number;
  refused: number;
  nodeDied: boolean;
  /** The node's last error line while the disk was full (what an operator would see). */
  nodeSaid: string;
  bytesAfterStop: number;
  fileReadable: string;
  stillFull: StartOutcome;
  bytesAfterStillFull: number;
  freed: StartOutcome;
}

/** Starts on `dir`, counts what survived, then stops normally (Ctrl-C / SIGTERM: Anvil dumps on exit). */
async function startAndCheck(m: Mechanism, dir: string, acks: Ack[], fsizeLimit?: number): Promise<StartOutcome> {
  let node: RunningNode;
  try {
    node = await startNode(m, dir, fsizeLimit);
  } catch (err) {
    if (!(err instanceof StartFailure)) throw err;
    return {
      started: false,
      detail: `refused to start (${["failed to parse json file", "journal is corrupt", "no answer"].find((k) => err.message.includes(k)) ?? "see below"})`,
      error: err.message,
    };
  }
  try {
    const lost = await lostAcks(node.url, acks);
    const height = (await getBlock(node.url, "latest")).number;
    await sleep(1_500); // let an interval dump run (and fail) under the limit
    return { started: true, detail: `started at block ${height}`, present: acks.length - lost.length };
  } finally {
    await stopGracefully(m, node);
  }
}

function describeFile(m: Mechanism, dir: string): string {
  const f = m.dataFiles(dir)[0];
  if (!existsSync(f)) return "missing";
  const text = readFileSync(f, "utf8");
  if (m === localChain) {
    const whole = text.length === 0 || text.endsWith("\n");
    return `${text.split("\n").filter((l) => l.length > 0).length} line(s)${whole ? "" : ", torn last line"}`;
  }
  try {
    JSON.parse(text);
    return "valid JSON";
  } catch {
    return `not valid JSON (${text.length} bytes)`;
  }
}

async function fullDisk(m: Mechanism): Promise<FullDiskFigures> {
  const dir = tempDir();
  const acks: Ack[] = [];
  const node = await startNode(m, dir, FSIZE);
  let refused = 0;
  let nodeDied = false;
  try {
    const r = await ensureRegistry(node.url, undefined, acks);
    if (r === "refused") refused++;
    else {
      const out = await sendAnchors(node.url, r, acks, FULL_DISK_TXS);
      refused += out.refused;
      nodeDied = out.connectionLost;
    }
    await sleep(1_500); // an interval dump after the last transaction
  } catch (err) {
    if (!(err instanceof ConnectionLost)) throw err;
    nodeDied = true;
  }
  await stopGracefully(m, node);
  const nodeSaid =
    node
      .output()
      .split("\n")
      .filter((l) => /error|fail|EFBIG|too large|warn/i.test(l))
      .pop()
      ?.trim()
      .slice(0, 300) ?? "(nothing)";
  const bytesAfterStop = diskBytes(m, dir);
  const fileReadable = describeFile(m, dir);
  const stillFull = await startAndCheck(m, dir, acks, FSIZE);
  const bytesAfterStillFull = diskBytes(m, dir);
  const freed = await startAndCheck(m, dir, acks);
  rmSync(dir, { recursive: true, force: true });
  return {
    mechanism: m.name,
    limitBytes: FSIZE,
    acked: acks.length,
    refused,
    nodeDied,
    nodeSaid,
    bytesAfterStop,
    fileReadable,
    stillFull,
    bytesAfterStillFull,
    freed,
  };
}

// ---------------------------------------------------------------- report

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "cargoproof-chain-bench-"));
}

const median = (xs: number[]) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "-");

function lineFit(xs: number[], ys: number[]): { intercept: number; slope: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = sxx === 0 ? NaN : xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / sxx;
  return { intercept: my - slope * mx, slope };
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, c) => cell.padEnd(widths[c])).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

async function main(): Promise<void> {
  if (!existsSync(ANVIL_BIN)) throw new Error(`Anvil is not installed (${ANVIL_BIN}); it comes with npm install on linux-x64`);
  console.log(`chain persistence benchmark: ${CYCLES} SIGKILL cycles per mechanism, kill within ${KILL_MS} ms, seed ${SEED}, full-disk limit ${FSIZE} bytes`);
  const mechanisms = [localChain, anvilInterval, anvilOnExit];
  const crash: CrashFigures[] = [];
  for (const m of mechanisms) crash.push(await crashCycles(m));
  const long: LongFigures[] = [];
  for (const m of mechanisms) long.push(await longRun(m, m === anvilInterval));
  const disk: FullDiskFigures[] = [];
  for (const m of mechanisms) disk.push(await fullDisk(m));

  console.log("\nSIGKILL at a random moment while sending, then restart on the same data");
  printTable([
    ["mechanism", "acked txs", "acked lost", "cycles with loss", "restarts ok", "restart ms (median)", "fresh start ms", "restart / fresh", "txs/s acked"],
    ...crash.map((f) => [
      f.mechanism,
      String(f.acked),
      String(f.lost),
      `${f.lostPerCycle.filter((n) => n > 0).length}/${f.lostPerCycle.length}`,
      `${f.restartsOk}/${f.cycles}`,
      fmt(median(f.restartMs)),
      fmt(median(f.freshStartMs)),
      fmt(median(f.restartMs) / median(f.freshStartMs), 2),
      fmt(f.txsPerSecond),
    ]),
  ]);
  for (const f of crash) for (const why of f.restartFailures) console.log(`  ${f.mechanism}: a restart failed: ${why}`);

  console.log(`\nA longer chain (${LONG_TXS} transactions, graceful stop, restart)`);
  const freshOf = (name: string) => median(crash.find((c) => c.mechanism === name)?.freshStartMs ?? []);
  printTable([
    ["mechanism", "txs", "bytes on disk", "bytes / tx", "restart ms", "restart / fresh", "lost", `SIGKILLs on it: file invalid / restart refused / acked lost`],
    ...long.map((l) => [
      l.mechanism,
      String(l.txs),
      String(l.bytes),
      fmt(l.bytes / l.txs),
      fmt(l.restartMs),
      fmt(l.restartMs / freshOf(l.mechanism), 2),
      String(l.lostAfterGracefulStop),
      l.probes ? `${l.probes.kills} kills: ${l.probes.fileInvalid} / ${l.probes.restartFailed} / ${l.probes.lost}` : "-",
    ]),
  ]);

  console.log("\nStart time against chain length (least-squares line through every start above: fresh, restarts, longer chain)");
  printTable([
    ["mechanism", "starts", "most txs", "ms at 0 txs", "ms per 1,000 txs", "ms at 10,000 txs (extrapolated)"],
    ...crash.map((f) => {
      const l = long.find((x) => x.mechanism === f.mechanism);
      const xs = [...f.freshStartMs.map(() => 0), ...f.restartTxs, ...(l ? [l.txs] : [])];
      const ys = [...f.freshStartMs, ...f.restartMs, ...(l ? [l.restartMs] : [])];
      const { intercept, slope } = lineFit(xs, ys);
      return [f.mechanism, String(xs.length), String(Math.max(...xs)), fmt(intercept), fmt(slope * 1000), fmt(intercept + slope * 10_000)];
    }),
  ]);

  console.log(`\nFull disk (writes past ${FSIZE} bytes fail with EFBIG): send, normal stop, restart with the disk still full, stop, restart with it freed`);
  printTable([
    ["mechanism", "acked", "refused", "file after stop", "restart, still full", "restart, freed", "acked present after"],
    ...disk.map((d) => [
      d.mechanism,
      String(d.acked),
      String(d.refused),
      `${d.bytesAfterStop} B, ${d.fileReadable}`,
      `${d.stillFull.detail}${d.stillFull.present !== undefined ? ` (${d.stillFull.present}/${d.acked})` : ""}`,
      d.freed.detail,
      d.freed.present !== undefined ? `${d.freed.present}/${d.acked}` : `0/${d.acked}`,
    ]),
  ]);
  for (const d of disk) {
    console.log(`  ${d.mechanism}: while full it said: ${d.nodeSaid}${d.nodeDied ? " (and died)" : ""}`);
    const err = d.freed.error ?? d.stillFull.error;
    if (err !== undefined) console.log(`  ${d.mechanism}: start refused: ${err.replace(/\/tmp\/[^"' ]+/g, "<data>")}`);
  }

  const outDir = path.join(ROOT, "bench-results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, "chain-persistence.json"),
    JSON.stringify({ seed: SEED, cycles: CYCLES, killMs: KILL_MS, fsize: FSIZE, longTxs: LONG_TXS, crash, long, disk }, null, 2),
  );
  console.log(`\nwrote bench-results/chain-persistence.json`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
