import { gs1CheckDigit } from "../../records/codes";
import type { Gs1Charset } from "./ai-types";

/**
 * The GS1 Barcode Syntax Tests ("linters") the syntax dictionary names, rewritten from the GS1
 * General Specifications' rules. Each returns undefined when the component passes, else what is
 * wrong. Some are format-only here, because their full check needs a list the hub does not carry
 * (GS1 Company Prefixes, ISO 3166 / ISO 4217 codes, package types, coupon rules): FORMAT_ONLY names them.
 */

export type LintResult = { reason: "check-digit" | "bad-value"; message: string } | undefined;
type Linter = (value: string) => LintResult;

const bad = (message: string): LintResult => ({ reason: "bad-value", message });

/** GS1 AI encodable character set 82, set 39 and file-safe base64 (with optional "=" padding). */
export const CHARSETS: Record<Gs1Charset, { pattern: RegExp; name: string }> = {
  N: { pattern: /^[0-9]*$/, name: "digits" },
  X: { pattern: /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/, name: "characters of GS1 AI encodable character set 82" },
  Y: { pattern: /^[#\-/0-9A-Z]*$/, name: "characters of GS1 AI encodable character set 39" },
  Z: { pattern: /^[0-9A-Za-z_-]*={0,2}$/, name: "file-safe base64 characters" },
};

// Set 82 in the order that gives each character its value for the alphanumeric check pair (GenSpecs 7.9.5).
const CSET82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
const CSET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83];

/** The two check characters of a GS1 alphanumeric key (GMN, MUDI) for the characters before them. */
export function gs1CheckPair(data: string): string {
  let sum = 0;
  // Weights are primes from the right: the last character before the pair weighs 2.
  for (let i = 0; i < data.length; i++) sum += CSET82.indexOf(data[i]!) * PRIMES[data.length - 1 - i]!;
  sum %= 1021;
  return CSET32[sum >> 5]! + CSET32[sum & 31]!;
}

const leap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// A date; day "00" (yymmd0) is "the last day of the month". Two-digit years: GenSpecs 7.12 puts
// them in a window around today, and every candidate century has the same leap rule except 2100:
// a year divisible by 4 is taken as leap.
function date(value: string, yearDigits: 2 | 4, dayZero: boolean): LintResult {
  if (!/^\d+$/.test(value) || value.length !== yearDigits + 4) return bad(`a date is ${yearDigits === 2 ? "YYMMDD" : "YYYYMMDD"}`);
  const year = Number(value.slice(0, yearDigits));
  const month = Number(value.slice(yearDigits, yearDigits + 2));
  const day = Number(value.slice(yearDigits + 2));
  if (month < 1 || month > 12) return bad(`month ${value.slice(yearDigits, yearDigits + 2)} does not exist`);
  const isLeap = yearDigits === 2 ? year % 4 === 0 : leap(year);
  const days = month === 2 && !isLeap ? 28 : DAYS[month - 1]!;
  if ((day === 0 && !dayZero) || day > days) return bad(`day ${value.slice(yearDigits + 2)} does not exist in that month`);
  return undefined;
}

const range =
  (name: string, min: number, max: number): Linter =>
  (v) =>
    /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : bad(`${name} is ${min} to ${max}`);
const oneOf =
  (name: string, allowed: readonly string[]): Linter =>
  (v) =>
    allowed.includes(v) ? undefined : bad(`${name} is one of ${allowed.join(", ")}`);

// GS1 Company Prefix at a position: without GS1's prefix table, only its shortest form (4 digits) is checked.
const gcpAt =
  (position: number): Linter =>
  (v) =>
    /^\d{4}/.test(v.slice(position - 1)) ? undefined : bad(`a GS1 Company Prefix (at least 4 digits) starts at position ${position}`);

function iban(v: string): LintResult {
  if (!/^[A-Z]{2}\d{2}[0-9A-Za-z]{1,30}$/.test(v)) return bad("an IBAN is a country code, 2 check digits and up to 30 letters or digits");
  const digits = (v.slice(4) + v.slice(0, 4)).toUpperCase().replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return rest === 1 ? undefined : { reason: "check-digit", message: "the IBAN's check digits are wrong" };
}

export const LINTERS: Record<string, Linter> = {
  csum: (v) => {
    if (!/^\d{2,}$/.test(v)) return bad("a check-digit field is digits");
    const expected = gs1CheckDigit(v.slice(0, -1));
    return Number(v.slice(-1)) === expected ? undefined : { reason: "check-digit", message: `the check digit is wrong (expected ${expected})` };
  },
  csumalpha: (v) => {
    if (v.length < 3 || !/^[2-9A-HJ-NP-Z]{2}$/.test(v.slice(-2))) return bad("the value ends in two check characters (digits 2-9 or letters but I and O)");
    const expected = gs1CheckPair(v.slice(0, -2));
    return v.slice(-2) === expected ? undefined : { reason: "check-digit", message: `the check characters are wrong (expected ${expected})` };
  },
  gcppos1: gcpAt(1),
  gcppos2: gcpAt(2),
  zero: (v) => (v === "0" ? undefined : bad("this digit is 0")),
  nonzero: (v) => (/^0+$/.test(v) ? bad("this number is not zero") : undefined),
  nozeroprefix: (v) => (v.length > 1 && v.startsWith("0") ? bad("no leading zero") : undefined),
  hasnondigit: (v) => (/\D/.test(v) ? undefined : bad("at least one character is not a digit")),
  yymmd0: (v) => date(v, 2, true),
  yymmdd: (v) => date(v, 2, false),
  yyyymmdd: (v) => date(v, 4, false),
  hh: range("the hour", 0, 23),
  mi: range("the minute", 0, 59),
  ss: range("the second", 0, 59),
  hhmi: (v) => LINTERS.hh!(v.slice(0, 2)) ?? LINTERS.mi!(v.slice(2)),
  hyphen: oneOf("this character", ["-"]),
  yesno: oneOf("the flag", ["0", "1"]),
  winding: oneOf("the winding direction", ["0", "1", "9"]),
  iso5218: oneOf("the sex (ISO/IEC 5218)", ["0", "1", "2", "9"]),
  mediatype: (v) => (/^(0[1-9]|10|[89]\d)$/.test(v) ? undefined : bad("the AIDC media type is 01-10 or 80-99")),
  pieceoftotal: (v) => {
    const piece = Number(v.slice(0, v.length / 2));
    const total = Number(v.slice(v.length / 2));
    return piece >= 1 && total >= 1 && piece <= total ? undefined : bad("the piece number is 1 to the total count of pieces");
  },
  posinseqslash: (v) => {
    const m = /^(\d+)\/(\d+)$/.exec(v);
    return m && Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]) ? undefined : bad("a position in a sequence is P/T with 1 <= P <= T");
  },
  latitude: range("the latitude (+90 degrees, 7 decimals)", 0, 1_800_000_000),
  longitude: range("the longitude (+180 degrees, 7 decimals)", 0, 3_600_000_000),
  pcenc: (v) => (/%(?![0-9A-Fa-f]{2})/.test(v) ? bad("a percent sign starts a percent-encoded byte (%XX)") : undefined),
  iban,
  importeridx: (v) => (/^[-0-9A-Z_a-z]$/.test(v) ? undefined : bad("the importer index is one of 0-9, A-Z, a-z, - and _")),
  // Format-only (see FORMAT_ONLY): the component's charset and length are all that is checked.
  iso3166: (v) => (/^\d{3}$/.test(v) ? undefined : bad("an ISO 3166 numeric country code is 3 digits")),
  iso3166999: (v) => (/^\d{3}$/.test(v) ? undefined : bad("an ISO 3166 numeric country code (or 999) is 3 digits")),
  iso3166alpha2: (v) => (/^[A-Z]{2}$/.test(v) ? undefined : bad("an ISO 3166 alpha-2 country code is 2 capital letters")),
  iso4217: (v) => (/^\d{3}$/.test(v) ? undefined : bad("an ISO 4217 numeric currency code is 3 digits")),
  packagetype: () => undefined,
  couponcode: () => undefined,
  couponposoffer: () => undefined,
};

/** Linters checked for their format only (the lists they need are not in the hub), see LINTERS. */
export const FORMAT_ONLY = ["gcppos1", "gcppos2", "iso3166", "iso3166999", "iso3166alpha2", "iso4217", "packagetype", "couponcode", "couponposoffer"] as const;
