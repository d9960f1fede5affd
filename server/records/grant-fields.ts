import { z } from "zod";
import { RECORD_TYPES, isRecordType } from "../../sdk/records";
import { classSchema } from "../../sdk/one-record/model";
import type { Db } from "../db/client";
import { badRequest } from "../http/problem";
import { LOGISTICS_OBJECT } from "./links";

/** A logistics object always shows its class: the ONE Record API cannot render it without. */
const ALWAYS_SHOWN: Readonly<Record<string, readonly string[]>> = { [LOGISTICS_OBJECT]: ["objectType", "additionalTypes"] };

const keysOf = (schema: z.ZodType): string[] => (schema instanceof z.ZodObject ? Object.keys(schema.shape) : []);

/**
 * The top-level fields a field-level grant of the record may name: its type's schema keys; for a
 * logistics object (a loose schema per cargo class) its class's properties and whatever its latest
 * version holds.
 */
export async function shareableFields(db: Pick<Db, "recordVersion">, record: { id: string; type: string; latestVersion: number }): Promise<Set<string>> {
  if (!isRecordType(record.type)) return new Set();
  const names = new Set(keysOf(RECORD_TYPES[record.type]));
  if (record.type === LOGISTICS_OBJECT) {
    const row = await db.recordVersion.findUnique({
      where: { recordId_version: { recordId: record.id, version: record.latestVersion } },
      select: { body: true },
    });
    const body = row ? (JSON.parse(row.body) as Record<string, unknown>) : {};
    for (const k of keysOf(classSchema(String(body.objectType)))) names.add(k);
    for (const k of Object.keys(body)) names.add(k);
  }
  return names;
}

/**
 * The fields of a grant, checked against what the record can share (a 400 naming the first unknown
 * one, at `path`), with what its type always shows; sorted, without duplicates.
 */
export function checkedFields(type: string, fields: readonly string[], shareable: ReadonlySet<string>, path = "fields"): string[] {
  fields.forEach((f, i) => {
    if (!shareable.has(f)) throw badRequest("unknown-field", `A ${type} has no field ${f}.`, [{ path: `${path}.${i}`, message: `unknown field ${f}` }]);
  });
  return [...new Set([...fields, ...(ALWAYS_SHOWN[type] ?? [])])].sort();
}
