// Builds the `cargoproof` npm package (packages/cargoproof: the SDK and the CLI) into its dist/:
//   index.cjs / index.mjs    the SDK for Node.js (sdk/index.ts), CommonJS and ES module, dependencies external
//   line-worker.cjs / .mjs   the audit's worker thread, next to the bundles that start it (sdk/audit/line-pool.ts)
//   cli.cjs                  the `cargoproof` command (scripts/cli.ts), run by plain node
//   browser.mjs              the SDK for browsers (sdk/browser.ts), one self-contained ES module
//   types/                   declarations from tsc (tsconfig.build.json)
// and refuses a package whose manifest disagrees with the code: its dependencies must be exactly the
// packages the bundles import, each at the version the repository pins; its version the repository's.
// Run: npm run build:sdk (then `npm pack ./packages/cargoproof`).
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, rmSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, resolve } from "node:path";
import { build, type BuildOptions, type Metafile } from "esbuild";
import { z } from "zod";
import { emptyModules } from "../server/provenance/page/assets";

const ROOT = resolve(__dirname, "..");
export const PACKAGE_DIR = join(ROOT, "packages", "cargoproof");
const DIST = join(PACKAGE_DIR, "dist");

const ManifestSchema = z.object({
  name: z.string(),
  version: z.string(),
  dependencies: z.record(z.string(), z.string()).default({}),
  optionalDependencies: z.record(z.string(), z.string()).default({}),
});
const manifest = (path: string) => ManifestSchema.parse(JSON.parse(readFileSync(path, "utf8")));

// An ES module has no require, __filename or __dirname; the SDK uses them (the optional native
// secp256k1 addon, the audit's worker file), so the ESM bundles define them from import.meta.url.
const ESM_SHIM = [
  `import { createRequire as __cargoproofCreateRequire } from "node:module";`,
  `import { fileURLToPath as __cargoproofFileURLToPath } from "node:url";`,
  `import { dirname as __cargoproofDirname } from "node:path";`,
  `const require = __cargoproofCreateRequire(import.meta.url);`,
  `const __filename = __cargoproofFileURLToPath(import.meta.url);`,
  `const __dirname = __cargoproofDirname(__filename);`,
].join("\n");

const node: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node20",
  packages: "external",
  outdir: DIST,
  metafile: true,
  logLevel: "warning",
  sourcemap: false,
};
const sdkEntries = { index: join(ROOT, "sdk/index.ts"), "line-worker": join(ROOT, "sdk/audit/line-worker.ts") };

/** The npm packages a build imports (bare specifiers, Node's built-ins left out). */
function importedPackages(meta: Metafile): Set<string> {
  const builtins = new Set(builtinModules);
  const names = new Set<string>();
  for (const output of Object.values(meta.outputs))
    for (const imp of output.imports) {
      if (!imp.external || imp.path.startsWith("node:") || builtins.has(imp.path) || imp.path.startsWith(".")) continue;
      const parts = imp.path.split("/");
      names.add(imp.path.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
    }
  return names;
}

/** Why the package's manifest does not fit the code (empty when it does). */
function manifestProblems(imported: Set<string>): string[] {
  const pkg = manifest(join(PACKAGE_DIR, "package.json"));
  const repo = manifest(join(ROOT, "package.json"));
  const problems: string[] = [];
  if (pkg.version !== repo.version) problems.push(`version ${pkg.version}, the repository's is ${repo.version}`);
  const declared = { ...pkg.dependencies, ...pkg.optionalDependencies };
  const pinned = { ...repo.dependencies, ...repo.optionalDependencies };
  for (const name of imported) if (!(name in declared)) problems.push(`${name} is imported but not a dependency`);
  for (const [name, range] of Object.entries(declared)) {
    if (!imported.has(name)) problems.push(`${name} is a dependency but nothing imports it`);
    else if (range !== `^${pinned[name]}`) problems.push(`${name}@${range}: the repository pins ${pinned[name]}, so ^${pinned[name]}`);
  }
  return problems;
}

export async function buildSdk(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  const [cjs, esm, cli] = await Promise.all([
    build({ ...node, entryPoints: sdkEntries, format: "cjs", outExtension: { ".js": ".cjs" } }),
    build({ ...node, entryPoints: sdkEntries, format: "esm", outExtension: { ".js": ".mjs" }, banner: { js: ESM_SHIM } }),
    build({
      ...node,
      entryPoints: { cli: join(ROOT, "scripts/cli.ts") },
      format: "cjs",
      outExtension: { ".js": ".cjs" },
      banner: { js: "#!/usr/bin/env node" },
    }),
    // The same treatment of Node's built-ins as the consumer page's script (server/provenance/page/assets.ts).
    build({
      entryPoints: { browser: join(ROOT, "sdk/browser.ts") },
      outExtension: { ".js": ".mjs" },
      outdir: DIST,
      bundle: true,
      platform: "browser",
      format: "esm",
      target: ["es2020"],
      legalComments: "eof",
      logLevel: "warning",
      define: { "process.env.NODE_ENV": '"production"' },
      plugins: [emptyModules],
    }),
  ]);
  chmodSync(join(DIST, "cli.cjs"), 0o755);

  const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);

  const imported = importedPackages(cjs.metafile!);
  for (const m of [esm.metafile!, cli.metafile!]) for (const name of importedPackages(m)) imported.add(name);
  const problems = manifestProblems(imported);
  if (problems.length > 0) throw new Error(`packages/cargoproof/package.json does not fit the code:\n  ${problems.join("\n  ")}`);
}

if (require.main === module) {
  const started = Date.now();
  buildSdk().then(
    () => {
      const size = (f: string) => `${f} ${Math.round(statSync(join(DIST, f)).size / 1024)} KiB`;
      console.log(`built packages/cargoproof/dist in ${Date.now() - started} ms: ${["index.cjs", "index.mjs", "cli.cjs", "browser.mjs"].map(size).join(", ")}`);
    },
    (err: unknown) => {
      console.error(`build-sdk: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
