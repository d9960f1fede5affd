import { Router } from "express";
import { z } from "zod";
import { verifyRecord } from "../../sdk/verify";
import type { HubChain } from "../chain/hub-chain";
import { fromZod } from "../http/problem";
import { rateLimit } from "../http/rate-limit";

export const VerifyRequestSchema = z.object({ record: z.unknown(), proof: z.unknown() });

/**
 * Public verification: anyone posts a record (or its redacted form) and its proof, and the hub runs
 * the SDK's own verification against the chain. It is a convenience: the SDK does the same without us.
 */
export function verifyRoutes(chain: HubChain, perMinute: number): Router {
  const router = Router();
  router.post("/v1/verify", rateLimit(perMinute), async (req, res) => {
    const parsed = VerifyRequestSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-verify-request", "Expected { record, proof }.", parsed.error);
    const verdict = await verifyRecord({
      // The SDK validates the shapes and reports what is wrong in the verdict.
      record: parsed.data.record as Parameters<typeof verifyRecord>[0]["record"],
      proof: parsed.data.proof as Parameters<typeof verifyRecord>[0]["proof"],
      chain: { provider: chain.provider },
      contracts: chain.contracts,
    });
    res.json(verdict);
  });
  return router;
}
