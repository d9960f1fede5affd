import type { z } from "zod";
import type { CustomsCasePage, CustomsCaseQuerySchema, CustomsCasePicture, VerifiedRecord } from "../../sdk/api";
import type { DocumentKind } from "../../sdk/records/customs-common";
import { verifyRecord } from "../../sdk/verify";
import type { AccessLogWriter } from "../access-log/writer";
import type { ProofService } from "../anchoring/proofs";
import type { HubChain } from "../chain/hub-chain";
import type { Db, DbProvider } from "../db/client";
import { HttpProblem, badRequest, notFound } from "../http/problem";
import { getRecord, type Reader } from "../records/service";
import { CASE_COLUMNS, caseId, caseView, type CaseRow } from "./cases";
import { asDate, query } from "../db/sql";
import { readLine } from "../access-log/logged";

type CaseQuery = z.output<typeof CustomsCaseQuerySchema>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const encodeCursor = (declaredAt: Date, id: string) => Buffer.from(JSON.stringify([declaredAt.toISOString(), id])).toString("base64url");

function decodeCursor(raw: string): [Date, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as unknown[];
    const date = new Date(String(at));
    if (typeof at === "string" && typeof id === "string" && !Number.isNaN(date.getTime())) return [date, id];
  } catch {
    /* answered below */
  }
  throw badRequest("invalid-query", "after is not a cursor this API returned.", [{ path: "after", message: "use the `next` value of the previous page" }]);
}

/**
 * One page of an office's queue, in declaration order (declaredAt, then id), filtered by match
 * status, mode, port and period. A date bound is a whole UTC day; `to` is inclusive.
 */
export async function listCases(db: Db, provider: DbProvider, office: string, q: CaseQuery): Promise<CustomsCasePage> {
  const params: (string | Date)[] = [];
  const bind = (v: string | Date) => {
    params.push(v);
    return `$${params.length}`;
  };
  const conditions = [`"customsOffice" = ${bind(office)}`, `"declaredAt" IS NOT NULL`];
  if (q.status) conditions.push(`"status" = ${bind(q.status)}`);
  if (q.mode) conditions.push(`"supervisionMode" = ${bind(q.mode)}`);
  if (q.port) conditions.push(`"port" = ${bind(q.port)}`);
  if (q.from) conditions.push(`"declaredAt" >= ${bind(new Date(DAY.test(q.from) ? `${q.from}T00:00:00Z` : q.from))}`);
  if (q.to) {
    if (DAY.test(q.to)) conditions.push(`"declaredAt" < ${bind(new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000))}`);
    else conditions.push(`"declaredAt" <= ${bind(new Date(q.to))}`);
  }
  if (q.after) {
    const [at, id] = decodeCursor(q.after);
    const a = bind(at);
    conditions.push(`("declaredAt" > ${a} OR ("declaredAt" = ${a} AND "id" > ${bind(id)}))`);
  }
  const rows = await query<CaseRow>(
    db,
    provider,
    `SELECT ${CASE_COLUMNS} FROM "CustomsCase" WHERE ${conditions.join(" AND ")} ORDER BY "declaredAt", "id" LIMIT ${q.limit + 1}`,
    params,
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { cases: page.map(caseView), ...(rows.length > q.limit && last ? { next: encodeCursor(asDate(last.declaredAt)!, last.id) } : {}) };
}

export interface PictureDeps {
  db: Db;
  provider: DbProvider;
  proofs: ProofService;
  chain: HubChain;
  accessLog: AccessLogWriter;
}

/**
 * The consolidated picture of one case for its customs office: the case, the latest version of every
 * document that counts in it (admission.ts) as the office may see it, the match result and the decision, each with its anchoring and,
 * once anchored, its proof and the SDK's verdict against the chain. Each record shown is logged as
 * read. Another office's case is the same 404 as a case that does not exist.
 */
export async function casePicture(deps: PictureDeps, reader: Reader, platform: string, orderNumber: string): Promise<CustomsCasePicture> {
  const { db, provider } = deps;
  const [row] = await query<CaseRow>(db, provider, `SELECT ${CASE_COLUMNS} FROM "CustomsCase" WHERE "id" = $1`, [caseId(platform, orderNumber)]);
  if (!row || row.customsOffice !== reader.orgId) throw notFound();
  const docs = await query<{ recordId: string; kind: string; version: unknown }>(
    db,
    provider,
    `SELECT "recordId", "kind", "version" FROM "CustomsDocument" WHERE "caseId" = $1 AND "admitted" = 1 ORDER BY "kind", "recordId"`,
    [row.id],
  );
  const [documents, matchResult, decision] = await Promise.all([
    Promise.all(docs.map(async (d) => ({ doc: d, shown: await verified(deps, reader, d.recordId, Number(d.version)) }))),
    row.matchResultId ? verified(deps, reader, row.matchResultId, Number(row.matchResultVersion)) : undefined,
    row.decisionRecordId ? verified(deps, reader, row.decisionRecordId, Number(row.decisionVersion)) : undefined,
  ]);
  const shown = [...documents.map((d) => d.shown), matchResult, decision].filter((r): r is VerifiedRecord => r !== undefined);
  const at = new Date().toISOString();
  await deps.accessLog.append(...shown.map((s) => readLine(reader.orgId, s.record, "customs-case", at)));
  return {
    case: caseView(row),
    documents: documents.flatMap(({ doc, shown: s }) => (s ? [{ kind: doc.kind as DocumentKind, ...s }] : [])),
    ...(matchResult ? { matchResult } : {}),
    ...(decision ? { decision } : {}),
  };
}

/** One record version as `reader` may see it (undefined if it may not), verified once anchored. */
async function verified(deps: PictureDeps, reader: Reader, recordId: string, version: number): Promise<VerifiedRecord | undefined> {
  let stored;
  try {
    stored = await getRecord(deps.db, reader, recordId, String(version));
  } catch (err) {
    if (err instanceof HttpProblem && err.status === 404) return undefined;
    throw err;
  }
  if (stored.anchor.status !== "ANCHORED") return stored;
  const proof = await deps.proofs.proofOf(stored.record.digest);
  const verification = await verifyRecord({ record: stored.record, proof, chain: { provider: deps.chain.provider }, contracts: deps.chain.contracts });
  return { ...stored, proof, verification };
}
