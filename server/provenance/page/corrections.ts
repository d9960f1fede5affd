import type { StoryStep } from "../../../sdk/provenance/story";

type Declaration = { declarationTime: string; reason?: string };

/** The errorDeclaration an EPCIS step states (a public field of its record), if it is a declaration. */
export const declarationOf = (s: StoryStep): Declaration | undefined =>
  s.type === "EpcisEvent" ? (s.record.body.errorDeclaration as Declaration | undefined) : undefined;
/** Whose claim an EPCIS step is: the capturer of a hub-attested event, else the record's owner. */
const claimantOf = (s: StoryStep) => (s.capturedBy ?? s.attestedBy).orgId;

/**
 * EPCIS corrections (EPCIS 2.0 §7.4.1.2): an event with an errorDeclaration declares the event of the
 * same event hash erroneous. On the page the corrected step says so, and neither it nor the
 * declaration counts towards the facts. Only the party that made a claim can retract it: a
 * declaration by anyone else corrects nothing. Both stay on the timeline, each verifiable (the
 * declaration's errorDeclaration is a public field).
 */
export function applyErrorDeclarations(steps: readonly StoryStep[]): StoryStep[] {
  const declared = new Map<string, { step: StoryStep; declaration: Declaration }>();
  for (const s of steps) {
    const declaration = declarationOf(s);
    if (declaration && s.verdict.status !== "failed") declared.set(`${claimantOf(s)}|${String(s.record.body.eventId)}`, { step: s, declaration });
  }
  if (declared.size === 0) return [...steps];
  return steps.map((s) => {
    if (s.type !== "EpcisEvent" || declarationOf(s)) return s;
    const d = declared.get(`${claimantOf(s)}|${String(s.record.body.eventId)}`);
    if (!d) return s;
    return {
      ...s,
      declaredInError: { at: d.declaration.declarationTime, ...(d.declaration.reason ? { reason: d.declaration.reason } : {}), declaration: d.step.recordId },
    };
  });
}

/** Whether a step is left out of the facts as corrected: declared in error, or a declaration itself. */
export const isCorrection = (s: StoryStep): boolean => s.declaredInError !== undefined || declarationOf(s) !== undefined;
