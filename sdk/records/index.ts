import type { z } from "zod";
import { CertificationBody } from "./certification";
import { LogisticsEventBody } from "./logistics-event";
import { ShipmentBody } from "./shipment";
import { WaybillBody } from "./waybill";

/** Every record type the hub accepts, by name: the zod schema of its body. */
export const RECORD_TYPES = {
  Shipment: ShipmentBody,
  Waybill: WaybillBody,
  LogisticsEvent: LogisticsEventBody,
  Certification: CertificationBody,
} as const satisfies Record<string, z.ZodType>;

export type RecordType = keyof typeof RECORD_TYPES;
export type RecordBody<T extends RecordType> = z.infer<(typeof RECORD_TYPES)[T]>;

export function isRecordType(type: string): type is RecordType {
  return Object.hasOwn(RECORD_TYPES, type);
}

export { CertificationBody, LogisticsEventBody, ShipmentBody, WaybillBody };
