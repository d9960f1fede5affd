import { z } from "zod";
import { AnchorProofSchema, Hex32, OrgIdSchema, RecordIdSchema } from "./envelope";
import { merkleLeaf, verifyMerkleProof } from "./merkle";
import { DigitalLinkError, parseDigitalLinkUri } from "./provenance/digital-link";
import { AwbNumber } from "./records/codes";

/**
 * The identifier bridge (docs/resolve.md): `GET /v1/resolve?id=...` takes any identifier the hub
 * knows and answers every other identifier of the records it designates that the caller may see,
 * with their inclusion proofs. What an identifier is, is decided here (classifyIdentifier), so a
 * client can tell what the hub will try before asking.
 */

/** What kind of identifier the input was. */
export const IDENTIFIER_KINDS = [
  "record-id",
  "digest",
  "merkle-leaf",
  "one-record-iri",
  "epcis-event-id",
  "epc-urn",
  "digital-link",
  "air-waybill",
  "waybill-number",
] as const;
export const IdentifierKindSchema = z.enum(IDENTIFIER_KINDS);
export type IdentifierKind = z.infer<typeof IdentifierKindSchema>;

/** At most this many records answer one identifier (a GTIN naming many events); `truncated` says when more matched. */
export const RESOLVE_LIMIT = 50;

/** Longer than any identifier the hub keeps (a record id is 128 characters, an EPC 512). */
const MAX_IDENTIFIER = 2048;

export const ResolveQuerySchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(MAX_IDENTIFIER)
    .regex(/^[^\s\p{Cc}]+$/u, "an identifier has no spaces or control characters"),
});
export type ResolveQuery = z.infer<typeof ResolveQuerySchema>;

/** One record an identifier designates, with every identifier of it the caller may see. */
export const ResolvedRecordSchema = z.strictObject({
  id: RecordIdSchema,
  type: z.string(),
  owner: OrgIdSchema,
  /** The version the identifier names (a digest or leaf names one), else the latest. */
  version: z.number().int().min(1),
  latestVersion: z.number().int().min(1),
  digest: Hex32,
  /** keccak256(keccak256(digest)): the leaf of the Merkle batch the version is anchored in. */
  merkleLeaf: Hex32,
  oneRecordIri: z.string().optional(),
  epcis: z.strictObject({ eventID: z.string().nullable(), eventHash: z.string(), epcs: z.array(z.string()) }).optional(),
  /** GS1 Digital Link URIs (https://id.gs1.org form) of the products and logistic units the record names itself (these and below: of its latest version). */
  digitalLinks: z.array(z.string()),
  gtins: z.array(z.string()),
  ssccs: z.array(z.string()),
  /** Master air waybill numbers (ddd-dddddddd): a master's own, a house or parcel waybill's master. */
  airWaybillNumbers: z.array(z.string()),
  /** A waybill's own number as written (a house or parcel waybill's is free text; a master's, its air waybill number). */
  waybillNumber: z.string().optional(),
  /** The record and its proof endpoint; a logistics object's IRI; an EPCIS event at the EPCIS interface (linking back to both). */
  links: z.strictObject({ record: z.string(), proof: z.string(), oneRecord: z.string().optional(), epcis: z.string().optional() }),
  /** The proof `GET links.proof` answers, once the version is anchored. */
  proof: AnchorProofSchema.optional(),
});
export type ResolvedRecord = z.infer<typeof ResolvedRecordSchema>;

export const ResolveAnswerSchema = z.strictObject({
  id: z.string(),
  kind: IdentifierKindSchema,
  records: z.array(ResolvedRecordSchema).min(1).max(RESOLVE_LIMIT),
  truncated: z.boolean(),
});
export type ResolveAnswer = z.infer<typeof ResolveAnswerSchema>;

/** The form the hub indexes an air waybill number in: its eleven digits. */
export const awbDigits = (awb: string) => awb.replace("-", "");
/** ddd-dddddddd, as waybills print it. */
export const formatAwb = (digits: string) => `${digits.slice(0, 3)}-${digits.slice(3)}`;

const WAYBILL_NUMBER = /^[A-Za-z0-9][A-Za-z0-9./-]{0,34}$/;

function isDigitalLink(raw: string): boolean {
  try {
    parseDigitalLinkUri(raw);
    return true;
  } catch (e) {
    if (e instanceof DigitalLinkError) return false;
    throw e;
  }
}

/**
 * The kinds an identifier may be, most specific first; the hub answers with the first that names a
 * record the caller may read. 32 bytes of hex are a digest or a Merkle leaf; an air waybill number
 * may also be a record id; an http(s) URI is an object IRI (a /logistics-objects/ path), a Digital
 * Link or an EPCIS eventID; any other URI an eventID; anything else a record id, an eventID or (up
 * to 35 characters) a house or parcel waybill's number. Empty: nothing the hub could know.
 */
export function classifyIdentifier(raw: string): IdentifierKind[] {
  if (/^0x[0-9a-fA-F]{64}$/.test(raw)) return ["digest", "merkle-leaf"];
  if (AwbNumber.safeParse(raw).success) return ["air-waybill", "record-id"];
  if (/^urn:epc:/i.test(raw)) return ["epc-urn"];
  if (/^https?:\/\//i.test(raw)) {
    if (/^https?:\/\/[^/]+(\/[^?#]*)?\/logistics-objects\/[^/?#]+\/?([?#].*)?$/i.test(raw)) return ["one-record-iri"];
    return isDigitalLink(raw) ? ["digital-link", "epcis-event-id"] : ["epcis-event-id"];
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw) && !RecordIdSchema.safeParse(raw).success) return ["epcis-event-id"];
  // "ni:///..." and "urn:uuid:..." are not record ids (a "/" or too long); "epcis:org:hash" is both shapes.
  // Last, a house or parcel waybill's number (free text on the waybill): up to 35 letters, digits, ".", "/" and "-".
  const house: IdentifierKind[] = WAYBILL_NUMBER.test(raw) ? ["waybill-number"] : [];
  return RecordIdSchema.safeParse(raw).success ? ["record-id", "epcis-event-id", ...house] : house;
}

/**
 * Whether a resolved record's proof folds its digest to the proof's root, and its leaf is the
 * digest's. That the root is anchored on chain, by whom and when, is verifyRecord's to check
 * (sdk/verify.ts), with the record read from `links.record` and this proof.
 */
export function checkResolvedProof(r: Pick<ResolvedRecord, "digest" | "merkleLeaf" | "proof">): boolean {
  if (!r.proof || merkleLeaf(r.digest) !== r.merkleLeaf) return false;
  return verifyMerkleProof(r.digest, r.proof.siblings, r.proof.root);
}
