import { randomBytes } from "node:crypto";
import type { Router } from "express";
import type { HubParts } from "../../app";
import type { ProofService } from "../../anchoring/proofs";
import { PageAssets } from "./assets";
import { provenancePageRoutes } from "./routes";
import { ScanCounter } from "./scans";
import { StoryService } from "./story";

export { ProductIndexer } from "./indexer";

/** The consumer's provenance page, wired from the hub's parts (see routes.ts for what it serves). */
export function provenancePage(parts: HubParts, proofs: ProofService): Router {
  const { db, provider, chain, config, chainId } = parts;
  const publicRpcUrl = config.PUBLIC_RPC_URL ?? config.RPC_URL;
  const stories = new StoryService({
    db,
    provider,
    proofs,
    chain: { provider: chain.provider, chainId, ...chain.contracts, fromBlock: chain.fromBlock },
    publicUrl: config.PUBLIC_URL,
    publicRpcUrl,
    ...(config.EXPLORER_TX_URL ? { explorerTxUrl: config.EXPLORER_TX_URL } : {}),
    storyMaxAgeMs: config.PAGE_CACHE_MS,
  });
  const scans = new ScanCounter(db, provider, {
    // Without a configured key, places are comparable within this process only (fine for tests).
    placeKey: config.SCAN_PLACE_KEY ?? randomBytes(32).toString("hex"),
    warnScansAfterSold: config.SCAN_WARN_SCANS_AFTER_SOLD,
    warnPlacesAfterSold: config.SCAN_WARN_PLACES_AFTER_SOLD,
  });
  return provenancePageRoutes({ stories, scans, assets: new PageAssets(), publicRpcUrl });
}
