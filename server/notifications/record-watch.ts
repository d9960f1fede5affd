import { canonicalJson } from "../../sdk/canonical";
import type { SignedRecord } from "../../sdk/envelope";
import type { AccessLogWriter } from "../access-log/writer";
import { chunks, placeholders, query } from "../db/sql";
import { readableIds } from "../records/access";
import type { PublishContext, RecordObserver } from "../records/observers";
import { notify, type NotificationDraft } from "./service";
import type { WatchCache } from "./subscriptions";

export const RECORD_UPDATED = "RECORD_UPDATED";

/** Top-level fields whose values differ between two bodies (all of them for a first version). */
export function changedFields(before: Record<string, unknown> | undefined, after: Record<string, unknown>): string[] {
  if (!before) return Object.keys(after).sort();
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => canonicalJson(before[k] ?? null) !== canonicalJson(after[k] ?? null) || k in before !== k in after).sort();
}

/**
 * The record watch: when versions are stored, tells every organisation subscribed to the record or
 * its type, and allowed to read it, except the publisher (kind RECORD_UPDATED, detail {type,
 * version, changed}), through `notify` so it is access-logged and committed with the records.
 * Cheap when nobody watches: a cached "any watches?" answer, else one indexed query per publication.
 */
export class RecordWatch implements RecordObserver {
  constructor(
    private readonly accessLog: AccessLogWriter,
    private readonly watches: WatchCache,
  ) {}

  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const { tx, provider } = ctx;
    if (records.length === 0 || !(await this.watches.any(tx, provider))) return;
    const ids = [...new Set(records.map((r) => r.id))];
    const types = [...new Set(records.map((r) => r.type))];
    const subs: { orgId: string; recordId: string | null; recordType: string | null; kinds: string | null }[] = [];
    for (const part of chunks(ids, 2000)) {
      subs.push(
        ...(await query<(typeof subs)[number]>(
          tx,
          provider,
          `SELECT "orgId", "recordId", "recordType", "kinds" FROM "Subscription"
            WHERE ("recordId" IN (${placeholders(2, part.length)}) OR "recordType" IN (${placeholders(2 + part.length, types.length)})) AND "orgId" <> $1`,
          [ctx.publisher.orgId, ...part, ...types],
        )),
      );
    }
    const wanted = subs.filter((s) => !s.kinds || (JSON.parse(s.kinds) as string[]).includes(RECORD_UPDATED));
    if (wanted.length === 0) return;

    // Who may read which of these records now (the access rule: grants, linked grants, ...).
    const orgs = [...new Set(wanted.map((s) => s.orgId))];
    const readable = new Set<string>();
    for (const org of orgs) for (const id of await readableIds(tx, org, ids)) readable.add(`${id}\u0000${org}`);

    if (readable.size === 0) return;
    const drafts: NotificationDraft[] = [];
    const previous = await previousBodies(records, ctx);
    for (const r of records) {
      const told = new Set<string>();
      for (const s of wanted) {
        if (s.recordId !== r.id && s.recordType !== r.type) continue;
        if (told.has(s.orgId) || !readable.has(`${r.id}\u0000${s.orgId}`)) continue;
        told.add(s.orgId);
        drafts.push({
          orgId: s.orgId,
          kind: RECORD_UPDATED,
          recordId: r.id,
          version: r.version,
          owner: r.owner,
          detail: { type: r.type, version: r.version, changed: changedFields(previous.get(`${r.id}@${r.version - 1}`), r.body as Record<string, unknown>) },
        });
      }
    }
    await notify(tx, provider, this.accessLog, drafts);
  }
}

/**
 * The bodies of the versions before the stored ones, by "id@version": from this publication, else
 * from the database (one query).
 */
export async function previousBodies(
  records: readonly SignedRecord[],
  ctx: Pick<PublishContext, "tx" | "provider">,
): Promise<Map<string, Record<string, unknown>>> {
  const bodies = new Map(records.map((r) => [`${r.id}@${r.version}`, r.body as Record<string, unknown>]));
  const missing = records.filter((r) => r.version > 1 && !bodies.has(`${r.id}@${r.version - 1}`)).map((r) => `${r.id}@${r.version - 1}`);
  for (const part of chunks(missing, 2000)) {
    const rows = await query<{ id: string; body: string }>(
      ctx.tx,
      ctx.provider,
      `SELECT "id", "body" FROM "RecordVersion" WHERE "id" IN (${placeholders(1, part.length)})`,
      part,
    );
    for (const row of rows) bodies.set(row.id, JSON.parse(row.body) as Record<string, unknown>);
  }
  return bodies;
}
