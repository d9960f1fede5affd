import { z } from "zod";
import { CUSTODY_WEIGHT_TOLERANCE_KG } from "./custody";
import { Hex32, OrgIdSchema, RecordIdSchema } from "./envelope";
import { AwbNumber, weightInKg } from "./records/codes";
import { ConsignmentSplitBody, ConsolidationBody } from "./records/consolidation";
import { withinTolerance } from "./records/customs-common";
import { WaybillBody } from "./records/waybill";
import { isObject, textOf, valuesOf, type Json, type JsonObject } from "./one-record/jsonld";
import { CARGO } from "./one-record/vocabulary";
import { formatAwb } from "./resolve";

/**
 * Consolidations and splits (docs/consolidation.md). `containmentOf` is the one judgement of a record
 * that says what contains what: a Consolidation, a ConsignmentSplit, or a HOUSE or PARCEL Waybill
 * naming its master. The hub indexes with it; a verifier holding the records runs it from the chain.
 */

/** Weights within this many kilograms add up: the same scales as custody's counts. */
export const CONSOLIDATION_WEIGHT_TOLERANCE_KG = CUSTODY_WEIGHT_TOLERANCE_KG;

/** Every kind a node may be (ContainerKind, ContentKind and ConsignmentKind together, and a ONE Record Shipment). */
export const NodeKind = z.enum(["ULD", "MASTER", "HOUSE", "PACKAGE", "PARCEL", "PIECE", "SHIPMENT"]);
export const NodeSchema = z.object({ kind: NodeKind, id: z.string() });
export type ContainmentNode = z.infer<typeof NodeSchema>;

const WeightSchema = z.object({ value: z.number(), unit: z.enum(["KGM", "LBR"]) });
export type Weight = z.infer<typeof WeightSchema>;

/**
 * One containment: `container` holds `content` ("contains"), or `content` is a part split off
 * `container` ("split"), or `container` is a trade identifier (an air waybill or ULD number, a UPID)
 * naming the ONE Record object `content` ("identifies"), so that the number and the object meet.
 * Counts and weights are there when the stating record gives them (ONE Record objects do not).
 */
export const EdgeSchema = z.object({
  container: NodeSchema,
  content: NodeSchema,
  relation: z.enum(["contains", "split", "identifies"]),
  pieceCount: z.number().int().positive().optional(),
  grossWeight: WeightSchema.optional(),
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

export const STATEMENT_KINDS = ["consolidation", "split", "waybill", "logistics-object"] as const;

/**
 * An edge as a record states it: with the top-level body fields that state it, when a reader seeing
 * only some fields of the record (a field-level grant) must see all of them to see the edge.
 */
export type StatedEdge = ContainmentEdge & { fields?: readonly string[] };

export interface ContainmentStatement {
  kind: (typeof STATEMENT_KINDS)[number];
  /** The container, or the consignment split. */
  container: ContainmentNode;
  /** When the containment holds from: the body's `at`; a waybill or ONE Record object has none (the hub uses its publication time). */
  at?: string;
  edges: StatedEdge[];
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

// The body fields stating the hub's own records' edges: a reader shown only some fields of the
// record (a field-level grant) sees an edge only when it sees all of them.
const CONSOLIDATION_FIELDS = ["container", "contents", "at"] as const;
const SPLIT_FIELDS = ["consignment", "parts", "at"] as const;
const WAYBILL_FIELDS = ["waybillType", "waybillNumber", "masterWaybillNumber", "pieceCount", "grossWeight"] as const;

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
        fields: CONSOLIDATION_FIELDS,
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
        fields: SPLIT_FIELDS,
      })),
      discrepancies: totalsDiscrepancies(consignment, parts),
      origin,
    };
  }
  if (type === "Waybill") {
    const w = WaybillBody.safeParse(body);
    return w.success ? waybillContainmentOf(w.data) : undefined;
  }
  return undefined;
}

/** What a (valid) waybill says contains what: a house or parcel waybill is in its master; a master says nothing. */
export function waybillContainmentOf(w: WaybillBody): ContainmentStatement | undefined {
  if (w.waybillType === "MASTER" || w.masterWaybillNumber === undefined) return undefined;
  const container = { kind: "MASTER" as const, id: w.masterWaybillNumber };
  return {
    kind: "waybill",
    container,
    edges: [
      {
        container,
        content: { kind: w.waybillType, id: w.waybillNumber },
        relation: "contains",
        pieceCount: w.pieceCount,
        grossWeight: w.grossWeight,
        fields: WAYBILL_FIELDS,
      },
    ],
    discrepancies: [],
    origin: [],
  };
}

/** The ONE Record classes whose objects are pieces, and loading units (sdk/one-record/model.ts for the rest). */
const PIECE_CLASSES = new Set(["Piece", "PieceDg", "PieceLiveAnimals"]);
const LOADING_UNIT_CLASSES = new Set(["ULD", "LoadingUnit"]);

/** The IRIs a property references (`{"@id"}`, alone, in an array, or an embedded node's). */
const referencesOf = (body: JsonObject, property: string): string[] =>
  valuesOf(body[property]).flatMap((v) => (isObject(v) && typeof v["@id"] === "string" && !v["@id"].startsWith("_:") ? [v["@id"]] : []));

/** A literal property's text, trimmed; undefined when absent or empty. */
const literalOf = (body: JsonObject, property: string): string | undefined => {
  const v = valuesOf(body[property])[0];
  const t = v !== undefined && !(isObject(v) && "@id" in v) ? textOf(v)?.trim() : undefined;
  return t === "" ? undefined : t;
};

/** A code's text: an embedded CodeListElement's `code`, or the end of the code's (or individual's) IRI. */
const codeOf = (body: JsonObject, property: string): string | undefined => {
  const v: Json | undefined = valuesOf(body[property])[0];
  if (!isObject(v)) return undefined;
  if (v.code !== undefined) return textOf(v.code)?.trim() || undefined;
  const id = v["@id"];
  return typeof id === "string" ? id.slice(Math.max(id.lastIndexOf("#"), id.lastIndexOf("/")) + 1) || undefined : undefined;
};

/** A cargo individual's local name (cargo:MASTER is "MASTER"); undefined for anything else. */
const individualOf = (body: JsonObject, property: string): string | undefined => {
  const v = valuesOf(body[property])[0];
  return isObject(v) && typeof v["@id"] === "string" && v["@id"].startsWith(CARGO) ? v["@id"].slice(CARGO.length) : undefined;
};

/**
 * What a ONE Record logistics object (a LogisticsObject record's body, in the normal form of
 * sdk/one-record/jsonld.ts) says contains what, `selfIri` being the object's own IRI; undefined when
 * it says nothing of it. The containment properties of the cargo ontology 3.x (docs/consolidation.md):
 * a Waybill's `masterWaybill`, `houseWaybills` and `shipment`; a Shipment's `pieces`; a Piece's
 * `ofShipment`, `inPiece` and `containedPieces`; an ACTUAL COMPOSITION (build-up) Composing action's
 * `loadingUnit` and `composedPieces`. Objects are nodes by IRI; an air waybill number (ddd-dddddddd),
 * a house waybill number, a ULD's id (type, serial and owner code, e.g. AKE12345CX) and a piece's
 * UPID identify the object they are stated in, so that native records using them meet it.
 * No counts or weights: the figures are in other objects than the one stating the edge.
 */
export function logisticsObjectContainmentOf(body: unknown, selfIri: string): ContainmentStatement | undefined {
  if (!isObject(body) || typeof body.objectType !== "string") return undefined;
  const type = body.objectType;
  const edges: StatedEdge[] = [];
  const seen = new Set<string>();
  const add = (container: ContainmentNode, content: ContainmentNode, relation: ContainmentEdge["relation"], ...fields: string[]) => {
    const key = JSON.stringify([container.id, content.id]);
    // A reference to the object itself says nothing; each pair is stated once.
    if (container.id === content.id || seen.has(key)) return;
    seen.add(key);
    edges.push({ container, content, relation, fields });
  };
  const refs = (property: string) => referencesOf(body, property);
  let self: ContainmentNode;
  if (type === "Waybill") {
    const waybillType = individualOf(body, "waybillType");
    const house = waybillType === "HOUSE" || (waybillType === undefined && body.masterWaybill !== undefined);
    self = { kind: house ? "HOUSE" : "MASTER", id: selfIri };
    for (const m of refs("masterWaybill")) add({ kind: "MASTER", id: m }, self, "contains", "masterWaybill");
    for (const h of refs("houseWaybills")) add(self, { kind: "HOUSE", id: h }, "contains", "houseWaybills");
    for (const s of refs("shipment")) add(self, { kind: "SHIPMENT", id: s }, "contains", "shipment");
    const number = literalOf(body, "waybillNumber");
    const prefix = literalOf(body, "waybillPrefix");
    // An air waybill (master or direct) by its printed number, as native waybills write it; a house by its own.
    const awb = prefix !== undefined && number !== undefined && AwbNumber.safeParse(`${prefix}-${number}`).success ? formatAwb(prefix + number) : undefined;
    const named = house ? number : awb;
    if (named !== undefined) add({ kind: self.kind, id: named }, self, "identifies", ...(house ? ["waybillNumber"] : ["waybillPrefix", "waybillNumber"]));
  } else if (type === "Shipment") {
    self = { kind: "SHIPMENT", id: selfIri };
    for (const p of refs("pieces")) add(self, { kind: "PIECE", id: p }, "contains", "pieces");
  } else if (PIECE_CLASSES.has(type)) {
    self = { kind: "PIECE", id: selfIri };
    for (const s of refs("ofShipment")) add({ kind: "SHIPMENT", id: s }, self, "contains", "ofShipment");
    for (const p of refs("inPiece")) add({ kind: "PIECE", id: p }, self, "contains", "inPiece");
    for (const p of refs("containedPieces")) add(self, { kind: "PIECE", id: p }, "contains", "containedPieces");
    const upid = literalOf(body, "upid");
    if (upid !== undefined) add({ kind: "PIECE", id: upid }, self, "identifies", "upid");
  } else if (LOADING_UNIT_CLASSES.has(type)) {
    self = { kind: "ULD", id: selfIri };
    const [uldType, serial, owner] = [codeOf(body, "uldTypeCode"), literalOf(body, "uldSerialNumber"), codeOf(body, "ownerCode")];
    if (uldType !== undefined && serial !== undefined && owner !== undefined)
      add({ kind: "ULD", id: `${uldType}${serial}${owner}` }, self, "identifies", "uldTypeCode", "uldSerialNumber", "ownerCode");
  } else if (type === "Composing") {
    // A build-up that happened: a break-down, or a planned or requested one, states no containment.
    const timeType = individualOf(body, "actionTimeType");
    const [unit] = refs("loadingUnit");
    if (individualOf(body, "compositionType") !== "COMPOSITION" || (timeType !== undefined && timeType !== "ACTUAL") || unit === undefined) return undefined;
    self = { kind: "ULD", id: unit };
    for (const p of refs("composedPieces")) add(self, { kind: "PIECE", id: p }, "contains", "loadingUnit", "composedPieces", "compositionType");
  } else return undefined;
  if (edges.length === 0) return undefined;
  return { kind: "logistics-object", container: self, edges, discrepancies: [], origin: [] };
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
