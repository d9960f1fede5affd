import { Router, type RequestHandler } from "express";
import { NotificationQuerySchema } from "../../sdk/api";
import { callerOf } from "../auth/caller";
import type { Db } from "../db/client";
import { fromZod } from "../http/problem";
import { listNotifications } from "./service";

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
