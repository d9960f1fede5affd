import { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { productOfEpc } from "../../sdk/provenance/epc";
import type { AccessLogWriter } from "../access-log/writer";
import type { Db, DbProvider } from "../db/client";
import { execute, query } from "../db/sql";
import { callerOf } from "../auth/caller";
import { badRequest, conflict, notFound } from "../http/problem";
import { CAPTURE_FILE_SIZE_LIMIT, CAPTURE_LIMIT, type CaptureJobs, captureBodies, parseBehaviour, tooLarge } from "./capture";
import { MAX_PER_PAGE, findEvents, hiddenEvents, parseEventQuery, parseUrlQuery, type EventQuery, type EventSelector, type MasterDataSource } from "./query";
import { answerMedia, epcOptionsOf, loadEvents, queryDocument, sendQueryDocument, type QueriedEvent } from "./render";
import { DISCOVERY_KINDS, ID_PARAMETER, collection, discoveryPage, identifierVisible, setNextLink, withPathIdentifier } from "./discovery";
import { gs1Headers, optionsHandler, outputFormats } from "./gs1-headers";
import { captureDocument } from "./xml-capture";
import { masterDataOf } from "./master-data";
import { readLine } from "../access-log/logged";

export interface EpcisRouteDeps {
  db: Db;
  provider: DbProvider;
  auth: RequestHandler;
  captures: CaptureJobs;
  accessLog: AccessLogWriter;
  /** Runs when a named query is deleted: its subscriptions end with it (server/epcis/subscriptions.ts). */
  onQueryDeleted?: (owner: string, name: string) => Promise<void>;
  /** The master data queries count (WD_, HASATTR_, EQATTR_): the owner's and the caller's own. */
  masterData?: MasterDataSource;
}

/** The binding's capture limits (OPTIONS /epcis/capture, and the 202 of a capture). */
const CAPTURE_HEADERS = {
  "GS1-EPCIS-Capture-Limit": String(CAPTURE_LIMIT),
  "GS1-EPCIS-Capture-File-Size-Limit": String(CAPTURE_FILE_SIZE_LIMIT),
  "GS1-Capture-Error-Behaviour": "all",
};
/** The binding's top-level resources (GET /epcis). */
const TOP_LEVEL = ["queries", "capture", "events", "eventTypes", "epcs", "readPoints", "bizLocations", "dispositions", "bizSteps"];

/** The request's path with its escapes undone (an eventID or EPC reads as written), for the access log. */
function readablePath(req: Request): string {
  const path = `${req.baseUrl}${req.path}`;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export const QueryName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a query name is 1-64 characters of A-Z, a-z, 0-9, '_' and '-'");
const CreateQuery = z.object({ name: QueryName, query: z.unknown() }).strict();

/** The EPCIS 2.0 REST binding under /epcis: capture jobs, events, EPCs and named queries (docs/epcis.md). */
export function epcisRoutes({ db, provider, auth, captures, accessLog, onQueryDeleted, masterData }: EpcisRouteDeps): Router {
  const router = Router();
  router.use("/epcis", gs1Headers);

  /**
   * Every event an answer returns is a read of its record, logged like any other read (before the
   * answer is sent). The line names the event's attester as owner: the organisation that captured a
   * hub-attested event (the operator only signs it for them), else the record's owner.
   */
  const logReads = (req: Request, events: readonly QueriedEvent[]) => {
    const at = new Date().toISOString();
    const detail = `epcis ${req.method} ${readablePath(req)}`.slice(0, 500);
    return accessLog.append(...events.map((e) => readLine(callerOf(req).orgId, { id: e.recordId, version: 1, owner: e.capturedBy ?? e.owner }, detail, at)));
  };

  router.post("/epcis/capture", auth, async (req, res) => {
    const caller = callerOf(req);
    const length = Number(req.get("content-length") ?? 0);
    if (length > CAPTURE_FILE_SIZE_LIMIT) throw tooLarge(`The document is ${length} bytes; at most ${CAPTURE_FILE_SIZE_LIMIT} per capture.`);
    const document = captureDocument(req); // JSON-LD, or the XML binding converted to it
    const behaviour = parseBehaviour(req.get("GS1-Capture-Error-Behaviour"));
    const bodies = captureBodies(document, caller.orgId);
    const masterData = masterDataOf(document); // locations and parties the document names (400 before anything is stored)
    const id = await captures.start(caller.orgId, bodies, behaviour, masterData);
    res
      .status(202)
      .location(`/epcis/capture/${id}`)
      .set({ "GS1-Capture-Limit": String(CAPTURE_LIMIT), "GS1-Capture-File-Size-Limit": String(CAPTURE_FILE_SIZE_LIMIT), ...CAPTURE_HEADERS })
      .end();
  });

  router.get("/epcis/capture", auth, async (req, res) => {
    res.json(await captures.jobs(callerOf(req).orgId));
  });

  router.get("/epcis/capture/:captureID", auth, async (req, res) => {
    res.json(await captures.job(callerOf(req).orgId, String(req.params.captureID)));
  });

  const answer = async (req: Request, res: Response, selector: EventSelector, q: EventQuery, perPage: number, pageToken?: string, queryName?: string) => {
    const caller = callerOf(req);
    const [media, formats] = [answerMedia(req), outputFormats(req)]; // 406 / 400 before anything is read
    const page = await findEvents(db, provider, caller.orgId, selector, q, perPage, pageToken, masterData);
    if (page.nextPageToken) setNextLink(req, res, page.nextPageToken);
    const events = await loadEvents(db, page.recordIds);
    await logReads(req, events);
    sendQueryDocument(res, queryDocument(events, queryName, formats.epc, await epcOptionsOf(events, formats.epc, masterData)), media, formats);
  };

  router.get("/epcis/events", auth, async (req, res) => {
    const { query: q, perPage, pageToken } = parseUrlQuery(req.query as Record<string, unknown>);
    await answer(req, res, {}, q, perPage, pageToken);
  });

  // The event (by its eventID or its hash) and its error declarations (which share its eventID):
  // every one of them the caller may see, oldest first. None visible is 404, logged as a denial to
  // the attesters of those that exist (the same queries run either way).
  router.get("/epcis/events/:eventID", auth, async (req, res) => {
    const caller = callerOf(req);
    const eventId = String(req.params.eventID);
    const [media, formats] = [answerMedia(req), outputFormats(req)];
    const page = await findEvents(db, provider, caller.orgId, { eventId }, {}, MAX_PER_PAGE);
    const hidden = await hiddenEvents(db, provider, caller.orgId, eventId);
    if (page.recordIds.length === 0) {
      const at = new Date().toISOString();
      const base = { at, actor: caller.orgId, action: "DENY" as const, version: null, detail: "READ" };
      await accessLog.append(
        ...(hidden.length > 0 ? hidden.map((h) => ({ ...base, recordId: h.recordId, owner: h.attester })) : [{ ...base, recordId: null, owner: null }]),
      );
      throw notFound();
    }
    const events = await loadEvents(db, page.recordIds);
    await logReads(req, events);
    // Beyond the standard, as ONE Record objects do: each event's signed record and its inclusion proof (events have one version).
    res.set(
      "Link",
      page.recordIds
        .map(({ recordId }) => `/v1/records/${encodeURIComponent(recordId)}`)
        .flatMap((path) => [`<${path}?version=1>; rel="describedby"`, `<${path}/proof?version=1>; rel="https://cargoproof.dev/rel/proof"`])
        .join(", "),
    );
    sendQueryDocument(res, queryDocument(events, undefined, formats.epc, await epcOptionsOf(events, formats.epc, masterData)), media, formats);
  });

  // The discovery endpoints (REST binding): what occurs in the events the caller may read.
  router.get("/epcis", auth, (_req, res) => {
    res.json(collection(TOP_LEVEL));
  });
  for (const kind of DISCOVERY_KINDS) {
    const id = ID_PARAMETER[kind];
    router.get(`/epcis/${kind}`, auth, async (req, res) => {
      const page = await discoveryPage(db, provider, callerOf(req).orgId, kind, req.query as Record<string, unknown>);
      if (page.nextPageToken) setNextLink(req, res, page.nextPageToken);
      res.json(collection(page.member));
    });
    router.get(`/epcis/${kind}/:${id}`, auth, async (req, res) => {
      if (!(await identifierVisible(db, provider, callerOf(req).orgId, kind, String(req.params[id])))) throw notFound();
      res.json(collection(["events"]));
    });
    if (kind === "epcs") continue; // /epcs/{epc}/events below
    router.get(`/epcis/${kind}/:${id}/events`, auth, async (req, res) => {
      const { query: q, perPage, pageToken } = parseUrlQuery(req.query as Record<string, unknown>);
      await answer(req, res, {}, withPathIdentifier(kind, String(req.params[id]), q), perPage, pageToken);
    });
  }

  router.get("/epcis/epcs/:epc/events", auth, async (req, res) => {
    const epc = String(req.params.epc);
    const { query: q, perPage, pageToken } = parseUrlQuery(req.query as Record<string, unknown>);
    const product = productOfEpc(epc);
    await answer(req, res, { epc, ...(product ? { product } : {}) }, q, perPage, pageToken);
  });

  router.post("/epcis/queries", auth, async (req, res) => {
    const caller = callerOf(req);
    const parsed = CreateQuery.safeParse(req.body);
    if (!parsed.success)
      throw badRequest(
        "invalid-query",
        "Expected { name, query: { EQ_bizStep: [...], ... } }.",
        parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
      );
    const definition = parseEventQuery(parsed.data.query);
    const [existing] = await query<{ name: string }>(db, provider, `SELECT "name" FROM "EpcisNamedQuery" WHERE "owner" = $1 AND "name" = $2`, [
      caller.orgId,
      parsed.data.name,
    ]);
    if (existing) throw conflict("query-exists", `You already have a query named ${parsed.data.name}.`);
    await execute(db, provider, `INSERT INTO "EpcisNamedQuery" ("owner", "name", "query", "createdAt") VALUES ($1, $2, $3, $4)`, [
      caller.orgId,
      parsed.data.name,
      JSON.stringify(definition),
      new Date().toISOString(),
    ]);
    res.status(201).location(`/epcis/queries/${parsed.data.name}`).json({ name: parsed.data.name, query: definition });
  });

  router.get("/epcis/queries", auth, async (req, res) => {
    const rows = await query<{ name: string; query: string }>(
      db,
      provider,
      `SELECT "name", "query" FROM "EpcisNamedQuery" WHERE "owner" = $1 ORDER BY "name"`,
      [callerOf(req).orgId],
    );
    res.json(rows.map((r) => ({ name: r.name, query: JSON.parse(r.query) as unknown })));
  });

  const namedQuery = async (owner: string, name: string): Promise<EventQuery> => {
    const [row] = await query<{ query: string }>(db, provider, `SELECT "query" FROM "EpcisNamedQuery" WHERE "owner" = $1 AND "name" = $2`, [owner, name]);
    if (!row) throw notFound();
    return parseEventQuery(JSON.parse(row.query));
  };

  router.get("/epcis/queries/:name", auth, async (req, res) => {
    const name = String(req.params.name);
    res.json({ name, query: await namedQuery(callerOf(req).orgId, name) });
  });

  router.delete("/epcis/queries/:name", auth, async (req, res) => {
    const n = await execute(db, provider, `DELETE FROM "EpcisNamedQuery" WHERE "owner" = $1 AND "name" = $2`, [callerOf(req).orgId, String(req.params.name)]);
    if (n === 0) throw notFound();
    await onQueryDeleted?.(callerOf(req).orgId, String(req.params.name));
    res.status(204).end();
  });

  router.get("/epcis/queries/:name/events", auth, async (req, res) => {
    const name = String(req.params.name);
    const q = await namedQuery(callerOf(req).orgId, name);
    const { perPage, pageToken } = parseUrlQuery(Object.fromEntries(Object.entries(req.query).filter(([k]) => k === "perPage" || k === "nextPageToken")));
    await answer(req, res, {}, q, perPage, pageToken, name);
  });

  // OPTIONS on every EPCIS resource: Allow from the routes above, the binding's discovery headers.
  router.options(
    /^\/epcis(\/.*)?$/,
    auth,
    optionsHandler((path) => (path === "/epcis/capture" ? CAPTURE_HEADERS : {})),
  );

  return router;
}
