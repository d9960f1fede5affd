import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { hubDocument } from "../../server/openapi/routes";

const ROOT = join(__dirname, "..", "..");
const REDOCLY = join(ROOT, "node_modules", ".bin", "redocly");

/**
 * A preload that records every outgoing TCP connection of the process it runs in and refuses it:
 * the lint must work with no network (and send nothing: Redocly's telemetry is switched off).
 */
const NO_NETWORK = `
const net = require("node:net");
const fs = require("node:fs");
net.Socket.prototype.connect = function (...args) {
  // net.connect passes its arguments normalised, as one array.
  const options = Array.isArray(args[0]) ? args[0][0] : args[0];
  const where = typeof options === "object" && options ? { host: options.host, port: options.port, path: options.path } : args;
  fs.appendFileSync(process.env.NETWORK_ATTEMPTS, JSON.stringify(where) + "\\n");
  process.nextTick(() => this.destroy(new Error("no network in this test")));
  return this;
};
`;

describe("OpenAPI: redocly lint at its recommended rules", function () {
  this.timeout(120_000);
  let dir: string;
  let attempts: string;
  let env: NodeJS.ProcessEnv;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "cargoproof-lint-"));
    attempts = join(dir, "network-attempts.log");
    writeFileSync(join(dir, "no-network.cjs"), NO_NETWORK);
    env = {
      ...process.env,
      REDOCLY_TELEMETRY: "off",
      REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
      NO_COLOR: "1",
      NETWORK_ATTEMPTS: attempts,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${join(dir, "no-network.cjs")}`.trim(),
    };
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("the network guard notices a connection (so that its silence below means something)", function () {
    const probe = spawnSync(process.execPath, ["-e", "fetch('http://127.0.0.1:65500/').catch(() => {})"], { env, encoding: "utf8", timeout: 20_000 });
    expect(probe.status, probe.stderr).to.equal(0);
    expect(readFileSync(attempts, "utf8")).to.include("127.0.0.1");
    rmSync(attempts);
  });

  it("redocly.yaml picks the recommended rules and switches none off", function () {
    const config = readFileSync(join(ROOT, "redocly.yaml"), "utf8");
    expect(config).to.match(/^extends:\s*\n\s*-\s*recommended\s*$/m);
    expect(config).to.not.match(/^\s*rules:/m);
    expect(config).to.match(/^telemetry:\s*off\s*$/m);
  });

  it("finds 0 errors and 0 warnings in the hub's document, with no network", function () {
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(hubDocument("http://127.0.0.1:8080"), null, 1));
    const lint = spawnSync(REDOCLY, ["lint", file, "--config", join(ROOT, "redocly.yaml"), "--format=json"], { cwd: ROOT, env, encoding: "utf8", timeout: 100_000, maxBuffer: 64 * 1024 * 1024 });
    expect(lint.error, "redocly ran").to.equal(undefined);
    const report = JSON.parse(lint.stdout) as { totals: { errors: number; warnings: number; ignored: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
    const found = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(found, "lint problems").to.deep.equal([]);
    expect(report.totals).to.deep.equal({ errors: 0, warnings: 0, ignored: 0 });
    expect(lint.status, lint.stderr).to.equal(0);
    expect(existsSync(attempts) ? readFileSync(attempts, "utf8") : "", "connections redocly tried").to.equal("");
  });
});
