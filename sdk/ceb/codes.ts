/**
 * The code lists of the China e-port's cross-border e-commerce messages that the hub's records
 * spell differently: JGS-20 country and currency codes (3 digits) against ISO 3166-1 and ISO 4217,
 * identity document types, and the messages' time formats (China Standard Time, UTC+8).
 * The tables hold the trading partners of cross-border retail; a code outside them is refused by
 * name, never guessed.
 */

/** JGS-20 country (region) code -> ISO 3166-1 alpha-2. */
export const JGS_COUNTRIES: Readonly<Record<string, string>> = {
  "110": "HK",
  "116": "JP",
  "121": "MO",
  "122": "MY",
  "129": "PH",
  "132": "SG",
  "133": "KR",
  "136": "TH",
  "138": "AE",
  "141": "VN",
  "142": "CN",
  "143": "TW",
  "301": "BE",
  "302": "DK",
  "303": "GB",
  "304": "DE",
  "305": "FR",
  "306": "IE",
  "307": "IT",
  "309": "NL",
  "311": "PT",
  "312": "ES",
  "315": "AT",
  "318": "FI",
  "326": "NO",
  "327": "PL",
  "330": "SE",
  "331": "CH",
  "344": "RU",
  "501": "CA",
  "502": "US",
  "601": "AU",
  "609": "NZ",
};

/** JGS-20 currency code -> ISO 4217. */
export const JGS_CURRENCIES: Readonly<Record<string, string>> = {
  "110": "HKD",
  "116": "JPY",
  "132": "SGD",
  "133": "KRW",
  "142": "CNY",
  "300": "EUR",
  "303": "GBP",
  "501": "CAD",
  "502": "USD",
  "601": "AUD",
};

const inverse = (table: Readonly<Record<string, string>>): ReadonlyMap<string, string> => new Map(Object.entries(table).map(([k, v]) => [v, k]));
const ISO_COUNTRIES = inverse(JGS_COUNTRIES);
const ISO_CURRENCIES = inverse(JGS_CURRENCIES);

export const isoCountryOf = (jgs: string): string | undefined => (Object.hasOwn(JGS_COUNTRIES, jgs) ? JGS_COUNTRIES[jgs] : undefined);
export const isoCurrencyOf = (jgs: string): string | undefined => (Object.hasOwn(JGS_CURRENCIES, jgs) ? JGS_CURRENCIES[jgs] : undefined);
export const jgsCountryOf = (iso: string): string | undefined => ISO_COUNTRIES.get(iso);
export const jgsCurrencyOf = (iso: string): string | undefined => ISO_CURRENCIES.get(iso);

/** buyerIdType / payerIdType: 1 resident identity card, 2 other. */
export const idTypeOf = (code: string): "ID_CARD" | "OTHER" | undefined => (code === "1" ? "ID_CARD" : code === "2" ? "OTHER" : undefined);

// The messages write local time in China (UTC+8, no daylight saving).
const CHINA_OFFSET = "+08:00";

/** `YYYYMMDDhhmmss` (C14, China time) as an ISO 8601 date-time with its offset, or undefined if it is no such time. */
export function isoOfC14(c14: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(c14);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${CHINA_OFFSET}`;
  const t = new Date(iso);
  // A calendar check: 20261131 parses to 1 December, so the date must read back unchanged.
  const back = new Date(t.getTime() + 8 * 3_600_000).toISOString();
  return back.slice(0, 19) === iso.slice(0, 19) ? iso : undefined;
}

/** `YYYYMMDD` (C8) as an ISO 8601 date, or undefined if it is no such date. */
export function isoOfC8(c8: string): string | undefined {
  const iso = isoOfC14(`${c8}000000`);
  return /^\d{8}$/.test(c8) && iso ? iso.slice(0, 10) : undefined;
}

/** A time as the receipts write it: `yyyyMMddHHmmssfff` (C17), China time. */
export function c17Of(at: Date): string {
  const s = new Date(at.getTime() + 8 * 3_600_000).toISOString(); // 2026-11-11T08:05:00.123Z
  return s.slice(0, 4) + s.slice(5, 7) + s.slice(8, 10) + s.slice(11, 13) + s.slice(14, 16) + s.slice(17, 19) + s.slice(20, 23);
}
