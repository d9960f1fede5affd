import { EPCIS_CONTEXT } from "../../sdk/epcis/document";
import { eventContext } from "../../sdk/epcis/records";
import type { EpcisEventBody } from "../../sdk/records/epcis-event";
import type { Db } from "../db/client";

/**
 * An event as the query interface returns it: exactly as captured plus the hub's recordTime (the
 * repository's to set, EPCIS 2.0 §7.4.1), read under the context it was captured with. What the hub
 * knows about it (its record, its hash) goes beside it, never into it.
 */
export interface QueriedEvent {
  event: Record<string, unknown>;
  context: unknown[];
  recordId: string;
  eventHash: string;
  /** The record's owner and attester: whose access log names a read of it. */
  owner: string;
  capturedBy?: string;
}

/** The stored events of these records, in the given order. */
export async function loadEvents(db: Db, rows: readonly { recordId: string; recordTime: string }[]): Promise<QueriedEvent[]> {
  if (rows.length === 0) return [];
  const versions = await db.recordVersion.findMany({ where: { recordId: { in: rows.map((r) => r.recordId) }, version: 1 }, select: { recordId: true, body: true, owner: true } });
  const found = new Map(versions.map((v) => [v.recordId, { body: JSON.parse(v.body) as EpcisEventBody, owner: v.owner }]));
  return rows.flatMap((r) => {
    const stored = found.get(r.recordId);
    if (!stored) return [];
    const { body, owner } = stored;
    return [
      {
        event: { ...body.event, recordTime: r.recordTime },
        context: eventContext(body),
        recordId: r.recordId,
        eventHash: body.eventId,
        owner,
        ...(body.capturedBy ? { capturedBy: body.capturedBy } : {}),
      },
    ];
  });
}

/** Where the query document lists the hub's identifiers of its events (same order as eventList). */
export const HUB_EVENTS = "urn:cargoproof:events";
export const HUB_RECORD_ID = "urn:cargoproof:recordId";
export const HUB_EVENT_HASH = "urn:cargoproof:eventHash";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The longest list of context entries every one of the contexts starts with. */
function commonPrefix(contexts: readonly unknown[][]): unknown[] {
  const [first, ...rest] = contexts;
  if (!first) return [];
  let n = first.length;
  for (const c of rest) {
    let i = 0;
    while (i < n && i < c.length && same(c[i], first[i])) i++;
    n = i;
  }
  return first.slice(0, n);
}

/**
 * An EPCISQueryDocument of the events. Each event reads under exactly the context it was captured
 * with, in the captured order (an older context written before the 2.0 context stays before it, so
 * the 2.0 context's protected terms are never redefined): the document's @context is what all the
 * events' contexts start with, and an event whose context goes on carries the rest itself. When the
 * events start differently, the document takes the first event's context and the others carry
 * theirs whole. The hub's record id and event hash of each event are listed beside the events, under
 * queryResults[HUB_EVENTS] (an extension property, as the binding allows).
 */
export function queryDocument(events: readonly QueriedEvent[], queryName = "SimpleEventQuery"): Record<string, unknown> {
  let context = commonPrefix(events.map((e) => e.context));
  if (context.length === 0) context = events[0]?.context ?? [EPCIS_CONTEXT];
  const eventList = events.map(({ event, context: own }) => {
    if (same(own, context)) return event;
    const extends_ = own.length > context.length && context.every((c, i) => same(c, own[i]));
    return { "@context": extends_ ? own.slice(context.length) : own, ...event };
  });
  return {
    "@context": context,
    type: "EPCISQueryDocument",
    schemaVersion: "2.0",
    creationDate: new Date().toISOString(),
    epcisBody: {
      queryResults: {
        queryName,
        resultsBody: { eventList },
        [HUB_EVENTS]: events.map((e) => ({ [HUB_RECORD_ID]: e.recordId, [HUB_EVENT_HASH]: e.eventHash })),
      },
    },
  };
}
