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

/**
 * Candidates read per identifier before access is checked: enough for a bounded answer of what
 * the caller may read among many it may not (a GTIN of a busy brand).
 */
export const CANDIDATES = 1000;

export interface LookupDeps {
  db: Db;
  provider: DbProvider;
  iris: OneRecordIris;
}

type Lookup = (deps: LookupDeps, raw: string) => Promise<Designation[]>;

const ids = async (deps: LookupDeps, text: string, params: (string | number)[]): Promise<Designation[]> =>
  (await query<{ recordId: string }>(deps.db, deps.provider, `${text} ORDER BY 1 LIMIT ${CANDIDATES}`, params)).map((r) => ({ recordId: r.recordId }));

const versions = async (deps: LookupDeps, text: string, params: string[]): Promise<Designation[]> =>
  (await query<{ recordId: string; version: unknown }>(deps.db, deps.provider, `${text} LIMIT ${CANDIDATES}`, params)).map((r) => ({
    recordId: r.recordId,
    version: asNumber(r.version),
  }));

/**
 * The records naming a GS1 code themselves: EPCIS events listing it (as written, or in its
 * canonical Digital Link form: an SGTIN's URN and its Digital Link meet), and records the product
 * index has under it. A product code names what lies within it: a GTIN alone every lot and item
 * of it, a lot its items.
 */
const gs1Code: Lookup = async (deps, raw) => {
  const canonical = canonicalGs1Uri(raw);
  const product = productOfEpc(raw);
  const out: Designation[] = await ids(deps, `SELECT DISTINCT "recordId" FROM "EpcisEventEpc" WHERE "epc" = $1 OR "canonical" = $2`, [raw, canonical]);
  if (product) {
    const parts: [string, string][] = [["gtin", product.gtin]];
    if (product.lot !== undefined) parts.push(["lot", product.lot]);
    if (product.serial !== undefined) parts.push(["serial", product.serial]);
    const where = parts.map(([c], i) => `"${c}" = $${i + 1}`).join(" AND ");
    const values = parts.map(([, v]) => v);
    out.push(
      ...(await ids(deps, `SELECT DISTINCT "recordId" FROM "ProductIndex" WHERE "recordId" = "source" AND ${where}`, values)),
      ...(await ids(deps, `SELECT DISTINCT "recordId" FROM "EpcisEventEpc" WHERE ${where}`, values)),
    );
  }
  return out;
};

/** One lookup per identifier kind: the records (or versions) the identifier names, readable or not. */
export const LOOKUPS: Record<IdentifierKind, Lookup> = {
  "record-id": (deps, raw) => ids(deps, `SELECT "id" AS "recordId" FROM "Record" WHERE "id" = $1`, [raw]),
  digest: (deps, raw) => versions(deps, `SELECT "recordId", "version" FROM "RecordVersion" WHERE "digest" = $1`, [raw.toLowerCase()]),
  "merkle-leaf": (deps, raw) => versions(deps, `SELECT "recordId", "version" FROM "ResolveKey" WHERE "kind" = '${LEAF}' AND "value" = $1`, [raw.toLowerCase()]),
  "one-record-iri": async (deps, raw) => {
    // Only an object IRI of this hub: the record id after its /logistics-objects/, of a logistics object.
    const id = deps.iris.recordIdOf(raw) ?? "-";
    return ids(deps, `SELECT "id" AS "recordId" FROM "Record" WHERE "id" = $1 AND "type" = 'LogisticsObject'`, [id]);
  },
  "epcis-event-id": (deps, raw) =>
    // An event's own eventID, or its CBV 2.0 hash (which the hub keys events by).
    ids(deps, `SELECT "recordId" FROM "EpcisEvent" WHERE "eventId" = $1 OR "eventHash" = $1`, [raw]),
  "epc-urn": gs1Code,
  "digital-link": gs1Code,
  "air-waybill": (deps, raw) => ids(deps, `SELECT DISTINCT "recordId" FROM "ResolveKey" WHERE "kind" = '${AWB}' AND "value" = $1`, [awbDigits(raw)]),
};

/** The kinds whose identifiers come from a record's body: they name it only to who reads its whole body. */
export const BODY_KINDS: ReadonlySet<IdentifierKind> = new Set(["epcis-event-id", "epc-urn", "digital-link", "air-waybill"]);
