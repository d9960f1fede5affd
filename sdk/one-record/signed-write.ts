/**
 * Writes through the ONE Record API carry the writer's signature. The body stays plain ONE Record
 * JSON-LD; the header `Cargoproof-Record` carries what makes it a signed record of the core: the
 * record id and version, the field salts and the signature over the digest. The hub derives the
 * record body from the JSON-LD with the same code (`bodyOfObject`), recomputes the digest and
 * checks the signature, so what is stored is exactly what the writer signed.
 */
import { z } from "zod";
import { prepareRecord } from "../digest";
import { RecordIdSchema, Salt, SignatureHex, type SignedRecord } from "../envelope";
import { signRecord } from "../signature";
import { bodyOfObject, type JsonObject } from "./jsonld";

export const SIGNED_WRITE_HEADER = "Cargoproof-Record";

export const SignedWriteSchema = z.strictObject({
  id: RecordIdSchema,
  version: z.number().int().min(1).max(0xffff_ffff),
  salts: z.record(z.string(), Salt),
  signature: SignatureHex,
});
export type SignedWrite = z.infer<typeof SignedWriteSchema>;

export function encodeSignedWrite(write: SignedWrite): string {
  return Buffer.from(JSON.stringify(write), "utf8").toString("base64url");
}

/** The header's content; throws a ZodError or SyntaxError when it is malformed. */
export function decodeSignedWrite(header: string): SignedWrite {
  if (!/^[A-Za-z0-9_-]+$/.test(header)) throw new SyntaxError("not base64url");
  return SignedWriteSchema.parse(JSON.parse(Buffer.from(header, "base64url").toString("utf8")));
}

/** The LogisticsObject record of a JSON-LD object and a signed write's header fields. */
export function recordOfWrite(body: JsonObject, write: SignedWrite, owner: string, digest: string): SignedRecord {
  return { type: "LogisticsObject", id: write.id, version: write.version, owner, body, salts: write.salts, digest, signature: write.signature };
}

/**
 * Signs a ONE Record object (JSON-LD, or an already derived body) as version `version` of record
 * `id`: the record, and the header value to send with the JSON-LD.
 */
export function signObject(
  privateKey: string,
  owner: string,
  object: JsonObject,
  opts: { id: string; version: number; derived?: boolean },
): { record: SignedRecord; header: string } {
  const body = opts.derived ? object : bodyOfObject(object).body;
  const record = signRecord(privateKey, prepareRecord({ type: "LogisticsObject", id: opts.id, version: opts.version, owner }, body));
  return { record, header: encodeSignedWrite({ id: record.id, version: record.version, salts: record.salts, signature: record.signature }) };
}
