import * as jsonld from "jsonld";
import { readJson, standardsFile } from "./standards";

// The contexts the examples name, served from the standard's own copies: no network, and a URL not mapped fails.
export const CONTEXT_FILES: Record<string, string> = {
  "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld": "epcis-context-root.jsonld",
  "https://ref.gs1.org/standards/epcis/epcis-context.jsonld": "epcis-context-root.jsonld",
  ...Object.fromEntries(
    [
      "cbv-context-bizstep",
      "cbv-context-biztransaction-type",
      "cbv-context-component",
      "cbv-context-disposition",
      "cbv-context-error-reason",
      "cbv-context-sourcedest-type",
      "gs1-context-measurement-type",
      "gs1-context-sensor-alert-type",
    ].map((n) => [`https://gs1.github.io/EPCIS/${n}.jsonld`, `${n}.jsonld`]),
  ),
};

const unprotect = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(unprotect)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k]) => k !== "@protected")
            .map(([k, x]) => [k, unprotect(x)]),
        )
      : v;

export const loader = (protectedTerms: boolean) => async (url: string) => {
  const file = CONTEXT_FILES[url];
  if (!file) throw new Error(`JSON-LD context ${url} is not mapped to a local file (no network in this suite)`);
  const document = readJson(standardsFile("epcis", "context", file)) as object;
  return { contextUrl: undefined, documentUrl: url, document: (protectedTerms ? document : unprotect(document)) as object };
};

/**
 * URDNA2015 N-Quads of one event under a context: equal strings mean equal JSON-LD data.
 * recordTime is left out: the hub sets it (the standard's capture time), so it differs by design.
 * `protectedTerms: false` serves the contexts without @protected, for the one example that
 * redefines a protected prefix (cbvmda), which a JSON-LD 1.1 processor otherwise refuses.
 */
export async function canonical(context: unknown, event: Record<string, unknown>, protectedTerms = true): Promise<string> {
  const { recordTime: _ignored, ...rest } = event;
  return (await jsonld.canonize(
    { "@context": context, ...rest } as jsonld.JsonLdDocument,
    {
      algorithm: "URDNA2015",
      format: "application/n-quads",
      documentLoader: loader(protectedTerms) as never,
      safe: false,
    } as never,
  )) as unknown as string;
}

export const redefinesProtected = async (context: unknown, event: Record<string, unknown>) =>
  canonical(context, event).then(
    () => false,
    (e: unknown) => /protected term/.test(String(e)),
  );

/** The JSON-LD 1.1 expansion of a document, its contexts served locally (protected terms enforced). */
export async function expand(doc: object): Promise<object[]> {
  return (await jsonld.expand(doc as jsonld.JsonLdDocument, { documentLoader: loader(true) as never, safe: false } as never)) as unknown as object[];
}
