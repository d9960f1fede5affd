import { z } from "zod";
import { RecordIdSchema } from "../envelope";
import { IsoDate, IsoDateTime, Weight } from "./codes";

/** What can contain others: a ULD, a master or house waybill, a package (SSCC). */
export const ContainerKind = z.enum(["ULD", "MASTER", "HOUSE", "PACKAGE"]);
/** What can be contained: a parcel (its waybill number), a piece, a house waybill, a package, a ULD. */
export const ContentKind = z.enum(["PARCEL", "PIECE", "HOUSE", "PACKAGE", "ULD"]);
/** What can be split: a master or house waybill's consignment, a parcel, a package. */
export const ConsignmentKind = z.enum(["MASTER", "HOUSE", "PARCEL", "PACKAGE"]);

/** A piece, ULD or package id, a waybill number, or a ONE Record IRI. */
const NodeId = z.string().min(1).max(256);

/** Certificates of origin and preferential-origin evidence: the record ids of their Certification (or other) records. */
export const OriginDocuments = z
  .array(RecordIdSchema)
  .max(50)
  .refine((ids) => new Set(ids).size === ids.length, "each document is named once");

const uniqueIds = (list: readonly { id: string }[]) => new Set(list.map((i) => i.id)).size === list.length;

export const ConsolidationContent = z.object({ kind: ContentKind, id: NodeId, pieceCount: z.number().int().positive(), grossWeight: Weight }).strict();
export type ConsolidationContent = z.infer<typeof ConsolidationContent>;

/**
 * A consolidation (or a reconsolidation of split parts), published and signed by the party that
 * built it: `container` holds `contents` from `at` on, with the container's declared totals. Totals
 * that are not the sum of the contents are a discrepancy (sdk/consolidation.ts), indexed and flagged.
 */
export const ConsolidationBody = z
  .object({
    container: z.object({ kind: ContainerKind, id: NodeId }).strict(),
    contents: z.array(ConsolidationContent).min(1).max(1000).refine(uniqueIds, "each content is named once"),
    pieceCount: z.number().int().positive(),
    grossWeight: Weight,
    at: IsoDateTime,
    origin: OriginDocuments.optional(),
  })
  .strict()
  .refine((c) => !c.contents.some((i) => i.id === c.container.id), { path: ["contents"], message: "a container does not contain itself" });
export type ConsolidationBody = z.infer<typeof ConsolidationBody>;

export const SplitPart = z
  .object({
    id: NodeId,
    pieceCount: z.number().int().positive(),
    grossWeight: Weight,
    /** The flight the part travels on (carrier code and number, e.g. CX0831), when split across flights. */
    flight: z
      .string()
      .regex(/^[A-Z0-9]{2}\d{1,4}[A-Z]?$/, "a flight is a carrier code and a number, e.g. CX0831")
      .optional(),
    date: IsoDate.optional(),
  })
  .strict();
export type SplitPart = z.infer<typeof SplitPart>;

/**
 * A consignment split into parts from `at` on (across flights, or at destination), published and
 * signed by the party splitting it. Every part keeps the consignment's origin documents; parts whose
 * counts or weights do not add up to the consignment's are a discrepancy (sdk/consolidation.ts).
 */
export const ConsignmentSplitBody = z
  .object({
    consignment: z.object({ kind: ConsignmentKind, id: NodeId, pieceCount: z.number().int().positive(), grossWeight: Weight }).strict(),
    origin: OriginDocuments,
    parts: z.array(SplitPart).min(2).max(100).refine(uniqueIds, "each part is named once"),
    at: IsoDateTime,
  })
  .strict()
  .refine((s) => !s.parts.some((p) => p.id === s.consignment.id), { path: ["parts"], message: "a part has its own id, not the consignment's" });
export type ConsignmentSplitBody = z.infer<typeof ConsignmentSplitBody>;
