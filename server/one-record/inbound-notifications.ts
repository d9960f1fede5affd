/**
 * The inbound ONE Record notifications endpoint (POST /notifications, the subscriber's role: the
 * callback another ONE Record server posts api:Notifications to), for the subscriptions this hub
 * made on other servers for its members (remote-subscriptions.ts).
 *
 * Authentication: the ONE Record specification leaves it to the servers; here a notification is
 * accepted only for a remote subscription of this hub (`?subscription=` of the callback URL the hub
 * gave) and only when signed with that subscription's callback secret (Cargoproof-Signature over the
 * raw body, with a timestamp within five minutes: sdk/webhook.ts), which the hub generated and gave
 * only to the server it subscribed on. Anything else is one and the same 401, costing the same HMAC,
 * whether the subscription exists or not, and stores nothing; so is one for a subscription the member
 * ended (DELETE /remote-subscriptions/{id}: its row and secret are gone). The route reads the raw body itself
 * (mounted before the shared JSON parser: the signature is over the bytes).
 */
import { createHash, randomUUID } from "node:crypto";
import express, { Router } from "express";
import { z } from "zod";
import { API_SCHEMAS, apiClassOf, apiObjectOf } from "../../sdk/one-record/api-objects";
import { JsonLdFormError, type JsonObject } from "../../sdk/one-record/jsonld";
import { API } from "../../sdk/one-record/vocabulary";
import { JsonShapeError, checkJsonShape } from "../../sdk/json-shape";
import { DELIVERY_HEADER, verifyWebhookSignature } from "../../sdk/webhook";
import { execute } from "../db/sql";
import { HttpProblem, badRequest } from "../http/problem";
import { oneRecordErrors } from "./errors";
import { refreshCopy, remoteSubscriptionById, type RemoteDeps } from "./remote-subscriptions";

/** Verified against when the subscription is unknown, so that a refusal costs what one of a known subscription does. */
const UNKNOWN_SECRET = `whsec_${randomUUID()}`;
const MAX_NOTIFICATION_BYTES = "1mb";

const unauthenticated = () =>
  new HttpProblem(
    401,
    "unauthenticated-notification",
    "Not authenticated",
    "A notification is accepted only for a subscription of this hub, signed with its callback secret.",
    undefined,
    {
      "WWW-Authenticate": 'Cargoproof-Signature realm="cargoproof"',
    },
  );
const invalid = (message: string, property: string) =>
  badRequest("invalid-notification", `The notification is not valid: ${message}.`, [{ path: property, message }]);

/** The api:Notification of a body: its event type and the object it is about; 400 naming the property. */
function notificationOf(raw: Buffer): { eventType: string; objectIri: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
    checkJsonShape(json);
  } catch (err) {
    if (err instanceof JsonShapeError) throw invalid(err.reason, err.path);
    throw invalid("not JSON", "");
  }
  let node: JsonObject;
  try {
    node = apiObjectOf(json);
  } catch (err) {
    if (err instanceof JsonLdFormError) throw invalid(err.message, err.path);
    throw err;
  }
  if (apiClassOf(node) !== "Notification") throw invalid("expected api:Notification", "@type");
  const parsed = API_SCHEMAS.Notification.safeParse(node);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? "");
    throw invalid(issue.message, key.startsWith("@") || key.includes(":") ? key : `${API}${key}`);
  }
  const objectIri = parsed.data.hasLogisticsObject["@id"];
  if (objectIri === undefined) throw invalid("the object has no @id", `${API}hasLogisticsObject`);
  return { eventType: parsed.data.hasEventType["@id"].replace(/^api:/, "").replace(API, ""), objectIri };
}

const DeliveryId = z.string().regex(/^[\x21-\x7e]{1,200}$/);

/** POST /notifications, before the shared body parsers (app.ts). */
export function inboundNotificationRoutes(deps: RemoteDeps): Router {
  const router = Router();
  router.post("/notifications", express.raw({ type: () => true, limit: MAX_NOTIFICATION_BYTES }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const id = typeof req.query.subscription === "string" && z.uuid().safeParse(req.query.subscription).success ? req.query.subscription : undefined;
    const sub = id ? await remoteSubscriptionById(deps.db, deps.provider, id) : undefined;
    const genuine = verifyWebhookSignature(sub?.secret ?? UNKNOWN_SECRET, req.headers, raw);
    if (!sub || !genuine) throw unauthenticated();
    if (!req.is(["application/ld+json", "application/json"]))
      throw new HttpProblem(415, "unsupported-media-type", "Unsupported media type", "Send the notification as application/ld+json.");
    const n = notificationOf(raw);
    if (n.objectIri.replace(/[?#].*$/, "") !== sub.topic) throw invalid(`not about the subscribed object ${sub.topic}`, `${API}hasLogisticsObject`);
    const given = DeliveryId.safeParse(req.get(DELIVERY_HEADER) ?? "");
    // A redelivery (the same Cargoproof-Delivery) is accepted again and stored once.
    const deliveryId = given.success ? given.data : `sha256:${createHash("sha256").update(raw).digest("hex")}`;
    const rowId = randomUUID();
    const inserted = await execute(
      deps.db,
      deps.provider,
      // Only while the subscription stands: one ended (unsubscribed) since it was looked up stores nothing.
      `INSERT INTO "RemoteNotification" ("id", "subscriptionId", "deliveryId", "eventType", "objectIri", "body", "copyVersion", "error", "receivedAt") SELECT $1, $2, $3, $4, $5, $6, NULL, NULL, $7 WHERE EXISTS (SELECT 1 FROM "RemoteSubscription" WHERE "id" = $2) ON CONFLICT ("subscriptionId", "deliveryId") DO NOTHING`,
      [rowId, sub.id, deliveryId, n.eventType, n.objectIri, raw.toString("utf8"), new Date()],
    );
    if (inserted > 0) {
      // The object as its server now gives it; a failure is kept with the notification (the next one tries again).
      try {
        const version = await refreshCopy(deps, sub);
        if (version !== undefined)
          await execute(deps.db, deps.provider, `UPDATE "RemoteNotification" SET "copyVersion" = $1 WHERE "id" = $2`, [version, rowId]);
      } catch (err) {
        const message = err instanceof HttpProblem ? (err.detail ?? err.title) : "the copy could not be stored";
        await execute(deps.db, deps.provider, `UPDATE "RemoteNotification" SET "error" = $1 WHERE "id" = $2`, [message.slice(0, 500), rowId]);
      }
    }
    res.status(204).end();
  });
  router.use("/notifications", oneRecordErrors(deps.iris));
  return router;
}
