import { z } from "zod";
import { normaliseTimestamp } from "../../sdk/epcis/event-hash";
import { writeTransaction, type Db, type DbProvider, type TxClient } from "../db/client";
import { asDate, execute, query, type Runner } from "../db/sql";
import { HttpProblem, notFound } from "../http/problem";
import { deleteSubscription, insertSubscription, webhookUrl, type SubscriptionDeps } from "../notifications/subscriptions";
import { generateWebhookSecret } from "../notifications/signature";
import { parseEventQuery, type EventQuery } from "./query";
import { ScheduleError, SCHEDULE_FIELDS, nextQueryTime, type QuerySchedule } from "./subscriptions-schedule";

/**
 * EPCIS query subscriptions (the REST binding's webhooks, docs/epcis.md "Subscriptions"): what is
 * stored, validated and shown. Each subscription is also a row of the hub's own "Subscription"
 * (same id, format EPCIS_FORMAT, kinds [EPCIS_QUERY_RESULT], filtered to its own reports), so the
 * one webhook worker delivers it: cursor, lease, retries with backoff, dead letters. Reports are
 * made by ./subscriptions-delivery.ts.
 */

/** The webhook format of EPCIS subscriptions (WebhookWorker `formats`). */
export const EPCIS_FORMAT = "epcis";
/** The kind of the feed entries that carry one EPCISQueryDocument of a subscription. */
export const EPCIS_QUERY_RESULT = "EPCIS_QUERY_RESULT";

/** A subscription as stored (table "EpcisSubscription", migration 0018). */
export interface EpcisSubscriptionRow {
  id: string;
  orgId: string;
  queryName: string;
  query: EventQuery;
  dest: string;
  signatureToken: string | null;
  stream: boolean;
  schedule: QuerySchedule | null;
  reportIfEmpty: boolean;
  /** Where the first report starts: as given, else the subscription's creation. */
  initialRecordTime: string;
  /** Scheduled: the start of the next report's recordTime window. */
  minRecordTime: string | null;
  /** Scheduled: the next query time. */
  nextRunAt: string | null;
  createdAt: string;
}

export function epcisSubscriptionOf(r: Record<string, unknown>): EpcisSubscriptionRow {
  return {
    id: String(r.id),
    orgId: String(r.orgId),
    queryName: String(r.queryName),
    query: parseEventQuery(JSON.parse(String(r.query))),
    dest: String(r.dest),
    signatureToken: (r.signatureToken as string | null) ?? null,
    stream: Number(r.stream) === 1,
    schedule: r.schedule ? (JSON.parse(String(r.schedule)) as QuerySchedule) : null,
    reportIfEmpty: Number(r.reportIfEmpty) === 1,
    initialRecordTime: String(r.initialRecordTime ?? r.createdAt),
    minRecordTime: (r.minRecordTime as string | null) ?? null,
    nextRunAt: (r.nextRunAt as string | null) ?? null,
    createdAt: String(r.createdAt),
  };
}

const ScheduleSchema = z
  .object(
    Object.fromEntries(SCHEDULE_FIELDS.map((f) => [f, z.string().max(300).optional()])) as Record<(typeof SCHEDULE_FIELDS)[number], z.ZodOptional<z.ZodString>>,
  )
  .strict();

/** The body of POST /epcis/queries/{queryName}/subscriptions (AbstractQuerySubscription with one of the stream or schedule forms). */
export const EpcisSubscriptionInput = z
  .object({
    dest: z.string().min(1).max(2048),
    signatureToken: z.string().min(1).max(512).optional(),
    stream: z.boolean().optional(),
    schedule: ScheduleSchema.optional(),
    reportIfEmpty: z.boolean().optional(),
    initialRecordTime: z.string().max(64).optional(),
  })
  .strict();
export type EpcisSubscriptionInput = z.infer<typeof EpcisSubscriptionInput>;

/** The binding's 400 for subscription controls it cannot honour (EPCIS: SubscriptionControlsException). */
const controls = (detail: string, path: string, message: string) =>
  new HttpProblem(400, "epcis-subscription-controls", "Bad request", detail, [{ path, message }]);

/** What a valid body asks for, checked as the binding says; 400 naming the field otherwise. */
export interface SubscriptionControls {
  dest: string;
  signatureToken: string | null;
  stream: boolean;
  schedule: QuerySchedule | null;
  reportIfEmpty: boolean;
  initialRecordTime: string | null;
}

export function subscriptionControls(raw: unknown, allowPrivate: boolean): SubscriptionControls {
  const parsed = EpcisSubscriptionInput.safeParse(raw);
  if (!parsed.success)
    throw new HttpProblem(
      400,
      "epcis-subscription-controls",
      "Bad request",
      "Expected { dest, signatureToken?, initialRecordTime?, and either stream: true or schedule: {second, minute, hour, dayOfMonth, month, dayOfWeek} with reportIfEmpty? }.",
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join(".") || "body", message: i.message })),
    );
  const input = parsed.data;
  // Exactly one of the two: with neither the hub would not know when to report (the binding's rule).
  if (input.stream !== undefined && input.stream !== true)
    throw controls("stream is true when given; subscribe with a schedule otherwise.", "stream", "must be true");
  const stream = input.stream === true;
  if (stream === (input.schedule !== undefined))
    throw controls(
      "A subscription sets either stream: true or a schedule, not both and not neither.",
      stream ? "schedule" : "stream",
      "exactly one of stream and schedule",
    );
  if (stream && input.reportIfEmpty === true)
    throw controls("reportIfEmpty applies to scheduled subscriptions only: a stream reports when an event matches.", "reportIfEmpty", "only with a schedule");
  if (input.schedule) {
    try {
      if (nextQueryTime(input.schedule, new Date()) === null)
        throw new ScheduleError("schedule", "the schedule never matches a time (e.g. 31 in a month that has no 31st)");
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
      throw controls(`The schedule is not valid: ${e.message}.`, e.field === "schedule" ? "schedule" : `schedule.${e.field}`, e.message);
    }
  }
  let initialRecordTime: string | null = null;
  if (input.initialRecordTime !== undefined) {
    try {
      initialRecordTime = normaliseTimestamp(input.initialRecordTime);
    } catch {
      throw controls("initialRecordTime is an ISO 8601 date-time with a time zone.", "initialRecordTime", "expected e.g. 2024-01-31T12:00:00Z");
    }
  }
  // The hub calls https URLs; plain http only where private targets are allowed (tests, demos).
  if (!allowPrivate && !/^https:\/\//i.test(input.dest)) throw controls("dest is an https URL.", "dest", "must be an https URL");
  return {
    dest: input.dest,
    signatureToken: input.signatureToken ?? null,
    stream,
    schedule: input.schedule ?? null,
    reportIfEmpty: input.reportIfEmpty ?? false,
    initialRecordTime,
  };
}

/** The caller's named query's definition; 404 when it has none of that name. */
export async function namedQueryOf(db: Runner, provider: DbProvider, owner: string, name: string): Promise<EventQuery> {
  const [row] = await query<{ query: string }>(db, provider, `SELECT "query" FROM "EpcisNamedQuery" WHERE "owner" = $1 AND "name" = $2`, [owner, name]);
  if (!row) throw notFound();
  return parseEventQuery(JSON.parse(row.query));
}

/** A subscription as the binding shows it (AbstractQuerySubscriptionResponse; the signatureToken never). */
export const EpcisSubscriptionViewSchema = z
  .object({
    subscriptionID: z.string(),
    queryName: z.string(),
    dest: z.string(),
    createdAt: z.string(),
    stream: z.literal(true).optional(),
    schedule: ScheduleSchema.optional(),
    reportIfEmpty: z.boolean().optional(),
    initialRecordTime: z.string(),
    minRecordTime: z.string().optional().describe("Scheduled: where the next report's recordTime window starts (initialRecordTime, then the last query time)"),
    lastNotifiedAt: z.string().optional().describe("The last time dest answered a delivery 2xx"),
  })
  .strict();
export type EpcisSubscriptionView = z.infer<typeof EpcisSubscriptionViewSchema>;

async function viewOf(db: Runner, provider: DbProvider, s: EpcisSubscriptionRow): Promise<EpcisSubscriptionView> {
  // The last call the destination answered 2xx (the worker's delivery log).
  const [last] = await query<{ at: unknown }>(
    db,
    provider,
    `SELECT MAX("at") AS "at" FROM "WebhookDelivery" WHERE "subscriptionId" = $1 AND "outcome" IN ('DELIVERED', 'REDELIVERED')`,
    [s.id],
  );
  const lastNotifiedAt = asDate(last?.at);
  return {
    subscriptionID: s.id,
    queryName: s.queryName,
    dest: s.dest,
    createdAt: s.createdAt,
    ...(s.stream ? { stream: true as const } : { schedule: s.schedule ?? {}, reportIfEmpty: s.reportIfEmpty }),
    initialRecordTime: s.initialRecordTime,
    ...(!s.stream ? { minRecordTime: s.minRecordTime ?? s.initialRecordTime } : {}),
    ...(lastNotifiedAt ? { lastNotifiedAt: lastNotifiedAt.toISOString() } : {}),
  };
}

/** Live subscriptions only: one whose hub subscription is gone (deleted under /v1/subscriptions) delivers nothing. */
const LIVE = `FROM "EpcisSubscription" e JOIN "Subscription" s ON s."id" = e."id"`;

export interface EpcisSubscriptionDeps extends SubscriptionDeps {
  /** Stream subscriptions: queues the events captured from initialRecordTime until now (./subscriptions-delivery.ts). */
  backfill: (tx: TxClient, sub: EpcisSubscriptionRow) => Promise<void>;
}

/**
 * Subscribes the caller to its named query. The hub subscription comes first (the per-organisation
 * limit, the webhook URL guard), filtered to this subscription's own reports; then this row. A
 * stream starts at initialRecordTime (default: now) with the events already captured since then.
 */
export async function subscribe(deps: EpcisSubscriptionDeps, orgId: string, queryName: string, raw: unknown): Promise<EpcisSubscriptionView> {
  const { db, provider } = deps;
  const definition = await namedQueryOf(db, provider, orgId, queryName);
  const c = subscriptionControls(raw, deps.allowPrivate);
  const dest = await webhookUrl(deps, c.dest, "dest");
  const now = new Date();
  const createdAt = now.toISOString();
  const hub = await insertSubscription(deps, {
    orgId,
    recordId: null,
    recordType: null,
    kinds: [EPCIS_QUERY_RESULT],
    filter: { subscriptionId: [] }, // nothing until its id is in (below)
    url: dest,
    secret: c.signatureToken ?? generateWebhookSecret(),
    format: EPCIS_FORMAT,
    objectType: null,
    expiresAt: null,
    options: null,
  });
  const row: EpcisSubscriptionRow = {
    id: hub.id,
    orgId,
    queryName,
    query: definition,
    dest,
    signatureToken: c.signatureToken,
    stream: c.stream,
    schedule: c.schedule,
    reportIfEmpty: c.reportIfEmpty,
    initialRecordTime: c.initialRecordTime ?? createdAt,
    minRecordTime: c.stream ? null : (c.initialRecordTime ?? createdAt),
    nextRunAt: c.schedule ? nextQueryTime(c.schedule, now)!.toISOString() : null,
    createdAt,
  };
  try {
    // One transaction: a capture committed before it is in the backfill, one after it sees the stream.
    await writeTransaction(db, async (tx) => {
      // Its own reports only: every EPCIS subscription of the organisation shares the one feed.
      await execute(tx, provider, `UPDATE "Subscription" SET "filter" = $1 WHERE "id" = $2`, [JSON.stringify({ subscriptionId: [row.id] }), row.id]);
      await execute(
        tx,
        provider,
        `INSERT INTO "EpcisSubscription" ("id", "orgId", "queryName", "query", "dest", "signatureToken", "stream", "schedule", "reportIfEmpty", "initialRecordTime", "minRecordTime", "nextRunAt", "createdAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          row.id,
          orgId,
          queryName,
          JSON.stringify(definition),
          dest,
          row.signatureToken,
          row.stream ? 1 : 0,
          row.schedule ? JSON.stringify(row.schedule) : null,
          row.reportIfEmpty ? 1 : 0,
          row.initialRecordTime,
          row.minRecordTime,
          row.nextRunAt,
          createdAt,
        ],
      );
      if (row.stream) await deps.backfill(tx, row);
    });
  } catch (err) {
    await execute(db, provider, `DELETE FROM "EpcisSubscription" WHERE "id" = $1`, [row.id]);
    await deleteSubscription(deps, orgId, row.id);
    throw err;
  }
  return viewOf(db, provider, row);
}

/** The caller's subscriptions to its named query, oldest first; 404 when it has no such query. */
export async function listEpcisSubscriptions(db: Db, provider: DbProvider, orgId: string, queryName: string): Promise<EpcisSubscriptionView[]> {
  await namedQueryOf(db, provider, orgId, queryName);
  const rows = await query<Record<string, unknown>>(
    db,
    provider,
    `SELECT e.* ${LIVE} WHERE e."orgId" = $1 AND e."queryName" = $2 ORDER BY e."createdAt", e."id"`,
    [orgId, queryName],
  );
  return Promise.all(rows.map((r) => viewOf(db, provider, epcisSubscriptionOf(r))));
}

/** One of the caller's subscriptions; another organisation's is the same 404 as one that does not exist. */
export async function ownEpcisSubscription(db: Runner, provider: DbProvider, orgId: string, queryName: string, id: string): Promise<EpcisSubscriptionRow> {
  const [row] = await query<Record<string, unknown>>(db, provider, `SELECT e.* ${LIVE} WHERE e."id" = $1 AND e."orgId" = $2 AND e."queryName" = $3`, [
    id,
    orgId,
    queryName,
  ]);
  if (!row) throw notFound();
  return epcisSubscriptionOf(row);
}

export async function epcisSubscriptionView(db: Db, provider: DbProvider, orgId: string, queryName: string, id: string): Promise<EpcisSubscriptionView> {
  return viewOf(db, provider, await ownEpcisSubscription(db, provider, orgId, queryName, id));
}

/** Unsubscribes: the hub subscription first (no delivery after this), then the reports stop. */
export async function unsubscribe(deps: SubscriptionDeps, orgId: string, queryName: string, id: string): Promise<void> {
  const sub = await ownEpcisSubscription(deps.db, deps.provider, orgId, queryName, id);
  await deleteSubscription(deps, orgId, sub.id);
  await execute(deps.db, deps.provider, `DELETE FROM "EpcisSubscription" WHERE "id" = $1`, [sub.id]);
}

/** Every subscription to a named query being deleted (the binding: deleting a query unsubscribes all). */
export async function unsubscribeQuery(deps: SubscriptionDeps, owner: string, queryName: string): Promise<void> {
  const rows = await query<{ id: string }>(deps.db, deps.provider, `SELECT "id" FROM "EpcisSubscription" WHERE "orgId" = $1 AND "queryName" = $2`, [
    owner,
    queryName,
  ]);
  for (const { id } of rows) {
    await deleteSubscription(deps, owner, id).catch((err: unknown) => {
      if (!(err instanceof HttpProblem && err.status === 404)) throw err; // already gone under /v1/subscriptions
    });
    await execute(deps.db, deps.provider, `DELETE FROM "EpcisSubscription" WHERE "id" = $1`, [id]);
  }
}
