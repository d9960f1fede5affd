// Hardhat config for the `hardhat node` child that startLocalChain (index.ts) runs:
// the project's hardhat.config.ts plus the few settings journal replay depends on.
// Plain CJS, loading the project config through tsx, so starting the chain does not
// depend on ts-node (hardhat 2's only loader for .ts configs).
"use strict";
const path = require("node:path");
const { require: tsxRequire } = require("tsx/cjs/api");

// The child dies with its parent even on SIGKILL: the parent holds the other end
// of our stdin pipe, and the OS closes it when the parent goes away.
if (process.env.CARGOPROOF_EXIT_WITH_PARENT === "1") {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}

// A fixed genesis date gives every start the same genesis block, hence the same
// block hashes after replay. startLocalChain moves the clock to "now" right after
// replay, so blocks mined by clients carry real timestamps.
const GENESIS_DATE = "2025-01-01T00:00:00.000Z";

const projectRoot = path.resolve(__dirname, "..", "..");
const loaded = tsxRequire(path.join(projectRoot, "hardhat.config.ts"), __filename);
const base = loaded && loaded.__esModule ? loaded.default : loaded;
const networks = base.networks || {};
// startIntervalHardhatNode (index.ts): a bare node for tests, mining a block every this many ms.
const intervalMs = Number(process.env.CARGOPROOF_MINING_INTERVAL_MS || 0);

module.exports = {
  ...base,
  // Resolve the project's paths as if hardhat ran from the project root with its own config.
  paths: { ...(base.paths || {}), root: projectRoot },
  networks: {
    ...networks,
    hardhat:
      intervalMs > 0
        ? { ...(networks.hardhat || {}), mining: { auto: false, interval: intervalMs } }
        : {
            ...(networks.hardhat || {}),
            initialDate: GENESIS_DATE,
            // One block per transaction while serving; replay turns automine off only to rebuild
            // a multi-transaction block, and then mines the transactions in journal order.
            mining: { auto: true, interval: 0, mempool: { order: "fifo" } },
          },
  },
};
