import { CREDENTIAL_SCOPES, inForceAt, type Credential, type CredentialKind, type CredentialScope } from "./credentials";

/**
 * The authority table: for each record type (and kind), the credential its publisher must hold for
 * the record to be relied on. The hub refuses a record that fails it, and `verifyRecord` judges it
 * from the chain at the record's anchoring time. Record types not listed need no credential: what
 * they say is judged by relationships (who may speak about which object), not by licence.
 */

/** One way to have the authority: a credential kind, and whether a credential's scope covers this record. */
export interface Requirement {
  credential: CredentialKind;
  /** Whether a scope of that kind covers the record (the scope has passed its kind's schema). */
  covers: (scope: Record<string, unknown>) => boolean;
  /** The requirement in words, for problems and verdicts. */
  text: string;
}

type Body = Record<string, unknown>;
const str = (b: Body, k: string): string | undefined => (typeof b[k] === "string" ? (b[k] as string) : undefined);
const inCountries = (scope: { countries?: string[] }, country: string | undefined) =>
  scope.countries === undefined || (country !== undefined && scope.countries.includes(country));

function requirement<K extends CredentialKind>(credential: K, covers: (scope: CredentialScope<K>) => boolean, text: string): Requirement {
  return { credential, covers: (scope) => covers(scope as CredentialScope<K>), text };
}

/** The ways (any one suffices) a publisher may have the authority for a record, or undefined if none is needed. */
export function requiredAuthority(type: string, body: unknown): Requirement[] | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Body;
  switch (type) {
    case "Certification": {
      const kind = str(b, "kind") ?? "";
      const country = str(b, "originCountry");
      return [
        requirement(
          "ACCREDITED_CERTIFIER",
          (s) => (s.kinds as string[]).includes(kind) && inCountries(s, country),
          `an ACCREDITED_CERTIFIER credential for ${kind}${country ? ` in ${country}` : ""}`,
        ),
      ];
    }
    case "ProductBatch": {
      // The company prefix sits after the GTIN-14's indicator digit (GTIN-13 and shorter are zero-padded).
      const gtin = str(b, "gtin") ?? "";
      return [
        requirement("GS1_COMPANY_PREFIX", (s) => s.prefixes.some((p) => gtin.slice(1).startsWith(p)), `a GS1_COMPANY_PREFIX credential covering GTIN ${gtin}`),
      ];
    }
    case "CustomsDecision":
    case "SummaryDeclaration":
      return type === "CustomsDecision"
        ? [requirement("CUSTOMS_OFFICE", () => true, "a CUSTOMS_OFFICE credential")]
        : // A summary declaration is filed by the exporter's broker or the platform.
          [
            requirement("LICENSED_BROKER", () => true, "a LICENSED_BROKER credential"),
            requirement("ECOMMERCE_PLATFORM", () => true, "an ECOMMERCE_PLATFORM credential"),
          ];
    case "Order": {
      const country = str(b, "port")?.slice(0, 2);
      return [requirement("ECOMMERCE_PLATFORM", (s) => inCountries(s, country), `an ECOMMERCE_PLATFORM credential${country ? ` for ${country}` : ""}`)];
    }
    case "Payment":
      return [requirement("PAYMENT_LICENCE", () => true, "a PAYMENT_LICENCE credential")];
    case "CustomsDeclaration": {
      // The list is declared where the goods clear: the port's country.
      const country = str(b, "port")?.slice(0, 2);
      const where = country ? ` for ${country}` : "";
      return [
        requirement("LICENSED_BROKER", (s) => inCountries(s, country), `a LICENSED_BROKER credential${where}`),
        requirement("ECOMMERCE_PLATFORM", (s) => inCountries(s, country), `an ECOMMERCE_PLATFORM credential${where}`),
      ];
    }
    case "Waybill": {
      if (str(b, "waybillType") === "MASTER") {
        // A master air waybill is the airline's: its number starts with the airline's prefix.
        const prefix = (str(b, "waybillNumber") ?? "").slice(0, 3);
        return [requirement("AIRLINE", (s) => s.prefix === prefix, `an AIRLINE credential with air waybill prefix ${prefix}`)];
      }
      return [requirement("LICENSED_FORWARDER", () => true, "a LICENSED_FORWARDER credential")];
    }
    default:
      return undefined;
  }
}

/** What a judgement of authority found: ok with the credential that covers it, or why not. */
export type AuthorityJudgement = { ok: true; credential?: Credential; required?: string } | { ok: false; required: string; reason: string };

/**
 * Judges a publisher's authority for a record at time `at` (Unix seconds), given its credentials of
 * the kinds the requirements name (any order, any validity: the history as the chain keeps it).
 */
export function judgeAuthority(
  requirements: readonly Requirement[] | undefined,
  credentials: readonly Credential[],
  at: number,
  publisher: string,
): AuthorityJudgement {
  if (!requirements || requirements.length === 0) return { ok: true };
  const required = requirements.map((r) => r.text).join(" or ");
  let heldOtherwise: Credential | undefined;
  for (const r of requirements) {
    for (const c of credentials) {
      if (c.kind !== r.credential || !c.scope || !r.covers(c.scope)) continue;
      if (inForceAt(c, at)) return { ok: true, credential: c, required };
      heldOtherwise ??= c;
    }
  }
  const when = new Date(at * 1000).toISOString();
  if (heldOtherwise) {
    const why =
      heldOtherwise.revokedAt !== 0 && heldOtherwise.revokedAt <= at
        ? `revoked at ${new Date(heldOtherwise.revokedAt * 1000).toISOString()}`
        : heldOtherwise.validFrom > at || heldOtherwise.issuedAt > at
          ? `not yet valid (from ${new Date(Math.max(heldOtherwise.validFrom, heldOtherwise.issuedAt) * 1000).toISOString()})`
          : `expired at ${new Date(heldOtherwise.validUntil * 1000).toISOString()}`;
    return { ok: false, required, reason: `${publisher} needs ${required}; the one it holds was not in force at ${when} (${why})` };
  }
  return { ok: false, required, reason: `${publisher} needs ${required} and held none at ${when}` };
}

/** The credential kinds a list of requirements names (each read once). */
export const kindsOf = (requirements: readonly Requirement[] | undefined): CredentialKind[] => [...new Set((requirements ?? []).map((r) => r.credential))];

export { CREDENTIAL_SCOPES };
