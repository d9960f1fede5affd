import { DigitalLinkError } from "../provenance/digital-link";
import { canonicalGs1Uri, digitalLinkToEpcUrn, epcUrnToDigitalLink } from "./gs1-uri";

/**
 * EPCIS 2.0 REST binding, header GS1-EPC-Format: how EPCs in an answer are written. The translation
 * between an EPC URN and a GS1 Digital Link URI follows the EPC Tag Data Standard (gs1-uri.ts, the
 * one implementation); here is only which fields of an event hold EPCs and when a value is
 * translated. Decisions (docs/epcis.md, "Output formats"):
 * - A value is translated only when nothing is lost: URN -> Digital Link -> URN gives the URN back
 *   (so a URN whose partition breaks TDS, e.g. a company prefix and item reference that are not 13
 *   digits, is kept), and a Digital Link is one the URN form names exactly (its canonical form).
 * - Digital Link -> URN needs the GS1 Company Prefix length, which a Digital Link does not carry (it
 *   takes GS1's prefix table). Without a `companyPrefixLength` answer for the key, the value is kept
 *   as captured (the hub answers from the prefixes an event's attester holds, `prefixLengthFrom`).
 */

export const EPC_FORMATS = ["No_Preference", "Always_GS1_Digital_Link", "Always_EPC_URN", "Never_Translates"] as const;
export type EpcFormat = (typeof EPC_FORMATS)[number];
export const isEpcFormat = (v: string): v is EpcFormat => (EPC_FORMATS as readonly string[]).includes(v);

/** The GS1 Company Prefix length (6-12) of a key's digits (a GTIN-14, GLN, SSCC, ...), when known. */
export type CompanyPrefixLength = (keyAi: string, keyValue: string) => number | undefined;

export interface EpcFormatOptions {
  companyPrefixLength?: CompanyPrefixLength;
}

/** Where the company prefix starts in a key's value: after a GTIN's indicator, an SSCC's extension digit, a GRAI's leading 0. */
const PREFIX_OFFSET: Record<string, number> = { "01": 1, "00": 1, "8006": 1, "8003": 1 };

/**
 * The company prefix length lookup of known GS1 Company Prefixes (e.g. an organisation's
 * GS1_COMPANY_PREFIX credentials): the longest of them the key's company prefix part starts with.
 */
export function prefixLengthFrom(prefixes: readonly string[]): CompanyPrefixLength {
  const sorted = [...new Set(prefixes)].filter((p) => /^\d{6,12}$/.test(p)).sort((a, b) => b.length - a.length);
  return (ai, value) => {
    const digits = value.slice(PREFIX_OFFSET[ai] ?? 0);
    return sorted.find((p) => digits.startsWith(p))?.length;
  };
}

const ID_GS1 = "https://id.gs1.org";

/** The Digital Link of an EPC URN when the translation is lossless (TDS partitions respected). */
function toDigitalLink(urn: string): string | undefined {
  const dl = epcUrnToDigitalLink(urn);
  if (dl === undefined) return undefined;
  const m = /^urn:epc:(?:id|class|idpat):[a-z0-9]+:(\d{6,12})\./.exec(urn);
  if (!m) return undefined;
  const cp = m[1]!.length;
  try {
    // An SGTIN pattern has no URN form of its own in gs1-uri.ts: check it as the SGTIN of one serial.
    if (urn.startsWith("urn:epc:idpat:sgtin:"))
      return digitalLinkToEpcUrn(`${dl}/21/0`, cp) === urn.replace(/\*$/, "0").replace(":idpat:", ":id:") ? dl : undefined;
    return digitalLinkToEpcUrn(dl, cp) === urn ? dl : undefined;
  } catch (err) {
    if (err instanceof DigitalLinkError) return undefined; // e.g. a GTIN of 13 digits: the URN's partition is wrong
    throw err;
  }
}

/** The EPC URN of a Digital Link URI when its company prefix length is known and the translation is lossless. */
function toEpcUrn(value: string, options: EpcFormatOptions): string | undefined {
  if (!/^https?:\/\//.test(value)) return undefined;
  // The identifier a Digital Link names (CBV 2.0's canonical form: no host, query or coarser qualifier).
  const canonical = canonicalGs1Uri(value);
  if (!canonical.startsWith(`${ID_GS1}/`)) return undefined;
  const [, ai, keyValue] = canonical.split("/").slice(2) as [string, string, string];
  const cp = options.companyPrefixLength?.(ai, keyValue);
  if (cp === undefined) return undefined;
  try {
    const gtinOnly = ai === "01" && canonical.split("/").length === 5;
    const urn = gtinOnly
      ? digitalLinkToEpcUrn(`${canonical}/21/0`, cp)
          ?.replace(/^urn:epc:id:/, "urn:epc:idpat:")
          .replace(/\.0$/, ".*")
      : digitalLinkToEpcUrn(canonical, cp);
    return urn !== undefined && toDigitalLink(urn) === canonical ? urn : undefined;
  } catch (err) {
    if (err instanceof DigitalLinkError || err instanceof RangeError) return undefined;
    throw err;
  }
}

/** One identifier in the asked format; anything that is not an EPC (or cannot be translated losslessly) unchanged. */
export function formatEpc(value: string, format: EpcFormat, options: EpcFormatOptions = {}): string {
  if (format === "Always_GS1_Digital_Link" && value.startsWith("urn:epc:")) return toDigitalLink(value) ?? value;
  if (format === "Always_EPC_URN") return toEpcUrn(value, options) ?? value;
  return value;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const EPC_LISTS = ["epcList", "childEPCs", "inputEPCList", "outputEPCList"];
const QUANTITY_LISTS = ["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"];
const PLACES = ["readPoint", "bizLocation"];

/**
 * An event with its EPCs in the asked format (a copy; the event itself is not changed): the EPC
 * lists, parentID, the quantity elements' epcClass, readPoint and bizLocation ids, and sources and
 * destinations (SGLN/PGLN owners and locations). No_Preference and Never_Translates answer the event
 * as captured.
 */
export function formatEventEpcs(event: Obj, format: EpcFormat, options: EpcFormatOptions = {}): Obj {
  if (format === "No_Preference" || format === "Never_Translates") return event;
  const f = (v: unknown) => (typeof v === "string" ? formatEpc(v, format, options) : v);
  const out: Obj = { ...event };
  for (const k of EPC_LISTS) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map(f);
  if (out.parentID !== undefined) out.parentID = f(out.parentID);
  for (const k of QUANTITY_LISTS) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((q) => (isObj(q) ? { ...q, epcClass: f(q.epcClass) } : q));
  for (const k of PLACES) if (isObj(out[k])) out[k] = { ...(out[k] as Obj), id: f((out[k] as Obj).id) };
  for (const [k, member] of [
    ["sourceList", "source"],
    ["destinationList", "destination"],
  ] as const)
    if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((s) => (isObj(s) ? { ...s, [member]: f(s[member]) } : s));
  return out;
}
