import type { z } from "zod";
import type { SummaryDraft, SummaryDraftQuerySchema } from "../../sdk/api";
import type { SignedRecord } from "../../sdk/envelope";
import { ARITHMETIC_TOLERANCE, roundAmount, withinTolerance } from "../../sdk/records/customs-common";
import type { CustomsDeclarationBody } from "../../sdk/records/customs-declaration";
import type { SummaryDeclarationBody } from "../../sdk/records/summary-declaration";
import type { AccessLogWriter } from "../access-log/writer";
import type { Db, DbProvider } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import { HttpProblem, badRequest } from "../http/problem";
import { notify } from "../notifications/service";
import { grantByPolicy } from "../records/grants";
import type { PublishContext } from "../records/observers";
import { NOTIFY_SUMMARY, POLICY_DECLARED } from "./cases";
import { customsOffices } from "./parties";
import { chunks, execute, placeholders, query, type Runner } from "../db/sql";

/** The most lists one summary (and one draft) covers: keeps a summary's record and its checks bounded. */
export const MAX_SUMMARY_LISTS = 10_000;

type Lines = SummaryDeclarationBody["lines"];
type Totals = SummaryDeclarationBody["totals"];

/** Lines aggregated by HS code, destination and currency (sorted), and the totals per currency. */
export function aggregateLists(declarations: readonly Pick<CustomsDeclarationBody, "lines" | "destinationCountry" | "currency">[]): {
  lines: Lines;
  totals: Totals;
} {
  const lines = new Map<string, Lines[number]>();
  for (const d of declarations)
    for (const l of d.lines) {
      const key = `${l.hsCode}|${d.destinationCountry}|${d.currency}`;
      const line = lines.get(key) ?? { hsCode: l.hsCode, destinationCountry: d.destinationCountry, currency: d.currency, quantity: 0, value: 0 };
      line.quantity += l.quantity;
      line.value += l.value;
      lines.set(key, line);
    }
  const sorted = [...lines.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, l]) => ({ ...l, quantity: roundAmount(l.quantity), value: roundAmount(l.value) }));
  const totals = new Map<string, number>();
  for (const l of sorted) totals.set(l.currency, (totals.get(l.currency) ?? 0) + l.value);
  return {
    lines: sorted,
    totals: [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, value]) => ({ currency, value: roundAmount(value) })),
  };
}

interface ListRow {
  recordId: string;
  kind: string;
  owner: string;
  version: unknown;
  customsOffice: string | null;
  supervisionMode: string | null;
  direction: string | null;
  day: string | null;
  admitted: unknown;
  decision: string | null;
  summaryId: string | null;
}

async function declarationBodies(
  db: Runner,
  provider: DbProvider,
  lists: readonly { recordId: string; version: number }[],
): Promise<Map<string, CustomsDeclarationBody>> {
  const bodies = new Map<string, CustomsDeclarationBody>();
  for (const part of chunks(lists, 2000)) {
    const ids = part.map((l) => `${l.recordId}@${l.version}`);
    const rows = await query<{ recordId: string; body: string }>(
      db,
      provider,
      `SELECT "recordId", "body" FROM "RecordVersion" WHERE "id" IN (${placeholders(1, ids.length)})`,
      ids,
    );
    for (const r of rows) bodies.set(r.recordId, JSON.parse(r.body) as CustomsDeclarationBody);
  }
  return bodies;
}

/**
 * Checks summary declarations inside the publish transaction: every listed list is a released export
 * declaration of the publisher, in the summary's mode, office and period, at its latest version, in
 * no other summary; the lines and totals are those of the lists. Then records which lists it covers,
 * grants it to the office and notifies the office.
 */
export async function applySummaries(ctx: PublishContext, accessLog: AccessLogWriter, items: { record: SignedRecord; index: number }[]): Promise<void> {
  const { tx, provider, publisher } = ctx;
  const latest = new Map<string, { record: SignedRecord; index: number }>();
  for (const item of items) latest.set(item.record.id, item);
  const summaries = [...latest.values()];
  const at = (index: number, path: string) => ctx.paths.path(index, `body.${path}`);
  const offices = await customsOffices(tx, provider, [...new Set(summaries.map(({ record }) => (record.body as SummaryDeclarationBody).customsOffice))]);

  const listed = summaries.flatMap(({ record }) => (record.body as SummaryDeclarationBody).lists.map((l) => l.recordId));
  const rows = new Map<string, ListRow>();
  for (const part of chunks([...new Set(listed)])) {
    const found = await query<ListRow>(
      tx,
      provider,
      `SELECT d."recordId", d."kind", d."owner", d."version", d."customsOffice", d."supervisionMode", d."direction", d."day", d."admitted", c."decision", s."summaryId"
         FROM "CustomsDocument" d JOIN "CustomsCase" c ON c."id" = d."caseId" LEFT JOIN "CustomsSummaryList" s ON s."declarationId" = d."recordId"
        WHERE d."recordId" IN (${placeholders(1, part.length)})`,
      part,
    );
    for (const r of found) rows.set(r.recordId, r);
  }

  const claimed = new Map<string, string>();
  for (const { record, index } of summaries) {
    const body = record.body as SummaryDeclarationBody;
    if (!offices.has(body.customsOffice))
      throw badRequest("unknown-customs-office", `${body.customsOffice} is no admitted customs organisation.`, [
        { path: at(index, "customsOffice"), message: "not an organisation with the CUSTOMS role" },
      ]);
    if (body.lists.length > MAX_SUMMARY_LISTS)
      throw badRequest("summary-too-large", `A summary covers at most ${MAX_SUMMARY_LISTS} lists.`, [{ path: at(index, "lists"), message: "too many lists" }]);
    body.lists.forEach((list, j) => {
      const row = rows.get(list.recordId);
      const bad = (message: string) => badRequest("summary-list", `List ${list.recordId}: ${message}`, [{ path: at(index, `lists.${j}`), message }]);
      // Others' declarations look exactly like missing ones.
      if (!row || row.kind !== "DECLARATION" || row.owner !== publisher.orgId) throw bad("no customs declaration of yours has this record id");
      if (Number(row.version) !== list.version) throw bad(`version ${list.version} is not the declaration's latest (${Number(row.version)})`);
      if (row.direction !== "EXPORT") throw bad("only export declarations are summarised");
      if (row.supervisionMode !== body.supervisionMode) throw bad(`declared under mode ${row.supervisionMode}, not ${body.supervisionMode}`);
      if (row.customsOffice !== body.customsOffice) throw bad(`declared to ${row.customsOffice}, not ${body.customsOffice}`);
      if (!row.day || row.day < body.period.from || row.day > body.period.to) throw bad(`declared on ${row.day}, outside the period`);
      // A list the case's order does not name was never part of the case customs released.
      if (row.decision !== "RELEASE" || Number(row.admitted) !== 1) throw bad("customs has not released it");
      const holder = claimed.get(list.recordId) ?? (row.summaryId !== record.id ? row.summaryId : null);
      if (holder)
        throw new HttpProblem(409, "list-already-summarised", "Conflict", `List ${list.recordId} is already in summary ${holder}.`, [
          { path: at(index, `lists.${j}`), message: `already in summary ${holder}` },
        ]);
      claimed.set(list.recordId, record.id);
    });
    const bodies = await declarationBodies(tx, provider, body.lists);
    body.lists.forEach((list, j) => {
      if (bodies.get(list.recordId)?.declarationNumber !== list.declarationNumber)
        throw badRequest("summary-list", `List ${list.recordId}: its declaration number is not ${list.declarationNumber}.`, [
          { path: at(index, `lists.${j}.declarationNumber`), message: "not the declaration's number" },
        ]);
    });
    const expected = aggregateLists([...bodies.values()]);
    const problem = compareLines(body, expected);
    if (problem) throw badRequest("summary-lines", `The summary's ${problem.message}`, [{ path: at(index, problem.path), message: problem.message }]);
  }

  const ids = summaries.map(({ record }) => record.id);
  await execute(tx, provider, `DELETE FROM "CustomsSummaryList" WHERE "summaryId" IN (${placeholders(1, ids.length)})`, ids);
  await insertRows(
    tx,
    provider,
    "CustomsSummaryList",
    ["declarationId", "declarationVersion", "summaryId"],
    summaries.flatMap(({ record }) => (record.body as SummaryDeclarationBody).lists.map((l) => [l.recordId, l.version, record.id])),
  );
  const toOffice = summaries.map(({ record }) => ({ record, office: (record.body as SummaryDeclarationBody).customsOffice }));
  await grantByPolicy(
    tx,
    provider,
    accessLog,
    toOffice.map(({ record, office }) => ({ recordId: record.id, owner: record.owner, grantee: office, policy: POLICY_DECLARED })),
  );
  await notify(
    tx,
    provider,
    accessLog,
    toOffice.map(({ record, office }) => {
      const body = record.body as SummaryDeclarationBody;
      return {
        orgId: office,
        kind: NOTIFY_SUMMARY,
        recordId: record.id,
        version: record.version,
        owner: record.owner,
        detail: { summaryNumber: body.summaryNumber, supervisionMode: body.supervisionMode, lists: body.lists.length },
      };
    }),
  );
}

/** The first difference between a summary's lines/totals and those of its lists, if any. */
function compareLines(body: SummaryDeclarationBody, expected: { lines: Lines; totals: Totals }): { path: string; message: string } | undefined {
  const key = (l: Lines[number]) => `${l.hsCode}|${l.destinationCountry}|${l.currency}`;
  const want = new Map(expected.lines.map((l) => [key(l), l]));
  const seen = new Set<string>();
  for (const [i, l] of body.lines.entries()) {
    const w = want.get(key(l));
    if (!w || seen.has(key(l)))
      return {
        path: `lines.${i}`,
        message: `line ${i} (HS ${l.hsCode}, ${l.destinationCountry}, ${l.currency}) is not one aggregate of the listed lists' lines`,
      };
    seen.add(key(l));
    if (!withinTolerance(l.quantity, w.quantity, ARITHMETIC_TOLERANCE))
      return { path: `lines.${i}.quantity`, message: `line ${i} quantity is ${w.quantity} in the lists` };
    if (!withinTolerance(l.value, w.value, ARITHMETIC_TOLERANCE)) return { path: `lines.${i}.value`, message: `line ${i} value is ${w.value} in the lists` };
  }
  const left = expected.lines.find((l) => !seen.has(key(l)));
  if (left) return { path: "lines", message: `lines leave out HS ${left.hsCode}, ${left.destinationCountry}, ${left.currency} of the lists` };
  return undefined;
}

/**
 * The body of a summary declaration of the caller's released export lists not yet summarised (mode,
 * office, declaration days from..to), for the caller to sign and publish. 404 when there is none.
 */
export async function summaryDraft(db: Db, provider: DbProvider, orgId: string, q: z.output<typeof SummaryDraftQuerySchema>): Promise<SummaryDraft> {
  const rows = await query<{ recordId: string; version: unknown }>(
    db,
    provider,
    `SELECT d."recordId", d."version" FROM "CustomsDocument" d
       JOIN "CustomsCase" c ON c."id" = d."caseId"
       LEFT JOIN "CustomsSummaryList" s ON s."declarationId" = d."recordId"
      WHERE d."owner" = $1 AND d."kind" = 'DECLARATION' AND d."direction" = 'EXPORT' AND d."supervisionMode" = $2 AND d."customsOffice" = $3
        AND d."day" >= $4 AND d."day" <= $5 AND d."admitted" = 1 AND c."decision" = 'RELEASE' AND s."declarationId" IS NULL
      ORDER BY d."day", d."recordId" LIMIT ${MAX_SUMMARY_LISTS}`,
    [orgId, q.mode, q.customsOffice, q.from, q.to],
  );
  if (rows.length === 0)
    throw new HttpProblem(
      404,
      "no-released-lists",
      "Not found",
      "None of your released export lists in that mode, office and period is waiting for a summary.",
    );
  const lists = rows.map((r) => ({ recordId: r.recordId, version: Number(r.version) }));
  const bodies = await declarationBodies(db, provider, lists);
  const { lines, totals } = aggregateLists(lists.map((l) => bodies.get(l.recordId)!));
  return {
    lists: lists.length,
    body: {
      summaryNumber: q.summaryNumber ?? `S${q.mode}-${q.customsOffice}-${q.from.replaceAll("-", "")}-${q.to.replaceAll("-", "")}`.slice(0, 64),
      customsOffice: q.customsOffice,
      supervisionMode: q.mode,
      period: { from: q.from, to: q.to },
      lists: lists.map((l) => ({ ...l, declarationNumber: bodies.get(l.recordId)!.declarationNumber })),
      lines,
      totals,
    },
  };
}
