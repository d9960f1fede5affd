import { Router, type RequestHandler } from "express";
import { SignedCredentialIssueSchema, SignedCredentialRevocationSchema, SignedRevocationSchema } from "../../sdk/relay";
import { fromZod } from "../http/problem";
import type { MemberRelay } from "../chain/relay";
import type { PublisherAuthority } from "../authority/publisher-authority";

/**
 * Relayed member actions (docs/design.md, "Revocation"; docs/authority.md): a member posts its EIP-712
 * signed message and the hub sends it on chain and pays. The member's token only says who asks; the
 * signature and the signer's rights are the contract's to judge, so any member may hand in any signed
 * message (it can only do what its signer signed).
 */
export function relayRoutes(relay: MemberRelay, auth: RequestHandler, authority: PublisherAuthority): Router {
  const router = Router();
  router.post("/v1/revocations", auth, async (req, res) => {
    const parsed = SignedRevocationSchema.safeParse(req.body);
    if (!parsed.success)
      throw fromZod("invalid-signed-revocation", "Expected a signed revocation { revoker, digest, reason, nonce, deadline, signature }.", parsed.error);
    res.json(await relay.revoke(parsed.data));
  });
  router.post("/v1/credentials/issuances", auth, async (req, res) => {
    const parsed = SignedCredentialIssueSchema.safeParse(req.body);
    if (!parsed.success)
      throw fromZod(
        "invalid-signed-credential",
        "Expected a signed credential { issuer, subject, kind, validFrom, validUntil, scope, nonce, deadline, signature }.",
        parsed.error,
      );
    const relayed = await relay.issueCredential(parsed.data);
    // The hub's own authority checks read the subject's credentials afresh.
    authority.forget(relayed.credential.subject);
    res.status(201).json(relayed);
  });
  router.post("/v1/credentials/revocations", auth, async (req, res) => {
    const parsed = SignedCredentialRevocationSchema.safeParse(req.body);
    if (!parsed.success)
      throw fromZod(
        "invalid-signed-credential-revocation",
        "Expected a signed credential revocation { revoker, id, reason, nonce, deadline, signature }.",
        parsed.error,
      );
    const relayed = await relay.revokeCredential(parsed.data);
    authority.forget(relayed.credential.subject);
    res.json(relayed);
  });
  return router;
}
