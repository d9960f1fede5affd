import { createServer, type Server } from "node:http";
import { keccakReady } from "../sdk/bytes";
import { databaseOptions, openDatabase, type Db } from "./db/client";
import { migrate } from "./db/migrate";
import { claimInstanceId } from "./instance-identity";
import { HubChain } from "./chain/hub-chain";
import { checkHubKeys } from "./chain/dev-keys";
import type { Config } from "./config";
import { createApp, createServices } from "./app";
import { AnchoringWorker, defaultConfirmations } from "./anchoring/worker";
import { MatcherWorker } from "./customs/worker";
import { OPERATOR_ORG_ID, admitOrganization } from "./orgs/service";
import { EpcisReports } from "./epcis/subscriptions-delivery";
import { NotificationFanOut } from "./notifications/fan-out";

export { OPERATOR_ORG_ID };

export interface RunningHub {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts a hub: applies migrations, connects to the chain, makes sure the operator organisation
 * exists, starts the anchoring worker and serves HTTP.
 */
export async function startHub(config: Config, log: (line: string) => void = console.log): Promise<RunningHub> {
  await keccakReady; // the fast digest code, before the first request
  await migrate(config.DATABASE_URL);
  const { db, provider, close } = await openDatabase(config.DATABASE_URL, databaseOptions(config, log));
  const chain = new HubChain({
    rpcUrl: config.RPC_URL,
    operatorKey: config.OPERATOR_PRIVATE_KEY,
    anchorerKey: config.ANCHORER_PRIVATE_KEY,
    participantRegistry: config.PARTICIPANT_REGISTRY,
    anchorRegistry: config.ANCHOR_REGISTRY,
    fromBlock: config.CONTRACTS_FROM_BLOCK,
  });
  const chainId = Number((await chain.provider.getNetwork()).chainId);
  // Refused unless a local development chain and ALLOW_DEV_KEYS (the error names the variable only).
  const anchorerKey = config.ANCHORER_PRIVATE_KEY === config.OPERATOR_PRIVATE_KEY ? undefined : config.ANCHORER_PRIVATE_KEY;
  const devKeys = checkHubKeys({ OPERATOR_PRIVATE_KEY: config.OPERATOR_PRIVATE_KEY, ANCHORER_PRIVATE_KEY: anchorerKey }, chainId, config.ALLOW_DEV_KEYS);
  if (devKeys.length > 0) log(`warning: ${devKeys.join(" and ")}: Hardhat's public development keys, allowed on local chain ${chainId} by ALLOW_DEV_KEYS`);
  const credentialRegistry = await chain.resolveCredentialRegistry(config.CREDENTIAL_REGISTRY);
  if (!credentialRegistry) log("warning: no credential registry; every record type that needs a credential will be refused");

  await ensureOperatorOrganization(db, chain);

  // One identity for every lease this process holds, kept across restarts (server/instance-identity.ts).
  const instanceId = await claimInstanceId(db, provider, config.INSTANCE_ID);
  log(`hub instance ${instanceId}`);
  const worker = new AnchoringWorker(db, chain, {
    batchSize: config.ANCHOR_BATCH_SIZE,
    maxAgeMs: config.ANCHOR_MAX_AGE_MS,
    pollMs: config.ANCHOR_POLL_MS,
    leaseMs: config.ANCHOR_LEASE_MS,
    confirmations: config.ANCHOR_CONFIRMATIONS ?? defaultConfirmations(chainId),
    fees: { txType: config.ANCHOR_TX_TYPE, ...(config.ANCHOR_GAS_PRICE !== undefined ? { gasPrice: config.ANCHOR_GAS_PRICE } : {}) },
    stuckMs: config.ANCHOR_STUCK_MS,
    instanceId,
    log,
  });
  if (config.ANCHOR_WORKER === "on") worker.start();

  // PostgreSQL: notifications added by another instance wake this one's streams and webhooks at once.
  const fanOut = provider === "postgresql" ? new NotificationFanOut(config.DATABASE_URL, log) : undefined;
  await fanOut?.start();
  const parts = { db, provider, chain, config, chainId, instanceId };
  const services = createServices(parts, log);
  if (config.AUDIT_INTERVAL_MS > 0) services.selfAudit.start();
  const matcher = new MatcherWorker(db, provider, services.accessLog, config.OPERATOR_PRIVATE_KEY, services.observers, {
    batchSize: config.CUSTOMS_MATCH_BATCH,
    pollMs: config.CUSTOMS_MATCH_POLL_MS,
    leaseMs: config.CUSTOMS_MATCH_LEASE_MS,
    matchKey: config.CUSTOMS_MATCH_KEY,
    ...(config.CUSTOMS_MATCH_RULES ? { rules: config.CUSTOMS_MATCH_RULES } : {}),
    instanceId,
    log,
    signing: services.recordChecks,
  });
  if (config.CUSTOMS_MATCHER === "on") matcher.start();
  if (config.WEBHOOK_WORKER === "on") services.webhooks.start();
  // EPCIS scheduled subscriptions report where webhooks are delivered (server/epcis/subscriptions-delivery.ts).
  const epcisReports = new EpcisReports(db, provider, services.accessLog, { pollMs: 1000, settleMs: 1000, masterData: services.places, log });
  if (config.WEBHOOK_WORKER === "on") epcisReports.start();
  const app = createApp(parts, services);
  // Slow or short requests (headers trickling in, a body shorter than its Content-Length) are cut at
  // these bounds instead of holding a connection; checked often enough for the bound to hold.
  const server: Server = createServer(
    {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.HTTP_HEADERS_TIMEOUT_MS / 4)),
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  return {
    url: `http://${config.HOST}:${port}`,
    port,
    async stop() {
      // Open event streams end first: they would hold the server open.
      services.notificationStreams.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await worker.stop();
      await matcher.stop();
      await services.webhooks.stop();
      await epcisReports.stop();
      await services.selfAudit.stop();
      await fanOut?.stop();
      await services.captures.idle();
      await services.recordChecks.close();
      chain.destroy();
      await close();
    },
  };
}

/**
 * Admits the operator organisation on a new database. Instances started together on one race to do
 * it (the same operator key, so one transaction or row wins): the loser finds it admitted on a retry.
 */
async function ensureOperatorOrganization(db: Db, chain: HubChain): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await db.organization.findUnique({ where: { id: OPERATOR_ORG_ID } })) return;
    try {
      await admitOrganization(db, chain, { id: OPERATOR_ORG_ID, name: "Hub operator", roles: ["OPERATOR"], publicKey: chain.operator.signingKey.publicKey });
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}
