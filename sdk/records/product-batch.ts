import { z } from "zod";
import { CountryCode, Gtin, IsoDate, UnLocode } from "./codes";

/** GS1 AI (10) batch/lot and AI (21) serial: up to 20 characters of GS1's AI encodable set 82. */
export const GS1_AI82 = /^[!"%-?A-Z_a-z]{1,20}$/;
export const LotNumber = z.string().regex(GS1_AI82, "a lot is 1-20 characters of the GS1 AI encodable character set 82");
export const SerialNumber = z.string().regex(GS1_AI82, "a serial is 1-20 characters of the GS1 AI encodable character set 82");

const Place = z
  .object({
    name: z.string().min(1).max(200),
    country: CountryCode,
    unLocode: UnLocode.optional(),
  })
  .strict();

/**
 * A production batch of one product, published by its brand owner: the root of the product's
 * provenance (GS1 Digital Link /01/{gtin}/10/{lot}, and /21/{serial} for each listed item).
 */
export const ProductBatchBody = z
  .object({
    gtin: Gtin,
    lot: LotNumber,
    productName: z.string().min(1).max(200),
    brand: z.string().min(1).max(200),
    productionDate: IsoDate,
    expiryDate: IsoDate.optional(),
    productionPlace: Place,
    manufacturer: z.object({ name: z.string().min(1).max(200), country: CountryCode }).strict(),
    quantity: z.number().int().positive().optional(),
    // Serialised items of the batch; the hub's code for each is /01/{gtin}/21/{serial}.
    serials: z.array(SerialNumber).max(10_000).optional(),
    // Not for consumers (see PUBLIC_FIELDS): internal production notes.
    internalNotes: z.string().max(2000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.expiryDate !== undefined && b.expiryDate < b.productionDate)
      ctx.addIssue({ code: "custom", path: ["expiryDate"], message: "expiryDate is before productionDate" });
    if (b.serials && new Set(b.serials).size !== b.serials.length)
      ctx.addIssue({ code: "custom", path: ["serials"], message: "serials repeat" });
  });
export type ProductBatchBody = z.infer<typeof ProductBatchBody>;
