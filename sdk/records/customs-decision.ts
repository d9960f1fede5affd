import { z } from "zod";
import { OrgIdSchema, RecordIdSchema } from "../envelope";
import { IsoDateTime } from "./codes";
import { OrderNumber } from "./customs-common";

/** Customs' decision on one order, taken on a given MatchResult version; every party of the order is told. */
export const CustomsDecisionBody = z
  .object({
    platform: OrgIdSchema,
    orderNumber: OrderNumber,
    matchResult: z.object({ recordId: RecordIdSchema, version: z.number().int().min(1).max(0xffff_ffff) }).strict(),
    decision: z.enum(["RELEASE", "HOLD", "INSPECT", "REJECT"]),
    reasons: z.array(
      z
        .object({
          code: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, "a reason code is 1-32 letters, digits, '.', '_' or '-'"),
          text: z.string().min(1).max(1000),
        })
        .strict(),
    ),
    decidedAt: IsoDateTime,
  })
  .strict()
  .refine((d) => d.decision === "RELEASE" || !Array.isArray(d.reasons) || d.reasons.length > 0, {
    path: ["reasons"],
    message: "a decision other than RELEASE gives at least one reason",
  });
export type CustomsDecisionBody = z.infer<typeof CustomsDecisionBody>;
