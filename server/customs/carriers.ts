import type { DbProvider } from "../db/client";
import { chunks, placeholders, query, type Runner } from "../db/sql";
import { MAX_CONTAINMENT_DEPTH, VALID } from "../consolidation/view";

/**
 * The owners of the master and house waybills that carry each case's parcel as of `at`, from the
 * consolidation index (docs/customs.md, *Everyone is told*): up from the waybill numbers of the
 * case's PARCEL waybills that count, through the containment edges (a waybill naming its master, a
 * Consolidation of a house), to the MASTER and HOUSE waybills the hub knows under those numbers.
 *
 * A consignment's place is said by whoever carries it: an edge counts when the owner of the contained
 * waybill states it (for the parcel: the case's own waybill; a house's forwarder naming its master),
 * or when the owner of the container's waybill states it (a forwarder's house of parcels) and that
 * container is, by its own carrier's word, under a node the parcel is under (a house under the
 * parcel's master). So nobody puts its own house over another's parcel without knowing both the
 * parcel's and the master's numbers. Every owner of a MASTER or HOUSE waybill under a number
 * reached is told; a master's number is its airline's (the prefix its credential names,
 * sdk/authority/table.ts).
 */
export async function carriersOfCases(db: Runner, provider: DbProvider, caseIds: readonly string[], at: Date): Promise<Map<string, string[]>> {
  const when = at.toISOString();
  // The case's parcels: the waybills that count in it, at the version the case holds.
  const parcels: { caseId: string; waybillNumber: string; owner: string }[] = [];
  for (const part of chunks([...caseIds]))
    parcels.push(
      ...(await query<(typeof parcels)[number]>(
        db,
        provider,
        `SELECT d."caseId", w."waybillNumber", w."owner" FROM "CustomsDocument" d
           JOIN "ContainmentWaybill" w ON w."recordId" = d."recordId" AND w."version" = d."version"
          WHERE d."caseId" IN (${placeholders(1, part.length)}) AND d."kind" = 'WAYBILL' AND d."admitted" = 1`,
        part,
      )),
    );
  if (parcels.length === 0) return new Map();

  // Who owns a waybill under each node's number (a parcel: only the case's own waybill speaks for it),
  // and which master or house waybills are there to be told.
  const owners = new Map<string, Set<string>>();
  const carriers = new Map<string, Set<string>>();
  for (const p of parcels) owners.set(p.waybillNumber, (owners.get(p.waybillNumber) ?? new Set()).add(p.owner));
  /** Containers above each node, as said by the node's own carrier. */
  const above = new Map<string, Set<string>>();
  /** Contents of each container, as said by the container's own carrier (a forwarder's house of parcels). */
  const holds = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string, v: string) => m.set(k, (m.get(k) ?? new Set()).add(v));

  let frontier = [...owners.keys()];
  const seen = new Set(frontier);
  for (let depth = 1; depth <= MAX_CONTAINMENT_DEPTH && frontier.length > 0; depth++) {
    const edges: { containerId: string; contentId: string; stater: string }[] = [];
    for (const part of chunks(frontier))
      edges.push(
        ...(await query<(typeof edges)[number]>(
          db,
          provider,
          `SELECT e."containerId", e."contentId", s."owner" AS "stater"
             FROM "ContainmentEdge" e JOIN "ContainmentStatement" s ON s."recordId" = e."recordId" AND s."version" = e."version"
            WHERE e."contentId" IN (${placeholders(2, part.length)}) AND e."relation" = 'contains' AND ${VALID("e")}`,
          [when, ...part],
        )),
      );
    const containers = [...new Set(edges.map((e) => e.containerId))].filter((c) => !owners.has(c));
    for (const part of chunks(containers)) {
      const rows = await query<{ waybillNumber: string; owner: string; waybillType: string }>(
        db,
        provider,
        `SELECT w."waybillNumber", w."owner", w."waybillType" FROM "ContainmentWaybill" w
          WHERE w."waybillNumber" IN (${placeholders(2, part.length)}) AND ${VALID("w")}`,
        [when, ...part],
      );
      for (const r of rows) {
        owners.set(r.waybillNumber, (owners.get(r.waybillNumber) ?? new Set()).add(r.owner));
        if (r.waybillType === "MASTER" || r.waybillType === "HOUSE") carriers.set(r.waybillNumber, (carriers.get(r.waybillNumber) ?? new Set()).add(r.owner));
      }
    }
    const next: string[] = [];
    for (const e of edges) {
      const byContent = owners.get(e.contentId)?.has(e.stater) ?? false;
      const byContainer = owners.get(e.containerId)?.has(e.stater) ?? false;
      if (byContent) add(above, e.contentId, e.containerId);
      else if (byContainer) add(holds, e.containerId, e.contentId);
      else continue;
      if (!seen.has(e.containerId)) {
        seen.add(e.containerId);
        next.push(e.containerId);
      }
    }
    frontier = next;
  }

  /** Every node above `from` by its carriers' own word. */
  const upFrom = (from: string): Set<string> => {
    const reached = new Set<string>();
    const walk = [from];
    while (walk.length > 0) for (const k of above.get(walk.pop()!) ?? []) if (!reached.has(k) && reached.add(k)) walk.push(k);
    return reached;
  };
  const told = new Map<string, string[]>();
  for (const p of parcels) {
    const up = upFrom(p.waybillNumber);
    const nodes = new Set(up);
    // A container that says it holds the parcel (or a node above it) counts where its own carrier
    // puts it under a node the parcel is under: a forwarder's house of parcels under the parcel's master.
    for (const [container, contents] of holds)
      if ([...contents].some((c) => c === p.waybillNumber || up.has(c))) {
        const itsUp = upFrom(container);
        if ([...itsUp].some((k) => up.has(k))) for (const k of [container, ...itsUp]) nodes.add(k);
      }
    const orgs = [...nodes].flatMap((k) => [...(carriers.get(k) ?? [])]);
    told.set(p.caseId, [...new Set([...(told.get(p.caseId) ?? []), ...orgs])].sort());
  }
  return told;
}
