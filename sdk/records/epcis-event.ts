import { z } from "zod";
import { IsoDateTime } from "./codes";
import { OrgIdSchema, RecordIdSchema } from "../envelope";
import { canonicalJson } from "../canonical";
import { EventHashError, eventHash } from "../epcis/event-hash";

/** A CBV 2.0 canonical event hash: `ni:///sha-256;{64 lowercase hex}?ver=CBV2.0`. */
export const EpcisEventHash = z.string().regex(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/, "an event hash is ni:///sha-256;{64 lowercase hex}?ver=CBV2.0");
export type EpcisEventHash = z.infer<typeof EpcisEventHash>;

export const EPCIS_EVENT_TYPES = ["ObjectEvent", "AggregationEvent", "TransformationEvent", "TransactionEvent", "AssociationEvent"] as const;
export const EpcisEventType = z.enum(EPCIS_EVENT_TYPES);
export type EpcisEventType = z.infer<typeof EpcisEventType>;

export const EpcisAction = z.enum(["ADD", "OBSERVE", "DELETE"]);

/** "+hh:mm" / "-hh:mm" as EPCIS writes eventTimeZoneOffset. */
export const TimeZoneOffset = z.string().regex(/^[+-](0\d|1[0-4]):[0-5]\d$/, "a time zone offset is +hh:mm or -hh:mm");

// A CBV word ("shipping"), a CURIE ("cbv:BizStep-shipping") or a URI: EPCIS keeps what the event wrote.
const Vocabulary = z.string().min(1).max(512);

/**
 * One EPCIS 2.0 event as a hub record. The top-level fields are what the hub indexes and a
 * consumer page may show; `event` is the event exactly as captured (JSON-LD, its own eventID
 * untouched). Record id: `epcis:`, the attesting organisation and the 64 hex digits of `eventId` (see epcisRecordId;
 * another event of the same hash by the same attester: epcisVariantRecordId in sdk/epcis/records.ts).
 */
export const EpcisEventBody = z
  .object({
    eventId: EpcisEventHash,
    eventType: EpcisEventType,
    eventTime: IsoDateTime,
    eventTimeZoneOffset: TimeZoneOffset,
    action: EpcisAction.optional(),
    bizStep: Vocabulary.optional(),
    disposition: Vocabulary.optional(),
    readPoint: z.string().min(1).max(512).optional(),
    bizLocation: z.string().min(1).max(512).optional(),
    // Every EPC and EPC class the event names, as written in it (URN or Digital Link URI).
    epcs: z.array(z.string().min(1).max(512)).max(10_000),
    // Hub records the event points at (certificationInfo, bizTransaction values naming a record).
    links: z.array(z.object({ recordId: RecordIdSchema }).strict()).max(1_000),
    event: z.record(z.string(), z.json()),
    // The capture document's JSON-LD @context, whole and in its order (bodies from before issue 15:
    // only the entries beyond the standard one; see eventContext in sdk/epcis/records.ts).
    context: z.array(z.json()).max(20).optional(),
    // Only on events the hub attested for a standard EPCIS client: the organisation that captured it.
    capturedBy: OrgIdSchema.optional(),
    // The event's errorDeclaration, as in `event`, at the top so that it can be a public field: a
    // consumer's page shows (and a browser verifies) that the event it corrects was declared in error.
    errorDeclaration: z
      .object({ declarationTime: IsoDateTime, reason: Vocabulary.optional(), correctiveEventIDs: z.array(z.string().min(1).max(512)).max(1_000).optional() })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.event.type !== b.eventType) ctx.addIssue({ code: "custom", path: ["eventType"], message: "eventType differs from event.type" });
    if (b.event.eventTime !== b.eventTime) ctx.addIssue({ code: "custom", path: ["eventTime"], message: "eventTime differs from event.eventTime" });
    if (canonicalJson(b.errorDeclaration ?? null) !== canonicalJson(errorDeclarationOf(b.event) ?? null))
      ctx.addIssue({
        code: "custom",
        path: ["errorDeclaration"],
        message: "errorDeclaration must repeat event.errorDeclaration (declarationTime, reason, correctiveEventIDs), or be absent when the event has none",
      });
    // The id is the event's canonical hash: recomputed, so no record can claim another event's id.
    let hash: string | undefined;
    try {
      hash = eventHash(b.event, b.context);
    } catch (e) {
      if (!(e instanceof EventHashError)) throw e;
      ctx.addIssue({ code: "custom", path: ["event"], message: e.message });
    }
    if (hash !== undefined && hash !== b.eventId)
      ctx.addIssue({ code: "custom", path: ["eventId"], message: "eventId is not the CBV 2.0 event hash of event" });
  });
export type EpcisEventBody = z.infer<typeof EpcisEventBody>;

/**
 * The record id of `attester`'s EpcisEvent whose canonical hash is `eventId`: `epcis:{attester}:{64
 * hex}`. The attester is the capturing organisation of a hub-attested event (capturedBy), else the
 * record's owner. An event is one organisation's claim: two organisations stating identical content
 * hold two records, and neither's id tells the other that the event exists. (Records stored before
 * this rule have `epcis:{64 hex}`; they stay readable.)
 */
export function epcisRecordId(eventId: EpcisEventHash, attester: string): string {
  return `epcis:${attester}:${eventId.slice("ni:///sha-256;".length, "ni:///sha-256;".length + 64)}`;
}

/** The fields of an event's errorDeclaration a record body repeats at its top (EPCIS 2.0 §7.4.1.2), if it has one. */
export function errorDeclarationOf(event: Record<string, unknown>): EpcisEventBody["errorDeclaration"] | undefined {
  const d = event.errorDeclaration;
  if (typeof d !== "object" || d === null || Array.isArray(d)) return undefined;
  const { declarationTime, reason, correctiveEventIDs } = d as Record<string, unknown>;
  return {
    declarationTime: declarationTime as string,
    ...(typeof reason === "string" ? { reason } : {}),
    ...(Array.isArray(correctiveEventIDs) ? { correctiveEventIDs: correctiveEventIDs as string[] } : {}),
  };
}
