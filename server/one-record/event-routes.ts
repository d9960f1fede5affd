/**
 * ONE Record logistics events (`/logistics-objects/{id}/logistics-events`) and subscriptions
 * (`/subscriptions`), mounted by oneRecordRoutes. Every read and denial goes to the access log;
 * a party that may not read an object gets the same 404 as for one that does not exist.
 */
import { Router, type RequestHandler } from "express";
import { SUBSCRIPTION_TYPE_IRI, subscribe, subscriptionInformation, subscriptionJson, CALLBACK_SECRET_HEADER } from "./subscriptions";
import { EVENT_TYPE_IRI, appendEvent, eventCollection, eventQueryOf, listEvents, readEvent, readableObject } from "./events";
import { LD_JSON } from "./errors";
import { objectIdParam, type ObjectStore } from "./objects";
import { loggedAccess, readLine } from "../access-log/logged";
import type { AccessLogWriter } from "../access-log/writer";
import { callerOf } from "../auth/caller";
import { notFound } from "../http/problem";
import { ONE_RECORD_FORMAT, deleteSubscription, ownSubscription, type WatchCache } from "../notifications/subscriptions";

export interface EventRouteDeps extends ObjectStore {
  auth: RequestHandler;
  accessLog: AccessLogWriter;
  /** The subscription watch cache and whether webhooks may call private addresses (server/notifications). */
  watches: WatchCache;
  allowPrivate: boolean;
}

/** A subscription id from the path: anything malformed is the same 404 as an unknown one. */
const subscriptionIdParam = (raw: unknown): string => {
  if (typeof raw !== "string" || !/^[0-9a-f-]{36}$/.test(raw)) throw notFound();
  return raw;
};

export function eventRoutes(deps: EventRouteDeps): Router {
  const { db, provider, auth, accessLog, iris } = deps;
  const router = Router();

  router.post("/logistics-objects/:id/logistics-events", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const objectId = objectIdParam(req.params.id);
    // Posting needs read access to the object: a denial is logged like any refused read.
    await loggedAccess(
      accessLog,
      db,
      { actor: orgId, action: "READ", recordId: objectId, detail: "one-record append event" },
      () => readableObject(deps, orgId, objectId),
      () => undefined,
    );
    const { eventId } = await appendEvent(deps, orgId, objectId, req);
    res.status(201).location(iris.event(objectId, eventId)).set("Type", EVENT_TYPE_IRI).end();
  });

  router.get("/logistics-objects/:id/logistics-events", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const objectId = objectIdParam(req.params.id);
    const header = await loggedAccess(
      accessLog,
      db,
      { actor: orgId, action: "READ", recordId: objectId, detail: "one-record logistics-events" },
      () => readableObject(deps, orgId, objectId),
      () => undefined,
    );
    const q = eventQueryOf(req.query);
    const page = await listEvents(deps, objectId, q);
    // Each event listed is a read of that event's record.
    const at = new Date().toISOString();
    await accessLog.append(
      readLine(orgId, { id: objectId, version: null, owner: header.owner }, `one-record logistics-events (${page.events.length} of ${page.total})`, at),
      ...page.events.map((e) => readLine(orgId, { id: e.eventId, version: 1, owner: e.poster }, `one-record event of ${objectId}`, at)),
    );
    res.type(LD_JSON).send(JSON.stringify(eventCollection(deps, objectId, page)));
  });

  router.get("/logistics-objects/:id/logistics-events/:eventId", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const objectId = objectIdParam(req.params.id);
    const eventId = objectIdParam(req.params.eventId);
    const event = await loggedAccess(
      accessLog,
      db,
      { actor: orgId, action: "READ", recordId: eventId, detail: `one-record event of ${objectId}` },
      () => readEvent(deps, orgId, objectId, eventId),
      (e) => ({ owner: e.poster, version: 1 }),
    );
    res
      .set({
        Type: EVENT_TYPE_IRI,
        "Last-Modified": event.storedAt.toUTCString(),
        Link: [
          `</v1/records/${eventId}?version=1>; rel="describedby"`,
          `</v1/records/${eventId}/proof?version=1>; rel="https://cargoproof.dev/rel/proof"`,
        ].join(", "),
      })
      .type(LD_JSON)
      .send(JSON.stringify(event.json));
  });

  router.post("/subscriptions", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const { row, secret } = await subscribe(deps, orgId, req);
    res.status(201).location(iris.subscription(row.id)).set("Type", SUBSCRIPTION_TYPE_IRI);
    if (secret) res.set(CALLBACK_SECRET_HEADER, secret);
    res.end();
  });

  router.get("/subscriptions", auth, async (req, res) => {
    const json = await subscriptionInformation(deps, callerOf(req).orgId, req.query);
    res.type(LD_JSON).send(JSON.stringify(json));
  });

  router.get("/subscriptions/:id", auth, async (req, res) => {
    const sub = await ownSubscription(db, provider, callerOf(req).orgId, subscriptionIdParam(req.params.id));
    if (sub.format !== ONE_RECORD_FORMAT) throw notFound(); // a /v1 subscription has no api:Subscription form
    res.type(LD_JSON).send(JSON.stringify(subscriptionJson(iris, sub)));
  });

  router.delete("/subscriptions/:id", auth, async (req, res) => {
    await deleteSubscription(deps, callerOf(req).orgId, subscriptionIdParam(req.params.id));
    res.status(204).end();
  });

  return router;
}
