import express from "express";
import { randomUUID } from "node:crypto";
import { storageHealthOf, type Db, type DbProvider } from "./db/client";
import type { HubChain } from "./chain/hub-chain";
import type { Config } from "./config";
import { AccessTokens } from "./auth/access-token";
import { authRoutes, requireOrg } from "./auth/routes";
import { orgRoutes } from "./orgs/routes";
import { recordRoutes } from "./records/routes";
import type { RecordObserver } from "./records/observers";
import { RecordChecks, defaultCheckWorkers } from "./records/check-pool";
import { verifyRoutes } from "./verify/routes";
import { relayRoutes } from "./records/revocation-relay";
import { MemberRelay } from "./chain/relay";
import { ProofService } from "./anchoring/proofs";
import { AccessLogWriter } from "./access-log/writer";
import { accessLogRoutes } from "./access-log/routes";
import { notificationRoutes, subscriptionRoutes } from "./notifications/routes";
import { RecordWatch } from "./notifications/record-watch";
import { NotificationStreams } from "./notifications/sse";
import { WatchCache } from "./notifications/subscriptions";
import { WebhookWorker } from "./notifications/webhook-worker";
import { auditRoutes } from "./audit/routes";
import { SelfAudit } from "./audit/self-audit";
import type { ExportChain } from "./audit/export";
import { notFoundRoute, problemHandler } from "./http/problem";
import { healthRoute } from "./http/health";
import { bodyParsers } from "./http/body";
import { responseHeaders } from "./http/headers";
import { CustomsIndexer } from "./customs/indexer";
import { customsRoutes } from "./customs/routes";
import { GtinOwnership } from "./provenance/gtin-owner";
import { provenanceCodeRoutes } from "./provenance/resolver";
import { ProductIndexer, provenancePage } from "./provenance/page";
import { EpcisIndexer } from "./epcis/indexer";
import { epcisRoutes } from "./epcis/routes";
import { epcisSubscriptionRoutes } from "./epcis/subscriptions-routes";
import { EpcisStreamWatch, epcisWebhookFormat } from "./epcis/subscriptions-delivery";
import { EPCIS_FORMAT, unsubscribeQuery } from "./epcis/subscriptions";
import { CaptureJobs } from "./epcis/capture";
import { MasterDataIndexer, PlaceNames, masterDataRoutes } from "./epcis/master-data";
import { HubAttestations, HubPublisher } from "./records/hub-publisher";
import { OPERATOR_ORG_ID } from "./orgs/service";
import { openApiRoutes } from "./openapi/routes";
import { oneRecordRoutes } from "./one-record/routes";
import { inboundNotificationRoutes } from "./one-record/inbound-notifications";
import { RecordLinks } from "./records/links";
import { CustomsManifestPolicy } from "./one-record/customs-policy";
import { OneRecordIris } from "./one-record/iris";
import { EventLog } from "./one-record/events";
import { ObjectWatch } from "./one-record/object-watch";
import { oneRecordWebhookFormat } from "./one-record/notifications";
import { PublisherAuthority } from "./authority/publisher-authority";
import { credentialRoutes } from "./authority/routes";
import { ConsolidationIndexer } from "./consolidation/observer";
import { consolidationRoutes } from "./consolidation/routes";
import { CustodyIndexer } from "./custody/observer";
import { custodyRoutes } from "./custody/routes";
import { ResolveKeys } from "./resolve/keys";
import { resolveRoutes } from "./resolve/routes";

export interface HubParts {
  db: Db;
  provider: DbProvider;
  chain: HubChain;
  config: Config;
  chainId: number;
  /** The process's identity for leases (hub.ts claims it once); a random one where no hub process runs (tests). */
  instanceId?: string;
}

/** The hub's shared services, built once: what the routes and the background workers use. */
export interface HubServices {
  proofs: ProofService;
  accessLog: AccessLogWriter;
  selfAudit: SelfAudit;
  exportChain: ExportChain;
  observers: RecordObserver[];
  recordChecks: RecordChecks;
  hub: HubPublisher;
  captures: CaptureJobs;
  webhooks: WebhookWorker;
  notificationStreams: NotificationStreams;
  subscriptionWatches: WatchCache;
  authority: PublisherAuthority;
  /** Owners' names of places, and the master data EPCIS queries and subscriptions count. */
  places: PlaceNames;
  /** The hub's ONE Record object IRIs (record id <-> IRI under PUBLIC_URL). */
  iris: OneRecordIris;
}

export function createServices(parts: HubParts, log?: (line: string) => void): HubServices {
  const { db, provider, chain, config, chainId } = parts;
  const instanceId = parts.instanceId ?? config.INSTANCE_ID ?? randomUUID().slice(0, 8);
  const proofs = new ProofService(db, { chainId, anchorRegistry: chain.contracts.anchorRegistry, headBlock: () => chain.provider.getBlockNumber() });
  const exportChain: ExportChain = { chainId, ...chain.contracts, anchorer: chain.anchorer.address };
  const selfAudit = new SelfAudit(db, provider, proofs, chain, exportChain, {
    intervalMs: config.AUDIT_INTERVAL_MS,
    maxAnchorLagS: config.AUDIT_MAX_ANCHOR_LAG_S,
    fromBlock: config.AUDIT_FROM_BLOCK ?? chain.fromBlock,
    instanceId,
    log,
  });
  const accessLog = new AccessLogWriter(db, provider);
  const customs = new CustomsIndexer(accessLog, { deadlineMs: config.CUSTOMS_DOCUMENT_DEADLINE_MS, settleMs: config.CUSTOMS_MATCH_SETTLE_MS });
  const recordChecks = new RecordChecks(config.RECORD_CHECK_WORKERS ?? defaultCheckWorkers());
  const subscriptionWatches = new WatchCache();
  // The link index before the customs manifest policy, which reads it in the same publication.
  const iris = new OneRecordIris(config.PUBLIC_URL);
  const sharing = [new RecordLinks(iris), new CustomsManifestPolicy(config.CUSTOMS_AIRPORTS, iris, accessLog)];
  // Authority first: it refuses, before anything is written, a record whose publisher lacks the credential.
  const authority = new PublisherAuthority(chain.provider, chain.contracts.credentialRegistry, config.CREDENTIAL_CACHE_MS);
  // The record watch last: it sees the grants the other observers made in the same publication.
  const places = new PlaceNames(db, provider, { provider: chain.provider, credentialRegistry: chain.contracts.credentialRegistry }, config.CREDENTIAL_CACHE_MS);
  const observers: RecordObserver[] = [
    new HubAttestations(),
    authority,
    customs,
    new GtinOwnership(),
    new ProductIndexer(),
    new EpcisIndexer(),
    new MasterDataIndexer(),
    ...sharing,
    new EventLog(iris),
    // Before the record watch: the receiver's and hander's custody grants must exist when it notifies.
    new CustodyIndexer(accessLog),
    new ConsolidationIndexer(iris),
    new ResolveKeys(),
    new RecordWatch(accessLog, subscriptionWatches),
    new ObjectWatch(accessLog, subscriptionWatches, iris),
    new EpcisStreamWatch(accessLog, places),
  ];
  const webhooks = new WebhookWorker(db, provider, {
    retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    pollMs: config.WEBHOOK_POLL_MS,
    batchSize: 50,
    instanceId,
    log,
    formats: { "one-record": oneRecordWebhookFormat(db, provider, iris), [EPCIS_FORMAT]: epcisWebhookFormat(db, provider) },
  });
  const notificationStreams = new NotificationStreams(db, provider, {
    pollMs: config.NOTIFICATION_STREAM_POLL_MS,
    heartbeatMs: config.NOTIFICATION_STREAM_HEARTBEAT_MS,
    maxPerOrg: config.NOTIFICATION_STREAMS_PER_ORG,
  });
  // EPCIS capture: events of standard clients become records the hub attests (owner: the operator).
  // Hub attestations for members that write unsigned (EPCIS capture, plain ONE Record clients).
  const hub = new HubPublisher(db, provider, OPERATOR_ORG_ID, config.OPERATOR_PRIVATE_KEY, observers, recordChecks);
  const captures = new CaptureJobs(db, provider, hub);
  return {
    proofs,
    accessLog,
    selfAudit,
    exportChain,
    observers,
    recordChecks,
    hub,
    captures,
    webhooks,
    notificationStreams,
    subscriptionWatches,
    authority,
    places,
    iris,
  };
}

/** Assembles the hub's HTTP API: every route the hub serves is mounted here. */
export function createApp(parts: HubParts, services: HubServices): express.Express {
  const { db, provider, chain, config } = parts;
  const { proofs, accessLog, observers } = services;
  const tokens = new AccessTokens(config.TOKEN_SECRET, config.PUBLIC_URL, config.ACCESS_TOKEN_TTL_S);
  const auth = requireOrg(db, tokens);

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(responseHeaders());
  // ONE Record's inbound /notifications reads its raw body (its signature is over the bytes): before the parsers.
  app.use(inboundNotificationRoutes({ db, provider, hub: services.hub, iris: services.iris, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE }));
  app.use(bodyParsers());

  app.get("/health", healthRoute(storageHealthOf(db)));
  // Where the hub anchors: verifiers should still compare these with addresses they trust.
  app.get("/v1/chain", (_req, res) => {
    res.json({ chainId: parts.chainId, ...chain.contracts, fromBlock: chain.fromBlock });
  });
  app.use(authRoutes(db, tokens, config.PUBLIC_URL));
  app.use(orgRoutes(db, chain, auth, services.authority));
  app.use(credentialRoutes(db, chain, auth, services.authority));
  app.use(recordRoutes({ db, provider, proofs, auth, accessLog, observers, checks: services.recordChecks }));
  app.use(
    subscriptionRoutes({
      db,
      provider,
      auth,
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      watches: services.subscriptionWatches,
      webhooks: services.webhooks,
      streams: services.notificationStreams,
    }),
  );
  app.use(notificationRoutes(db, auth));
  app.use(accessLogRoutes(db, provider, auth));
  app.use(
    auditRoutes({
      db,
      provider,
      proofs,
      chain: services.exportChain,
      latestBlock: () => chain.provider.getBlockNumber(),
      auth,
      accessLog,
      selfAudit: services.selfAudit,
      metricsToken: config.METRICS_TOKEN,
    }),
  );
  const quota = {
    matchKey: config.CUSTOMS_MATCH_KEY,
    perMinute: config.CUSTOMS_QUOTA_CHECK_PER_MIN,
    ...(config.CUSTOMS_MATCH_RULES ? { rules: config.CUSTOMS_MATCH_RULES } : {}),
  };
  const cebDirectory = config.CUSTOMS_CEB_DIRECTORY ?? { enterprises: {}, customsAreas: {} };
  app.use(customsRoutes({ db, provider, proofs, chain, accessLog, auth, quota, cebDirectory }));
  app.use(custodyRoutes({ db, provider, auth, accessLog }));
  app.use(consolidationRoutes({ db, provider, auth, accessLog }));
  app.use(resolveRoutes({ db, provider, auth, accessLog, proofs, iris: services.iris, pageSize: config.RESOLVE_PAGE_SIZE }));
  const { places } = services;
  const epcisSubscriptions = {
    db,
    provider,
    auth,
    accessLog,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    watches: services.subscriptionWatches,
    masterData: places,
  };
  app.use(
    epcisRoutes({
      db,
      provider,
      auth,
      captures: services.captures,
      accessLog,
      masterData: places,
      onQueryDeleted: (owner, name) => unsubscribeQuery(epcisSubscriptions, owner, name),
    }),
  );
  app.use(epcisSubscriptionRoutes(epcisSubscriptions));
  app.use(masterDataRoutes({ db, provider, auth, places }));
  app.use(
    oneRecordRoutes({
      db,
      provider,
      observers,
      checks: services.recordChecks,
      hub: services.hub,
      iris: services.iris,
      auth,
      accessLog,
      proofs,
      watches: services.subscriptionWatches,
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    }),
  );
  app.use(verifyRoutes(db, chain, { perMinute: config.VERIFY_RATE_PER_MIN, chainTimeoutMs: config.VERIFY_CHAIN_TIMEOUT_MS }));
  app.use(relayRoutes(new MemberRelay(chain), auth, services.authority));
  // The Digital Link resolver first: a plain browser scan falls through to the page router after it.
  app.use(provenanceCodeRoutes({ db, provider, publicUrl: config.PUBLIC_URL, auth }));
  // The consumer's provenance page at the code URI, its story JSON and assets (public).
  app.use(provenancePage(parts, proofs));
  // The API's own description (/openapi.json) and its documentation page (/docs).
  app.use(openApiRoutes(config.PUBLIC_URL));
  app.use(notFoundRoute);
  app.use(problemHandler);
  return app;
}
