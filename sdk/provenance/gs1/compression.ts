import { GS1_AI_TABLE } from "./ai-table";
import type { Gs1Component } from "./ai-types";
import type { Gs1Element } from "./elements";

/**
 * GS1 Digital Link compression (GS1 DL 1.1 "compressed" URIs, GS1 DL compression standard): AI
 * element strings as a bit string, written in URI-safe base64. Per element: the AI as 2-4 hex
 * nibbles of its digits (or one optimisation code for a common AI sequence), then its value's
 * components: fixed-length numeric as a binary integer, variable-length numeric as a length then an
 * integer, alphanumeric as a 3-bit encoding (0 digits, 1 lower-case hex, 2 upper-case hex,
 * 3 URI-safe base64, 4 7-bit ASCII), a length when variable, then the characters. "F" starts a
 * non-GS1 key=value pair. The components come from the syntax dictionary the way the standard's
 * table groups them: adjacent numeric components merge (the mandatory fixed ones into one fixed
 * length, optional ones into one variable length), adjacent alphanumeric ones into one.
 */

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX = "0123456789ABCDEF";

/** Optimisation codes of the standard: one code stands for a sequence of AIs. */
const OPTIMISATIONS: Record<string, readonly string[]> = {
  "0A": ["01", "22"],
  "0B": ["01", "10"],
  "0C": ["01", "21"],
  "0D": ["01", "17"],
  "0E": ["01", "7003"],
  "0F": ["01", "30"],
  "1A": ["01", "10", "21", "17"],
  "1B": ["01", "15"],
  "1C": ["01", "11"],
  "1D": ["01", "16"],
  "1E": ["01", "91"],
  "1F": ["01", "10", "15"],
  "2A": ["01", "3100"],
  "2B": ["01", "3101"],
  "2C": ["01", "3102"],
  "2D": ["01", "3103"],
  "2E": ["01", "3104"],
  "2F": ["01", "3105"],
  "3A": ["01", "3200"],
  "3B": ["01", "3201"],
  "3C": ["01", "3202"],
  "3D": ["01", "3203"],
  "3E": ["01", "3204"],
  "3F": ["01", "3205"],
  "9A": ["8010", "8011"],
  "9B": ["8017", "8019"],
  "9C": ["8018", "8019"],
  "9D": ["414", "254"],
  ...Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => [`A${d}`, ["01", `392${d}`]])),
  ...Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => [`C${d}`, ["255", `390${d}`]])),
  CA: ["255", "3940"],
  CB: ["255", "3941"],
  CC: ["255", "3942"],
  CD: ["255", "3943"],
};

export class CompressionError extends Error {
  override name = "CompressionError";
}

type Part = { numeric: boolean; fixed: boolean; length: number };

/** The standard's component table for an AI, from the dictionary's components (see the module comment). */
export function compressionParts(ai: string): Part[] {
  const def = GS1_AI_TABLE[ai];
  if (!def) throw new CompressionError(`"${ai}" is not a GS1 application identifier`);
  const parts: Part[] = [];
  let run: Gs1Component[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const numeric = run[0]!.charset === "N";
    const mandatoryFixed = run.filter((c) => !c.optional && c.min === c.max);
    const allFixed = mandatoryFixed.length === run.length;
    if (numeric) {
      const head = run.findIndex((c) => c.optional || c.min !== c.max);
      const fixed = (head < 0 ? run : run.slice(0, head)).reduce((n, c) => n + c.max, 0);
      const rest = head < 0 ? 0 : run.slice(head).reduce((n, c) => n + c.max, 0);
      if (fixed > 0) parts.push({ numeric, fixed: true, length: fixed });
      if (rest > 0) parts.push({ numeric, fixed: false, length: rest });
    } else parts.push({ numeric, fixed: allFixed, length: run.reduce((n, c) => n + c.max, 0) });
    run = [];
  };
  for (const c of def.components) {
    if (run.length > 0 && (run[0]!.charset === "N") !== (c.charset === "N")) flush();
    run.push(c);
  }
  flush();
  return parts;
}

const valueBits = (digits: number) => Math.ceil((digits * Math.log(10)) / Math.log(2) + 0.01);
const lengthBits = (max: number) => Math.ceil(Math.log(max) / Math.log(2) + 0.01);
const aiLength = (prefix: string) => Object.keys(GS1_AI_TABLE).find((ai) => ai.startsWith(prefix))?.length;

class BitWriter {
  bits = "";
  int(value: bigint | number, width: number) {
    const s = BigInt(value).toString(2);
    if (s.length > width) throw new CompressionError(`${value} does not fit in ${width} bits`);
    this.bits += s.padStart(width, "0");
  }
}

class BitReader {
  at = 0;
  constructor(readonly bits: string) {}
  int(width: number): bigint {
    if (this.at + width > this.bits.length) throw new CompressionError("the compressed data ends too early");
    const s = this.bits.slice(this.at, (this.at += width));
    return width === 0 ? 0n : BigInt("0b" + s);
  }
}

// The densest character encoding a value fits (digits only without a leading zero: the number would lose it).
function encodingOf(value: string): number {
  const enc =
    value === "" || !/^[0-9]+$/.test(value) || (value.startsWith("0") && value.length > 1)
      ? /^[0-9a-f]+$/.test(value)
        ? 1
        : /^[0-9A-F]+$/.test(value)
          ? 2
          : /^[A-Za-z0-9_-]*$/.test(value)
            ? 3
            : 4
      : 0;
  return enc;
}

function writeEncoded(w: BitWriter, enc: number, value: string) {
  if (enc === 0) w.int(BigInt(value), valueBits(value.length));
  else if (enc === 1 || enc === 2) for (const ch of value.toUpperCase()) w.int(HEX.indexOf(ch), 4);
  else if (enc === 3) for (const ch of value) w.int(B64.indexOf(ch), 6);
  else for (const ch of value) w.int(ch.charCodeAt(0), 7);
}

function readEncoded(r: BitReader, enc: number, chars: number): string {
  if (enc === 0) return r.int(valueBits(chars)).toString().padStart(chars, "0");
  let s = "";
  for (let i = 0; i < chars; i++) {
    if (enc === 1 || enc === 2) s += HEX[Number(r.int(4))]!;
    else if (enc === 3) s += B64[Number(r.int(6))]!;
    else if (enc === 4) s += String.fromCharCode(Number(r.int(7)));
    else throw new CompressionError(`unknown character encoding ${enc}`);
  }
  return enc === 1 ? s.toLowerCase() : s;
}

function writeValue(w: BitWriter, ai: string, value: string) {
  let rest = value;
  for (const p of compressionParts(ai)) {
    const part = p.fixed ? rest.slice(0, p.length) : rest;
    if (p.fixed && part.length < p.length) throw new CompressionError(`AI ${ai}: "${value}" is too short`);
    if (!p.fixed && part.length > p.length) throw new CompressionError(`AI ${ai}: "${value}" is too long`);
    rest = rest.slice(part.length);
    if (p.numeric) {
      if (!/^[0-9]*$/.test(part)) throw new CompressionError(`AI ${ai}: "${part}" is not digits`);
      if (!p.fixed) w.int(part.length, lengthBits(p.length));
      if (part !== "") w.int(BigInt(part), valueBits(part.length));
    } else {
      const enc = encodingOf(part);
      if (enc === 4 && /[^\x00-\x7f]/.test(part)) throw new CompressionError(`AI ${ai}: "${part}" is not ASCII`);
      w.int(enc, 3);
      if (!p.fixed) w.int(part.length, lengthBits(p.length));
      writeEncoded(w, enc, part);
    }
  }
  if (rest !== "") throw new CompressionError(`AI ${ai}: "${value}" is too long`);
}

function readValue(r: BitReader, ai: string): string {
  let value = "";
  for (const p of compressionParts(ai)) {
    if (p.numeric) {
      const digits = p.fixed ? p.length : Number(r.int(lengthBits(p.length)));
      if (digits > 0) value += r.int(valueBits(digits)).toString().padStart(digits, "0");
    } else {
      const enc = Number(r.int(3));
      const chars = p.fixed ? p.length : Number(r.int(lengthBits(p.length)));
      value += readEncoded(r, enc, chars);
    }
  }
  return value;
}

/** Element strings (and non-GS1 key=value pairs) as a compressed Digital Link segment. @throws CompressionError */
export function compressElements(elements: readonly Gs1Element[], others: Record<string, string> = {}): string {
  const w = new BitWriter();
  const optimisations = Object.entries(OPTIMISATIONS).sort((a, b) => b[1].length - a[1].length);
  for (let i = 0; i < elements.length;) {
    const opt = optimisations.find(([, seq]) => seq.every((ai, k) => elements[i + k]?.ai === ai));
    const seq = opt ? opt[1] : [elements[i]!.ai];
    if (opt) for (const ch of opt[0]) w.int(HEX.indexOf(ch), 4);
    else for (const d of elements[i]!.ai) w.int(Number(d), 4);
    for (let k = 0; k < seq.length; k++) writeValue(w, elements[i + k]!.ai, elements[i + k]!.value);
    i += seq.length;
  }
  for (const [key, value] of Object.entries(others)) {
    if (!/^[A-Za-z0-9_-]{1,127}$/.test(key) || value.length > 127 || /[^\x00-\x7f]/.test(value))
      throw new CompressionError(`the parameter "${key}" cannot be compressed`);
    w.int(0xf, 4);
    w.int(key.length, 7);
    for (const ch of key) w.int(B64.indexOf(ch), 6);
    const enc = encodingOf(value);
    w.int(enc, 3);
    w.int(value.length, 7);
    writeEncoded(w, enc, value);
  }
  const bits = w.bits + "0".repeat((6 - (w.bits.length % 6)) % 6);
  let out = "";
  for (let i = 0; i < bits.length; i += 6) out += B64[parseInt(bits.slice(i, i + 6), 2)]!;
  return out;
}

/** A compressed Digital Link segment back to its element strings (in order) and other pairs. @throws CompressionError */
export function decompressElements(segment: string): { elements: Gs1Element[]; others: Record<string, string> } {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) throw new CompressionError("a compressed Digital Link is URI-safe base64");
  const r = new BitReader([...segment].map((c) => B64.indexOf(c).toString(2).padStart(6, "0")).join(""));
  const elements: Gs1Element[] = [];
  const others: Record<string, string> = {};
  while (r.bits.length - r.at > 8) {
    const h1 = HEX[Number(r.int(4))]!;
    const h2 = HEX[Number(r.int(4))]!;
    if (/^\d\d$/.test(h1 + h2)) {
      const length = aiLength(h1 + h2);
      if (length === undefined) throw new CompressionError(`no AI starts with ${h1}${h2}`);
      let ai = h1 + h2;
      while (ai.length < length) {
        const d = Number(r.int(4));
        if (d > 9) throw new CompressionError(`AI ${ai}...: not a digit`);
        ai += String(d);
      }
      elements.push({ ai, value: readValue(r, ai) });
    } else if (OPTIMISATIONS[h1 + h2]) {
      for (const ai of OPTIMISATIONS[h1 + h2]!) elements.push({ ai, value: readValue(r, ai) });
    } else if (h1 === "F") {
      r.at -= 4;
      const keyLength = Number(r.int(7));
      let key = "";
      for (let i = 0; i < keyLength; i++) key += B64[Number(r.int(6))]!;
      const enc = Number(r.int(3));
      others[key] = readEncoded(r, enc, Number(r.int(7)));
    } else throw new CompressionError(`no optimisation has the code ${h1}${h2}`);
  }
  if (/1/.test(r.bits.slice(r.at))) throw new CompressionError("the compressed data has trailing bits");
  return { elements, others };
}
