import { createHash } from "node:crypto";
import type { SignedRecord } from "../envelope";
import { canonicalJson } from "../canonical";
import { prepareRecord } from "../digest";
import { signRecord } from "../signature";
import { EpcisEventBody, epcisRecordId, errorDeclarationOf } from "../records/epcis-event";
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
    i.code === "invalid_union" && "errors" in i
      ? (i.errors[0] ?? []).map((e) => ({ path: [...i.path, ...e.path].map(String).join("."), message: e.message }))
      : [{ path: i.path.map(String).join("."), message: i.message }],
  );
  throw new EpcisDocumentError("The document is not an EPCIS 2.0 EPCISDocument or EPCISQueryDocument.", errors);
}

/**
 * The document's @context as captured, as a list (a single context is a one-element list: the same
 * JSON-LD). Kept whole and in its order: an older or additional context written before the EPCIS
 * 2.0 context must stay before it, or the 2.0 context's protected terms would be redefined. Omitted
 * when it is the 2.0 context alone.
 */
function capturedContext(context: unknown): unknown[] | undefined {
  const entries = Array.isArray(context) ? (context as unknown[]) : [context];
  return entries.length === 1 && entries[0] === EPCIS_CONTEXT ? undefined : entries;
}

/**
 * The @context an event body's event is read under. Bodies stored before contexts were kept whole
 * hold only the entries beyond the 2.0 context (which was then always first); bodies since hold the
 * captured context, 2.0 context included wherever the document put it.
 */
export function eventContext(body: Pick<EpcisEventBody, "context">): unknown[] {
  const context = body.context ?? [];
  return context.includes(EPCIS_CONTEXT) ? [...context] : [EPCIS_CONTEXT, ...context];
}

/**
 * The SHA-256 (hex) of an event as captured: RFC 8785 canonical JSON of the event and the context it
 * is read under. Two captures are "the same" exactly when this is equal (key order and whitespace
 * are not data); anything else that differs, even what the event hash ignores (errorDeclaration,
 * rdfs:comment, the form of an identifier), makes another captured event.
 */
export function capturedDigest(body: Pick<EpcisEventBody, "event" | "context">): string {
  return createHash("sha256")
    .update(canonicalJson({ event: body.event, context: eventContext(body) }), "utf8")
    .digest("hex");
}

/**
 * The record id of an attester's captured event whose event hash another of its events already
 * takes (an error declaration, a commented or differently written copy): epcisRecordId's id, ".",
 * and the first 24 hex digits (96 bits) of capturedDigest (at most 128 characters with a 31-character
 * organisation id). Either form is accepted for any event; this one is checked against the content.
 */
export function epcisVariantRecordId(body: Pick<EpcisEventBody, "eventId" | "event" | "context">, attester: string): string {
  return `${epcisRecordId(body.eventId, attester)}.${capturedDigest(body).slice(0, 24)}`;
}

/** The EpcisEvent record body of one event of a document (capturedBy: see the hub's capture interface). */
export function epcisEventBody(event: EpcisEvent, documentContext: unknown, capturedBy?: string): EpcisEventBody {
  const context = capturedContext(documentContext);
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
  const declaration = errorDeclarationOf(event);
  return EpcisEventBody.parse(declaration ? { ...body, errorDeclaration: declaration } : body);
}

/** The EpcisEvent record bodies of a document's events, in document order (validated). */
export function epcisEventBodies(raw: unknown, capturedBy?: string): EpcisEventBody[] {
  const doc = parseCaptureDocument(raw);
  return eventsOf(doc).map((e) => epcisEventBody(e, doc["@context"], capturedBy));
}

/** `owner`'s signed EpcisEvent record of a body, under the plain id (epcisRecordId) or the variant one. */
export function signEpcisEvent(body: EpcisEventBody, owner: { orgId: string; privateKey: string }, variant = false): SignedRecord {
  const id = variant ? epcisVariantRecordId(body, owner.orgId) : epcisRecordId(body.eventId, owner.orgId);
  return signRecord(owner.privateKey, prepareRecord({ type: "EpcisEvent", id, version: 1, owner: owner.orgId }, body));
}

/**
 * A member's own path: each event of the document as an EpcisEvent record owned and signed by
 * `owner`, ready for POST /v1/records. The same captured event repeated in the document becomes one
 * record; events of one hash with other content (an error declaration beside the event it
 * corrects) take the plain id first, then variant ids (epcisVariantRecordId).
 */
export function epcisEventRecords(raw: unknown, owner: { orgId: string; privateKey: string }): SignedRecord[] {
  const seen = new Set<string>();
  const hashes = new Set<string>();
  const out: SignedRecord[] = [];
  for (const body of epcisEventBodies(raw)) {
    const digest = capturedDigest(body);
    if (seen.has(digest)) continue;
    seen.add(digest);
    out.push(signEpcisEvent(body, owner, hashes.has(body.eventId)));
    hashes.add(body.eventId);
  }
  return out;
}
