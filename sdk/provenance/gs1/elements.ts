import type { Gs1AiDefinition } from "./ai-types";
import { GS1_AI_TABLE } from "./ai-table";
import { CHARSETS, LINTERS } from "./linters";

/**
 * GS1 element strings (AI + value) checked against the syntax dictionary: each component's
 * character set, length and linters, and the dictionary's req=/ex= pairings over a set of elements.
 */

export interface Gs1Element {
  ai: string;
  value: string;
}

export type ElementProblem = { reason: "unknown-ai" | "bad-value" | "check-digit" | "syntax"; ai: string; message: string };

/** The dictionary's entry for an AI, undefined for a string that is not one. */
export function aiDefinition(ai: string): Gs1AiDefinition | undefined {
  return Object.hasOwn(GS1_AI_TABLE, ai) ? GS1_AI_TABLE[ai] : undefined;
}

export const aiName = (ai: string) => `AI ${ai}${aiDefinition(ai) ? ` (${aiDefinition(ai)!.title})` : ""}`;

/** Why a value is not valid for an AI, or undefined when it is. */
export function elementProblem(ai: string, value: string): ElementProblem | undefined {
  const def = aiDefinition(ai);
  if (!def) return { reason: "unknown-ai", ai, message: `"${ai}" is not a GS1 application identifier` };
  const fail = (reason: ElementProblem["reason"], message: string): ElementProblem => ({ reason, ai, message: `${aiName(ai)}: ${message}, got "${value}"` });
  if (value === "") return fail("bad-value", "the value is empty");
  const max = def.components.reduce((n, c) => n + c.max, 0);
  if (value.length > max) return fail("bad-value", `the value is too long (at most ${max} characters: ${shape(def)})`);
  let pos = 0;
  // Components consume prefixes of their length in order; optional ones end the value early.
  for (const c of def.components) {
    if (pos === value.length && c.optional) break;
    const rest = value.length - pos;
    if (rest < c.min) return fail("bad-value", `the value is too short (${shape(def)})`);
    const part = value.slice(pos, pos + Math.min(c.max, rest));
    if (!CHARSETS[c.charset].pattern.test(part)) return fail("bad-value", `${CHARSETS[c.charset].name} only (${shape(def)})`);
    for (const name of c.linters) {
      const problem = LINTERS[name]?.(part);
      if (problem) return fail(problem.reason, problem.message);
    }
    pos += part.length;
  }
  if (pos < value.length) return fail("bad-value", `the value is too long (at most ${max} characters: ${shape(def)})`);
  return undefined;
}

function shape(def: Gs1AiDefinition): string {
  return def.components.map((c) => `${c.optional ? "[" : ""}${c.charset}${c.min === c.max ? c.max : `..${c.max}`}${c.optional ? "]" : ""}`).join(" ");
}

// "310n" matches 3100-3109; "35nn" matches 3500-3599.
const matches = (pattern: string, ai: string) =>
  pattern.length === ai.length && [...pattern].every((ch, i) => ch === ai[i] || (ch === "n" && /\d/.test(ai[i]!)));

/**
 * The first req=/ex= rule a set of AIs breaks (GS1 syntax dictionary), or undefined. AIs in
 * `qualified` are key qualifiers a primary key's dlpkey= admits: that is their association (the
 * dictionary's ITIP admits qualifier 22, whose req= names only 01), so their req= is not applied.
 */
export function pairingProblem(ais: readonly string[], qualified: ReadonlySet<string> = new Set()): ElementProblem | undefined {
  for (const ai of ais) {
    const def = aiDefinition(ai);
    if (!def) continue;
    for (const pattern of def.ex) {
      const other = ais.find((o) => o !== ai && matches(pattern, o));
      if (other) return { reason: "syntax", ai, message: `${aiName(ai)} may not appear together with ${aiName(other)}` };
    }
    for (const clause of qualified.has(ai) ? [] : def.req) {
      if (!clause.some((group) => group.every((pattern) => ais.some((o) => matches(pattern, o)))))
        return { reason: "syntax", ai, message: `${aiName(ai)} needs ${clause.map((g) => g.join(" with ")).join(", or ")}` };
    }
  }
  return undefined;
}
