import type { SignedRecord } from "../envelope";
import { prepareRecord } from "../digest";
import { signRecord } from "../signature";
import { EpcisEventBody, epcisRecordId } from "../records/epcis-event";
import { CaptureDocumentSchema, EPCIS_CONTEXT, eventsOf, type CaptureDocument, type EpcisEvent } from "./document";
import { eventHash } from "./event-hash";
import { epcsOf, linksOf } from "./extract";

export class EpcisDocumentError extends Error {
  constructor(
    message: string,
    readonly errors: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** Parses a capture document, or throws an EpcisDocumentError naming each bad field. */
export function parseCaptureDocument(raw: unknown): CaptureDocument {
  const parsed = CaptureDocumentSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // A union reports its branches' issues; the EPCISDocument branch's are the useful ones for most callers.
  const errors = parsed.error.issues.flatMap((i) =>
    i.code === "invalid_union" && "errors" in i ? (i.errors[0] ?? []).map((e) => ({ path: [...i.path, ...e.path].map(String).join("."), message: e.message })) : [{ path: i.path.map(String).join("."), message: i.message }],
  );
  throw new EpcisDocumentError("The document is not an EPCIS 2.0 EPCISDocument or EPCISQueryDocument.", errors);
}

/** The document's context entries beyond the standard EPCIS context (extension prefixes), if any. */
function extraContext(context: unknown): unknown[] | undefined {
  const entries = (Array.isArray(context) ? context : [context]).filter((c) => c !== EPCIS_CONTEXT);
  return entries.length > 0 ? (entries as unknown[]) : undefined;
}

/** The EpcisEvent record body of one event of a document (capturedBy: see the hub's capture interface). */
export function epcisEventBody(event: EpcisEvent, documentContext: unknown, capturedBy?: string): EpcisEventBody {
  const context = extraContext(documentContext);
  const body = {
    eventId: eventHash(event, documentContext),
    eventType: event.type,
    eventTime: event.eventTime,
    eventTimeZoneOffset: event.eventTimeZoneOffset,
    ...(event.action ? { action: event.action } : {}),
    ...(event.bizStep ? { bizStep: event.bizStep } : {}),
    ...(event.disposition ? { disposition: event.disposition } : {}),
    ...(event.readPoint ? { readPoint: event.readPoint.id } : {}),
    ...(event.bizLocation ? { bizLocation: event.bizLocation.id } : {}),
    epcs: epcsOf(event),
    links: linksOf(event),
    event,
    ...(context ? { context } : {}),
    ...(capturedBy ? { capturedBy } : {}),
  };
  return EpcisEventBody.parse(body);
}

/** The EpcisEvent record bodies of a document's events, in document order (validated). */
export function epcisEventBodies(raw: unknown, capturedBy?: string): EpcisEventBody[] {
  const doc = parseCaptureDocument(raw);
  return eventsOf(doc).map((e) => epcisEventBody(e, doc["@context"], capturedBy));
}

/**
 * A member's own path: each event of the document as an EpcisEvent record owned and signed by
 * `owner` (record id `epcis:{owner}:` + the event hash, epcisRecordId), ready for POST /v1/records. Events repeated in the
 * document become one record.
 */
export function epcisEventRecords(raw: unknown, owner: { orgId: string; privateKey: string }): SignedRecord[] {
  const seen = new Set<string>();
  const out: SignedRecord[] = [];
  for (const body of epcisEventBodies(raw)) {
    const id = epcisRecordId(body.eventId, owner.orgId);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(signRecord(owner.privateKey, prepareRecord({ type: "EpcisEvent", id, version: 1, owner: owner.orgId }, body)));
  }
  return out;
}
