import type { Request, Response } from "express";
import { EPCIS_CONTEXT } from "../../sdk/epcis/document";
import { formatEventEpcs, prefixLengthFrom, type EpcFormat, type EpcFormatOptions } from "../../sdk/epcis/epc-format";
import { eventContext } from "../../sdk/epcis/records";
import { EpcisXmlError, epcisDocumentToXml } from "../../sdk/epcis/xml";
import type { EpcisEventBody } from "../../sdk/records/epcis-event";
import type { Db } from "../db/client";
import { HttpProblem } from "../http/problem";
import type { CbvXmlFormat, OutputFormats } from "./gs1-headers";
import { vocabularyForms, type Vocabulary } from "./vocabulary";

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
  const versions = await db.recordVersion.findMany({
    where: { recordId: { in: rows.map((r) => r.recordId) }, version: 1 },
    select: { recordId: true, body: true, owner: true },
  });
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
 * queryResults[HUB_EVENTS] (an extension property, as the binding allows). `epcFormat` is the
 * read's GS1-EPC-Format (sdk/epcis/epc-format.ts): by default the EPCs as captured.
 */
export function queryDocument(
  events: readonly QueriedEvent[],
  queryName = "SimpleEventQuery",
  epcFormat: EpcFormat = "Never_Translates",
  epcOptions: (e: QueriedEvent) => EpcFormatOptions = () => ({}),
): Record<string, unknown> {
  let context = commonPrefix(events.map((e) => e.context));
  if (context.length === 0) context = events[0]?.context ?? [EPCIS_CONTEXT];
  const eventList = events.map((queried) => {
    const { event: captured, context: own } = queried;
    const event = formatEventEpcs(captured, epcFormat, epcOptions(queried));
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

/**
 * For Always_EPC_URN: each event's Digital Links are partitioned by the GS1 Company Prefixes its
 * attester holds (GS1_COMPANY_PREFIX credentials in force: the organisation that captured it, or
 * that signed it). A Digital Link of another company's prefix keeps its captured form.
 */
export async function epcOptionsOf(
  events: readonly QueriedEvent[],
  format: EpcFormat,
  source?: { companyPrefixes?(orgId: string): Promise<string[]> },
): Promise<(e: QueriedEvent) => EpcFormatOptions> {
  if (format !== "Always_EPC_URN" || !source?.companyPrefixes) return () => ({});
  const attesters = [...new Set(events.map((e) => e.capturedBy ?? e.owner))];
  const lookups = new Map(await Promise.all(attesters.map(async (org) => [org, prefixLengthFrom(await source.companyPrefixes!(org))] as const)));
  return (e) => ({ companyPrefixLength: lookups.get(e.capturedBy ?? e.owner)! });
}

/** The media types of an EPCIS read's answer: the JSON-LD binding (first: what any type, or no Accept, gets) and the XML binding. */
const ANSWER_TYPES = ["application/ld+json", "application/json", "application/xml", "text/xml"];
export type AnswerMedia = { xml: false } | { xml: true; type: "application/xml" | "text/xml" };

const notAcceptable = (detail: string) => new HttpProblem(406, "not-acceptable", "Not acceptable", detail);

/** Which binding the read's Accept asks for; an Accept the hub cannot serve is the binding's 406. */
export function answerMedia(req: Request): AnswerMedia {
  const chosen = req.accepts(ANSWER_TYPES);
  if (chosen === false) throw notAcceptable(`This answer is an EPCISQueryDocument in ${ANSWER_TYPES.join(", ")}.`);
  return chosen === "application/xml" || chosen === "text/xml" ? { xml: true, type: chosen } : { xml: false };
}

/** CBV fields of an event and their vocabularies (the XML binding writes these values as URIs). */
const CBV_FIELDS: [string, Vocabulary][] = [
  ["bizStep", "bizStep"],
  ["disposition", "disposition"],
];

/**
 * One CBV value in the GS1-CBV-XML-Format asked for: Always_URN gives a standard word's URN
 * (urn:epcglobal:cbv:bizstep:shipping), Always_Web_URI its Web URI (https://ref.gs1.org/cbv/BizStep-shipping);
 * otherwise the value as captured (the XML writer writes a bare word as its URN, as XML has no bare words).
 */
function cbvValue(value: unknown, vocabulary: Vocabulary, format: CbvXmlFormat): unknown {
  if (typeof value !== "string" || (format !== "Always_URN" && format !== "Always_Web_URI")) return value;
  const forms = vocabularyForms(vocabulary, value);
  if (forms.length === 1) return value; // not a standard word: a private vocabulary's value stays
  return forms[format === "Always_URN" ? 2 : 1]; // vocabularyForms: [word, Web URI, URN, CURIE]
}

/** An event's CBV values in the GS1-CBV-XML-Format asked for (a copy). */
export function cbvXmlForms(event: Record<string, unknown>, format: CbvXmlFormat): Record<string, unknown> {
  if (format !== "Always_URN" && format !== "Always_Web_URI") return event;
  const out: Record<string, unknown> = { ...event };
  for (const [field, vocabulary] of CBV_FIELDS) if (out[field] !== undefined) out[field] = cbvValue(out[field], vocabulary, format);
  const typed = (list: string, vocabulary: Vocabulary) => {
    if (Array.isArray(out[list]))
      out[list] = (out[list] as unknown[]).map((t) =>
        t && typeof t === "object" && "type" in t ? { ...t, type: cbvValue((t as { type: unknown }).type, vocabulary, format) } : t,
      );
  };
  typed("bizTransactionList", "bizTransactionType");
  typed("sourceList", "sourceDestType");
  typed("destinationList", "sourceDestType");
  const pd = out.persistentDisposition as Record<string, unknown> | undefined;
  if (pd && typeof pd === "object") {
    const list = (v: unknown) => (Array.isArray(v) ? v.map((d) => cbvValue(d, "disposition", format)) : v);
    out.persistentDisposition = { ...pd, ...(pd.set !== undefined ? { set: list(pd.set) } : {}), ...(pd.unset !== undefined ? { unset: list(pd.unset) } : {}) };
  }
  const ed = out.errorDeclaration as Record<string, unknown> | undefined;
  if (ed && typeof ed === "object" && ed.reason !== undefined) out.errorDeclaration = { ...ed, reason: cbvValue(ed.reason, "errorReason", format) };
  return out;
}

/**
 * Sends a query document in the negotiated binding, with the formats it was written in
 * (GS1-EPC-Format; GS1-CBV-XML-Format for XML, the only binding it applies to; No_Preference is
 * answered Never_Translates, what the hub chose). An answer XML cannot
 * carry (an extension key without a namespace) is a 406: the JSON-LD binding can.
 */
export function sendQueryDocument(res: Response, doc: Record<string, unknown>, media: AnswerMedia, formats: OutputFormats): void {
  // The format the answer is in: the hub's choice for No_Preference is to keep what was captured.
  const applied = <T extends string>(f: T) => (f === "No_Preference" ? "Never_Translates" : f);
  res.vary("Accept").set("GS1-EPC-Format", applied(formats.epc));
  if (!media.xml) {
    res.type("application/ld+json").send(JSON.stringify(doc));
    return;
  }
  const results = (doc.epcisBody as { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } }).queryResults;
  results.resultsBody.eventList = results.resultsBody.eventList.map((e) => cbvXmlForms(e, formats.cbvXml));
  let xml: string;
  try {
    xml = epcisDocumentToXml(doc);
  } catch (err) {
    if (!(err instanceof EpcisXmlError)) throw err;
    throw notAcceptable(`${err.path} cannot be written in the EPCIS 2.0 XML binding (${err.rule}); ask for application/ld+json.`);
  }
  res.set("GS1-CBV-XML-Format", applied(formats.cbvXml)).type(media.type).send(xml);
}
