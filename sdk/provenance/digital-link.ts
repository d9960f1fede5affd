import { gs1CheckDigit } from "../records/codes";
import { GS1_AI82 } from "../records/product-batch";

/**
 * GS1 Digital Link (1.x URI syntax) for trade items: primary key 01 (GTIN) with the optional key
 * qualifiers 22 (consumer product variant), 10 (lot) and 21 (serial), in that order, and data
 * attributes in the query string. Compressed Digital Link URIs and keys other than the GTIN are
 * out of scope: this hub resolves products.
 */

/** A product as the hub names it: a GTIN (14 digits, check digit checked), optionally a lot and/or a serial. */
export type ProductCode = { gtin: string; lot?: string; serial?: string };

export type DigitalLinkErrorReason = "syntax" | "check-digit" | "unknown-ai" | "bad-value";

export class DigitalLinkError extends Error {
  constructor(
    readonly reason: DigitalLinkErrorReason,
    message: string,
  ) {
    super(message);
    this.name = "DigitalLinkError";
  }
}

/** Everything a Digital Link URI says about a trade item, beyond its ProductCode. */
export type DigitalLinkDetails = {
  code: ProductCode;
  /** AI 22, consumer product variant. */
  cpv?: string;
  /** Data attributes from the query string, by AI (e.g. "17": "261231"); only the AIs in DATA_ATTRIBUTES. */
  attributes: Record<string, string>;
};

// Key qualifiers of AI 01 in the order the standard fixes for the path.
const QUALIFIERS = ["22", "10", "21"] as const;
type Qualifier = (typeof QUALIFIERS)[number];
const QUALIFIER_NAMES: Record<Qualifier, string> = { "22": "consumer product variant", "10": "lot", "21": "serial" };

// Other GS1 primary keys: valid Digital Link, but not a trade item this hub resolves.
const OTHER_PRIMARY_KEYS: Record<string, string> = {
  "00": "SSCC",
  "253": "GDTI",
  "255": "GCN",
  "401": "GINC",
  "402": "GSIN",
  "414": "GLN",
  "417": "party GLN",
  "8003": "GRAI",
  "8004": "GIAI",
  "8006": "ITIP",
  "8010": "CPID",
  "8013": "GMN",
  "8017": "GSRN (provider)",
  "8018": "GSRN (recipient)",
};

const YYMMDD = /^\d{2}(0[1-9]|1[0-2])(0\d|[12]\d|3[01])$/; // day 00 = last day of the month (GS1 GenSpecs)
const weight = { name: "net weight", pattern: /^\d{6}$/ };
/** Data attributes the parser understands (query string); other numeric keys are ignored. */
export const DATA_ATTRIBUTES: Record<string, { name: string; pattern: RegExp }> = {
  "11": { name: "production date", pattern: YYMMDD },
  "12": { name: "due date", pattern: YYMMDD },
  "13": { name: "packaging date", pattern: YYMMDD },
  "15": { name: "best before date", pattern: YYMMDD },
  "16": { name: "sell by date", pattern: YYMMDD },
  "17": { name: "expiration date", pattern: YYMMDD },
  "30": { name: "variable count", pattern: /^\d{1,8}$/ },
  "37": { name: "count of trade items", pattern: /^\d{1,8}$/ },
  "422": { name: "country of origin (ISO 3166 numeric)", pattern: /^\d{3}$/ },
  "7003": { name: "expiration date and time", pattern: /^\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d$/ },
  ...Object.fromEntries([0, 1, 2, 3, 4, 5].map((d) => [`310${d}`, { ...weight, name: `net weight, kg (${d} decimals)` }])),
  ...Object.fromEntries([0, 1, 2, 3, 4, 5].map((d) => [`320${d}`, { ...weight, name: `net weight, lb (${d} decimals)` }])),
};

/**
 * A GTIN-8/12/13/14 as 14 digits, check digit checked.
 * @throws DigitalLinkError "bad-value" (not 8/12/13/14 digits) or "check-digit"
 */
export function normalizeGtin(gtin: string): string {
  if (!/^\d+$/.test(gtin) || ![8, 12, 13, 14].includes(gtin.length))
    throw new DigitalLinkError("bad-value", `a GTIN is 8, 12, 13 or 14 digits, got "${gtin}"`);
  const padded = gtin.padStart(14, "0");
  const expected = gs1CheckDigit(padded.slice(0, 13));
  if (expected !== Number(padded[13]))
    throw new DigitalLinkError("check-digit", `the GTIN ${gtin}'s check digit is wrong (expected ${expected})`);
  return padded;
}

function checkAi82(ai: Qualifier, value: string): string {
  if (!GS1_AI82.test(value))
    throw new DigitalLinkError(
      "bad-value",
      `AI ${ai} (${QUALIFIER_NAMES[ai]}) is 1-20 characters of the GS1 AI encodable character set 82, got "${value}"`,
    );
  return value;
}

function decodeSegment(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new DigitalLinkError("syntax", `malformed percent-encoding in the ${what}: "${raw}"`);
  }
}

// Splits "https://host/path?query#fragment" or "/path?query" into path and query, without
// normalising the path (a URL parser would resolve "." and ".." segments, which are valid lots).
function splitUri(uriOrPath: string): { path: string; query: string } {
  let rest = uriOrPath.trim();
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/[^/?#]*/.exec(rest);
  if (scheme) {
    if (!/^https?$/i.test(scheme[1])) throw new DigitalLinkError("syntax", `a Digital Link URI is http or https, got "${scheme[1]}:"`);
    rest = rest.slice(scheme[0].length);
  }
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf("?");
  const path = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? rest.slice(q + 1) : "";
  if (!path.startsWith("/")) throw new DigitalLinkError("syntax", `not a Digital Link URI or path: "${uriOrPath}"`);
  return { path, query };
}

// Index of the "01" segment: the one followed by an even number of segments (value + AI/value
// pairs); anything before it is a path prefix, which the standard allows.
function primaryKeyIndex(segments: string[]): number {
  const candidates = segments.map((s, i) => i).filter((i) => segments[i] === "01" && (segments.length - i) % 2 === 0);
  const digits = candidates.find((i) => /^\d+$/.test(segments[i + 1]));
  if (digits !== undefined) return digits;
  if (candidates.length > 0) return candidates[0];
  const other = segments.findIndex((s, i) => s in OTHER_PRIMARY_KEYS && (segments.length - i) % 2 === 0);
  if (other >= 0)
    throw new DigitalLinkError(
      "unknown-ai",
      `AI ${segments[other]} (${OTHER_PRIMARY_KEYS[segments[other]]}) is not a trade item: this hub resolves GTINs (/01/{gtin})`,
    );
  throw new DigitalLinkError("syntax", "a Digital Link path is /01/{gtin} followed by AI/value pairs");
}

function parseQuery(query: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const seen = new Set<string>();
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = decodeSegment(eq >= 0 ? part.slice(0, eq) : part, "query string");
    // "+" is a literal plus in RFC 3986 (and in set 82); only percent-escapes are decoded.
    const value = decodeSegment(eq >= 0 ? part.slice(eq + 1) : "", "query string");
    if (seen.has(key)) throw new DigitalLinkError("syntax", `"${key}" appears twice in the query string`);
    seen.add(key);
    if (key === "01" || (QUALIFIERS as readonly string[]).includes(key))
      throw new DigitalLinkError("syntax", `AI ${key} is a key or key qualifier: it belongs in the path, not the query string`);
    const attribute = DATA_ATTRIBUTES[key];
    if (!attribute) continue; // non-AI parameters (linkType, context, ...) and AIs we do not interpret
    if (!attribute.pattern.test(value))
      throw new DigitalLinkError("bad-value", `AI ${key} (${attribute.name}) has a malformed value "${value}"`);
    attributes[key] = value;
  }
  return attributes;
}

/**
 * Parses a Digital Link URI (any host, optional path prefix) or path, keeping the CPV and the
 * data attributes. @throws DigitalLinkError
 */
export function parseDigitalLinkDetails(uriOrPath: string): DigitalLinkDetails {
  const { path, query } = splitUri(uriOrPath);
  const segments = path.slice(1).split("/");
  if (segments.some((s) => s === "")) throw new DigitalLinkError("syntax", `empty segment in the path "${path}"`);
  const pk = primaryKeyIndex(segments);
  const code: ProductCode = { gtin: normalizeGtin(decodeSegment(segments[pk + 1], "GTIN")) };
  let cpv: string | undefined;
  let last = -1;
  for (let i = pk + 2; i < segments.length; i += 2) {
    const ai = segments[i];
    const position = (QUALIFIERS as readonly string[]).indexOf(ai);
    if (position < 0) {
      if (DATA_ATTRIBUTES[ai])
        throw new DigitalLinkError("unknown-ai", `AI ${ai} (${DATA_ATTRIBUTES[ai].name}) is a data attribute: it goes in the query string, not the path`);
      throw new DigitalLinkError("unknown-ai", `"${ai}" is not a key qualifier of a GTIN (22, 10, 21 in that order)`);
    }
    if (position <= last)
      throw new DigitalLinkError("syntax", `key qualifiers come at most once each, in the order 22, 10, 21 (AI ${ai} is out of place)`);
    last = position;
    const qualifier = ai as Qualifier;
    const value = checkAi82(qualifier, decodeSegment(segments[i + 1], `AI ${ai} value`));
    if (qualifier === "22") cpv = value;
    else if (qualifier === "10") code.lot = value;
    else code.serial = value;
  }
  const details: DigitalLinkDetails = { code, attributes: parseQuery(query) };
  if (cpv !== undefined) details.cpv = cpv;
  return details;
}

/** The product a Digital Link URI or path names. @throws DigitalLinkError */
export function parseDigitalLink(uriOrPath: string): ProductCode {
  return parseDigitalLinkDetails(uriOrPath).code;
}

// Percent-encodes everything but unreserved characters: set 82's reserved characters
// ("/", "?", "%", "&", ...) must not be read as URI syntax.
function encodeValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"));
}

/**
 * The path of a product's Digital Link: "/01/{gtin}", then "/10/{lot}" and "/21/{serial}" when
 * present, values percent-encoded; parseDigitalLink's inverse. @throws DigitalLinkError
 */
export function digitalLinkPath(code: ProductCode): string {
  return formatDigitalLink({ code, attributes: {} });
}

/** A DigitalLinkDetails back to a path with its query string (CPV and attributes kept). @throws DigitalLinkError */
export function formatDigitalLink(details: DigitalLinkDetails): string {
  const { code, cpv, attributes } = details;
  let path = `/01/${normalizeGtin(code.gtin)}`;
  if (cpv !== undefined) path += `/22/${encodeValue(checkAi82("22", cpv))}`;
  if (code.lot !== undefined) path += `/10/${encodeValue(checkAi82("10", code.lot))}`;
  if (code.serial !== undefined) path += `/21/${encodeValue(checkAi82("21", code.serial))}`;
  const query = Object.entries(attributes).map(([ai, value]) => {
    const attribute = DATA_ATTRIBUTES[ai];
    if (!attribute || !attribute.pattern.test(value))
      throw new DigitalLinkError(attribute ? "bad-value" : "unknown-ai", `AI ${ai} = "${value}" is not a data attribute value this hub knows`);
    return `${ai}=${value}`;
  });
  return query.length > 0 ? `${path}?${query.join("&")}` : path;
}

/** Two product codes name the same thing (same GTIN, lot and serial). */
export function sameProduct(a: ProductCode, b: ProductCode): boolean {
  return a.gtin === b.gtin && a.lot === b.lot && a.serial === b.serial;
}
