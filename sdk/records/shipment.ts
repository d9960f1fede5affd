import { z } from "zod";
import { IataAirportCode, Party, Weight } from "./codes";

/** A consignment moved as one unit (ONE Record `Shipment`). */
export const ShipmentBody = z
  .object({
    goodsDescription: z.string().min(1).max(1000),
    totalGrossWeight: Weight,
    pieceCount: z.number().int().positive(),
    shipper: Party,
    consignee: Party,
    origin: IataAirportCode,
    destination: IataAirportCode,
    incoterms: z.enum(["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]).optional(),
    waybillNumber: z.string().optional(),
  })
  .strict();
export type ShipmentBody = z.infer<typeof ShipmentBody>;
