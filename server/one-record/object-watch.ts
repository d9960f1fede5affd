/**
 * The ONE Record object watch, a RecordObserver: when logistics objects and events are stored, tells
 * the parties subscribed to them (through notify, so it commits with the records and is access-logged):
 * - LOGISTICS_OBJECT_CREATED for revision 1 of an object, LOGISTICS_OBJECT_UPDATED for a later one
 *   with the properties that changed (IRIs);
 * - LOGISTICS_EVENT_RECEIVED for an event, to the subscribers of the object it is for, with its code.
 * A party is told only when a subscription of its own asks for that event type on that object (or
 * its class) and its filters pass, when it may read the object at that moment, and never about its
 * own writes; once per object and event type however many of its subscriptions match (each
 * subscription then delivers what it matches).
 */
import type { SignedRecord } from "../../sdk/envelope";
import { cargoIri } from "../../sdk/one-record/vocabulary";
import { BODY_FIELDS } from "../../sdk/one-record/jsonld";
import { speakerOf } from "../../sdk/provenance/attesters";
import type { AccessLogWriter } from "../access-log/writer";
import { chunks, placeholders, query } from "../db/sql";
import { changedFields, previousBodies } from "../notifications/record-watch";
import { notify, type NotificationDraft } from "../notifications/service";
import { matches, subscriptionOf, type SubscriptionRow, type WatchCache } from "../notifications/subscriptions";
import { holdersOf, readableIds } from "../records/access";
import type { PublishContext, RecordObserver } from "../records/observers";
import { eventCodeOf, eventObjectId } from "./events";
import { LOGISTICS_EVENT } from "../records/links";
import type { OneRecordIris } from "./iris";

export const LOGISTICS_OBJECT_CREATED = "LOGISTICS_OBJECT_CREATED";
export const LOGISTICS_OBJECT_UPDATED = "LOGISTICS_OBJECT_UPDATED";
export const LOGISTICS_EVENT_RECEIVED = "LOGISTICS_EVENT_RECEIVED";
const OBJECT_KINDS = [LOGISTICS_OBJECT_CREATED, LOGISTICS_OBJECT_UPDATED, LOGISTICS_EVENT_RECEIVED];

/** Body fields that are no cargo property. */
const NOT_PROPERTIES = new Set(BODY_FIELDS);

/** Something that happened to an object, before knowing who is told. */
interface Happening {
  kind: string;
  objectId: string;
  /** The object's revision (none for an event). */
  version: number | null;
  /** The object's data holder (for the access log). */
  owner: string;
  detail: Record<string, unknown> & { objectType: string };
}

export class ObjectWatch implements RecordObserver {
  constructor(
    private readonly accessLog: AccessLogWriter,
    private readonly watches: WatchCache,
    private readonly iris: OneRecordIris,
  ) {}

  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const objects = records.filter((r) => r.type === "LogisticsObject");
    if (objects.length === 0 || !(await this.watches.any(ctx.tx, ctx.provider))) return;
    const happenings = await this.happenings(objects, ctx);
    if (happenings.length === 0) return;

    // Nobody hears of its own writes: the publisher, or the organisation the hub attested them for
    // (one publication is one party's: the hub attests for one organisation at a time).
    const writer = speakerOf(objects[0]!);
    const ids = [...new Set(happenings.map((h) => h.objectId))];
    const types = [...new Set(happenings.map((h) => h.detail.objectType))];
    const subs: SubscriptionRow[] = [];
    for (const part of chunks(ids, 2000)) {
      const rows = await query<Record<string, unknown>>(
        ctx.tx,
        ctx.provider,
        `SELECT * FROM "Subscription"
          WHERE ("recordId" IN (${placeholders(2, part.length)}) OR "objectType" IN (${placeholders(2 + part.length, types.length)}) OR "recordType" = 'LogisticsObject')
            AND "orgId" <> $1 AND "kinds" IS NOT NULL`,
        [writer, ...part, ...types],
      );
      subs.push(...rows.map(subscriptionOf).filter((s) => s.kinds!.some((k) => OBJECT_KINDS.includes(k))));
    }
    if (subs.length === 0) return;

    // Who asks for what (once per party, however many of its subscriptions match), then who may read it now.
    const wanted = new Map<string, Set<Happening>>();
    for (const h of happenings) {
      const item = { kind: h.kind, recordId: h.objectId, detail: h.detail, createdAt: ctx.now, recordType: "LogisticsObject" };
      for (const s of subs) if (matches(s, item)) wanted.set(s.orgId, (wanted.get(s.orgId) ?? new Set()).add(h));
    }
    const drafts: NotificationDraft[] = [];
    for (const [orgId, asked] of wanted) {
      const readable = await readableIds(ctx.tx, orgId, [...new Set([...asked].map((h) => h.objectId))]);
      for (const h of asked) {
        if (!readable.has(h.objectId)) continue;
        drafts.push({ orgId, kind: h.kind, recordId: h.objectId, ...(h.version !== null ? { version: h.version } : {}), owner: h.owner, detail: h.detail });
      }
    }
    await notify(ctx.tx, ctx.provider, this.accessLog, drafts);
  }

  /** What the stored versions mean in ONE Record terms: objects created or updated, events received. */
  private async happenings(objects: readonly SignedRecord[], ctx: PublishContext): Promise<Happening[]> {
    const out: Happening[] = [];
    const previous = objects.some((r) => r.version > 1) ? await previousBodies(objects, ctx) : new Map<string, Record<string, unknown>>();
    const eventTargets: { event: SignedRecord; objectId: string }[] = [];
    for (const r of objects) {
      const objectType = String(r.body.objectType);
      if (objectType === LOGISTICS_EVENT) {
        const objectId = r.version === 1 ? eventObjectId(r.body, this.iris) : undefined;
        if (objectId) eventTargets.push({ event: r, objectId });
        continue;
      }
      if (r.version === 1) {
        out.push({ kind: LOGISTICS_OBJECT_CREATED, objectId: r.id, version: 1, owner: speakerOf(r), detail: { objectType, revision: 1 } });
        continue;
      }
      const before = previous.get(`${r.id}@${r.version - 1}`);
      const changed = changedFields(before, r.body)
        .filter((f) => !NOT_PROPERTIES.has(f))
        .map(cargoIri);
      out.push({
        kind: LOGISTICS_OBJECT_UPDATED,
        objectId: r.id,
        version: r.version,
        owner: speakerOf(r),
        detail: { objectType, revision: r.version, changed },
      });
    }
    if (eventTargets.length > 0) {
      const targets = await this.ownersAndTypes(
        eventTargets.map((e) => e.objectId),
        ctx,
      );
      for (const { event, objectId } of eventTargets) {
        const target = targets.get(objectId);
        if (!target) continue;
        const code = eventCodeOf(event.body);
        out.push({
          kind: LOGISTICS_EVENT_RECEIVED,
          objectId,
          version: null,
          owner: target.owner,
          detail: { objectType: target.objectType, event: this.iris.event(objectId, event.id), ...(code !== undefined ? { eventCode: code } : {}) },
        });
      }
    }
    return out;
  }

  /** The data holder and cargo class of each object (its latest version, this publication's included). */
  private async ownersAndTypes(ids: readonly string[], ctx: PublishContext): Promise<Map<string, { owner: string; objectType: string }>> {
    const out = new Map<string, { owner: string; objectType: string }>();
    for (const part of chunks([...new Set(ids)], 2000)) {
      const rows = await query<{ id: string; owner: string; body: string }>(
        ctx.tx,
        ctx.provider,
        `SELECT r."id", r."owner", v."body" FROM "Record" r JOIN "RecordVersion" v ON v."recordId" = r."id" AND v."version" = r."latestVersion"
          WHERE r."id" IN (${placeholders(1, part.length)}) AND r."type" = 'LogisticsObject'`,
        part,
      );
      const holders = await holdersOf(ctx.tx, rows);
      for (const row of rows)
        out.set(row.id, { owner: holders.get(row.id)!, objectType: String((JSON.parse(row.body) as { objectType?: unknown }).objectType) });
    }
    return out;
  }
}
