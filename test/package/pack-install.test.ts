// The `cargoproof` package as an integrator gets it: built (scripts/build-sdk.ts), packed with
// `npm pack`, installed from the tarball into an empty folder outside the repository, and used there
// with nothing of the repository: the CLI by `npx cargoproof` (plain node, no tsx), the SDK from an
// ES module and a CommonJS TypeScript program, against a real chain and a real hub.
// Slow (build, install, tsc): run by `npm run test:package`, not by `npm test`.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { z } from "zod";
import { shipment } from "../fixtures";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain, type HubProcess, type TestChain } from "../integration/harness";
import { PACKAGE_DIR, buildSdk } from "../../scripts/build-sdk";

const ROOT = resolve(__dirname, "..", "..");
const RepoManifest = z.object({ devDependencies: z.record(z.string(), z.string()) });
const repoDevDependencies = RepoManifest.parse(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"))).devDependencies;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in `cwd` to its end (at most `timeoutMs`), as a shell user would. */
function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 300_000): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const shown = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

async function ok(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const r = await run(command, args, cwd, env);
  if (r.code !== 0) throw new Error(`${command} ${args.join(" ")} failed in ${cwd}: ${shown(r)}`);
  return r;
}

// Two small programs a user would write: read a bundle, verify it against the chain, print the verdict.
const VERIFY_PROGRAM = (module: "esm" | "cjs") => `import { readFileSync } from "node:fs";
import { AnchorProofSchema, SignedRecordSchema, verifyRecord, type Verdict } from "cargoproof";
${module === "esm" ? `import { verifyRecord as verifyInBrowser } from "cargoproof/browser";\n` : ""}
async function main(): Promise<void> {
  const [bundleFile, rpcUrl, participantRegistry, anchorRegistry] = process.argv.slice(2) as [string, string, string, string];
  const bundle = JSON.parse(readFileSync(bundleFile, "utf8")) as { record: unknown; proof: unknown };
  const verdict: Verdict = await verifyRecord({
    record: SignedRecordSchema.parse(bundle.record),
    proof: AnchorProofSchema.parse(bundle.proof),
    chain: { rpcUrl },
    contracts: { participantRegistry, anchorRegistry },
  });
  ${
    module === "esm"
      ? `// The browser build (one self-contained module) gives the same verdict.
  const inBrowser = await verifyInBrowser({ record: SignedRecordSchema.parse(bundle.record), proof: AnchorProofSchema.parse(bundle.proof), chain: { rpcUrl }, contracts: { participantRegistry, anchorRegistry } });
  console.log(JSON.stringify({ module: "esm", valid: verdict.valid, browser: inBrowser.valid }));`
      : `console.log(JSON.stringify({ module: "cjs", valid: verdict.valid }));`
  }
}
${module === "esm" ? "await main();" : "void main();"}
`;

describe("the cargoproof package, packed and installed outside the repository", function () {
  let work: string; // the integrator's folder, outside the repository
  let tarball: string;
  let chain: TestChain;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let hub: HubProcess;
  let bundleFile: string;
  let tamperedFile: string;

  before(async function () {
    work = mkdtempSync(join(tmpdir(), "cargoproof-integrator-"));
    expect(relative(ROOT, work).startsWith(".."), "the install folder is outside the repository").to.equal(true);
    const packed = (async () => {
      await buildSdk();
      const pack = await ok("npm", ["pack", "--pack-destination", work, "--json"], PACKAGE_DIR);
      const [entry] = z.array(z.object({ filename: z.string() })).parse(JSON.parse(pack.stdout));
      tarball = join(work, entry!.filename);
      writeFileSync(join(work, "package.json"), JSON.stringify({ name: "integrator", version: "0.0.0", private: true }));
      // The package from its tarball; TypeScript and Node's types as the integrator's own tools.
      await ok(
        "npm",
        [
          "install",
          "--prefer-offline",
          "--no-audit",
          "--no-fund",
          tarball,
          `typescript@${repoDevDependencies.typescript}`,
          `@types/node@${repoDevDependencies["@types/node"]}`,
        ],
        work,
      );
    })();
    const hubStarted = (async () => {
      chain = await startTestChain();
      database = await freshDatabase();
      hub = await startHubProcess(hubEnv(chain, database.url));
    })();
    await Promise.all([packed, hubStarted]);

    // A record of an organisation whose key lives in the integrator's data folder, as the CLI keeps it:
    // ./.data of the folder the command runs in, by default (not the package's own folder).
    const shipper = await admit(hub.url, "pack-shipper", ["SHIPPER"]);
    mkdirSync(join(work, ".data", "keys"), { recursive: true });
    writeFileSync(join(work, ".data", "keys", "pack-shipper.json"), JSON.stringify({ orgId: shipper.id, privateKey: shipper.key.privateKey }), { mode: 0o600 });
    const { published } = await shipper.client.publish("Shipment", shipment());
    bundleFile = join(work, "bundle.json");
    // The installed CLI writes the bundle: record + proof, once anchored.
    const bundled = await ok("npx", ["--no", "cargoproof", "bundle", "--as", shipper.id, published.id, "--out", bundleFile, "--hub", hub.url], work);
    expect(bundled.stdout).to.contain(`Shipment ${published.id} v1 with its proof`);
    const bundle = JSON.parse(readFileSync(bundleFile, "utf8")) as { record: { body: Record<string, unknown> } };
    bundle.record.body.goodsDescription = "Something else";
    tamperedFile = join(work, "tampered.json");
    writeFileSync(tamperedFile, JSON.stringify(bundle));
  });

  after(async function () {
    await hub?.stop();
    await chain?.stop();
    await database?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("the tarball holds the built package only: no server/, test/, sources, .env or key files", async function () {
    const entries = (await ok("tar", ["-tzf", tarball], work)).stdout.split("\n").filter(Boolean);
    for (const file of [
      "package.json",
      "README.md",
      "dist/index.cjs",
      "dist/index.mjs",
      "dist/cli.cjs",
      "dist/browser.mjs",
      "dist/line-worker.cjs",
      "dist/line-worker.mjs",
      "dist/types/index.d.ts",
      "dist/types/browser.d.ts",
    ])
      expect(entries, file).to.include(`package/${file}`);
    for (const entry of entries) {
      expect(entry, "only the manifest, the README and dist/").to.match(/^package\/(package\.json|README\.md|dist\/.+)$/);
      expect(entry).not.to.match(/(^|\/)(server|test|scripts|contracts|\.data|keys)\//);
      expect(entry).not.to.match(/(^|\/)\.env/);
      expect(entry, "no TypeScript sources").not.to.match(/(?<!\.d)\.ts$/);
      expect(entry, "no JSON but the manifest (key files are JSON)").not.to.match(/^package\/.+\/[^/]+\.json$/);
    }
    const manifest = z
      .object({ dependencies: z.record(z.string(), z.string()), optionalDependencies: z.record(z.string(), z.string()).optional() })
      .parse(JSON.parse(readFileSync(join(work, "node_modules", "cargoproof", "package.json"), "utf8")));
    const runtime = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
    for (const hubOnly of ["express", "@prisma/client", "hardhat", "better-sqlite3", "pg", "helmet", "esbuild", "tsx"]) expect(runtime).not.to.include(hubOnly);
    expect(existsSync(join(work, "node_modules", "tsx")), "nothing installs tsx: the CLI runs on plain node").to.equal(false);
  });

  it("`npx cargoproof verify bundle.json` from the installed package: VALID for the anchored record, INVALID once altered", async function () {
    const registries = [
      "--rpc",
      chain.rpcUrl,
      "--participant-registry",
      chain.deployment.participantRegistry,
      "--anchor-registry",
      chain.deployment.anchorRegistry,
    ];
    const env = {};
    const valid = await run("npx", ["--no", "cargoproof", "verify", bundleFile, ...registries], work, env);
    expect(valid.code, shown(valid)).to.equal(0);
    expect(valid.stdout.trim().split("\n").at(-1)).to.equal("VALID");
    const invalid = await run("npx", ["--no", "cargoproof", "verify", tamperedFile, ...registries], work, env);
    expect(invalid.code, shown(invalid)).to.equal(1);
    expect(invalid.stdout.trim().split("\n").at(-1)).to.equal("INVALID");
  });

  it("an ES module and a CommonJS TypeScript program import the SDK from the package (and cargoproof/browser), type-check against its declarations and verify the record", async function () {
    mkdirSync(join(work, "src"), { recursive: true });
    writeFileSync(join(work, "src", "verify.mts"), VERIFY_PROGRAM("esm"));
    writeFileSync(join(work, "src", "verify.cts"), VERIFY_PROGRAM("cjs"));
    writeFileSync(
      join(work, "tsconfig.json"),
      JSON.stringify({
        // skipLibCheck off: the package's declarations are checked too.
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          skipLibCheck: false,
          outDir: "out",
          rootDir: "src",
          types: ["node"],
        },
        include: ["src"],
      }),
    );
    await ok(process.execPath, [join(work, "node_modules", "typescript", "bin", "tsc"), "-p", work], work);
    const args = [chain.rpcUrl, chain.deployment.participantRegistry, chain.deployment.anchorRegistry];
    for (const [program, module] of [
      ["verify.mjs", "esm"],
      ["verify.cjs", "cjs"],
    ] as const) {
      const valid = await ok(process.execPath, [join(work, "out", program), bundleFile, ...args], work);
      expect(JSON.parse(valid.stdout)).to.deep.equal({ module, valid: true, ...(module === "esm" ? { browser: true } : {}) });
      const invalid = await ok(process.execPath, [join(work, "out", program), tamperedFile, ...args], work);
      expect(JSON.parse(invalid.stdout)).to.deep.equal({ module, valid: false, ...(module === "esm" ? { browser: false } : {}) });
    }
  });
});
