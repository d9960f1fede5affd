import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import type { DbProvider } from "../db/client";
import { query, type Runner } from "../db/sql";
import { badRequest } from "../http/problem";
import { parsePerPage, STANDARD_EVENT_TYPES, visibility, type EventQuery } from "./query";
import { vocabularyForms } from "./vocabulary";

/**
 * The discovery endpoints of the EPCIS 2.0 REST binding (/eventTypes, /epcs, /bizSteps,
 * /bizLocations, /readPoints, /dispositions): what occurs in the events the caller may read, never
 * another organisation's identifiers. An identifier the caller may not see answers like an unknown one.
 */

export const DISCOVERY_KINDS = ["eventTypes", "epcs", "bizSteps", "bizLocations", "readPoints", "dispositions"] as const;
export type DiscoveryKind = (typeof DISCOVERY_KINDS)[number];

const EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/** The binding's Collection (UriCollection, BizStepCollection, ...). */
export const collection = (member: readonly string[]) => ({ "@context": EPCIS_CONTEXT_URL, type: "Collection", member });

/** The path parameter of one identifier of each kind (/epcis/bizSteps/{bizStep}, as the binding names them). */
export const ID_PARAMETER: Record<DiscoveryKind, string> = {
  eventTypes: "eventType",
  epcs: "epc",
  bizSteps: "bizStep",
  bizLocations: "bizLocation",
  readPoints: "readPoint",
  dispositions: "disposition",
};

/** The index column of each kind (epcs have their own table). */
const COLUMN: Record<Exclude<DiscoveryKind, "epcs">, string> = {
  eventTypes: "eventType",
  bizSteps: "bizStep",
  bizLocations: "bizLocation",
  readPoints: "readPoint",
  dispositions: "disposition",
};

/** The EPCIS query parameter a /{kind}/{id}/events resource stands for (epcs: the EPC selector). */
export const EVENTS_PARAMETER: Record<Exclude<DiscoveryKind, "epcs">, string> = {
  eventTypes: "eventType",
  bizSteps: "EQ_bizStep",
  bizLocations: "EQ_bizLocation",
  readPoints: "EQ_readPoint",
  dispositions: "EQ_disposition",
};

/** Standard CBV words are listed bare, however an event wrote them (BizStepCollection lists bare words). */
function listed(kind: DiscoveryKind, value: string): string {
  if (kind === "bizSteps") return vocabularyForms("bizStep", value)[0]!;
  if (kind === "dispositions") return vocabularyForms("disposition", value)[0]!;
  return value;
}

/** Every spelling an identifier of this kind may be stored under. */
function spellings(kind: DiscoveryKind, value: string): string[] {
  if (kind === "bizSteps") return vocabularyForms("bizStep", value);
  if (kind === "dispositions") return vocabularyForms("disposition", value);
  return [value];
}

/** At most this many distinct values are read per page (the smallest after the cursor, in order). */
const SCAN_LIMIT = 10_000;

interface DiscoveryCursor {
  v: string;
  f: string;
}

const fingerprint = (caller: string, kind: DiscoveryKind, perPage: number) =>
  createHash("sha256")
    .update(JSON.stringify([caller, kind, perPage]))
    .digest("base64url")
    .slice(0, 16);

function decodeCursor(token: string, print: string): DiscoveryCursor {
  try {
    const c = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<DiscoveryCursor>;
    if (typeof c.v === "string" && typeof c.f === "string") {
      if (c.f !== print) throw badRequest("invalid-page-token", "nextPageToken belongs to another list.");
      return { v: c.v, f: c.f };
    }
  } catch (err) {
    if (err instanceof Error && "status" in err) throw err;
  }
  throw badRequest("invalid-page-token", "nextPageToken is not one this hub issued.");
}

/** The distinct values of one kind in the events the caller may see, in code-point order, after `after`. */
async function visibleValues(
  db: Runner,
  provider: DbProvider,
  caller: string,
  kind: DiscoveryKind,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const params: string[] = [];
  const p = (v: string) => {
    params.push(v);
    return `$${params.length}`;
  };
  const seen = visibility(p, caller, new Date().toISOString(), provider);
  // bizSteps and dispositions are listed normalised (few values): read them all, then page.
  const normalised = kind === "bizSteps" || kind === "dispositions";
  // COLLATE "C": the same code-point order on SQLite and PostgreSQL, so cursors work alike.
  const collate = provider === "postgresql" ? ` COLLATE "C"` : "";
  const column = kind === "epcs" ? `x."epc"` : `e."${COLUMN[kind]}"`;
  const from =
    kind === "epcs"
      ? `SELECT DISTINCT ${column}${collate} AS "v" FROM "EpcisEventEpc" x JOIN "EpcisEvent" e ON e."recordId" = x."recordId" WHERE x."role" <> 'class' AND ${seen}`
      : `SELECT DISTINCT ${column}${collate} AS "v" FROM "EpcisEvent" e WHERE ${column} IS NOT NULL AND ${seen}`;
  const cursor = after !== undefined && !normalised ? ` AND ${column}${collate} > ${p(after)}` : "";
  const rows = await query<{ v: string }>(db, provider, `${from}${cursor} ORDER BY "v" LIMIT ${normalised ? SCAN_LIMIT : limit}`, params);
  let out = rows.map((r) => listed(kind, r.v));
  if (kind === "eventTypes") out = [...out, ...STANDARD_EVENT_TYPES];
  out = [...new Set(out)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return after === undefined ? out.slice(0, limit) : out.filter((v) => v > after).slice(0, limit);
}

/** One page of a discovery list: values and the next page's token. */
export async function discoveryPage(
  db: Runner,
  provider: DbProvider,
  caller: string,
  kind: DiscoveryKind,
  urlQuery: Record<string, unknown>,
): Promise<{ member: string[]; nextPageToken?: string }> {
  const { perPage: rawPerPage, nextPageToken, ...rest } = urlQuery;
  const others = Object.keys(rest);
  if (others.length > 0) throw badRequest("epcis-query-parameter", `A discovery list takes perPage and nextPageToken only (not ${others.join(", ")}).`);
  if (nextPageToken !== undefined && typeof nextPageToken !== "string") throw badRequest("invalid-page-token", "nextPageToken is given more than once.");
  const perPage = parsePerPage(rawPerPage);
  const print = fingerprint(caller, kind, perPage);
  const after = nextPageToken === undefined ? undefined : decodeCursor(nextPageToken, print).v;
  const values = await visibleValues(db, provider, caller, kind, after, perPage + 1);
  const member = values.slice(0, perPage);
  const last = member[member.length - 1];
  return {
    member,
    ...(values.length > perPage && last !== undefined ? { nextPageToken: Buffer.from(JSON.stringify({ v: last, f: print })).toString("base64url") } : {}),
  };
}

/** Whether the caller may see an event naming this identifier (a standard event type always exists). */
export async function identifierVisible(db: Runner, provider: DbProvider, caller: string, kind: DiscoveryKind, value: string): Promise<boolean> {
  if (kind === "eventTypes" && (STANDARD_EVENT_TYPES as readonly string[]).includes(value)) return true;
  const params: string[] = [];
  const p = (v: string) => {
    params.push(v);
    return `$${params.length}`;
  };
  const seen = visibility(p, caller, new Date().toISOString(), provider);
  const forms = spellings(kind, value).map(p).join(", ");
  const sql =
    kind === "epcs"
      ? `SELECT 1 AS "x" FROM "EpcisEventEpc" x JOIN "EpcisEvent" e ON e."recordId" = x."recordId" WHERE x."role" <> 'class' AND x."epc" IN (${forms}) AND ${seen} LIMIT 1`
      : `SELECT 1 AS "x" FROM "EpcisEvent" e WHERE e."${COLUMN[kind]}" IN (${forms}) AND ${seen} LIMIT 1`;
  return (await query(db, provider, sql, params)).length > 0;
}

/** The query of /{kind}/{id}/events: the URL's parameters and the path's identifier (naming both is a 400). */
export function withPathIdentifier(kind: Exclude<DiscoveryKind, "epcs">, value: string, q: EventQuery): EventQuery {
  const name = EVENTS_PARAMETER[kind];
  if (name in q) throw badRequest("epcis-query-parameter", `${name} is given by the path.`);
  return { ...q, [name]: [value] };
}

/** The Link header of the next page: this request's URL with the next page's token (REST binding pagination). */
export function setNextLink(req: Request, res: Response, token: string): void {
  const next = new URLSearchParams(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === "string" && e[0] !== "nextPageToken"));
  next.set("nextPageToken", token);
  res.set("Link", `<${req.baseUrl}${req.path}?${next.toString()}>; rel="next"`);
}
