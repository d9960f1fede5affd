/**
 * The IATA ONE Record API (2.x) beside the native /v1 one: every route the ONE Record surface
 * serves is mounted here, and its errors are answered as api:Error (server/one-record/errors.ts).
 */
import { Router, type RequestHandler } from "express";
import type { AccessLogWriter } from "../access-log/writer";
import { loggedAccess, readLine } from "../access-log/logged";
import { callerOf } from "../auth/caller";
import type { ProofService } from "../anchoring/proofs";
import { LD_JSON, oneRecordErrors } from "./errors";
import { createObject, objectIdParam, readObject, readOptions, typeIri, type ObjectStore } from "./objects";
import { serverInformation } from "./server-information";
import { formatQueryDateTime } from "../../sdk/one-record/date-time";
import { eventRoutes } from "./event-routes";
import { requestRoutes } from "./request-routes";
import { remoteSubscriptionRoutes } from "./remote-subscriptions";
import type { WatchCache } from "../notifications/subscriptions";

export interface OneRecordDeps extends ObjectStore {
  auth: RequestHandler;
  accessLog: AccessLogWriter;
  proofs: ProofService;
  /** Logistics events and subscriptions (event-routes.ts): the subscription watch cache, and whether webhooks may call private addresses. */
  watches: WatchCache;
  allowPrivate: boolean;
}

export function oneRecordRoutes(deps: OneRecordDeps): Router {
  const { db, auth, accessLog, iris } = deps;
  const router = Router();

  // Discovery, as in the specification; it names no party's data, so it needs no token.
  router.get("/", (_req, res) => {
    res.type(LD_JSON).send(JSON.stringify(serverInformation(iris)));
  });

  router.post("/logistics-objects", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const created = await createObject(deps, orgId, req);
    res.status(201).location(iris.object(created.id)).set("Type", typeIri(created.objectType)).end();
  });

  router.get("/logistics-objects/:id", auth, async (req, res) => {
    const caller = callerOf(req);
    const orgId = caller.orgId;
    const opts = readOptions(req.query);
    const id = objectIdParam(req.params.id);
    const revision = await loggedAccess(
      accessLog,
      db,
      { actor: orgId, action: "READ", recordId: id, detail: opts.at ? `one-record at ${opts.at.toISOString()}` : "one-record" },
      () => readObject(deps, caller, id, opts),
      (r) => ({ owner: r.holder, version: r.record.version }),
    );
    if (revision.embedded.length > 0) await accessLog.append(...revision.embedded.map((e) => readLine(orgId, e, `one-record embedded in ${id}`)));
    const version = revision.record.version;
    res
      .set({
        Type: typeIri(String(revision.record.body.objectType)),
        Revision: String(version),
        "Latest-Revision": String(revision.latestRevision),
        "Last-Modified": revision.lastModified.toUTCString(),
        // A historical read names itself with its time (the specification's Example E1).
        ...(opts.at ? { Location: `${iris.object(id)}?at=${formatQueryDateTime(opts.at)}` } : {}),
        // Beyond the standard: the signed record of this revision and its inclusion proof.
        Link: [
          `</v1/records/${id}?version=${version}>; rel="describedby"`,
          `</v1/records/${id}/proof?version=${version}>; rel="https://cargoproof.dev/rel/proof"`,
        ].join(", "),
      })
      .type(LD_JSON)
      .send(JSON.stringify(revision.json));
  });

  router.use(eventRoutes(deps));
  router.use(requestRoutes(deps));
  // Server to server: the hub subscribes to other ONE Record servers' objects for its members.
  router.use(remoteSubscriptionRoutes(deps));
  router.use(oneRecordErrors(iris));
  return router;
}
