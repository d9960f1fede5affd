import type { SignedRecord } from "../../sdk/envelope";
import { customsCaseKey, customsDocumentKind } from "../../sdk/records";
import type { Direction, DocumentKind, SupervisionMode } from "../../sdk/records/customs-common";
import type { CustomsDecisionBody } from "../../sdk/records/customs-decision";
import type { Role } from "../../sdk/roles";
import type { AccessLogWriter } from "../access-log/writer";
import { insertRows } from "../db/bulk-insert";
import { HttpProblem, badRequest, notFound } from "../http/problem";
import { notify } from "../notifications/service";
import { OPERATOR_ORG_ID } from "../orgs/service";
import { grantByPolicy } from "../records/grants";
import type { PublishContext, RecordObserver, RecordPaths } from "../records/observers";
import { carriersOfCases } from "./carriers";
import { KIND_BITS, NOTIFY_DECISION, POLICY_CARRIERS, POLICY_DECLARED, POLICY_PARTIES, caseId, isReservedRecordId, kindMask, requiredMask } from "./cases";
import { applySummaries } from "./summaries";
import { caseDocumentRows, casePartiesIn, customsOffices, namedFromRow, revokeFormerParties, type CaseRowDocument } from "./parties";
import { counts, namedParties, namingOrder, type NamedParties } from "./admission";
import type { OrderBody } from "../../sdk/records/order";
import { chunks, execute, insertMissing, lockRows, placeholders, query, type Runner } from "../db/sql";

/** Who may publish each customs document (any one of the roles). */
const PUBLISHER_ROLES: Record<DocumentKind, readonly Role[]> = {
  ORDER: ["PLATFORM"],
  PAYMENT: ["PAYMENT"],
  WAYBILL: ["FORWARDER", "AIRLINE", "HANDLER"],
  DECLARATION: ["BROKER", "PLATFORM"],
};
const SUMMARY_ROLES: readonly Role[] = ["BROKER", "PLATFORM"];
/** Record types that may be customs documents (a Waybill only when PARCEL): a new version may leave its case. */
const DOCUMENT_TYPES = new Set(["Order", "Payment", "Waybill", "CustomsDeclaration"]);

/** A stored customs document version, as indexed. */
interface IndexedDocument {
  record: SignedRecord;
  /** Its position in the publication (for error paths). */
  index: number;
  kind: DocumentKind;
  caseId: string;
  platform: string;
  orderNumber: string;
  /** Orders and declarations: where and when they are declared. */
  declared?: { customsOffice: string; supervisionMode: string; direction: string; day: string };
}

/** A CustomsCase row as the indexer reads it. */
interface CaseStateRow {
  id: string;
  platform: string;
  customsOffice: string | null;
  kinds: unknown;
  required: unknown;
  revision: unknown;
  paymentProvider: string | null;
  logisticsProvider: string | null;
  declarant: string | null;
  matchResultId: string | null;
  decisionRecordId: string | null;
}

interface CaseState extends Omit<CaseStateRow, "kinds" | "required" | "revision"> {
  kinds: number;
  required: number | null;
  revision: number;
  /** Whom the case's order names (updated when an order arrives in or leaves the case). */
  named: NamedParties;
}

export interface IndexerOptions {
  /** Missing documents of a case are OVERDUE this long after its first document. */
  deadlineMs: number;
  /** An incomplete case is matched this long after its last document (the rest may be on its way). */
  settleMs: number;
}

/**
 * The customs module's RecordObserver: inside each publish transaction it checks who may publish
 * the customs record types, indexes documents into cases (marking them due for the matcher), grants
 * documents to the case's customs office, and applies customs decisions and summary declarations.
 * Anything refused throws an HttpProblem, which refuses the whole publication.
 */
export class CustomsIndexer implements RecordObserver {
  constructor(
    private readonly accessLog: AccessLogWriter,
    private readonly opts: IndexerOptions,
  ) {}

  /**
   * Reserved ids are refused before the publication looks at stored records: otherwise an id taken
   * by a match result would answer the store's 409 and a free one this 403, telling which cases exist.
   */
  async beforeStore(records: readonly SignedRecord[], paths: RecordPaths): Promise<void> {
    records.forEach((record, i) => {
      if (record.owner !== OPERATOR_ORG_ID && isReservedRecordId(record.id))
        throw new HttpProblem(
          403,
          "reserved-record-id",
          "Forbidden",
          `${paths.where(i)}: record ids starting with "match:" or "match-h:" are reserved for the hub's match results.`,
        );
    });
  }

  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const { publisher } = ctx;
    const hub = publisher.orgId === OPERATOR_ORG_ID;
    const documents: IndexedDocument[] = [];
    const leaving: SignedRecord[] = [];
    const decisions: { record: SignedRecord; index: number }[] = [];
    const summaries: { record: SignedRecord; index: number }[] = [];
    const refuse = (i: number, kind: string, detail: string) => new HttpProblem(403, kind, "Forbidden", `${ctx.paths.where(i)}: ${detail}`);

    records.forEach((record, i) => {
      if (record.type === "MatchResult") {
        if (!hub) throw refuse(i, "hub-record", "match results are published by the hub only.");
        return;
      }
      if (record.type === "CustomsDecision") return void decisions.push({ record, index: i });
      if (record.type === "SummaryDeclaration") {
        if (!SUMMARY_ROLES.some((r) => publisher.roles.includes(r)))
          throw refuse(i, "role-required", `publishing a SummaryDeclaration needs the role ${SUMMARY_ROLES.join(" or ")}.`);
        return void summaries.push({ record, index: i });
      }
      const kind = customsDocumentKind(record.type, record.body);
      if (!kind) {
        // A waybill that stopped being a parcel waybill leaves its case.
        if (DOCUMENT_TYPES.has(record.type) && record.version > 1) leaving.push(record);
        return;
      }
      const roles = PUBLISHER_ROLES[kind];
      if (!roles.some((r) => publisher.roles.includes(r)))
        throw refuse(
          i,
          "role-required",
          `publishing a${kind === "ORDER" ? "n" : ""} ${record.type} needs the role ${roles.join(", ").replace(/, (\w+)$/, " or $1")}.`,
        );
      const key = customsCaseKey(record.type, record.body, record.owner)!;
      documents.push({ record, index: i, kind, caseId: caseId(key.platform, key.orderNumber), ...key, declared: declaredOf(record) });
    });

    if (documents.length > 0 || leaving.length > 0) await this.indexDocuments(documents, leaving, ctx);
    if (decisions.length > 0) await this.applyDecisions(decisions, ctx);
    if (summaries.length > 0) await applySummaries(ctx, this.accessLog, summaries);
  }

  /**
   * Upserts the documents' rows, decides which of them count in their cases (admission.ts), opens or
   * re-opens the cases they change, and grants documents to known offices. A document that does not
   * count changes nothing of its case: no revision, no match, no grant beyond the office it names.
   */
  private async indexDocuments(stored: IndexedDocument[], leaving: SignedRecord[], ctx: PublishContext): Promise<void> {
    const { tx, provider, now } = ctx;
    // A batch may hold several versions of one record: the last one counts.
    const latest = new Map<string, IndexedDocument>();
    for (const d of stored) latest.set(d.record.id, d);
    for (const r of leaving) if ((latest.get(r.id)?.record.version ?? Infinity) < r.version) latest.delete(r.id);
    const documents = [...latest.values()];
    await checkOffices(tx, provider, documents, ctx.paths);

    // The rows these versions replace (only a version after the first can replace one), and where they were.
    const replaced = [...documents.filter((d) => d.record.version > 1).map((d) => d.record.id), ...leaving.map((r) => r.id)];
    const before: { recordId: string; caseId: string; kind: string; admitted: unknown }[] = [];
    for (const ids of chunks(replaced))
      before.push(
        ...(await query<(typeof before)[number]>(
          tx,
          provider,
          `SELECT "recordId", "caseId", "kind", "admitted" FROM "CustomsDocument" WHERE "recordId" IN (${placeholders(1, ids.length)})`,
          ids,
        )),
      );
    const touched = new Map<string, { platform: string; orderNumber: string }>();
    for (const d of documents) touched.set(d.caseId, { platform: d.platform, orderNumber: d.orderNumber });
    for (const b of before) if (!touched.has(b.caseId)) touched.set(b.caseId, splitCaseId(b.caseId));

    const ids = [...touched.keys()].sort();
    // Every case exists first (concurrent publications may open the same one), then is locked, and
    // only then are its rows read and written, so concurrent publications see each other's.
    const due = new Date(now.getTime() + this.opts.deadlineMs);
    await insertMissing(
      tx,
      provider,
      "CustomsCase",
      "id",
      ["id", "platform", "orderNumber", "status", "discrepancyCount", "revision", "kinds", "firstDocumentAt", "lastDocumentAt", "dueAt"],
      ids.map((id) => [id, touched.get(id)!.platform, touched.get(id)!.orderNumber, "PENDING", 0, 0, 0, now, now, due]),
    );
    await lockRows(tx, provider, "CustomsCase", "id", ids);
    const cases = new Map<string, CaseState>();
    for (const part of chunks(ids)) {
      const rows = await query<CaseStateRow>(
        tx,
        provider,
        `SELECT "id", "platform", "customsOffice", "kinds", "required", "revision", "paymentProvider", "logisticsProvider", "declarant", "matchResultId", "decisionRecordId"
           FROM "CustomsCase" WHERE "id" IN (${placeholders(1, part.length)})`,
        part,
      );
      for (const r of rows)
        cases.set(r.id, {
          ...r,
          kinds: Number(r.kinds),
          required: r.required === null ? null : Number(r.required),
          revision: Number(r.revision),
          named: namedFromRow(r),
        });
    }
    for (const ids of chunks(replaced)) await execute(tx, provider, `DELETE FROM "CustomsDocument" WHERE "recordId" IN (${placeholders(1, ids.length)})`, ids);

    // Cases whose naming order may change (an order arrives in or leaves them): the parties are
    // decided again from all their orders, and so is which of their stored documents count.
    const renamed = new Set([
      ...documents.filter((d) => d.kind === "ORDER").map((d) => d.caseId),
      ...before.filter((b) => b.kind === "ORDER").map((b) => b.caseId),
    ]);
    const stayed = renamed.size > 0 ? await caseDocumentRows(tx, provider, [...renamed].sort()) : new Map<string, CaseRowDocument[]>();
    const byCase = new Map<string, IndexedDocument[]>();
    for (const d of documents) byCase.set(d.caseId, [...(byCase.get(d.caseId) ?? []), d]);
    for (const id of renamed) {
      const orders = [
        ...(stayed.get(id) ?? []).filter((r) => r.kind === "ORDER"),
        ...(byCase.get(id) ?? [])
          .filter((d) => d.kind === "ORDER")
          .map((d) => ({ kind: d.kind, recordId: d.record.id, version: d.record.version, owner: d.record.owner, body: d.record.body })),
      ];
      cases.get(id)!.named = namedParties(namingOrder(orders)?.body as OrderBody | undefined);
    }
    const admitted = (d: IndexedDocument) => counts(d.platform, cases.get(d.caseId)!.named, d.kind, d.record.owner);

    await insertRows(
      tx,
      provider,
      "CustomsDocument",
      ["recordId", "caseId", "kind", "owner", "version", "customsOffice", "supervisionMode", "direction", "day", "admitted"],
      documents.map((d) => [
        d.record.id,
        d.caseId,
        d.kind,
        d.record.owner,
        d.record.version,
        d.declared?.customsOffice ?? null,
        d.declared?.supervisionMode ?? null,
        d.declared?.direction ?? null,
        d.declared?.day ?? null,
        admitted(d) ? 1 : 0,
      ]),
    );

    // What changed for the match: a document that counts arrived or left, or a stored one starts or stops counting.
    const affected = new Set<string>();
    for (const d of documents) if (admitted(d)) affected.add(d.caseId);
    for (const b of before) if (Number(b.admitted) === 1) affected.add(b.caseId);
    const flips = { admit: [] as string[], drop: [] as string[] };
    const formerParties: { recordIds: string[]; owners: string[] }[] = [];
    const kindsOf = new Map<string, number>();
    for (const id of renamed) {
      const c = cases.get(id)!;
      const rows = stayed.get(id) ?? [];
      const judged = rows.map((r) => ({ ...r, counts: counts(c.platform, c.named, r.kind, r.owner) }));
      for (const r of judged) if (r.counts !== r.admitted) (r.counts ? flips.admit : flips.drop).push(r.recordId);
      if (judged.some((r) => r.counts !== r.admitted)) affected.add(id);
      const mine = (byCase.get(id) ?? []).filter(admitted);
      kindsOf.set(id, kindMask([...judged.filter((r) => r.counts).map((r) => r.kind), ...mine.map((d) => d.kind)]));
      const still = new Set([...judged.filter((r) => r.counts).map((r) => r.owner), ...mine.map((d) => d.record.owner)]);
      const gone = [...new Set(judged.filter((r) => r.admitted && !r.counts && !still.has(r.owner)).map((r) => r.owner))];
      if (gone.length > 0) formerParties.push({ recordIds: [c.matchResultId, c.decisionRecordId].filter((x): x is string => x !== null), owners: gone });
    }
    for (const [flag, list] of [
      [1, flips.admit],
      [0, flips.drop],
    ] as const)
      for (const part of chunks(list))
        await execute(tx, provider, `UPDATE "CustomsDocument" SET "admitted" = ${flag} WHERE "recordId" IN (${placeholders(1, part.length)})`, part);
    await this.storeNamedParties(
      ctx,
      [...renamed].sort().map((id) => [id, cases.get(id)!.named]),
    );
    await revokeFormerParties(tx, provider, this.accessLog, formerParties);

    // Which kinds each affected case now has and which its mode requires (the order's mode, else the
    // declaration's). A complete case is due at once; an incomplete one a moment after its last
    // document (settleMs), so documents published together make one match, not one per arrival.
    const next = new Map<string, { kinds: number; required: number | null; matchDue: Date; opened: boolean }>();
    const settled = new Date(now.getTime() + this.opts.settleMs);
    for (const id of [...affected].sort()) {
      const mine = (byCase.get(id) ?? []).filter(admitted);
      const c = cases.get(id)!;
      const kinds = kindsOf.get(id) ?? c.kinds | kindMask(mine.map((d) => d.kind));
      const last = (kind: DocumentKind) => mine.filter((d) => d.kind === kind).pop()?.declared;
      const order = last("ORDER");
      const declaration = last("DECLARATION");
      const from = order ?? ((c.kinds & KIND_BITS.ORDER) === 0 ? declaration : undefined);
      const required = from ? requiredMask(from.supervisionMode as SupervisionMode, from.direction as Direction) : c.required;
      const complete = mine.length === 0 || (required !== null && (kinds & required) === required);
      // The case opens (its deadline starts) with the first document that counts in it.
      next.set(id, { kinds, required, matchDue: complete ? now : settled, opened: c.revision === 0 });
    }

    // A few statements for the whole batch: the cases grouped by their new values.
    const groups = new Map<string, string[]>();
    for (const [id, n] of next) {
      const key = `${n.kinds}|${n.required ?? ""}|${n.matchDue.getTime()}|${n.opened}`;
      const group = groups.get(key);
      if (group) group.push(id);
      else groups.set(key, [id]);
    }
    for (const members of groups.values()) {
      const n = next.get(members[0]!)!;
      const opening = n.opened ? `, "firstDocumentAt" = $1, "dueAt" = $5` : "";
      const first = n.opened ? 6 : 5;
      for (const part of chunks(members))
        await execute(
          tx,
          provider,
          `UPDATE "CustomsCase" SET "revision" = "revision" + 1, "lastDocumentAt" = $1, "kinds" = $2, "required" = $3, "matchDue" = $4${opening}
            WHERE "id" IN (${placeholders(first, part.length)})`,
          [now, n.kinds, n.required, n.matchDue, ...(n.opened ? [due] : []), ...part],
        );
    }

    // Orders and declarations go to the office they are addressed to (a filing, whether or not it
    // counts in the case); a document that counts also goes to its case's office once that is known.
    // The matcher grants the others once a match finds the office.
    await grantByPolicy(
      tx,
      provider,
      this.accessLog,
      documents.flatMap((d) =>
        [...new Set([d.declared?.customsOffice, admitted(d) ? cases.get(d.caseId)!.customsOffice : undefined])]
          .filter((office): office is string => typeof office === "string")
          .map((office) => ({ recordId: d.record.id, owner: d.record.owner, grantee: office, policy: POLICY_DECLARED })),
      ),
    );
  }

  /** The parties each case's naming order names, kept on the case (a few statements: grouped by value). */
  private async storeNamedParties(ctx: PublishContext, named: [string, NamedParties][]): Promise<void> {
    const groups = new Map<string, string[]>();
    for (const [id, n] of named) {
      const key = JSON.stringify([n.PAYMENT ?? null, n.WAYBILL ?? null, n.DECLARATION ?? null]);
      groups.set(key, [...(groups.get(key) ?? []), id]);
    }
    for (const [key, members] of groups) {
      const values = JSON.parse(key) as (string | null)[];
      for (const part of chunks(members))
        await execute(
          ctx.tx,
          ctx.provider,
          `UPDATE "CustomsCase" SET "paymentProvider" = $1, "logisticsProvider" = $2, "declarant" = $3 WHERE "id" IN (${placeholders(4, part.length)})`,
          [...values, ...part],
        );
    }
  }

  /**
   * A decision must come from the customs office of the case it names (else the same 404 as for a
   * case that does not exist) and refer to that case's latest or an earlier MatchResult. It is
   * granted to every party of the case, and each is notified.
   */
  private async applyDecisions(items: { record: SignedRecord; index: number }[], ctx: PublishContext): Promise<void> {
    const { tx, provider, publisher, paths } = ctx;
    const ids = [...new Set(items.map(({ record }) => decisionCase(record)))];
    await lockRows(tx, provider, "CustomsCase", "id", ids);
    const cases = new Map<string, { customsOffice: string | null; matchResultId: string | null; matchResultVersion: number | null }>();
    for (const part of chunks(ids)) {
      const rows = await query<{ id: string; customsOffice: string | null; matchResultId: string | null; matchResultVersion: unknown }>(
        tx,
        provider,
        `SELECT "id", "customsOffice", "matchResultId", "matchResultVersion" FROM "CustomsCase" WHERE "id" IN (${placeholders(1, part.length)})`,
        part,
      );
      for (const r of rows) cases.set(r.id, { ...r, matchResultVersion: r.matchResultVersion === null ? null : Number(r.matchResultVersion) });
    }
    const isCustoms = publisher.roles.includes("CUSTOMS");
    for (const { record, index } of items) {
      const body = record.body as CustomsDecisionBody;
      const c = cases.get(decisionCase(record));
      if (!isCustoms || !c || c.customsOffice !== publisher.orgId) throw notFound();
      if (body.matchResult.recordId !== c.matchResultId || c.matchResultVersion === null || body.matchResult.version > c.matchResultVersion)
        throw badRequest(
          "invalid-decision",
          `${paths.where(index)}: matchResult must name this case's MatchResult, version ${c.matchResultVersion ?? "(none yet)"} or earlier.`,
          [{ path: paths.path(index, "body.matchResult"), message: `this case's MatchResult is ${c.matchResultId ?? "not published yet"}` }],
        );
    }
    const parties = await casePartiesIn(tx, provider, ids);
    for (const { record } of items) {
      const body = record.body as CustomsDecisionBody;
      const id = decisionCase(record);
      await execute(
        tx,
        provider,
        `UPDATE "CustomsCase" SET "decision" = $1, "decisionRecordId" = $2, "decisionVersion" = $3, "decidedAt" = $4 WHERE "id" = $5`,
        [body.decision, record.id, record.version, new Date(body.decidedAt), id],
      );
    }
    // The airlines and forwarders carrying the parcel (consolidation index) are told too, by their own policy.
    const carriers = await carriersOfCases(tx, provider, ids, ctx.now);
    const told = items.flatMap(({ record }) => {
      const id = decisionCase(record);
      const partyIds = parties.get(id) ?? [];
      return [
        ...partyIds.map((orgId) => ({ record, orgId, policy: POLICY_PARTIES })),
        ...(carriers.get(id) ?? []).filter((o) => !partyIds.includes(o)).map((orgId) => ({ record, orgId, policy: POLICY_CARRIERS })),
      ];
    });
    await grantByPolicy(
      tx,
      provider,
      this.accessLog,
      told.map(({ record, orgId, policy }) => ({ recordId: record.id, owner: record.owner, grantee: orgId, policy })),
    );
    await notify(
      tx,
      provider,
      this.accessLog,
      told.map(({ record, orgId }) => {
        const body = record.body as CustomsDecisionBody;
        return {
          orgId,
          kind: NOTIFY_DECISION,
          recordId: record.id,
          version: record.version,
          owner: record.owner,
          detail: { caseId: decisionCase(record), platform: body.platform, orderNumber: body.orderNumber, decision: body.decision },
        };
      }),
    );
  }
}

const decisionCase = (record: SignedRecord): string => {
  const body = record.body as CustomsDecisionBody;
  return caseId(body.platform, body.orderNumber);
};

/** The platform is an org id (no ':'), so the first ':' splits a case id. */
export function splitCaseId(id: string): { platform: string; orderNumber: string } {
  const i = id.indexOf(":");
  return { platform: id.slice(0, i), orderNumber: id.slice(i + 1) };
}

/** Where and when an Order or a CustomsDeclaration is declared (the day as written in its timestamp). */
function declaredOf(record: SignedRecord): IndexedDocument["declared"] {
  const b = record.body as { customsOffice?: string; supervisionMode?: string; direction?: string; orderedAt?: string; declaredAt?: string };
  const at = record.type === "Order" ? b.orderedAt : record.type === "CustomsDeclaration" ? b.declaredAt : undefined;
  if (!at || !b.customsOffice || !b.supervisionMode || !b.direction) return undefined;
  return { customsOffice: b.customsOffice, supervisionMode: b.supervisionMode, direction: b.direction, day: at.slice(0, 10) };
}

/**
 * The office an order or declaration names receives its documents, personal data included: it must be
 * an admitted organisation with the CUSTOMS role, or the publication is refused.
 */
async function checkOffices(tx: Runner, provider: PublishContext["provider"], documents: IndexedDocument[], paths: RecordPaths): Promise<void> {
  const named = [...new Set(documents.flatMap((d) => (d.declared ? [d.declared.customsOffice] : [])))];
  const offices = await customsOffices(tx, provider, named);
  const bad = documents.find((d) => d.declared && !offices.has(d.declared.customsOffice));
  if (bad)
    throw badRequest("unknown-customs-office", `${paths.where(bad.index)}: ${bad.declared!.customsOffice} is no admitted customs organisation.`, [
      { path: paths.path(bad.index, "body.customsOffice"), message: "not an organisation with the CUSTOMS role" },
    ]);
}
