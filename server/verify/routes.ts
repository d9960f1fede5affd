import { Router } from "express";
import { z } from "zod";
import { verifyRecord } from "../../sdk/verify";
import type { HubChain } from "../chain/hub-chain";
import type { Db } from "../db/client";
import { fromZod, serviceUnavailable } from "../http/problem";
import { rateLimit } from "../http/rate-limit";

export const VerifyRequestSchema = z.object({ record: z.unknown(), proof: z.unknown() });

export interface VerifyRouteOptions {
  perMinute: number;
  /** How long the chain may take to answer one verification (VERIFY_CHAIN_TIMEOUT_MS). */
  chainTimeoutMs: number;
}

/**
 * Public verification: anyone posts a record (or its redacted form) and its proof, and the hub runs
 * the SDK's own verification against the chain. It is a convenience: the SDK does the same without us.
 * A chain that cannot be read (down, paused, erroring) is a 503 `chain-unavailable` within the bound,
 * never a 200 `valid: false`: "invalid" means the chain (or the record itself) says no.
 */
export function verifyRoutes(db: Db, chain: HubChain, opts: VerifyRouteOptions): Router {
  const router = Router();
  router.post("/v1/verify", rateLimit(db, "verify", opts.perMinute), async (req, res) => {
    const parsed = VerifyRequestSchema.safeParse(req.body);
    if (!parsed.success) throw fromZod("invalid-verify-request", "Expected { record, proof }.", parsed.error);
    const verdict = await verifyRecord({
      // The SDK validates the shapes and reports what is wrong in the verdict.
      record: parsed.data.record as Parameters<typeof verifyRecord>[0]["record"],
      proof: parsed.data.proof as Parameters<typeof verifyRecord>[0]["proof"],
      chain: { provider: chain.provider },
      contracts: chain.contracts,
      fromBlock: chain.fromBlock,
      chainTimeoutMs: opts.chainTimeoutMs,
    });
    if (verdict.chainUnavailable)
      // The reason (an RPC address, a socket error) stays here: the route is public.
      throw serviceUnavailable(
        "chain-unavailable",
        "The chain could not be read (unreachable or not answering in time), so the record is neither verified nor refused. Try again.",
        5,
      );
    res.json(verdict);
  });
  return router;
}
