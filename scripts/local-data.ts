// The local data folder of `npm start` (git-ignored): chain journal, deployment, secrets, demo keys, database.
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { z } from "zod";
import { DeploymentSchema as StoredDeploymentSchema, type Deployment } from "./contracts";
import { orgKeyFromPrivate, randomOrgKey, type OrgKey } from "../sdk/keys";

// The repository's .data/ when run from a clone; ./.data where the installed `cargoproof` command runs
// (its own folder under node_modules/ is no place for keys).
const installed = __dirname.split(sep).includes("node_modules");
export const DATA_DIR = resolve(process.env.CARGOPROOF_DATA ?? (installed ? join(process.cwd(), ".data") : join(__dirname, "..", ".data")));
export const HUB_URL = process.env.CARGOPROOF_HUB ?? "http://127.0.0.1:8080";
export const RPC_PORT = Number(process.env.CARGOPROOF_RPC_PORT ?? 8545);

const KeyFileSchema = z.object({ orgId: z.string(), privateKey: z.string() });
const HubKeysSchema = z.object({ operatorPrivateKey: z.string(), anchorerPrivateKey: z.string() });
// Absent in a .data/ made before credentials existed: `npm start` deploys the registry then.
const DeploymentSchema = StoredDeploymentSchema.extend({ credentialRegistry: z.string().optional() });

/**
 * Writes a file only its owner can read: it may hold a private key or a secret. Written whole or not
 * at all (a temporary file, synced, renamed over): a start killed mid-write leaves the old content.
 */
export function writePrivate(path: string, content: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeFileSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function readJson<T>(path: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(path)) return undefined;
  return schema.parse(JSON.parse(readFileSync(path, "utf8")));
}

export const deploymentFile = () => join(DATA_DIR, "deployment.json");
export const loadDeployment = (): (Omit<Deployment, "credentialRegistry"> & { credentialRegistry?: string }) | undefined =>
  readJson(deploymentFile(), DeploymentSchema);

/** The hub's own operator and anchorer keys, generated on first start (never Hardhat's public ones). */
export const hubKeysFile = () => join(DATA_DIR, "hub-keys.json");
export const loadHubKeys = () => readJson(hubKeysFile(), HubKeysSchema);
export function createHubKeys(): z.infer<typeof HubKeysSchema> {
  const keys = { operatorPrivateKey: randomOrgKey().privateKey, anchorerPrivateKey: randomOrgKey().privateKey };
  writePrivate(hubKeysFile(), JSON.stringify(keys));
  return keys;
}

export const keyFile = (orgId: string) => join(DATA_DIR, "keys", `${orgId}.json`);
/**
 * A demo organisation's key: the one kept, else a new one written before anything uses it, so an
 * organisation is never admitted with a key that is not on disk.
 */
export function orgKeyOf(orgId: string): OrgKey {
  const kept = readJson(keyFile(orgId), KeyFileSchema);
  if (kept) return orgKeyFromPrivate(kept.privateKey);
  const key = randomOrgKey();
  writePrivate(keyFile(orgId), JSON.stringify({ orgId, privateKey: key.privateKey }));
  return key;
}
export function loadOrgKey(orgId: string): { orgId: string; privateKey: string } {
  const key = readJson(keyFile(orgId), KeyFileSchema);
  if (!key) throw new Error(`no key for organisation ${orgId} in ${join(DATA_DIR, "keys")} (run \`npm start\` first)`);
  return key;
}
