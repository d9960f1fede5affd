/**
 * The shape of the GS1 Barcode Syntax Dictionary's entries (sdk/provenance/gs1/gs1-syntax-dictionary.txt),
 * as scripts/generate-gs1-ai-table.mjs writes them into ai-table.ts.
 */

/** N: digits; X: GS1 AI encodable character set 82; Y: set 39; Z: base64url (file-safe). */
export type Gs1Charset = "N" | "X" | "Y" | "Z";

/** One component of an AI's value, consumed in order: a fixed length (min = max) or, last only, a variable one. */
export interface Gs1Component {
  charset: Gs1Charset;
  min: number;
  max: number;
  /** "[...]" in the dictionary: may be absent once the value is exhausted. */
  optional: boolean;
  /** Content checks the dictionary names (csum, gcppos1, yymmdd, ...), see linters.ts. */
  linters: readonly string[];
}

export interface Gs1AiDefinition {
  title: string;
  /** "*": predefined length, no FNC1 separator needed. */
  predefinedLength: boolean;
  /** "?": permitted as a GS1 Digital Link data attribute (query string). */
  dlDataAttribute: boolean;
  components: readonly Gs1Component[];
  /** Present when the AI is a Digital Link primary key: its ordered qualifier sequences, alternatives ("22,10,21|235"). */
  dlpkey?: readonly (readonly string[])[];
  /** req=: each clause is satisfied by one of its groups, a group by all of its AIs or patterns ("n" = any digit). */
  req: readonly (readonly (readonly string[])[])[];
  /** ex=: AIs or patterns this AI may not appear with. */
  ex: readonly string[];
}
