import { containmentOf, logisticsObjectContainmentOf, waybillContainmentOf } from "../../sdk/consolidation";
import type { SignedRecord } from "../../sdk/envelope";
import { WaybillBody } from "../../sdk/records/waybill";
import { insertRows } from "../db/bulk-insert";
import { chunks, execute, placeholders } from "../db/sql";
import type { OneRecordIris } from "../one-record/iris";
import { LOGISTICS_OBJECT } from "../records/links";
import type { PublishContext, RecordObserver } from "../records/observers";

export const CONSOLIDATION = "Consolidation";
export const SPLIT = "ConsignmentSplit";
const WAYBILL = "Waybill";

/** The tables a record's rows live in, each keyed by recordId with a validity interval. */
const TABLES = ["ContainmentStatement", "ContainmentEdge", "ContainmentWaybill"] as const;

/**
 * The consolidation index (docs/consolidation.md), inside the publishing transaction: for each
 * Consolidation, ConsignmentSplit and Waybill, the containment its latest version states
 * (sdk/consolidation.ts containmentOf), valid from the body's `at` (a waybill's: its publication
 * time). A newer version ends the older one's rows at its own time, so the index answers as of a
 * past time. Discrepancies are indexed and flagged, never refused: the goods are where they are.
 * ONE Record objects (LogisticsObject records) state containment by their links
 * (logisticsObjectContainmentOf), their nodes named by the hub's object IRIs; valid from each
 * revision's publication time, as a revision carries no time of its own.
 */
export class ConsolidationIndexer implements RecordObserver {
  constructor(private readonly iris: OneRecordIris) {}

  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    let latest: Map<string, SignedRecord> | undefined;
    // Versions of one id in one batch are consecutive: the last one is the latest.
    for (const r of records)
      if (r.type === CONSOLIDATION || r.type === SPLIT || r.type === WAYBILL || r.type === LOGISTICS_OBJECT) (latest ??= new Map()).set(r.id, r);
    if (!latest) return;
    const { tx, provider, now } = ctx;
    const statements: (string | number | null)[][] = [];
    const edges: (string | number | null)[][] = [];
    const waybills: (string | number | null)[][] = [];
    const ends: { id: string; at: string }[] = [];
    for (const r of latest.values()) {
      // A waybill's body is parsed once, for its row and for what it contains (checked by the publish path already).
      const waybill = r.type === WAYBILL ? WaybillBody.parse(r.body) : undefined;
      const said =
        r.type === LOGISTICS_OBJECT
          ? logisticsObjectContainmentOf(r.body, this.iris.object(r.id))
          : waybill
            ? waybillContainmentOf(waybill)
            : containmentOf(r.type, r.body);
      const from = new Date(said?.at ?? now).toISOString();
      if (r.version > 1) ends.push({ id: r.id, at: from });
      if (waybill)
        waybills.push([
          r.id,
          r.version,
          r.digest,
          r.owner,
          waybill.waybillNumber,
          waybill.waybillType,
          waybill.orderNumber ?? null,
          waybill.platform ?? null,
          from,
        ]);
      if (!said) continue;
      statements.push([
        r.id,
        r.version,
        r.digest,
        r.type,
        r.owner,
        said.kind,
        said.container.kind,
        said.container.id,
        from,
        JSON.stringify(said.discrepancies),
        JSON.stringify(said.origin),
      ]);
      for (const e of said.edges)
        edges.push([
          r.id,
          r.version,
          e.container.kind,
          e.container.id,
          e.content.kind,
          e.content.id,
          e.relation,
          e.pieceCount ?? null,
          e.grossWeight ? JSON.stringify(e.grossWeight) : null,
          e.flight ?? null,
          e.date ?? null,
          e.fields ? JSON.stringify(e.fields) : null,
          from,
        ]);
    }
    // One statement per distinct time: a batch's new versions mostly share one.
    const byTime = new Map<string, string[]>();
    for (const e of ends) byTime.set(e.at, [...(byTime.get(e.at) ?? []), e.id]);
    for (const [at, ids] of byTime)
      for (const part of chunks(ids))
        for (const table of TABLES)
          await execute(tx, provider, `UPDATE "${table}" SET "validTo" = $1 WHERE "validTo" IS NULL AND "recordId" IN (${placeholders(2, part.length)})`, [
            at,
            ...part,
          ]);
    await insertRows(
      tx,
      provider,
      "ContainmentStatement",
      ["recordId", "version", "digest", "recordType", "owner", "kind", "containerKind", "containerId", "validFrom", "discrepancies", "origin"],
      statements,
    );
    await insertRows(
      tx,
      provider,
      "ContainmentEdge",
      [
        "recordId",
        "version",
        "containerKind",
        "containerId",
        "contentKind",
        "contentId",
        "relation",
        "pieceCount",
        "grossWeight",
        "flight",
        "date",
        "fields",
        "validFrom",
      ],
      edges,
    );
    await insertRows(
      tx,
      provider,
      "ContainmentWaybill",
      ["recordId", "version", "digest", "owner", "waybillNumber", "waybillType", "orderNumber", "platform", "validFrom"],
      waybills,
    );
  }
}
