import { z } from "zod";
import type { AnchorProof, SignedRecord } from "./envelope";
import { Hex32, OrgIdSchema, RecordIdSchema } from "./envelope";
import { CustodyHandoverBody, CustodyReceiptBody } from "./records/custody";
import { weightInKg } from "./records/codes";
import { withinTolerance } from "./records/customs-common";
import { verifyRecord, type Verdict, type VerifyInput } from "./verify";

/**
 * Custody handovers (docs/custody.md): a CustodyHandover signed by the party handing over, answered
 * by a CustodyReceipt signed by the named receiver that binds the handover's id, version and digest.
 * `custodyStatus` is the one judgement of such a pair: the hub indexes with it and every verifier
 * calls it (through `verifyCustody`) with the hub stopped.
 */

export const CUSTODY_STATUSES = ["countersigned", "refused", "one-sided"] as const;
export type CustodyStatusName = (typeof CUSTODY_STATUSES)[number];

/** Counted weights within this many kilograms of the declared one agree (scales differ by a few grams). */
export const CUSTODY_WEIGHT_TOLERANCE_KG = 0.01;

export const CustodyDiscrepancySchema = z.object({
  field: z.enum(["decision", "pieceCount", "grossWeight", "seals"]),
  declared: z.string(),
  counted: z.string(),
});
export type CustodyDiscrepancy = z.infer<typeof CustodyDiscrepancySchema>;

export const CustodyJudgementSchema = z.object({
  status: z.enum(CUSTODY_STATUSES),
  discrepancies: z.array(CustodyDiscrepancySchema),
  /** Why the pair is not a valid handover and answer; non-empty: the receipt countersigns nothing. */
  problems: z.array(z.string()),
});
export type CustodyJudgement = z.infer<typeof CustodyJudgementSchema>;

const weightText = (w: { value: number; unit: string }) => `${w.value} ${w.unit}`;
const sealsText = (s: readonly string[] | undefined) => [...new Set(s ?? [])].sort().join(",");

/**
 * The status of a handover given the receipt answering it (if any). A receipt counts only when it
 * binds exactly this handover version (id, version, digest) and its owner is the handover's named
 * receiver; otherwise the handover is one-sided and `problems` says why. ACCEPTED with the declared
 * figures is countersigned with no discrepancy; ACCEPTED with other counts, weight or seals is
 * countersigned with discrepancies; REFUSED is refused, its counted figures compared the same way.
 */
export function custodyStatus(handover: SignedRecord, receipt?: SignedRecord): CustodyJudgement {
  const problems: string[] = [];
  if (handover.type !== "CustodyHandover") problems.push(`the handover is a ${handover.type} record, not a CustodyHandover`);
  const h = CustodyHandoverBody.safeParse(handover.body);
  if (!h.success) problems.push("the handover's body is not a valid CustodyHandover");
  if (!receipt || problems.length > 0 || !h.success) return { status: "one-sided", discrepancies: [], problems };

  if (receipt.type !== "CustodyReceipt") problems.push(`the receipt is a ${receipt.type} record, not a CustodyReceipt`);
  const r = CustodyReceiptBody.safeParse(receipt.body);
  if (!r.success) problems.push("the receipt's body is not a valid CustodyReceipt");
  else {
    const b = r.data.handover;
    if (b.id !== handover.id || b.version !== handover.version || b.digest !== handover.digest)
      problems.push(`the receipt answers ${b.id} version ${b.version} (${b.digest}), not ${handover.id} version ${handover.version} (${handover.digest})`);
  }
  if (receipt.owner !== h.data.receiver) problems.push(`the receipt is ${receipt.owner}'s, but the handover names ${h.data.receiver} as receiver`);
  if (problems.length > 0 || !r.success) return { status: "one-sided", discrepancies: [], problems };

  const declared = h.data;
  const counted = r.data;
  const discrepancies: CustodyDiscrepancy[] = [];
  if (counted.decision === "REFUSED") discrepancies.push({ field: "decision", declared: "handed over", counted: "REFUSED" });
  if (counted.countedPieces !== declared.pieceCount)
    discrepancies.push({ field: "pieceCount", declared: String(declared.pieceCount), counted: String(counted.countedPieces) });
  if (!withinTolerance(weightInKg(counted.countedWeight), weightInKg(declared.grossWeight), CUSTODY_WEIGHT_TOLERANCE_KG))
    discrepancies.push({ field: "grossWeight", declared: weightText(declared.grossWeight), counted: weightText(counted.countedWeight) });
  // Seals are compared only when both sides name them: a receiver that does not list seals found none to check.
  if (declared.seals !== undefined && counted.seals !== undefined && sealsText(declared.seals) !== sealsText(counted.seals))
    discrepancies.push({ field: "seals", declared: sealsText(declared.seals), counted: sealsText(counted.seals) });
  return { status: counted.decision === "REFUSED" ? "refused" : "countersigned", discrepancies, problems };
}

export interface VerifyCustodyInput extends Omit<VerifyInput, "record" | "proof"> {
  handover: SignedRecord;
  handoverProof: AnchorProof;
  receipt?: SignedRecord;
  receiptProof?: AnchorProof;
}

export interface CustodyVerdict extends CustodyJudgement {
  /** Both records verify (each by verifyRecord) and the pair is judged without problems. */
  valid: boolean;
  handover: Verdict;
  receipt?: Verdict;
}

/**
 * A handover and its receipt verified from the chain alone: each record by verifyRecord (digest,
 * signature by its owner's key, membership, anchoring, revocation), then judged by custodyStatus. A
 * receipt that does not verify countersigns nothing: the handover is then one-sided.
 */
export async function verifyCustody(input: VerifyCustodyInput): Promise<CustodyVerdict> {
  const { handover, handoverProof, receipt, receiptProof, ...rest } = input;
  const handoverVerdict = await verifyRecord({ ...rest, record: handover, proof: handoverProof });
  let receiptVerdict: Verdict | undefined;
  if (receipt) {
    if (!receiptProof) throw new Error("verifyCustody: a receipt needs its proof (receiptProof)");
    receiptVerdict = await verifyRecord({ ...rest, record: receipt, proof: receiptProof });
  }
  const judged = custodyStatus(handover, receipt);
  const problems = [...judged.problems];
  if (!handoverVerdict.valid) problems.unshift("the handover does not verify against the chain");
  if (receiptVerdict && !receiptVerdict.valid) problems.unshift("the receipt does not verify against the chain");
  const countersigns = receiptVerdict === undefined || receiptVerdict.valid;
  return {
    ...(countersigns ? judged : { status: "one-sided" as const, discrepancies: [] }),
    problems,
    valid: handoverVerdict.valid && problems.length === 0,
    handover: handoverVerdict,
    ...(receiptVerdict ? { receipt: receiptVerdict } : {}),
  };
}

// Wire shapes of /v1/custody (server/custody/routes.ts).

const RecordRef = z.object({ id: RecordIdSchema, version: z.number().int().positive(), digest: Hex32 });

/** One handover as the custody routes list it: what the caller may read of it. */
export const CustodyHandoverViewSchema = z.object({
  handover: RecordRef,
  hander: OrgIdSchema,
  receiver: OrgIdSchema,
  handedOverAt: z.iso.datetime({ offset: true }),
  status: z.enum(CUSTODY_STATUSES),
  /** The receipt answering it, when there is one and the caller may read it. */
  receipt: RecordRef.extend({ decision: z.enum(["ACCEPTED", "REFUSED"]), receivedAt: z.iso.datetime({ offset: true }) }).optional(),
  discrepancies: z.array(CustodyDiscrepancySchema),
});
export type CustodyHandoverView = z.infer<typeof CustodyHandoverViewSchema>;

export const CustodyHandoverListSchema = z.object({ handovers: z.array(CustodyHandoverViewSchema) });

export const CustodyHandoverQuerySchema = z.strictObject({
  as: z.enum(["receiver", "hander"]).default("receiver"),
  status: z.enum(["pending", ...CUSTODY_STATUSES]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type CustodyHandoverQuery = z.infer<typeof CustodyHandoverQuerySchema>;

export const CustodyChainQuerySchema = z.strictObject({
  item: z.string().min(1).max(256),
  at: z.iso.datetime({ offset: true }).optional(),
});

export const CustodyChainSchema = z.object({
  item: z.string(),
  at: z.iso.datetime({ offset: true }),
  /** The receiver of the latest countersigned handover at or before `at`; absent when none. */
  holder: OrgIdSchema.optional(),
  /** Since when it holds the item (that handover's handedOverAt). */
  since: z.iso.datetime({ offset: true }).optional(),
  handovers: z.array(CustodyHandoverViewSchema),
});
export type CustodyChain = z.infer<typeof CustodyChainSchema>;
