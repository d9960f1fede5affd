import { digitalLinkPath, type ProductCode } from "../../sdk/provenance/digital-link";
import { GS1_LINK_TYPES, GS1_VOC, type GtinLink } from "../../sdk/provenance/gtin-links";

/**
 * What the resolver answers for a code: the owner's links in scope, then the hub's built-in links,
 * as a list per link type, as an RFC 9264 linkset and as an RFC 8288 Link header. Pure functions.
 */

/** A link as the resolver serves it; linkType in compact form ("gs1:pip"). */
export interface ResolvedLink {
  linkType: string;
  href: string;
  title: string;
  type?: string;
  hreflang?: string[];
}

/** Link types a request may name: the settable ones and gs1:defaultLink. */
const REQUESTABLE = new Set<string>([...GS1_LINK_TYPES, "defaultLink"].map((t) => `gs1:${t}`));

/**
 * A ?linkType= value in compact form ("gs1:pip"), accepting the vocabulary URIs too
 * (https://gs1.org/voc/pip, https://ref.gs1.org/voc/pip); undefined when it is not a link type we serve.
 */
export function normalizeLinkType(value: string): string | undefined {
  const m = /^(?:gs1:|https?:\/\/(?:ref\.)?gs1\.org\/voc\/)([A-Za-z]+)$/.exec(value);
  const compact = m ? `gs1:${m[1]}` : undefined;
  return compact && REQUESTABLE.has(compact) ? compact : undefined;
}

/** The code's URI on this hub: the linkset's anchor, the QR code's content, the page's address. */
export function codeUri(publicUrl: string, code: ProductCode): string {
  return publicUrl + digitalLinkPath(code);
}

const PAGE_LANGUAGES = ["en", "zh-Hant", "zh-Hans"];

/** The hub's own links for every known code (the page and the JSON it is built from). */
export function builtInLinks(publicUrl: string, code: ProductCode): ResolvedLink[] {
  const path = digitalLinkPath(code);
  const uri = publicUrl + path;
  return [
    { linkType: "gs1:pip", href: uri, title: "Product provenance page", type: "text/html", hreflang: PAGE_LANGUAGES },
    { linkType: "gs1:defaultLink", href: uri, title: "Product provenance page", type: "text/html", hreflang: PAGE_LANGUAGES },
    {
      linkType: "gs1:traceability",
      href: `${publicUrl}/provenance/story${path}`,
      title: "Provenance story: steps, facts and proofs",
      type: "application/json",
    },
    {
      linkType: "gs1:certificationInfo",
      href: `${publicUrl}/provenance/certifications${path}`,
      title: "Certifications and their status",
      type: "application/json",
    },
    {
      linkType: "gs1:verificationService",
      href: `${uri}#verify`,
      title: "Verify this product against the blockchain",
      type: "text/html",
      hreflang: PAGE_LANGUAGES,
    },
    {
      linkType: "gs1:epcis",
      href: `${publicUrl}/epcis/epcs/${encodeURIComponent(uri)}/events`,
      title: "EPCIS events of this product",
      type: "application/json",
    },
  ];
}

/**
 * The hub's links for an identifier other than a product's (SSCC, GLN, GRAI, ...): its EPCIS
 * events, by the canonical Digital Link the EPCIS index keeps (the events route checks who may see them).
 */
export function identifierLinks(publicUrl: string, canonicalUri: string): ResolvedLink[] {
  return [
    {
      linkType: "gs1:epcis",
      href: `${publicUrl}/epcis/epcs/${encodeURIComponent(canonicalUri)}/events`,
      title: "EPCIS events naming this identifier",
      type: "application/ld+json",
    },
  ];
}

// How precisely an owner's link names the code (a serial's link beats a lot's, which beats the GTIN's); -1: not in scope.
function specificity(link: GtinLink, code: ProductCode): number {
  if (link.lot !== undefined && link.lot !== code.lot) return -1;
  if (link.serial !== undefined && link.serial !== code.serial) return -1;
  return (link.serial !== undefined ? 2 : 0) + (link.lot !== undefined ? 1 : 0);
}

function served(link: GtinLink, linkType: string = link.linkType): ResolvedLink {
  return {
    linkType,
    href: link.href,
    title: link.title,
    ...(link.type ? { type: link.type } : {}),
    ...(link.hreflang ? { hreflang: link.hreflang } : {}),
  };
}

/**
 * Every link of a code: per type, the owner's links in scope (most specific scope first, then the
 * owner's order), then the built-in link of that type. gs1:defaultLink has one link: the owner's
 * default of the most specific scope, else the built-in one.
 */
export function resolveLinks(publicUrl: string, code: ProductCode, ownerLinks: readonly GtinLink[]): ResolvedLink[] {
  const inScope = linksInScope(code, ownerLinks);
  const builtIn = builtInLinks(publicUrl, code);
  const ownerDefault = ownerDefaultLink(code, ownerLinks);
  const out: ResolvedLink[] = [];
  const types = [...new Set([...builtIn.map((l) => l.linkType), ...inScope.map((l) => l.linkType)])];
  for (const type of types) {
    if (type === "gs1:defaultLink") {
      out.push(ownerDefault ? served(ownerDefault, "gs1:defaultLink") : builtIn.find((l) => l.linkType === type)!);
      continue;
    }
    for (const l of inScope) if (l.linkType === type) out.push(served(l));
    out.push(...builtIn.filter((l) => l.linkType === type));
  }
  return out;
}

/** The owner's default link for the code, if the owner set one in scope. */
export function ownerDefaultLink(code: ProductCode, ownerLinks: readonly GtinLink[]): GtinLink | undefined {
  return linksInScope(code, ownerLinks).find((l) => l.default);
}

/** The owner's links that apply to the code, most specific scope first, then in the owner's order. */
function linksInScope(code: ProductCode, ownerLinks: readonly GtinLink[]): GtinLink[] {
  return ownerLinks
    .map((link, position) => ({ link, position, rank: specificity(link, code) }))
    .filter((l) => l.rank >= 0)
    .sort((a, b) => b.rank - a.rank || a.position - b.position)
    .map((l) => l.link);
}

const expand = (linkType: string) => GS1_VOC + linkType.slice("gs1:".length);

/** RFC 9264 JSON linkset of one anchor, relation types as GS1 vocabulary URIs. */
export function linksetDocument(anchor: string, links: readonly ResolvedLink[]): { linkset: Record<string, unknown>[] } {
  const context: Record<string, unknown> = { anchor };
  for (const l of links) {
    const rel = expand(l.linkType);
    const targets = (context[rel] as Record<string, unknown>[] | undefined) ?? [];
    targets.push({ href: l.href, title: l.title, ...(l.type ? { type: l.type } : {}), ...(l.hreflang ? { hreflang: l.hreflang } : {}) });
    context[rel] = targets;
  }
  return { linkset: [context] };
}

/**
 * The links of the best language among a link type's candidates: the first in the caller's
 * language order (exact tag, then primary language), else the first candidate.
 */
export function pickLink(candidates: readonly ResolvedLink[], languages: readonly string[]): ResolvedLink | undefined {
  const lower = (s: string) => s.toLowerCase();
  for (const lang of languages.map(lower)) {
    if (lang === "*") break;
    const exact = candidates.find((c) => c.hreflang?.some((h) => lower(h) === lang));
    if (exact) return exact;
    const primary = lang.split("-")[0];
    const near = candidates.find((c) => c.hreflang?.some((h) => lower(h).split("-")[0] === primary));
    if (near) return near;
  }
  return candidates[0];
}

// Header values are Latin-1 at most: non-ASCII titles go in RFC 8187 title*, URLs in their ASCII form.
function quoted(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return `${name}="${value.replace(/["\\]/g, "\\$&")}"`;
  return `${name}*=UTF-8''${encodeURIComponent(value).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())}`;
}

/** Bytes of Link header the resolver sends at most; the linkset has everything. */
export const LINK_HEADER_MAX = 8000;

/** RFC 8288 Link header: the linkset first, then each link with its GS1 relation type. */
export function linkHeader(linksetUrl: string, links: readonly ResolvedLink[]): string {
  const parts = [`<${new URL(linksetUrl).href}>; rel="linkset"; type="application/linkset+json"`];
  let length = parts[0].length;
  for (const l of links) {
    const attrs = [`<${new URL(l.href).href}>`, `rel="${expand(l.linkType)}"`, quoted("title", l.title)];
    if (l.type) attrs.push(`type="${l.type}"`);
    for (const h of l.hreflang ?? []) attrs.push(`hreflang="${h}"`);
    const part = attrs.join("; ");
    if (length + part.length + 2 > LINK_HEADER_MAX) break;
    parts.push(part);
    length += part.length + 2;
  }
  return parts.join(", ");
}
