import { z } from "zod";
import { MAX_BATCH, StoredRecordSchema } from "../../sdk/api";
import { SignedRecordSchema } from "../../sdk/envelope";
import { RECORD_TYPES, type RecordType } from "../../sdk/records";
import { RECORD_EXAMPLES } from "../../sdk/records/examples";
import { named, type Named } from "./registry";

/**
 * The record envelope per record type, for the OpenAPI document: the SDK's envelope (SignedRecordSchema)
 * with `type` fixed and `body` that type's schema (RECORD_TYPES), so a client generated from the
 * document knows every type's fields. The hub itself parses with the same schemas (server/records/check.ts).
 */

const TYPES = Object.keys(RECORD_TYPES) as RecordType[];

/** Each record type's body, published as `<Type>Body` with its example. */
const BODIES = TYPES.map((type) => named(`${type}Body`, RECORD_TYPES[type], { examples: [RECORD_EXAMPLES[type]] }));

function envelope(type: RecordType, body: z.ZodType, description: string) {
  return z.strictObject({ ...SignedRecordSchema.shape, type: z.literal(type), body }).describe(description);
}

const SIGNED = TYPES.map((type) =>
  named(
    `Signed${type}`,
    envelope(
      type,
      RECORD_TYPES[type],
      `A signed ${type} record: its body is a ${type}Body (salts: one per body field; digest and signature as sdk/digest.ts and sdk/signature.ts compute them).`,
    ),
  ),
);

/** A signed record as published: one of the record types, told apart by `type`. */
export const SignedRecord: Named = named(
  "SignedRecord",
  z
    .discriminatedUnion("type", SIGNED.map((s) => s.schema) as [z.ZodObject, ...z.ZodObject[]])
    .describe("A signed record of one of the record types, told apart by `type`."),
  { parts: [...BODIES, ...SIGNED] },
);

export const PublishBatch: Named = named("PublishBatch", z.object({ records: z.array(SignedRecord.schema).min(1).max(MAX_BATCH) }), { parts: [SignedRecord] });

// A reader other than the owner (and customs) gets some fields redacted: moved from `body` to
// `hidden` (their hashes), so any body field may be absent; the fields present are the type's.
const READABLE = TYPES.map((type) => {
  const body = RECORD_TYPES[type];
  const partial = body instanceof z.ZodObject ? body.partial() : body;
  return named(
    `Readable${type}`,
    envelope(type, partial, `A ${type} record as the hub returns it: fields the reader may not see are in \`hidden\` (their hashes) instead of \`body\`.`),
  );
});

/** The SDK's record envelope as the hub answers it, documented as one of the record types (told apart by `type`). */
export const ReadableRecord: Named = named("ReadableRecord", SignedRecordSchema, {
  documentedAs: z
    .discriminatedUnion("type", READABLE.map((s) => s.schema) as [z.ZodObject, ...z.ZodObject[]])
    .describe("A signed record as the hub returns it, told apart by `type`."),
  parts: READABLE,
});

export const StoredRecord: Named = named("StoredRecord", StoredRecordSchema, { parts: [ReadableRecord] });
