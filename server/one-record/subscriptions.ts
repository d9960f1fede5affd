/**
 * ONE Record subscriptions (POST /subscriptions, GET /subscriptions?topicType=&topic=) on the hub's
 * one subscription mechanism (server/notifications: the Subscription table, the webhook worker with
 * signed bodies, retries, delivery log, dead letters, the feed and its stream). A ONE Record
 * subscription is a row with format "one-record": its webhook bodies are api:Notifications, and it
 * matches notifications by the object they are about.
 *
 * One hub is publisher and subscriber's server at once, so a subscription is accepted at once (no
 * pending SubscriptionRequest): whether a notification may reach the subscriber is decided by the
 * access rule when the notification is made and again when it is delivered. A subscription to an
 * object the caller may not read is therefore accepted exactly like one to an object that does not
 * exist, and stays silent until (and unless) the caller may read it.
 */
import type { Request } from "express";
import { z } from "zod";
import { RecordIdSchema } from "../../sdk/envelope";
import { API_SCHEMAS, NOTIFICATION_EVENT_TYPES, apiClassOf, apiObjectOf } from "../../sdk/one-record/api-objects";
import { JsonLdFormError, valuesOf as many, type Json, type JsonObject } from "../../sdk/one-record/jsonld";
import { API, CARGO, ONE_RECORD_CONTEXT, localName } from "../../sdk/one-record/vocabulary";
import { HttpProblem, badRequest, forbidden, notFound } from "../http/problem";
import { generateWebhookSecret } from "../notifications/signature";
import {
  ONE_RECORD_FORMAT,
  insertSubscription,
  subscriptionsOf,
  webhookUrl,
  type SubscriptionDeps,
  type SubscriptionRow,
} from "../notifications/subscriptions";
import type { OneRecordIris } from "./iris";

/** The hub's extension properties of a Subscription (docs/one-record.md). */
export const CARGOPROOF_NS = "https://cargoproof.dev/ns/one-record#";
const EVENT_CODE_FILTER = `${CARGOPROOF_NS}hasEventCodeFilter`;
const CHANGED_PROPERTY_FILTER = `${CARGOPROOF_NS}hasChangedPropertyFilter`;
/** The webhook of a subscription is given in headers (the body stays a standard api:Subscription). */
export const CALLBACK_HEADER = "Cargoproof-Callback";
export const CALLBACK_SECRET_HEADER = "Cargoproof-Callback-Secret";

export const TOPIC_TYPES = ["LOGISTICS_OBJECT_IDENTIFIER", "LOGISTICS_OBJECT_TYPE"] as const;
export type TopicType = (typeof TOPIC_TYPES)[number];
const MAX_FILTER_VALUES = 50;
const LD_JSON = "application/ld+json";

const isNode = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
/** A string, a value object's @value or a node's @id. */
const stringOf = (v: Json): string | undefined =>
  typeof v === "string" ? v : isNode(v) ? (typeof v["@value"] === "string" ? v["@value"] : typeof v["@id"] === "string" ? v["@id"] : undefined) : undefined;

const invalid = (message: string, property: string, detail = message) => badRequest("invalid-subscription", detail, [{ path: property, message }]);

/** A topic type given as its IRI or its local name. */
export function topicTypeOf(raw: string): TopicType | undefined {
  const name = raw.startsWith(API) ? raw.slice(API.length) : raw.startsWith("api:") ? raw.slice(4) : raw;
  return (TOPIC_TYPES as readonly string[]).includes(name) ? (name as TopicType) : undefined;
}

/** The topic of a subscription: one object (by record id) or a cargo class (by local name). 400 for anything else. */
export function topicOf(iris: OneRecordIris, type: TopicType, topic: string): { recordId: string } | { objectType: string } {
  if (type === "LOGISTICS_OBJECT_IDENTIFIER") {
    const id = iris.recordIdOf(topic);
    // Whether such an object exists, or is readable, is not told here (nor anywhere).
    if (id === undefined || !RecordIdSchema.safeParse(id).success)
      throw invalid(
        `expected an object IRI of this server, ${iris.object("{id}")}`,
        `${API}hasTopic`,
        "The topic is not a logistics object IRI of this server.",
      );
    return { recordId: id };
  }
  const cls = localName(topic.startsWith("cargo:") ? CARGO + topic.slice(6) : topic, CARGO);
  if (cls === undefined || !/^[A-Z]/.test(cls))
    throw new HttpProblem(
      400,
      "unsupported-topic",
      "Logistics Object Type not supported",
      "The topic of a LOGISTICS_OBJECT_TYPE subscription is a class of the cargo ontology, e.g. https://onerecord.iata.org/ns/cargo#Shipment.",
      [{ path: `${API}hasTopic`, message: "not a cargo class" }],
    );
  return { objectType: cls };
}

/** Event codes of the filter: "DEP", or StatusCode references. */
function eventCodeFilter(node: JsonObject): string[] | undefined {
  const values = many(node[EVENT_CODE_FILTER]);
  if (values.length === 0) return undefined;
  const codes = values.map((v) => {
    const s = stringOf(v) ?? "";
    const code = s.slice(Math.max(s.lastIndexOf("#"), s.lastIndexOf("/")) + 1);
    if (!/^[A-Z]{3}$/.test(code))
      throw invalid(`${s || JSON.stringify(v)}: not a status code`, EVENT_CODE_FILTER, "The event code filter names three-letter status codes, e.g. DEP.");
    return code;
  });
  if (codes.length > MAX_FILTER_VALUES) throw invalid(`at most ${MAX_FILTER_VALUES} values`, EVENT_CODE_FILTER);
  return [...new Set(codes)];
}

/** Changed properties of the filter, as full IRIs (a cargo local name or cargo: prefix is expanded). */
function changedPropertyFilter(node: JsonObject): string[] | undefined {
  const values = many(node[CHANGED_PROPERTY_FILTER]);
  if (values.length === 0) return undefined;
  const iris = values.map((v) => {
    const s = stringOf(v) ?? "";
    const iri = /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? CARGO + s : s.startsWith("cargo:") ? CARGO + s.slice(6) : s;
    if (!/^https?:\/\/\S+$/.test(iri))
      throw invalid(
        `${s || JSON.stringify(v)}: not a property IRI`,
        CHANGED_PROPERTY_FILTER,
        "The changed property filter names property IRIs, e.g. https://onerecord.iata.org/ns/cargo#grossWeight.",
      );
    return iri;
  });
  if (iris.length > MAX_FILTER_VALUES) throw invalid(`at most ${MAX_FILTER_VALUES} values`, CHANGED_PROPERTY_FILTER);
  return [...new Set(iris)];
}

function booleanOf(v: Json | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const raw = isNode(v) ? v["@value"] : v;
  return raw === true || raw === "true" || raw === "1";
}

/** What a Subscription asks, ready to store. */
export type SubscriptionAsk = Omit<SubscriptionRow, "id" | "createdAt" | "cursor" | "attempts" | "url" | "secret">;

/**
 * The subscription a request body asks for: an api:Subscription, or an api:SubscriptionRequest with
 * one in hasSubscription. 400 naming the property for a malformed one; 403 when hasSubscriber is not
 * the caller's party.
 */
export function subscriptionAskOf(json: unknown, iris: OneRecordIris, orgId: string): SubscriptionAsk {
  let node: JsonObject;
  try {
    node = apiObjectOf(json);
  } catch (err) {
    if (err instanceof JsonLdFormError) throw invalid(err.message, err.path, err.message);
    throw err;
  }
  const cls = apiClassOf(node);
  if (cls === "SubscriptionRequest") {
    if (!isNode(node.hasSubscription))
      throw invalid("missing", `${API}hasSubscription`, "A SubscriptionRequest holds its Subscription in api:hasSubscription.");
    node = node.hasSubscription;
  } else if (cls !== "Subscription") {
    throw invalid(
      "expected api:Subscription or api:SubscriptionRequest",
      "@type",
      "The body is an api:Subscription (or an api:SubscriptionRequest holding one).",
    );
  }
  const parsed = API_SCHEMAS.Subscription.safeParse(node);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? "");
    throw invalid(issue.message, key.startsWith("@") || key.includes(":") ? key : `${API}${key}`, `The subscription is not valid: ${issue.message}.`);
  }
  const sub = parsed.data;
  const subscriber = sub.hasSubscriber["@id"];
  if (subscriber === undefined || iris.orgIdOf(subscriber) !== orgId)
    throw forbidden("subscriber-not-caller", `hasSubscriber must be your own party, ${iris.party(orgId)}: a party subscribes for itself.`);
  const type = topicTypeOf(sub.hasTopicType["@id"]) as TopicType;
  const topic = stringOf(sub.hasTopic as Json);
  if (topic === undefined) throw invalid("missing", `${API}hasTopic`);
  const contentTypes = many(node.hasContentType).map((c) => stringOf(c));
  if (contentTypes.length > 0 && !contentTypes.some((c) => c === LD_JSON))
    throw invalid(`only ${LD_JSON} is sent`, `${API}hasContentType`, `Notifications are sent as ${LD_JSON}.`);
  const kinds = many(node.includeSubscriptionEventType).map((k) => String(stringOf(k)).slice(API.length));
  const expires = node.expiresAt === undefined ? undefined : new Date(String(stringOf(node.expiresAt)));
  if (expires && expires.getTime() <= Date.now()) throw invalid("in the past", `${API}expiresAt`, "expiresAt is in the past.");
  const eventCode = eventCodeFilter(node);
  const changed = changedPropertyFilter(node);
  const sendBody = booleanOf(node.sendLogisticsObjectBody);
  const t = topicOf(iris, type, topic);
  return {
    orgId,
    recordId: "recordId" in t ? t.recordId : null,
    objectType: "objectType" in t ? t.objectType : null,
    recordType: null,
    // Without event types, every ONE Record event type (never the hub's own kinds: they are no api:Notification).
    kinds: kinds.length > 0 ? [...new Set(kinds)] : [...NOTIFICATION_EVENT_TYPES],
    filter: eventCode || changed ? { ...(eventCode ? { eventCode } : {}), ...(changed ? { changed } : {}) } : null,
    format: ONE_RECORD_FORMAT,
    expiresAt: expires ?? null,
    options: sendBody ? { sendLogisticsObjectBody: true } : null,
  };
}

const SecretHeader = z.string().min(32, "at least 32 characters").max(200);

/** POST /subscriptions: stores the subscription; the generated webhook secret is returned once. */
export async function subscribe(
  deps: SubscriptionDeps & { iris: OneRecordIris },
  orgId: string,
  req: Request,
): Promise<{ row: SubscriptionRow; secret?: string }> {
  const ask = subscriptionAskOf(req.body, deps.iris, orgId);
  const callback = req.get(CALLBACK_HEADER);
  const given = req.get(CALLBACK_SECRET_HEADER);
  let url: string | null = null;
  let secret: string | null = null;
  if (callback !== undefined) {
    url = await webhookUrl(deps, callback, CALLBACK_HEADER);
    if (given !== undefined) {
      const ok = SecretHeader.safeParse(given);
      if (!ok.success)
        throw badRequest("invalid-webhook-secret", `The ${CALLBACK_SECRET_HEADER} header is 32 to 200 characters.`, [
          { path: CALLBACK_SECRET_HEADER, message: ok.error.issues[0]!.message },
        ]);
    }
    secret = given ?? generateWebhookSecret();
  } else if (given !== undefined) {
    throw badRequest("invalid-webhook-secret", `A secret without a ${CALLBACK_HEADER} URL signs nothing.`, [
      { path: CALLBACK_SECRET_HEADER, message: "no callback" },
    ]);
  }
  const row = await insertSubscription(deps, { ...ask, url, secret });
  return { row, ...(secret && given === undefined ? { secret } : {}) };
}

const anyUri = (v: string) => ({ "@type": "xsd:anyURI", "@value": v });

/** The api:Subscription JSON-LD of a stored ONE Record subscription (without its secret). */
export function subscriptionJson(iris: OneRecordIris, s: SubscriptionRow, withContext = true): JsonObject {
  const topic = s.recordId ? iris.object(s.recordId) : CARGO + String(s.objectType);
  return {
    ...(withContext ? { "@context": { ...ONE_RECORD_CONTEXT, cp: CARGOPROOF_NS } } : {}),
    "@id": iris.subscription(s.id),
    "@type": "api:Subscription",
    "api:hasContentType": LD_JSON,
    "api:hasSubscriber": { "@id": iris.party(s.orgId) },
    "api:hasTopicType": { "@id": `api:${s.recordId ? "LOGISTICS_OBJECT_IDENTIFIER" : "LOGISTICS_OBJECT_TYPE"}` },
    "api:hasTopic": anyUri(topic),
    "api:includeSubscriptionEventType": (s.kinds ?? []).map((k) => ({ "@id": `api:${k}` })),
    ...(s.expiresAt ? { "api:expiresAt": { "@type": "xsd:dateTime", "@value": s.expiresAt.toISOString() } } : {}),
    ...(s.options?.sendLogisticsObjectBody === true ? { "api:sendLogisticsObjectBody": true } : {}),
    ...(s.filter?.eventCode ? { "cp:hasEventCodeFilter": s.filter.eventCode } : {}),
    ...(s.filter?.changed ? { "cp:hasChangedPropertyFilter": s.filter.changed.map(anyUri) } : {}),
    ...(s.url ? { "cp:hasCallbackUrl": anyUri(s.url) } : {}),
  };
}

/**
 * GET /subscriptions?topicType=&topic=: the caller's own ONE Record subscriptions to that topic. The
 * specification pictures a publisher asking a subscriber's server what it wants to hear about a topic;
 * on one hub that is what the caller has subscribed to: one api:Subscription, or an api:Collection of
 * them when it holds several; 404 when none.
 */
export async function subscriptionInformation(deps: SubscriptionDeps & { iris: OneRecordIris }, orgId: string, q: Request["query"]): Promise<JsonObject> {
  const missing = (name: string) =>
    new HttpProblem(400, "missing-query-parameter", "Missing query parameter", `The required query parameter \`${name}\` is missing.`, [
      { path: name, message: "missing" },
    ]);
  if (typeof q.topicType !== "string" || q.topicType === "") throw missing("topicType");
  if (typeof q.topic !== "string" || q.topic === "") throw missing("topic");
  const type = topicTypeOf(q.topicType);
  if (!type)
    throw badRequest("invalid-query", `topicType is one of ${TOPIC_TYPES.map((t) => API + t).join(", ")}.`, [
      { path: "topicType", message: "unknown topic type" },
    ]);
  const topic = topicOf(deps.iris, type, q.topic);
  const mine = (await subscriptionsOf(deps.db, deps.provider, orgId)).filter(
    (s) => s.format === ONE_RECORD_FORMAT && ("recordId" in topic ? s.recordId === topic.recordId : s.objectType === topic.objectType),
  );
  if (mine.length === 0) throw notFound();
  if (mine.length === 1) return subscriptionJson(deps.iris, mine[0]!);
  return {
    "@context": { ...ONE_RECORD_CONTEXT, cp: CARGOPROOF_NS },
    "@type": "api:Collection",
    "api:hasTotalItems": mine.length,
    "api:hasItem": mine.map((s) => subscriptionJson(deps.iris, s, false)),
  };
}

export const SUBSCRIPTION_TYPE_IRI = `${API}Subscription`;
