// The SDK's public face for any JavaScript runtime (Node.js, browsers, workers): talk to a hub,
// sign records, verify them against the chain. The package's "./browser" build bundles this file;
// sdk/index.ts adds what needs Node.js. Only what a user calls is here: every name is deliberate
// (test/package/public-face.test.ts lists them), and internals stay importable from their modules
// inside this repository only.

// The hub's client, its errors and the views it returns.
export { HubClient, HubError, type HubClientOptions } from "./client";
export type {
  AccessRequestView,
  ChainInfo,
  CreateAccessRequest,
  CreateSubscription,
  CredentialGrantInput,
  CredentialView,
  DeadLetter,
  GrantScope,
  GrantView,
  Notification,
  OrganizationView,
  Problem,
  Published,
  StoredRecord,
  SubscriptionView,
} from "./api";
export type { QuotaCheck, QuotaCheckRequest } from "./api";
export { ROLES, type Role } from "./roles";

// Keys and signatures: an organisation's secp256k1 key, EIP-191 record signatures, digests.
export { randomOrgKey, orgKeyFromPrivate, type OrgKey } from "./keys";
export { signRecord, recoverSigner } from "./signature";
export { computeDigest } from "./digest";
export { canonicalJson } from "./canonical";
export { redact } from "./redact";

// Records: the envelope, the body schema of every record type, and the anchor proof.
export { SignedRecordSchema, UnsignedRecordSchema, AnchorProofSchema, type SignedRecord, type UnsignedRecord, type AnchorProof } from "./envelope";
export { RECORD_TYPES, isRecordType, type RecordType, type RecordBody } from "./records";
export { verifyMerkleProof, merkleLeaf } from "./merkle";

// Verification against the chain alone, and revoking one's own record.
export { verifyRecord, verdictLines, VerdictSchema, type Verdict, type VerifyInput } from "./verify";
export { revokeRecord, type RevokeInput } from "./revocation";
export { signRevocation, relayRevocation, type SignedRevocation } from "./relay";

// Custody handovers countersigned by their receiver: the judgement of a pair, its verification from the chain, the hub's index.
export {
  custodyStatus,
  verifyCustody,
  type CustodyJudgement,
  type CustodyVerdict,
  type VerifyCustodyInput,
  type CustodyChain,
  type CustodyHandoverView,
} from "./custody";
export { custodyHandovers, custodyChain } from "./custody-client";

// Consolidations and splits: the one judgement of what a record says contains what, and the hub's index.
export { containmentOf, logisticsObjectContainmentOf, type ContainmentStatement, type ConsolidationView } from "./consolidation";
export { consolidation } from "./consolidation-client";
// The identifier bridge: any identifier the hub knows, answered with every other one of the same thing, and its proof.
export { classifyIdentifier, checkResolvedProof, type IdentifierKind, type ResolveAnswer, type ResolvedRecord } from "./resolve";
export { resolve } from "./resolve-client";

// Webhooks: checking that a delivery came from the hub.
export { verifyWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER, type WebhookHeaders } from "./webhook";

// EPCIS 2.0: documents, XML, the CBV event hash, query parameters.
export { EpcisDocumentSchema, EpcisEventSchema, CaptureDocumentSchema, type EpcisEvent, type CaptureDocument } from "./epcis/document";
export { epcisXmlToDocument, epcisDocumentToXml, EpcisXmlError } from "./epcis/xml";
export { eventHash, EventHashError } from "./epcis/event-hash";
export { epcisQueryString, type EpcisQueryParams, type CaptureJob, type EpcisQueryResult } from "./epcis/api";

// IATA ONE Record: logistics objects as signed records.
export { OneRecordClient, type OneRecordClientOptions, type ObjectRead } from "./one-record/client";
export type { Json, JsonObject } from "./one-record/jsonld";

// GS1 Digital Link, and a product's story as the consumer page shows and verifies it.
export {
  parseDigitalLink,
  formatDigitalLink,
  parseDigitalLinkUri,
  formatDigitalLinkUri,
  compressDigitalLink,
  normalizeGtin,
  DigitalLinkError,
  type DigitalLinkUri,
  type ProductCode,
} from "./provenance/digital-link";
export { ProductStorySchema, type ProductStory } from "./provenance/story";
export { verifyStory, type StepCheck } from "./provenance/verify-story";
