import { z } from "zod";
import { RecordIdSchema } from "../../../sdk/envelope";
import { BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, problems, type Operation } from "../registry";
import { JsonLdNode, LD_JSON, ObjectPath, SIGNED_WRITE, WRITE_PROBLEMS, oneRecord } from "./one-record";

/** ONE Record logistics events and subscriptions (server/one-record/event-routes.ts, docs/one-record.md). */

const EventPath = ObjectPath.extend({ eventId: RecordIdSchema.describe("The event's record id (the last segment of its IRI).") });
const SubscriptionPath = z.object({ id: z.string().describe("The subscription's id (the last segment of its IRI).") });
const dateTime = (what: string) => z.string().optional().describe(`An ISO 8601 date-time: ${what}.`);

export const oneRecordEventOperations: Operation[] = [
  oneRecord({
    operationId: "appendLogisticsEvent",
    method: "post",
    path: "/logistics-objects/{id}/logistics-events",
    summary: "Append a LogisticsEvent to an object, signed by its poster",
    description:
      "The poster must be able to read the object (else 404, as for an unknown one). cargo:eventFor must name the object (the SDK adds it before signing). The event is revision 1 of a LogisticsObject record owned by the poster and is never changed.",
    pathParams: ObjectPath,
    headers: SIGNED_WRITE,
    body: { schema: JsonLdNode, mediaTypes: [LD_JSON, JSON_TYPE] },
    responses: [{ status: 201, description: "Appended; anchoring is pending.", content: {}, headers: { Location: "The event's IRI ({object}/logistics-events/{eventId}).", Type: "cargo:LogisticsEvent's IRI." } }],
    problems: problems(WRITE_PROBLEMS, NOT_FOUND, { 400: ["not-a-logistics-event", "event-for-required", "event-for-mismatch"], 409: ["event-append-only"] }),
  }),
  oneRecord({
    operationId: "getLogisticsEvents",
    method: "get",
    path: "/logistics-objects/{id}/logistics-events",
    summary: "The object's logistics events (an api:Collection)",
    description:
      "Whoever may read the object reads its events. created-* filter on cargo:creationDate (else when the hub stored the event), occurred-* on cargo:eventDate; both exclusive. hasTotalItems counts every match, hasItem holds the page.",
    pathParams: ObjectPath,
    query: z.object({
      "event-code": z.union([z.string(), z.array(z.string())]).optional().describe("Status codes (DEP, ...), repeatable or comma-separated."),
      "created-after": dateTime("events created after it"),
      "created-before": dateTime("events created before it"),
      "occurred-after": dateTime("events that occurred after it"),
      "occurred-before": dateTime("events that occurred before it"),
      sort: z.union([z.string(), z.array(z.string())]).optional().describe("ASC-creationDate (default), DESC-creationDate, ASC-eventDate, DESC-eventDate."),
      limit: z.string().optional().describe("At most this many items (1000 at most, the default)."),
      skip: z.string().optional().describe("Skip this many items first."),
    }),
    responses: [{ status: 200, description: "The events.", content: { [LD_JSON]: JsonLdNode } }],
    problems: problems(NOT_FOUND, { 400: ["invalid-query"] }),
  }),
  oneRecord({
    operationId: "getLogisticsEvent",
    method: "get",
    path: "/logistics-objects/{id}/logistics-events/{eventId}",
    summary: "One logistics event of an object",
    pathParams: EventPath,
    responses: [
      {
        status: 200,
        description: "The event.",
        content: { [LD_JSON]: JsonLdNode },
        headers: { Type: "cargo:LogisticsEvent's IRI.", "Last-Modified": "When it was stored.", Link: "Its signed record and proof." },
      },
    ],
    problems: NOT_FOUND,
  }),
  oneRecord({
    operationId: "createOneRecordSubscription",
    method: "post",
    path: "/subscriptions",
    summary: "Subscribe to an object or a class of objects (api:Subscription or api:SubscriptionRequest)",
    description:
      "hasSubscriber is the caller's party IRI. Accepted at once; notifications reach the subscriber only while it may read the object. Webhook: the Cargoproof-Callback header (bodies are api:Notification JSON-LD, signed like every webhook of the hub). Filters: cp:hasEventCodeFilter, cp:hasChangedPropertyFilter (cp = https://cargoproof.dev/ns/one-record#).",
    headers: {
      "Cargoproof-Callback": { description: "The webhook URL notifications are POSTed to (optional: without it, read the feed or its stream)." },
      "Cargoproof-Callback-Secret": { description: "The webhook's HMAC secret (32-200 characters); generated and answered once when not given." },
    },
    body: { schema: JsonLdNode, mediaTypes: [LD_JSON, JSON_TYPE] },
    responses: [
      {
        status: 201,
        description: "Subscribed.",
        content: {},
        headers: { Location: "The subscription's IRI.", Type: "api:Subscription's IRI.", "Cargoproof-Callback-Secret": "The generated webhook secret (only when the hub generated it)." },
      },
    ],
    problems: problems(BODY_PROBLEMS, {
      400: ["invalid-subscription", "unsupported-topic", "invalid-webhook-url", "invalid-webhook-secret", "too-many-subscriptions"],
      403: ["subscriber-not-caller"],
      415: ["unsupported-media-type"],
    }),
  }),
  oneRecord({
    operationId: "getSubscriptionInformation",
    method: "get",
    path: "/subscriptions",
    summary: "The caller's subscription(s) to a topic",
    description: "One api:Subscription, or an api:Collection of them when the caller holds several to that topic.",
    query: z.object({
      topicType: z.string().describe("api:LOGISTICS_OBJECT_IDENTIFIER or api:LOGISTICS_OBJECT_TYPE (IRI or local name)."),
      topic: z.string().describe("An object IRI, or a cargo class IRI."),
    }),
    responses: [{ status: 200, description: "The subscription(s).", content: { [LD_JSON]: JsonLdNode } }],
    problems: problems(NOT_FOUND, { 400: ["missing-query-parameter", "invalid-query", "invalid-subscription", "unsupported-topic"] }),
  }),
  oneRecord({
    operationId: "getOneRecordSubscription",
    method: "get",
    path: "/subscriptions/{id}",
    summary: "One of the caller's ONE Record subscriptions (api:Subscription)",
    pathParams: SubscriptionPath,
    responses: [{ status: 200, description: "The subscription.", content: { [LD_JSON]: JsonLdNode } }],
    problems: NOT_FOUND,
  }),
  oneRecord({
    operationId: "deleteOneRecordSubscription",
    method: "delete",
    path: "/subscriptions/{id}",
    summary: "Unsubscribe",
    pathParams: SubscriptionPath,
    responses: [{ status: 204, description: "Deleted, with its delivery log and dead letters.", content: {} }],
    problems: NOT_FOUND,
  }),
];
