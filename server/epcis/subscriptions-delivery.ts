import { createHmac } from "node:crypto";
import { z } from "zod";
import type { SignedRecord } from "../../sdk/envelope";
import type { AccessLogWriter } from "../access-log/writer";
import { writeTransaction, type Db, type DbProvider, type TxClient } from "../db/client";
import { chunks, placeholders, query, execute, type Runner } from "../db/sql";
import { HttpProblem } from "../http/problem";
import { notify } from "../notifications/service";
import type { WebhookFormat } from "../notifications/webhook-worker";
import type { PublishContext, RecordObserver } from "../records/observers";
import { RepeatingTask } from "../repeating-task";
import { MAX_PER_PAGE, findEvents, type EventQuery, type EventSelector, type MasterDataSource } from "./query";
import { loadEvents, queryDocument } from "./render";
import { EPCIS_QUERY_RESULT, epcisSubscriptionOf, type EpcisSubscriptionRow } from "./subscriptions";
import { nextQueryTime } from "./subscriptions-schedule";
import { readLine } from "../access-log/logged";

/**
 * How EPCIS subscriptions report. A report is an EPCIS_QUERY_RESULT entry in the subscriber's feed
 * naming the events of one EPCISQueryDocument (at most REPORT_EVENTS; more make several reports),
 * written in one transaction with what it reports on: a stream's in the capture's own transaction
 * (EpcisStreamWatch), a schedule's when its query time has come (EpcisReports). The webhook worker
 * then delivers each report once (at least once on the wire: the same document, under the same
 * Cargoproof-Delivery id, until the destination answers 2xx), in feed order. Which events a report
 * names is decided by findEvents as the subscriber, the rule of GET /events; each is a READ of its
 * record in the access log when the report is made, and it is sent only while still visible.
 */

/** Events per EPCISQueryDocument: the binding asks for "manageable batches". */
export const REPORT_EVENTS = 100;

/** The header the binding names for the signature of a delivery. */
export const GS1_SIGNATURE = "GS1-Signature";

/**
 * The GS1-Signature of a delivery: HMAC-SHA256 of the exact body bytes, keyed with the subscriber's
 * signatureToken (UTF-8), in base64 (the binding's "HMAC with SHA-256 directly").
 */
export const gs1Signature = (signatureToken: string, body: string): string => createHmac("sha256", signatureToken).update(body, "utf8").digest("base64");

/** The query narrowed to recordTime in [from, to); null when that leaves nothing. */
function within(q: EventQuery, from: string | undefined, to: string | undefined): EventQuery | null {
  const ge = [q.GE_recordTime, from]
    .filter((t): t is string => t !== undefined)
    .sort()
    .pop();
  const lt = [q.LT_recordTime, to].filter((t): t is string => t !== undefined).sort()[0];
  if (ge !== undefined && lt !== undefined && ge >= lt) return null;
  return { ...q, ...(ge !== undefined ? { GE_recordTime: ge } : {}), ...(lt !== undefined ? { LT_recordTime: lt } : {}) };
}

/**
 * The records the subscriber may see that its query matches, among `selector`, recordTime in
 * [from, to); oldest first. findEvents with the master data GET /events counts (WD_, HASATTR_,
 * EQATTR_): a subscription selects what the same query would.
 */
async function matching(
  db: Runner,
  provider: DbProvider,
  masterData: MasterDataSource | undefined,
  sub: EpcisSubscriptionRow,
  selector: EventSelector,
  from?: string,
  to?: string,
): Promise<string[]> {
  const q = within(sub.query, from, to);
  if (q === null) return [];
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await findEvents(db, provider, sub.orgId, selector, q, MAX_PER_PAGE, token, masterData);
    out.push(...page.recordIds.map((r) => r.recordId));
    token = page.nextPageToken;
  } while (token !== undefined);
  return out;
}

/** Writes the reports of these events (an empty one when `ifEmpty`), with a READ line per event. */
async function queueReports(
  tx: TxClient,
  provider: DbProvider,
  log: AccessLogWriter,
  sub: EpcisSubscriptionRow,
  recordIds: readonly string[],
  ifEmpty: boolean,
): Promise<void> {
  const batches = chunks(recordIds, REPORT_EVENTS);
  if (batches.length === 0 && !ifEmpty) return;
  if (batches.length === 0) batches.push([]);
  await notify(
    tx,
    provider,
    log,
    batches.map((events) => ({ orgId: sub.orgId, kind: EPCIS_QUERY_RESULT, detail: { subscriptionId: sub.id, queryName: sub.queryName, events } })),
  );
  const at = new Date().toISOString();
  for (const part of chunks(recordIds)) {
    const rows = await query<{ recordId: string; attester: string }>(
      tx,
      provider,
      `SELECT "recordId", COALESCE("capturedBy", "owner") AS "attester" FROM "EpcisEvent" WHERE "recordId" IN (${placeholders(1, part.length)})`,
      part,
    );
    const attester = new Map(rows.map((r) => [r.recordId, r.attester]));
    await log.appendIn(
      tx,
      part.map((recordId) => readLine(sub.orgId, { id: recordId, version: 1, owner: attester.get(recordId) ?? null }, `epcis subscription ${sub.id}`, at)),
    );
  }
}

/** Live subscriptions (their hub subscription exists) matching `where`. */
async function liveSubscriptions(db: Runner, provider: DbProvider, where: string, params: (string | number)[], limit = 1000): Promise<EpcisSubscriptionRow[]> {
  const rows = await query<Record<string, unknown>>(
    db,
    provider,
    `SELECT e.* FROM "EpcisSubscription" e JOIN "Subscription" s ON s."id" = e."id" WHERE ${where} ORDER BY e."nextRunAt", e."id" LIMIT ${limit}`,
    params,
  );
  return rows.map(epcisSubscriptionOf);
}

/** A new stream's start: the events captured from its initialRecordTime until now, in the subscribing transaction. */
export function streamBackfill(provider: DbProvider, log: AccessLogWriter, masterData: MasterDataSource) {
  return async (tx: TxClient, sub: EpcisSubscriptionRow): Promise<void> => {
    await queueReports(tx, provider, log, sub, await matching(tx, provider, masterData, sub, {}, sub.initialRecordTime), false);
  };
}

/**
 * Stream subscriptions: when EPCIS events are stored, every stream whose query matches them (as its
 * subscriber sees them, recordTime from its initialRecordTime on) gets them in a report, written in
 * the same transaction: an event is reported once, by the capture that stored it.
 */
export class EpcisStreamWatch implements RecordObserver {
  constructor(
    private readonly log: AccessLogWriter,
    private readonly masterData: MasterDataSource,
  ) {}

  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const ids = records.filter((r) => r.type === "EpcisEvent").map((r) => r.id);
    if (ids.length === 0) return;
    const { tx, provider } = ctx;
    for (const sub of await liveSubscriptions(tx, provider, `e."stream" = 1`, [], 100_000)) {
      const matched: string[] = [];
      try {
        for (const part of chunks(ids, 1000)) matched.push(...(await matching(tx, provider, this.masterData, sub, { recordIds: part }, sub.initialRecordTime)));
      } catch (err) {
        // A subscriber's query the hub refuses to run (too complex, maxEventCount) refuses no one's capture.
        if (err instanceof HttpProblem) continue;
        throw err;
      }
      await queueReports(tx, provider, this.log, sub, matched, false);
    }
  }
}

export interface EpcisReportOptions {
  /** The longest pause between passes. */
  pollMs: number;
  /**
   * A query time's report is made this long after it, so that captures whose recordTime is before
   * it (set when their transaction began) have committed.
   */
  settleMs: number;
  /** The master data the subscribers' queries count (WD_, HASATTR_, EQATTR_); without it none does. */
  masterData?: MasterDataSource;
  log?: (line: string) => void;
}

/**
 * Scheduled subscriptions: at each query time T a report of the events with recordTime in
 * [minRecordTime, T) (an empty one with reportIfEmpty), then minRecordTime = T. Claimed by moving
 * nextRunAt on, in the report's transaction: of several hub instances exactly one makes each report.
 * Query times missed while no hub ran are not made up one by one: the next report covers them.
 */
export class EpcisReports {
  private readonly task: RepeatingTask<number>;

  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
    private readonly accessLog: AccessLogWriter,
    private readonly opts: EpcisReportOptions,
  ) {
    this.task = new RepeatingTask(
      () => this.tick(),
      (wait) => wait ?? opts.pollMs,
      (err) => opts.log?.(`[epcis reports] pass failed: ${err.message}`),
    );
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** Makes the reports due; returns how long to wait for the next one. */
  async tick(): Promise<number> {
    const cutoff = new Date(Date.now() - this.opts.settleMs).toISOString();
    for (const sub of await liveSubscriptions(this.db, this.provider, `e."stream" = 0 AND e."nextRunAt" <= $1`, [cutoff], 50))
      await this.report(sub).catch((err: Error) => this.opts.log?.(`[epcis reports] subscription ${sub.id}: ${err.message}`));
    const [next] = await query<{ at: string | null }>(this.db, this.provider, `SELECT MIN("nextRunAt") AS "at" FROM "EpcisSubscription" WHERE "stream" = 0`);
    if (!next?.at) return this.opts.pollMs;
    return Math.max(20, Math.min(this.opts.pollMs, Date.parse(next.at) + this.opts.settleMs - Date.now()));
  }

  private async report(sub: EpcisSubscriptionRow): Promise<void> {
    const at = sub.nextRunAt!;
    const from = sub.minRecordTime ?? sub.initialRecordTime;
    const after = new Date(Math.max(Date.parse(at), Date.now() - this.opts.settleMs));
    const next = sub.schedule ? nextQueryTime(sub.schedule, after) : null;
    await writeTransaction(this.db, async (tx) => {
      const claimed = await execute(
        tx,
        this.provider,
        `UPDATE "EpcisSubscription" SET "minRecordTime" = $1, "nextRunAt" = $2 WHERE "id" = $3 AND "nextRunAt" = $4`,
        [at, next?.toISOString() ?? null, sub.id, at],
      );
      if (claimed === 0) return; // another instance made it
      let events: string[];
      try {
        events = await matching(tx, this.provider, this.opts.masterData, sub, {}, from, at);
      } catch (err) {
        // A query the hub refuses to run (too complex, maxEventCount): this window is passed over, said once.
        if (!(err instanceof HttpProblem)) throw err;
        this.opts.log?.(`[epcis reports] subscription ${sub.id}: the window up to ${at} is not reported: ${err.message}`);
        return;
      }
      await queueReports(tx, this.provider, this.accessLog, sub, events, sub.reportIfEmpty);
    });
  }
}

const ReportDetail = z.object({ subscriptionId: z.string(), queryName: z.string(), events: z.array(z.string()) });

/**
 * The webhook body of a report (WebhookWorker `formats.epcis`): an EPCISQueryDocument of its events
 * still visible to the subscriber, under the query's name and the subscriptionID, created when the
 * report was made (a retry sends the same bytes), signed with GS1-Signature when the subscriber gave
 * a signatureToken.
 */
export function epcisWebhookFormat(db: Db, provider: DbProvider): WebhookFormat {
  return async (sub, n) => {
    const detail = ReportDetail.parse(n.detail);
    const [row] = await query<{ signatureToken: string | null }>(db, provider, `SELECT "signatureToken" FROM "EpcisSubscription" WHERE "id" = $1`, [sub.id]);
    if (!row) throw new Error(`EPCIS subscription ${sub.id} was unsubscribed`);
    const page = await findEvents(db, provider, sub.orgId, { recordIds: detail.events }, {}, MAX_PER_PAGE);
    const document = queryDocument(await loadEvents(db, page.recordIds), detail.queryName);
    const { queryName, ...results } = (document.epcisBody as { queryResults: Record<string, unknown> }).queryResults;
    const body = JSON.stringify({
      ...document,
      creationDate: n.createdAt.toISOString(),
      epcisBody: { queryResults: { queryName, subscriptionID: sub.id, ...results } },
    });
    const headers: Record<string, string> = row.signatureToken ? { [GS1_SIGNATURE]: gs1Signature(row.signatureToken, body) } : {};
    return { contentType: "application/json", body, headers };
  };
}
