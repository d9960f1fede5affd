import { Router, type RequestHandler } from "express";
import { CreateSubscriptionSchema, NotificationQuerySchema } from "../../sdk/api";
import { callerOf } from "../auth/caller";
import type { Db } from "../db/client";
import { fromZod } from "../http/problem";
import { listNotifications } from "./service";
import type { NotificationStreams } from "./sse";
import {
  createSubscription,
  deadLetter,
  deleteSubscription,
  listDeadLetters,
  listDeliveries,
  listSubscriptions,
  ownSubscription,
  viewOf,
  type SubscriptionDeps,
} from "./subscriptions";
import type { WebhookWorker } from "./webhook-worker";

/** An organisation's own notification feed: `GET /v1/notifications?after=SEQ&limit=N`. */
export function notificationRoutes(db: Db, auth: RequestHandler): Router {
  const router = Router();
  router.get("/v1/notifications", auth, async (req, res) => {
    const query = NotificationQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod("invalid-query", "after and limit must be non-negative integers (limit 1-1000).", query.error);
    const notifications = await listNotifications(db, callerOf(req).orgId, query.data.after, query.data.limit);
    res.json({ notifications, next: notifications.length > 0 ? notifications[notifications.length - 1]!.seq : query.data.after });
  });
  return router;
}

export interface SubscriptionRouteDeps extends SubscriptionDeps {
  auth: RequestHandler;
  webhooks: WebhookWorker;
  streams: NotificationStreams;
}

/**
 * Subscriptions (`/v1/subscriptions`), their delivery log and dead letters, and the server-sent
 * events stream of the feed. Everything is the subscriber's own: another organisation's subscription
 * is a 404, like one that does not exist.
 */
export function subscriptionRoutes(deps: SubscriptionRouteDeps): Router {
  const { db, provider, auth } = deps;
  const router = Router();
  router.get("/v1/notifications/stream", auth, async (req, res) => {
    await deps.streams.serve(req, res, callerOf(req));
  });
  router.post("/v1/subscriptions", auth, async (req, res) => {
    const input = CreateSubscriptionSchema.safeParse(req.body);
    if (!input.success) throw fromZod("invalid-subscription", "The subscription is not valid.", input.error);
    res.status(201).json(await createSubscription(deps, callerOf(req).orgId, input.data));
  });
  router.get("/v1/subscriptions", auth, async (req, res) => {
    res.json({ subscriptions: await listSubscriptions(db, provider, callerOf(req).orgId) });
  });
  router.get("/v1/subscriptions/:id", auth, async (req, res) => {
    res.json(viewOf(await ownSubscription(db, provider, callerOf(req).orgId, String(req.params.id))));
  });
  router.delete("/v1/subscriptions/:id", auth, async (req, res) => {
    await deleteSubscription(deps, callerOf(req).orgId, String(req.params.id));
    res.status(204).end();
  });
  router.get("/v1/subscriptions/:id/deliveries", auth, async (req, res) => {
    const sub = await ownSubscription(db, provider, callerOf(req).orgId, String(req.params.id));
    const query = NotificationQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod("invalid-query", "after and limit must be non-negative integers (limit 1-1000).", query.error);
    const deliveries = await listDeliveries(db, provider, sub.id, query.data.after, query.data.limit);
    res.json({ deliveries, next: deliveries.length > 0 ? deliveries[deliveries.length - 1]!.seq : query.data.after });
  });
  router.get("/v1/subscriptions/:id/dead-letters", auth, async (req, res) => {
    const sub = await ownSubscription(db, provider, callerOf(req).orgId, String(req.params.id));
    res.json({ deadLetters: await listDeadLetters(db, provider, sub) });
  });
  router.post("/v1/subscriptions/:id/dead-letters/:deadLetterId/redeliver", auth, async (req, res) => {
    const sub = await ownSubscription(db, provider, callerOf(req).orgId, String(req.params.id));
    const letter = await deadLetter(db, provider, sub, String(req.params.deadLetterId));
    const result = await deps.webhooks.redeliver(sub, letter.id, letter.item, letter.attempts);
    res.json({
      delivered: result.ok,
      ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
      ...(result.error ? { error: result.error } : {}),
    });
  });
  return router;
}
