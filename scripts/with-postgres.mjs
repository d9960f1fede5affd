// Runs a command against a throw-away PostgreSQL server on 127.0.0.1 (a fresh cluster in a temp
// folder, removed afterwards), with CARGOPROOF_TEST_PG pointing at it. Used by `npm run test:pg`.
// Needs Debian's postgresql package (binaries under /usr/lib/postgresql/<version>/bin).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function pgBin() {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) throw new Error("PostgreSQL is not installed (apt-get install -y postgresql)");
  const version = readdirSync(base).sort((a, b) => Number(b) - Number(a))[0];
  return join(base, version, "bin");
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: node scripts/with-postgres.mjs <command> [args...]");
  process.exit(2);
}
const bin = pgBin();
const dir = mkdtempSync(join(tmpdir(), "cargoproof-pg-"));
chmodSync(dir, 0o777);
const data = join(dir, "data");
const port = await freePort();
// PostgreSQL refuses to run as root: run it as the postgres system user when we are root.
const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
const run = (argv) => execFileSync(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
run([...asPostgres, join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
run([...asPostgres, join(bin, "pg_ctl"), "-D", data, "-l", join(dir, "pg.log"), "-w", "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`, "start"]);
let code = 1;
try {
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  console.log(`[with-postgres] PostgreSQL on 127.0.0.1:${port}`);
  const child = spawn(cmd, args, { stdio: "inherit", shell: false, env: { ...process.env, CARGOPROOF_TEST_PG: url, PATH: `${join(process.cwd(), "node_modules/.bin")}:${process.env.PATH}` } });
  code = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
} finally {
  const stop = [...asPostgres, join(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"];
  spawnSync(stop[0], stop.slice(1), { stdio: "ignore" });
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
