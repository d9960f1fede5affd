import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-ethers";

// The compiler comes from the `solc` npm package, so compiling never downloads anything.
const SOLC_VERSION = "0.8.28";

// `paris` (pre-Shanghai: no PUSH0), so the same bytecode deploys on chains without the Shanghai
// upgrade too (many permissioned networks, some L2s); on a Cancun chain it costs a few gas more per
// transaction (docs/design.md, "EVM version"). CARGOPROOF_EVM_VERSION builds another version into
// its own folders under cache/ (the gas benchmark compares them): the default artifacts stay as built.
const EVM_VERSIONS = ["paris", "shanghai", "cancun", "prague"] as const;
const DEFAULT_EVM_VERSION = "paris";
const evmVersion = process.env.CARGOPROOF_EVM_VERSION || DEFAULT_EVM_VERSION;
if (!(EVM_VERSIONS as readonly string[]).includes(evmVersion)) {
  throw new Error(`CARGOPROOF_EVM_VERSION=${evmVersion}: expected one of ${EVM_VERSIONS.join(", ")}`);
}
const otherBuild = evmVersion === DEFAULT_EVM_VERSION ? undefined : `cache/evm-${evmVersion}`;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion },
  },
  paths: {
    sources: "contracts",
    tests: "test/contracts",
    cache: otherBuild ? `${otherBuild}/cache` : "cache",
    artifacts: otherBuild ? `${otherBuild}/artifacts` : "artifacts",
  },
  networks: {
    hardhat: { chainId: 31337 },
  },
};

export default config;
