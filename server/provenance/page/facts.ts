import type { FactKey, StoryFact, StoryStep } from "../../../sdk/provenance/story";
import { cbvWord } from "./cbv";
import { isCorrection } from "./corrections";

/**
 * The six key facts of a product, derived from the public fields of its steps only (so each fact
 * can be checked against the step it names). The rules are in docs/provenance-page.md; a fact no
 * step attests stays unknown. `steps` are in time order, and only of parties that may speak about
 * the product (story.ts); revoked or failed steps, and EPCIS events declared in error with their
 * declarations, are left out.
 */
type Body = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const bodyOf = (s: StoryStep): Body => s.record.body;
// For a hub-attested event, the party it speaks for.
const attester = (s: StoryStep) => s.capturedBy ?? s.attestedBy;
const whereOf = (s: StoryStep): string | undefined => str(bodyOf(s).bizLocation) ?? str(bodyOf(s).readPoint);
const readPointOf = (s: StoryStep): string | undefined => str(bodyOf(s).readPoint) ?? str(bodyOf(s).bizLocation);
const isEvent = (s: StoryStep, ...words: string[]) => s.type === "EpcisEvent" && words.includes(cbvWord(str(bodyOf(s).bizStep)) ?? "");

function fact(key: FactKey, step: StoryStep | undefined, value: string | undefined, detail?: string): StoryFact {
  if (!step || value === undefined) return { key };
  const by = attester(step);
  return {
    key,
    value,
    ...(detail ? { detail } : {}),
    attestedBy: by.name,
    attesterKind: by.kind,
    source: { recordId: step.recordId, version: step.version, type: step.type },
  };
}

export function deriveFacts(all: readonly StoryStep[]): StoryFact[] {
  const steps = all.filter((s) => s.verdict.status !== "failed" && s.certification?.status !== "revoked" && !isCorrection(s));
  const batch = steps.find((s) => s.type === "ProductBatch");
  const certificates = steps.filter((s) => s.type === "Certification" && s.certification?.status === "valid");
  const events = steps.filter((s) => s.type === "EpcisEvent");
  const decisions = steps.filter((s) => s.type === "CustomsDecision");
  const waybills = steps.filter((s) => s.type === "Waybill");

  // Origin: a valid certificate of origin, else the brand's production place.
  const coo = certificates.find((s) => bodyOf(s).kind === "CERTIFICATE_OF_ORIGIN" && str(bodyOf(s).originCountry));
  const place = batch ? (bodyOf(batch).productionPlace as Body | undefined) : undefined;
  const origin = coo ? fact("origin", coo, str(bodyOf(coo).originCountry)) : fact("origin", batch, str(place?.country), str(place?.name));

  // Port of entry: where the event linking a customs decision took place, else the first arrival,
  // else a waybill's destination.
  const decisionIds = new Set(decisions.map((d) => d.recordId));
  const customsEvent = events.find(
    (e) => ((bodyOf(e).links as { recordId: string }[] | undefined) ?? []).some((l) => decisionIds.has(l.recordId)) && whereOf(e),
  );
  const arrival = events.find((e) => isEvent(e, "arriving") && whereOf(e));
  const entryStep = customsEvent ?? arrival;
  const waybillIn = waybills.find((w) => str(bodyOf(w).destination));
  const portOfEntry = entryStep
    ? fact("portOfEntry", entryStep, whereOf(entryStep))
    : fact("portOfEntry", waybillIn, str(waybillIn && bodyOf(waybillIn).destination));
  const entryTime = entryStep ? Date.parse(entryStep.time) : undefined;

  // Departure point: the earliest shipping or departing event (before the port of entry), else a waybill's origin.
  const shipped = events.filter((e) => isEvent(e, "shipping", "departing") && readPointOf(e));
  const departure = shipped.find((e) => entryTime === undefined || Date.parse(e.time) < entryTime);
  const waybillOut = waybills.find((w) => str(bodyOf(w).origin));
  const departurePoint = departure
    ? fact("departurePoint", departure, readPointOf(departure))
    : fact("departurePoint", waybillOut, str(waybillOut && bodyOf(waybillOut).origin));

  // Importer: whoever attested the purchase (an EPCIS TransactionEvent).
  const transaction = events.find((e) => bodyOf(e).eventType === "TransactionEvent");
  const importer = fact("importer", transaction, transaction && attester(transaction).name);

  // Customs and inspection status: customs' latest decision, else the latest inspection report's result.
  const decision = decisions.at(-1);
  const inspection = certificates.filter((s) => bodyOf(s).kind === "INSPECTION_REPORT" && str(bodyOf(s).result)).at(-1);
  const customsStatus = decision
    ? fact("customsStatus", decision, str(bodyOf(decision).decision), inspection ? `INSPECTION_${str(bodyOf(inspection).result)}` : undefined)
    : fact("customsStatus", inspection, inspection && `INSPECTION_${str(bodyOf(inspection).result)}`);

  // Dispatch warehouse: the last shipping/departing event after the port of entry.
  const dispatch = entryTime === undefined ? undefined : shipped.filter((e) => Date.parse(e.time) > entryTime).at(-1);
  const dispatchWarehouse = fact("dispatchWarehouse", dispatch, dispatch && whereOf(dispatch));

  return [origin, departurePoint, importer, portOfEntry, customsStatus, dispatchWarehouse];
}
