/**
 * The ONE Record routes of requests: change requests (PATCH of an object), verification requests
 * (POST to an object), the audit trail, access delegations and action requests. Mounted by oneRecordRoutes (server/one-record/routes.ts).
 */
import { Router, type RequestHandler } from "express";
import { API } from "../../sdk/one-record/vocabulary";
import { loggedAccess } from "../access-log/logged";
import { callerOf } from "../auth/caller";
import { readableRecord } from "../records/access";
import { notFound } from "../http/problem";
import { requestDelegation } from "./access-delegations";
import { actionRequestIdParam, changeStatus, findRequest, renderRequest, revokeRequest } from "./action-requests";
import { auditTrail, auditTrailQuery } from "./audit-trail";
import { requestChange, type ChangeDeps, type ObjectHeader } from "./changes";
import { LD_JSON } from "./errors";
import { heldHeader, objectIdParam } from "./objects";
import { requestVerification } from "./verification-requests";

export interface RequestRouteDeps extends ChangeDeps {
  auth: RequestHandler;
}

export function requestRoutes(deps: RequestRouteDeps): Router {
  const { db, auth, accessLog, iris } = deps;
  const router = Router();

  /** The object's header if the caller may read it (logged as a read, or a denial), else 404. */
  const readableObject = (orgId: string, id: string, detail: string): Promise<ObjectHeader> =>
    loggedAccess(
      accessLog,
      db,
      { actor: orgId, action: "READ", recordId: id, detail },
      async () => {
        const header = await readableRecord(db, orgId, id);
        if (header.type !== "LogisticsObject") throw notFound();
        return heldHeader(deps, header); // owner: the data holder, who decides changes
      },
      (h) => ({ owner: h.owner, version: h.latestVersion }),
    );

  router.patch("/logistics-objects/:id", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const object = await readableObject(orgId, objectIdParam(req.params.id), "one-record change request");
    const { id } = await requestChange(deps, orgId, object, req);
    res
      .status(201)
      .location(iris.actionRequest(id))
      .set("Type", API + "ChangeRequest")
      .end();
  });

  // verifyLogisticsObject: only a party that may read the object asks (else the 404 of a missing one).
  router.post("/logistics-objects/:id", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const object = await readableObject(orgId, objectIdParam(req.params.id), "one-record verification request");
    const { id } = await requestVerification(deps, orgId, object, req);
    res
      .status(201)
      .location(iris.actionRequest(id))
      .set("Type", API + "VerificationRequest")
      .end();
  });

  router.get("/logistics-objects/:id/audit-trail", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const id = objectIdParam(req.params.id);
    const object = await readableObject(orgId, id, "one-record audit trail");
    const trail = await auditTrail(deps, orgId, object, auditTrailQuery(req.query));
    res.type(LD_JSON).send(JSON.stringify(trail));
  });

  router.post("/access-delegations", auth, async (req, res) => {
    const views = await requestDelegation(deps, callerOf(req).orgId, req);
    const locations = views.map((v) => iris.actionRequest(v.id));
    // One access request per party asked for: Location names the first, Link all of them.
    res
      .status(201)
      .location(locations[0]!)
      .set({ Type: API + "AccessDelegationRequest", Link: locations.map((i) => `<${i}>; rel="related"`).join(", ") })
      .end();
  });

  router.get("/action-requests/:id", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const id = actionRequestIdParam(req.params.id);
    const found = await findRequest(deps, orgId, id, "GET");
    const rendered = await renderRequest(deps, found);
    await accessLog.append({ at: new Date().toISOString(), actor: orgId, action: "READ", ...rendered.logged, detail: `one-record action request ${id}` });
    res
      .set({ Type: rendered.type, "Last-Modified": rendered.lastModified.toUTCString(), ...(rendered.link ? { Link: rendered.link } : {}) })
      .type(LD_JSON)
      .send(JSON.stringify(rendered.json));
  });

  router.patch("/action-requests/:id", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const id = actionRequestIdParam(req.params.id);
    const found = await findRequest(deps, orgId, id, "PATCH");
    await changeStatus(deps, orgId, found, req.query.status, req);
    const type = { change: "ChangeRequest", verification: "VerificationRequest", delegation: "AccessDelegationRequest" }[found.kind];
    res
      .status(204)
      .set("Type", API + type)
      .end();
  });

  router.delete("/action-requests/:id", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const id = actionRequestIdParam(req.params.id);
    await revokeRequest(deps, orgId, await findRequest(deps, orgId, id, "DELETE"));
    res.status(204).end();
  });

  return router;
}
