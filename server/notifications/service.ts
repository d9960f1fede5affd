import { EventEmitter } from "node:events";
import type { AccessLogWriter } from "../access-log/writer";
import type { Db, DbProvider, TxClient } from "../db/client";
import { insertRows } from "../db/bulk-insert";

export interface NotificationDraft {
  /** The organisation told. */
  orgId: string;
  /** What happened, e.g. CUSTOMS_DECISION. */
  kind: string;
  recordId?: string;
  version?: number;
  /** The owner of the record it is about (for the access log). */
  owner?: string;
  detail?: Record<string, unknown>;
}

/**
 * Adds notifications to organisations' feeds inside the caller's transaction, and logs each one in
 * the access log: a notification hands data to its recipient.
 */
export async function notify(tx: TxClient, provider: DbProvider, log: AccessLogWriter, drafts: readonly NotificationDraft[]): Promise<void> {
  if (drafts.length === 0) return;
  const now = new Date();
  await insertRows(
    tx,
    provider,
    "Notification",
    ["orgId", "kind", "recordId", "version", "detail", "createdAt"],
    drafts.map((d) => [d.orgId, d.kind, d.recordId ?? null, d.version ?? null, d.detail ? JSON.stringify(d.detail) : null, now]),
  );
  await log.appendIn(
    tx,
    drafts.map((d) => ({
      at: now.toISOString(),
      actor: d.orgId,
      action: "NOTIFY" as const,
      recordId: d.recordId ?? null,
      version: d.version ?? null,
      owner: d.owner ?? null,
      detail: d.kind,
    })),
  );
  announce();
}

/**
 * Tells this process's listeners (SSE streams, the webhook worker) that notifications were added
 * ("added"), and the other hub processes ("announced": fan-out.ts NOTIFYs them on PostgreSQL).
 * `notify` runs inside a transaction not yet committed, so the signal fires shortly after it and once
 * more later; a listener also polls slowly, for what a missed signal left behind.
 */
export const notificationSignal = new EventEmitter().setMaxListeners(0);
const SIGNAL_DELAYS_MS = [30, 400];

function announce(): void {
  for (const ms of SIGNAL_DELAYS_MS)
    setTimeout(() => {
      notificationSignal.emit("added");
      notificationSignal.emit("announced");
    }, ms).unref();
}

/** An organisation's notifications after `after` (a seq), oldest first. */
export async function listNotifications(db: Db, orgId: string, after: number, limit: number) {
  const rows = await db.notification.findMany({ where: { orgId, seq: { gt: after } }, orderBy: { seq: "asc" }, take: limit });
  return rows.map((n) => ({
    seq: n.seq,
    kind: n.kind,
    ...(n.recordId ? { recordId: n.recordId } : {}),
    ...(n.version !== null ? { version: n.version } : {}),
    ...(n.detail ? { detail: JSON.parse(n.detail) as Record<string, unknown> } : {}),
    createdAt: n.createdAt.toISOString(),
  }));
}
