// `cargoproof` (scripts/cli.ts) run as a child process, as a user runs it.
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args`; the test process keeps serving (RPC, HTTP) meanwhile. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--require", "tsx/cjs", join(ROOT, "scripts", "cli.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}
