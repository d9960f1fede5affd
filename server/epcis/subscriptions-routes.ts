import { Router, type RequestHandler } from "express";
import type { AccessLogWriter } from "../access-log/writer";
import { callerOf } from "../auth/caller";
import { HttpProblem } from "../http/problem";
import type { SubscriptionDeps } from "../notifications/subscriptions";
import type { MasterDataSource } from "./query";
import { streamBackfill } from "./subscriptions-delivery";
import { epcisSubscriptionView, listEpcisSubscriptions, subscribe, unsubscribe } from "./subscriptions";

export interface EpcisSubscriptionRouteDeps extends SubscriptionDeps {
  auth: RequestHandler;
  accessLog: AccessLogWriter;
  /** What a stream's first report counts as master data: the source GET /events uses. */
  masterData: MasterDataSource;
}

/**
 * The REST binding's query subscriptions under /epcis/queries/{queryName}/subscriptions: the
 * caller's own, to its own named queries (another organisation's query or subscription is the 404
 * of one that does not exist). Mounted after epcisRoutes, whose /epcis middleware sets the GS1 headers.
 */
export function epcisSubscriptionRoutes(deps: EpcisSubscriptionRouteDeps): Router {
  const { db, provider, auth } = deps;
  const router = Router();
  const backfill = streamBackfill(provider, deps.accessLog, deps.masterData);

  router.post("/epcis/queries/:name/subscriptions", auth, async (req, res) => {
    if (!req.is(["application/json", "application/ld+json"]))
      throw new HttpProblem(415, "unsupported-media-type", "Unsupported media type", "Send the subscription as application/json.");
    const name = String(req.params.name);
    const view = await subscribe({ ...deps, backfill }, callerOf(req).orgId, name, req.body);
    res
      .status(201)
      .location(`/epcis/queries/${encodeURIComponent(name)}/subscriptions/${view.subscriptionID}`)
      .json(view);
  });

  router.get("/epcis/queries/:name/subscriptions", auth, async (req, res) => {
    res.json(await listEpcisSubscriptions(db, provider, callerOf(req).orgId, String(req.params.name)));
  });

  router.get("/epcis/queries/:name/subscriptions/:subscriptionID", auth, async (req, res) => {
    res.json(await epcisSubscriptionView(db, provider, callerOf(req).orgId, String(req.params.name), String(req.params.subscriptionID)));
  });

  router.delete("/epcis/queries/:name/subscriptions/:subscriptionID", auth, async (req, res) => {
    await unsubscribe(deps, callerOf(req).orgId, String(req.params.name), String(req.params.subscriptionID));
    res.status(204).end();
  });

  return router;
}
