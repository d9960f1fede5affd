// `cargoproof` (scripts/cli.ts) and the operator's `admin` (scripts/admin.ts) run as child processes, as a user runs them.
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
  return runScript("cli.ts", args, env);
}

/** Runs one of scripts/ (cli.ts, admin.ts, deploy.ts) with `args` as a child process, in the repository. */
export function runScript(script: "cli.ts" | "admin.ts" | "deploy.ts", args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--require", "tsx/cjs", join(ROOT, "scripts", script), ...args], {
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
