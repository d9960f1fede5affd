import { z } from "zod";
import { OrgIdSchema, SignedRecordSchema } from "./envelope";
import { RoleSchema } from "./roles";
import { uncompressedPublicKey } from "./keys";

/** Shapes of the hub's `/v1` requests and responses, shared by the hub and the SDK client. */

export { OrgIdSchema };

export const PublicKeySchema = z
  .string()
  .regex(/^0x(02|03|04)[0-9a-fA-F]+$/, "a secp256k1 public key in hex (0x04... uncompressed or 0x02/0x03 compressed)")
  .transform((k, ctx) => {
    try {
      return uncompressedPublicKey(k);
    } catch {
      ctx.addIssue({ code: "custom", message: "not a valid secp256k1 public key" });
      return z.NEVER;
    }
  });

export const AdmitOrganizationSchema = z.object({
  id: OrgIdSchema,
  name: z.string().min(1).max(200),
  roles: z.array(RoleSchema).min(1),
  publicKey: PublicKeySchema,
});
export type AdmitOrganization = z.output<typeof AdmitOrganizationSchema>;

export const RotateKeySchema = z.object({ publicKey: PublicKeySchema });

export const OrganizationViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(RoleSchema),
  signerAddress: z.string(),
  publicKey: z.string(),
  status: z.enum(["ACTIVE", "SUSPENDED"]),
});
export type OrganizationView = z.infer<typeof OrganizationViewSchema>;

export const TokenResponseSchema = z.object({ access_token: z.string(), token_type: z.literal("Bearer"), expires_in: z.number() });

/** The most records one batch request may carry (keeps one request's transaction bounded). */
export const MAX_BATCH = 1000;

export const PublishBatchSchema = z.object({ records: z.array(z.unknown()).min(1).max(MAX_BATCH) });

export const PublishedSchema = z.object({ id: z.string(), version: z.number().int(), digest: z.string(), status: z.literal("PENDING") });
export type Published = z.infer<typeof PublishedSchema>;
export const PublishedBatchSchema = z.object({ records: z.array(PublishedSchema) });

export const AnchorStatusSchema = z.object({
  status: z.enum(["PENDING", "ANCHORED"]),
  root: z.string().optional(),
  txHash: z.string().optional(),
  blockNumber: z.number().int().optional(),
  blockTime: z.string().optional(),
});

export const StoredRecordSchema = z.object({
  record: SignedRecordSchema,
  publishedAt: z.string(),
  anchor: AnchorStatusSchema,
});
export type StoredRecord = z.infer<typeof StoredRecordSchema>;

export const GrantRequestSchema = z.object({
  grantee: OrgIdSchema,
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const GrantViewSchema = z.object({
  grantee: z.string(),
  grantedBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().optional(),
});
export type GrantView = z.infer<typeof GrantViewSchema>;

export const ChainInfoSchema = z.object({ chainId: z.number().int(), participantRegistry: z.string(), anchorRegistry: z.string() });
export type ChainInfo = z.infer<typeof ChainInfoSchema>;

/** RFC 9457 problem details, as every hub error is sent. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;
