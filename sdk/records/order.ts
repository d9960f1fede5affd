import { z } from "zod";
import { IsoDateTime } from "./codes";
import { Consignee, Identity, OrderNumber, checkDocumentTotals, declaredShape, moneyShape } from "./customs-common";

/**
 * A cross-border e-commerce order, published by the e-commerce platform (the record's owner is the
 * platform, so the body does not name it). `buyer` is personal data.
 */
export const OrderBody = z
  .object({
    orderNumber: OrderNumber,
    ...declaredShape,
    orderedAt: IsoDateTime,
    buyer: Identity,
    consignee: Consignee,
    ...moneyShape,
  })
  .strict()
  .superRefine(checkDocumentTotals);
export type OrderBody = z.infer<typeof OrderBody>;
