import { Router, type RequestHandler } from "express";
import type { Db, DbProvider } from "../db/client";
import { callerOf } from "../auth/caller";
import { fromZod, notFound } from "../http/problem";
import type { ProofService } from "../anchoring/proofs";
import { readableRecord } from "./access";
import { grantAccess, listGrants, revokeAccess } from "./grants";
import { GrantRequestSchema, PublishBatchSchema } from "../../sdk/api";
import { RecordIdSchema } from "../../sdk/envelope";
import { getRecord, publishRecords, readableVersion } from "./service";

/** A malformed id cannot name a record: answer as for any record the caller cannot see. */
function recordParam(raw: unknown): string {
  const id = RecordIdSchema.safeParse(raw);
  if (!id.success) throw notFound();
  return id.data;
}

/** Publishing, reading, proofs and grants of records: `/v1/records`. */
export function recordRoutes(db: Db, provider: DbProvider, proofs: ProofService, auth: RequestHandler): Router {
  const router = Router();

  router.post("/v1/records", auth, async (req, res) => {
    const [published] = await publishRecords(db, provider, callerOf(req).orgId, [req.body], true);
    res.status(201).location(`/v1/records/${published!.id}?version=${published!.version}`).json(published);
  });

  router.post("/v1/records/batch", auth, async (req, res) => {
    const parsed = PublishBatchSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-batch", "Expected { records: [...] } with 1 to 1000 records.", parsed.error);
    res.status(201).json({ records: await publishRecords(db, provider, callerOf(req).orgId, parsed.data.records, false) });
  });

  router.get("/v1/records/:id", auth, async (req, res) => {
    res.json(await getRecord(db, callerOf(req).orgId, recordParam(req.params.id), req.query.version));
  });

  router.get("/v1/records/:id/proof", auth, async (req, res) => {
    const version = await readableVersion(db, callerOf(req).orgId, recordParam(req.params.id), req.query.version);
    res.json(await proofs.proofOf(version.digest));
  });

  router.get("/v1/records/:id/grants", auth, async (req, res) => {
    res.json({ grants: await listGrants(db, callerOf(req).orgId, recordParam(req.params.id)) });
  });

  router.post("/v1/records/:id/grants", auth, async (req, res) => {
    const id = recordParam(req.params.id);
    const orgId = callerOf(req).orgId;
    await readableRecord(db, orgId, id); // 404 before validation: a bad body must not reveal existence
    const parsed = GrantRequestSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-grant", "Expected { grantee, expiresAt? }.", parsed.error);
    res.status(201).json(await grantAccess(db, orgId, id, parsed.data.grantee, parsed.data.expiresAt));
  });

  router.delete("/v1/records/:id/grants/:grantee", auth, async (req, res) => {
    await revokeAccess(db, callerOf(req).orgId, recordParam(req.params.id), String(req.params.grantee));
    res.status(204).end();
  });

  return router;
}
