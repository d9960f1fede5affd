import type { ProductCode } from "../../sdk/provenance/digital-link";
import type { DbProvider } from "../db/client";
import { query, type Runner } from "../db/sql";

/**
 * Whether the hub knows a product code: a ProductBatch (latest version) names its gtin and lot, or
 * lists its serial (with that lot, when the code has one); a gtin-only code when the GTIN has a batch.
 */
export async function isKnownCode(db: Runner, provider: DbProvider, code: ProductCode): Promise<boolean> {
  let rows: unknown[];
  if (code.serial !== undefined) {
    const lot = code.lot !== undefined ? ` AND "lot" = $3` : "";
    rows = await query(db, provider, `SELECT 1 AS "one" FROM "ProductCodeSerial" WHERE "gtin" = $1 AND "serial" = $2${lot} LIMIT 1`, [
      code.gtin,
      code.serial,
      ...(code.lot !== undefined ? [code.lot] : []),
    ]);
  } else if (code.lot !== undefined) {
    rows = await query(db, provider, `SELECT 1 AS "one" FROM "ProductCodeBatch" WHERE "gtin" = $1 AND "lot" = $2 LIMIT 1`, [code.gtin, code.lot]);
  } else {
    rows = await query(db, provider, `SELECT 1 AS "one" FROM "ProductCodeBatch" WHERE "gtin" = $1 LIMIT 1`, [code.gtin]);
  }
  return rows.length > 0;
}
