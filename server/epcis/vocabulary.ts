/**
 * CBV and GS1 vocabulary values may be written bare ("shipping"), as web URIs, URNs or CURIEs: all
 * name the same value (CBV 2.0 §6, EPCIS 2.0 §8.2.7.1: standard values as bare words). Queries match
 * every form.
 */
const VOCABULARIES = {
  bizStep: { web: "https://ref.gs1.org/cbv/BizStep-", urn: "urn:epcglobal:cbv:bizstep:", curie: "cbv:BizStep-" },
  disposition: { web: "https://ref.gs1.org/cbv/Disp-", urn: "urn:epcglobal:cbv:disp:", curie: "cbv:Disp-" },
  errorReason: { web: "https://ref.gs1.org/cbv/ER-", urn: "urn:epcglobal:cbv:er:", curie: "cbv:ER-" },
  bizTransactionType: { web: "https://ref.gs1.org/cbv/BTT-", urn: "urn:epcglobal:cbv:btt:", curie: "cbv:BTT-" },
  sourceDestType: { web: "https://ref.gs1.org/cbv/SDT-", urn: "urn:epcglobal:cbv:sdt:", curie: "cbv:SDT-" },
  // GS1 Web vocabulary (sensor measurement types): no URN form.
  measurementType: { web: "https://gs1.org/voc/", urn: "https://gs1.org/voc/", curie: "gs1:" },
} as const;

export type Vocabulary = keyof typeof VOCABULARIES;

/** Every spelling of a vocabulary value (the value itself when it is no form of a standard word). */
export function vocabularyForms(field: Vocabulary, value: string): string[] {
  const v = VOCABULARIES[field];
  let word: string | undefined;
  for (const p of [v.web, v.urn, v.curie]) if (value.startsWith(p)) word = value.slice(p.length);
  if (word === undefined && !value.includes(":")) word = value;
  return word === undefined ? [value] : [...new Set([word, v.web + word, v.urn + word, v.curie + word])];
}

/** Whether two spellings name the same vocabulary value. */
export const sameWord = (field: Vocabulary, a: string, b: string) => a === b || vocabularyForms(field, a).includes(b);
