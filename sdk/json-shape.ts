/**
 * Limits on the shape of JSON received from elsewhere (an HTTP body, a document handed to the SDK),
 * checked once before anything walks it:
 * - nesting depth: the recursive walks (JSON-LD, digests, redaction, EPCIS hashing, zod) would
 *   overflow the stack on hostile nesting; no record, event or object needs more than this;
 * - reserved names: `__proto__`, `constructor` and `prototype` as a key are at best dropped by a
 *   later copy (`{...x}`, zod) and at worst reach an object's prototype, so they are refused.
 * The check itself is iterative: it cannot overflow on what it is there to refuse.
 */

/** The deepest nesting of arrays and objects accepted (the value itself is level 1). */
export const MAX_JSON_DEPTH = 64;

const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** A key that may not name a field anywhere: it means something to JavaScript objects. */
export const isReservedKey = (key: string): boolean => RESERVED_KEYS.has(key);

export type JsonShapeFault = "too-deep" | "reserved-key";

/** A value outside the limits; `path` names where (dot-separated, array indexes as numbers: `records.0.body`). */
export class JsonShapeError extends Error {
  constructor(
    readonly fault: JsonShapeFault,
    readonly path: string,
    /** What is wrong there, without the path. */
    readonly reason: string,
  ) {
    super(path ? `${path}: ${reason}` : reason);
    this.name = "JsonShapeError";
  }
}

type Visit = { value: unknown; depth: number; key: string | number; parent: Visit | undefined };

/** The path of a visit, built only when an error names it. */
function pathOf(visit: Visit | undefined): string {
  const keys: (string | number)[] = [];
  for (let v = visit; v?.parent !== undefined; v = v.parent) keys.push(v.key);
  return keys.reverse().join(".");
}

export interface JsonShapeLimits {
  maxDepth?: number;
  /** Only the depth (for data already checked once, e.g. what the hub stored, that is walked again). */
  depthOnly?: boolean;
}

/**
 * Throws a JsonShapeError if `value` nests deeper than `maxDepth` or has a reserved key anywhere.
 * Plain data only is walked (arrays and objects); anything else is a leaf.
 */
export function checkJsonShape(value: unknown, { maxDepth = MAX_JSON_DEPTH, depthOnly = false }: JsonShapeLimits = {}): void {
  const stack: Visit[] = [{ value, depth: 1, key: "", parent: undefined }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const v = visit.value;
    if (typeof v !== "object" || v === null) continue;
    if (visit.depth > maxDepth) throw new JsonShapeError("too-deep", pathOf(visit), `nested deeper than ${maxDepth} levels`);
    const depth = visit.depth + 1;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth, key: i, parent: visit });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (!depthOnly && isReservedKey(key))
        throw new JsonShapeError("reserved-key", pathOf({ value: undefined, depth, key, parent: visit }), `'${key}' is not allowed as a field name`);
      stack.push({ value: (v as Record<string, unknown>)[key], depth, key, parent: visit });
    }
  }
}
