import type { Server } from "node:http";
import { randomUUID } from "node:crypto";
import { keccakReady } from "../sdk/bytes";
import { openDatabase } from "./db/client";
import { migrate } from "./db/migrate";
import { HubChain } from "./chain/hub-chain";
import type { Config } from "./config";
import { createApp } from "./app";
import { AnchoringWorker } from "./anchoring/worker";
import { admitOrganization } from "./orgs/service";

export const OPERATOR_ORG_ID = "operator";

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
  const { db, provider, close } = openDatabase(config.DATABASE_URL);
  const chain = new HubChain({
    rpcUrl: config.RPC_URL,
    operatorKey: config.OPERATOR_PRIVATE_KEY,
    anchorerKey: config.ANCHORER_PRIVATE_KEY,
    participantRegistry: config.PARTICIPANT_REGISTRY,
    anchorRegistry: config.ANCHOR_REGISTRY,
  });
  const chainId = Number((await chain.provider.getNetwork()).chainId);

  if (!(await db.organization.findUnique({ where: { id: OPERATOR_ORG_ID } }))) {
    await admitOrganization(db, chain, {
      id: OPERATOR_ORG_ID,
      name: "Hub operator",
      roles: ["OPERATOR"],
      publicKey: chain.operator.signingKey.publicKey,
    });
  }

  const worker = new AnchoringWorker(db, chain, {
    batchSize: config.ANCHOR_BATCH_SIZE,
    maxAgeMs: config.ANCHOR_MAX_AGE_MS,
    pollMs: config.ANCHOR_POLL_MS,
    leaseMs: config.ANCHOR_LEASE_MS,
    instanceId: config.INSTANCE_ID ?? randomUUID().slice(0, 8),
    log,
  });
  if (config.ANCHOR_WORKER === "on") worker.start();

  const app = createApp({ db, provider, chain, config, chainId });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.on("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  return {
    url: `http://${config.HOST}:${port}`,
    port,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await worker.stop();
      chain.destroy();
      await close();
    },
  };
}
