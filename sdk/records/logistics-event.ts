import { z } from "zod";
import { IataAirportCode, IsoDateTime } from "./codes";

/** Status codes of the cargo lifecycle (Cargo-IMP/ONE Record event codes). */
export const LogisticsEventCode = z.enum(["BKD", "RCS", "MAN", "PRE", "DEP", "ARR", "RCF", "NFD", "AWD", "CCD", "DLV", "DIS"]);

/** A status event about a logistics object (ONE Record `LogisticsEvent`). */
export const LogisticsEventBody = z
  .object({
    eventCode: LogisticsEventCode,
    eventName: z.string().max(200).optional(),
    eventDate: IsoDateTime,
    eventLocation: IataAirportCode,
    /**
     * What the event is about. A record id or an object IRI of the hub names that record: the
     * publisher must be able to read it (else the hub answers 404, as for no such record).
     */
    eventFor: z.string().min(1).max(128),
    remarks: z.string().max(1000).optional(),
  })
  .strict();
export type LogisticsEventBody = z.infer<typeof LogisticsEventBody>;
