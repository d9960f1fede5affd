import { z } from "zod";
import { CUSTODY_WEIGHT_TOLERANCE_KG } from "./custody";
import { Hex32, OrgIdSchema, RecordIdSchema } from "./envelope";
import { weightInKg } from "./records/codes";
import { ConsignmentSplitBody, ConsolidationBody } from "./records/consolidation";
import { withinTolerance } from "./records/customs-common";
import { WaybillBody } from "./records/waybill";

/**
 * Consolidations and splits (docs/consolidation.md). `containmentOf` is the one judgement of a record
 * that says what contains what: a Consolidation, a ConsignmentSplit, or a HOUSE or PARCEL Waybill
 * naming its master. The hub indexes with it; a verifier holding the records runs it from the chain.
 */

/** Weights within this many kilograms add up: the same scales as custody's counts. */
export const CONSOLIDATION_WEIGHT_TOLERANCE_KG = CUSTODY_WEIGHT_TOLERANCE_KG;

/** Every kind a node may be (ContainerKind, ContentKind and ConsignmentKind together). */
export const NodeKind = z.enum(["ULD", "MASTER", "HOUSE", "PACKAGE", "PARCEL", "PIECE"]);
export const NodeSchema = z.object({ kind: NodeKind, id: z.string() });
export type ContainmentNode = z.infer<typeof NodeSchema>;

const WeightSchema = z.object({ value: z.number(), unit: z.enum(["KGM", "LBR"]) });
type Weight = z.infer<typeof WeightSchema>;

/** One containment: `container` holds `content` ("contains"), or `content` is a part split off `container` ("split"). */
export const EdgeSchema = z.object({
  container: NodeSchema,
  content: NodeSchema,
  relation: z.enum(["contains", "split"]),
  pieceCount: z.number().int().positive(),
  grossWeight: WeightSchema,
  flight: z.string().optional(),
  date: z.string().optional(),
});
export type ContainmentEdge = z.infer<typeof EdgeSchema>;

export const ConsolidationDiscrepancySchema = z.object({
  field: z.enum(["pieceCount", "grossWeight"]),
  /** The container's or consignment's declared total. */
  declared: z.string(),
  /** The sum of its contents or parts. */
  counted: z.string(),
});
export type ConsolidationDiscrepancy = z.infer<typeof ConsolidationDiscrepancySchema>;

export const STATEMENT_KINDS = ["consolidation", "split", "waybill"] as const;

export interface ContainmentStatement {
  kind: (typeof STATEMENT_KINDS)[number];
  /** The container, or the consignment split. */
  container: ContainmentNode;
  /** When the containment holds from: the body's `at`; a waybill has none (the hub uses its publication time). */
  at?: string;
  edges: ContainmentEdge[];
  discrepancies: ConsolidationDiscrepancy[];
  /** The origin documents every content or part carries (a split's consignment's, a consolidation's `origin`). */
  origin: string[];
}

const weightText = (w: Weight) => `${w.value} ${w.unit}`;
const round = (n: number) => Math.round(n * 1000) / 1000;

/** The sum of weights, in the declared unit when every one is in it, else in kilograms. */
function sumOf(weights: readonly Weight[], declared: Weight): { kg: number; text: string } {
  const kg = weights.reduce((s, w) => s + weightInKg(w), 0);
  const same = weights.every((w) => w.unit === declared.unit);
  const text = same ? weightText({ value: round(weights.reduce((s, w) => s + w.value, 0)), unit: declared.unit }) : `${round(kg)} KGM`;
  return { kg, text };
}

/** Discrepancies between a declared total and the sum of its contents or parts. */
export function totalsDiscrepancies(
  declared: { pieceCount: number; grossWeight: Weight },
  items: readonly { pieceCount: number; grossWeight: Weight }[],
): ConsolidationDiscrepancy[] {
  const out: ConsolidationDiscrepancy[] = [];
  const pieces = items.reduce((s, i) => s + i.pieceCount, 0);
  if (pieces !== declared.pieceCount) out.push({ field: "pieceCount", declared: String(declared.pieceCount), counted: String(pieces) });
  const weight = sumOf(
    items.map((i) => i.grossWeight),
    declared.grossWeight,
  );
  if (!withinTolerance(weight.kg, weightInKg(declared.grossWeight), CONSOLIDATION_WEIGHT_TOLERANCE_KG))
    out.push({ field: "grossWeight", declared: weightText(declared.grossWeight), counted: weight.text });
  return out;
}

/**
 * What a record says contains what, or undefined when it says nothing of it (another type, a MASTER
 * waybill, a body that is not valid for its type). A split's parts each carry the consignment's
 * origin documents, so splitting does not lose origin status; counts and weights that do not add up
 * are discrepancies, reported rather than refused (the goods are where they are).
 */
export function containmentOf(type: string, body: unknown): ContainmentStatement | undefined {
  if (type === "Consolidation") {
    const c = ConsolidationBody.safeParse(body);
    if (!c.success) return undefined;
    const { container, contents, at, origin } = c.data;
    return {
      kind: "consolidation",
      container,
      at,
      edges: contents.map((i) => ({
        container,
        content: { kind: i.kind, id: i.id },
        relation: "contains",
        pieceCount: i.pieceCount,
        grossWeight: i.grossWeight,
      })),
      discrepancies: totalsDiscrepancies(c.data, contents),
      origin: origin ?? [],
    };
  }
  if (type === "ConsignmentSplit") {
    const s = ConsignmentSplitBody.safeParse(body);
    if (!s.success) return undefined;
    const { consignment, parts, at, origin } = s.data;
    const container = { kind: consignment.kind, id: consignment.id };
    return {
      kind: "split",
      container,
      at,
      edges: parts.map((p) => ({
        container,
        // A part is of its consignment's kind: a part of a house is a (partial) house.
        content: { kind: consignment.kind, id: p.id },
        relation: "split",
        pieceCount: p.pieceCount,
        grossWeight: p.grossWeight,
        ...(p.flight ? { flight: p.flight } : {}),
        ...(p.date ? { date: p.date } : {}),
      })),
      discrepancies: totalsDiscrepancies(consignment, parts),
      origin,
    };
  }
  if (type === "Waybill") {
    const w = WaybillBody.safeParse(body);
    if (!w.success || w.data.waybillType === "MASTER" || w.data.masterWaybillNumber === undefined) return undefined;
    const container = { kind: "MASTER" as const, id: w.data.masterWaybillNumber };
    return {
      kind: "waybill",
      container,
      edges: [
        {
          container,
          content: { kind: w.data.waybillType, id: w.data.waybillNumber },
          relation: "contains",
          pieceCount: w.data.pieceCount,
          grossWeight: w.data.grossWeight,
        },
      ],
      discrepancies: [],
      origin: [],
    };
  }
  return undefined;
}

// Wire shapes of GET /v1/consolidation (server/consolidation/routes.ts).

const RecordRef = z.object({ id: RecordIdSchema, version: z.number().int().positive(), digest: Hex32, type: z.string() });

/** An edge as the index shows it: who says so (the record version), and since when. */
export const ShownEdgeSchema = EdgeSchema.extend({
  record: RecordRef,
  owner: OrgIdSchema,
  validFrom: z.iso.datetime({ offset: true }),
  /** Steps from the node asked about: 1 for what directly contains it or it directly contains. */
  depth: z.number().int().positive(),
});
export type ShownEdge = z.infer<typeof ShownEdgeSchema>;

/** An origin document as a statement names it; `record` only when the caller may read it. */
export const OriginDocumentSchema = z.object({
  id: RecordIdSchema,
  statedBy: RecordRef,
  record: RecordRef.optional(),
});

/** A consolidation, split or waybill behind the edges shown, with its judgement. */
export const StatementViewSchema = z.object({
  record: RecordRef,
  owner: OrgIdSchema,
  kind: z.enum(STATEMENT_KINDS),
  container: NodeSchema,
  validFrom: z.iso.datetime({ offset: true }),
  discrepancies: z.array(ConsolidationDiscrepancySchema),
  origin: z.array(RecordIdSchema),
  /** A split's parts, every one with the consignment's origin documents (siblings of a part asked about included). */
  parts: z
    .array(
      z.object({
        id: z.string(),
        pieceCount: z.number().int().positive(),
        grossWeight: WeightSchema,
        flight: z.string().optional(),
        date: z.string().optional(),
        origin: z.array(RecordIdSchema),
      }),
    )
    .optional(),
});
export type StatementView = z.infer<typeof StatementViewSchema>;

/** A waybill record under the number of a node shown (a parcel's order and its customs documents). */
export const WaybillViewSchema = z.object({
  record: RecordRef,
  owner: OrgIdSchema,
  waybillType: z.enum(["MASTER", "HOUSE", "PARCEL"]),
  waybillNumber: z.string(),
  orderNumber: z.string().optional(),
  platform: OrgIdSchema.optional(),
  /** The customs case's documents (order, payment, declaration...) the caller may read. */
  documents: z.array(z.object({ kind: z.string(), id: RecordIdSchema, version: z.number().int().positive() })),
});
export type WaybillView = z.infer<typeof WaybillViewSchema>;

export const ConsolidationQuerySchema = z.strictObject({
  id: z.string().min(1).max(256),
  at: z.iso.datetime({ offset: true }).optional(),
});

export const ConsolidationViewSchema = z.object({
  id: z.string(),
  at: z.iso.datetime({ offset: true }),
  /** What contains the node, transitively up to the top. */
  containedIn: z.array(ShownEdgeSchema),
  /** What the node contains, transitively (bounded: `truncated` when more). */
  contains: z.array(ShownEdgeSchema),
  truncated: z.boolean(),
  /** The origin documents the node carries: those of every statement that consolidates or splits it or what contains it. */
  originDocuments: z.array(OriginDocumentSchema),
  statements: z.array(StatementViewSchema),
  waybills: z.array(WaybillViewSchema),
});
export type ConsolidationView = z.infer<typeof ConsolidationViewSchema>;
