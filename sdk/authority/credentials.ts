import { z } from "zod";
import { canonicalJson } from "../canonical";
import { CountryCode, IataAirportCode } from "../records/codes";
import { CertificationBody } from "../records/certification";

/**
 * The credentials a member can hold, as recorded in the CredentialRegistry contract: each kind's
 * number on chain (its index here: append only) and the zod schema of its scope (canonical JSON on
 * chain). A scope list that is absent means "any": a licensed broker without `countries` is licensed
 * everywhere its issuer vouches for.
 */

const Countries = z.array(CountryCode).min(1).max(300).optional();
const CertificateKind = CertificationBody.shape.kind;

export const CREDENTIAL_SCOPES = {
  /** Authorised Economic Operator status, in one country, at a tier (e.g. "AEOF" full, "AEOS" security, "advanced"). */
  AEO: z.object({ country: CountryCode, tier: z.string().min(1).max(32) }).strict(),
  /** An inspection, testing or certification body: the certificate kinds it may issue, and where. */
  ACCREDITED_CERTIFIER: z.object({ kinds: z.array(CertificateKind).min(1), countries: Countries }).strict(),
  /** A customs office: its office code and the airports it clears. */
  CUSTOMS_OFFICE: z.object({ office: z.string().min(1).max(32), airports: z.array(IataAirportCode).max(100).optional() }).strict(),
  /** A licensed freight forwarder (issuer of house and parcel waybills). */
  LICENSED_FORWARDER: z.object({ countries: Countries }).strict(),
  /** A licensed customs broker (declares on behalf of others). */
  LICENSED_BROKER: z.object({ countries: Countries }).strict(),
  /** An airline: its IATA three-digit air waybill prefix (and two-character designator). */
  AIRLINE: z
    .object({
      prefix: z.string().regex(/^\d{3}$/, "an air waybill prefix is three digits"),
      designator: z
        .string()
        .regex(/^[A-Z0-9]{2}$/)
        .optional(),
    })
    .strict(),
  /** A registered cross-border e-commerce platform. */
  ECOMMERCE_PLATFORM: z.object({ countries: Countries }).strict(),
  /** A payment institution's licence. */
  PAYMENT_LICENCE: z.object({ countries: Countries }).strict(),
  /** A brand's GS1 company prefixes (6-12 digits): the GTINs it may publish batches of. */
  GS1_COMPANY_PREFIX: z
    .object({
      prefixes: z
        .array(z.string().regex(/^\d{6,12}$/, "a GS1 company prefix is 6-12 digits"))
        .min(1)
        .max(100),
    })
    .strict(),
} as const;

export type CredentialKind = keyof typeof CREDENTIAL_SCOPES;
export type CredentialScope<K extends CredentialKind> = z.infer<(typeof CREDENTIAL_SCOPES)[K]>;
export const CREDENTIAL_KINDS = Object.keys(CREDENTIAL_SCOPES) as CredentialKind[];
export const CredentialKindSchema = z.enum(CREDENTIAL_KINDS as [CredentialKind, ...CredentialKind[]]);

/** The number of a credential kind on chain. */
export const credentialKindNumber = (kind: CredentialKind): number => CREDENTIAL_KINDS.indexOf(kind);
/** The credential kind of an on-chain number, or undefined for a number this SDK does not know. */
export const credentialKindOf = (n: number): CredentialKind | undefined => CREDENTIAL_KINDS[n];

/** A scope checked against its kind's schema, as the canonical JSON stored on chain. */
export function encodeScope<K extends CredentialKind>(kind: K, scope: unknown): string {
  const parsed = CREDENTIAL_SCOPES[kind].parse(scope);
  return canonicalJson(parsed);
}

/** A credential as read from the chain (times in Unix seconds; 0 = open or not revoked). */
export interface Credential {
  kind: CredentialKind;
  subject: string;
  /** The issuing organisation's id, or undefined for the consortium operator. */
  issuer?: string;
  issuedAt: number;
  validFrom: number;
  validUntil: number;
  revokedAt: number;
  /** The scope, or undefined if it does not parse for its kind (such a credential covers nothing). */
  scope?: Record<string, unknown>;
}

/** The scope of a stored credential, or undefined if it is not valid JSON for its kind. */
export function decodeScope(kind: CredentialKind, text: string): Record<string, unknown> | undefined {
  try {
    const parsed = CREDENTIAL_SCOPES[kind].safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a credential was in force at `t` (Unix seconds): issued, within its validity, not yet revoked. */
export function inForceAt(c: Credential, t: number): boolean {
  return c.validFrom <= t && (c.validUntil === 0 || t < c.validUntil) && (c.revokedAt === 0 || t < c.revokedAt) && c.issuedAt <= t;
}
