import { EPCIS_CONTEXT } from "../../sdk/epcis/document";
import type { EpcisEventBody } from "../../sdk/records/epcis-event";
import type { Db } from "../db/client";

/** An event as the query interface returns it: as captured, with the hub's recordTime (and eventID if it had none). */
export interface QueriedEvent {
  event: Record<string, unknown>;
  context?: unknown[];
}

/** The stored events of these records, in the given order. */
export async function loadEvents(db: Db, rows: readonly { recordId: string; recordTime: string }[]): Promise<QueriedEvent[]> {
  if (rows.length === 0) return [];
  const versions = await db.recordVersion.findMany({ where: { recordId: { in: rows.map((r) => r.recordId) }, version: 1 }, select: { recordId: true, body: true } });
  const bodies = new Map(versions.map((v) => [v.recordId, JSON.parse(v.body) as EpcisEventBody]));
  return rows.flatMap((r) => {
    const body = bodies.get(r.recordId);
    if (!body) return [];
    const event: Record<string, unknown> = { ...body.event, recordTime: r.recordTime };
    if (typeof event.eventID !== "string") event.eventID = body.eventId;
    return [{ event, ...(body.context ? { context: body.context } : {}) }];
  });
}

/**
 * An EPCISQueryDocument of the events. Extension prefixes the events' capture documents declared
 * go into the document's @context; one that clashes with an earlier event's goes on the event itself.
 */
export function queryDocument(events: readonly QueriedEvent[], queryName = "SimpleEventQuery"): Record<string, unknown> {
  const prefixes: Record<string, unknown> = {};
  const extras: unknown[] = [];
  const eventList = events.map(({ event, context }) => {
    if (!context) return event;
    const own: unknown[] = [];
    for (const entry of context) {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        if (!extras.some((x) => JSON.stringify(x) === JSON.stringify(entry))) extras.push(entry);
        continue;
      }
      const clash = Object.entries(entry).some(([k, v]) => Object.hasOwn(prefixes, k) && JSON.stringify(prefixes[k]) !== JSON.stringify(v));
      if (clash) own.push(entry);
      else for (const [k, v] of Object.entries(entry)) prefixes[k] = v;
    }
    return own.length > 0 ? { "@context": own, ...event } : event;
  });
  const context: unknown[] = [EPCIS_CONTEXT, ...extras];
  if (Object.keys(prefixes).length > 0) context.push(prefixes);
  return {
    "@context": context,
    type: "EPCISQueryDocument",
    schemaVersion: "2.0",
    creationDate: new Date().toISOString(),
    epcisBody: { queryResults: { queryName, resultsBody: { eventList } } },
  };
}
