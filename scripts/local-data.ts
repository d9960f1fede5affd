// The local data folder of `npm start` (git-ignored): chain journal, deployment, secrets, demo keys, database.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { Deployment } from "./contracts";

export const DATA_DIR = resolve(process.env.CARGOPROOF_DATA ?? join(__dirname, "..", ".data"));
export const HUB_URL = process.env.CARGOPROOF_HUB ?? "http://127.0.0.1:8080";
export const RPC_PORT = Number(process.env.CARGOPROOF_RPC_PORT ?? 8545);

const KeyFileSchema = z.object({ orgId: z.string(), privateKey: z.string() });
const DeploymentSchema = z.object({
  chainId: z.number(),
  participantRegistry: z.string(),
  anchorRegistry: z.string(),
  // Absent in a .data/ made before credentials existed: `npm start` deploys the registry then.
  credentialRegistry: z.string().optional(),
  deployer: z.string(),
  anchorers: z.array(z.string()),
  deployedAtBlock: z.number(),
});

/** Writes a file only its owner can read: it may hold a private key or a secret. */
export function writePrivate(path: string, content: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function readJson<T>(path: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(path)) return undefined;
  return schema.parse(JSON.parse(readFileSync(path, "utf8")));
}

export const deploymentFile = () => join(DATA_DIR, "deployment.json");
export const loadDeployment = (): (Omit<Deployment, "credentialRegistry"> & { credentialRegistry?: string }) | undefined =>
  readJson(deploymentFile(), DeploymentSchema);

export const keyFile = (orgId: string) => join(DATA_DIR, "keys", `${orgId}.json`);
export function loadOrgKey(orgId: string): { orgId: string; privateKey: string } {
  const key = readJson(keyFile(orgId), KeyFileSchema);
  if (!key) throw new Error(`no key for organisation ${orgId} in ${join(DATA_DIR, "keys")} (run \`npm start\` first)`);
  return key;
}
