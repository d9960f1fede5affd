import { randomUUID } from "node:crypto";
import type { Db, DbProvider } from "../db/client";
import { asDate, execute, query } from "../db/sql";
import { RepeatingTask } from "../repeating-task";
import { postWebhook, type PostResult } from "./post";
import { notificationSignal } from "./service";
import { signedHeaders } from "./signature";
import { deliveryIdOf, feedAfter, matches, mayReadNow, subscriptionOf, type FeedItem, type SubscriptionRow } from "./subscriptions";

export interface WebhookOptions {
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
  allowPrivate: boolean;
  /** The slow poll for notifications added by other hub instances. */
  pollMs: number;
  /** Subscriptions served at once per pass. */
  batchSize: number;
  instanceId: string;
  log?: (line: string) => void;
  /** Webhook bodies by subscription format (SubscriptionRow.format); the hub's JSON when absent. */
  formats?: Readonly<Record<string, WebhookFormat>>;
}

/** The body of one webhook call for a subscription of some format, its media type, and headers of the format's own (e.g. a signature). */
export type WebhookFormat = (sub: SubscriptionRow, n: FeedItem) => Promise<{ contentType: string; body: string; headers?: Record<string, string> }>;

const MAX_BACKOFF_MS = 10 * 60_000;
const PAGE = 100;

/** Exponential backoff with jitter: base * 2^(attempt-1), capped, then between half and all of it. */
export function backoffMs(attempt: number, baseMs: number, random = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(30, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The JSON body of one webhook call. */
export function webhookBody(subscriptionId: string, n: FeedItem): string {
  return JSON.stringify({
    id: n.seq,
    kind: n.kind,
    recordId: n.recordId,
    version: n.version,
    detail: n.detail,
    createdAt: n.createdAt.toISOString(),
    subscriptionId,
  });
}

/**
 * Delivers each webhook subscription's notifications in seq order, one at a time per subscription,
 * so that order per record holds among delivered ones. A pass claims subscriptions with pending
 * notifications and no retry waiting (a lease, like the customs matcher's cases: several instances
 * never send for the same subscription at once), then walks each one's feed from its cursor: a
 * notification it does not match, or whose record it may no longer read, is passed over; a failed
 * call is retried with backoff up to maxAttempts, then dead-lettered and the cursor moves on.
 */
export class WebhookWorker {
  private readonly task: RepeatingTask<void>;
  private readonly leaseMs: number;
  private wake: (() => void) | undefined;
  private woken = false;
  private readonly abort = new AbortController();
  private readonly onSignal = () => {
    this.woken = true;
    this.wake?.();
  };

  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
    private readonly opts: WebhookOptions,
  ) {
    // Long enough for a pass over one subscription (it stops at half the lease).
    this.leaseMs = Math.max(30_000, opts.timeoutMs * 4);
    // Each pass waits for a signal, the next retry due or the slow poll, then delivers.
    this.task = new RepeatingTask(
      async () => {
        await this.idle(await this.untilNextRetry());
        await this.tick();
      },
      () => 0,
      (err) => {
        this.log(`delivery pass failed: ${err.message}`);
        this.woken = false;
      },
    );
  }

  start(): void {
    notificationSignal.on("added", this.onSignal);
    this.woken = true;
    this.task.start();
  }

  async stop(): Promise<void> {
    notificationSignal.off("added", this.onSignal);
    const stopped = this.task.stop();
    this.abort.abort();
    this.wake?.();
    await stopped;
  }

  private log(line: string) {
    this.opts.log?.(`[webhooks ${this.opts.instanceId}] ${line}`);
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private idle(ms: number): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).then(() => {
      this.wake = undefined;
      this.woken = false;
    });
  }

  /** Time until the earliest retry due (capped by the poll interval). */
  private async untilNextRetry(): Promise<number> {
    const [row] = await query<{ at: unknown }>(
      this.db,
      this.provider,
      `SELECT MIN("nextAttemptAt") AS "at" FROM "Subscription" WHERE "url" IS NOT NULL AND "nextAttemptAt" > $1`,
      [new Date()],
    );
    const at = asDate(row?.at);
    const wait = at ? at.getTime() - Date.now() : this.opts.pollMs;
    return Math.max(0, Math.min(this.opts.pollMs, wait));
  }

  /** One pass: claim due subscriptions and deliver what is pending for each. Returns how many were served. */
  async tick(): Promise<number> {
    const claimed = await this.claim(new Date());
    await Promise.all(claimed.map((s) => this.serve(s).catch((err: Error) => this.log(`subscription ${s.id}: ${err.message}`))));
    return claimed.length;
  }

  private async claim(now: Date): Promise<SubscriptionRow[]> {
    const free = `("leaseUntil" IS NULL OR "leaseUntil" <= $1)`;
    const skip = this.provider === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
    const rows = await query<Record<string, unknown>>(
      this.db,
      this.provider,
      `UPDATE "Subscription" SET "leaseUntil" = $2, "leaseOwner" = $3
        WHERE "id" IN (SELECT s."id" FROM "Subscription" s
                        WHERE s."url" IS NOT NULL AND (s."nextAttemptAt" IS NULL OR s."nextAttemptAt" <= $1) AND ${free.replace(/"leaseUntil"/g, 's."leaseUntil"')}
                          AND EXISTS (SELECT 1 FROM "Notification" n WHERE n."orgId" = s."orgId" AND n."seq" > s."cursor")
                        ORDER BY s."nextAttemptAt", s."id" LIMIT ${this.opts.batchSize}${skip})
          AND ${free}
        RETURNING *`,
      [now, new Date(now.getTime() + this.leaseMs), this.opts.instanceId],
    );
    return rows.map(subscriptionOf);
  }

  /** Saves progress under the lease (renewing it); false when the lease was lost or the subscription deleted. */
  private async save(sub: SubscriptionRow, cursor: number, attempts: number, nextAttemptAt: Date | null, release: boolean): Promise<boolean> {
    const n = await execute(
      this.db,
      this.provider,
      `UPDATE "Subscription" SET "cursor" = $1, "attempts" = $2, "nextAttemptAt" = $3, "leaseUntil" = $4, "leaseOwner" = $5
        WHERE "id" = $6 AND "leaseOwner" = $7`,
      [
        cursor,
        attempts,
        nextAttemptAt,
        release ? null : new Date(Date.now() + this.leaseMs),
        release ? null : this.opts.instanceId,
        sub.id,
        this.opts.instanceId,
      ],
    );
    return n > 0;
  }

  private async serve(sub: SubscriptionRow): Promise<void> {
    let cursor = sub.cursor;
    let attempts = sub.attempts;
    const budgetEnds = Date.now() + this.leaseMs / 2;
    for (;;) {
      if (this.stopping || Date.now() > budgetEnds) break;
      const page = await feedAfter(this.db, this.provider, sub.orgId, cursor, PAGE);
      if (page.length === 0) break;
      for (const n of page) {
        if (this.stopping) break;
        // Not asked for, or about a record the subscriber may no longer read: passed over.
        if (!matches(sub, n) || !(await mayReadNow(this.db, sub, n))) {
          cursor = n.seq;
          continue;
        }
        const attempt = attempts + 1;
        const result = await this.send(sub, n);
        if (this.stopping && !result.ok) break; // cut short by the hub stopping: not an attempt
        const dead = !result.ok && attempt >= this.opts.maxAttempts;
        await this.logAttempt(sub.id, n.seq, attempt, result, result.ok ? "DELIVERED" : dead ? "DEAD_LETTERED" : "FAILED");
        if (!result.ok && !dead) {
          const retryAt = new Date(Date.now() + backoffMs(attempt, this.opts.retryBaseMs));
          await this.save(sub, cursor, attempt, retryAt, true);
          return;
        }
        if (dead) await this.deadLetter(sub.id, n.seq, attempt, result.error ?? "failed");
        cursor = n.seq;
        attempts = 0;
        if (!(await this.save(sub, cursor, 0, null, false))) return;
      }
      if (!(await this.save(sub, cursor, attempts, null, false))) return;
    }
    await this.save(sub, cursor, attempts, null, true);
  }

  private async send(sub: SubscriptionRow, n: FeedItem): Promise<PostResult> {
    const format = sub.format ? this.opts.formats?.[sub.format] : undefined;
    const { body, contentType, headers: own } = format ? await format(sub, n) : { body: webhookBody(sub.id, n), contentType: "application/json", headers: {} };
    const headers = { ...signedHeaders(sub.secret!, deliveryIdOf(sub.id, n.seq), body), ...own, "content-type": contentType };
    return postWebhook(sub.url!, headers, body, { timeoutMs: this.opts.timeoutMs, allowPrivate: this.opts.allowPrivate, signal: this.abort.signal });
  }

  private logAttempt(subscriptionId: string, seq: number, attempt: number, r: PostResult, outcome: string): Promise<number> {
    return execute(
      this.db,
      this.provider,
      `INSERT INTO "WebhookDelivery" ("subscriptionId", "notificationSeq", "attempt", "at", "statusCode", "error", "durationMs", "outcome")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [subscriptionId, seq, attempt, new Date(), r.statusCode ?? null, r.error?.slice(0, 500) ?? null, r.durationMs, outcome],
    );
  }

  private deadLetter(subscriptionId: string, seq: number, attempts: number, lastError: string): Promise<number> {
    return execute(
      this.db,
      this.provider,
      `INSERT INTO "WebhookDeadLetter" ("id", "subscriptionId", "notificationSeq", "attempts", "lastError", "createdAt") VALUES ($1, $2, $3, $4, $5, $6)`,
      [randomUUID(), subscriptionId, seq, attempts, lastError.slice(0, 500), new Date()],
    );
  }

  /**
   * Sends a dead letter once more, now (POST .../redeliver): logged like any attempt; on success the
   * dead letter is marked delivered. Its order relative to later notifications is not kept.
   */
  async redeliver(sub: SubscriptionRow, deadLetterId: string, item: FeedItem, attempts: number): Promise<PostResult> {
    if (!sub.url || !sub.secret) return { ok: false, error: "the subscription has no webhook", durationMs: 0 };
    if (!(await mayReadNow(this.db, sub, item))) return { ok: false, error: "no longer readable", durationMs: 0 };
    const result = await this.send(sub, item);
    await this.logAttempt(sub.id, item.seq, attempts + 1, result, result.ok ? "REDELIVERED" : "REDELIVERY_FAILED");
    await execute(
      this.db,
      this.provider,
      result.ok
        ? `UPDATE "WebhookDeadLetter" SET "deliveredAt" = $1, "attempts" = "attempts" + 1 WHERE "id" = $2`
        : `UPDATE "WebhookDeadLetter" SET "lastError" = $1, "attempts" = "attempts" + 1 WHERE "id" = $2`,
      [result.ok ? new Date() : (result.error ?? "failed").slice(0, 500), deadLetterId],
    );
    return result;
  }
}
