import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

/** The published standards' folder: CARGOPROOF_STANDARDS, or ../shared/standards beside the repository. */
export const STANDARDS = resolve(process.env.CARGOPROOF_STANDARDS ?? join(__dirname, "..", "..", "..", "shared", "standards"));

export function standardsFile(...parts: string[]): string {
  const path = join(STANDARDS, ...parts);
  if (!existsSync(path)) throw new Error(`${path} is missing: set CARGOPROOF_STANDARDS to the folder of the published standards`);
  return path;
}

export const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

export function listFiles(dir: string, suffix: string): string[] {
  return readdirSync(standardsFile(dir))
    .filter((f) => f.endsWith(suffix))
    .sort();
}
