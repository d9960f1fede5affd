// Real parts for integration tests: a local Hardhat chain (child process), the contracts deployed
// with real transactions, a real database (SQLite file, or PostgreSQL when CARGOPROOF_TEST_PG names
// a server), and hub processes spoken to over real HTTP.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { JsonRpcProvider, Wallet } from "ethers";
import { devAccountKey } from "../../scripts/dev-accounts";
import { Client as PgClient } from "pg";
import BetterSqlite3 from "better-sqlite3";
import { startIntervalHardhatNode, startLocalChain } from "../../scripts/local-chain";
import { startAnvil, type Hardfork } from "../anvil-node";
import { onFreePort } from "../../scripts/free-port";
import { deployContracts, type Deployment } from "../../scripts/contracts";
import { HubClient, HubError } from "../../sdk/client";
import { CLIENT_ASSERTION_TYPE } from "../../sdk/assertion";
import { randomOrgKey, type OrgKey } from "../../sdk/keys";
import type { Role } from "../../sdk/roles";
import type { CredentialGrantInput, Problem } from "../../sdk/api";

const ROOT = join(__dirname, "..", "..");
/** Hardhat's public development accounts (funded on the local chain): #0 operates, #1 anchors. */
export const OPERATOR_KEY = devAccountKey(0);
export const ANCHORER_KEY = devAccountKey(1);

export { freePort } from "../../scripts/free-port";

export interface TestChain {
  rpcUrl: string;
  provider: JsonRpcProvider;
  deployment: Deployment;
  operator: Wallet;
  stop(): Promise<void>;
}

export const TEST_CHAIN_KINDS = ["hardhat", "anvil"] as const;
export type TestChainKind = (typeof TEST_CHAIN_KINDS)[number];

/** The node implementation the integration tests run on: CARGOPROOF_TEST_CHAIN=hardhat (default) or anvil. */
export function testChainKind(): TestChainKind {
  const kind = process.env.CARGOPROOF_TEST_CHAIN ?? "hardhat";
  if (!(TEST_CHAIN_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`CARGOPROOF_TEST_CHAIN=${kind}: expected one of ${TEST_CHAIN_KINDS.join(", ")}`);
  }
  return kind as TestChainKind;
}

/** On Anvil the tests mine a block every second (interval mining, as a real network does), not one per transaction. */
export const ANVIL_TEST_BLOCK_TIME_S = 1;

export interface TestChainOptions {
  /** The node implementation regardless of CARGOPROOF_TEST_CHAIN (a test about one of them). */
  node?: TestChainKind;
  /** Anvil only: the chain's rules (`paris`: no PUSH0). Default: Anvil's latest. */
  hardfork?: Hardfork;
  /**
   * Interval mining, a block every this many seconds. Default: ANVIL_TEST_BLOCK_TIME_S on Anvil;
   * on Hardhat one block per transaction (the journaled local chain), and with this a bare hardhat
   * node (no journal) mining by the clock.
   */
  blockTimeS?: number;
}

/**
 * A fresh chain with the contracts deployed: Hardhat's (the journaled local chain, automine) or
 * Anvil with a block every ANVIL_TEST_BLOCK_TIME_S, as CARGOPROOF_TEST_CHAIN (or `opts.node`) says.
 */
export async function startTestChain(opts: TestChainOptions = {}): Promise<TestChain> {
  const kind = opts.node ?? testChainKind();
  let node: { rpcUrl: string; stop(): Promise<void> };
  if (kind === "anvil") {
    node = await startAnvil({ blockTimeS: opts.blockTimeS ?? ANVIL_TEST_BLOCK_TIME_S, ...(opts.hardfork ? { hardfork: opts.hardfork } : {}) });
  } else if (opts.hardfork !== undefined) {
    throw new Error("startTestChain: a hardfork can be chosen on Anvil only");
  } else if (opts.blockTimeS !== undefined) {
    node = await startIntervalHardhatNode({ blockIntervalMs: Math.round(opts.blockTimeS * 1000) });
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), "cargoproof-chain-"));
    const chain = await startLocalChain({ dataDir, port: 0 });
    node = {
      rpcUrl: chain.rpcUrl,
      async stop() {
        await chain.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const provider = new JsonRpcProvider(node.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  const operator = new Wallet(OPERATOR_KEY, provider);
  let deployment: Deployment;
  try {
    deployment = await deployContracts(operator, [new Wallet(ANCHORER_KEY).address]);
  } catch (err) {
    provider.destroy();
    await node.stop();
    throw err;
  }
  return {
    rpcUrl: node.rpcUrl,
    provider,
    deployment,
    operator,
    async stop() {
      provider.destroy();
      await node.stop();
    },
  };
}

/** A fresh, empty database URL: a SQLite file, or a new PostgreSQL database when CARGOPROOF_TEST_PG is set. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const pgBase = process.env.CARGOPROOF_TEST_PG;
  if (!pgBase) {
    const dir = mkdtempSync(join(tmpdir(), "cargoproof-db-"));
    return { url: `file:${join(dir, "hub.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `cp_test_${randomBytes(6).toString("hex")}`;
  const admin = new PgClient({ connectionString: pgBase });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgBase);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new PgClient({ connectionString: pgBase });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const isPostgres = () => Boolean(process.env.CARGOPROOF_TEST_PG);

/**
 * Runs SQL on the hub's database directly, behind the hub's back (as an auditor reading it, or an
 * attacker tampering with it would). Parameters are written $1, $2, ... for both providers.
 */
export async function sql<T = Record<string, unknown>>(url: string, statement: string, params: unknown[] = []): Promise<T[]> {
  if (url.startsWith("file:")) {
    const db = new BetterSqlite3(url.slice("file:".length));
    try {
      const stmt = db.prepare(statement.replace(/\$\d+/g, "?"));
      return stmt.reader ? (stmt.all(...params) as T[]) : (stmt.run(...params), []);
    } finally {
      db.close();
    }
  }
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  try {
    return (await pg.query(statement, params)).rows as T[];
  } finally {
    await pg.end();
  }
}

export interface HubProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>;
  /** Crash: SIGKILL, no clean-up runs. */
  kill(): Promise<void>;
}

export const TOKEN_SECRET = randomBytes(32).toString("hex");
export const CUSTOMS_MATCH_KEY = randomBytes(32).toString("hex");
export const METRICS_TOKEN = randomBytes(32).toString("hex");

export function hubEnv(chain: TestChain, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    RPC_URL: chain.rpcUrl,
    PARTICIPANT_REGISTRY: chain.deployment.participantRegistry,
    ANCHOR_REGISTRY: chain.deployment.anchorRegistry,
    CREDENTIAL_REGISTRY: chain.deployment.credentialRegistry,
    CONTRACTS_FROM_BLOCK: String(chain.deployment.deployedAtBlock),
    // Tests that revoke or let a credential expire wait this long for the hub to notice.
    CREDENTIAL_CACHE_MS: "200",
    OPERATOR_PRIVATE_KEY: OPERATOR_KEY,
    ANCHORER_PRIVATE_KEY: ANCHORER_KEY,
    // The keys above are Hardhat's public ones: allowed on the local test chain only by this flag.
    ALLOW_DEV_KEYS: "true",
    TOKEN_SECRET,
    CUSTOMS_MATCH_KEY,
    METRICS_TOKEN,
    ANCHOR_MAX_AGE_MS: "150",
    ANCHOR_POLL_MS: "50",
    // The scheduled self-audit only where a test asks for it.
    AUDIT_INTERVAL_MS: "0",
    ...extra,
  };
}

/**
 * Starts `server/main.ts` as its own process and waits until it answers: on `env.PORT`, or on a free
 * port (given to `env` when it is a function of it, for a PUBLIC_URL that names the port).
 */
export async function startHubProcess(env: Record<string, string> | ((port: number) => Record<string, string>)): Promise<HubProcess> {
  if (typeof env !== "function" && env.PORT) return spawnHub(Number(env.PORT), env);
  // The hub exits if its port was taken since the probe; it then starts on another.
  return onFreePort((port) => spawnHub(port, typeof env === "function" ? env(port) : env));
}

async function spawnHub(port: number, env: Record<string, string>): Promise<HubProcess> {
  // tsx as a loader in this very process (its CLI would fork a child that a SIGKILL would orphan).
  const child = spawn(process.execPath, ["--require", "tsx/cjs", join(ROOT, "server/main.ts")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  if (process.env.CARGOPROOF_DEBUG_HUB) {
    child.stdout!.pipe(process.stderr);
    child.stderr!.pipe(process.stderr);
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hub exited during start-up:\n${out}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`hub did not start within 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

export function operatorClient(hubUrl: string): HubClient {
  return new HubClient({ baseUrl: hubUrl, orgId: "operator", privateKey: OPERATOR_KEY });
}

export interface TestOrg {
  id: string;
  key: OrgKey;
  client: HubClient;
}

/** GS1 company prefixes of the test GTINs (GS1's own example prefixes 950600 and 0614141): a test brand owns them. */
export const TEST_GS1_PREFIXES = ["950600", "614141"];
/** The air waybill prefix of the test master waybills (test/fixtures.ts). */
export const TEST_AWB_PREFIX = "020";

/**
 * The credentials a member with these roles holds in the tests, issued by the operator at admission:
 * what a real member of that kind would have been accredited for (docs/authority.md). Tests of
 * authority pass their own list (or none).
 */
export function credentialsFor(id: string, roles: readonly Role[]): CredentialGrantInput[] {
  const out: CredentialGrantInput[] = [];
  for (const role of roles) {
    if (role === "CERTIFIER")
      out.push({ kind: "ACCREDITED_CERTIFIER", scope: { kinds: ["INSPECTION_REPORT", "CERTIFICATE_OF_ORIGIN", "QUALITY", "HALAL", "CARBON"] } });
    if (role === "BRAND") out.push({ kind: "GS1_COMPANY_PREFIX", scope: { prefixes: TEST_GS1_PREFIXES } });
    if (role === "AIRLINE") out.push({ kind: "AIRLINE", scope: { prefix: TEST_AWB_PREFIX } });
    if (role === "FORWARDER") out.push({ kind: "LICENSED_FORWARDER", scope: {} });
    if (role === "BROKER") out.push({ kind: "LICENSED_BROKER", scope: {} });
    if (role === "PLATFORM") out.push({ kind: "ECOMMERCE_PLATFORM", scope: {} });
    if (role === "PAYMENT") out.push({ kind: "PAYMENT_LICENCE", scope: {} });
    if (role === "CUSTOMS") out.push({ kind: "CUSTOMS_OFFICE", scope: { office: id } });
  }
  return out;
}

/**
 * Admits an organisation through the hub's API (which writes it to the ParticipantRegistry), with
 * the credentials its roles come with (`credentialsFor`) unless `credentials` says otherwise.
 */
export async function admit(hubUrl: string, id: string, roles: Role[], credentials: CredentialGrantInput[] = credentialsFor(id, roles)): Promise<TestOrg> {
  const key = randomOrgKey();
  await operatorClient(hubUrl).admitOrganization({ id, name: id, roles, publicKey: key.publicKey, ...(credentials.length > 0 ? { credentials } : {}) });
  return { id, key, client: new HubClient({ baseUrl: hubUrl, orgId: id, privateKey: key.privateKey }) };
}

/** The raw answer of the token endpoint to a client assertion (tests compare statuses and bodies). */
export function tokenRequest(hubUrl: string, assertion: string): Promise<Response> {
  return fetch(`${hubUrl}/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion }),
  });
}

/**
 * Polls `probe` until it gives a value (anything but undefined or false), or throws after
 * `timeoutMs`. A hub answer of 404 or 409 counts as "not yet" (not anchored, not matched yet).
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch((e: unknown) => {
        if (e instanceof HubError && (e.status === 404 || e.status === 409)) return undefined;
        throw e;
      });
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls a yes/no `check` (a database or chain read) every 100 ms until it says yes, or throws after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * What a hub call came to: "allowed", or its refusal's status and problem without `instance` (the
 * caller's own request) and `errors`, so that two refusals compare equal when they look the same.
 */
export async function refusal(p: Promise<unknown>): Promise<{ status: number; problem: Omit<Problem, "instance" | "errors"> } | "allowed"> {
  try {
    await p;
    return "allowed";
  } catch (e) {
    if (!(e instanceof HubError)) throw e;
    const { instance: _instance, errors: _errors, ...problem } = e.problem;
    return { status: e.status, problem };
  }
}

/** "allowed", or the refusal as status and problem kind, e.g. "404 not-found". */
export async function kindOf(p: Promise<unknown>): Promise<string> {
  const r = await refusal(p);
  return r === "allowed" ? r : `${r.status} ${String(r.problem.type).split("/").pop()}`;
}
