// Anvil (Foundry's EVM node, from the npm package @foundry-rs/anvil-linux-amd64) as a child process
// on 127.0.0.1: the second node implementation the chain-touching tests run on
// (CARGOPROOF_TEST_CHAIN=anvil, test/integration/harness.ts). Its default accounts come from the
// same "test test ... junk" mnemonic as Hardhat's, so the harness's dev keys are funded on it too.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { onFreePort } from "../scripts/free-port";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const HOST = "127.0.0.1";
export const ANVIL_PACKAGE = "@foundry-rs/anvil-linux-amd64";
export const ANVIL_BIN = join(ROOT, "node_modules", ANVIL_PACKAGE, "bin", "anvil");

export type Hardfork = "paris" | "shanghai" | "cancun" | "prague";

export interface AnvilOptions {
  /** The chain's rules; `paris` has no PUSH0 (pre-Shanghai). Default: Anvil's own (the latest). */
  hardfork?: Hardfork;
  /** Interval mining: a block every this many seconds. Omitted: a block per transaction (automine). */
  blockTimeS?: number;
  /** The chain id (default Anvil's, 31337: a local development chain to the hub). */
  chainId?: number;
}

export interface AnvilNode {
  rpcUrl: string;
  stop(): Promise<void>;
}

/** The binary, or an error that says why it is missing (an optional dependency, linux-x64 only). */
export function anvilBinary(): string {
  if (!existsSync(ANVIL_BIN)) {
    throw new Error(
      `Anvil is not installed: ${ANVIL_BIN} is missing. It comes with \`npm install\` as the optional ` +
        `dependency ${ANVIL_PACKAGE}, which npm installs on linux-x64 only (this machine: ${process.platform}-${process.arch}).`,
    );
  }
  return ANVIL_BIN;
}

// Anvil does not notice its parent dying, so it runs under a small shell that kills it when our end
// of its stdin pipe closes: on stop(), and when this process exits in any way (even SIGKILL).
const WRAPPER = 'exec 3<&0; "$0" "$@" 3<&- & p=$!; (cat >/dev/null <&3; kill $p 2>/dev/null) & wait $p';

export async function startAnvil(opts: AnvilOptions = {}): Promise<AnvilNode> {
  const bin = anvilBinary();
  // Anvil exits if its port was taken since the probe; it then starts on another.
  return onFreePort((port) => spawnAnvil(bin, port, opts));
}

async function spawnAnvil(bin: string, port: number, opts: AnvilOptions): Promise<AnvilNode> {
  const args = ["--host", HOST, "--port", String(port)];
  if (opts.hardfork !== undefined) args.push("--hardfork", opts.hardfork);
  if (opts.blockTimeS !== undefined) args.push("--block-time", String(opts.blockTimeS));
  if (opts.chainId !== undefined) args.push("--chain-id", String(opts.chainId));
  const child: ChildProcess = spawn("/bin/sh", ["-c", WRAPPER, bin, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let tail = "";
  const keep = (d: Buffer): void => void (tail = (tail + d.toString()).slice(-4000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killOnExit = (): void => void child.kill("SIGKILL");
  process.on("exit", killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end(); // the wrapper kills Anvil and exits with it
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  const rpcUrl = `http://${HOST}:${port}`;
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`anvil exited during start-up (code ${child.exitCode}):\n${tail}`);
      try {
        const res = await fetch(rpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
          signal: AbortSignal.timeout(1_000),
        });
        if (res.ok) return { rpcUrl, stop };
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`anvil did not answer within 30 s:\n${tail}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
