import { z } from "zod";
import { OrgIdSchema } from "../envelope";
import { IsoDateTime } from "./codes";
import { Consignee, Identity, OrderNumber, checkDocumentTotals, declaredShape, moneyShape, CebSource } from "./customs-common";

/**
 * A cross-border e-commerce order, published by the e-commerce platform (the record's owner is the
 * platform, so the body does not name it). `buyer` is personal data.
 *
 * The order names the parties whose documents count in its customs case: the payment firm
 * (`paymentProvider`: its Payment), the logistics company (`logisticsProvider`: its PARCEL Waybill)
 * and the broker filing the list (`declarant`: its CustomsDeclaration). The platform's own documents
 * always count; anyone else's document naming this order counts only while the order names its
 * publisher (docs/customs.md, "Who is a party of a case"). A new version of the order names a
 * party after the fact, or stops naming one.
 */
export const OrderBody = z
  .object({
    orderNumber: OrderNumber,
    ...declaredShape,
    orderedAt: IsoDateTime,
    buyer: Identity,
    consignee: Consignee,
    ...moneyShape,
    paymentProvider: OrgIdSchema.optional(),
    logisticsProvider: OrgIdSchema.optional(),
    declarant: OrgIdSchema.optional(),
    ceb: CebSource.optional(),
  })
  .strict()
  .superRefine(checkDocumentTotals);
export type OrderBody = z.infer<typeof OrderBody>;
