// Local demo chain that survives restarts. Hardhat keeps chain state in memory only,
// so every mined transaction is journaled (proxy.ts, journal.ts) and, on start, a
// fresh hardhat node replays the journal: same transactions at the same block numbers
// and timestamps, hence the same tx hashes, contract addresses, logs and block hashes.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { JournalWriter, journalPath, readJournal, type JournalEntry, type JournalIo } from "./journal";
import { getBlock, getPendingTimestamp, getReceipt, rpcCall, rpcRequest, startProxy, type BlockHeader } from "./proxy";
import { isProcessAlive } from "../../server/process-alive";
import { onFreePort } from "../free-port";

export { journalPath, readJournal, JOURNAL_FILE_NAME, type JournalEntry, type JournalIo } from "./journal";

export interface LocalChainOptions {
  dataDir: string;
  /** Port of the public JSON-RPC endpoint; 0 picks a free one (see rpcUrl). */
  port: number;
  host?: "127.0.0.1";
  log?: (line: string) => void;
  /** Delete the journal first, i.e. start a brand-new chain. */
  reset?: boolean;
  /** Also pass hardhat node's stdout (one line per RPC call) to `log`. */
  verbose?: boolean;
  /** How long hardhat node may take to answer eth_chainId. Default 60 s. */
  startupTimeoutMs?: number;
  /** Fault tests only: the journal's write call (e.g. one failing with ENOSPC, as a full disk would). */
  journalIo?: JournalIo;
}

export interface LocalChain {
  rpcUrl: string;
  /** Number of journaled transactions replayed on this start. */
  replayed: number;
  stop(): Promise<void>;
}

export class ChainReplayError extends Error {
  override name = "ChainReplayError";
}

const PROJECT_ROOT = resolve(__dirname, "..", "..");
const NODE_CONFIG = join(__dirname, "hardhat-node.config.cjs");
const LOCK_FILE_NAME = "chain-journal.lock";
const HOST = "127.0.0.1";

export async function startLocalChain(opts: LocalChainOptions): Promise<LocalChain> {
  const log = opts.log ?? (() => undefined);
  // Without a log sink, errors (hardhat's stderr, journal failures) still reach our stderr.
  const errLog = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  if ((opts.host ?? HOST) !== HOST) throw new Error("the local chain only listens on 127.0.0.1");
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const file = journalPath(dataDir);

  const releaseLock = acquireLock(dataDir);
  let node: HardhatNode | undefined;
  let writer: JournalWriter | undefined;
  try {
    if (opts.reset === true) {
      rmSync(file, { force: true });
      log(`reset: deleted ${file}`);
    }
    const journal = readJournal(file);
    if (journal.tornTail) log(`ignoring an incomplete last line in ${file} (interrupted write)`);

    node = await startHardhatNode({
      log,
      errLog,
      verbose: opts.verbose === true,
      startupTimeoutMs: opts.startupTimeoutMs ?? 60_000,
      onParentExit: releaseLock,
    });
    let replayed = journal.entries.length;
    let validBytes = journal.validBytes;
    if (replayed > 0) {
      log(`replaying ${replayed} transaction(s) from ${file}`);
      const tentative = journal.unsealedTailAt !== undefined;
      if (!(await replayJournal(node.url, journal.entries, journal.entryLines, file, tentative))) {
        // Journaled, then the proxy stopped before the node took it, and it no longer mines: it never was.
        log(`dropping the last journaled transaction ${journal.entries[replayed - 1].hash}: it was never mined and is rejected now`);
        replayed--;
        validBytes = journal.unsealedTailAt!;
      }
    }
    await alignClockWithNow(node.url);

    writer = JournalWriter.open(file, validBytes, opts.journalIo);
    const proxy = await startProxy({
      upstreamUrl: node.url,
      port: opts.port,
      host: HOST,
      journal: writer,
      journaledHashes: new Set(journal.entries.slice(0, replayed).map((e) => e.hash.toLowerCase())),
      log,
      errLog,
    });
    log(`local chain ready at ${proxy.url} (${replayed} transaction(s) replayed)`);

    const runningNode = node;
    const runningWriter = writer;
    let stopping: Promise<void> | undefined;
    return {
      rpcUrl: proxy.url,
      replayed,
      stop() {
        stopping ??= (async () => {
          try {
            await proxy.close();
          } finally {
            runningWriter.close();
            await runningNode.stop();
            releaseLock();
          }
        })();
        return stopping;
      },
    };
  } catch (err) {
    writer?.close();
    await node?.stop();
    releaseLock();
    throw err;
  }
}

/** Deletes the chain journal of `dataDir` (the next start begins a new chain). */
export function resetLocalChain(dataDir: string): void {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const release = acquireLock(dir);
  try {
    rmSync(journalPath(dir), { force: true });
  } finally {
    release();
  }
}

// ---------------------------------------------------------------- replay

interface Located {
  entry: JournalEntry;
  line: number;
}

/**
 * Replays the journal; false when `tentativeLast` (the last entry has no seal: it may never have
 * been mined) and that last transaction is rejected now, in which case it is left out.
 */
async function replayJournal(url: string, entries: JournalEntry[], entryLines: number[], file: string, tentativeLast: boolean): Promise<boolean> {
  const fail = (line: number, msg: string): never => {
    throw new ChainReplayError(
      `cannot rebuild the local chain from ${file}: line ${line}: ${msg}. ` +
        "The journal does not reproduce the recorded chain; restore it or start a new chain with --reset.",
    );
  };

  // Consecutive entries with the same block number form one block.
  const blocks: Located[][] = [];
  entries.forEach((entry, i) => {
    const last = blocks[blocks.length - 1];
    const line = entryLines[i];
    if (last !== undefined && last[0].entry.blockNumber === entry.blockNumber) last.push({ entry, line });
    else blocks.push([{ entry, line }]);
  });

  let latest: BlockHeader = await getBlock(url, "latest");
  for (const group of blocks) {
    const { blockNumber, timestamp } = group[0].entry;
    const line = group[0].line;
    if (blockNumber <= latest.number) fail(line, `block ${blockNumber} already exists`);
    if (timestamp <= latest.timestamp) fail(line, `timestamp ${timestamp} is not after block ${latest.number}'s ${latest.timestamp}`);

    const gap = blockNumber - latest.number - 1;
    if (gap > 0) {
      // The proxy never mines empty blocks, but a journal may skip numbers; fill them
      // with empty blocks one second apart so the entry still lands on its number.
      if (timestamp - latest.timestamp <= gap) fail(line, `no room for ${gap} empty block(s) before timestamp ${timestamp}`);
      await rpcCall(url, "evm_setNextBlockTimestamp", [latest.timestamp + 1]);
      await rpcCall(url, "hardhat_mine", [`0x${gap.toString(16)}`, "0x1"]);
    }

    if (group.length === 1) {
      await rpcCall(url, "evm_setNextBlockTimestamp", [timestamp]);
      const mayBeRejected = tentativeLast && group[0].entry === entries[entries.length - 1];
      if (!(await sendForReplay(url, group[0], true, fail, mayBeRejected))) {
        // The node's next block would keep the dropped entry's (past) timestamp: pin it to now instead.
        await rpcCall(url, "evm_setNextBlockTimestamp", [Math.max(latest.timestamp + 1, Math.floor(Date.now() / 1000))]);
        return false;
      }
    } else {
      // Several transactions in one block: queue them with automine off (the node's
      // mempool is FIFO, see hardhat-node.config.cjs), then mine the block at its time.
      await rpcCall(url, "evm_setAutomine", [false]);
      try {
        for (const item of group) await sendForReplay(url, item, false, fail);
        await rpcCall(url, "evm_mine", [timestamp]);
      } finally {
        await rpcCall(url, "evm_setAutomine", [true]);
      }
    }

    const block = await getBlock(url, blockNumber);
    for (const [index, { entry, line: l }] of group.entries()) {
      const receipt = await getReceipt(url, entry.hash);
      if (receipt === null) fail(l, `transaction ${entry.hash} was not mined`);
      else if (receipt.blockNumber !== blockNumber || receipt.transactionIndex !== index) {
        fail(
          l,
          `transaction ${entry.hash} landed in block ${receipt.blockNumber} at index ${receipt.transactionIndex}, expected block ${blockNumber} index ${index}`,
        );
      }
    }
    if (block.timestamp !== timestamp) fail(line, `block ${blockNumber} got timestamp ${block.timestamp}, expected ${timestamp}`);
    if (block.transactions.length !== group.length) {
      fail(line, `block ${blockNumber} has ${block.transactions.length} transaction(s), expected ${group.length}`);
    }
    const expectedHash = group[0].entry.blockHash;
    if (expectedHash !== undefined && block.hash.toLowerCase() !== expectedHash.toLowerCase()) {
      fail(line, `block ${blockNumber} has hash ${block.hash}, expected ${expectedHash}`);
    }
    latest = block;
  }
  return true;
}

/** Sends one journaled transaction; a rejection is fatal unless `mayBeRejected` (then it returns false). */
async function sendForReplay(
  url: string,
  { entry, line }: Located,
  automine: boolean,
  fail: (line: number, msg: string) => never,
  mayBeRejected = false,
): Promise<boolean> {
  const res = await rpcRequest(url, { jsonrpc: "2.0", id: line, method: "eth_sendRawTransaction", params: [entry.raw] });
  if ("result" in res) {
    if (typeof res.result !== "string" || res.result.toLowerCase() !== entry.hash.toLowerCase()) {
      fail(line, `node returned hash ${String(res.result)}, expected ${entry.hash}`);
    }
    return true;
  }
  // Hardhat reports a reverted transaction as an error although it was mined (and
  // journaled as such); only an error without a receipt means it was rejected.
  if (automine && (await getReceipt(url, entry.hash)) !== null) return true;
  if (mayBeRejected) return false;
  fail(line, `transaction ${entry.hash} was rejected: ${res.error.message.replace(/\.+$/, "")}`);
}

/** After replay the node's clock is at the last replayed block; move it to now, never backwards. */
async function alignClockWithNow(url: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  // evm_increaseTime returns the node's total clock offset (seconds, as a decimal string).
  const offset = Number(z.union([z.string(), z.number()]).parse(await rpcCall(url, "evm_increaseTime", [0])));
  if (!Number.isFinite(offset)) throw new Error(`unexpected evm_increaseTime result: ${offset}`);
  if (offset < 0) await rpcCall(url, "evm_increaseTime", [-offset]);
  const next = await getPendingTimestamp(url);
  if (next < now) throw new Error(`local chain clock is behind: next block at ${next}, now ${now}`);
}

/**
 * A bare hardhat node mining a block every `blockIntervalMs` (interval mining, as a real network
 * does), on 127.0.0.1: no journal and no proxy, so its chain lives in memory only. For tests that
 * need blocks by the clock; the journaled chain above assumes one block per transaction.
 */
export async function startIntervalHardhatNode(opts: {
  blockIntervalMs: number;
  log?: (line: string) => void;
}): Promise<{ rpcUrl: string; stop(): Promise<void> }> {
  if (!Number.isInteger(opts.blockIntervalMs) || opts.blockIntervalMs <= 0) throw new Error(`invalid blockIntervalMs ${opts.blockIntervalMs}`);
  const log = opts.log ?? (() => undefined);
  const node = await startHardhatNode({
    log,
    errLog: opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`)),
    verbose: false,
    startupTimeoutMs: 60_000,
    onParentExit: () => undefined,
    env: { [MINING_INTERVAL_ENV]: String(opts.blockIntervalMs) },
  });
  return { rpcUrl: node.url, stop: node.stop };
}

// ---------------------------------------------------------------- hardhat node child

/** Read by hardhat-node.config.cjs: interval mining instead of automine, and no fixed genesis date. */
const MINING_INTERVAL_ENV = "CARGOPROOF_MINING_INTERVAL_MS";

interface HardhatNode {
  url: string;
  stop(): Promise<void>;
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trimEnd();
      buf = buf.slice(nl + 1);
      if (line.length > 0) onLine(line);
    }
  });
}

interface NodeOptions {
  log: (line: string) => void;
  errLog: (line: string) => void;
  verbose: boolean;
  startupTimeoutMs: number;
  /** Runs (synchronously) when the parent exits or is terminated by a signal. */
  onParentExit: () => void;
  /** More environment for the node (hardhat-node.config.cjs reads it). */
  env?: Record<string, string>;
}

async function startHardhatNode(opts: NodeOptions): Promise<HardhatNode> {
  // Hardhat exits if its port was taken since the probe; it then starts on another.
  return onFreePort((port) => spawnHardhatNode(port, opts));
}

async function spawnHardhatNode(port: number, opts: NodeOptions): Promise<HardhatNode> {
  const bootstrap = require.resolve("hardhat/internal/cli/bootstrap.js", { paths: [PROJECT_ROOT] });
  const env: NodeJS.ProcessEnv = { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", CARGOPROOF_EXIT_WITH_PARENT: "1", ...opts.env };
  if (opts.env?.[MINING_INTERVAL_ENV] === undefined) delete env[MINING_INTERVAL_ENV]; // the journaled chain automines
  delete env.HARDHAT_NETWORK; // `hardhat node` refuses to run against any other network
  const child: ChildProcess = spawn(process.execPath, [bootstrap, "--config", NODE_CONFIG, "node", "--hostname", HOST, "--port", String(port)], {
    cwd: PROJECT_ROOT,
    env,
    detached: false,
    stdio: ["pipe", opts.verbose ? "pipe" : "ignore", "pipe"],
  });
  const url = `http://${HOST}:${port}`;

  let stderrTail = "";
  if (child.stderr) {
    forwardLines(child.stderr, (line) => {
      stderrTail = (stderrTail + line + "\n").slice(-4000);
      opts.errLog(`[hardhat] ${line}`);
    });
  }
  if (opts.verbose && child.stdout) forwardLines(child.stdout, (line) => opts.log(`[hardhat] ${line}`));

  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<string>((done) => {
    child.once("exit", (code, signal) => {
      exitSignal = signal;
      done(`hardhat node exited (${signal ?? `code ${String(code)}`})`);
    });
    child.once("error", (err) => done(`hardhat node failed to start: ${err.message}`));
  });
  let hasExited = false;
  let ready = false;
  let stopRequested = false;
  void exited.then((why) => {
    hasExited = true;
    // After startup only stop() should end the node, since every RPC fails from then on.
    // SIGINT is exempt: Ctrl-C in a terminal reaches the whole process group, child included.
    if (ready && !stopRequested && exitSignal !== "SIGINT") {
      opts.errLog(`ERROR: ${why} unexpectedly; the local chain is down\n${stderrTail}`);
    }
  });

  const killNow = (): void => {
    if (!hasExited) child.kill("SIGTERM");
    opts.onParentExit();
  };
  const untrack = trackNode(killNow);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopRequested = true;
      untrack();
      if (hasExited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopped;
  };

  const deadline = Date.now() + opts.startupTimeoutMs;
  try {
    for (;;) {
      if (hasExited) throw new Error(`${await exited}\n${stderrTail}`);
      try {
        const id = await rpcCall(url, "eth_chainId", [], 1_000);
        opts.log(`hardhat node (pid ${child.pid ?? "?"}) answering on ${url}, chainId ${Number(id)}`);
        ready = true;
        return { url, stop };
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`hardhat node did not answer within ${opts.startupTimeoutMs} ms\n${stderrTail}`);
      await Promise.race([new Promise((r) => setTimeout(r, 150)), exited]);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}

// Parent exit and signals must not leave nodes running (the stdin pipe covers SIGKILL,
// see hardhat-node.config.cjs; these hooks are the immediate path).
const liveNodes = new Set<() => void>();

function onSignal(signal: NodeJS.Signals): void {
  // If the application handles the signal itself, it is expected to call stop()
  // (and the exit hook still covers process.exit). Otherwise our listener has
  // disabled Node's default "terminate on signal": clean up and terminate as before.
  if (process.listenerCount(signal) > 1) return;
  for (const kill of liveNodes) kill();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.kill(process.pid, signal);
}

function trackNode(killNow: () => void): () => void {
  if (liveNodes.size === 0) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  liveNodes.add(killNow);
  process.on("exit", killNow);
  return () => {
    if (!liveNodes.delete(killNow)) return;
    process.off("exit", killNow);
    if (liveNodes.size === 0) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  };
}

// ---------------------------------------------------------------- data dir lock

// Two processes appending to one journal would interleave two different chains.
function acquireLock(dataDir: string): () => void {
  const lockFile = join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let held = true;
      const release = (): void => {
        if (!held) return;
        held = false;
        process.off("exit", release);
        rmSync(lockFile, { force: true });
      };
      process.on("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(readFileSync(lockFile, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) {
        throw new Error(`${dataDir} is in use by another local chain (pid ${owner}); stop it first`);
      }
      rmSync(lockFile, { force: true }); // left behind by a process that died
    }
  }
  throw new Error(`could not lock ${lockFile}`);
}
