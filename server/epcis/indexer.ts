import type { SignedRecord } from "../../sdk/envelope";
import { EpcisEventBody, epcisRecordId } from "../../sdk/records/epcis-event";
import { canonicalGs1Uri } from "../../sdk/epcis/gs1-uri";
import { normaliseTimestamp } from "../../sdk/epcis/event-hash";
import { capturedDigest, epcisVariantRecordId } from "../../sdk/epcis/records";
import { productOfEpc } from "../../sdk/provenance/epc";
import { insertRows } from "../db/bulk-insert";
import { HttpProblem, badRequest, conflict } from "../http/problem";
import { OPERATOR_ORG_ID } from "../orgs/service";
import type { PublishContext, RecordObserver } from "../records/observers";
import { attesterEvents } from "./captured";

type EpcRole = "epc" | "parent" | "input" | "output" | "class";

/** Each EPC of an event with the list it appears in (MATCH_epc and MATCH_anyEPC differ by role). */
export function epcRoles(event: Record<string, unknown>): { epc: string; role: EpcRole }[] {
  const out = new Map<string, { epc: string; role: EpcRole }>();
  const add = (epc: unknown, role: EpcRole) => {
    if (typeof epc === "string") out.set(`${role}\u0000${epc}`, { epc, role });
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  add(event.parentID, "parent");
  for (const e of [...list(event.epcList), ...list(event.childEPCs)]) add(e, "epc");
  for (const e of list(event.inputEPCList)) add(e, "input");
  for (const e of list(event.outputEPCList)) add(e, "output");
  for (const name of ["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"])
    for (const q of list(event[name])) if (q && typeof q === "object") add((q as Record<string, unknown>).epcClass, "class");
  return [...out.values()];
}

/**
 * The EPCIS module's RecordObserver: every stored EpcisEvent record (captured through /epcis or
 * published by a member through /v1/records) is indexed for the EPCIS query interface, with the
 * record's storage time as the event's recordTime. Events are immutable: one version per record.
 * Several organisations may state the same event (the same hash): each holds its own record. One
 * organisation may hold several events of one hash (an event and its error declaration, a copy with
 * a comment): the first under epcisRecordId, the others under epcisVariantRecordId; the same
 * captured event twice (capturedDigest) is refused.
 */
export class EpcisIndexer implements RecordObserver {
  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const events = records.filter((r) => r.type === "EpcisEvent");
    if (events.length === 0) return;
    const single = records.length === 1;
    const at = (i: number) => (single ? "the record" : `records[${records.indexOf(events[i]!)}]`);
    const recordTime = ctx.now.toISOString();
    const rows: (string | null)[][] = [];
    const epcRows: (string | null)[][] = [];
    const correctiveRows: string[][] = [];
    const digests: string[] = [];
    const { tx, provider } = ctx;
    events.forEach((r, i) => {
      if (r.version !== 1)
        throw conflict("epcis-event-immutable", `${at(i)}: an EPCIS event is never revised; capture a new event (or an error declaration) instead.`);
      const body = EpcisEventBody.parse(r.body); // checked by the publish path already; parsed again for its type
      if (body.capturedBy !== undefined && r.owner !== OPERATOR_ORG_ID)
        throw new HttpProblem(
          403,
          "hub-attested-only",
          "Forbidden",
          `${at(i)}: capturedBy is set by the hub on events it attests for a capturing organisation.`,
        );
      // The id names whose claim the event is, so identical content from two organisations never meets.
      const attester = body.capturedBy ?? r.owner;
      const expected = epcisRecordId(body.eventId, attester);
      if (r.id !== expected && r.id !== epcisVariantRecordId(body, attester))
        throw badRequest(
          "invalid-record",
          `${at(i)}: an EpcisEvent's record id is "epcis:", the attesting organisation (capturedBy, else the owner), ":" and the 64 hex digits of its eventId, optionally followed by "." and the first 24 hex digits of the captured event's digest (another event of the same hash).`,
          [{ path: "id", message: `expected ${expected} or ${epcisVariantRecordId(body, attester)}` }],
        );
      const ownId = typeof body.event.eventID === "string" ? body.event.eventID : null;
      const declaration = indexedDeclaration(body);
      const digest = capturedDigest(body);
      digests.push(digest);
      rows.push([
        r.id,
        body.eventId,
        ownId,
        r.owner,
        body.capturedBy ?? null,
        body.eventType,
        normaliseTimestamp(body.eventTime),
        recordTime,
        body.bizStep ?? null,
        body.disposition ?? null,
        body.readPoint ?? null,
        body.bizLocation ?? null,
        digest,
        declaration?.time ?? null,
        declaration?.reason ?? null,
      ]);
      for (const id of declaration?.correctiveEventIDs ?? []) correctiveRows.push([r.id, id]);
      for (const { epc, role } of epcRoles(body.event)) {
        const product = productOfEpc(epc);
        epcRows.push([r.id, epc, role, canonicalGs1Uri(epc), product?.gtin ?? null, product?.lot ?? null, product?.serial ?? null]);
      }
    });
    await refuseRepeats(ctx, events, digests);
    await insertRows(
      tx,
      provider,
      "EpcisEvent",
      [
        "recordId",
        "eventHash",
        "eventId",
        "owner",
        "capturedBy",
        "eventType",
        "eventTime",
        "recordTime",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "capturedDigest",
        "errorDeclarationTime",
        "errorReason",
      ],
      rows,
    );
    await insertRows(tx, provider, "EpcisEventEpc", ["recordId", "epc", "role", "canonical", "gtin", "lot", "serial"], epcRows);
    await insertRows(tx, provider, "EpcisCorrectiveEvent", ["recordId", "eventId"], correctiveRows);
  }
}

/**
 * An event's errorDeclaration as the index keeps it (EPCIS 2.0 §7.4.1.2), if it has one: the body's
 * copy, which the record schema checked against the event (EpcisEventBody), its time in UTC.
 */
function indexedDeclaration(body: EpcisEventBody): { time: string; reason: string | null; correctiveEventIDs: string[] } | undefined {
  const d = body.errorDeclaration;
  if (!d) return undefined;
  let time: string;
  try {
    time = normaliseTimestamp(d.declarationTime);
  } catch {
    throw badRequest("invalid-record", "errorDeclaration.declarationTime is not an ISO 8601 date-time with a time zone.");
  }
  return { time, reason: d.reason ?? null, correctiveEventIDs: [...new Set(d.correctiveEventIDs ?? [])] };
}

/** The same captured event twice from one attester (in this batch or stored before) is one event: 409. */
async function refuseRepeats(ctx: PublishContext, events: readonly SignedRecord[], digests: readonly string[]): Promise<void> {
  const byAttester = new Map<string, { hashes: string[]; digests: Set<string> }>();
  events.forEach((r, i) => {
    const body = r.body as EpcisEventBody;
    const attester = body.capturedBy ?? r.owner;
    const entry = byAttester.get(attester) ?? { hashes: [], digests: new Set() };
    if (entry.digests.has(digests[i]!)) throw conflict("epcis-event-exists", "The batch holds the same captured event twice.");
    entry.digests.add(digests[i]!);
    entry.hashes.push(body.eventId);
    byAttester.set(attester, entry);
  });
  for (const [attester, { hashes, digests: mine }] of byAttester) {
    const held = await attesterEvents(ctx.tx, ctx.provider, attester, hashes);
    if ([...mine].some((d) => held.digests.has(d)))
      throw conflict("epcis-event-exists", "This organisation already holds this captured event (same content, same context).");
  }
}
