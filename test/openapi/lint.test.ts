import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { hubDocument } from "../../server/openapi/routes";
import { withoutNetwork } from "./no-network";

const ROOT = join(__dirname, "..", "..");
const REDOCLY = join(ROOT, "node_modules", ".bin", "redocly");

describe("OpenAPI: redocly lint at its recommended rules", function () {
  this.timeout(120_000);
  let dir: string;
  let guard: ReturnType<typeof withoutNetwork>;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "cargoproof-lint-"));
    guard = withoutNetwork(dir);
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("the network guard notices a connection (so that its silence below means something)", function () {
    const probe = spawnSync(process.execPath, ["-e", "fetch('http://127.0.0.1:65500/').catch(() => {})"], {
      env: guard.env,
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(probe.status, probe.stderr).to.equal(0);
    expect(guard.attempts()).to.include("127.0.0.1");
    rmSync(join(dir, "network-attempts.log"));
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
    const lint = spawnSync(REDOCLY, ["lint", file, "--config", join(ROOT, "redocly.yaml"), "--format=json"], {
      cwd: ROOT,
      env: guard.env,
      encoding: "utf8",
      timeout: 100_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(lint.error, "redocly ran").to.equal(undefined);
    const report = JSON.parse(lint.stdout) as {
      totals: { errors: number; warnings: number; ignored: number };
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    const found = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(found, "lint problems").to.deep.equal([]);
    expect(report.totals).to.deep.equal({ errors: 0, warnings: 0, ignored: 0 });
    expect(lint.status, lint.stderr).to.equal(0);
    expect(guard.attempts(), "connections redocly tried").to.equal("");
  });
});
