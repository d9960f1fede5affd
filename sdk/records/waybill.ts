import { z } from "zod";
import { OrgIdSchema } from "../envelope";
import { AwbNumber, IataAirlineCode, IataAirportCode, Party, Weight } from "./codes";
import { OrderNumber, CebSource } from "./customs-common";

/**
 * Master or house air waybill (ONE Record `Waybill`); a house waybill names its master
 * (consolidation). A PARCEL waybill is a courier's or logistics company's e-commerce waybill for one
 * order: it names the order and its platform (so the customs match can find it), may name the master
 * air waybill it flies under, and needs the consignee's address (it is delivered there).
 */
export const WaybillBody = z
  .object({
    waybillType: z.enum(["MASTER", "HOUSE", "PARCEL"]),
    waybillNumber: z.string().min(1).max(35),
    masterWaybillNumber: AwbNumber.optional(),
    carrierCode: IataAirlineCode.optional(),
    shipmentId: z.string().optional(),
    origin: IataAirportCode,
    destination: IataAirportCode,
    shipper: Party,
    consignee: Party,
    pieceCount: z.number().int().positive(),
    grossWeight: Weight,
    goodsDescription: z.string().min(1).max(1000),
    // PARCEL only (and required there).
    orderNumber: OrderNumber.optional(),
    platform: OrgIdSchema.optional(),
    ceb: CebSource.optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.waybillType === "PARCEL") {
      if (w.orderNumber === undefined) ctx.addIssue({ code: "custom", path: ["orderNumber"], message: "a parcel waybill names its order" });
      if (w.platform === undefined) ctx.addIssue({ code: "custom", path: ["platform"], message: "a parcel waybill names the order's platform" });
      if (w.consignee && w.consignee.address === undefined)
        ctx.addIssue({ code: "custom", path: ["consignee", "address"], message: "a parcel waybill carries the consignee's address" });
      return;
    }
    for (const field of ["orderNumber", "platform"] as const)
      if (w[field] !== undefined)
        ctx.addIssue({ code: "custom", path: [field], message: `only a parcel waybill names ${field === "platform" ? "a platform" : "an order"}` });
    if (w.waybillType === "MASTER") {
      const awb = AwbNumber.safeParse(w.waybillNumber);
      if (!awb.success) for (const i of awb.error.issues) ctx.addIssue({ code: "custom", path: ["waybillNumber"], message: i.message });
      if (w.masterWaybillNumber) ctx.addIssue({ code: "custom", path: ["masterWaybillNumber"], message: "a master waybill has no master" });
    } else if (!w.masterWaybillNumber) {
      ctx.addIssue({ code: "custom", path: ["masterWaybillNumber"], message: "a house waybill names its master waybill" });
    }
  });
export type WaybillBody = z.infer<typeof WaybillBody>;
