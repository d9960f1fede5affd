import { z } from "zod";
import { AwbNumber, IataAirlineCode, IataAirportCode, Party, Weight } from "./codes";

/** Master or house air waybill (ONE Record `Waybill`); a house waybill names its master (consolidation). */
export const WaybillBody = z
  .object({
    waybillType: z.enum(["MASTER", "HOUSE"]),
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
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.waybillType === "MASTER") {
      const awb = AwbNumber.safeParse(w.waybillNumber);
      if (!awb.success) for (const i of awb.error.issues) ctx.addIssue({ code: "custom", path: ["waybillNumber"], message: i.message });
      if (w.masterWaybillNumber) ctx.addIssue({ code: "custom", path: ["masterWaybillNumber"], message: "a master waybill has no master" });
    } else if (!w.masterWaybillNumber) {
      ctx.addIssue({ code: "custom", path: ["masterWaybillNumber"], message: "a house waybill names its master waybill" });
    }
  });
export type WaybillBody = z.infer<typeof WaybillBody>;
