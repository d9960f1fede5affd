// Runs the unit suites and a hub end to end under each Node.js line the project supports besides
// the machine's own (`npm run test:node-versions`, in .ci/run). The Node binaries come from the npm
// registry (the node-<os>-<arch> packages that the `node` package installs), fetched with `npm pack`
// once into ~/.cache/cargoproof-node/<version> (XDG_CACHE_HOME respected), never into the repository.
//
// node_modules was installed (and better-sqlite3 compiled) for the machine's Node, whose ABI the
// other lines do not share: so the hub runs on PostgreSQL here (scripts/with-postgres.mjs, itself
// run by the Node under test), which loads no native addon, and only suites that need no SQLite run.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** Pinned, like every other dependency: the newest of each line when last bumped. */
const VERSIONS = ["22.23.5", "24.22.3"];
/**
 * The audit, the contracts on Hardhat, customs codes, HTTP units, a hub end to end (publish, grant,
 * anchor, verify with the hub stopped), the record schemas, the scripts, the SDK (against hubs too):
 * ~2.5 min a version. In `npm test`'s order: these share one in-process Hardhat network, whose clock
 * the earlier files move on.
 */
const SUITES = [
  "test/audit/**/*.test.ts",
  "test/contracts/**/*.test.ts",
  "test/customs/**/*.test.ts",
  "test/http/**/*.test.ts",
  "test/integration/records.test.ts",
  "test/records/**/*.test.ts",
  "test/scripts/**/*.test.ts",
  "test/sdk/**/*.test.ts",
];

const root = join(import.meta.dirname, "..");
const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "cargoproof-node");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The folder of Node.js `version` (bin/node inside), fetched from the registry when not cached. */
function nodeHome(version) {
  const home = join(cache, version);
  if (existsSync(join(home, "bin", "node"))) return home;
  const os = process.platform === "win32" ? "win" : process.platform;
  const pkg = `node-${os}-${process.arch}@${version}`;
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "cargoproof-node-"));
  try {
    console.log(`[node-versions] fetching ${pkg} from the npm registry`);
    // npm checks the tarball against the registry's integrity hash.
    const file = execFileSync(npm, ["pack", pkg, "--pack-destination", work, "--silent"], { encoding: "utf8" }).trim().split("\n").pop();
    const unpacked = join(work, "node");
    mkdirSync(unpacked);
    execFileSync("tar", ["xzf", join(work, file), "-C", unpacked, "--strip-components=1"]);
    rmSync(home, { recursive: true, force: true });
    renameSync(unpacked, home); // whole or not at all: a cut-off fetch leaves no half folder
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return home;
}

const failed = [];
for (const version of VERSIONS) {
  const bin = join(nodeHome(version), "bin");
  const node = join(bin, "node");
  const reported = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  if (reported !== `v${version}`) throw new Error(`${node} says ${reported}, not v${version}`);
  const mocha = join(root, "node_modules", "mocha", "bin", "mocha.js");
  // Its bin first on PATH: whatever the tests spawn as `node` is the same version.
  const env = { ...process.env, PATH: [bin, join(root, "node_modules", ".bin"), process.env.PATH].join(delimiter) };
  console.log(`\n[node-versions] Node.js ${reported}: ${SUITES.join(" ")}`);
  // Every hub the tests start uses the PostgreSQL that with-postgres (run by this Node too) serves.
  const run = spawnSync(node, [join(root, "scripts", "with-postgres.mjs"), node, mocha, ...SUITES], { cwd: root, stdio: "inherit", env });
  if (run.status !== 0) failed.push(`${reported} (exit ${run.status ?? run.signal})`);
}
if (failed.length) {
  console.error(`[node-versions] failed under ${failed.join(", ")}`);
  process.exit(1);
}
console.log(`[node-versions] passed under ${VERSIONS.map((v) => `v${v}`).join(", ")}`);
