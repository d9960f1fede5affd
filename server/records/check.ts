import { SignedRecordSchema, type SignedRecord } from "../../sdk/envelope";
import { computeDigest } from "../../sdk/digest";
import { recoverSigner } from "../../sdk/signature";
import { RECORD_TYPES, isRecordType } from "../../sdk/records";

export type FieldError = { path: string; message: string };
export type CheckedRecord = { ok: true; record: SignedRecord } | { ok: false; kind: string; errors: FieldError[] };

/**
 * Everything about a submitted record that needs no database: its envelope, its body against the
 * record type's schema, its digest recomputed, and its signature by the publisher's current key.
 * `selfSigned`: the hub has just digested and signed this record itself, so those two checks (the
 * costly part) would only repeat its own work.
 */
export function checkRecord(raw: unknown, owner: string, signerAddress: string, prefix = "", selfSigned = false): CheckedRecord {
  const fail = (kind: string, errors: FieldError[]): CheckedRecord => ({ ok: false, kind, errors });
  const env = SignedRecordSchema.safeParse(raw);
  if (!env.success)
    return fail(
      "invalid-record",
      env.error.issues.map((i) => ({ path: prefix + i.path.map(String).join("."), message: i.message })),
    );
  const record = env.data;
  if (record.hidden && Object.keys(record.hidden).length > 0)
    return fail("redacted-record", [{ path: `${prefix}hidden`, message: "publish the whole record: redacted forms are for sharing and verification" }]);
  if (record.owner !== owner) return fail("wrong-owner", [{ path: `${prefix}owner`, message: `you publish as ${owner}; a record's owner is its publisher` }]);
  if (!isRecordType(record.type))
    return fail("unknown-record-type", [{ path: `${prefix}type`, message: `unknown record type; known: ${Object.keys(RECORD_TYPES).join(", ")}` }]);
  const body = RECORD_TYPES[record.type].safeParse(record.body);
  if (!body.success)
    return fail(
      "invalid-record",
      body.error.issues.map((i) => ({ path: `${prefix}body.${i.path.map(String).join(".")}`, message: i.message })),
    );
  if (selfSigned) return { ok: true, record };
  let digest: string;
  try {
    digest = computeDigest(record);
  } catch (err) {
    return fail("invalid-record", [{ path: `${prefix}salts`, message: (err as Error).message }]);
  }
  if (digest !== record.digest)
    return fail("digest-mismatch", [{ path: `${prefix}digest`, message: "the digest does not match the record's content and salts" }]);
  let signer: string;
  try {
    signer = recoverSigner(record.digest, record.signature);
  } catch (err) {
    return fail("signature-invalid", [{ path: `${prefix}signature`, message: (err as Error).message }]);
  }
  if (signer !== signerAddress)
    return fail("signature-invalid", [{ path: `${prefix}signature`, message: "not signed by your organisation's current signing key" }]);
  return { ok: true, record };
}
