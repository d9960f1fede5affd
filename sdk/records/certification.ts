import { z } from "zod";
import { CountryCode, IsoDate } from "./codes";

/** A certificate or inspection report by an inspection, testing or certification body. */
export const CertificationBody = z
  .object({
    kind: z.enum(["INSPECTION_REPORT", "CERTIFICATE_OF_ORIGIN", "QUALITY", "HALAL", "CARBON"]),
    certificateNumber: z.string().min(1).max(64),
    issuedTo: z.string().min(1).max(200),
    subjects: z.array(z.string().min(1).max(128)).min(1),
    scope: z.string().min(1).max(2000),
    originCountry: CountryCode.optional(),
    validFrom: IsoDate,
    validUntil: IsoDate,
    result: z.enum(["PASS", "FAIL", "CONDITIONAL"]).optional(),
  })
  .strict()
  .refine((c) => c.validUntil >= c.validFrom, { path: ["validUntil"], message: "validUntil is before validFrom" });
export type CertificationBody = z.infer<typeof CertificationBody>;
