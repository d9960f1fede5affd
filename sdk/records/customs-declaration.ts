import { z } from "zod";
import { OrgIdSchema } from "../envelope";
import { IsoDateTime, Weight } from "./codes";
import { Identity, OrderNumber, checkDocumentTotals, declaredShape, moneyShape, CebSource } from "./customs-common";

/**
 * The cross-border e-commerce list (China's 申报清单) of one order, filed by a customs broker or the
 * platform itself. It names the order, payment and waybill it covers. `buyer` is personal data.
 */
export const CustomsDeclarationBody = z
  .object({
    declarationNumber: z.string().min(1).max(64),
    ...declaredShape,
    declaredAt: IsoDateTime,
    platform: OrgIdSchema,
    orderNumber: OrderNumber,
    paymentTransactionNumber: z.string().min(1).max(64).optional(),
    waybillNumber: z.string().min(1).max(35),
    buyer: Identity,
    ...moneyShape,
    netWeight: Weight,
    ceb: CebSource.optional(),
  })
  .strict()
  .superRefine(checkDocumentTotals);
export type CustomsDeclarationBody = z.infer<typeof CustomsDeclarationBody>;
