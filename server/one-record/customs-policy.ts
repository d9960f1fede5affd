import type { SignedRecord } from "../../sdk/envelope";
import { CARGO } from "../../sdk/one-record/vocabulary";
import type { AccessLogWriter } from "../access-log/writer";
import type { DbProvider } from "../db/client";
import { chunks, placeholders, query, type Runner } from "../db/sql";
import { grantByPolicy, type PolicyGrant } from "../records/grants";
import { LOGISTICS_OBJECT } from "../records/links";
import type { PublishContext, RecordObserver } from "../records/observers";
import type { CustomsAirports } from "./customs-airports";
import type { OneRecordIris } from "./iris";

export { CustomsAirportsSchema, type CustomsAirports } from "./customs-airports";

/** The named policy, as grants and the access log name it. */
export const POLICY_MANIFEST = "customs-manifest";

type Body = Record<string, unknown>;

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const nodeId = (v: unknown): string | undefined =>
  v !== null && typeof v === "object" && typeof (v as Body)["@id"] === "string" ? ((v as Body)["@id"] as string) : undefined;

/** A master waybill: waybillType cargo:MASTER. */
export function isMasterWaybill(body: Body): boolean {
  return body.objectType === "Waybill" && asList(body.waybillType).some((t) => nodeId(t) === `${CARGO}MASTER`);
}

/** The codes of a Location's locationCodes: a CodeListElement's `code`, or the last segment of a code IRI. */
export function locationCodesOf(location: unknown): string[] {
  if (location === null || typeof location !== "object") return [];
  const codes: string[] = [];
  for (const c of asList((location as Body).locationCodes)) {
    if (c === null || typeof c !== "object") continue;
    const code = (c as Body).code;
    const text =
      typeof code === "string"
        ? code
        : code && typeof code === "object" && typeof (code as Body)["@value"] === "string"
          ? ((code as Body)["@value"] as string)
          : undefined;
    const id = nodeId(c);
    const value = text ?? (id !== undefined ? id.slice(Math.max(id.lastIndexOf("#"), id.lastIndexOf("/")) + 1) : undefined);
    if (value) codes.push(value.trim().toUpperCase());
  }
  return codes;
}

/**
 * Customs reads the manifest of flights arriving at its airports, by the named policy
 * "customs-manifest" (CUSTOMS_AIRPORTS; docs/one-record.md "Sharing"). When a master waybill whose
 * arrivalLocation is a configured airport (an embedded Location with its locationCodes, or a
 * reference to a stored Location) is stored, that airport's customs organisations get a linked grant
 * of it, and of every house waybill whose own masterWaybill names it (its owner declared it by
 * consolidating it), stored before or after the master. The linked grants cover the houses' shipments,
 * pieces and events at read time. Nothing else: the master's houseWaybills list exposes nobody's house.
 * Without CUSTOMS_AIRPORTS, and for every record that is not a Waybill, it does nothing.
 */
export class CustomsManifestPolicy implements RecordObserver {
  constructor(
    private readonly airports: CustomsAirports,
    private readonly iris: OneRecordIris,
    private readonly accessLog: AccessLogWriter,
  ) {}

  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    if (this.airports.size === 0) return;
    let waybills: Map<string, SignedRecord> | undefined;
    for (const r of records) if (r.type === LOGISTICS_OBJECT && r.body.objectType === "Waybill") (waybills ??= new Map()).set(r.id, r);
    if (!waybills) return;
    const { tx, provider } = ctx;

    // Houses of this publication, by the master they name.
    const houses: { id: string; owner: string; masterId: string }[] = [];
    for (const w of waybills.values())
      for (const m of asList(w.body.masterWaybill)) {
        const masterId = nodeId(m) !== undefined ? this.iris.recordIdOf(nodeId(m)!) : undefined;
        if (masterId !== undefined && masterId !== w.id) houses.push({ id: w.id, owner: w.owner, masterId });
      }

    // Masters: those stored now, and the stored ones the new houses name.
    const masterBodies = new Map<string, { owner: string; body: Body }>();
    for (const w of waybills.values()) if (isMasterWaybill(w.body)) masterBodies.set(w.id, { owner: w.owner, body: w.body });
    const elsewhere = [...new Set(houses.map((h) => h.masterId))].filter((id) => !waybills.has(id));
    for (const [id, latest] of await latestBodies(tx, provider, elsewhere)) if (isMasterWaybill(latest.body)) masterBodies.set(id, latest);
    if (masterBodies.size === 0) return;

    // Each master's customs: by its arrival airport, embedded or a stored Location.
    const arrival = new Map<string, string[]>();
    const locationRefs = new Map<string, string>();
    for (const [id, m] of masterBodies) {
      const location = m.body.arrivalLocation;
      const codes = asList(location).flatMap(locationCodesOf);
      arrival.set(id, codes);
      const ref = codes.length === 0 ? nodeId(asList(location)[0]) : undefined;
      const refId = ref !== undefined ? this.iris.recordIdOf(ref) : undefined;
      if (refId !== undefined) locationRefs.set(id, refId);
    }
    if (locationRefs.size > 0) {
      const locations = await latestBodies(tx, provider, [...new Set(locationRefs.values())]);
      for (const [masterId, locId] of locationRefs) {
        const loc = locations.get(locId);
        if (loc && loc.body.objectType === "Location") arrival.set(masterId, locationCodesOf(loc.body));
      }
    }
    const named = new Map<string, string[]>();
    for (const [id, codes] of arrival) {
      const orgs = [...new Set(codes.flatMap((c) => this.airports.get(c) ?? []))];
      if (orgs.length > 0) named.set(id, orgs);
    }
    if (named.size === 0) return;
    const offices = await customsOrganisations(tx, provider, [...new Set([...named.values()].flat())]);
    const customsOf = new Map([...named].map(([id, orgs]) => [id, orgs.filter((o) => offices.has(o))] as const));

    const grants: PolicyGrant[] = [];
    const grant = (recordId: string, owner: string, masterId: string) => {
      for (const grantee of customsOf.get(masterId) ?? []) grants.push({ recordId, owner, grantee, policy: POLICY_MANIFEST, scope: "linked" });
    };
    // A master named by a new house is granted again (a no-op unless customs was admitted after it).
    for (const [id, m] of masterBodies) grant(id, m.owner, id);
    for (const h of houses) grant(h.id, h.owner, h.masterId);
    // Houses stored before their master: the link index knows them (this publication's links included).
    const fresh = [...masterBodies.keys()].filter((id) => waybills.has(id) && customsOf.get(id)?.length);
    for (const part of chunks(fresh)) {
      const rows = await query<{ fromId: string; toId: string; owner: string }>(
        tx,
        provider,
        `SELECT l."fromId", l."toId", r."owner" FROM "RecordLink" l JOIN "Record" r ON r."id" = l."fromId"
          WHERE l."toId" IN (${placeholders(1, part.length)}) AND l."property" = 'masterWaybill' AND l."fromObjectType" = 'Waybill'`,
        part,
      );
      for (const r of rows) grant(r.fromId, r.owner, r.toId);
    }
    await grantByPolicy(tx, provider, this.accessLog, grants);
  }
}

/** The latest stored body of each logistics object among `ids`. */
async function latestBodies(tx: Runner, provider: DbProvider, ids: readonly string[]): Promise<Map<string, { owner: string; body: Body }>> {
  const out = new Map<string, { owner: string; body: Body }>();
  for (const part of chunks(ids)) {
    const rows = await query<{ recordId: string; owner: string; body: string }>(
      tx,
      provider,
      `SELECT v."recordId", v."owner", v."body" FROM "RecordVersion" v JOIN "Record" r ON r."id" = v."recordId" AND r."latestVersion" = v."version"
        WHERE v."recordId" IN (${placeholders(2, part.length)}) AND v."type" = $1`,
      [LOGISTICS_OBJECT, ...part],
    );
    for (const r of rows) out.set(r.recordId, { owner: r.owner, body: JSON.parse(r.body) as Body });
  }
  return out;
}

/** Which of the organisations exist with the CUSTOMS role. */
async function customsOrganisations(tx: Runner, provider: DbProvider, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await query<{ id: string; roles: string }>(
    tx,
    provider,
    `SELECT "id", "roles" FROM "Organization" WHERE "id" IN (${placeholders(1, ids.length)})`,
    ids,
  );
  return new Set(rows.filter((r) => r.roles.split(",").includes("CUSTOMS")).map((r) => r.id));
}
