import type { SignedRecord } from "../../../sdk/envelope";
import { parseDigitalLink, type ProductCode } from "../../../sdk/provenance/digital-link";
import { productOfEpc } from "../../../sdk/provenance/epc";
import type { CertificationBody } from "../../../sdk/records/certification";
import type { EpcisEventBody } from "../../../sdk/records/epcis-event";
import type { ProductBatchBody } from "../../../sdk/records/product-batch";
import { chunks, execute, placeholders, query, type Runner } from "../../db/sql";
import type { DbProvider } from "../../db/client";
import type { PublishContext, RecordObserver } from "../../records/observers";
import { scanKey } from "./code-key";
import { namesSale, soldItems } from "./sales";

/** One ProductIndex row: record `recordId` belongs to the code, because record `source` says so. */
type IndexRow = [gtin: string, lot: string, serial: string, recordId: string, source: string];

/** The codes a record names itself (never through a link), per the page's disclosure rule. */
export function codesNamedBy(record: SignedRecord): ProductCode[] {
  if (record.type === "ProductBatch") {
    const b = record.body as ProductBatchBody;
    return [{ gtin: b.gtin, lot: b.lot }];
  }
  if (record.type === "EpcisEvent") {
    const b = record.body as EpcisEventBody;
    return b.epcs.flatMap((epc) => {
      const code = productOfEpc(epc);
      return code ? [code] : [];
    });
  }
  if (record.type === "Certification") {
    const b = record.body as CertificationBody;
    return b.subjects.flatMap((subject) => {
      if (/^\d{14}$/.test(subject)) return [{ gtin: subject }];
      try {
        return [parseDigitalLink(subject)];
      } catch {
        return []; // a subject that names no product (e.g. a company) ties the certificate to none
      }
    });
  }
  return [];
}

const rowOf = (c: ProductCode, recordId: string, source: string): IndexRow => [c.gtin, c.lot ?? "", c.serial ?? "", recordId, source];

async function insertIgnoring(tx: Runner, provider: DbProvider, table: string, columns: string[], rows: (string | Date)[][]): Promise<void> {
  const perStatement = Math.floor(30_000 / columns.length);
  for (const part of chunks(rows, perStatement)) {
    let n = 0;
    const tuples = part.map(() => `(${columns.map(() => `$${++n}`).join(", ")})`);
    await execute(
      tx,
      provider,
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")} ON CONFLICT DO NOTHING`,
      part.flat(),
    );
  }
}

/**
 * The product index (a RecordObserver): for every stored record version, which product codes it
 * belongs to. A ProductBatch belongs to its (gtin, lot) (its serials are in ProductCodeSerial, kept by GtinOwnership); an EPCIS event to the
 * products its EPCs name; a certification to the products its subjects name; and a record an EPCIS
 * event links to, to the event's products, when the event's owner also owns that record. The link
 * is kept, so a record published after the event joins as well. A new version replaces what the
 * record's earlier versions said. The index ties records to codes whoever wrote them; the story
 * shows only those of parties that may speak about the product (story.ts), and only the brand's or
 * a partner's sale marks an item sold.
 */
export class ProductIndexer implements RecordObserver {
  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const { tx, provider, now } = ctx;
    const latest = new Map<string, SignedRecord>();
    for (const r of records) latest.set(r.id, r);
    const stored = [...latest.values()];

    const replaced = stored.filter((r) => r.version > 1).map((r) => r.id);
    for (const ids of chunks(replaced)) {
      const list = placeholders(1, ids.length);
      await execute(tx, provider, `DELETE FROM "ProductIndex" WHERE "source" IN (${list})`, ids);
      await execute(tx, provider, `DELETE FROM "ProductLink" WHERE "eventId" IN (${list})`, ids);
    }

    const rows = new Map<string, IndexRow>();
    const add = (row: IndexRow) => rows.set(row.join("\u0000"), row);
    const links: string[][] = [];
    const sales: (ProductCode & { serial: string })[] = [];
    const codesOf = new Map<string, ProductCode[]>();
    for (const r of stored) {
      const codes = codesNamedBy(r);
      codesOf.set(r.id, codes);
      for (const c of codes) add(rowOf(c, r.id, r.id));
      if (r.type === "EpcisEvent") {
        for (const l of (r.body as EpcisEventBody).links) links.push([l.recordId, r.id, r.owner]);
        // A sale, or a declaration that may retract one: the items' sold mark is decided again.
        if (namesSale(r)) for (const c of codes) if (c.serial !== undefined) sales.push({ gtin: c.gtin, serial: c.serial });
      }
    }

    // Links of the stored events to records that exist already (or in this batch), same owner only.
    const linked = [...new Set(links.map(([linkedId]) => linkedId))];
    const owners = new Map<string, string>();
    for (const ids of chunks(linked)) {
      const found = await query<{ id: string; owner: string }>(
        tx,
        provider,
        `SELECT "id", "owner" FROM "Record" WHERE "id" IN (${placeholders(1, ids.length)})`,
        ids,
      );
      for (const f of found) owners.set(f.id, f.owner);
    }
    for (const [linkedId, eventId, owner] of links)
      if (owners.get(linkedId) === owner) for (const c of codesOf.get(eventId) ?? []) add(rowOf(c, linkedId, eventId));

    // Stored records that earlier events link to: they take those events' codes.
    const ids = stored.map((r) => r.id);
    const ownerOf = new Map(stored.map((r) => [r.id, r.owner]));
    for (const part of chunks(ids)) {
      const waiting = await query<{ linkedId: string; eventId: string; owner: string }>(
        tx,
        provider,
        `SELECT "linkedId", "eventId", "owner" FROM "ProductLink" WHERE "linkedId" IN (${placeholders(1, part.length)})`,
        part,
      );
      const events = [...new Set(waiting.filter((w) => ownerOf.get(w.linkedId) === w.owner).map((w) => w.eventId))];
      if (events.length === 0) continue;
      const codes = await query<{ gtin: string; lot: string; serial: string; recordId: string }>(
        tx,
        provider,
        `SELECT "gtin", "lot", "serial", "recordId" FROM "ProductIndex" WHERE "recordId" = "source" AND "source" IN (${placeholders(1, events.length)})`,
        events,
      );
      for (const w of waiting) {
        if (ownerOf.get(w.linkedId) !== w.owner) continue;
        for (const c of codes) if (c.recordId === w.eventId) add([c.gtin, c.lot, c.serial, w.linkedId, w.eventId]);
      }
    }

    if (rows.size > 0) await insertIgnoring(tx, provider, "ProductIndex", ["gtin", "lot", "serial", "recordId", "source"], [...rows.values()]);
    if (links.length > 0) await insertIgnoring(tx, provider, "ProductLink", ["linkedId", "eventId", "owner"], links);
    // Scans of a sold item count from when the hub learns of the sale from its brand or a partner;
    // a sale its claimant declared in error unmarks the item (and its count after the sale) unless
    // another sale stands. A standing sale keeps the mark it has: scans count from the first.
    const sold = await soldItems(tx, provider, sales);
    for (const code of new Set(sales.map(scanKey))) {
      if (sold.has(code))
        await execute(
          tx,
          provider,
          `INSERT INTO "ProductScan" ("code", "count", "afterSold", "soldAt") VALUES ($1, 0, 0, $2)
           ON CONFLICT ("code") DO UPDATE SET "soldAt" = COALESCE("ProductScan"."soldAt", $2)`,
          [code, now],
        );
      else await execute(tx, provider, `UPDATE "ProductScan" SET "soldAt" = NULL, "afterSold" = 0 WHERE "code" = $1 AND "soldAt" IS NOT NULL`, [code]);
    }
  }
}
