// A Hardhat node spoken to directly, with no journaling proxy in front: the finality and fee tests
// control its mining (automine off, evm_mine), rewrite history (evm_snapshot / evm_revert: a reorg)
// and its fees (hardhat_setNextBlockBaseFeePerGas), which the local chain's proxy would journal.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { deployContracts, type Deployment } from "../../scripts/contracts";
import { ANCHORER_KEY, OPERATOR_KEY, type TestChain } from "./harness";
import { onFreePort } from "../../scripts/free-port";

const ROOT = join(__dirname, "..", "..");

export interface DirectNode extends TestChain {
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Mines one block now. */
  mine(): Promise<void>;
  /** Mines a block every `ms` until the returned function is called (which waits for the last one). */
  mineEvery(ms: number): () => Promise<void>;
  deployment: Deployment;
}

export async function startDirectNode(): Promise<DirectNode> {
  // Hardhat exits if its port was taken since the probe; it then starts on another.
  const { child, exited, rpcUrl } = await onFreePort(spawnNode);
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  const rpc = <T = unknown>(method: string, params: unknown[] = []) => provider.send(method, params) as Promise<T>;
  const operator = new Wallet(OPERATOR_KEY, provider);
  const deployment = await deployContracts(operator, [new Wallet(ANCHORER_KEY).address]);
  // Mining loops still running: stop() ends them before the provider goes (a test that failed
  // before stopping its loop would otherwise leave it mining, and failing, into the next file).
  const miners = new Set<() => Promise<void>>();
  return {
    rpcUrl,
    provider,
    deployment,
    operator,
    rpc,
    mine: async () => void (await rpc("evm_mine")),
    mineEvery(ms) {
      let running = true;
      const loop = (async () => {
        while (running) {
          await rpc("evm_mine");
          await new Promise((r) => setTimeout(r, ms));
        }
      })();
      const stopMining = async () => {
        running = false;
        miners.delete(stopMining);
        await loop;
      };
      miners.add(stopMining);
      return stopMining;
    },
    async stop() {
      await Promise.allSettled([...miners].map((stopMining) => stopMining()));
      provider.destroy();
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

async function spawnNode(port: number): Promise<{ child: ChildProcess; exited: Promise<void>; rpcUrl: string }> {
  const bootstrap = require.resolve("hardhat/internal/cli/bootstrap.js", { paths: [ROOT] });
  const env: NodeJS.ProcessEnv = { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" };
  delete env.HARDHAT_NETWORK;
  const child = spawn(process.execPath, [bootstrap, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const rpcUrl = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited: ${stderr}`);
    try {
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
      if ((await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body })).ok) break;
    } catch {
      if (Date.now() > deadline) throw new Error(`hardhat node did not answer: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { child, exited, rpcUrl };
}
