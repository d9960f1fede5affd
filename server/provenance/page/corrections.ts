import type { StoryStep } from "../../../sdk/provenance/story";

type Declaration = { declarationTime: string; reason?: string };

/** The errorDeclaration an EPCIS step states (a public field of its record), if it is a declaration. */
export const declarationOf = (s: StoryStep): Declaration | undefined =>
  s.type === "EpcisEvent" ? (s.record.body.errorDeclaration as Declaration | undefined) : undefined;
/** Whose claim an EPCIS step is: the capturer of a hub-attested event, else the record's owner. */
const claimantOf = (s: StoryStep) => (s.capturedBy ?? s.attestedBy).orgId;

/** What the correction rule reads of a record or step: its type, who claims it, its body (eventId, errorDeclaration). */
export interface Claim {
  type: string;
  claimant: string;
  body: Record<string, unknown>;
}

/**
 * EPCIS corrections (EPCIS 2.0 §7.4.1.2): an event with an errorDeclaration declares the event of the
 * same event hash erroneous. Only the party that made a claim can retract it: a declaration by
 * anyone else corrects nothing. Returns, for an item, the declaration that retracts it (undefined
 * for one that stands, and for declarations themselves). The one rule of the page's steps
 * (applyErrorDeclarations) and of the item's sold mark (sales.ts).
 */
export function retractions<T>(items: readonly T[], claimOf: (t: T) => Claim): (t: T) => T | undefined {
  const key = (c: Claim) => `${c.claimant}|${String(c.body.eventId)}`;
  const declared = new Map<string, T>();
  for (const item of items) {
    const c = claimOf(item);
    if (c.type === "EpcisEvent" && c.body.errorDeclaration !== undefined) declared.set(key(c), item);
  }
  return (item) => {
    const c = claimOf(item);
    if (declared.size === 0 || c.type !== "EpcisEvent" || c.body.errorDeclaration !== undefined) return undefined;
    return declared.get(key(c));
  };
}

/**
 * On the page the corrected step says so, and neither it nor the declaration counts towards the
 * facts (nor marks the item sold). Both stay on the timeline, each verifiable (the declaration's
 * errorDeclaration is a public field). A declaration whose record fails verification corrects nothing.
 */
export function applyErrorDeclarations(steps: readonly StoryStep[]): StoryStep[] {
  const retractionOf = retractions(
    steps.filter((s) => s.verdict.status !== "failed"),
    (s) => ({ type: s.type, claimant: claimantOf(s), body: s.record.body }),
  );
  return steps.map((s) => {
    const by = retractionOf(s);
    const d = by && declarationOf(by);
    if (!by || !d) return s;
    return { ...s, declaredInError: { at: d.declarationTime, ...(d.reason ? { reason: d.reason } : {}), declaration: by.recordId } };
  });
}

/** Whether a step is left out of the facts as corrected: declared in error, or a declaration itself. */
export const isCorrection = (s: StoryStep): boolean => s.declaredInError !== undefined || declarationOf(s) !== undefined;
