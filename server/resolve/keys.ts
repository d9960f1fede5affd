import type { SignedRecord } from "../../sdk/envelope";
import { merkleLeaf } from "../../sdk/merkle";
import { awbDigits } from "../../sdk/resolve";
import { WaybillBody } from "../../sdk/records/waybill";
import { insertRows } from "../db/bulk-insert";
import { chunks, execute, placeholders } from "../db/sql";
import type { PublishContext, RecordObserver } from "../records/observers";

/** The kinds of ResolveKey rows (migration 0032). */
export const LEAF = "leaf";
export const AWB = "awb";

/** The master air waybill number a waybill answers to: a master's own, a house's or parcel's master. */
export function masterNumberOf(body: WaybillBody): string | undefined {
  const n = body.waybillType === "MASTER" ? body.waybillNumber : body.masterWaybillNumber;
  return n === undefined ? undefined : awbDigits(n);
}

/**
 * Keeps the identifiers the bridge resolves that no other index holds, in the publishing
 * transaction: each version's Merkle leaf (a leaf cannot be turned back into its digest), and each
 * waybill's master air waybill number, from its latest version.
 */
export class ResolveKeys implements RecordObserver {
  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    if (records.length === 0) return;
    const { tx, provider } = ctx;
    const rows: (string | number)[][] = records.map((r) => [LEAF, merkleLeaf(r.digest), r.id, r.version]);
    const latest = new Map<string, SignedRecord>();
    for (const r of records) if (r.type === "Waybill" && (latest.get(r.id)?.version ?? 0) < r.version) latest.set(r.id, r);
    const waybills = [...latest.values()];
    for (const ids of chunks(waybills.filter((w) => w.version > 1).map((w) => w.id)))
      await execute(tx, provider, `DELETE FROM "ResolveKey" WHERE "kind" = '${AWB}' AND "recordId" IN (${placeholders(1, ids.length)})`, ids);
    for (const w of waybills) {
      const awb = masterNumberOf(WaybillBody.parse(w.body)); // checked by the publish path already; parsed for its type
      if (awb !== undefined) rows.push([AWB, awb, w.id, w.version]);
    }
    await insertRows(tx, provider, "ResolveKey", ["kind", "value", "recordId", "version"], rows);
  }
}
