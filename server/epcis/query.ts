import { createHash } from "node:crypto";
import { z } from "zod";
import { EPCIS_EVENT_TYPES } from "../../sdk/records/epcis-event";
import { canonicalGs1Uri } from "../../sdk/epcis/gs1-uri";
import { normaliseTimestamp } from "../../sdk/epcis/event-hash";
import type { ProductCode } from "../../sdk/provenance/digital-link";
import type { Db, DbProvider } from "../db/client";
import { query, type Runner } from "../db/sql";
import { HttpProblem, badRequest } from "../http/problem";

/** The EPCIS query parameters the hub supports (the REST binding's names); lists are "|"-separated in URLs. */
export const EventQuerySchema = z
  .object({
    eventType: z.array(z.enum(EPCIS_EVENT_TYPES)).min(1),
    EQ_bizStep: z.array(z.string().min(1)).min(1),
    EQ_disposition: z.array(z.string().min(1)).min(1),
    EQ_readPoint: z.array(z.string().min(1)).min(1),
    EQ_bizLocation: z.array(z.string().min(1)).min(1),
    GE_eventTime: z.string(),
    LT_eventTime: z.string(),
    GE_recordTime: z.string(),
    LT_recordTime: z.string(),
    MATCH_epc: z.array(z.string().min(1)).min(1),
    MATCH_anyEPC: z.array(z.string().min(1)).min(1),
    // Error declarations (EPCIS 2.0 §8.2.7.1): the events that declare an error, and which.
    EXISTS_errorDeclaration: z.union([z.boolean(), z.enum(["true", "false"])]), // a URL carries it as text

    GE_errorDeclarationTime: z.string(),
    LT_errorDeclarationTime: z.string(),
    EQ_errorReason: z.array(z.string().min(1)).min(1),
    EQ_correctiveEventID: z.array(z.string().min(1)).min(1),
  })
  .partial()
  .strict();
export type EventQuery = z.infer<typeof EventQuerySchema>;

const LIST_PARAMS = new Set(["eventType", "EQ_bizStep", "EQ_disposition", "EQ_readPoint", "EQ_bizLocation", "MATCH_epc", "MATCH_anyEPC", "EQ_errorReason", "EQ_correctiveEventID"]);
const TIME_PARAMS = ["GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime", "GE_errorDeclarationTime", "LT_errorDeclarationTime"] as const;

const queryProblem = (detail: string, errors?: { path: string; message: string }[]) =>
  new HttpProblem(400, "epcis-query-parameter", "Bad request", detail, errors);

/** A query from JSON (a named query's definition): single values are accepted where lists are expected. */
export function parseEventQuery(raw: unknown): EventQuery {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw queryProblem("A query is a JSON object of EPCIS query parameters.");
  const lifted = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, LIST_PARAMS.has(k) && typeof v === "string" ? v.split("|") : v]));
  const parsed = EventQuerySchema.safeParse(lifted);
  if (!parsed.success)
    throw queryProblem(
      "Unsupported or malformed query parameter.",
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join(".") || "query", message: i.message })),
    );
  for (const t of TIME_PARAMS) {
    const v = parsed.data[t];
    if (v === undefined) continue;
    try {
      parsed.data[t] = normaliseTimestamp(v);
    } catch {
      throw queryProblem(`${t} is not an ISO 8601 date-time with a time zone.`, [{ path: t, message: "expected e.g. 2024-01-31T12:00:00Z" }]);
    }
  }
  if (typeof parsed.data.EXISTS_errorDeclaration === "string") parsed.data.EXISTS_errorDeclaration = parsed.data.EXISTS_errorDeclaration === "true";
  return parsed.data;
}

/** A query from URL parameters; `perPage` and `nextPageToken` are split off. */
export function parseUrlQuery(params: Record<string, unknown>): { query: EventQuery; perPage: number; pageToken?: string } {
  const { perPage, nextPageToken, ...rest } = params;
  for (const [k, v] of Object.entries(rest)) if (typeof v !== "string") throw queryProblem(`${k} is given more than once.`);
  return { query: parseEventQuery(rest), perPage: parsePerPage(perPage), ...(typeof nextPageToken === "string" ? { pageToken: nextPageToken } : {}) };
}

export const DEFAULT_PER_PAGE = 100;
export const MAX_PER_PAGE = 1000;

function parsePerPage(raw: unknown): number {
  if (raw === undefined) return DEFAULT_PER_PAGE;
  if (typeof raw !== "string" || !/^[1-9]\d{0,6}$/.test(raw)) throw queryProblem("perPage is a positive integer.");
  return Math.min(Number(raw), MAX_PER_PAGE);
}

// CBV words may be asked for bare ("shipping"), as web URIs, URNs or CURIEs: all name the same value.
const VOCABULARIES: Record<"bizStep" | "disposition" | "errorReason", { web: string; urn: string; curie: string }> = {
  bizStep: { web: "https://ref.gs1.org/cbv/BizStep-", urn: "urn:epcglobal:cbv:bizstep:", curie: "cbv:BizStep-" },
  disposition: { web: "https://ref.gs1.org/cbv/Disp-", urn: "urn:epcglobal:cbv:disp:", curie: "cbv:Disp-" },
  errorReason: { web: "https://ref.gs1.org/cbv/ER-", urn: "urn:epcglobal:cbv:er:", curie: "cbv:ER-" },
};

export function vocabularyForms(field: keyof typeof VOCABULARIES, value: string): string[] {
  const v = VOCABULARIES[field];
  let word: string | undefined;
  for (const p of [v.web, v.urn, v.curie]) if (value.startsWith(p)) word = value.slice(p.length);
  if (word === undefined && !value.includes(":")) word = value;
  return word === undefined ? [value] : [word, v.web + word, v.urn + word, v.curie + word];
}

/** A place or EPC asked for as a URN or a Digital Link matches either form. */
const idForms = (value: string) => [...new Set([value, canonicalGs1Uri(value)])];

/**
 * Where the caller may see an event: it owns it, captured it (hub-attested), or holds an active grant.
 * This is readableRecord's rule (server/records/access.ts) in SQL, so pages and counts stay exact:
 * EPCIS events have no links (only logistics objects do), and revoking a grant writes revokedAt on
 * every grant delegated from it, so a direct row is the whole rule for them. A field-level grant
 * shows the event only as its redacted record (GET /v1/records/{id}), never here.
 */
function visibility(p: (v: string) => string, caller: string, now: string, provider: DbProvider): string {
  const at = provider === "postgresql" ? `CAST(${p(now)} AS TIMESTAMP(3))` : p(now);
  const c = p(caller);
  return `(e."owner" = ${c} OR e."capturedBy" = ${c} OR EXISTS (SELECT 1 FROM "Grant" g WHERE g."recordId" = e."recordId" AND g."grantee" = ${c} AND g."fields" IS NULL AND g."revokedAt" IS NULL AND (g."expiresAt" IS NULL OR g."expiresAt" > ${at})))`;
}

/**
 * The events named `eventId` (their eventID or hash) that the caller may not see, with their
 * attesters: whose access log shows the refused read. Never part of an answer.
 */
export async function hiddenEvents(db: Runner, provider: DbProvider, caller: string, eventId: string): Promise<{ recordId: string; attester: string }[]> {
  const params: string[] = [];
  const p = (v: string) => {
    params.push(v);
    return `$${params.length}`;
  };
  const id = p(eventId);
  return query<{ recordId: string; attester: string }>(
    db,
    provider,
    `SELECT e."recordId", COALESCE(e."capturedBy", e."owner") AS "attester" FROM "EpcisEvent" e WHERE (e."eventHash" = ${id} OR e."eventId" = ${id}) AND NOT ${visibility(p, caller, new Date().toISOString(), provider)} ORDER BY e."recordId" LIMIT 100`,
    params,
  );
}

export interface EventPage {
  recordIds: { recordId: string; recordTime: string }[];
  nextPageToken?: string;
}

/**
 * What selects events besides the query parameters: one event, the events naming a product, or some
 * records (a subscription's events: which of them the caller may see and the query matches).
 */
export type EventSelector = { eventId: string } | { epc: string; product?: ProductCode } | { recordIds: readonly string[] } | Record<string, never>;

interface PageCursor {
  t: string;
  i: string;
  f: string;
}

function fingerprint(caller: string, selector: EventSelector, q: EventQuery, perPage: number): string {
  return createHash("sha256").update(JSON.stringify([caller, selector, Object.entries(q).sort(), perPage])).digest("base64url").slice(0, 16);
}

/**
 * One page of the events the caller may see that match, oldest record first; the page token is
 * opaque (the last event's position and a fingerprint of the query) and stable: events stored later
 * never shift a page already read.
 */
export async function findEvents(
  db: Runner,
  provider: DbProvider,
  caller: string,
  selector: EventSelector,
  q: EventQuery,
  perPage: number,
  pageToken?: string,
): Promise<EventPage> {
  const params: string[] = [];
  const p = (v: string) => {
    params.push(v);
    return `$${params.length}`;
  };
  const list = (vs: readonly string[]) => vs.map(p).join(", ");
  const where: string[] = [visibility(p, caller, new Date().toISOString(), provider)];
  if ("eventId" in selector) where.push(`(e."eventHash" = ${p(selector.eventId)} OR e."eventId" = ${p(selector.eventId)})`);
  if ("recordIds" in selector) where.push(selector.recordIds.length > 0 ? `e."recordId" IN (${list(selector.recordIds)})` : "1 = 0");
  if ("epc" in selector) {
    const alt = [`x."epc" IN (${list(idForms(selector.epc))})`, `x."canonical" IN (${list(idForms(selector.epc).map(canonicalGs1Uri))})`];
    if (selector.product) {
      const pr = selector.product;
      alt.push(`(x."gtin" = ${p(pr.gtin)}${pr.lot !== undefined ? ` AND x."lot" = ${p(pr.lot)}` : ""}${pr.serial !== undefined ? ` AND x."serial" = ${p(pr.serial)}` : ""})`);
    }
    where.push(`EXISTS (SELECT 1 FROM "EpcisEventEpc" x WHERE x."recordId" = e."recordId" AND (${alt.join(" OR ")}))`);
  }
  if (q.eventType) where.push(`e."eventType" IN (${list(q.eventType)})`);
  if (q.EQ_bizStep) where.push(`e."bizStep" IN (${list(q.EQ_bizStep.flatMap((v) => vocabularyForms("bizStep", v)))})`);
  if (q.EQ_disposition) where.push(`e."disposition" IN (${list(q.EQ_disposition.flatMap((v) => vocabularyForms("disposition", v)))})`);
  if (q.EQ_readPoint) where.push(`e."readPoint" IN (${list(q.EQ_readPoint.flatMap(idForms))})`);
  if (q.EQ_bizLocation) where.push(`e."bizLocation" IN (${list(q.EQ_bizLocation.flatMap(idForms))})`);
  if (q.GE_eventTime) where.push(`e."eventTime" >= ${p(q.GE_eventTime)}`);
  if (q.LT_eventTime) where.push(`e."eventTime" < ${p(q.LT_eventTime)}`);
  if (q.GE_recordTime) where.push(`e."recordTime" >= ${p(q.GE_recordTime)}`);
  if (q.LT_recordTime) where.push(`e."recordTime" < ${p(q.LT_recordTime)}`);
  const epcMatch = (values: string[], roles: string[]) => {
    const forms = values.flatMap(idForms);
    where.push(`EXISTS (SELECT 1 FROM "EpcisEventEpc" m WHERE m."recordId" = e."recordId" AND m."role" IN (${list(roles)}) AND (m."epc" IN (${list(forms)}) OR m."canonical" IN (${list(forms.map(canonicalGs1Uri))})))`);
  };
  if (q.MATCH_epc) epcMatch(q.MATCH_epc, ["epc"]);
  if (q.MATCH_anyEPC) epcMatch(q.MATCH_anyEPC, ["epc", "parent", "input", "output"]);
  // Each of these selects only events that declare an error; false or absent EXISTS_ selects all.
  if (q.EXISTS_errorDeclaration === true || q.EXISTS_errorDeclaration === "true") where.push(`e."errorDeclarationTime" IS NOT NULL`);
  if (q.GE_errorDeclarationTime) where.push(`e."errorDeclarationTime" >= ${p(q.GE_errorDeclarationTime)}`);
  if (q.LT_errorDeclarationTime) where.push(`e."errorDeclarationTime" < ${p(q.LT_errorDeclarationTime)}`);
  if (q.EQ_errorReason) where.push(`e."errorReason" IN (${list(q.EQ_errorReason.flatMap((v) => vocabularyForms("errorReason", v)))})`);
  if (q.EQ_correctiveEventID) where.push(`EXISTS (SELECT 1 FROM "EpcisCorrectiveEvent" c WHERE c."recordId" = e."recordId" AND c."eventId" IN (${list(q.EQ_correctiveEventID)}))`);

  const print = fingerprint(caller, selector, q, perPage);
  if (pageToken !== undefined) {
    const cursor = decodeToken(pageToken);
    if (cursor.f !== print) throw badRequest("invalid-page-token", "nextPageToken belongs to another query.");
    where.push(`(e."recordTime" > ${p(cursor.t)} OR (e."recordTime" = ${p(cursor.t)} AND e."recordId" > ${p(cursor.i)}))`);
  }
  const rows = await query<{ recordId: string; recordTime: string }>(
    db,
    provider,
    `SELECT e."recordId", e."recordTime" FROM "EpcisEvent" e WHERE ${where.join(" AND ")} ORDER BY e."recordTime", e."recordId" LIMIT ${perPage + 1}`,
    params,
  );
  const page = rows.slice(0, perPage);
  const last = page[page.length - 1];
  return {
    recordIds: page,
    ...(rows.length > perPage && last ? { nextPageToken: encodeToken({ t: last.recordTime, i: last.recordId, f: print }) } : {}),
  };
}

function encodeToken(c: PageCursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeToken(token: string): PageCursor {
  try {
    const c = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<PageCursor>;
    if (typeof c.t === "string" && typeof c.i === "string" && typeof c.f === "string") return { t: c.t, i: c.i, f: c.f };
  } catch {
    /* falls through */
  }
  throw badRequest("invalid-page-token", "nextPageToken is not one this hub issued.");
}

export type { Db };
