import { Router, type RequestHandler } from "express";
import type { Db } from "../db/client";
import type { HubChain } from "../chain/hub-chain";
import { callerOf } from "../auth/caller";
import { forbidden, fromZod, notFound } from "../http/problem";
import { AdmitOrganizationSchema, OrgIdSchema, OrganizationListQuerySchema, RotateKeySchema } from "../../sdk/api";
import { admitOrganization, getOrganization, listOrganizations, rotateKey, setSuspended } from "./service";
import type { PublisherAuthority } from "../authority/publisher-authority";

const operatorOnly: RequestHandler = (req, _res, next) => {
  if (!callerOf(req).roles.includes("OPERATOR")) throw forbidden("operator-only", "Only the hub operator may manage organisations.");
  next();
};

function orgParam(raw: string): string {
  const parsed = OrgIdSchema.safeParse(raw);
  if (!parsed.success) throw notFound();
  return parsed.data;
}

/** Organisation directory (members read one, the operator lists them) and admission, key rotation and suspension (operator only). */
export function orgRoutes(db: Db, chain: HubChain, auth: RequestHandler, authority: PublisherAuthority): Router {
  const router = Router();
  router.post("/v1/orgs", auth, operatorOnly, async (req, res) => {
    const parsed = AdmitOrganizationSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-organization", "The organisation is not valid.", parsed.error);
    const admitted = await admitOrganization(db, chain, parsed.data);
    authority.forget(admitted.id);
    res.status(201).json(admitted);
  });
  router.get("/v1/orgs", auth, operatorOnly, async (req, res) => {
    const query = OrganizationListQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod("invalid-query", "after must be an organisation id and limit an integer 1-500.", query.error);
    res.json(await listOrganizations(db, query.data.after, query.data.limit));
  });
  router.get("/v1/orgs/:id", auth, async (req, res) => {
    res.json(await getOrganization(db, orgParam(req.params.id as string)));
  });
  router.post("/v1/orgs/:id/keys", auth, operatorOnly, async (req, res) => {
    const parsed = RotateKeySchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-key", "The new key is not valid.", parsed.error);
    res.json(await rotateKey(db, chain, orgParam(req.params.id as string), parsed.data.publicKey));
  });
  router.post("/v1/orgs/:id/suspend", auth, operatorOnly, async (req, res) => {
    res.json(await setSuspended(db, chain, orgParam(req.params.id as string), true));
  });
  router.post("/v1/orgs/:id/reinstate", auth, operatorOnly, async (req, res) => {
    res.json(await setSuspended(db, chain, orgParam(req.params.id as string), false));
  });
  return router;
}
