import {
  ConsolidationDiscrepancySchema,
  STATEMENT_KINDS,
  type ConsolidationView,
  type ContainmentNode,
  type ShownEdge,
  type StatementView,
  type WaybillView,
  type Weight,
} from "../../sdk/consolidation";
import type { ShownRecord } from "../access-log/logged";
import { caseId } from "../customs/cases";
import type { Db, DbProvider } from "../db/client";
import { asNumber, chunks, placeholders, query } from "../db/sql";
import { NO_RECORD, accessOf, visibleFields } from "../records/access";

/** How far up and down the index is walked: ULD > master > house > package > piece is five. */
export const MAX_CONTAINMENT_DEPTH = 8;
/** The most edges shown below a node (a ULD of thousands of parcels is cut, and says so). */
export const MAX_CONTAINED_EDGES = 2000;

interface EdgeRow {
  recordId: string;
  version: unknown;
  digest: string;
  recordType: string;
  owner: string;
  containerKind: string;
  containerId: string;
  contentKind: string;
  contentId: string;
  relation: string;
  pieceCount: unknown;
  grossWeight: string | null;
  flight: string | null;
  date: string | null;
  fields: string | null;
  validFrom: string;
}

interface StatementRow {
  recordId: string;
  version: unknown;
  digest: string;
  recordType: string;
  owner: string;
  kind: string;
  containerKind: string;
  containerId: string;
  validFrom: string;
  discrepancies: string;
  origin: string;
}

interface WaybillRow {
  recordId: string;
  version: unknown;
  digest: string;
  owner: string;
  waybillNumber: string;
  waybillType: string;
  orderNumber: string | null;
  platform: string | null;
}

/** Valid at $1: the rows of the version of each record that held then. */
export const VALID = (alias: string) => `${alias}."validFrom" <= $1 AND (${alias}."validTo" IS NULL OR ${alias}."validTo" > $1)`;

const node = (kind: string, id: string) => ({ kind, id }) as ContainmentNode;

/** An edge's counts and weight, when its record gave them (a ONE Record object's do not). */
const figures = (pieceCount: unknown, grossWeight: string | null) => ({
  ...(pieceCount === null || pieceCount === undefined ? {} : { pieceCount: asNumber(pieceCount) }),
  ...(grossWeight === null ? {} : { grossWeight: JSON.parse(grossWeight) as Weight }),
});
const RELATIONS: readonly ShownEdge["relation"][] = ["contains", "split", "identifies"];

/**
 * What contains the node `id` and what it contains as of `at`, from the index rows whose records
 * `orgId` may read (docs/consolidation.md), with every record shown (for the access log); undefined
 * when nothing readable names the node, the same as for a node nobody consolidated.
 */
export async function consolidationView(
  db: Db,
  provider: DbProvider,
  orgId: string,
  id: string,
  at: string,
): Promise<{ view: ConsolidationView; shown: ShownRecord[] } | undefined> {
  // Whether the caller reads each stating record, asked once per record whatever the walk finds.
  const readable = new Map<string, boolean>();
  // The body fields the caller sees of each readable record (null: all).
  const visible = new Map<string, readonly string[] | null>();
  const mayRead = async (ids: readonly string[]) => {
    const ask = [...new Set(ids.filter((i) => !readable.has(i))), NO_RECORD];
    const access = await accessOf(db, orgId, ask);
    for (const i of ask) {
      const a = access.get(i);
      readable.set(i, a !== undefined);
      if (a !== undefined) visible.set(i, visibleFields(a));
    }
  };
  /** An edge is shown to who reads its record, and, reading only some fields of it, every field stating the edge. */
  const mayReadEdge = (r: EdgeRow) => {
    if (!readable.get(r.recordId)) return false;
    const seen = visible.get(r.recordId);
    const stating = r.fields === null ? [] : (JSON.parse(r.fields) as string[]);
    return seen === null || seen === undefined || stating.every((f) => seen.includes(f));
  };

  /** One direction of the walk, level by level, over the edges the caller may read. */
  const walk = async (from: "contentId" | "containerId", limit: number) => {
    const to = from === "contentId" ? "containerId" : "contentId";
    const shown: ShownEdge[] = [];
    const seen = new Set([id]);
    let frontier = [id];
    let truncated = false;
    for (let depth = 1; depth <= MAX_CONTAINMENT_DEPTH && frontier.length > 0 && !truncated; depth++) {
      const rows: EdgeRow[] = [];
      for (const part of chunks(frontier))
        rows.push(
          ...(await query<EdgeRow>(
            db,
            provider,
            `SELECT e."recordId", e."version", s."digest", s."recordType", s."owner", e."containerKind", e."containerId", e."contentKind", e."contentId",
                    e."relation", e."pieceCount", e."grossWeight", e."flight", e."date", e."fields", e."validFrom"
               FROM "ContainmentEdge" e JOIN "ContainmentStatement" s ON s."recordId" = e."recordId" AND s."version" = e."version"
              WHERE e."${from}" IN (${placeholders(2, part.length)}) AND ${VALID("e")}
              ORDER BY e."validFrom", e."recordId", e."contentId"`,
            [at, ...part],
          )),
        );
      await mayRead(rows.map((r) => r.recordId));
      const next: string[] = [];
      for (const r of rows) {
        if (!mayReadEdge(r)) continue;
        if (shown.length >= limit) {
          truncated = true;
          break;
        }
        shown.push({
          container: node(r.containerKind, r.containerId),
          content: node(r.contentKind, r.contentId),
          relation: RELATIONS.find((x) => x === r.relation) ?? "contains",
          ...figures(r.pieceCount, r.grossWeight),
          ...(r.flight ? { flight: r.flight } : {}),
          ...(r.date ? { date: r.date } : {}),
          record: { id: r.recordId, version: asNumber(r.version), digest: r.digest, type: r.recordType },
          owner: r.owner,
          validFrom: r.validFrom,
          depth,
        });
        const reached = r[to];
        if (!seen.has(reached)) {
          seen.add(reached);
          next.push(reached);
        }
      }
      frontier = next;
    }
    return { shown, truncated };
  };

  const up = await walk("contentId", MAX_CONTAINED_EDGES);
  const down = await walk("containerId", MAX_CONTAINED_EDGES);
  const edges = [...up.shown, ...down.shown];

  // The statements behind the edges, and those naming the node itself as container (a split of it).
  const statementIds = [...new Set(edges.map((e) => e.record.id))];
  const statementRows: StatementRow[] = [];
  for (const part of chunks([...statementIds, NO_RECORD]))
    statementRows.push(
      ...(await query<StatementRow>(
        db,
        provider,
        `SELECT s."recordId", s."version", s."digest", s."recordType", s."owner", s."kind", s."containerKind", s."containerId", s."validFrom", s."discrepancies", s."origin"
           FROM "ContainmentStatement" s WHERE s."recordId" IN (${placeholders(2, part.length)}) AND ${VALID("s")} ORDER BY s."validFrom", s."recordId"`,
        [at, ...part],
      )),
    );
  // A split's parts, all of them: whoever reads the split reads every part it names.
  const splitIds = statementRows.filter((s) => s.kind === "split").map((s) => s.recordId);
  const partRows: {
    recordId: string;
    version: unknown;
    contentId: string;
    pieceCount: unknown;
    grossWeight: string;
    flight: string | null;
    date: string | null;
  }[] = [];
  for (const part of chunks([...splitIds, NO_RECORD]))
    partRows.push(
      ...(await query<(typeof partRows)[number]>(
        db,
        provider,
        `SELECT e."recordId", e."version", e."contentId", e."pieceCount", e."grossWeight", e."flight", e."date"
           FROM "ContainmentEdge" e WHERE e."recordId" IN (${placeholders(2, part.length)}) AND ${VALID("e")} ORDER BY e."recordId", e."contentId"`,
        [at, ...part],
      )),
    );
  const statements: StatementView[] = statementRows.map((s) => ({
    record: { id: s.recordId, version: asNumber(s.version), digest: s.digest, type: s.recordType },
    owner: s.owner,
    kind: STATEMENT_KINDS.find((k) => k === s.kind) ?? "consolidation",
    container: node(s.containerKind, s.containerId),
    validFrom: s.validFrom,
    discrepancies: ConsolidationDiscrepancySchema.array().parse(JSON.parse(s.discrepancies)),
    origin: (JSON.parse(s.origin) as unknown[]).map(String),
    ...(s.kind === "split"
      ? {
          parts: partRows
            .filter((p) => p.recordId === s.recordId && asNumber(p.version) === asNumber(s.version))
            .map((p) => ({
              id: p.contentId,
              // A split's parts always have their figures (ConsignmentSplitBody).
              pieceCount: asNumber(p.pieceCount),
              grossWeight: JSON.parse(p.grossWeight) as Weight,
              ...(p.flight ? { flight: p.flight } : {}),
              ...(p.date ? { date: p.date } : {}),
              origin: (JSON.parse(s.origin) as unknown[]).map(String),
            })),
        }
      : {}),
  }));

  // The waybills under the numbers of the nodes shown, with a parcel's customs documents.
  const nodes = [...new Set([id, ...edges.flatMap((e) => [e.container.id, e.content.id])])];
  const waybillRows: WaybillRow[] = [];
  for (const part of chunks(nodes))
    waybillRows.push(
      ...(await query<WaybillRow>(
        db,
        provider,
        `SELECT w."recordId", w."version", w."digest", w."owner", w."waybillNumber", w."waybillType", w."orderNumber", w."platform"
           FROM "ContainmentWaybill" w WHERE w."waybillNumber" IN (${placeholders(2, part.length)}) AND ${VALID("w")} ORDER BY w."waybillNumber", w."recordId"`,
        [at, ...part],
      )),
    );
  await mayRead(waybillRows.map((w) => w.recordId));
  // A waybill's number, order and platform are its body's: shown to who reads the whole body.
  const shownWaybills = waybillRows.filter((w) => readable.get(w.recordId) && visible.get(w.recordId) === null);
  // Nothing readable: the same answer as for a node nobody consolidated.
  if (edges.length === 0 && !shownWaybills.some((w) => w.waybillNumber === id)) return undefined;
  const cases = [...new Set(shownWaybills.flatMap((w) => (w.orderNumber && w.platform ? [caseId(w.platform, w.orderNumber)] : [])))];
  const documentRows: { recordId: string; caseId: string; kind: string; owner: string; version: unknown }[] = [];
  for (const part of chunks([...cases, NO_RECORD]))
    documentRows.push(
      ...(await query<{ recordId: string; caseId: string; kind: string; owner: string; version: unknown }>(
        db,
        provider,
        `SELECT "recordId", "caseId", "kind", "owner", "version" FROM "CustomsDocument" WHERE "caseId" IN (${placeholders(1, part.length)}) ORDER BY "kind", "recordId"`,
        part,
      )),
    );
  await mayRead(documentRows.map((d) => d.recordId));
  const waybills: WaybillView[] = shownWaybills.map((w) => {
    const ofCase = w.orderNumber && w.platform ? caseId(w.platform, w.orderNumber) : undefined;
    return {
      record: { id: w.recordId, version: asNumber(w.version), digest: w.digest, type: "Waybill" },
      owner: w.owner,
      waybillType: w.waybillType === "MASTER" ? "MASTER" : w.waybillType === "HOUSE" ? "HOUSE" : "PARCEL",
      waybillNumber: w.waybillNumber,
      ...(w.orderNumber ? { orderNumber: w.orderNumber } : {}),
      ...(w.platform ? { platform: w.platform } : {}),
      documents: documentRows
        .filter((d) => d.caseId === ofCase && d.recordId !== w.recordId && readable.get(d.recordId))
        .map((d) => ({ kind: d.kind, id: d.recordId, version: asNumber(d.version) })),
    };
  });

  // The origin documents the node carries: those of what splits or consolidates it or what contains it, and of a split of it.
  const carrying = new Set([...up.shown.map((e) => e.record.id), ...statements.filter((s) => s.container.id === id).map((s) => s.record.id)]);
  const stated = new Map<string, StatementView>();
  for (const s of statements) if (carrying.has(s.record.id)) for (const doc of s.origin) if (!stated.has(doc)) stated.set(doc, s);
  await mayRead([...stated.keys()]);
  const originRows: { id: string; type: string; owner: string; latestVersion: unknown; digest: string }[] = [];
  for (const part of chunks([...[...stated.keys()].filter((d) => readable.get(d)), NO_RECORD]))
    originRows.push(
      ...(await query<{ id: string; type: string; owner: string; latestVersion: unknown; digest: string }>(
        db,
        provider,
        `SELECT r."id", r."type", r."owner", r."latestVersion", v."digest" FROM "Record" r JOIN "RecordVersion" v ON v."recordId" = r."id" AND v."version" = r."latestVersion"
          WHERE r."id" IN (${placeholders(1, part.length)})`,
        part,
      )),
    );
  const origins = new Map(originRows.map((r) => [r.id, r]));
  const originDocuments = [...stated].map(([doc, s]) => {
    const r = origins.get(doc);
    return { id: doc, statedBy: s.record, ...(r ? { record: { id: r.id, version: asNumber(r.latestVersion), digest: r.digest, type: r.type } } : {}) };
  });

  const view: ConsolidationView = {
    id,
    at,
    containedIn: up.shown,
    contains: down.shown,
    truncated: down.truncated || up.truncated,
    originDocuments,
    statements,
    waybills,
  };
  const shown: ShownRecord[] = [
    ...statements.map((s) => ({ ...s.record, owner: s.owner })),
    ...waybills.map((w) => ({ ...w.record, owner: w.owner })),
    ...documentRows
      .filter((d) => readable.get(d.recordId) && !waybills.some((w) => w.record.id === d.recordId))
      .map((d) => ({ id: d.recordId, version: asNumber(d.version), owner: d.owner })),
    ...originRows.map((r) => ({ id: r.id, version: asNumber(r.latestVersion), owner: r.owner })),
  ];
  return { view, shown };
}
