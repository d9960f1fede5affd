import { z } from "zod";
import { AnchorProofSchema, SignedRecordSchema } from "../envelope";
import { RoleSchema } from "../roles";
import { AttesterKindSchema } from "./attesters";

/**
 * The public story of a product code (`GET /provenance/story/01/...`): what the consumer's page
 * shows, and everything a browser needs to verify it against the chain itself. Shared by the hub,
 * the page's script and the SDK client.
 */

export const StoryCodeSchema = z.object({
  gtin: z.string().regex(/^\d{14}$/),
  lot: z.string().optional(),
  serial: z.string().optional(),
});

/** The six key facts, in the order the page shows them. */
export const FACT_KEYS = ["origin", "departurePoint", "importer", "portOfEntry", "customsStatus", "dispatchWarehouse"] as const;
export const FactKeySchema = z.enum(FACT_KEYS);
export type FactKey = z.infer<typeof FactKeySchema>;

/** Where a fact, a party or a step comes from. */
export const StorySourceSchema = z.object({
  recordId: z.string(),
  version: z.number().int(),
  type: z.string(),
});

export const StoryFactSchema = z.object({
  key: FactKeySchema,
  /** Absent: nobody attested it (the page says "unknown"). */
  value: z.string().optional(),
  /** A second part of the value (e.g. the production place's name, an inspection result). */
  detail: z.string().optional(),
  /** Who attested the record the fact comes from (for a hub-attested event, its capturer)... */
  attestedBy: z.string().optional(),
  /** ...and which kind of attester that is (see sdk/provenance/attesters.ts). */
  attesterKind: AttesterKindSchema.optional(),
  source: StorySourceSchema.optional(),
});
export type StoryFact = z.infer<typeof StoryFactSchema>;

export const StoryPartySchema = z.object({ orgId: z.string(), name: z.string() });

/** A party speaking on the page, with the kind of attester it is for this product. */
export const StoryAttesterSchema = StoryPartySchema.extend({ kind: AttesterKindSchema });
export type StoryAttester = z.infer<typeof StoryAttesterSchema>;

/** A supply-chain partner the brand's batch names (the role it gave, if any). */
export const StoryPartnerSchema = StoryPartySchema.extend({ role: RoleSchema.optional() });

/** The hub's own check of a step (the browser repeats it without trusting the hub). */
export const ServerVerdictSchema = z.object({
  status: z.enum(["verified", "failed", "pending"]),
  /** Why it failed (one line per failed check), or why it is pending. */
  reasons: z.array(z.string()),
});
export type ServerVerdict = z.infer<typeof ServerVerdictSchema>;

export const CertificationStatusSchema = z.object({
  status: z.enum(["valid", "expired", "not-yet-valid", "revoked"]),
  revokedAt: z.string().optional(),
  revocationReason: z.string().optional(),
});
export type CertificationStatus = z.infer<typeof CertificationStatusSchema>;

export const StoryStepSchema = z.object({
  recordId: z.string(),
  version: z.number().int(),
  type: z.string(),
  /** When the step happened as its record says (event time, decision time, ...), else when it was published. */
  time: z.string(),
  /** A short description of the step (e.g. the EPCIS business step), in the record's own words. */
  summary: z.string(),
  /**
   * The record's owner: for a hub-attested EPCIS event the hub operator (kind `hub`), with
   * `capturedBy` the party it speaks for (the brand or a partner).
   */
  attestedBy: StoryAttesterSchema,
  capturedBy: StoryAttesterSchema.optional(),
  /** The record with only its public fields (every other field is a hash: the digest still verifies). */
  record: SignedRecordSchema,
  /** Null while the record waits for its anchoring batch. */
  proof: AnchorProofSchema.nullable(),
  /** A link to the anchoring transaction (the hub's EXPLORER_TX_URL), when configured. */
  txUrl: z.string().optional(),
  verdict: ServerVerdictSchema,
  certification: CertificationStatusSchema.optional(),
  /** An EPCIS event its own attester declared in error (EPCIS 2.0 §7.4.1.2): when, why, and the declaring step. */
  declaredInError: z.object({ at: z.string(), reason: z.string().optional(), declaration: z.string() }).optional(),
});
export type StoryStep = z.infer<typeof StoryStepSchema>;

export const StoryScansSchema = z.object({
  count: z.number().int(),
  firstAt: z.string().optional(),
  lastAt: z.string().optional(),
  /** A serialised item marked sold, then scanned too often or from too many places. */
  copyWarning: z.boolean(),
  soldAt: z.string().optional(),
  scansAfterSold: z.number().int().optional(),
  placesAfterSold: z.number().int().optional(),
});
export type StoryScans = z.infer<typeof StoryScansSchema>;

export const StoryChainSchema = z.object({
  chainId: z.number().int(),
  participantRegistry: z.string(),
  anchorRegistry: z.string(),
  /** The registries' deployment block: log searches start there (absent: block 0, correct but slow on a long chain). */
  fromBlock: z.number().int().min(0).optional(),
  rpcUrl: z.string(),
});
export type StoryChain = z.infer<typeof StoryChainSchema>;

/**
 * A location's or party's name and address as its owner published them (EPCIS master data: an
 * organisation whose GS1 company prefix starts the SGLN/PGLN), and the record that says so.
 */
export const StoryPlaceSchema = z.object({
  name: z.string().optional(),
  city: z.string().optional(),
  countryCode: z.string().optional(),
  /** The organisation that stated it (the location's owner). */
  attestedBy: z.string(),
  source: StorySourceSchema,
});
export type StoryPlace = z.infer<typeof StoryPlaceSchema>;

export const ProductStorySchema = z.object({
  code: StoryCodeSchema,
  /** The code's GS1 Digital Link URI on this hub. */
  uri: z.string(),
  product: z.object({
    brandOwner: StoryAttesterSchema,
    /** The partners the brand's batches name: with the brand and accredited certifiers, the only parties on the page. */
    partners: z.array(StoryPartnerSchema),
    source: StorySourceSchema,
    /** The ProductBatch's public fields. */
    fields: z.record(z.string(), z.unknown()),
  }),
  facts: z.array(StoryFactSchema),
  steps: z.array(StoryStepSchema),
  /** Owner-published names of the locations (readPoint, bizLocation) the steps name, by their id. */
  places: z.record(z.string(), StoryPlaceSchema).optional(),
  scans: StoryScansSchema,
  chain: StoryChainSchema,
  generatedAt: z.string(),
});
export type ProductStory = z.infer<typeof ProductStorySchema>;

/** One certification naming a product (`GET /provenance/certifications/01/...`). */
export const PublicCertificationSchema = z.object({
  recordId: z.string(),
  version: z.number().int(),
  issuer: StoryAttesterSchema,
  fields: z.record(z.string(), z.unknown()),
  status: CertificationStatusSchema.shape.status,
  revokedAt: z.string().optional(),
  revocationReason: z.string().optional(),
});
export const PublicCertificationsSchema = z.object({ code: StoryCodeSchema, certifications: z.array(PublicCertificationSchema) });
export type PublicCertifications = z.infer<typeof PublicCertificationsSchema>;
