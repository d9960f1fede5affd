import { createHash } from "node:crypto";
import { z } from "zod";
import { OrgIdSchema } from "../envelope";

/**
 * EPCIS 2.0 master data (§6.5, the capture document's epcisHeader.epcisMasterData) for locations and
 * parties: one vocabulary element (an SGLN or a PGLN, as a URN or a GS1 Digital Link URI) with the
 * CBV 2.0 master data attributes (§10: `urn:epcglobal:cbv:mda:name`, `...:streetAddressOne`, ...)
 * a member stated for it. Who stated it is the record's owner, or `capturedBy` on a record the hub
 * attested for an EPCIS client. It names the location only where that party owns it (docs/epcis.md).
 */
export const MASTER_DATA_VOCABULARIES = [
  "urn:epcglobal:epcis:vtype:BusinessLocation",
  "urn:epcglobal:epcis:vtype:ReadPoint",
  "urn:epcglobal:epcis:vtype:Location",
  "urn:epcglobal:epcis:vtype:Party",
] as const;

/** The CBV 2.0 §10 location and party attributes a record repeats at its top (public fields). */
export const MASTER_DATA_ATTRIBUTES = [
  "name",
  "streetAddressOne",
  "streetAddressTwo",
  "streetAddressThree",
  "city",
  "state",
  "postalCode",
  "countryCode",
  "latitude",
  "longitude",
] as const;
export type MasterDataAttribute = (typeof MASTER_DATA_ATTRIBUTES)[number];

const Text = z.string().trim().min(1).max(512);
const Degrees = (max: number) =>
  z
    .string()
    .regex(/^[+-]?\d{1,3}(\.\d{1,10})?$/, "a decimal number of degrees")
    .refine((v) => Math.abs(Number(v)) <= max, `at most ${max} degrees`);

export const EpcisMasterDataBody = z
  .object({
    vocabularyType: z.enum(MASTER_DATA_VOCABULARIES),
    id: z.string().min(1).max(512),
    name: Text.optional(),
    streetAddressOne: Text.optional(),
    streetAddressTwo: Text.optional(),
    streetAddressThree: Text.optional(),
    city: Text.optional(),
    state: Text.optional(),
    postalCode: Text.optional(),
    // ISO 3166-1 alpha-2, as CBV 2.0 §10 says.
    countryCode: z.string().regex(/^[A-Z]{2}$/, "countryCode is an ISO 3166-1 alpha-2 code"),
    latitude: Degrees(90).optional(),
    longitude: Degrees(180).optional(),
    // Every attribute of the element as captured (others' vocabularies included), in order.
    attributes: z.array(z.object({ id: z.string().min(1).max(512), attribute: z.json().optional() }).strict()).max(200),
    children: z.array(z.string().min(1).max(512)).max(1_000).optional(),
    capturedBy: OrgIdSchema.optional(),
  })
  .partial({ countryCode: true })
  .strict();
export type EpcisMasterDataBody = z.infer<typeof EpcisMasterDataBody>;

/** `mda:{attester}:{40 hex of SHA-256 of the vocabulary type and id}`: one record per attester and element, versioned. */
export function masterDataRecordId(vocabularyType: string, id: string, attester: string): string {
  return `mda:${attester}:${createHash("sha256").update(`${vocabularyType}\n${id}`).digest("hex").slice(0, 40)}`;
}
