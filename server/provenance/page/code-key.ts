import type { ProductCode } from "../../../sdk/provenance/digital-link";

/**
 * The key a code's scans are kept under: "01/{gtin}/21/{serial}" for an item (its lot does not
 * matter), "01/{gtin}/10/{lot}" for a batch, "01/{gtin}" for the trade item.
 */
export function scanKey(code: ProductCode): string {
  if (code.serial !== undefined) return `01/${code.gtin}/21/${code.serial}`;
  if (code.lot !== undefined) return `01/${code.gtin}/10/${code.lot}`;
  return `01/${code.gtin}`;
}
