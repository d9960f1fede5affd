import { z } from "zod";
import { AnchorProofSchema, OrgIdSchema, RecordIdSchema, SignedRecordSchema } from "./envelope";
import { RoleSchema } from "./roles";
import { uncompressedPublicKey } from "./keys";
import { VerdictSchema } from "./verify";
import { CREDENTIAL_SCOPES, CredentialKindSchema } from "./authority/credentials";
import { CurrencyCode, IsoDateTime, UnLocode } from "./records/codes";
import { Amount, Direction, DocumentKind, Identity, SupervisionMode } from "./records/customs-common";
import { MatchStatus } from "./records/match-result";
import { SummaryDeclarationBody } from "./records/summary-declaration";

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

/**
 * A credential the consortium operator issues on chain (CredentialRegistry): its kind, its scope (the
 * kind's schema, sdk/authority/credentials.ts) and its validity (ISO date-times; default from now,
 * open-ended).
 */
export const CredentialGrantSchema = z
  .object({
    kind: CredentialKindSchema,
    scope: z.record(z.string(), z.unknown()).default({}),
    validFrom: z.iso.datetime({ offset: true }).optional(),
    validUntil: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    const scope = CREDENTIAL_SCOPES[g.kind].safeParse(g.scope);
    if (!scope.success) for (const i of scope.error.issues) ctx.addIssue({ code: "custom", path: ["scope", ...i.path.map(String)], message: i.message });
    if (g.validFrom && g.validUntil && Date.parse(g.validUntil) <= Date.parse(g.validFrom))
      ctx.addIssue({ code: "custom", path: ["validUntil"], message: "validUntil is not after validFrom" });
  });
export type CredentialGrantInput = z.input<typeof CredentialGrantSchema>;

/** A credential as the chain holds it. */
export const CredentialViewSchema = z.object({
  id: z.string(),
  kind: CredentialKindSchema,
  subject: z.string(),
  issuer: z.string().optional(),
  issuedAt: z.string(),
  validFrom: z.string(),
  validUntil: z.string().optional(),
  revokedAt: z.string().optional(),
  scope: z.record(z.string(), z.unknown()).optional(),
  inForce: z.boolean(),
});
export type CredentialView = z.infer<typeof CredentialViewSchema>;
export const RevokeCredentialSchema = z.object({ reason: z.string().min(1).max(500) }).strict();
/** The credential kinds an accreditation body may issue on chain (empty: none any more). */
export const SetIssuerSchema = z.object({ kinds: z.array(CredentialKindSchema).max(32) }).strict();

/** The hub operator's own organisation: it admits members and publishes the hub's records. */
export const OPERATOR_ORG_ID = "operator";

export const AdmitOrganizationSchema = z.object({
  id: OrgIdSchema,
  name: z.string().min(1).max(200),
  roles: z.array(RoleSchema).min(1),
  publicKey: PublicKeySchema,
  /** Credentials the operator issues on chain at admission. */
  credentials: z.array(CredentialGrantSchema).max(20).optional(),
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
/** The operator's listing of organisations, by id: `after` is the last id of the previous page. */
export const OrganizationListQuerySchema = z.object({
  after: OrgIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const OrganizationPageSchema = z.object({ organizations: z.array(OrganizationViewSchema), next: z.string().optional() });
export type OrganizationPage = z.infer<typeof OrganizationPageSchema>;

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

/** What a grant covers: the record, or the record and everything linked to it (docs/one-record.md "Sharing"). */
export const GrantScopeSchema = z.enum(["object", "linked"]);
export type GrantScope = z.infer<typeof GrantScopeSchema>;

/** A top-level field of a record body, as a field-level grant names it. */
export const GrantFieldSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "a top-level field name of the record's body");

export const GrantRequestSchema = z.object({
  grantee: OrgIdSchema,
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  scope: GrantScopeSchema.optional().describe('"object" (default) or "linked"'),
  fields: z
    .array(GrantFieldSchema)
    .min(1)
    .max(100)
    .optional()
    .describe(
      "Share only these top-level body fields (the grantee reads the redacted form, which still verifies); omitted: the whole record. Object scope only.",
    ),
});
export type GrantRequest = z.infer<typeof GrantRequestSchema>;

export const GrantViewSchema = z.object({
  id: z.string(),
  grantee: z.string(),
  grantedBy: z.string(),
  scope: GrantScopeSchema,
  createdAt: z.string(),
  expiresAt: z.string().optional(),
  /** An onward grant: the grant it was delegated from (it falls with it). */
  parentGrantId: z.string().optional(),
  /** A grant by a named policy (e.g. customs-manifest); the owner cannot withdraw it. */
  policy: z.string().optional(),
  /** A field-level grant: the only top-level body fields it shares (absent: the whole record). */
  fields: z.array(z.string()).optional(),
});
export type GrantView = z.infer<typeof GrantViewSchema>;

// ---- Access requests (/v1/access-requests, docs/api.md "Grants and access requests") ----
export const AccessRequestStatusSchema = z.enum(["PENDING", "ACCEPTED", "REJECTED", "REVOKED", "FAILED"]);
export type AccessRequestStatus = z.infer<typeof AccessRequestStatusSchema>;
export const CreateAccessRequestSchema = z
  .object({
    recordIds: z.array(RecordIdSchema).min(1).max(100),
    scope: GrantScopeSchema.default("object"),
    /** Who is to read: the requester by default, else a third party (onward delegation). */
    requestedFor: OrgIdSchema.optional(),
    description: z.string().min(1).max(1000).optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    /** Only these top-level fields of each record (object scope only); an onward grant never shares more than the requester reads. */
    fields: z.array(GrantFieldSchema).min(1).max(100).optional(),
  })
  .strict()
  .refine((r) => !(r.fields && r.scope === "linked"), { message: "a field-level request has scope object", path: ["scope"] });
export type CreateAccessRequest = z.input<typeof CreateAccessRequestSchema>;
export const AccessRequestDecisionSchema = z.object({ decision: z.enum(["ACCEPTED", "REJECTED"]) }).strict();
export const AccessRequestQuerySchema = z.object({
  as: z.enum(["owner", "requester"]).default("requester").describe("requests the caller made, or requests it decides"),
  status: AccessRequestStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const AccessRequestViewSchema = z.object({
  id: z.string(),
  requestedBy: z.string(),
  requestedFor: z.string(),
  recordIds: z.array(z.string()),
  scope: GrantScopeSchema,
  status: AccessRequestStatusSchema,
  description: z.string().optional(),
  expiresAt: z.string().optional(),
  fields: z.array(z.string()).optional(),
  requestedAt: z.string(),
  statusHistory: z.array(z.object({ status: AccessRequestStatusSchema, at: z.string() })),
});
export type AccessRequestView = z.infer<typeof AccessRequestViewSchema>;
export const AccessRequestListSchema = z.object({ accessRequests: z.array(AccessRequestViewSchema) });

export const ChainInfoSchema = z.object({
  chainId: z.number().int(),
  participantRegistry: z.string(),
  anchorRegistry: z.string(),
  credentialRegistry: z.string().optional(),
  /** The block the registries were deployed in: a verifier's log searches may start there (compare it with a source you trust, as the addresses). */
  fromBlock: z.number().int().min(0),
});
export type ChainInfo = z.infer<typeof ChainInfoSchema>;

/** RFC 9457 problem details, as every hub error is sent; open, as §3.2 lets a problem carry extension members (ONE Record's answers are also an api:Error). */
export const ProblemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const NotificationQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const NotificationSchema = z.object({
  seq: z.number().int(),
  kind: z.string(),
  recordId: z.string().optional(),
  version: z.number().int().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
  createdAt: z.string(),
});
export type Notification = z.infer<typeof NotificationSchema>;
export const NotificationPageSchema = z.object({ notifications: z.array(NotificationSchema), next: z.number().int() });

// Subscriptions, webhook deliveries and dead letters (server/notifications, docs/notifications.md).
const NotificationKind = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, "must be an upper-case notification kind, e.g. RECORD_UPDATED");
/** detail field -> accepted values; a notification passes when each named field (a string or a list of strings) holds one of them. */
export const SubscriptionFilterSchema = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "must be a detail field name"), z.array(z.string().min(1).max(200)).min(1).max(50))
  .refine((f) => Object.keys(f).length <= 10, "at most 10 filtered fields");
export const WebhookDeliverySchema = z
  .object({
    type: z.literal("webhook"),
    url: z.string().max(2000).url(),
    /** Given by the subscriber, else generated by the hub and shown once. */
    secret: z.string().min(32, "must be at least 32 characters").max(200).optional(),
  })
  .strict();
export const CreateSubscriptionSchema = z
  .object({
    recordId: z.string().min(1).max(200).optional(),
    recordType: z.string().min(1).max(100).optional(),
    kinds: z.array(NotificationKind).min(1).max(20).optional(),
    filter: SubscriptionFilterSchema.optional(),
    delivery: z.discriminatedUnion("type", [WebhookDeliverySchema, z.object({ type: z.literal("none") }).strict()]).default({ type: "none" }),
  })
  .strict()
  .refine((s) => !(s.recordId && s.recordType), { message: "name a record or a record type, not both", path: ["recordType"] });
export type CreateSubscription = z.input<typeof CreateSubscriptionSchema>;
export const SubscriptionViewSchema = z.object({
  id: z.string(),
  recordId: z.string().optional(),
  recordType: z.string().optional(),
  kinds: z.array(z.string()).optional(),
  filter: z.record(z.string(), z.array(z.string())).optional(),
  delivery: z.discriminatedUnion("type", [z.object({ type: z.literal("webhook"), url: z.string() }), z.object({ type: z.literal("none") })]),
  createdAt: z.string(),
  /** The last notification seq delivered or given up (webhooks). */
  cursor: z.number().int(),
});
export type SubscriptionView = z.infer<typeof SubscriptionViewSchema>;
/** The answer to a creation: the webhook secret appears here and nowhere else. */
export const CreatedSubscriptionSchema = SubscriptionViewSchema.extend({ secret: z.string().optional() });
export const SubscriptionListSchema = z.object({ subscriptions: z.array(SubscriptionViewSchema) });
export const DeliveryOutcomeSchema = z.enum(["DELIVERED", "FAILED", "DEAD_LETTERED", "REDELIVERED", "REDELIVERY_FAILED"]);
export const DeliveryAttemptSchema = z.object({
  seq: z.number().int(),
  notificationSeq: z.number().int(),
  deliveryId: z.string(),
  attempt: z.number().int(),
  at: z.string(),
  statusCode: z.number().int().optional(),
  error: z.string().optional(),
  durationMs: z.number().int(),
  outcome: DeliveryOutcomeSchema,
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttemptSchema>;
export const DeliveryPageSchema = z.object({ deliveries: z.array(DeliveryAttemptSchema), next: z.number().int() });
export const DeadLetterSchema = z.object({
  id: z.string(),
  notification: NotificationSchema,
  attempts: z.number().int(),
  lastError: z.string().optional(),
  createdAt: z.string(),
  deliveredAt: z.string().optional(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
export const DeadLetterListSchema = z.object({ deadLetters: z.array(DeadLetterSchema) });
export const RedeliveryResultSchema = z.object({ delivered: z.boolean(), statusCode: z.number().int().optional(), error: z.string().optional() });
export type RedeliveryResult = z.infer<typeof RedeliveryResultSchema>;

export const AccessLogQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  recordId: z.string().optional(),
  /**
   * An AUDITOR's view of one chain ("" the hub's own), `after` and `next` counting its chainSeq:
   * polled this way no line is passed over, which paging by the hub-wide seq (a row number given
   * without a lock) does not promise with several writers. Other callers' own view ignores it.
   */
  chain: z.string().max(64).optional(),
});

// ---- Cross-border e-commerce customs (/v1/customs, docs/customs.md "API") ----

/** A case's match status; PENDING until its first match. */
export const CustomsCaseStatusSchema = z.enum(["PENDING", ...MatchStatus.options]);

const DateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const CustomsCaseQuerySchema = z
  .object({
    status: CustomsCaseStatusSchema.optional(),
    mode: SupervisionMode.optional(),
    port: UnLocode.optional(),
    /** declaredAt (the order's orderedAt, else the declaration's declaredAt) from this instant or UTC day on... */
    from: DateOrDateTime.optional(),
    /** ...up to this instant or to the end of this UTC day. */
    to: DateOrDateTime.optional(),
    /** The `next` cursor of the previous page. */
    after: z.string().max(400).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type CustomsCaseQuery = Omit<z.input<typeof CustomsCaseQuerySchema>, "limit"> & { limit?: number };

export const CustomsCaseViewSchema = z.object({
  id: z.string(),
  platform: z.string(),
  orderNumber: z.string(),
  customsOffice: z.string().optional(),
  supervisionMode: SupervisionMode.optional(),
  direction: Direction.optional(),
  port: z.string().optional(),
  declaredAt: z.string().optional(),
  status: CustomsCaseStatusSchema,
  missing: z.array(DocumentKind),
  discrepancyCount: z.number().int(),
  firstDocumentAt: z.string(),
  lastDocumentAt: z.string(),
  /** Missing documents are OVERDUE from then. */
  dueAt: z.string(),
  matchResult: z.object({ recordId: z.string(), version: z.number().int(), matchedAt: z.string() }).optional(),
  decision: z
    .object({ decision: z.enum(["RELEASE", "HOLD", "INSPECT", "REJECT"]), recordId: z.string(), version: z.number().int(), decidedAt: z.string() })
    .optional(),
});
export type CustomsCaseView = z.infer<typeof CustomsCaseViewSchema>;

export const CustomsCasePageSchema = z.object({ cases: z.array(CustomsCaseViewSchema), next: z.string().optional() });
export type CustomsCasePage = z.infer<typeof CustomsCasePageSchema>;

/** A record as the caller may see it, its anchoring, and (once anchored) its proof and the SDK's verdict against the chain. */
export const VerifiedRecordSchema = StoredRecordSchema.extend({
  proof: AnchorProofSchema.optional(),
  verification: VerdictSchema.optional(),
});
export type VerifiedRecord = z.infer<typeof VerifiedRecordSchema>;

/** The consolidated picture of one case: every document, the match result and the decision, each verified. */
export const CustomsCasePictureSchema = z.object({
  case: CustomsCaseViewSchema,
  documents: z.array(VerifiedRecordSchema.extend({ kind: DocumentKind })),
  matchResult: VerifiedRecordSchema.optional(),
  decision: VerifiedRecordSchema.optional(),
});
export type CustomsCasePicture = z.infer<typeof CustomsCasePictureSchema>;

export const STATISTICS_DIMENSIONS = ["mode", "direction", "hsChapter", "origin", "destination", "port", "office"] as const;
export const StatisticsDimensionSchema = z.enum(STATISTICS_DIMENSIONS);
export type StatisticsDimension = z.infer<typeof StatisticsDimensionSchema>;

export const CustomsStatisticsQuerySchema = z
  .object({
    /** Comma-separated dimensions, e.g. "mode,hsChapter"; rows are always split by period and currency. */
    groupBy: z
      .string()
      .default("")
      .transform((s, ctx) => {
        const dims = s
          .split(",")
          .map((d) => d.trim())
          .filter(Boolean);
        const bad = dims.filter((d) => !StatisticsDimensionSchema.safeParse(d).success);
        if (bad.length > 0) ctx.addIssue({ code: "custom", message: `unknown dimension(s) ${bad.join(", ")}; known: ${STATISTICS_DIMENSIONS.join(", ")}` });
        return [...new Set(dims)] as StatisticsDimension[];
      }),
    period: z.enum(["day", "month", "quarter"]).default("month"),
    /** Days as written in the documents (orderedAt / declaredAt), inclusive. */
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    /** Operator only: one office (customs always sees its own). */
    customsOffice: OrgIdSchema.optional(),
  })
  .strict();
export type CustomsStatisticsQuery = z.input<typeof CustomsStatisticsQuerySchema>;

export const CustomsStatisticsRowSchema = z.object({
  period: z.string(),
  mode: z.string().optional(),
  direction: z.string().optional(),
  hsChapter: z.string().optional(),
  origin: z.string().optional(),
  destination: z.string().optional(),
  port: z.string().optional(),
  office: z.string().optional(),
  currency: z.string(),
  cases: z.number().int(),
  lines: z.number().int(),
  quantity: z.number(),
  value: z.number(),
});
export const CustomsStatisticsSchema = z.object({
  period: z.enum(["day", "month", "quarter"]),
  groupBy: z.array(StatisticsDimensionSchema),
  rows: z.array(CustomsStatisticsRowSchema),
});
export type CustomsStatistics = z.infer<typeof CustomsStatisticsSchema>;

export const SummaryDraftQuerySchema = z
  .object({
    mode: z.enum(["9610", "1210"]),
    customsOffice: OrgIdSchema,
    /** Declaration days (as written in declaredAt), inclusive. */
    from: z.iso.date(),
    to: z.iso.date(),
    summaryNumber: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((q) => q.to >= q.from, { path: ["to"], message: "the period ends before it starts" });
export type SummaryDraftQuery = z.input<typeof SummaryDraftQuerySchema>;

export const SummaryDraftSchema = z.object({ body: SummaryDeclarationBody, lists: z.number().int() });
export type SummaryDraft = z.infer<typeof SummaryDraftSchema>;

/**
 * A platform's question before it accepts an order (docs/customs.md, Quota pre-check): would this
 * buyer's order of `amount` in `currency` stay within the personal import limits? The year is
 * `year`, else that of `orderedAt` (as written), else the hub's current UTC year.
 */
export const QuotaCheckRequestSchema = z
  .object({
    buyer: Identity,
    amount: Amount,
    currency: CurrencyCode,
    year: z.number().int().min(2000).max(9999).optional(),
    orderedAt: IsoDateTime.optional(),
  })
  .strict();
export type QuotaCheckRequest = z.infer<typeof QuotaCheckRequestSchema>;

/** The answer: the limits and this order against them, and of the buyer's year only its sum. */
export const QuotaCheckSchema = z
  .object({
    perOrder: z.object({ limitCny: z.number(), amountCny: z.number(), within: z.boolean() }).strict(),
    annual: z.object({ limitCny: z.number(), usedCny: z.number(), remainingCny: z.number(), within: z.boolean() }).strict(),
  })
  .strict();
export type QuotaCheck = z.infer<typeof QuotaCheckSchema>;
