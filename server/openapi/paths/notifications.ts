import { z } from "zod";
import {
  CreateSubscriptionSchema,
  CreatedSubscriptionSchema,
  DeadLetterListSchema,
  DeliveryPageSchema,
  NotificationPageSchema,
  NotificationQuerySchema,
  RedeliveryResultSchema,
  SubscriptionListSchema,
  SubscriptionViewSchema,
} from "../../../sdk/api";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";

const SubscriptionPath = z.object({ id: z.string() });
const INVALID_QUERY = { 400: ["invalid-query"] };

const own = (op: Omit<Operation, "tags" | "security">): Operation => ({ ...op, tags: ["notifications"], security: "bearer" });

export const notificationOperations: Operation[] = [
  own({
    operationId: "listNotifications",
    method: "get",
    path: "/v1/notifications",
    summary: "The caller's notification feed, oldest first",
    query: NotificationQuerySchema,
    responses: [
      {
        status: 200,
        description: "A page of notifications; poll with after=next.",
        content: { [JSON_TYPE]: named("NotificationPage", NotificationPageSchema) },
      },
    ],
    problems: problems(BEARER_PROBLEMS, INVALID_QUERY),
  }),
  own({
    operationId: "streamNotifications",
    method: "get",
    path: "/v1/notifications/stream",
    summary: "The caller's notification feed as server-sent events (resumes after Last-Event-ID)",
    query: z.object({
      after: z
        .string()
        .regex(/^\d{1,15}$/)
        .optional()
        .describe("Resume after this seq (as Last-Event-ID)"),
    }),
    headers: { "Last-Event-ID": { description: "The seq of the last event received: the stream resumes after it." } },
    description: "An organisation holds at most NOTIFICATION_STREAMS_PER_ORG streams open at once (default 5); one more answers 429 with Retry-After.",
    responses: [
      { status: 200, description: "An event stream, one event per notification (id = seq).", content: { "text/event-stream": { raw: { type: "string" } } } },
    ],
    problems: problems(BEARER_PROBLEMS, INVALID_QUERY, { 429: ["too-many-streams"] }),
  }),
  own({
    operationId: "createSubscription",
    method: "post",
    path: "/v1/subscriptions",
    summary: "Subscribe to notifications (a record, a record type, kinds, a filter), delivered by webhook or not at all",
    body: { schema: named("CreateSubscription", CreateSubscriptionSchema), mediaTypes: [JSON_TYPE] },
    responses: [
      {
        status: 201,
        description: "Created; a webhook secret shows here only.",
        content: { [JSON_TYPE]: named("CreatedSubscription", CreatedSubscriptionSchema) },
      },
    ],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, {
      400: ["invalid-subscription", "invalid-webhook-url", "unknown-record-type", "too-many-subscriptions"],
    }),
  }),
  own({
    operationId: "listSubscriptions",
    method: "get",
    path: "/v1/subscriptions",
    summary: "The caller's subscriptions",
    responses: [{ status: 200, description: "The subscriptions.", content: { [JSON_TYPE]: named("SubscriptionList", SubscriptionListSchema) } }],
    problems: BEARER_PROBLEMS,
  }),
  own({
    operationId: "getSubscription",
    method: "get",
    path: "/v1/subscriptions/{id}",
    summary: "One of the caller's subscriptions",
    pathParams: SubscriptionPath,
    responses: [{ status: 200, description: "The subscription.", content: { [JSON_TYPE]: named("SubscriptionView", SubscriptionViewSchema) } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND),
  }),
  own({
    operationId: "deleteSubscription",
    method: "delete",
    path: "/v1/subscriptions/{id}",
    summary: "Delete a subscription",
    pathParams: SubscriptionPath,
    responses: [{ status: 204, description: "Deleted." }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND),
  }),
  own({
    operationId: "listSubscriptionDeliveries",
    method: "get",
    path: "/v1/subscriptions/{id}/deliveries",
    summary: "The webhook delivery attempts of a subscription, oldest first",
    pathParams: SubscriptionPath,
    query: NotificationQuerySchema,
    responses: [
      { status: 200, description: "A page of attempts; continue with after=next.", content: { [JSON_TYPE]: named("DeliveryPage", DeliveryPageSchema) } },
    ],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND, INVALID_QUERY),
  }),
  own({
    operationId: "listSubscriptionDeadLetters",
    method: "get",
    path: "/v1/subscriptions/{id}/dead-letters",
    summary: "Notifications the webhook gave up on",
    pathParams: SubscriptionPath,
    responses: [{ status: 200, description: "The dead letters.", content: { [JSON_TYPE]: named("DeadLetterList", DeadLetterListSchema) } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND),
  }),
  own({
    operationId: "redeliverDeadLetter",
    method: "post",
    path: "/v1/subscriptions/{id}/dead-letters/{deadLetterId}/redeliver",
    summary: "Try a dead letter's delivery again, now",
    pathParams: z.object({ id: z.string(), deadLetterId: z.string() }),
    responses: [{ status: 200, description: "Whether the receiver took it.", content: { [JSON_TYPE]: named("RedeliveryResult", RedeliveryResultSchema) } }],
    problems: problems(BEARER_PROBLEMS, NOT_FOUND),
  }),
];
