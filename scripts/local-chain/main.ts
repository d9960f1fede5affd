// CLI: npx tsx scripts/local-chain/main.ts --data .data --port 8545 [--reset] [--verbose]
// Runs the persistent local demo chain until Ctrl-C.
import { parseArgs } from "node:util";
import { startLocalChain } from "./index";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: "string", default: ".data" },
      port: { type: "string", default: "8545" },
      reset: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);

  const log = (line: string): void => console.log(`[local-chain] ${line}`);
  // Register before starting so Ctrl-C during replay still goes through stop().
  let chain: Awaited<ReturnType<typeof startLocalChain>> | undefined;
  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${signal}: stopping`);
    const done = chain ? chain.stop() : Promise.resolve();
    done.then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);

  chain = await startLocalChain({ dataDir: values.data, port, reset: values.reset, verbose: values.verbose, log });
  if (shuttingDown) {
    await chain.stop();
    process.exit(0);
  }
  log(`RPC endpoint: ${chain.rpcUrl} (chainId 31337). Ctrl-C to stop.`);
}

main().catch((err: unknown) => {
  console.error(`[local-chain] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
