import { z } from "zod";
import { OrgIdSchema } from "../envelope";
import { CurrencyCode, IsoDateTime } from "./codes";
import { Amount, Identity, OrderNumber, CebSource } from "./customs-common";

/** The payment of an order, published by the payment firm. `payer` is personal data. */
export const PaymentBody = z
  .object({
    transactionNumber: z.string().min(1).max(64),
    platform: OrgIdSchema,
    orderNumber: OrderNumber,
    payer: Identity,
    amount: Amount,
    currency: CurrencyCode,
    paidAt: IsoDateTime,
    ceb: CebSource.optional(),
  })
  .strict();
export type PaymentBody = z.infer<typeof PaymentBody>;
