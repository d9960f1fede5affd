import { Router, type RequestHandler } from "express";
import { RESOLVE_LIMIT, ResolveQuerySchema, classifyIdentifier, type ResolveAnswer } from "../../sdk/resolve";
import { deniedLookup, readLine } from "../access-log/logged";
import type { AccessLogWriter } from "../access-log/writer";
import type { ProofService } from "../anchoring/proofs";
import { callerOf } from "../auth/caller";
import type { Db, DbProvider } from "../db/client";
import { fromZod, notFound } from "../http/problem";
import type { OneRecordIris } from "../one-record/iris";
import { NO_RECORD, accessOf, holdersOf, visibleFields } from "../records/access";
import { describe, type Shown } from "./describe";
import { BODY_KINDS, LOOKUPS, candidatePage, type Designation } from "./lookups";

export interface ResolveRouteDeps {
  db: Db;
  provider: DbProvider;
  auth: RequestHandler;
  accessLog: AccessLogWriter;
  proofs: ProofService;
  iris: OneRecordIris;
  /** Candidates read per page (RESOLVE_PAGE_SIZE). */
  pageSize: number;
}

/** At most this many pages of candidates are read for one identifier kind. */
export const MAX_CANDIDATE_PAGES = 10;

/** One designation per record and version, in record id order (a bounded answer is the same whichever index found them). */
function distinct(list: readonly Designation[]): Designation[] {
  const seen = new Map<string, Designation>();
  for (const d of list) seen.set(`${d.recordId}@${d.version ?? ""}`, d);
  return [...seen.values()].sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : (a.version ?? 0) - (b.version ?? 0)));
}

/** The identifier bridge (docs/resolve.md): any identifier the hub knows, answered with every other one the caller may see. */
export function resolveRoutes(deps: ResolveRouteDeps): Router {
  const { db, auth, accessLog, pageSize } = deps;
  const router = Router();

  router.get("/v1/resolve", auth, async (req, res) => {
    const { orgId } = callerOf(req);
    const q = ResolveQuerySchema.safeParse(req.query);
    if (!q.success)
      throw fromZod(
        "invalid-query",
        "Expected ?id=<record id, digest, Merkle leaf, object IRI, eventID, EPC URN, Digital Link or air waybill number>.",
        q.error,
      );
    const raw = q.data.id;
    // The first kind naming a record the caller may read answers; one naming only others' records
    // goes on to the next, so what the caller may not see changes nothing it is told.
    for (const kind of classifyIdentifier(raw)) {
      const candidates = LOOKUPS[kind](deps, raw);
      const readable: Shown[] = [];
      let capped = false;
      for (let page = 1, after: string | undefined; ; page++) {
        const named = distinct(await candidatePage(deps, candidates, pageSize, after));
        // NO_RECORD keeps the statements the same when nothing is named.
        const access = await accessOf(db, orgId, [...named.map((d) => d.recordId), NO_RECORD]);
        for (const d of named) {
          const a = access.get(d.recordId);
          if (!a) continue;
          const wholeBody = visibleFields(a) === null;
          // An identifier from the body names the record only to who reads that body.
          if (BODY_KINDS.has(kind) && !wholeBody) continue;
          readable.push({ recordId: d.recordId, ...(d.version !== undefined ? { version: d.version } : {}), wholeBody });
        }
        if (readable.length > RESOLVE_LIMIT || named.length < pageSize || candidates.versioned) break;
        // Bounded work per request: past the last page read, more may match.
        if (page === MAX_CANDIDATE_PAGES) {
          capped = true;
          break;
        }
        after = named[named.length - 1]!.recordId;
      }
      if (readable.length === 0) continue;
      const records = await describe(deps, readable.slice(0, RESOLVE_LIMIT));
      if (records.length === 0) continue;
      const holders = await holdersOf(db, records);
      const at = new Date().toISOString();
      await accessLog.append(
        ...records.map((r) => readLine(orgId, { id: r.id, version: r.version, owner: holders.get(r.id) ?? r.owner }, `resolve ${kind}`, at)),
      );
      const answer: ResolveAnswer = { id: raw, kind, records, truncated: capped || readable.length > RESOLVE_LIMIT };
      res.json(answer);
      return;
    }
    // Unknown, malformed or not the caller's to see: one answer, and the attempt is logged all the same.
    await accessLog.append(deniedLookup(orgId, `resolve ${raw.slice(0, 200)}: READ`));
    throw notFound();
  });

  return router;
}
