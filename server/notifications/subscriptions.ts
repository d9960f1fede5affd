import { randomUUID } from "node:crypto";
import type { CreateSubscriptionSchema, DeadLetter, DeliveryAttempt, SubscriptionView } from "../../sdk/api";
import type { z } from "zod";
import { isRecordType } from "../../sdk/records";
import { recordIdOfIri } from "../../sdk/one-record/jsonld";
import { CARGO } from "../../sdk/one-record/vocabulary";
import type { Db, DbProvider } from "../db/client";
import { asDate, asNumber, execute, query, type Runner } from "../db/sql";
import { badRequest, notFound } from "../http/problem";
import { readableIds, readableRecord, type AccessRunner } from "../records/access";
import { generateWebhookSecret } from "./signature";
import { WebhookUrlError, checkWebhookUrl } from "./url-guard";

/** Webhook body formats: the hub's own JSON (null), or an api:Notification (ONE Record subscriptions). */
export const ONE_RECORD_FORMAT = "one-record";

/** A subscription as stored (table "Subscription", migrations 0007 and 0010). */
export interface SubscriptionRow {
  id: string;
  orgId: string;
  recordId: string | null;
  recordType: string | null;
  kinds: string[] | null;
  filter: Record<string, string[]> | null;
  url: string | null;
  secret: string | null;
  createdAt: Date;
  cursor: number;
  attempts: number;
  /** null: the hub's JSON; "one-record": api:Notification JSON-LD, matched by the object it is about. */
  format: string | null;
  /** A ONE Record topic by cargo class (local name): every object of that class. */
  objectType: string | null;
  /** No notification created after this is delivered. */
  expiresAt: Date | null;
  /** What the ONE Record subscription asked beyond the columns (shown back; sendLogisticsObjectBody). */
  options: Record<string, unknown> | null;
}

/** A notification with the type of the record it is about, if that is a record. */
export interface FeedItem {
  seq: number;
  kind: string;
  recordId: string | null;
  version: number | null;
  detail: Record<string, unknown> | null;
  createdAt: Date;
  recordType: string | null;
  recordOwner: string | null;
}

export const MAX_SUBSCRIPTIONS_PER_ORG = 100;

export function subscriptionOf(r: Record<string, unknown>): SubscriptionRow {
  return {
    id: String(r.id),
    orgId: String(r.orgId),
    recordId: (r.recordId as string | null) ?? null,
    recordType: (r.recordType as string | null) ?? null,
    kinds: r.kinds ? (JSON.parse(String(r.kinds)) as string[]) : null,
    filter: r.filter ? (JSON.parse(String(r.filter)) as Record<string, string[]>) : null,
    url: (r.url as string | null) ?? null,
    secret: (r.secret as string | null) ?? null,
    createdAt: asDate(r.createdAt)!,
    cursor: asNumber(r.cursor),
    attempts: asNumber(r.attempts),
    format: (r.format as string | null | undefined) ?? null,
    objectType: (r.objectType as string | null | undefined) ?? null,
    expiresAt: asDate(r.expiresAt),
    options: r.options ? (JSON.parse(String(r.options)) as Record<string, unknown>) : null,
  };
}

export function viewOf(s: SubscriptionRow): SubscriptionView {
  return {
    id: s.id,
    ...(s.recordId ? { recordId: s.recordId } : {}),
    ...(s.recordType ? { recordType: s.recordType } : {}),
    ...(s.kinds ? { kinds: s.kinds } : {}),
    ...(s.filter ? { filter: s.filter } : {}),
    delivery: s.url ? { type: "webhook", url: s.url } : { type: "none" },
    createdAt: s.createdAt.toISOString(),
    cursor: s.cursor,
  };
}

type Matchable = Pick<SubscriptionRow, "recordId" | "recordType" | "kinds" | "filter"> & Partial<Pick<SubscriptionRow, "format" | "objectType" | "expiresAt">>;
type Matched = Pick<FeedItem, "kind" | "recordId" | "detail" | "createdAt"> & Partial<Pick<FeedItem, "recordType">>;

/**
 * The logistics object a notification is about: `detail.object` (an object IRI, as change requests
 * name it) or else its record. ONE Record subscriptions match and check access by this object.
 */
export function objectIdOf(n: Pick<FeedItem, "recordId" | "detail">): string | null {
  const iri = n.detail?.object;
  return typeof iri === "string" && iri.includes("/logistics-objects/") ? recordIdOfIri(iri) : n.recordId;
}

/** A cargo class by local name, whether given so or as its IRI. */
const classOf = (v: unknown): string | undefined => (typeof v !== "string" ? undefined : v.startsWith(CARGO) ? v.slice(CARGO.length) : v);

/**
 * Whether a ONE Record subscription asks for a notification: its object or its object's class, one
 * of its event types, created before the subscription expires; each filtered detail field
 * (eventCode, changed) constrains only the notifications that carry it (an eventCode filter does
 * not hold back LOGISTICS_OBJECT_UPDATED, nor a changed-property filter an event).
 */
function matchesOneRecord(s: Matchable, n: Matched): boolean {
  if (s.expiresAt && n.createdAt.getTime() > s.expiresAt.getTime()) return false;
  if (s.recordId && objectIdOf(n) !== s.recordId) return false;
  if (s.objectType && classOf(n.detail?.objectType) !== s.objectType) return false;
  if (s.kinds && !s.kinds.includes(n.kind)) return false;
  for (const [field, accepted] of Object.entries(s.filter ?? {})) {
    const value = n.detail?.[field];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (!values.some((v) => typeof v === "string" && accepted.includes(v))) return false;
  }
  return true;
}

/** Whether a notification is one the subscription asks for (access is checked separately). */
export function matches(s: Matchable, n: Matched): boolean {
  if (s.format === ONE_RECORD_FORMAT) return matchesOneRecord(s, n);
  if (s.expiresAt && n.createdAt.getTime() > s.expiresAt.getTime()) return false;
  if (s.recordId && n.recordId !== s.recordId) return false;
  if (s.recordType && (n.recordType ?? n.detail?.type) !== s.recordType) return false;
  if (s.kinds && !s.kinds.includes(n.kind)) return false;
  for (const [field, accepted] of Object.entries(s.filter ?? {})) {
    const value = n.detail?.[field];
    const values = Array.isArray(value) ? value : [value];
    if (!values.some((v) => typeof v === "string" && accepted.includes(v))) return false;
  }
  return true;
}

/**
 * Whether the subscriber may read what a notification is about now (the access rule of
 * server/records/access.ts). A notification about something that is not a record (no record row) is
 * the organisation's own feed entry and stays deliverable. A ONE Record subscription is about the
 * logistics object (objectIdOf): a notification about an object its subscriber may not read (any
 * more) is never sent.
 */
export async function mayReadNow(db: AccessRunner, sub: Pick<SubscriptionRow, "orgId" | "format">, n: FeedItem): Promise<boolean> {
  const orgId = sub.orgId;
  if (sub.format === ONE_RECORD_FORMAT) {
    const objectId = objectIdOf(n);
    return objectId !== null && (await readableIds(db, orgId, [objectId])).has(objectId);
  }
  if (!n.recordId || n.recordOwner === null || n.recordOwner === orgId) return true;
  return (await readableIds(db, orgId, [n.recordId])).has(n.recordId);
}

/** The organisation's notifications after `after`, with their records' type and owner. */
export async function feedAfter(db: Runner, provider: DbProvider, orgId: string, after: number, limit: number): Promise<FeedItem[]> {
  const rows = await query<Record<string, unknown>>(
    db,
    provider,
    `SELECT n."seq", n."kind", n."recordId", n."version", n."detail", n."createdAt", r."type" AS "recordType", r."owner" AS "recordOwner"
       FROM "Notification" n LEFT JOIN "Record" r ON r."id" = n."recordId"
      WHERE n."orgId" = $1 AND n."seq" > $2 ORDER BY n."seq" LIMIT ${Math.floor(limit)}`,
    [orgId, after],
  );
  return rows.map(feedItemOf);
}

function feedItemOf(r: Record<string, unknown>): FeedItem {
  return {
    seq: asNumber(r.seq),
    kind: String(r.kind),
    recordId: (r.recordId as string | null) ?? null,
    version: r.version === null || r.version === undefined ? null : asNumber(r.version),
    detail: r.detail ? (JSON.parse(String(r.detail)) as Record<string, unknown>) : null,
    createdAt: asDate(r.createdAt)!,
    recordType: (r.recordType as string | null) ?? null,
    recordOwner: (r.recordOwner as string | null) ?? null,
  };
}

export function notificationView(n: FeedItem) {
  return {
    seq: n.seq,
    kind: n.kind,
    ...(n.recordId ? { recordId: n.recordId } : {}),
    ...(n.version !== null ? { version: n.version } : {}),
    ...(n.detail ? { detail: n.detail } : {}),
    createdAt: n.createdAt.toISOString(),
  };
}

/**
 * Whether any subscription watches records (by id or type): the record watch runs on every
 * publication and most hubs, most of the time, have none. Only a "yes" is kept, for `ttlMs`: a stale
 * "yes" costs one query that finds nothing, but a kept "no" would be wrong as soon as another hub
 * instance on the same database adds a watch, and a publication there right after the subscription
 * was acknowledged must see it. A "no" is therefore one indexed LIMIT 1 query per publication.
 */
export class WatchCache {
  private known: { at: number } | undefined;
  constructor(private readonly ttlMs = 2000) {}

  async any(db: Runner, provider: DbProvider): Promise<boolean> {
    if (this.known && Date.now() - this.known.at < this.ttlMs) return true;
    const rows = await query(
      db,
      provider,
      `SELECT 1 AS "one" FROM "Subscription" WHERE "recordId" IS NOT NULL OR "recordType" IS NOT NULL OR "objectType" IS NOT NULL LIMIT 1`,
    );
    this.known = rows.length > 0 ? { at: Date.now() } : undefined;
    return rows.length > 0;
  }

  invalidate(): void {
    this.known = undefined;
  }
}

export interface SubscriptionDeps {
  db: Db;
  provider: DbProvider;
  allowPrivate: boolean;
  watches: WatchCache;
}

type CreateInput = z.output<typeof CreateSubscriptionSchema>;

/** Creates a subscription; a webhook's secret is returned here once. */
export async function createSubscription(deps: SubscriptionDeps, orgId: string, input: CreateInput): Promise<SubscriptionView & { secret?: string }> {
  const { db } = deps;
  // A record the caller cannot read: the same 404 as one that does not exist.
  if (input.recordId) await readableRecord(db, orgId, input.recordId);
  if (input.recordType && !isRecordType(input.recordType))
    throw badRequest("unknown-record-type", `No record type ${input.recordType}.`, [{ path: "recordType", message: "unknown record type" }]);
  let url: string | null = null;
  let secret: string | null = null;
  if (input.delivery.type === "webhook") {
    url = await webhookUrl(deps, input.delivery.url, "delivery.url");
    secret = input.delivery.secret ?? generateWebhookSecret();
  }
  const row = await insertSubscription(deps, {
    orgId,
    recordId: input.recordId ?? null,
    recordType: input.recordType ?? null,
    kinds: input.kinds ?? null,
    filter: input.filter ?? null,
    url,
    secret,
    format: null,
    objectType: null,
    expiresAt: null,
    options: null,
  });
  // A generated secret is shown this once; one the subscriber gave is not echoed back.
  return { ...viewOf(row), ...(secret && input.delivery.type === "webhook" && !input.delivery.secret ? { secret } : {}) };
}

/** A webhook URL the hub may call (400 naming `path` otherwise), as it will be stored. */
export async function webhookUrl(deps: Pick<SubscriptionDeps, "allowPrivate">, raw: string, path: string): Promise<string> {
  try {
    return (await checkWebhookUrl(raw, deps.allowPrivate)).toString();
  } catch (err) {
    if (!(err instanceof WebhookUrlError)) throw err;
    throw badRequest("invalid-webhook-url", `The webhook URL ${err.message}.`, [{ path, message: err.message }]);
  }
}

/**
 * Stores a subscription (native or ONE Record) within the per-organisation limit. Deliveries start
 * with the notifications added from now on.
 */
export async function insertSubscription(
  deps: SubscriptionDeps,
  fields: Omit<SubscriptionRow, "id" | "createdAt" | "cursor" | "attempts">,
): Promise<SubscriptionRow> {
  const { db, provider } = deps;
  const orgId = fields.orgId;
  const [count] = await query<{ n: unknown }>(db, provider, `SELECT COUNT(*) AS "n" FROM "Subscription" WHERE "orgId" = $1`, [orgId]);
  if (asNumber(count!.n) >= MAX_SUBSCRIPTIONS_PER_ORG)
    throw badRequest("too-many-subscriptions", `An organisation may hold ${MAX_SUBSCRIPTIONS_PER_ORG} subscriptions; delete one first.`);
  const [head] = await query<{ seq: unknown }>(db, provider, `SELECT MAX("seq") AS "seq" FROM "Notification" WHERE "orgId" = $1`, [orgId]);
  const row: SubscriptionRow = {
    ...fields,
    id: randomUUID(),
    createdAt: new Date(),
    cursor: head?.seq === null || head?.seq === undefined ? 0 : asNumber(head.seq),
    attempts: 0,
  };
  const json = (v: unknown) => (v === null ? null : JSON.stringify(v));
  await execute(
    db,
    provider,
    `INSERT INTO "Subscription" ("id", "orgId", "recordId", "recordType", "kinds", "filter", "url", "secret", "createdAt", "cursor", "attempts",
                                 "format", "objectType", "expiresAt", "options")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14)`,
    [
      row.id,
      orgId,
      row.recordId,
      row.recordType,
      json(row.kinds),
      json(row.filter),
      row.url,
      row.secret,
      row.createdAt,
      row.cursor,
      row.format,
      row.objectType,
      row.expiresAt,
      json(row.options),
    ],
  );
  deps.watches.invalidate();
  return row;
}

/** The caller's own subscription; 404 for another organisation's, as for one that does not exist. */
export async function ownSubscription(db: Runner, provider: DbProvider, orgId: string, id: string): Promise<SubscriptionRow> {
  const [row] = await query<Record<string, unknown>>(db, provider, `SELECT * FROM "Subscription" WHERE "id" = $1 AND "orgId" = $2`, [id, orgId]);
  if (!row) throw notFound();
  return subscriptionOf(row);
}

export async function listSubscriptions(db: Runner, provider: DbProvider, orgId: string): Promise<SubscriptionView[]> {
  return (await subscriptionsOf(db, provider, orgId)).map(viewOf);
}

/** The organisation's subscriptions, oldest first. */
export async function subscriptionsOf(db: Runner, provider: DbProvider, orgId: string): Promise<SubscriptionRow[]> {
  const rows = await query<Record<string, unknown>>(db, provider, `SELECT * FROM "Subscription" WHERE "orgId" = $1 ORDER BY "createdAt", "id"`, [orgId]);
  return rows.map(subscriptionOf);
}

export async function deleteSubscription(deps: SubscriptionDeps, orgId: string, id: string): Promise<void> {
  const sub = await ownSubscription(deps.db, deps.provider, orgId, id);
  await execute(deps.db, deps.provider, `DELETE FROM "Subscription" WHERE "id" = $1`, [sub.id]);
  await execute(deps.db, deps.provider, `DELETE FROM "WebhookDelivery" WHERE "subscriptionId" = $1`, [sub.id]);
  await execute(deps.db, deps.provider, `DELETE FROM "WebhookDeadLetter" WHERE "subscriptionId" = $1`, [sub.id]);
  deps.watches.invalidate();
}

/** The stable id of delivering one notification to one subscription: receivers dedupe on it. */
export const deliveryIdOf = (subscriptionId: string, seq: number) => `${subscriptionId}:${seq}`;

export async function listDeliveries(db: Runner, provider: DbProvider, subscriptionId: string, after: number, limit: number): Promise<DeliveryAttempt[]> {
  const rows = await query<Record<string, unknown>>(
    db,
    provider,
    `SELECT * FROM "WebhookDelivery" WHERE "subscriptionId" = $1 AND "seq" > $2 ORDER BY "seq" LIMIT ${Math.floor(limit)}`,
    [subscriptionId, after],
  );
  return rows.map((r) => ({
    seq: asNumber(r.seq),
    notificationSeq: asNumber(r.notificationSeq),
    deliveryId: deliveryIdOf(subscriptionId, asNumber(r.notificationSeq)),
    attempt: asNumber(r.attempt),
    at: asDate(r.at)!.toISOString(),
    ...(r.statusCode !== null && r.statusCode !== undefined ? { statusCode: asNumber(r.statusCode) } : {}),
    ...(r.error ? { error: String(r.error) } : {}),
    durationMs: asNumber(r.durationMs),
    outcome: String(r.outcome) as DeliveryAttempt["outcome"],
  }));
}

export async function listDeadLetters(db: Runner, provider: DbProvider, sub: SubscriptionRow): Promise<DeadLetter[]> {
  const rows = await query<Record<string, unknown>>(
    db,
    provider,
    `SELECT d."id" AS "deadLetterId", d."attempts", d."lastError", d."createdAt" AS "deadAt", d."deliveredAt",
            n."seq", n."kind", n."recordId", n."version", n."detail", n."createdAt", NULL AS "recordType", NULL AS "recordOwner"
       FROM "WebhookDeadLetter" d JOIN "Notification" n ON n."seq" = d."notificationSeq"
      WHERE d."subscriptionId" = $1 ORDER BY d."createdAt", n."seq"`,
    [sub.id],
  );
  return rows.map((r) => ({
    id: String(r.deadLetterId),
    notification: notificationView(feedItemOf(r)),
    attempts: asNumber(r.attempts),
    ...(r.lastError ? { lastError: String(r.lastError) } : {}),
    createdAt: asDate(r.deadAt)!.toISOString(),
    ...(r.deliveredAt ? { deliveredAt: asDate(r.deliveredAt)!.toISOString() } : {}),
  }));
}

/** One dead letter of the subscription with its notification; 404 when there is none. */
export async function deadLetter(
  db: Runner,
  provider: DbProvider,
  sub: SubscriptionRow,
  id: string,
): Promise<{ id: string; attempts: number; item: FeedItem }> {
  const [r] = await query<Record<string, unknown>>(
    db,
    provider,
    `SELECT d."id" AS "deadLetterId", d."attempts", n."seq", n."kind", n."recordId", n."version", n."detail", n."createdAt", r."type" AS "recordType", r."owner" AS "recordOwner"
       FROM "WebhookDeadLetter" d JOIN "Notification" n ON n."seq" = d."notificationSeq" LEFT JOIN "Record" r ON r."id" = n."recordId"
      WHERE d."subscriptionId" = $1 AND d."id" = $2`,
    [sub.id, id],
  );
  if (!r) throw notFound();
  return { id: String(r.deadLetterId), attempts: asNumber(r.attempts), item: feedItemOf(r) };
}
