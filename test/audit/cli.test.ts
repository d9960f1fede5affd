// `cargoproof audit` and `cargoproof export` as child processes: the audit against a JSON-RPC endpoint
// in front of the in-process hardhat network (exit codes 0, 1, 2), the export against a stand-in hub
// that cuts the connection mid-stream (then --resume completes the file exactly).
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { rpcServer } from "../rpc-bridge";
import { runCli } from "../cli-process";
import { Wallet } from "ethers";
import { resumePoint } from "../../sdk/audit/export-file";
import type { ExportLine } from "../../sdk/audit/export-format";
import { AuditReportSchema } from "../../sdk/audit/findings";
import { HubClient } from "../../sdk/client";
import { ACME, FAST, copyState, deployChain, exportOf, logAccess, publish, seal, type Chain, type HubState } from "./fixture";

const cli = runCli;

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("cargoproof CLI: audit and export", function () {
  this.timeout(180_000);
  let chain: Chain;
  let state: HubState;
  let rpc: { url: string; server: Server };
  let dir: string;

  before(async () => {
    chain = await deployChain();
    state = { batches: [], pending: [], access: [] };
    logAccess(state, [{}, {}, { action: "GRANT", actor: ACME }]);
    await seal(chain, state, [publish(ACME, chain.keys[ACME]), publish(FAST, chain.keys[FAST]), publish(ACME, chain.keys[ACME])]);
    logAccess(state, [{}, {}]);
    await seal(chain, state, [publish(FAST, chain.keys[FAST]), publish(ACME, chain.keys[ACME])]);
    rpc = await rpcServer();
    dir = mkdtempSync(join(tmpdir(), "cargoproof-cli-"));
  });

  after(() => {
    rpc?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const writeLines = (name: string, lines: ExportLine[]) => {
    const file = join(dir, name);
    writeFileSync(file, lines.map((l) => JSON.stringify(l) + "\n").join(""));
    return file;
  };
  const auditArgs = (file: string, json: string) => [
    "audit",
    "--file",
    file,
    "--rpc",
    rpc.url,
    "--participant-registry",
    chain.contracts.participantRegistry,
    "--anchor-registry",
    chain.contracts.anchorRegistry,
    "--from-block",
    String(chain.deployedAtBlock),
    "--json",
    json,
  ];

  it("audit exits 0 on a clean export, with the summary on stdout and the JSON report in the file", async () => {
    const json = join(dir, "clean.json");
    const run = await cli(auditArgs(writeLines("clean.jsonl", exportOf(chain, state)), json));
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(run.stdout)
      .to.match(/^AUDIT CLEAN/)
      .and.include("5 records, 2 batches, 5 access-log entries");
    const report = AuditReportSchema.parse(JSON.parse(readFileSync(json, "utf8")));
    expect(report.clean).to.equal(true);
    expect(report.summary.counts).to.deep.equal({ batches: 2, records: 5, access: 5 });
    // stderr is not a TTY here: plain progress lines, no bar.
    expect(run.stderr)
      .to.match(/^audit: 5\/5 records \(100\.0%\)/m)
      .and.not.include("\r");
  });

  it("audit exits 1 when it finds something, and names it", async () => {
    const tampered = copyState(state);
    tampered.batches[1].records[0].record.body.goodsDescription = "Something else entirely";
    const json = join(dir, "tampered.json");
    const run = await cli([...auditArgs(writeLines("tampered.jsonl", exportOf(chain, tampered)), json), "--max-anchor-lag", "600"]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stdout)
      .to.match(/^AUDIT FOUND PROBLEMS: 1 finding/)
      .and.include("content-mismatch");
    const report = AuditReportSchema.parse(JSON.parse(readFileSync(json, "utf8")));
    expect(report.findings.map((f) => f.code)).to.deep.equal(["content-mismatch"]);
    expect(report.summary.maxAnchorLagS).to.equal(600);
  });

  it("audit exits 2 on usage and input errors", async () => {
    const cut = writeLines("cut.jsonl", exportOf(chain, state).slice(0, -1));
    const runs = await Promise.all([
      cli(["audit"]),
      cli(auditArgs(join(dir, "nope.jsonl"), join(dir, "x.json"))),
      cli(auditArgs(cut, join(dir, "cut.json"))),
      cli([...auditArgs(cut, join(dir, "x.json")), "--from-block", "1.5"]),
      cli([...auditArgs(cut, join(dir, "x.json")).slice(0, 3), "--rpc", "http://127.0.0.1:9"]),
    ]);
    expect(runs.map((r) => r.code)).to.deep.equal([2, 2, 2, 2, 2]);
    expect(runs[0].stderr).to.include("audit needs --file FILE");
    expect(runs[1].stderr).to.include("does not exist");
    expect(runs[2].stderr).to.include("cut short");
    expect(runs[3].stderr).to.include("--from-block must be a non-negative integer");
    expect(runs[4].stderr).to.include("cannot reach the chain at http://127.0.0.1:9");
  });

  describe("export", () => {
    let hub: { url: string; server: Server };
    let lines: string[];
    let requests: string[];
    let cutAfter: number | undefined; // lines sent before the connection is cut (once)
    let keyDir: string;
    const ORG = "auditor-one";

    before(async () => {
      lines = exportOf(chain, state).map((l) => JSON.stringify(l));
      keyDir = mkdtempSync(join(tmpdir(), "cargoproof-keys-"));
      mkdirSync(join(keyDir, "keys"));
      writeFileSync(join(keyDir, "keys", `${ORG}.json`), JSON.stringify({ orgId: ORG, privateKey: Wallet.createRandom().privateKey }));
      hub = await listen((req, res) => {
        const url = new URL(req.url ?? "/", "http://x");
        requests.push(`${req.method} ${url.pathname}${url.search}`);
        if (url.pathname === "/v1/auth/token") {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ access_token: "t0ken", token_type: "Bearer", expires_in: 300 }));
          return;
        }
        if (url.pathname !== "/v1/audit/export" || req.headers.authorization !== "Bearer t0ken") {
          res.statusCode = 404;
          res.end();
          return;
        }
        const after = url.searchParams.get("after");
        const from = after ? lines.findIndex((l) => (JSON.parse(l) as { cursor?: string }).cursor === after) + 1 : 1;
        const body = [lines[0], ...lines.slice(from)];
        res.setHeader("content-type", "application/x-ndjson");
        if (cutAfter !== undefined) {
          const sent = body.slice(0, cutAfter).join("\n") + "\n" + body[cutAfter].slice(0, 40);
          cutAfter = undefined;
          res.write(sent, () => setTimeout(() => res.socket?.destroy(), 20));
          return;
        }
        res.end(body.join("\n") + "\n");
      });
    });

    beforeEach(() => {
      requests = [];
    });

    after(() => {
      hub?.server.close();
      rmSync(keyDir, { recursive: true, force: true });
    });

    const exportArgs = (out: string, ...more: string[]) => ["export", "--as", ORG, "--hub", hub.url, "--out", out, ...more];
    const env = () => ({ CARGOPROOF_DATA: keyDir });

    it("HubClient.exportLines yields the stream's complete lines", async () => {
      const client = new HubClient({ baseUrl: hub.url, orgId: ORG, privateKey: Wallet.createRandom().privateKey });
      const got: string[] = [];
      for await (const l of client.exportLines({ scope: "all" })) got.push(l);
      expect(got).to.deep.equal(lines);
      expect(requests).to.deep.equal(["POST /v1/auth/token", "GET /v1/audit/export?scope=all"]);
      const cursor = (JSON.parse(lines[4]) as { cursor: string }).cursor;
      const resumed: string[] = [];
      for await (const l of client.exportLines({ scope: "all", after: cursor })) resumed.push(l);
      expect(resumed).to.deep.equal([lines[0], ...lines.slice(5)]);
    });

    it("an interrupted export is continued with --resume into exactly the full export", async () => {
      const out = join(dir, "export.jsonl");
      cutAfter = 6;
      const first = await cli(exportArgs(out), env());
      expect(first.code, first.stdout).to.equal(2);
      const partial = readFileSync(out, "utf8");
      expect(partial).to.equal(lines.slice(0, 6).join("\n") + "\n");
      // As if the process had died mid-write: a partial last line, which --resume drops.
      appendFileSync(out, lines[6].slice(0, 25));
      const again = await cli(exportArgs(out), env());
      expect(again.code).to.equal(2);
      expect(again.stderr).to.include("exists: continue it with --resume");

      const second = await cli(exportArgs(out, "--resume"), env());
      expect(second.code, second.stderr).to.equal(0);
      expect(second.stderr).to.include("resuming").and.include("dropped a partial last line of 25 bytes");
      expect(second.stdout).to.include("wrote").and.include("5 records");
      expect(readFileSync(out, "utf8")).to.equal(lines.join("\n") + "\n");
      const cursor = (JSON.parse(lines[5]) as { cursor: string }).cursor;
      expect(requests).to.include(`GET /v1/audit/export?scope=all&after=${encodeURIComponent(cursor)}`);

      const third = await cli(exportArgs(out, "--resume"), env());
      expect(third.code).to.equal(0);
      expect(third.stdout).to.include("already a complete export");

      // And the exported file audits clean.
      const run = await cli(auditArgs(out, join(dir, "exported.json")));
      expect(run.code, run.stdout + run.stderr).to.equal(0);
    });

    it("resumePoint counts the lines and finds the last cursor", async () => {
      const file = join(dir, "resume.jsonl");
      writeFileSync(file, lines.slice(0, 8).join("\n") + "\n" + lines[8].slice(0, 10));
      const point = await resumePoint(file);
      expect(point.after).to.equal((JSON.parse(lines[7]) as { cursor: string }).cursor);
      expect(point.counts).to.deep.equal({ batches: 2, records: 5, access: 0 });
      expect(point.complete).to.equal(false);
      expect(point.droppedBytes).to.equal(10);
      expect(readFileSync(file, "utf8")).to.equal(lines.slice(0, 8).join("\n") + "\n");
    });
  });
});
