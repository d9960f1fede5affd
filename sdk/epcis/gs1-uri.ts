import { gs1CheckDigit } from "../records/codes";
import { parseDigitalLinkUri } from "../provenance/digital-link";

/**
 * The canonical GS1 Digital Link form CBV 2.0's event hash wants for an identifier: EPC URNs
 * (urn:epc:id / class / idpat) become https://id.gs1.org URIs, and Digital Link URIs on any host
 * lose their host, query string and every qualifier coarser than the finest one. Anything else
 * (a geo: URI, a transaction URL) is returned unchanged.
 */
export function canonicalGs1Uri(value: string): string {
  if (value.startsWith("urn:epc:")) return epcUrnToDigitalLink(value) ?? value;
  return constrainDigitalLink(value) ?? value;
}

const ID_GS1 = "https://id.gs1.org";
const withCheck = (digits: string) => digits + String(gs1CheckDigit(digits));

// EPC URNs escape some characters as %XX; Digital Link percent-encodes what a path segment cannot hold.
function dlValue(urnPart: string): string {
  let raw: string;
  try {
    raw = decodeURIComponent(urnPart);
  } catch {
    raw = urnPart;
  }
  return encodeURIComponent(raw).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Company prefix + reference with its leading indicator/extension digit moved to the front. */
const gtinOf = (cp: string, ref: string) => withCheck(ref.slice(0, 1) + cp + ref.slice(1));

/**
 * The https://id.gs1.org Digital Link of an EPC URN (TDS pure identities: sgtin, sscc, sgln, grai,
 * giai, gsrn, gsrnp, gdti, sgcn, cpi, ginc, gsin, pgln, itip, upui; lgtin classes; sgtin patterns
 * with a wildcard serial), undefined for anything else.
 */
export function epcUrnToDigitalLink(urn: string): string | undefined {
  const m = /^urn:epc:(id|class|idpat):([a-z0-9]+):(.+)$/.exec(urn);
  if (!m) return undefined;
  const [, kind, scheme, rest] = m as unknown as [string, string, string, string];
  const p = rest.split(".");
  const digits = (...xs: (string | undefined)[]) => xs.every((x) => x !== undefined && /^\d*$/.test(x));
  if (kind === "id") {
    switch (scheme) {
      case "sgtin":
        if (p.length === 3 && digits(p[0], p[1])) return `${ID_GS1}/01/${gtinOf(p[0]!, p[1]!)}/21/${dlValue(p[2]!)}`;
        return undefined;
      case "sscc":
        if (p.length === 2 && digits(p[0], p[1])) return `${ID_GS1}/00/${withCheck(p[1]!.slice(0, 1) + p[0] + p[1]!.slice(1))}`;
        return undefined;
      case "sgln":
        if (p.length === 3 && digits(p[0], p[1])) {
          const gln = withCheck(p[0]! + p[1]!);
          return p[2] === "0" ? `${ID_GS1}/414/${gln}` : `${ID_GS1}/414/${gln}/254/${dlValue(p[2]!)}`;
        }
        return undefined;
      case "grai":
        if (p.length === 3 && digits(p[0], p[1])) return `${ID_GS1}/8003/0${withCheck(p[0]! + p[1]!)}${dlValue(p[2]!)}`;
        return undefined;
      case "giai":
        if (p.length === 2 && digits(p[0])) return `${ID_GS1}/8004/${p[0]}${dlValue(p[1]!)}`;
        return undefined;
      case "gsrn":
      case "gsrnp":
        if (p.length === 2 && digits(p[0], p[1])) return `${ID_GS1}/${scheme === "gsrn" ? "8018" : "8017"}/${withCheck(p[0]! + p[1]!)}`;
        return undefined;
      case "gdti":
      case "sgcn":
        if (p.length === 3 && digits(p[0], p[1])) return `${ID_GS1}/${scheme === "gdti" ? "253" : "255"}/${withCheck(p[0]! + p[1]!)}${dlValue(p[2]!)}`;
        return undefined;
      case "cpi":
        if (p.length === 3 && digits(p[0])) return `${ID_GS1}/8010/${p[0]}${dlValue(p[1]!)}/8011/${p[2]}`;
        return undefined;
      case "ginc":
        if (p.length === 2 && digits(p[0])) return `${ID_GS1}/401/${p[0]}${dlValue(p[1]!)}`;
        return undefined;
      case "gsin":
        if (p.length === 2 && digits(p[0], p[1])) return `${ID_GS1}/402/${withCheck(p[0]! + p[1]!)}`;
        return undefined;
      case "pgln":
        if (p.length === 2 && digits(p[0], p[1])) return `${ID_GS1}/417/${withCheck(p[0]! + p[1]!)}`;
        return undefined;
      case "itip":
        if (p.length === 5 && digits(p[0], p[1], p[2], p[3])) return `${ID_GS1}/8006/${gtinOf(p[0]!, p[1]!)}${p[2]}${p[3]}/21/${dlValue(p[4]!)}`;
        return undefined;
      case "upui":
        if (p.length === 3 && digits(p[0], p[1])) return `${ID_GS1}/01/${gtinOf(p[0]!, p[1]!)}/235/${dlValue(p[2]!)}`;
        return undefined;
      default:
        return undefined;
    }
  }
  if (kind === "class" && scheme === "lgtin" && p.length === 3 && digits(p[0], p[1])) return `${ID_GS1}/01/${gtinOf(p[0]!, p[1]!)}/10/${dlValue(p[2]!)}`;
  if (kind === "idpat" && scheme === "sgtin" && p.length === 3 && p[2] === "*" && digits(p[0], p[1])) return `${ID_GS1}/01/${gtinOf(p[0]!, p[1]!)}`;
  return undefined;
}

/** Primary keys and, for each, the qualifiers that identify something finer (finest first). */
const PRIMARY: Record<string, readonly string[][]> = {
  "00": [],
  "01": [["21"], ["10"], ["235"]],
  "253": [],
  "255": [],
  "401": [],
  "402": [],
  "414": [["254"]],
  "417": [],
  "8003": [],
  "8004": [],
  "8006": [["21"], ["10"]],
  "8010": [["8011"]],
  "8017": [],
  "8018": [],
};

function constrainDigitalLink(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  const segments = url.pathname.split("/").filter((s) => s !== "");
  // The primary key may follow a path prefix on custom domains: find the first AI/value pair that is one.
  const start = segments.findIndex((s, i) => Object.hasOwn(PRIMARY, s) && i + 1 < segments.length && /^[0-9A-Za-z%]/.test(segments[i + 1]!));
  if (start < 0) return undefined;
  const pairs = new Map<string, string>();
  for (let i = start; i + 1 < segments.length; i += 2) pairs.set(segments[i]!, segments[i + 1]!);
  if ((segments.length - start) % 2 !== 0) return undefined;
  const key = segments[start]!;
  let keyValue = pairs.get(key)!;
  if (key === "01" && /^\d{8}$|^\d{12,13}$/.test(keyValue)) keyValue = keyValue.padStart(14, "0");
  let out = `${ID_GS1}/${key}/${keyValue}`;
  for (const qualifiers of PRIMARY[key]!) {
    if (qualifiers.every((q) => pairs.has(q))) {
      for (const q of qualifiers) out += `/${q}/${pairs.get(q)}`;
      break;
    }
  }
  return out;
}

// TDS: in a URN's serial-like parts, these characters are percent-escaped; the rest of set 82 stands for itself.
const urnValue = (v: string, extra = "") =>
  v.replace(new RegExp(`["%&/<>?${extra}]`, "g"), (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"));

/**
 * The EPC URN (GS1 EPC Tag Data Standard) of a Digital Link URI, undefined when the key has none
 * (a GTIN without serial or lot, a GRAI or GDTI without serial, ITIP without serial, ...). A URN
 * splits the GS1 Company Prefix from the reference, and a key does not say how long its prefix is
 * (that takes GS1's prefix table): the caller gives its length, 6 to 12 digits, as with
 * `urn:epc:id:sgtin` today. @throws DigitalLinkError for an invalid Digital Link URI
 */
export function digitalLinkToEpcUrn(uri: string, companyPrefixLength: number): string | undefined {
  const cp = companyPrefixLength;
  if (!Number.isInteger(cp) || cp < 6 || cp > 12) throw new RangeError("a GS1 Company Prefix is 6 to 12 digits");
  const { key, qualifiers } = parseDigitalLinkUri(uri);
  const q = Object.fromEntries(qualifiers.map((e) => [e.ai, e.value]));
  const v = key.value;
  // A key "IndicatorDigit CP Ref Check" (GTIN, SSCC) is written "CP.IndicatorDigitRef".
  const indicatorFirst = (digits: string) => `${digits.slice(1, 1 + cp)}.${digits[0]}${digits.slice(1 + cp, -1)}`;
  const prefixFirst = (digits: string) => `${digits.slice(0, cp)}.${digits.slice(cp, -1)}`;
  switch (key.ai) {
    case "01":
      if (q["21"] !== undefined) return `urn:epc:id:sgtin:${indicatorFirst(v)}.${urnValue(q["21"])}`;
      if (q["235"] !== undefined) return `urn:epc:id:upui:${indicatorFirst(v)}.${urnValue(q["235"])}`;
      if (q["10"] !== undefined) return `urn:epc:class:lgtin:${indicatorFirst(v)}.${urnValue(q["10"])}`;
      return undefined;
    case "00":
      return `urn:epc:id:sscc:${indicatorFirst(v)}`;
    case "414":
      return `urn:epc:id:sgln:${prefixFirst(v)}.${q["254"] !== undefined ? urnValue(q["254"]) : "0"}`;
    case "417":
      return `urn:epc:id:pgln:${prefixFirst(v)}`;
    case "8003":
      return v.length > 14 ? `urn:epc:id:grai:${prefixFirst(v.slice(1, 14))}.${urnValue(v.slice(14))}` : undefined;
    case "8004":
      return `urn:epc:id:giai:${v.slice(0, cp)}.${urnValue(v.slice(cp))}`;
    case "253":
      return v.length > 13 ? `urn:epc:id:gdti:${prefixFirst(v.slice(0, 13))}.${urnValue(v.slice(13))}` : undefined;
    case "255":
      return v.length > 13 ? `urn:epc:id:sgcn:${prefixFirst(v.slice(0, 13))}.${v.slice(13)}` : undefined;
    case "8017":
      return `urn:epc:id:gsrnp:${prefixFirst(v)}`;
    case "8018":
      return `urn:epc:id:gsrn:${prefixFirst(v)}`;
    case "401":
      return `urn:epc:id:ginc:${v.slice(0, cp)}.${urnValue(v.slice(cp))}`;
    case "402":
      return `urn:epc:id:gsin:${prefixFirst(v)}`;
    case "8006":
      return q["21"] !== undefined ? `urn:epc:id:itip:${indicatorFirst(v.slice(0, 14))}.${v.slice(14, 16)}.${v.slice(16)}.${urnValue(q["21"])}` : undefined;
    case "8010":
      return q["8011"] !== undefined ? `urn:epc:id:cpi:${v.slice(0, cp)}.${urnValue(v.slice(cp), "#")}.${q["8011"]}` : undefined;
    default:
      return undefined;
  }
}
