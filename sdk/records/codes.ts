import { z } from "zod";

/** IATA three-letter location (airport/city) code. */
export const IataAirportCode = z.string().regex(/^[A-Z]{3}$/, "an IATA airport code is three capital letters");

/** IATA two-character airline designator. */
export const IataAirlineCode = z.string().regex(/^[A-Z0-9]{2}$/, "an IATA airline designator is two letters or digits");

/**
 * Air waybill number: 3-digit airline prefix, 8-digit serial whose last digit is the first seven
 * modulo 7 (IATA Resolution 600a). Accepts "020-12345675" or "02012345675".
 */
export const AwbNumber = z
  .string()
  .regex(/^\d{3}-?\d{8}$/, "an air waybill number is a 3-digit prefix and an 8-digit serial, e.g. 020-12345675")
  .refine((s) => {
    const serial = s.replace("-", "").slice(3);
    return Number(serial.slice(0, 7)) % 7 === Number(serial[7]);
  }, "the air waybill number's check digit (last digit = first seven of the serial mod 7) is wrong");

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
/** ISO 3166-1 alpha-2 country code (checked against the ICU region list). */
export const CountryCode = z
  .string()
  .refine((c) => {
    if (!/^[A-Z]{2}$/.test(c)) return false;
    const name = regionNames.of(c);
    return name !== undefined && name !== c && name !== "Unknown Region";
  }, "not an ISO 3166-1 alpha-2 country code")
  // For the JSON Schema (the refinement above has none): the code's form.
  .meta({ pattern: "^[A-Z]{2}$", description: "An ISO 3166-1 alpha-2 country code, e.g. CN" });

const currencies = new Set(Intl.supportedValuesOf("currency"));
/** ISO 4217 currency code. */
export const CurrencyCode = z
  .string()
  .refine((c) => currencies.has(c), "not an ISO 4217 currency code")
  .meta({ pattern: "^[A-Z]{3}$", description: "An ISO 4217 currency code, e.g. CNY" });

/** UN/LOCODE: country code plus three letters or digits 2-9, e.g. "CNCAN". */
export const UnLocode = z
  .string()
  .regex(/^[A-Z]{2}[A-Z2-9]{3}$/, "a UN/LOCODE is a country code and three letters or digits 2-9, e.g. CNCAN")
  .refine((s) => CountryCode.safeParse(s.slice(0, 2)).success, "the UN/LOCODE's country part is not an ISO country code");

export const IsoDateTime = z.iso.datetime({ offset: true });
export const IsoDate = z.iso.date();

export const Weight = z.object({ value: z.number().positive(), unit: z.enum(["KGM", "LBR"]) }).strict();

export const Party = z
  .object({
    name: z.string().min(1).max(200),
    country: CountryCode,
    address: z.string().max(500).optional(),
    orgId: z.string().optional(),
  })
  .strict();

/** Kilograms per pound (avoirdupois, exact by definition). */
export const KG_PER_LB = 0.45359237;

/** A `Weight` in kilograms. */
export function weightInKg(w: z.infer<typeof Weight>): number {
  return w.unit === "KGM" ? w.value : w.value * KG_PER_LB;
}

/** GS1 mod-10 check digit of the digits before it (GTIN, GLN, SSCC share it). */
export function gs1CheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  // Weights 3,1,3,... from the rightmost digit before the check digit.
  for (let i = 0; i < digitsWithoutCheck.length; i++) {
    const d = digitsWithoutCheck.charCodeAt(digitsWithoutCheck.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A GTIN as GS1 Digital Link carries it: 14 digits (shorter GTINs left-padded with zeros), check digit checked. */
export const Gtin = z
  .string()
  .regex(/^\d{14}$/, "a GTIN is 14 digits (pad GTIN-8/12/13 with leading zeros)")
  .refine((g) => gs1CheckDigit(g.slice(0, 13)) === Number(g[13]), "the GTIN's check digit is wrong");
