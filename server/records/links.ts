import type { SignedRecord } from "../../sdk/envelope";
import { insertRows } from "../db/bulk-insert";
import { chunks, execute, placeholders } from "../db/sql";
import type { OneRecordIris } from "../one-record/iris";
import type { PublishContext, RecordObserver } from "./observers";

/** The record type every ONE Record object is stored as (sdk/records/logistics-object.ts). */
export const LOGISTICS_OBJECT = "LogisticsObject";
/** The ONE Record event class, and the property naming the object an event is about. */
export const LOGISTICS_EVENT = "LogisticsEvent";
export const EVENT_FOR = "eventFor";

/** A reference from a logistics object to another one of this hub, by the top-level property holding it. */
export interface ObjectLink {
  toId: string;
  property: string;
}

/** Fields of the body that are not cargo properties. */
const NOT_PROPERTIES = new Set(["objectType", "additionalTypes"]);

/**
 * Every record id the body references through an `@id` of this hub, anywhere in a property's value
 * (arrays and embedded objects too), once per property. A reference to the object itself is no link.
 */
export function linksOf(body: Record<string, unknown>, iris: OneRecordIris, selfId: string): ObjectLink[] {
  const out: ObjectLink[] = [];
  for (const [property, value] of Object.entries(body)) {
    if (NOT_PROPERTIES.has(property)) continue;
    const seen = new Set<string>();
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(visit);
      if (v === null || typeof v !== "object") return;
      const node = v as Record<string, unknown>;
      const iri = node["@id"];
      if (typeof iri === "string") {
        const id = iris.recordIdOf(iri);
        if (id !== undefined && id !== selfId && !seen.has(id)) {
          seen.add(id);
          out.push({ toId: id, property });
        }
      }
      for (const [k, inner] of Object.entries(node)) if (k !== "@id" && k !== "@type") visit(inner);
    };
    visit(value);
  }
  return out;
}

/**
 * The link index: for each logistics object, the objects its latest version references
 * (RecordLink rows). A new version replaces its links. Linked grants, events and the customs manifest
 * policy are evaluated over it (server/records/access.ts). Any other record type costs one string
 * comparison per record (the customs benchmark publishes hundreds of thousands of those).
 */
export class RecordLinks implements RecordObserver {
  constructor(private readonly iris: OneRecordIris) {}

  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    let latest: Map<string, SignedRecord> | undefined;
    for (const r of records) {
      if (r.type !== LOGISTICS_OBJECT) continue;
      // Versions of one id in one batch are consecutive: the last one is the latest.
      (latest ??= new Map()).set(r.id, r);
    }
    if (!latest) return;
    const { tx, provider } = ctx;
    const replaced = [...latest.values()].filter((r) => r.version > 1).map((r) => r.id);
    for (const ids of chunks(replaced)) await execute(tx, provider, `DELETE FROM "RecordLink" WHERE "fromId" IN (${placeholders(1, ids.length)})`, ids);
    const rows: (string | null)[][] = [];
    for (const r of latest.values()) {
      const objectType = typeof r.body.objectType === "string" ? r.body.objectType : "";
      for (const l of linksOf(r.body, this.iris, r.id)) rows.push([r.id, l.toId, l.property, objectType]);
    }
    await insertRows(tx, provider, "RecordLink", ["fromId", "toId", "property", "fromObjectType"], rows);
  }
}
