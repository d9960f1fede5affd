import type { SignedRecord } from "../../../sdk/envelope";
import { partyKind, productAuthority, speakerOf } from "../../../sdk/provenance/attesters";
import type { ProductCode } from "../../../sdk/provenance/digital-link";
import type { EpcisEventBody } from "../../../sdk/records/epcis-event";
import type { DbProvider } from "../../db/client";
import { query, type Runner } from "../../db/sql";
import { cbvWord } from "./cbv";
import { scanKey } from "./code-key";
import { retractions } from "./corrections";

type SaleRecord = Pick<SignedRecord, "type" | "owner" | "body">;
type Item = ProductCode & { serial: string };

/** An EPCIS event marking a serialised item sold. */
export interface SaleClaim {
  code: Item;
  event: SaleRecord;
}

/** Whether an EPCIS event names what it names sold at retail (disposition retail_sold), a declaration of such an event included. */
export const namesSale = (record: Pick<SignedRecord, "type" | "body">): boolean =>
  record.type === "EpcisEvent" && cbvWord((record.body as EpcisEventBody).disposition) === "retail_sold";

/** Whether an EPCIS event marks what it names as sold: an error declaration repeats the event it retracts, it sells nothing. */
export const marksSold = (record: Pick<SignedRecord, "type" | "body">): boolean =>
  namesSale(record) && (record.body as EpcisEventBody).errorDeclaration === undefined;

/**
 * The sales that count towards an item's copy warning: those marked by the item's brand (the GTIN's
 * owner) or a partner named by a batch of the brand's that lists the serial, as the database says
 * inside the publishing transaction. Anyone else's "sold" would let a stranger raise the warning on
 * another brand's item.
 */
export async function authorisedSales(tx: Runner, provider: DbProvider, claims: readonly SaleClaim[]): Promise<SaleClaim[]> {
  const authorities = new Map<string, ReturnType<typeof productAuthority> | undefined>();
  const out: SaleClaim[] = [];
  for (const claim of claims) {
    const key = `${claim.code.gtin}/${claim.code.serial}`;
    if (!authorities.has(key)) {
      const batches = await query<{ owner: string; body: string }>(
        tx,
        provider,
        `SELECT v."owner", v."body" FROM "ProductCodeSerial" s
           JOIN "GtinOwner" o ON o."gtin" = s."gtin"
           JOIN "Record" r ON r."id" = s."recordId"
           JOIN "RecordVersion" v ON v."recordId" = r."id" AND v."version" = r."latestVersion" AND v."owner" = o."owner"
          WHERE s."gtin" = $1 AND s."serial" = $2`,
        [claim.code.gtin, claim.code.serial],
      );
      authorities.set(
        key,
        batches.length === 0
          ? undefined
          : productAuthority(
              batches[0]!.owner,
              batches.map((b) => ({ owner: b.owner, body: JSON.parse(b.body) as Record<string, unknown> })),
            ),
      );
    }
    const authority = authorities.get(key);
    if (authority && partyKind(speakerOf(claim.event), authority)) out.push(claim);
  }
  return out;
}

/**
 * Which of these items are sold now, as the database says inside the publishing transaction: an
 * authorised sale (authorisedSales) stands for it that its own claimant has not declared in error
 * (corrections.ts's rule, the page's). Reads every EPCIS event the product index ties to the item
 * itself, so the order in which a sale and its declaration arrive does not matter.
 */
export async function soldItems(tx: Runner, provider: DbProvider, items: readonly Item[]): Promise<Set<string>> {
  const sold = new Set<string>();
  for (const item of new Map(items.map((i) => [scanKey(i), i])).values()) {
    const rows = await query<{ owner: string; body: string }>(
      tx,
      provider,
      `SELECT v."owner", v."body" FROM "ProductIndex" i
         JOIN "Record" r ON r."id" = i."recordId" AND r."type" = 'EpcisEvent'
         JOIN "RecordVersion" v ON v."recordId" = r."id" AND v."version" = r."latestVersion"
        WHERE i."gtin" = $1 AND i."serial" = $2 AND i."recordId" = i."source"`,
      [item.gtin, item.serial],
    );
    const events: SaleRecord[] = rows
      .map((r) => ({ type: "EpcisEvent", owner: r.owner, body: JSON.parse(r.body) as Record<string, unknown> }))
      .filter(namesSale);
    const retractionOf = retractions(events, (e) => ({ type: e.type, claimant: speakerOf(e), body: e.body }));
    const standing = events.filter((e) => marksSold(e) && !retractionOf(e)).map((event) => ({ code: item, event }));
    if ((await authorisedSales(tx, provider, standing)).length > 0) sold.add(scanKey(item));
  }
  return sold;
}
