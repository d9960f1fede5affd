import { z } from "zod";
import { EPCIS_EVENT_TYPES, TimeZoneOffset } from "../records/epcis-event";

/**
 * Zod schemas of the parts of an EPCIS 2.0 JSON-LD document the hub relies on. Everything else
 * (extensions, sensor data, ILMD, ...) passes through untouched: the published JSON schema is
 * checked against in the conformance suite, not shipped.
 */

const Uri = z.string().trim().min(1).max(2048);
// EPCIS date-times carry a zone and any number of fraction digits.
const DateTime = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, "an ISO 8601 date-time with a time zone");
const Ids = z.array(Uri).max(10_000);
const QuantityElement = z.looseObject({ epcClass: Uri, quantity: z.number().nonnegative().optional(), uom: z.string().optional() });
const Quantities = z.array(QuantityElement).max(10_000);
const Place = z.looseObject({ id: Uri });
const BizTransaction = z.looseObject({ type: z.string().optional(), bizTransaction: Uri });
const SourceOrDestination = (member: "source" | "destination") => z.looseObject({ type: z.string(), [member]: Uri });
// EPCIS 2.0 §7.4.1.2: an event's declaration that it was in error (the hash ignores it: same event).
const ErrorDeclaration = z.looseObject({ declarationTime: DateTime, reason: Uri.optional(), correctiveEventIDs: z.array(Uri).max(1_000).optional() });

export const EpcisEventSchema = z
  .looseObject({
    type: z.enum(EPCIS_EVENT_TYPES),
    eventID: Uri.optional(),
    eventTime: DateTime,
    eventTimeZoneOffset: TimeZoneOffset,
    recordTime: DateTime.optional(),
    action: z.enum(["ADD", "OBSERVE", "DELETE"]).optional(),
    bizStep: Uri.optional(),
    disposition: Uri.optional(),
    readPoint: Place.optional(),
    bizLocation: Place.optional(),
    epcList: Ids.optional(),
    parentID: Uri.optional(),
    childEPCs: Ids.optional(),
    inputEPCList: Ids.optional(),
    outputEPCList: Ids.optional(),
    quantityList: Quantities.optional(),
    childQuantityList: Quantities.optional(),
    inputQuantityList: Quantities.optional(),
    outputQuantityList: Quantities.optional(),
    bizTransactionList: z.array(BizTransaction).max(1_000).optional(),
    sourceList: z.array(SourceOrDestination("source")).max(1_000).optional(),
    destinationList: z.array(SourceOrDestination("destination")).max(1_000).optional(),
    certificationInfo: z.union([Uri, z.array(Uri).max(1_000)]).optional(),
    errorDeclaration: ErrorDeclaration.optional(),
  })
  .superRefine((e, ctx) => {
    // Every event type but TransformationEvent says what it does to its objects.
    if (e.type !== "TransformationEvent" && e.action === undefined) ctx.addIssue({ code: "custom", path: ["action"], message: `a ${e.type} needs an action` });
    if (e.type === "TransformationEvent" && e.action !== undefined)
      ctx.addIssue({ code: "custom", path: ["action"], message: "a TransformationEvent has no action" });
  });
export type EpcisEvent = z.infer<typeof EpcisEventSchema>;

const Context = z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.union([z.string(), z.record(z.string(), z.unknown())]))]);
const EventList = z.array(EpcisEventSchema).min(1, "the document holds no event");

export const EpcisDocumentSchema = z.looseObject({
  "@context": Context,
  type: z.literal("EPCISDocument"),
  schemaVersion: z.string().min(1),
  creationDate: DateTime,
  epcisBody: z.looseObject({ eventList: EventList }),
});

export const EpcisQueryDocumentSchema = z.looseObject({
  "@context": Context,
  type: z.literal("EPCISQueryDocument"),
  schemaVersion: z.string().min(1),
  creationDate: DateTime,
  epcisBody: z.looseObject({ queryResults: z.looseObject({ resultsBody: z.looseObject({ eventList: EventList }) }) }),
});

/** What the capture interface accepts: an EPCISDocument or an EPCISQueryDocument (per the REST binding). */
export const CaptureDocumentSchema = z.union([EpcisDocumentSchema, EpcisQueryDocumentSchema]);
export type CaptureDocument = z.infer<typeof CaptureDocumentSchema>;

/** The events of a capture document, in document order. */
export function eventsOf(doc: CaptureDocument): EpcisEvent[] {
  return doc.type === "EPCISDocument" ? doc.epcisBody.eventList : doc.epcisBody.queryResults.resultsBody.eventList;
}

/** The JSON-LD context every EPCIS 2.0 document names. */
export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
