import { Router, type RequestHandler } from "express";
import { SignedRevocationSchema } from "../../sdk/relay";
import { fromZod } from "../http/problem";
import type { RevocationRelay } from "../chain/relay";

/**
 * Relayed revocation (docs/design.md, "Revocation"): a member posts its EIP-712 signed revocation and the hub
 * sends it on chain and pays. The member's token only says who asks; the signature and the membership are
 * the contract's to judge, so any member may hand in any signed revocation (it can only do what its signer signed).
 */
export function revocationRelayRoutes(relay: RevocationRelay, auth: RequestHandler): Router {
  const router = Router();
  router.post("/v1/revocations", auth, async (req, res) => {
    const parsed = SignedRevocationSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-signed-revocation", "Expected a signed revocation { revoker, digest, reason, nonce, deadline, signature }.", parsed.error);
    res.json(await relay.relay(parsed.data));
  });
  return router;
}
