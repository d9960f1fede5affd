import type { SignedRecord } from "../../sdk/envelope";
import { RepeatingTask } from "../repeating-task";
import type { DocumentKind, Identity } from "../../sdk/records/customs-common";
import type { CustomsDeclarationBody } from "../../sdk/records/customs-declaration";
import type { MatchResultBody } from "../../sdk/records/match-result";
import type { OrderBody } from "../../sdk/records/order";
import type { PaymentBody } from "../../sdk/records/payment";
import type { AccessLogWriter } from "../access-log/writer";
import type { Db, DbProvider } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import { notify } from "../notifications/service";
import { OPERATOR_ORG_ID } from "../orgs/service";
import { HubPublisher, type HubRecordDraft } from "../records/hub-publisher";
import { grantByPolicy } from "../records/grants";
import type { RecordChecks } from "../records/check-pool";
import type { PublishContext, RecordObserver } from "../records/observers";
import { NOTIFY_MATCH_RESULT, POLICY_DECLARED, POLICY_PARTIES, kindMask, matchResultId } from "./cases";
import { admittedDocuments } from "./admission";
import { identityKeyer } from "./identity";
import { matchCase, matchResultBody, type CaseDocument, type MatchInput, type MatchOutcome, type MatchRules } from "./match";
import { resolveMatchRules } from "./rules";
import { STAT_COLUMNS, statLines } from "./statistics";
import { annualKey, buyerYearCases, casesToMatchAgain, matchAgain, storedPlaces } from "./annual-order";
import { asDate, chunks, execute, lockRows, placeholders, query, updateRows } from "../db/sql";

export interface MatcherOptions {
  /** Cases per tick (one MatchResult publication per tick). */
  batchSize: number;
  pollMs: number;
  /** How long a claimed case is this instance's before another may take it. */
  leaseMs: number;
  /** The hub's secret for identity hashes (identity.ts). */
  matchKey: string;
  rules?: Partial<MatchRules>;
  instanceId: string;
  log?: (line: string) => void;
  /** Worker threads that sign the MatchResults (inline without). */
  signing?: RecordChecks;
}

interface ClaimedCase {
  id: string;
  platform: string;
  orderNumber: string;
  revision: number;
  dueAt: Date;
}

/** What one case's publication commits with its MatchResult. */
interface CaseCommit {
  claimed: ClaimedCase;
  outcome: MatchOutcome;
  documents: CaseDocument[];
  declaredAt: Date | null;
  year: number | null;
  stats: (string | number)[][];
}

const RETRY_MS = 5_000;

/**
 * The matcher: claims cases due for matching, runs the pure matcher (match.ts) on the latest version
 * of each of their documents, and publishes one MatchResult version per case, all in one publication
 * per tick, signed by the hub. The case's new state, its grants, notifications and statistics rows
 * are written in that same transaction (this worker observes its own publisher), so a result is
 * never stored without them. Several instances may run: a claim is an UPDATE of due, unleased
 * cases that leases them; a case whose documents changed meanwhile (its revision moved) stays due.
 */
export class MatcherWorker {
  private readonly task: RepeatingTask<number>;
  private readonly publisher: HubPublisher;
  private readonly identityKey: (id: Identity) => string;
  private readonly annualLimitCny: number;
  /** The commits of the publication in progress, by MatchResult record id. */
  private pending = new Map<string, CaseCommit>();

  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
    private readonly accessLog: AccessLogWriter,
    operatorKey: string,
    observers: readonly RecordObserver[],
    private readonly opts: MatcherOptions,
  ) {
    this.identityKey = identityKeyer(opts.matchKey);
    this.annualLimitCny = resolveMatchRules(opts.rules).annualLimitCny;
    const commit: RecordObserver = { onStored: (records, ctx) => this.commit(records, ctx) };
    this.publisher = new HubPublisher(db, provider, OPERATOR_ORG_ID, operatorKey, [...observers, commit], opts.signing);
    this.task = new RepeatingTask(
      () => this.tick(),
      // A full batch means more may be due: go on at once.
      (matched) => ((matched ?? 0) >= opts.batchSize ? 0 : opts.pollMs),
      (err) => this.log(`matching tick failed: ${err.message}`),
    );
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  private log(line: string) {
    this.opts.log?.(`[customs matcher ${this.opts.instanceId}] ${line}`);
  }

  /** One pass: claim due cases, match them, publish their results. Returns how many were claimed. */
  async tick(): Promise<number> {
    const now = new Date();
    const claimed = await this.claim(now);
    if (claimed.length === 0) return 0;
    try {
      await this.matchAndPublish(claimed, now);
    } catch (err) {
      // Nothing of the publication was stored: the cases are retried a little later.
      await this.release(
        claimed.map((c) => c.id),
        new Date(Date.now() + RETRY_MS),
      );
      throw err;
    } finally {
      this.pending.clear();
    }
    return claimed.length;
  }

  /** Leases up to batchSize due cases (oldest due first) to this instance. */
  private async claim(now: Date): Promise<ClaimedCase[]> {
    const lease = new Date(now.getTime() + this.opts.leaseMs);
    const free = `"matchDue" <= $1 AND ("leaseUntil" IS NULL OR "leaseUntil" <= $1)`;
    // PostgreSQL: instances skip each other's rows instead of waiting for them.
    const skip = this.provider === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
    const rows = await query<{ id: string; platform: string; orderNumber: string; revision: unknown; dueAt: unknown }>(
      this.db,
      this.provider,
      `UPDATE "CustomsCase" SET "leaseUntil" = $2
        WHERE "id" IN (SELECT "id" FROM "CustomsCase" WHERE ${free} ORDER BY "matchDue" LIMIT ${this.opts.batchSize}${skip}) AND ${free}
        RETURNING "id", "platform", "orderNumber", "revision", "dueAt"`,
      [now, lease],
    );
    return rows.map((r) => ({ id: r.id, platform: r.platform, orderNumber: r.orderNumber, revision: Number(r.revision), dueAt: asDate(r.dueAt)! }));
  }

  private async release(ids: string[], matchDue: Date): Promise<void> {
    for (const part of chunks(ids))
      await execute(this.db, this.provider, `UPDATE "CustomsCase" SET "leaseUntil" = NULL, "matchDue" = $1 WHERE "id" IN (${placeholders(2, part.length)})`, [
        matchDue,
        ...part,
      ]);
  }

  private async matchAndPublish(claimed: ClaimedCase[], now: Date): Promise<void> {
    const ids = claimed.map((c) => c.id);
    const documents = await this.loadDocuments(ids);
    const resultIds = new Map(claimed.map((c) => [c.id, matchResultId(c.platform, c.orderNumber)]));
    const versions = await this.latestVersions([...resultIds.values()]);

    // What the matcher needs beyond the documents: the buyer and the year, for the annual limit.
    const prepared = claimed.map((c) => {
      // Only the documents that count take part, here as in the matcher: a document of a party the
      // order does not name gives no buyer, date or statistics either.
      const docs = admittedDocuments(c.platform, documents.get(c.id) ?? []);
      const buyer = buyerOf(docs);
      // The case's date (queue and annual limit): the order's, else the declaration's.
      const order = firstOf(docs, "ORDER")?.body as OrderBody | undefined;
      const at = order?.orderedAt ?? (firstOf(docs, "DECLARATION")?.body as CustomsDeclarationBody | undefined)?.declaredAt;
      return {
        claimed: c,
        docs,
        declared: declaringDocument(docs),
        buyerKey: buyer ? this.identityKey(buyer) : undefined,
        // The calendar year as written in the document (the buyer's local date).
        year: at ? Number(at.slice(0, 4)) : null,
        declaredAt: at ? new Date(at) : null,
      };
    });
    const annual = await buyerYearCases(
      this.db,
      this.provider,
      prepared.flatMap((p) => (p.buyerKey && p.year !== null ? [p.buyerKey] : [])),
    );
    // Earlier orders first, so a buyer's orders in one tick count against each other in order.
    prepared.sort((a, b) => (a.declaredAt?.getTime() ?? 0) - (b.declaredAt?.getTime() ?? 0) || (a.claimed.id < b.claimed.id ? -1 : 1));

    const drafts: HubRecordDraft[] = [];
    const failed: string[] = [];
    const matchedAt = now.toISOString();
    for (const p of prepared) {
      const { claimed: c, docs } = p;
      const key = p.buyerKey && p.year !== null ? annualKey(p.buyerKey, p.year) : undefined;
      const others = key ? (annual.get(key) ?? []).filter((o) => o.caseId !== c.id) : [];
      const before = p.declaredAt
        ? others.filter((o) => o.declaredAt.getTime() < p.declaredAt!.getTime() || (o.declaredAt.getTime() === p.declaredAt!.getTime() && o.caseId < c.id))
        : [];
      const input: MatchInput = {
        platform: c.platform,
        orderNumber: c.orderNumber,
        documents: docs,
        identityKey: this.identityKey,
        buyerAnnualCnyBefore: before.reduce((sum, o) => sum + o.totalCny, 0),
        overdue: now.getTime() >= c.dueAt.getTime(),
        ...(this.opts.rules ? { rules: this.opts.rules } : {}),
      };
      let outcome: MatchOutcome;
      let body: MatchResultBody;
      try {
        outcome = matchCase(input);
        body = matchResultBody(input, outcome, matchedAt);
      } catch (err) {
        // A case the matcher cannot take (a bug) must not hold up the others.
        this.log(`case ${c.id} not matched: ${(err as Error).message}`);
        failed.push(c.id);
        continue;
      }
      if (key && outcome.orderTotalCny !== undefined && p.declaredAt)
        annual.set(key, [...others, { caseId: c.id, declaredAt: p.declaredAt, totalCny: outcome.orderTotalCny }]);
      const id = resultIds.get(c.id)!;
      drafts.push({ type: "MatchResult", id, version: (versions.get(id) ?? 0) + 1, body });
      this.pending.set(id, {
        claimed: c,
        outcome,
        documents: docs,
        declaredAt: p.declaredAt,
        year: p.year,
        stats: p.declared ? statLines(c.id, p.declared) : [],
      });
    }
    if (failed.length > 0) await this.release(failed, new Date(Date.now() + 60_000));
    await this.publisher.publish(drafts);
  }

  /** Which of the claimed cases got a document since they were claimed (their revision moved). */
  private async movedCases(tx: PublishContext["tx"], claimed: ClaimedCase[]): Promise<Set<string>> {
    const moved = new Set<string>();
    const claimedAt = new Map(claimed.map((c) => [c.id, c.revision]));
    for (const part of chunks(claimed.map((c) => c.id))) {
      const rows = await query<{ id: string; revision: unknown }>(
        tx,
        this.provider,
        `SELECT "id", "revision" FROM "CustomsCase" WHERE "id" IN (${placeholders(1, part.length)})`,
        part,
      );
      for (const r of rows) if (Number(r.revision) !== claimedAt.get(r.id)) moved.add(r.id);
    }
    return moved;
  }

  /** The latest version of every document of each case (whether it counts or not), with its body. */
  private async loadDocuments(ids: string[]): Promise<Map<string, CaseDocument[]>> {
    const byCase = new Map<string, CaseDocument[]>();
    for (const part of chunks(ids)) {
      const rows = await query<{ caseId: string; kind: string; recordId: string; version: unknown; owner: string; digest: string; body: string }>(
        this.db,
        this.provider,
        `SELECT d."caseId", d."kind", d."recordId", d."version", d."owner", v."digest", v."body"
           FROM "CustomsDocument" d JOIN "RecordVersion" v ON v."recordId" = d."recordId" AND v."version" = d."version"
          WHERE d."caseId" IN (${placeholders(1, part.length)})`,
        part,
      );
      for (const r of rows) {
        const doc: CaseDocument = {
          kind: r.kind as DocumentKind,
          recordId: r.recordId,
          version: Number(r.version),
          owner: r.owner,
          digest: r.digest,
          body: JSON.parse(r.body) as unknown,
        };
        byCase.set(r.caseId, [...(byCase.get(r.caseId) ?? []), doc]);
      }
    }
    return byCase;
  }

  private async latestVersions(recordIds: string[]): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    for (const part of chunks(recordIds)) {
      const rows = await query<{ id: string; latestVersion: unknown }>(
        this.db,
        this.provider,
        `SELECT "id", "latestVersion" FROM "Record" WHERE "id" IN (${placeholders(1, part.length)})`,
        part,
      );
      for (const r of rows) versions.set(r.id, Number(r.latestVersion));
    }
    return versions;
  }

  /**
   * Inside the publication of the tick's MatchResults: stores each case's outcome (and keeps it due if
   * a document arrived meanwhile), grants the result to the parties and the office and the documents
   * to the office, notifies the parties, and replaces the case's statistics rows.
   */
  private async commit(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const mine = records.flatMap((r) => {
      const c = r.type === "MatchResult" && r.owner === OPERATOR_ORG_ID ? this.pending.get(r.id) : undefined;
      return c ? [{ record: r, commit: c }] : [];
    });
    if (mine.length === 0) return;
    const { tx, provider, now } = ctx;
    const caseIds = mine.map(({ commit }) => commit.claimed.id);
    // The annual limit in date order: later-dated cases of a buyer whose year these cases change are matched again.
    const stored = await storedPlaces(tx, provider, caseIds);
    const again = await casesToMatchAgain(
      tx,
      provider,
      mine.map(({ commit: { claimed, outcome, declaredAt, year } }) => ({
        before: stored.get(claimed.id) ?? { caseId: claimed.id, buyerKey: null, year: null, declaredAt: null, totalCny: null },
        after: { caseId: claimed.id, buyerKey: outcome.buyerKey ?? null, year, declaredAt, totalCny: outcome.orderTotalCny ?? null },
      })),
      this.annualLimitCny,
    );
    // One statement, in key order, for the tick's cases and those it makes due (lockRows: no deadlock with other publications).
    await lockRows(tx, provider, "CustomsCase", "id", [...caseIds, ...again]);
    // A result whose case changed meanwhile is matched again: it is granted and announced then, to the
    // parties of that time (an order may have stopped naming one of these).
    const moved = await this.movedCases(
      tx,
      mine.map(({ commit }) => commit.claimed),
    );
    const current = mine.filter(({ commit }) => !moved.has(commit.claimed.id));
    // One statement for the tick's cases. A case whose documents changed since it was claimed
    // (revision moved) keeps its kinds and stays due.
    const T = "TIMESTAMP(3)";
    await updateRows(
      tx,
      provider,
      "CustomsCase",
      "id",
      [
        { name: "status", type: "TEXT" },
        { name: "missing", type: "TEXT" },
        { name: "discrepancyCount", type: "INTEGER" },
        { name: "customsOffice", type: "TEXT" },
        { name: "supervisionMode", type: "TEXT" },
        { name: "direction", type: "TEXT" },
        { name: "port", type: "TEXT" },
        { name: "declaredAt", type: T },
        { name: "matchedRevision", type: "INTEGER" },
        { name: "matchResultId", type: "TEXT" },
        { name: "matchResultVersion", type: "INTEGER" },
        { name: "matchedAt", type: T },
        { name: "buyerKey", type: "TEXT" },
        { name: "year", type: "INTEGER" },
        { name: "orderTotalCny", type: "DOUBLE PRECISION" },
        { name: "kinds", type: "INTEGER" },
        { name: "matchDue", type: T },
      ],
      `"status" = v."status", "missing" = v."missing", "discrepancyCount" = v."discrepancyCount", "customsOffice" = v."customsOffice",
       "supervisionMode" = v."supervisionMode", "direction" = v."direction", "port" = v."port", "declaredAt" = v."declaredAt",
       "matchedRevision" = v."matchedRevision", "matchResultId" = v."matchResultId", "matchResultVersion" = v."matchResultVersion",
       "matchedAt" = v."matchedAt", "buyerKey" = v."buyerKey", "year" = v."year", "orderTotalCny" = v."orderTotalCny", "leaseUntil" = NULL,
       "kinds" = CASE WHEN "CustomsCase"."revision" = v."matchedRevision" THEN v."kinds" ELSE "CustomsCase"."kinds" END,
       "matchDue" = CASE WHEN "CustomsCase"."revision" = v."matchedRevision" THEN v."matchDue" ELSE "CustomsCase"."matchDue" END`,
      mine.map(({ record, commit: { claimed, outcome, documents, declaredAt, year } }) => [
        claimed.id,
        outcome.status,
        outcome.missing.join(",") || null,
        outcome.discrepancies.length,
        outcome.customsOffice ?? null,
        outcome.supervisionMode ?? null,
        outcome.direction ?? null,
        outcome.port ?? null,
        declaredAt,
        claimed.revision,
        record.id,
        record.version,
        now,
        outcome.buyerKey ?? null,
        year,
        outcome.orderTotalCny ?? null,
        kindMask(documents.map((d) => d.kind)),
        // An incomplete case is looked at again when it falls overdue.
        outcome.status === "INCOMPLETE" && claimed.dueAt.getTime() > now.getTime() ? claimed.dueAt : null,
      ]),
    );

    const grants = current.flatMap(({ record, commit }) => {
      const parties = [...new Set(commit.documents.map((d) => d.owner))];
      const office = commit.outcome.customsOffice;
      return [
        ...[...parties, ...(office ? [office] : [])].map((grantee) => ({ recordId: record.id, owner: record.owner, grantee, policy: POLICY_PARTIES })),
        ...(office ? commit.documents.map((d) => ({ recordId: d.recordId, owner: d.owner, grantee: office, policy: POLICY_DECLARED })) : []),
      ];
    });
    await grantByPolicy(tx, provider, this.accessLog, grants);
    await notify(
      tx,
      provider,
      this.accessLog,
      current.flatMap(({ record, commit }) =>
        [...new Set(commit.documents.map((d) => d.owner))].map((orgId) => ({
          orgId,
          kind: NOTIFY_MATCH_RESULT,
          recordId: record.id,
          version: record.version,
          owner: record.owner,
          detail: { caseId: commit.claimed.id, platform: commit.claimed.platform, orderNumber: commit.claimed.orderNumber, status: commit.outcome.status },
        })),
      ),
    );
    await matchAgain(tx, provider, again, now);
    for (const part of chunks(caseIds)) await execute(tx, provider, `DELETE FROM "CustomsStatLine" WHERE "caseId" IN (${placeholders(1, part.length)})`, part);
    await insertRows(
      tx,
      provider,
      "CustomsStatLine",
      STAT_COLUMNS,
      mine.flatMap(({ commit }) => commit.stats),
    );
  }
}

/** The first document of a kind by record id: the one the matcher compares (of the documents that count). */
function firstOf(docs: CaseDocument[], kind: DocumentKind): CaseDocument | undefined {
  return docs.filter((d) => d.kind === kind).sort((a, b) => (a.recordId < b.recordId ? -1 : 1))[0];
}

/** The document the statistics come from: the declaration (what customs is told), else the order. */
function declaringDocument(docs: CaseDocument[]): Parameters<typeof statLines>[1] | undefined {
  const declaration = firstOf(docs, "DECLARATION");
  if (declaration) return { kind: "DECLARATION", body: declaration.body as CustomsDeclarationBody };
  const order = firstOf(docs, "ORDER");
  return order ? { kind: "ORDER", body: order.body as OrderBody } : undefined;
}

/** The buyer as the matcher keys it: the order's, else the declaration's, else the payer. */
function buyerOf(docs: CaseDocument[]): Identity | undefined {
  return (
    (firstOf(docs, "ORDER")?.body as OrderBody | undefined)?.buyer ??
    (firstOf(docs, "DECLARATION")?.body as CustomsDeclarationBody | undefined)?.buyer ??
    (firstOf(docs, "PAYMENT")?.body as PaymentBody | undefined)?.payer
  );
}
