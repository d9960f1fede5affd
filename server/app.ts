import express from "express";
import type { Db, DbProvider } from "./db/client";
import type { HubChain } from "./chain/hub-chain";
import type { Config } from "./config";
import { AccessTokens } from "./auth/access-token";
import { authRoutes, requireOrg } from "./auth/routes";
import { orgRoutes } from "./orgs/routes";
import { recordRoutes } from "./records/routes";
import { verifyRoutes } from "./verify/routes";
import { ProofService } from "./anchoring/proofs";
import { notFoundRoute, problemHandler } from "./http/problem";

/** Assembles the hub's HTTP API: every route the hub serves is mounted here. */
export function createApp(deps: { db: Db; provider: DbProvider; chain: HubChain; config: Config; chainId: number }): express.Express {
  const { db, chain, config } = deps;
  const tokens = new AccessTokens(config.TOKEN_SECRET, config.PUBLIC_URL, config.ACCESS_TOKEN_TTL_S);
  const auth = requireOrg(db, tokens);
  const proofs = new ProofService(db, { chainId: deps.chainId, anchorRegistry: chain.contracts.anchorRegistry });

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(express.json({ limit: "5mb", type: ["application/json", "application/*+json"] }));
  app.use(express.urlencoded({ extended: false, limit: "100kb" }));

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  // Where the hub anchors: verifiers should still compare these with addresses they trust.
  app.get("/v1/chain", (_req, res) => {
    res.json({ chainId: deps.chainId, ...chain.contracts });
  });
  app.use(authRoutes(db, tokens, config.PUBLIC_URL));
  app.use(orgRoutes(db, chain, auth));
  app.use(recordRoutes(db, deps.provider, proofs, auth));
  app.use(verifyRoutes(chain, config.VERIFY_RATE_PER_MIN));
  app.use(notFoundRoute);
  app.use(problemHandler);
  return app;
}
