import { z } from "zod";
import { Hex32, OrgIdSchema, RecordIdSchema } from "../envelope";
import { AwbNumber, IataAirportCode, IsoDateTime, Weight } from "./codes";

/** One thing handed over: a piece, a ULD or a package (SSCC), by its id or ONE Record IRI. */
export const CustodyItem = z
  .object({
    kind: z.enum(["PIECE", "ULD", "PACKAGE"]),
    id: z.string().min(1).max(256),
    /** The waybill numbers the item travels under, when the handing party knows them. */
    waybillNumbers: z.array(AwbNumber).max(50).optional(),
  })
  .strict();
export type CustodyItem = z.infer<typeof CustodyItem>;

/** Where the goods changed hands: an airport, a free-text location, or both. */
export const CustodyPlace = z
  .object({ airport: IataAirportCode.optional(), location: z.string().min(1).max(200).optional() })
  .strict()
  .refine((p) => p.airport !== undefined || p.location !== undefined, "a place names an airport, a location or both");

const Seals = z.array(z.string().min(1).max(64)).max(100);

/**
 * A custody handover, published and signed by the party handing the goods over (its owner): what it
 * hands to `receiver`, as it counted it. It stays one-sided until the receiver answers it with a
 * CustodyReceipt (sdk/custody.ts).
 */
export const CustodyHandoverBody = z
  .object({
    receiver: OrgIdSchema,
    items: z
      .array(CustodyItem)
      .min(1)
      .max(1000)
      .refine((items) => new Set(items.map((i) => i.id)).size === items.length, "each item is named once"),
    pieceCount: z.number().int().positive(),
    grossWeight: Weight,
    seals: Seals.optional(),
    place: CustodyPlace,
    handedOverAt: IsoDateTime,
    waybillNumbers: z.array(AwbNumber).max(50).optional(),
  })
  .strict();
export type CustodyHandoverBody = z.infer<typeof CustodyHandoverBody>;

/** Which version of which record a receipt answers, down to its digest. */
export const RecordBinding = z
  .object({
    id: RecordIdSchema,
    version: z.number().int().positive(),
    digest: Hex32,
  })
  .strict();

/**
 * The receiver's answer to a handover, published and signed by the receiver (its owner): its
 * signature over a body binding the handover's digest is the countersignature. REFUSED, or figures
 * differing from the handover's, are discrepancies.
 */
export const CustodyReceiptBody = z
  .object({
    handover: RecordBinding,
    decision: z.enum(["ACCEPTED", "REFUSED"]),
    countedPieces: z.number().int().nonnegative(),
    countedWeight: Weight,
    seals: Seals.optional(),
    receivedAt: IsoDateTime,
    remarks: z.string().max(1000).optional(),
  })
  .strict();
export type CustodyReceiptBody = z.infer<typeof CustodyReceiptBody>;
