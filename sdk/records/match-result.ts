import { z } from "zod";
import { Hex32, OrgIdSchema, RecordIdSchema } from "../envelope";
import { IsoDateTime, UnLocode } from "./codes";
import { Direction, DocumentKind, OrderNumber, SupervisionMode } from "./customs-common";

/** What the customs match can find wrong; docs/customs.md describes each. */
export const DiscrepancyCode = z.enum([
  "duplicate-document",
  "mode",
  "customs-office",
  "destination",
  "reference",
  "buyer-identity",
  "consignee",
  "currency",
  "amount",
  "items",
  "weight",
  "limit-per-order",
  "limit-annual",
  "exchange-rate",
  "positive-list",
  "tax-rate",
  "tax",
]);
export type DiscrepancyCode = z.infer<typeof DiscrepancyCode>;

/**
 * One finding of the match: `field` is the body path compared, `documents` the kinds involved.
 * `expected`/`found` are left out where the values are personal (identities, consignee).
 */
export const Discrepancy = z
  .object({
    code: DiscrepancyCode,
    field: z.string().min(1).max(200),
    documents: z.array(DocumentKind).min(1),
    message: z.string().min(1).max(1000),
    expected: z.string().max(200).optional(),
    found: z.string().max(200).optional(),
  })
  .strict();
export type Discrepancy = z.infer<typeof Discrepancy>;

export const MatchStatus = z.enum(["MATCHED", "DISCREPANCIES", "INCOMPLETE", "OVERDUE"]);
export type MatchStatus = z.infer<typeof MatchStatus>;

/** A document the match looked at: which record version, published by whom, with which digest. */
export const MatchedDocument = z
  .object({ kind: DocumentKind, recordId: RecordIdSchema, version: z.number().int().min(1).max(0xffff_ffff), owner: OrgIdSchema, digest: Hex32 })
  .strict();
export type MatchedDocument = z.infer<typeof MatchedDocument>;

/** The hub's result of matching the documents of one order (itself an anchored record). */
export const MatchResultBody = z
  .object({
    platform: OrgIdSchema,
    orderNumber: OrderNumber,
    customsOffice: OrgIdSchema.optional(),
    supervisionMode: SupervisionMode.optional(),
    direction: Direction.optional(),
    port: UnLocode.optional(),
    status: MatchStatus,
    documents: z.array(MatchedDocument),
    missing: z.array(DocumentKind),
    discrepancies: z.array(Discrepancy),
    matchedAt: IsoDateTime,
  })
  .strict()
  .superRefine((r, ctx) => {
    if (!Array.isArray(r.missing) || !Array.isArray(r.discrepancies) || !Array.isArray(r.documents)) return;
    const incomplete = r.status === "INCOMPLETE" || r.status === "OVERDUE";
    if (incomplete && r.missing.length === 0) ctx.addIssue({ code: "custom", path: ["missing"], message: `status ${r.status} means some document is missing` });
    if (!incomplete && r.missing.length > 0)
      ctx.addIssue({ code: "custom", path: ["status"], message: "documents are missing: the status is INCOMPLETE or OVERDUE" });
    if (r.status === "MATCHED" && r.discrepancies.length > 0)
      ctx.addIssue({ code: "custom", path: ["status"], message: "a MATCHED result has no discrepancies" });
    if (r.status === "DISCREPANCIES" && r.discrepancies.length === 0)
      ctx.addIssue({ code: "custom", path: ["discrepancies"], message: "status DISCREPANCIES lists at least one" });
    if (new Set(r.missing).size !== r.missing.length) ctx.addIssue({ code: "custom", path: ["missing"], message: "a kind is listed twice" });
    const ids = new Set<string>();
    r.documents.forEach((d, i) => {
      if (ids.has(d?.recordId)) ctx.addIssue({ code: "custom", path: ["documents", i, "recordId"], message: "a record is listed twice" });
      ids.add(d?.recordId);
      if (r.missing.includes(d?.kind)) ctx.addIssue({ code: "custom", path: ["documents", i, "kind"], message: "a kind both present and missing" });
    });
  });
export type MatchResultBody = z.infer<typeof MatchResultBody>;
