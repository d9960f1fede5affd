// What the ONE Record conformance tests share: JSON-LD data comparison without the network, and
// the examples' classes.
import * as jsonld from "jsonld";
import { CARGO } from "../../sdk/one-record/vocabulary";

const noNetwork = async (url: string): Promise<never> => {
  throw new Error(`no network in this suite: refused to load ${url}`);
};

/** The URDNA2015 canonical N-Quads of a document: equal strings are equal JSON-LD data. */
export const canonical = (doc: unknown): Promise<string> =>
  jsonld.canonize(
    doc as jsonld.JsonLdDocument,
    { algorithm: "URDNA2015", format: "application/n-quads", documentLoader: noNetwork } as jsonld.Options.Normalize,
  );

/** Two examples give an @id with a leading space: JSON-LD drops such a node entirely, which would make the comparison empty. */
export const trimIds = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(trimIds)
    : v && typeof v === "object"
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "@id" && typeof x === "string" ? x.trim() : trimIds(x)]))
      : v;

export function typesOf(doc: unknown): string[] {
  const t = (doc as { "@type"?: unknown })["@type"];
  return (Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === "string");
}

export const isCargo = (doc: unknown): boolean => typesOf(doc).some((t) => t.startsWith("cargo:") || t.startsWith(CARGO));
