import { z } from "zod";
import { RecordIdSchema } from "../../../sdk/envelope";
import { BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";
import { REMOTE_AUTHORIZATION_HEADER, RemoteNotificationView, RemoteSubscriptionView, RemoteUnsubscribeView } from "../../one-record/remote-subscriptions";
import {
  OneRecordLogisticsEvent,
  OneRecordLogisticsEvents,
  OneRecordNotification,
  OneRecordSubscription,
  OneRecordSubscriptionAnswer,
  OneRecordSubscriptionAsk,
} from "../one-record-documents";
import { LD_JSON, ObjectPath, SIGNED_WRITE, WRITE_PROBLEMS, oneRecord } from "./one-record";

/** ONE Record logistics events and subscriptions (server/one-record/event-routes.ts, docs/one-record.md). */

const EventPath = ObjectPath.extend({ eventId: RecordIdSchema.describe("The event's record id (the last segment of its IRI).") });
const SubscriptionPath = z.object({ id: z.string().describe("The subscription's id (the last segment of its IRI).") });
const dateTime = (what: string) => z.string().optional().describe(`An ISO 8601 date-time: ${what}.`);

const RemoteSubscriptionSchema = named("RemoteSubscription", RemoteSubscriptionView);

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
    body: { schema: OneRecordLogisticsEvent, mediaTypes: [LD_JSON, JSON_TYPE] },
    responses: [
      {
        status: 201,
        description: "Appended; anchoring is pending.",
        content: {},
        headers: { Location: "The event's IRI ({object}/logistics-events/{eventId}).", Type: "cargo:LogisticsEvent's IRI." },
      },
    ],
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
      "event-code": z
        .union([z.string(), z.array(z.string())])
        .optional()
        .describe("Status codes (DEP, ...), repeatable or comma-separated."),
      "created-after": dateTime("events created after it"),
      "created-before": dateTime("events created before it"),
      "occurred-after": dateTime("events that occurred after it"),
      "occurred-before": dateTime("events that occurred before it"),
      sort: z
        .union([z.string(), z.array(z.string())])
        .optional()
        .describe("ASC-creationDate (default), DESC-creationDate, ASC-eventDate, DESC-eventDate."),
      limit: z.string().optional().describe("At most this many items (1000 at most, the default)."),
      skip: z.string().optional().describe("Skip this many items first."),
    }),
    responses: [{ status: 200, description: "The events.", content: { [LD_JSON]: OneRecordLogisticsEvents } }],
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
        content: { [LD_JSON]: OneRecordLogisticsEvent },
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
    body: { schema: OneRecordSubscriptionAsk, mediaTypes: [LD_JSON, JSON_TYPE] },
    responses: [
      {
        status: 201,
        description: "Subscribed.",
        content: {},
        headers: {
          Location: "The subscription's IRI.",
          Type: "api:Subscription's IRI.",
          "Cargoproof-Callback-Secret": "The generated webhook secret (only when the hub generated it).",
        },
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
    responses: [{ status: 200, description: "The subscription(s).", content: { [LD_JSON]: OneRecordSubscriptionAnswer } }],
    problems: problems(NOT_FOUND, { 400: ["missing-query-parameter", "invalid-query", "invalid-subscription", "unsupported-topic"] }),
  }),
  oneRecord({
    operationId: "getOneRecordSubscription",
    method: "get",
    path: "/subscriptions/{id}",
    summary: "One of the caller's ONE Record subscriptions (api:Subscription)",
    pathParams: SubscriptionPath,
    responses: [{ status: 200, description: "The subscription.", content: { [LD_JSON]: OneRecordSubscription } }],
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
  // Server to server (server/one-record/remote-subscriptions.ts, inbound-notifications.ts).
  oneRecord({
    operationId: "receiveNotification",
    method: "post",
    path: "/notifications",
    summary: "Receive an api:Notification from another ONE Record server (the subscriber's callback)",
    description:
      "For the subscriptions this hub made on other servers for its members (POST /remote-subscriptions): the callback URL carries ?subscription=, and the body must be signed with that subscription's callback secret (Cargoproof-Signature and Cargoproof-Timestamp over the raw body, as the hub's webhooks are). Anything else is the same 401 and stores nothing. An accepted notification makes the hub GET the object from its server again; a new revision becomes the next version of the member's anchored copy.",
    security: "public",
    query: z.object({
      subscription: z.string().optional().describe("The remote subscription of this hub the notification is for (part of the callback URL the hub gave)."),
    }),
    headers: {
      "Cargoproof-Signature": { description: "v1=<HMAC-SHA256 of timestamp.body with the subscription's callback secret>." },
      "Cargoproof-Timestamp": { description: "Unix seconds; within five minutes of the hub's clock." },
      "Cargoproof-Delivery": { description: "The sender's delivery id: a redelivery is accepted again and stored once." },
    },
    body: { schema: OneRecordNotification, mediaTypes: [LD_JSON, JSON_TYPE] },
    responses: [{ status: 204, description: "Accepted.", content: {} }],
    problems: { 400: ["invalid-notification"], 401: ["unauthenticated-notification"], 413: ["payload-too-large"], 415: ["unsupported-media-type"] },
    ownBodyParser: true,
  }),
  oneRecord({
    operationId: "createRemoteSubscription",
    method: "post",
    path: "/remote-subscriptions",
    summary: "Ask the hub to subscribe, for you, to a logistics object on another ONE Record server, and keep an anchored copy of it",
    description:
      "The body is the api:Subscription to make there (topic type LOGISTICS_OBJECT_IDENTIFIER, hasTopic the object's IRI, hasSubscriber your party's IRI there). The hub GETs the object with your token there, POSTs the subscription to that server's /subscriptions with this hub's /notifications as callback, and attests revision 1 of a RemoteObjectCopy record for you. Outbound calls only to public addresses (unless WEBHOOK_ALLOW_PRIVATE).",
    headers: { [REMOTE_AUTHORIZATION_HEADER]: { description: "Bearer <token>: your access token on the other server.", required: true } },
    body: { schema: OneRecordSubscription, mediaTypes: [LD_JSON, JSON_TYPE] },
    responses: [
      {
        status: 201,
        description: "Subscribed there; the first copy is attested.",
        content: { [JSON_TYPE]: RemoteSubscriptionSchema },
        headers: { Location: "The remote subscription on this hub." },
      },
    ],
    problems: problems(BODY_PROBLEMS, {
      400: ["invalid-subscription", "remote-authorization-required", "remote-url-refused", "remote-refused-subscription"],
      404: ["remote-object-not-found"],
      409: ["too-many-remote-subscriptions"],
      502: ["remote-server-unavailable"],
    }),
  }),
  oneRecord({
    operationId: "listRemoteSubscriptions",
    method: "get",
    path: "/remote-subscriptions",
    summary: "Your remote subscriptions",
    responses: [
      {
        status: 200,
        description: "Oldest first.",
        content: { [JSON_TYPE]: named("RemoteSubscriptionList", z.object({ subscriptions: z.array(RemoteSubscriptionView) })) },
      },
    ],
    problems: {},
  }),
  oneRecord({
    operationId: "getRemoteSubscription",
    method: "get",
    path: "/remote-subscriptions/{id}",
    summary: "One of your remote subscriptions, with its copy's record id and revision",
    pathParams: SubscriptionPath,
    responses: [{ status: 200, description: "The remote subscription.", content: { [JSON_TYPE]: RemoteSubscriptionSchema } }],
    problems: NOT_FOUND,
  }),
  oneRecord({
    operationId: "deleteRemoteSubscription",
    method: "delete",
    path: "/remote-subscriptions/{id}",
    summary: "Unsubscribe: end one of your remote subscriptions, here and on the other server",
    description:
      "Ends it on this hub at once (its notifications, received before, go with it; a later one is the 401 of an unknown subscription and stores nothing), then DELETEs the IRI the other server gave the subscription (ONE Record revokeActionRequest), with your token there. `remote` says what that server answered; the end here does not depend on it. The copy's record stays.",
    pathParams: SubscriptionPath,
    responses: [{ status: 200, description: "Ended.", content: { [JSON_TYPE]: named("RemoteUnsubscribe", RemoteUnsubscribeView) } }],
    problems: NOT_FOUND,
  }),
  oneRecord({
    operationId: "getRemoteNotifications",
    method: "get",
    path: "/remote-subscriptions/{id}/notifications",
    summary: "The notifications one of your remote subscriptions received, as received",
    pathParams: SubscriptionPath,
    responses: [
      {
        status: 200,
        description: "Oldest first (at most 1000).",
        content: { [JSON_TYPE]: named("RemoteNotificationList", z.object({ notifications: z.array(RemoteNotificationView) })) },
      },
    ],
    problems: NOT_FOUND,
  }),
];
