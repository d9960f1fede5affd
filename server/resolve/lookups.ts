import { canonicalGs1Uri } from "../../sdk/epcis/gs1-uri";
import { productOfEpc } from "../../sdk/provenance/epc";
import { awbDigits, type IdentifierKind } from "../../sdk/resolve";
import type { Db, DbProvider } from "../db/client";
import { asNumber, query } from "../db/sql";
import type { OneRecordIris } from "../one-record/iris";
import { AWB, LEAF } from "./keys";

/** A record an identifier names; `version` when it names one version (a digest, a leaf). */
export interface Designation {
  recordId: string;
  version?: number;
}

export interface LookupDeps {
  db: Db;
  provider: DbProvider;
  iris: OneRecordIris;
}

/**
 * The statement whose rows are the records an identifier names, readable or not: "recordId", and
 * "version" where it names versions (a digest, a leaf: a handful of rows, read at once).
 */
export interface Candidates {
  text: string;
  params: string[];
  versioned?: boolean;
}

type Lookup = (deps: LookupDeps, raw: string) => Candidates;

/**
 * One page of candidates after record id `after`, in record id order: the route reads page after
 * page until it has a bounded answer of what the caller may read among many it may not (a GTIN of
 * a busy brand), so a readable record is found however many hidden ones sort before it.
 */
export async function candidatePage(deps: LookupDeps, c: Candidates, pageSize: number, after?: string): Promise<Designation[]> {
  if (c.versioned) {
    const rows = await query<{ recordId: string; version: unknown }>(
      deps.db,
      deps.provider,
      `SELECT c."recordId", c."version" FROM (${c.text}) AS c ORDER BY c."recordId", c."version" LIMIT ${pageSize}`,
      c.params,
    );
    return rows.map((r) => ({ recordId: r.recordId, version: asNumber(r.version) }));
  }
  const params = after === undefined ? c.params : [...c.params, after];
  const keyset = after === undefined ? "" : ` WHERE c."recordId" > $${params.length}`;
  const rows = await query<{ recordId: string }>(
    deps.db,
    deps.provider,
    `SELECT DISTINCT c."recordId" FROM (${c.text}) AS c${keyset} ORDER BY c."recordId" LIMIT ${pageSize}`,
    params,
  );
  return rows.map((r) => ({ recordId: r.recordId }));
}

/**
 * The records naming a GS1 code themselves: EPCIS events listing it (as written, or in its
 * canonical Digital Link form: an SGTIN's URN and its Digital Link meet), and records the product
 * index has under it. A product code names what lies within it: a GTIN alone every lot and item
 * of it, a lot its items.
 */
const gs1Code: Lookup = (_deps, raw) => {
  const params = [raw, canonicalGs1Uri(raw)];
  const texts = [`SELECT "recordId" FROM "EpcisEventEpc" WHERE "epc" = $1 OR "canonical" = $2`];
  const product = productOfEpc(raw);
  if (product) {
    const parts: [string, string][] = [["gtin", product.gtin]];
    if (product.lot !== undefined) parts.push(["lot", product.lot]);
    if (product.serial !== undefined) parts.push(["serial", product.serial]);
    const where = parts.map(([c], i) => `"${c}" = $${params.length + i + 1}`).join(" AND ");
    params.push(...parts.map(([, v]) => v));
    texts.push(`SELECT "recordId" FROM "ProductIndex" WHERE "recordId" = "source" AND ${where}`, `SELECT "recordId" FROM "EpcisEventEpc" WHERE ${where}`);
  }
  return { text: texts.join(" UNION "), params };
};

/** One lookup per identifier kind: the statement naming the records (or versions) the identifier names. */
export const LOOKUPS: Record<IdentifierKind, Lookup> = {
  "record-id": (_deps, raw) => ({ text: `SELECT "id" AS "recordId" FROM "Record" WHERE "id" = $1`, params: [raw] }),
  digest: (_deps, raw) => ({ text: `SELECT "recordId", "version" FROM "RecordVersion" WHERE "digest" = $1`, params: [raw.toLowerCase()], versioned: true }),
  "merkle-leaf": (_deps, raw) => ({
    text: `SELECT "recordId", "version" FROM "ResolveKey" WHERE "kind" = '${LEAF}' AND "value" = $1`,
    params: [raw.toLowerCase()],
    versioned: true,
  }),
  // Only an object IRI of this hub: the record id after its /logistics-objects/, of a logistics object.
  "one-record-iri": (deps, raw) => ({
    text: `SELECT "id" AS "recordId" FROM "Record" WHERE "id" = $1 AND "type" = 'LogisticsObject'`,
    params: [deps.iris.recordIdOf(raw) ?? "-"],
  }),
  // An event's own eventID, or its CBV 2.0 hash (which the hub keys events by).
  "epcis-event-id": (_deps, raw) => ({ text: `SELECT "recordId" FROM "EpcisEvent" WHERE "eventId" = $1 OR "eventHash" = $1`, params: [raw] }),
  "epc-urn": gs1Code,
  "digital-link": gs1Code,
  "air-waybill": (_deps, raw) => ({ text: `SELECT "recordId" FROM "ResolveKey" WHERE "kind" = '${AWB}' AND "value" = $1`, params: [awbDigits(raw)] }),
  // A waybill's own number as its latest version writes it (the consolidation index keeps every waybill by number).
  "waybill-number": (_deps, raw) => ({ text: `SELECT "recordId" FROM "ContainmentWaybill" WHERE "waybillNumber" = $1 AND "validTo" IS NULL`, params: [raw] }),
};

/** The kinds whose identifiers come from a record's body: they name it only to who reads its whole body. */
export const BODY_KINDS: ReadonlySet<IdentifierKind> = new Set(["epcis-event-id", "epc-urn", "digital-link", "air-waybill", "waybill-number"]);
