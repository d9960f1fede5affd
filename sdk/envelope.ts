import { z } from "zod";
import { isReservedKey } from "./json-shape";

/** Shapes of a record as it is published, shared, redacted and proven. Digest rules live in `digest.ts`. */

export const Hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, "expected 32 bytes as lowercase 0x-prefixed hex");
export type Hex32 = z.infer<typeof Hex32>;

export const Salt = z.string().regex(/^0x[0-9a-f]{32}$/, "a salt is 16 bytes as lowercase 0x-prefixed hex");
export type Salt = z.infer<typeof Salt>;

export const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 20-byte 0x-prefixed address");
export type Address = z.infer<typeof Address>;

export const SignatureHex = z.string().regex(/^0x[0-9a-f]{130}$/, "a signature is 65 bytes (r, s, v) as lowercase 0x-prefixed hex");
export type SignatureHex = z.infer<typeof SignatureHex>;

// "__proto__", "constructor" and "prototype" match the pattern but are reserved (json-shape.ts), as in any JSON the hub reads.
export const FieldName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "a field name is 1-64 characters of A-Z, a-z, 0-9 and '_', not starting with a digit")
  .refine((n) => !isReservedKey(n), { error: (issue) => `'${String(issue.input)}' is not allowed as a field name` });

/** An organisation id: also its on-chain id (bytes32), hence at most 31 characters. */
export const OrgIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,30}$/, "an organisation id is 2-31 characters of a-z, 0-9 and '-'");
export const RecordIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "a record id is 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':', '-'");

const headerShape = {
  type: z.string().regex(/^[A-Z][A-Za-z]{1,63}$/, "a record type is 2-64 letters starting with a capital, e.g. Shipment"),
  id: RecordIdSchema,
  // The digest encodes the version as uint32, hence the upper bound.
  version: z.number().int().min(1).max(0xffff_ffff),
  owner: OrgIdSchema,
};

export const RecordHeaderSchema = z.strictObject(headerShape);
export type RecordHeader = z.infer<typeof RecordHeaderSchema>;

const Body = z.record(FieldName, z.unknown());
const Salts = z.record(FieldName, Salt);
const Hidden = z.record(FieldName, Hex32);

/** Every body field needs exactly one salt, and a field is either visible or hidden, never both. */
function checkFields(rec: { body: Record<string, unknown>; salts: Record<string, string>; hidden?: Record<string, string> }, ctx: z.RefinementCtx): void {
  for (const name of Object.keys(rec.body)) {
    if (!Object.hasOwn(rec.salts, name)) ctx.addIssue({ code: "custom", path: ["salts", name], message: `body field '${name}' has no salt` });
    if (rec.hidden && Object.hasOwn(rec.hidden, name))
      ctx.addIssue({ code: "custom", path: ["hidden", name], message: `field '${name}' is both in body and hidden` });
  }
  for (const name of Object.keys(rec.salts)) {
    if (!Object.hasOwn(rec.body, name)) ctx.addIssue({ code: "custom", path: ["salts", name], message: `salt for '${name}', which is not in body` });
  }
}

// Strict objects: a signed envelope should carry nothing its signature does not cover.
export const UnsignedRecordSchema = z.strictObject({ ...headerShape, body: Body, salts: Salts }).superRefine(checkFields);
export type UnsignedRecord = z.infer<typeof UnsignedRecordSchema>;

export const SignedRecordSchema = z
  .strictObject({ ...headerShape, body: Body, salts: Salts, digest: Hex32, signature: SignatureHex, hidden: Hidden.optional() })
  .superRefine(checkFields);
export type SignedRecord = z.infer<typeof SignedRecordSchema>;

export const AnchorProofSchema = z
  .strictObject({
    root: Hex32,
    leafIndex: z.number().int().min(0),
    leafCount: z.number().int().min(1),
    siblings: z.array(Hex32),
    chainId: z.number().int().min(1),
    anchorRegistry: Address,
    // Hints only: the verifier finds the anchoring transaction on chain itself.
    txHash: Hex32.optional(),
    blockNumber: z.number().int().min(0).optional(),
    // How deep the anchoring block was when the hub served the proof (the block itself counts as one);
    // absent in proofs from older hubs, or when the hub could not read the chain's head.
    confirmations: z.number().int().min(1).optional(),
  })
  .refine((p) => p.leafIndex < p.leafCount, { message: "leafIndex must be below leafCount", path: ["leafIndex"] });
export type AnchorProof = z.infer<typeof AnchorProofSchema>;
