/**
 * zod schemas of the ONE Record API ontology objects, over the normal form of jsonld.ts with the
 * api namespace as the local one (`api:hasTopic` -> `hasTopic`, IRIs in full).
 */
import { z } from "zod";
import { normalizeDocument, type Json, type JsonObject } from "./jsonld";
import { BooleanLiteral, DateTimeLiteral, Node, NumberLiteral, Text } from "./model";
import { API, CARGO, XSD } from "./vocabulary";

const ref = <T extends z.ZodType>(s: T) => z.union([s, z.array(s)]);

/** `{"@id": api:<one of names>}`. */
const apiIndividual = (names: readonly string[]) =>
  z.looseObject({ "@id": z.string().refine((id) => names.some((n) => id === API + n), `must be one of ${names.map((n) => `api:${n}`).join(", ")}`) });

const typed = (name: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .refine((t) => (Array.isArray(t) ? t : [t]).some((x) => x === API + name || x === name), `@type must be api:${name}`);

const AnyUri = z.union([z.string().min(1), z.strictObject({ "@value": z.string().min(1), "@type": z.literal(`${XSD}anyURI`) }), Node]);
const PositiveInteger = NumberLiteral;

export const REQUEST_STATUSES = ["PENDING", "ACCEPTED", "REJECTED", "FAILED", "REVOKED", "ACKNOWLEDGED"] as const;
export const RequestStatus = apiIndividual(REQUEST_STATUSES.map((s) => `REQUEST_${s}`));

/**
 * The individuals of api:NotificationEventType in the ONE Record API ontology (2.x), exactly: the
 * request statuses each kind of action request has there (a verification is ACKNOWLEDGED, never
 * ACCEPTED), and the logistics object happenings.
 */
export const NOTIFICATION_EVENT_TYPES = [
  "LOGISTICS_OBJECT_CREATED",
  "LOGISTICS_OBJECT_UPDATED",
  "LOGISTICS_EVENT_RECEIVED",
  "LOGISTICS_OBJECT_ACCESS_GRANTED",
  "LOGISTICS_OBJECT_AVAILABLE",
  ...["CHANGE", "SUBSCRIPTION", "ACCESS_DELEGATION"].flatMap((k) => ["PENDING", "ACCEPTED", "REJECTED", "FAILED", "REVOKED"].map((s) => `${k}_REQUEST_${s}`)),
  ...["PENDING", "ACKNOWLEDGED", "REJECTED", "FAILED", "REVOKED"].map((s) => `VERIFICATION_REQUEST_${s}`),
] as const;
export const NotificationEventType = apiIndividual(NOTIFICATION_EVENT_TYPES);
export const PERMISSIONS = ["GET_LOGISTICS_OBJECT", "GET_LOGISTICS_EVENT", "PATCH_LOGISTICS_OBJECT", "POST_LOGISTICS_EVENT"] as const;

export const ErrorDetail = z.looseObject({
  "@type": typed("ErrorDetail").optional(),
  hasCode: Text.optional(),
  hasMessage: Text.optional(),
  hasProperty: AnyUri.optional(),
  hasResource: AnyUri.optional(),
});
export const ApiError = z.looseObject({
  "@type": typed("Error"),
  hasTitle: Text,
  hasSeverity: apiIndividual(["ERROR", "WARNING", "INFO"]).optional(),
  hasErrorDetail: ref(z.union([ErrorDetail, Node])).optional(),
});

export const ServerInformation = z.looseObject({
  "@type": typed("ServerInformation"),
  hasDataHolder: Node,
  hasServerEndpoint: AnyUri,
  hasSupportedApiVersion: ref(Text),
  hasSupportedContentType: ref(Text),
  hasSupportedLanguage: ref(Text).optional(),
  hasSupportedOntology: ref(AnyUri),
  hasSupportedOntologyVersion: ref(AnyUri).optional(),
});

export const OperationObject = z.looseObject({
  "@type": typed("OperationObject").optional(),
  hasDatatype: AnyUri,
  hasValue: z.union([Text, NumberLiteral, BooleanLiteral]),
});
export const Operation = z.looseObject({
  "@type": typed("Operation").optional(),
  op: apiIndividual(["ADD", "DELETE"]),
  s: AnyUri,
  p: AnyUri,
  o: ref(OperationObject),
});
export const Change = z.looseObject({
  "@type": typed("Change"),
  hasLogisticsObject: Node,
  hasDescription: Text.optional(),
  hasOperation: ref(Operation),
  hasRevision: PositiveInteger,
  notifyRequestStatusChange: BooleanLiteral.optional(),
});

const actionRequest = {
  "@id": z.string().optional(),
  hasRequestStatus: RequestStatus.optional(),
  hasRequestStatusSince: DateTimeLiteral.optional(),
  isRequestedAt: DateTimeLiteral.optional(),
  isRequestedBy: z.union([Node, z.string()]).optional(),
  isRevokedAt: DateTimeLiteral.optional(),
  isRevokedBy: Node.optional(),
  hasError: ref(z.union([ApiError, Node])).optional(),
};
/** Any action request (the subclasses below narrow it). */
export const ActionRequest = z.looseObject({ "@type": z.union([z.string(), z.array(z.string())]), ...actionRequest });
export const ChangeRequest = z.looseObject({ "@type": typed("ChangeRequest"), ...actionRequest, hasChange: z.union([Change, Node]).optional() });
export const ActionRequestChange = z.looseObject({
  "@type": typed("ActionRequestChange"),
  referencesActionRequest: Node,
  hasDescription: Text.optional(),
  hasOperation: ref(Operation),
});

export const Subscription = z.looseObject({
  "@type": typed("Subscription"),
  "@id": z.string().optional(),
  hasContentType: ref(Text).optional(),
  hasSubscriber: Node,
  hasTopicType: apiIndividual(["LOGISTICS_OBJECT_IDENTIFIER", "LOGISTICS_OBJECT_TYPE"]),
  hasTopic: AnyUri,
  includeSubscriptionEventType: ref(NotificationEventType).optional(),
  expiresAt: DateTimeLiteral.optional(),
  sendLogisticsObjectBody: BooleanLiteral.optional(),
  notifyRequestStatusChange: BooleanLiteral.optional(),
});
export const SubscriptionRequest = z.looseObject({ "@type": typed("SubscriptionRequest"), ...actionRequest, hasSubscription: Subscription });

export const Notification = z.looseObject({
  "@type": typed("Notification"),
  hasEventType: NotificationEventType,
  hasLogisticsObject: Node,
  hasLogisticsObjectType: AnyUri.optional(),
  hasChangedProperty: ref(AnyUri).optional(),
  isTriggeredBy: Node.optional(),
  hasLogisticsEvent: Node.optional(),
});

export const AccessDelegation = z.looseObject({
  "@type": typed("AccessDelegation"),
  hasDescription: Text.optional(),
  hasPermission: ref(apiIndividual(PERMISSIONS)),
  isRequestedFor: ref(Node),
  hasLogisticsObject: ref(Node),
  notifyRequestStatusChange: BooleanLiteral.optional(),
  expiresAt: DateTimeLiteral.optional(),
});
export const AccessDelegationRequest = z.looseObject({ "@type": typed("AccessDelegationRequest"), ...actionRequest, hasAccessDelegation: AccessDelegation });

export const AuditTrail = z.looseObject({
  "@type": typed("AuditTrail"),
  hasActionRequest: ref(ActionRequest).optional(),
  hasLatestRevision: PositiveInteger,
});

export const Verification = z.looseObject({
  "@type": typed("Verification"),
  hasLogisticsObject: Node,
  hasError: ref(ApiError).optional(),
  hasRevision: PositiveInteger.optional(),
});
export const VerificationRequest = z.looseObject({ "@type": typed("VerificationRequest"), ...actionRequest, hasVerification: Verification });
export const Collection = z.looseObject({ "@type": typed("Collection"), hasTotalItems: NumberLiteral, hasItem: ref(Node).optional() });

/** The schema of each API class, by local name. */
export const API_SCHEMAS = {
  ServerInformation,
  Change,
  ChangeRequest,
  ActionRequestChange,
  Subscription,
  SubscriptionRequest,
  Notification,
  AccessDelegation,
  AccessDelegationRequest,
  AuditTrail,
  Error: ApiError,
  Verification,
  VerificationRequest,
  Collection,
} as const satisfies Record<string, z.ZodType>;
export type ApiClass = keyof typeof API_SCHEMAS;

/**
 * JSON-LD values are sets: `"p": [x]` is the same data (the same RDF triple) as `"p": x`, whatever
 * the property's cardinality, and the expanded form (the OpenAPI document's shape) writes every value
 * so. The normal form keeps a one-element array as its element, so that the schemas (a single
 * value where the ontology allows one, `ref()` where it allows many) read both alike.
 */
function singleValues(v: Json): Json {
  if (Array.isArray(v)) {
    const items = v.map(singleValues);
    return items.length === 1 ? items[0]! : items;
  }
  if (v === null || typeof v !== "object" || "@value" in v) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, singleValues(x)]));
}

/** A JSON-LD API object in normal form (api keys by local name, single values for one-element arrays). */
export function apiObjectOf(json: unknown): JsonObject {
  return singleValues(normalizeDocument(json, API, false)) as JsonObject;
}

/** The API class a document's @type names, if we have a schema for it. */
export function apiClassOf(node: JsonObject): ApiClass | undefined {
  const types = Array.isArray(node["@type"]) ? node["@type"] : [node["@type"]];
  for (const t of types) {
    if (typeof t !== "string") continue;
    const name = t.startsWith(API) ? t.slice(API.length) : t.startsWith(CARGO) ? undefined : t;
    if (name !== undefined && Object.hasOwn(API_SCHEMAS, name)) return name as ApiClass;
  }
  return undefined;
}
