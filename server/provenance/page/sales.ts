import type { SignedRecord } from "../../../sdk/envelope";
import { partyKind, productAuthority, speakerOf } from "../../../sdk/provenance/attesters";
import type { ProductCode } from "../../../sdk/provenance/digital-link";
import type { DbProvider } from "../../db/client";
import { query, type Runner } from "../../db/sql";

/** An EPCIS event marking a serialised item sold. */
export interface SaleClaim {
  code: ProductCode & { serial: string };
  event: SignedRecord;
}

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
        batches.length === 0 ? undefined : productAuthority(batches[0]!.owner, batches.map((b) => ({ owner: b.owner, body: JSON.parse(b.body) as Record<string, unknown> }))),
      );
    }
    const authority = authorities.get(key);
    if (authority && partyKind(speakerOf(claim.event), authority)) out.push(claim);
  }
  return out;
}
