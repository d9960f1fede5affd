import { gs1CheckDigit } from "../records/codes";
import { CompressionError, compressElements, decompressElements } from "./gs1/compression";
import { aiDefinition, aiName, elementProblem, pairingProblem, type ElementProblem, type Gs1Element } from "./gs1/elements";

/**
 * GS1 Digital Link URI syntax (1.x), checked against the GS1 Barcode Syntax Dictionary
 * (./gs1/ai-table.ts): every primary key the dictionary marks dlpkey, its key qualifiers in the
 * path in one of its orders, and data attributes (AIs flagged "?") in the query string; every value
 * checked for character set, length and the dictionary's linters (check digits, dates, ...).
 * The product functions (parseDigitalLink, digitalLinkPath, ...) are the GTIN (01) view of it.
 */

export type { Gs1Element } from "./gs1/elements";

/** A product as the hub names it: a GTIN (14 digits, check digit checked), optionally a lot and/or a serial. */
export type ProductCode = { gtin: string; lot?: string; serial?: string };

export type DigitalLinkErrorReason = "syntax" | "check-digit" | "unknown-ai" | "bad-value";

export class DigitalLinkError extends Error {
  constructor(
    readonly reason: DigitalLinkErrorReason,
    message: string,
    /** The AI the error is about, when it is about one. */
    readonly ai?: string,
  ) {
    super(message);
    this.name = "DigitalLinkError";
  }
}

const fail = (p: ElementProblem): never => {
  throw new DigitalLinkError(p.reason, p.message, p.ai);
};

/** What a Digital Link URI says: its primary key, key qualifiers (path order), data attributes and other query parameters. */
export interface DigitalLinkUri {
  key: Gs1Element;
  qualifiers: Gs1Element[];
  /** AI data attributes from the query string, by AI. */
  attributes: Record<string, string>;
  /** Query parameters that are not AIs (linkType, context, ...), by name. */
  parameters: Record<string, string>;
}

/** Everything a Digital Link URI says about a trade item, beyond its ProductCode. */
export type DigitalLinkDetails = {
  code: ProductCode;
  /** AI 22, consumer product variant. */
  cpv?: string;
  /** AI 235, third party controlled serialised extension of the GTIN (the alternative to 22/10/21). */
  tpx?: string;
  /** Data attributes from the query string, by AI (e.g. "17": "261231"). */
  attributes: Record<string, string>;
};

/**
 * A GTIN-8/12/13/14 as 14 digits, check digit checked.
 * @throws DigitalLinkError "bad-value" (not 8/12/13/14 digits) or "check-digit"
 */
export function normalizeGtin(gtin: string): string {
  if (!/^\d+$/.test(gtin) || ![8, 12, 13, 14].includes(gtin.length))
    throw new DigitalLinkError("bad-value", `a GTIN (AI 01) is 8, 12, 13 or 14 digits, got "${gtin}"`, "01");
  const padded = gtin.padStart(14, "0");
  const expected = gs1CheckDigit(padded.slice(0, 13));
  if (expected !== Number(padded[13]))
    throw new DigitalLinkError("check-digit", `the GTIN (AI 01) ${gtin}'s check digit is wrong (expected ${expected})`, "01");
  return padded;
}

// Every character a URI may hold (RFC 3986: unreserved, reserved and "%").
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

function decodeSegment(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new DigitalLinkError("syntax", `malformed percent-encoding in the ${what}: "${raw}"`);
  }
}

// Splits "https://host/path?query#fragment" or "/path?query" into path and query, without
// normalising the path (a URL parser would resolve "." and ".." segments, which are valid lots).
// The scheme and authority are checked with the WHATWG URL parser plus what it tolerates but a
// Digital Link may not hold: userinfo, an IPv6 zone identifier, characters outside RFC 3986.
function splitUri(uriOrPath: string): { path: string; query: string } {
  if (!URI_CHARS.test(uriOrPath)) throw new DigitalLinkError("syntax", `a URI holds only RFC 3986 characters (others are percent-encoded): "${uriOrPath}"`);
  if (/%(?![0-9A-Fa-f]{2})/.test(uriOrPath)) throw new DigitalLinkError("syntax", `malformed percent-encoding in "${uriOrPath}"`);
  let rest = uriOrPath;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (scheme) {
    if (!/^https?$/i.test(scheme[1]!)) throw new DigitalLinkError("syntax", `a Digital Link URI is http or https, got "${scheme[1]}:"`);
    const authority = /^[a-zA-Z]+:\/\/([^/?#]*)/.exec(rest);
    if (!authority || authority[1] === "") throw new DigitalLinkError("syntax", `a Digital Link URI names a host: "${uriOrPath}"`);
    if (authority[1]!.includes("@")) throw new DigitalLinkError("syntax", "a Digital Link URI carries no user information (user@host)");
    if (authority[1]!.includes("%"))
      throw new DigitalLinkError("syntax", `the host "${authority[1]}" is not a valid host (percent-encoding, IPv6 zone identifier)`);
    try {
      new URL(`${scheme[1]}://${authority[1]}/`);
    } catch {
      throw new DigitalLinkError("syntax", `the host "${authority[1]}" is not a valid host`);
    }
    rest = rest.slice(authority[0].length);
  }
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf("?");
  const path = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? rest.slice(q + 1) : "";
  if (!path.startsWith("/")) throw new DigitalLinkError("syntax", `not a Digital Link URI or path: "${uriOrPath}"`);
  return { path, query };
}

const isPrimaryKey = (ai: string) => aiDefinition(ai)?.dlpkey !== undefined;

// A key's value as the URI may write it: a GTIN-8/12/13 stands for its GTIN-14.
function keyValue(ai: string, raw: string): string {
  const value = decodeSegment(raw, `${aiName(ai)} value`);
  if (ai === "01") return normalizeGtin(value);
  const problem = elementProblem(ai, value);
  return problem ? fail(problem) : value;
}

// Index of the primary key: a dlpkey AI followed by an even number of segments (value + AI/value
// pairs); anything before it is a path prefix, which the standard allows. A prefix may itself
// look like an AI, so the first candidate with a valid key value wins.
function primaryKeyIndex(segments: string[]): number {
  const candidates = segments.map((_, i) => i).filter((i) => isPrimaryKey(segments[i]!) && (segments.length - i) % 2 === 0);
  const valid = candidates.find((i) => {
    try {
      keyValue(segments[i]!, segments[i + 1]!);
      return true;
    } catch {
      return false;
    }
  });
  if (valid !== undefined) return valid;
  if (candidates.length > 0) return candidates[0]!;
  throw new DigitalLinkError("syntax", "a Digital Link path is /{primary key AI}/{value} followed by key qualifier AI/value pairs (e.g. /01/{gtin}/10/{lot})");
}

const alternativesText = (alts: readonly (readonly string[])[]) => alts.map((a) => a.join(", ")).join(" or ");

function checkQualifiers(key: string, qualifiers: readonly string[]): void {
  const alts = aiDefinition(key)!.dlpkey!;
  // In order: the qualifiers are a subsequence of one of the key's sequences.
  const inOrder = (alt: readonly string[]) => {
    let at = -1;
    return qualifiers.every((q) => (at = alt.indexOf(q, at + 1)) >= 0);
  };
  if (qualifiers.length === 0 || alts.some(inOrder)) return;
  const sameAlternative = alts.some((alt) => qualifiers.every((q) => alt.includes(q)));
  throw new DigitalLinkError(
    "syntax",
    sameAlternative
      ? `key qualifiers of ${aiName(key)} come at most once each, in the order ${alternativesText(alts)} (${qualifiers.map((q) => `AI ${q}`).join(", ")} is not)`
      : `key qualifiers of ${aiName(key)} are one of the sequences ${alternativesText(alts)}, not a mix (${qualifiers.map((q) => `AI ${q}`).join(", ")})`,
    qualifiers[qualifiers.length - 1],
  );
}

function parseQuery(query: string, key: string, pathAis: ReadonlySet<string>): Pick<DigitalLinkUri, "attributes" | "parameters"> {
  const attributes: Record<string, string> = {};
  const parameters: Record<string, string> = {};
  const seen = new Set<string>();
  const qualifierAis = new Set(aiDefinition(key)!.dlpkey!.flat());
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = decodeSegment(eq >= 0 ? part.slice(0, eq) : part, "query string");
    // "+" is a literal plus in RFC 3986 (and in set 82); only percent-escapes are decoded.
    const value = decodeSegment(eq >= 0 ? part.slice(eq + 1) : "", "query string");
    if (seen.has(name) || pathAis.has(name)) throw new DigitalLinkError("syntax", `"${name}" appears twice in the URI`, /^\d+$/.test(name) ? name : undefined);
    seen.add(name);
    // Digits name an AI (GS1 DL 1.x); anything else is an ordinary parameter.
    if (!/^\d+$/.test(name)) {
      parameters[name] = value;
      continue;
    }
    const def = aiDefinition(name);
    if (!def) throw new DigitalLinkError("unknown-ai", `"${name}" in the query string is not a GS1 application identifier`, name);
    if (name === key || qualifierAis.has(name))
      throw new DigitalLinkError(
        "syntax",
        `${aiName(name)} is the primary key or a key qualifier of ${aiName(key)}: it belongs in the path, not the query string`,
        name,
      );
    if (!def.dlDataAttribute) throw new DigitalLinkError("unknown-ai", `${aiName(name)} is not permitted as a Digital Link data attribute`, name);
    const problem = elementProblem(name, value);
    if (problem) fail(problem);
    attributes[name] = value;
  }
  return { attributes, parameters };
}

/**
 * Parses a Digital Link URI (http or https, any host, optional path prefix) or path, for any
 * primary key of the syntax dictionary. @throws DigitalLinkError naming the AI at fault
 */
export function parseDigitalLinkUri(uriOrPath: string): DigitalLinkUri {
  const { path, query } = splitUri(uriOrPath);
  const segments = path.slice(1).split("/");
  if (segments.some((s) => s === "")) throw new DigitalLinkError("syntax", `empty segment in the path "${path}"`);
  let pk: number;
  try {
    pk = primaryKeyIndex(segments);
  } catch (err) {
    const uncompressed = uncompressedForm(segments, query);
    if (uncompressed === undefined) throw err;
    return parseDigitalLinkUri(uncompressed);
  }
  const keyAi = segments[pk]!;
  const key: Gs1Element = { ai: keyAi, value: keyValue(keyAi, segments[pk + 1]!) };
  const qualifiers: Gs1Element[] = [];
  const qualifierAis = new Set(aiDefinition(keyAi)!.dlpkey!.flat());
  for (let i = pk + 2; i < segments.length; i += 2) {
    const ai = segments[i]!;
    const def = aiDefinition(ai);
    if (!def) throw new DigitalLinkError("unknown-ai", `"${ai}" is not a GS1 application identifier`, ai);
    if (!qualifierAis.has(ai)) {
      if (def.dlDataAttribute) throw new DigitalLinkError("unknown-ai", `${aiName(ai)} is a data attribute: it goes in the query string, not the path`, ai);
      const alts = aiDefinition(keyAi)!.dlpkey!.filter((a) => a.length > 0);
      throw new DigitalLinkError(
        "unknown-ai",
        `"${ai}" is not a key qualifier of ${aiName(keyAi)} (${alts.length > 0 ? alternativesText(alts) : "it has none"})`,
        ai,
      );
    }
    const value = decodeSegment(segments[i + 1]!, `${aiName(ai)} value`);
    const problem = elementProblem(ai, value);
    if (problem) fail(problem);
    qualifiers.push({ ai, value });
  }
  checkQualifiers(
    keyAi,
    qualifiers.map((q) => q.ai),
  );
  const { attributes, parameters } = parseQuery(query, keyAi, new Set([keyAi, ...qualifiers.map((q) => q.ai)]));
  const pairing = pairingProblem([keyAi, ...qualifiers.map((q) => q.ai), ...Object.keys(attributes)], new Set(qualifiers.map((q) => q.ai)));
  if (pairing) fail(pairing);
  return { key, qualifiers, attributes, parameters };
}

// A compressed Digital Link path ("/{compressed}" or "/{key AI}/{key}/{compressed}", GS1 DL
// compression) written out uncompressed with its query string, or undefined when it is not one.
function uncompressedForm(segments: readonly string[], query: string): string | undefined {
  const last = segments[segments.length - 1]!;
  if (!/^[A-Za-z0-9_-]{4,}$/.test(last)) return undefined;
  let decoded: ReturnType<typeof decompressElements>;
  try {
    decoded = decompressElements(last);
  } catch (err) {
    if (err instanceof CompressionError) return undefined;
    throw err;
  }
  const elements = [...decoded.elements];
  const before = segments.length >= 3 ? segments[segments.length - 3]! : "";
  let key: Gs1Element | undefined;
  if (isPrimaryKey(before)) key = { ai: before, value: decodeSegment(segments[segments.length - 2]!, `${aiName(before)} value`) };
  else {
    const at = elements.findIndex((e) => isPrimaryKey(e.ai));
    if (at >= 0) key = elements.splice(at, 1)[0];
  }
  if (!key) return undefined;
  // Qualifiers go in the path in their dlpkey order; the rest are data attributes.
  const order = aiDefinition(key.ai)!.dlpkey!.flat();
  const qualifiers = elements.filter((e) => order.includes(e.ai)).sort((a, b) => order.indexOf(a.ai) - order.indexOf(b.ai));
  const attributes = elements.filter((e) => !order.includes(e.ai));
  const path = [key, ...qualifiers].map((e) => `/${encodeValue(e.ai)}/${encodeValue(e.value)}`).join("");
  const params = [...attributes.map((e) => [e.ai, e.value] as const), ...Object.entries(decoded.others)].map(([k, v]) => `${encodeValue(k)}=${encodeValue(v)}`);
  if (query !== "") params.push(query);
  return params.length > 0 ? `${path}?${params.join("&")}` : path;
}

/**
 * A Digital Link URI or path compressed (GS1 Digital Link compression): "/{compressed}", or with
 * `keepKey` "/{key AI}/{key}/{compressed}" (partially compressed, the key stays readable). The
 * query string's non-AI parameters are compressed too. parseDigitalLinkUri reads both forms back.
 * @throws DigitalLinkError for an invalid Digital Link or a parameter compression cannot hold
 */
export function compressDigitalLink(uriOrPath: string, options: { keepKey?: boolean } = {}): string {
  const dl = parseDigitalLinkUri(uriOrPath);
  const rest = [...dl.qualifiers, ...Object.entries(dl.attributes).map(([ai, value]) => ({ ai, value }))];
  try {
    if (options.keepKey && rest.length === 0 && Object.keys(dl.parameters).length === 0) return formatDigitalLinkUri({ key: dl.key });
    if (options.keepKey) return `/${dl.key.ai}/${encodeValue(dl.key.value)}/${compressElements(rest, dl.parameters)}`;
    return `/${compressElements([dl.key, ...rest], dl.parameters)}`;
  } catch (err) {
    if (err instanceof CompressionError) throw new DigitalLinkError("bad-value", `cannot compress: ${err.message}`);
    throw err;
  }
}

// Percent-encodes everything but unreserved characters: set 82's reserved characters
// ("/", "?", "%", "&", ...) must not be read as URI syntax.
function encodeValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"));
}

/**
 * A Digital Link URI's path and query string ("/00/{sscc}?4300=..."), parseDigitalLinkUri's
 * inverse: what it writes it parses back, or it throws. @throws DigitalLinkError
 */
export function formatDigitalLinkUri(dl: {
  key: Gs1Element;
  qualifiers?: readonly Gs1Element[];
  attributes?: Record<string, string>;
  parameters?: Record<string, string>;
}): string {
  for (const e of [dl.key, ...(dl.qualifiers ?? [])]) {
    const problem = elementProblem(e.ai, e.value);
    if (problem) fail(problem);
  }
  const path = [dl.key, ...(dl.qualifiers ?? [])].map((e) => `/${encodeValue(e.ai)}/${encodeValue(e.value)}`).join("");
  const query = [...Object.entries(dl.attributes ?? {}), ...Object.entries(dl.parameters ?? {})].map(([k, v]) => `${encodeValue(k)}=${encodeValue(v)}`);
  const out = query.length > 0 ? `${path}?${query.join("&")}` : path;
  parseDigitalLinkUri(out);
  return out;
}

/**
 * Parses a Digital Link URI (any host, optional path prefix) or path of a trade item (AI 01),
 * keeping the CPV, the TPX and the data attributes. @throws DigitalLinkError ("unknown-ai" for another primary key)
 */
export function parseDigitalLinkDetails(uriOrPath: string): DigitalLinkDetails {
  return productDetails(parseDigitalLinkUri(uriOrPath));
}

/** The trade item of a parsed Digital Link URI. @throws DigitalLinkError "unknown-ai" when its key is not a GTIN */
export function productDetails(dl: DigitalLinkUri): DigitalLinkDetails {
  if (dl.key.ai !== "01") throw new DigitalLinkError("unknown-ai", `${aiName(dl.key.ai)} is not a trade item: products are /01/{gtin}`, dl.key.ai);
  const code: ProductCode = { gtin: dl.key.value };
  const details: DigitalLinkDetails = { code, attributes: dl.attributes };
  for (const { ai, value } of dl.qualifiers) {
    if (ai === "22") details.cpv = value;
    else if (ai === "235") details.tpx = value;
    else if (ai === "10") code.lot = value;
    else code.serial = value;
  }
  return details;
}

/** The product a Digital Link URI or path names. @throws DigitalLinkError */
export function parseDigitalLink(uriOrPath: string): ProductCode {
  return parseDigitalLinkDetails(uriOrPath).code;
}

/**
 * The path of a product's Digital Link: "/01/{gtin}", then "/10/{lot}" and "/21/{serial}" when
 * present, values percent-encoded; parseDigitalLink's inverse. @throws DigitalLinkError
 */
export function digitalLinkPath(code: ProductCode): string {
  return formatDigitalLink({ code, attributes: {} });
}

/** A DigitalLinkDetails back to a path with its query string (CPV, TPX and attributes kept). @throws DigitalLinkError */
export function formatDigitalLink(details: DigitalLinkDetails): string {
  const { code, cpv, tpx, attributes } = details;
  const qualifiers: Gs1Element[] = [];
  if (cpv !== undefined) qualifiers.push({ ai: "22", value: cpv });
  if (code.lot !== undefined) qualifiers.push({ ai: "10", value: code.lot });
  if (code.serial !== undefined) qualifiers.push({ ai: "21", value: code.serial });
  if (tpx !== undefined) qualifiers.push({ ai: "235", value: tpx });
  return formatDigitalLinkUri({ key: { ai: "01", value: normalizeGtin(code.gtin) }, qualifiers, attributes });
}

/** Two product codes name the same thing (same GTIN, lot and serial). */
export function sameProduct(a: ProductCode, b: ProductCode): boolean {
  return a.gtin === b.gtin && a.lot === b.lot && a.serial === b.serial;
}
