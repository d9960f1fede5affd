import { Router, type RequestHandler } from "express";
import type { Db, DbProvider } from "../db/client";
import { callerOf } from "../auth/caller";
import { HttpProblem, fromZod, notFound } from "../http/problem";
import type { ProofService } from "../anchoring/proofs";
import type { AccessLogWriter } from "../access-log/writer";
import { deniedLookup, loggedAccess } from "../access-log/logged";
import { readableRecord } from "./access";
import { grantAccess, listGrants, revokeAccess } from "./grants";
import type { RecordObserver } from "./observers";
import type { RecordChecks } from "./check-pool";
import { AccessRequestDecisionSchema, AccessRequestQuerySchema, CreateAccessRequestSchema, GrantRequestSchema, PublishBatchSchema } from "../../sdk/api";
import { decideAccessRequest, getAccessRequest, listAccessRequests, requestAccess, revokeAccessRequest } from "./access-requests";
import { RecordIdSchema } from "../../sdk/envelope";
import { getRecord, publishRecords, readableVersion } from "./service";

/** A malformed id cannot name a record: answer as for any record the caller cannot see. */
function recordParam(raw: unknown): string {
  const id = RecordIdSchema.safeParse(raw);
  if (!id.success) throw notFound();
  return id.data;
}

export interface RecordRouteDeps {
  db: Db;
  provider: DbProvider;
  proofs: ProofService;
  auth: RequestHandler;
  accessLog: AccessLogWriter;
  observers: readonly RecordObserver[];
  checks: RecordChecks;
}

/**
 * Publishing, reading, proofs and grants of records (`/v1/records`), and access requests
 * (`/v1/access-requests`). Every read, grant, decision, revocation and denial goes to the access log
 * before the answer is sent.
 */
export function recordRoutes({ db, provider, proofs, auth, accessLog, observers, checks }: RecordRouteDeps): Router {
  const router = Router();

  router.post("/v1/records", auth, async (req, res) => {
    const [published] = await publishRecords(db, provider, callerOf(req).orgId, [req.body], true, observers, { checks });
    res.status(201).location(`/v1/records/${published!.id}?version=${published!.version}`).json(published);
  });

  router.post("/v1/records/batch", auth, async (req, res) => {
    const parsed = PublishBatchSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-batch", "Expected { records: [...] } with 1 to 1000 records.", parsed.error);
    res.status(201).json({ records: await publishRecords(db, provider, callerOf(req).orgId, parsed.data.records, false, observers, { checks }) });
  });

  router.get("/v1/records/:id", auth, async (req, res) => {
    const caller = callerOf(req);
    const recordId = recordParam(req.params.id);
    const stored = await loggedAccess(
      accessLog,
      db,
      { actor: caller.orgId, action: "READ", recordId },
      () => getRecord(db, caller, recordId, req.query.version),
      (s) => ({ owner: s.record.owner, version: s.record.version }),
    );
    res.json(stored);
  });

  router.get("/v1/records/:id/proof", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const recordId = recordParam(req.params.id);
    const version = await loggedAccess(
      accessLog,
      db,
      { actor: orgId, action: "READ_PROOF", recordId },
      () => readableVersion(db, orgId, recordId, req.query.version),
      (v) => ({ owner: v.owner, version: v.version }),
    );
    res.json(await proofs.proofOf(version.digest));
  });

  router.get("/v1/records/:id/grants", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const recordId = recordParam(req.params.id);
    const grants = await loggedAccess(
      accessLog,
      db,
      { actor: orgId, action: "LIST_GRANTS", recordId },
      () => listGrants(db, orgId, recordId),
      () => ({ owner: orgId }),
    );
    res.json({ grants });
  });

  router.post("/v1/records/:id/grants", auth, async (req, res) => {
    const recordId = recordParam(req.params.id);
    const orgId = callerOf(req).orgId;
    // 404 before validation: a bad body must not reveal existence.
    await loggedAccess(
      accessLog,
      db,
      { actor: orgId, action: "GRANT", recordId },
      () => readableRecord(db, orgId, recordId),
      () => undefined,
    );
    const parsed = GrantRequestSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-grant", 'Expected { grantee, expiresAt?, scope?: "object" | "linked", fields?: [names] }.', parsed.error);
    const { grantee, scope, fields } = parsed.data;
    const grant = await loggedAccess(
      accessLog,
      db,
      {
        actor: orgId,
        action: "GRANT",
        recordId,
        detail: `to ${grantee}${scope === "linked" ? " (linked)" : ""}${fields ? ` (fields ${fields.join(", ")})` : ""}`,
      },
      () => grantAccess(db, orgId, recordId, parsed.data),
      () => ({ owner: orgId }),
    );
    res.status(201).json(grant);
  });

  router.delete("/v1/records/:id/grants/:grantee", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const recordId = recordParam(req.params.id);
    const grantee = String(req.params.grantee);
    await loggedAccess(
      accessLog,
      db,
      { actor: orgId, action: "REVOKE_GRANT", recordId, detail: `from ${grantee}` },
      () => revokeAccess(db, accessLog, orgId, recordId, grantee),
      () => ({ owner: orgId }),
    );
    res.status(204).end();
  });

  router.post("/v1/access-requests", auth, async (req, res) => {
    const parsed = CreateAccessRequestSchema.safeParse(req.body);
    if (!parsed.success)
      throw fromZod("invalid-access-request", 'Expected { recordIds, scope?: "object" | "linked", requestedFor?, description?, expiresAt? }.', parsed.error);
    const request = await requestAccess(db, provider, accessLog, { requestedBy: callerOf(req).orgId, ...parsed.data });
    res.status(201).location(`/v1/access-requests/${request.id}`).json(request);
  });

  router.get("/v1/access-requests", auth, async (req, res) => {
    const parsed = AccessRequestQuerySchema.safeParse(req.query);
    if (!parsed.success) throw fromZod("invalid-query", "Expected ?as=owner|requester&status=&limit=.", parsed.error);
    res.json({ accessRequests: await listAccessRequests(db, callerOf(req).orgId, parsed.data) });
  });

  router.get("/v1/access-requests/:id", auth, async (req, res) => {
    const orgId = callerOf(req).orgId;
    const requestId = String(req.params.id);
    try {
      res.json(await getAccessRequest(db, orgId, requestId));
    } catch (err) {
      if (err instanceof HttpProblem && err.status === 404) await accessLog.append(deniedLookup(orgId, `access request ${requestId.slice(0, 64)}: READ`));
      throw err;
    }
  });

  router.post("/v1/access-requests/:id/decision", auth, async (req, res) => {
    const parsed = AccessRequestDecisionSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-decision", 'Expected { decision: "ACCEPTED" | "REJECTED" }.', parsed.error);
    res.json(
      await decideAccessRequest(db, provider, accessLog, { orgId: callerOf(req).orgId, requestId: String(req.params.id), decision: parsed.data.decision }),
    );
  });

  router.delete("/v1/access-requests/:id", auth, async (req, res) => {
    res.json(await revokeAccessRequest(db, provider, accessLog, { orgId: callerOf(req).orgId, requestId: String(req.params.id) }));
  });

  return router;
}
