/** ONE Record namespaces, IRI <-> local name, and the JSON-LD context the hub emits. */

export const CARGO = "https://onerecord.iata.org/ns/cargo#";
export const API = "https://onerecord.iata.org/ns/api#";
export const CODE_LISTS = "https://onerecord.iata.org/ns/code-lists/";
export const XSD = "http://www.w3.org/2001/XMLSchema#";

/** The context of every document we emit: prefixes only, so values keep the form they were stored in. */
export const ONE_RECORD_CONTEXT = { cargo: CARGO, api: API, xsd: XSD } as const;

const PREFIXES: readonly (readonly [string, string])[] = Object.entries(ONE_RECORD_CONTEXT);

/** The local name of `iri` in namespace `ns`, or undefined if it is not in it (or the rest is no simple name). */
export function localName(iri: string, ns: string): string | undefined {
  if (!iri.startsWith(ns)) return undefined;
  const rest = iri.slice(ns.length);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(rest) ? rest : undefined;
}

export const cargoIri = (local: string): string => CARGO + local;
export const apiIri = (local: string): string => API + local;
export const xsdIri = (local: string): string => XSD + local;

/** IRI of a code in a ONE Record code list, e.g. ("SpecialHandlingCode", "VAL"). */
export const codeListIri = (list: string, code: string): string => `${CODE_LISTS}${list}#${code}`;

/** `iri` as a compact IRI under our context ("cargo:Piece"), or unchanged if no prefix fits. */
export function compactIri(iri: string): string {
  for (const [prefix, ns] of PREFIXES) {
    const local = localName(iri, ns);
    if (local !== undefined) return `${prefix}:${local}`;
  }
  return iri;
}

/** An absolute IRI: a scheme, a colon, no white space (JSON-LD drops triples whose IRIs are not). */
export function isAbsoluteIri(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(s);
}
