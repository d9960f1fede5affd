import { Router, type RequestHandler } from "express";
import type { Db } from "../db/client";
import type { HubChain } from "../chain/hub-chain";
import { callerOf } from "../auth/caller";
import { forbidden, fromZod, notFound } from "../http/problem";
import { CredentialGrantSchema, OrgIdSchema, RevokeCredentialSchema, SetIssuerSchema } from "../../sdk/api";
import { issueCredential, listCredentials, revokeCredential, setIssuer } from "./credentials";
import type { PublisherAuthority } from "./publisher-authority";

/**
 * Members' credentials (docs/authority.md): anyone admitted reads them (they are public on chain);
 * the hub operator, as the consortium's issuer, issues and revokes them. Accreditation bodies issue
 * theirs on chain with their own key (sdk/authority/chain.ts), not through the hub.
 */
export function credentialRoutes(db: Db, chain: HubChain, auth: RequestHandler, authority: PublisherAuthority): Router {
  const router = Router();
  const member = async (raw: unknown): Promise<string> => {
    const id = OrgIdSchema.safeParse(raw);
    if (!id.success || !(await db.organization.findUnique({ where: { id: id.data }, select: { id: true } }))) throw notFound();
    return id.data;
  };
  const operatorOnly: RequestHandler = (req, _res, next) => {
    if (!callerOf(req).roles.includes("OPERATOR")) throw forbidden("operator-only", "Only the hub operator issues and revokes credentials.");
    next();
  };

  router.get("/v1/orgs/:id/credentials", auth, async (req, res) => {
    res.json({ credentials: await listCredentials(chain, await member(req.params.id)) });
  });
  router.post("/v1/orgs/:id/credentials", auth, operatorOnly, async (req, res) => {
    const orgId = await member(req.params.id);
    const parsed = CredentialGrantSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-credential", "The credential is not valid.", parsed.error);
    const id = await issueCredential(chain, orgId, parsed.data);
    authority.forget(orgId);
    const issued = (await listCredentials(chain, orgId)).find((c) => c.id === id);
    res.status(201).json(issued);
  });
  router.post("/v1/orgs/:id/credentials/:credentialId/revoke", auth, operatorOnly, async (req, res) => {
    const orgId = await member(req.params.id);
    const parsed = RevokeCredentialSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-revocation", "A revocation gives a reason.", parsed.error);
    const id = await revokeCredential(chain, orgId, String(req.params.credentialId), parsed.data.reason);
    authority.forget(orgId);
    res.json((await listCredentials(chain, orgId)).find((c) => c.id === id));
  });
  router.put("/v1/orgs/:id/issuer", auth, operatorOnly, async (req, res) => {
    const orgId = await member(req.params.id);
    const parsed = SetIssuerSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-issuer", "The issuer's kinds are not valid.", parsed.error);
    await setIssuer(chain, orgId, parsed.data.kinds);
    res.json({ issuer: orgId, kinds: parsed.data.kinds });
  });
  return router;
}
