import type { Provider } from "ethers";
import { openRpc, verifyRecord, type Verdict } from "../verify";
import type { ProductStory, StoryStep } from "./story";

/**
 * Verifies every step of a product's story against the chain, in the consumer's browser or
 * anywhere: each step's public-only record and proof go through the SDK's `verifyRecord`, against
 * the given RPC (the person's choice) and the registries the story names. Nothing else the hub says
 * (its own verdicts, its revocation status) is used.
 */

export type StepCheck =
  | { recordId: string; status: "verified"; verdict: Verdict }
  | { recordId: string; status: "revoked" | "failed"; verdict?: Verdict; reasons: string[] }
  | { recordId: string; status: "pending"; reasons: string[] };

/** One line per failed check of a verdict. */
export function failedChecks(v: Verdict): string[] {
  const parts = [v.digest, v.signature, v.membership, v.anchor, v.revocation] as { ok: boolean; reason?: string }[];
  const names = ["content", "signature", "membership", "anchoring", "revocation"];
  return parts.flatMap((p, i) => (p.ok ? [] : [`${names[i]}: ${p.reason ?? "failed"}`]));
}

/** The check of one step, over an open connection. */
export async function verifyStep(step: StoryStep, story: Pick<ProductStory, "chain">, provider: Provider): Promise<StepCheck> {
  if (!step.proof) return { recordId: step.recordId, status: "pending", reasons: ["not anchored yet"] };
  const verdict = await verifyRecord({
    record: step.record,
    proof: step.proof,
    chain: { provider },
    contracts: { participantRegistry: story.chain.participantRegistry, anchorRegistry: story.chain.anchorRegistry },
  });
  if (verdict.valid) return { recordId: step.recordId, status: "verified", verdict };
  return { recordId: step.recordId, status: verdict.revocation.revoked ? "revoked" : "failed", verdict, reasons: failedChecks(verdict) };
}

/**
 * Verifies the steps of `story` against `rpcUrl` (default: the story's), reporting each as it is done.
 * A chain that cannot be reached fails every step with that reason.
 */
export async function verifyStory(
  story: Pick<ProductStory, "chain" | "steps">,
  opts: { rpcUrl?: string; onStep?: (check: StepCheck) => void } = {},
): Promise<StepCheck[]> {
  const rpcUrl = opts.rpcUrl ?? story.chain.rpcUrl;
  let provider: Provider;
  try {
    provider = await openRpc(rpcUrl);
  } catch (err) {
    const reason = `cannot reach the chain at ${rpcUrl}: ${(err as Error).message}`;
    const checks = story.steps.map((s): StepCheck => ({ recordId: s.recordId, status: "failed", reasons: [reason] }));
    checks.forEach((c) => opts.onStep?.(c));
    return checks;
  }
  try {
    return await Promise.all(
      story.steps.map(async (step) => {
        const check = await verifyStep(step, story, provider);
        opts.onStep?.(check);
        return check;
      }),
    );
  } finally {
    provider.destroy();
  }
}
