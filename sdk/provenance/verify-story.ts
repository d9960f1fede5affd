import type { Provider } from "ethers";
import { openRpc, verifyRecord, type Verdict } from "../verify";
import { productAuthority, speakerKind } from "./attesters";
import type { ProductStory, StoryStep } from "./story";

/**
 * Verifies every step of a product's story against the chain, in the consumer's browser or
 * anywhere: each step's public-only record and proof go through the SDK's `verifyRecord`, against
 * the given RPC (the person's choice) and the registries the story names. Nothing else the hub says
 * (its own verdicts, its revocation status) is used. Each step's attester must also be one the
 * product's own batches allow (the brand, a partner they name, a certifier: attesters.ts), with the
 * kind the page shows.
 */

export type StepCheck =
  | { recordId: string; status: "verified"; verdict: Verdict }
  | { recordId: string; status: "revoked" | "failed"; verdict?: Verdict; reasons: string[] }
  | { recordId: string; status: "pending"; reasons: string[] };

// The name each check of a verdict is reported by (a check added to the verdict later is reported by its own key).
const CHECK_NAMES: Record<string, string> = {
  digest: "content",
  signature: "signature",
  membership: "membership",
  anchor: "anchoring",
  revocation: "revocation",
};

/** One line per failed check of a verdict: every `{ ok: false }` part of it. */
export function failedChecks(v: Verdict): string[] {
  return Object.entries(v).flatMap(([name, part]) => {
    const check = part as { ok?: unknown; reason?: unknown } | null;
    if (typeof check !== "object" || check === null || check.ok !== false) return [];
    return [`${CHECK_NAMES[name] ?? name}: ${typeof check.reason === "string" ? check.reason : "failed"}`];
  });
}

/**
 * Whether the step's attester may speak about the product, judged from the story's ProductBatch
 * steps (their partners are public fields, checked against the chain like every step) and with the
 * kind the page shows; the reason when not.
 */
export function attesterProblem(step: StoryStep, story: Pick<ProductStory, "product" | "steps">): string | undefined {
  const batches = story.steps.filter((s) => s.type === "ProductBatch").map((s) => s.record);
  const kind = speakerKind(step.record, productAuthority(story.product.brandOwner.orgId, batches));
  const speaker = step.capturedBy ?? step.attestedBy;
  if (!kind) return `attester: ${speaker.orgId} is not the brand, a partner its batch names, or a certifier`;
  if (speaker.kind !== kind) return `attester: ${speaker.orgId} is shown as ${speaker.kind}, but is ${kind}`;
  if (step.capturedBy && step.attestedBy.kind !== "hub")
    return `attester: ${step.attestedBy.orgId} is shown as ${step.attestedBy.kind}, but attests for ${step.capturedBy.orgId}`;
  return undefined;
}

/** The check of one step, over an open connection. */
export async function verifyStep(step: StoryStep, story: Pick<ProductStory, "chain" | "product" | "steps">, provider: Provider): Promise<StepCheck> {
  const attester = attesterProblem(step, story);
  if (!step.proof)
    return attester
      ? { recordId: step.recordId, status: "failed", reasons: [attester] }
      : { recordId: step.recordId, status: "pending", reasons: ["not anchored yet"] };
  const verdict = await verifyRecord({
    record: step.record,
    proof: step.proof,
    chain: { provider },
    contracts: { participantRegistry: story.chain.participantRegistry, anchorRegistry: story.chain.anchorRegistry },
    ...(story.chain.fromBlock !== undefined ? { fromBlock: story.chain.fromBlock } : {}),
  });
  if (verdict.valid && !attester) return { recordId: step.recordId, status: "verified", verdict };
  const reasons = [...failedChecks(verdict), ...(attester ? [attester] : [])];
  return { recordId: step.recordId, status: verdict.revocation.revoked ? "revoked" : "failed", verdict, reasons };
}

/**
 * Verifies the steps of `story` against `rpcUrl` (default: the story's), reporting each as it is done.
 * A chain that cannot be reached fails every step with that reason.
 */
export async function verifyStory(
  story: Pick<ProductStory, "chain" | "product" | "steps">,
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
