import { z } from "zod";
import { OrgIdSchema } from "../envelope";
import { RoleSchema } from "../roles";
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
 * A supply-chain partner the brand names for the batch: the organisation may state facts and
 * events about the batch's products on their public page (its role is what it does, for the page).
 */
export const ProductPartner = z.object({ org: OrgIdSchema, role: RoleSchema.optional() }).strict();
export type ProductPartner = z.infer<typeof ProductPartner>;

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
    // Who besides the brand may speak about the batch on its page (signed and anchored with it, so
    // a browser checks the list from the chain-anchored batch itself).
    partners: z.array(ProductPartner).max(100).optional(),
    // Not for consumers (see PUBLIC_FIELDS): internal production notes.
    internalNotes: z.string().max(2000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.expiryDate !== undefined && b.expiryDate < b.productionDate)
      ctx.addIssue({ code: "custom", path: ["expiryDate"], message: "expiryDate is before productionDate" });
    if (b.serials && new Set(b.serials).size !== b.serials.length) ctx.addIssue({ code: "custom", path: ["serials"], message: "serials repeat" });
    if (b.partners && new Set(b.partners.map((p) => p.org)).size !== b.partners.length)
      ctx.addIssue({ code: "custom", path: ["partners"], message: "a partner is named twice" });
  });
export type ProductBatchBody = z.infer<typeof ProductBatchBody>;
