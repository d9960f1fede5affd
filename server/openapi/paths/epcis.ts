import { QueryName } from "../../epcis/routes";
import { z } from "zod";
import { CaptureJobSchema, EpcisQueryResultSchema } from "../../../sdk/epcis/api";
import { EventQuerySchema } from "../../epcis/query";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";

const JSON_LD = "application/ld+json";
/** The GS1-EPCIS-Version / GS1-CBV-Version negotiation every /epcis answer does. */
const VERSION_PROBLEMS = { 406: ["epcis-version", "cbv-version"] };
const EPCIS_HEADERS = {
  "GS1-EPCIS-Version": { description: "The EPCIS version asked for; only 2.0.x is served (406 otherwise)." },
  "GS1-CBV-Version": { description: "The CBV version asked for; only 2.0.x is served (406 otherwise)." },
};
const QueryResult = named("EpcisQueryDocument", EpcisQueryResultSchema);
const pipeList = (what: string) => z.string().optional().describe(`${what}, "|"-separated`);

/** The URL form of an event query (server/epcis/query.ts parseUrlQuery): documentation of what the route reads. */
const EventUrlQuery = z.object({
  eventType: pipeList("Event types"),
  EQ_bizStep: pipeList("Business steps"),
  EQ_disposition: pipeList("Dispositions"),
  EQ_readPoint: pipeList("Read points"),
  EQ_bizLocation: pipeList("Business locations"),
  GE_eventTime: z.string().optional().describe("Events at or after this ISO 8601 date-time"),
  LT_eventTime: z.string().optional().describe("Events before this ISO 8601 date-time"),
  GE_recordTime: z.string().optional(),
  LT_recordTime: z.string().optional(),
  MATCH_epc: pipeList("EPCs"),
  MATCH_anyEPC: pipeList("EPCs in any role"),
  EXISTS_errorDeclaration: z.enum(["true", "false"]).optional().describe("true: only events that declare an error (errorDeclaration)"),
  GE_errorDeclarationTime: z.string().optional().describe("Error declarations at or after this ISO 8601 date-time"),
  LT_errorDeclarationTime: z.string().optional().describe("Error declarations before this ISO 8601 date-time"),
  EQ_errorReason: pipeList("Error reasons (did_not_occur, incorrect_data, or a URI)"),
  EQ_correctiveEventID: pipeList("Error declarations naming one of these corrective event IDs"),
  perPage: z.string().regex(/^\d+$/).optional().describe("Events per page (1-1000, default 100)"),
  nextPageToken: z.string().optional().describe("From the previous page's Link rel=next"),
});
const PageQuery = EventUrlQuery.pick({ perPage: true, nextPageToken: true });
const QUERY_PROBLEMS = { 400: ["epcis-query-parameter", "invalid-page-token"] };

/** The body of POST /epcis/queries (server/epcis/routes.ts validates it with an equal, unexported schema). */
const NamedQuerySchema = z.object({ name: QueryName, query: EventQuerySchema }).strict();
const NamedQuery = named("EpcisNamedQuery", NamedQuerySchema);
const NamePath = z.object({ name: QueryName });

const EpcisDocument = named(
  "EpcisDocument",
  z.looseObject({ "@context": z.unknown(), type: z.literal("EPCISDocument"), epcisBody: z.looseObject({ eventList: z.array(z.record(z.string(), z.unknown())) }) }),
);

const epcis = (op: Omit<Operation, "tags" | "security" | "headers" | "problems"> & { problems: Operation["problems"] }): Operation => ({
  ...op,
  tags: ["epcis"],
  security: "bearer",
  headers: EPCIS_HEADERS,
  problems: problems(BEARER_PROBLEMS, VERSION_PROBLEMS, op.problems),
});

export const epcisOperations: Operation[] = [
  epcis({
    operationId: "captureEpcis",
    method: "post",
    path: "/epcis/capture",
    summary: "Capture an EPCIS 2.0 document; the hub attests each event as a record (asynchronous job)",
    description:
      "The document in the JSON-LD binding (application/ld+json, application/json) or the XML binding (application/xml, text/xml: an EPCISDocument of XSD EPCglobal-epcis-2_0.xsd, converted to JSON-LD and captured alike, same event hashes). XML with a DTD or entity declarations is refused; a document breaking the XML binding is a 400 epcis-xml naming the element.",
    body: { schema: EpcisDocument, mediaTypes: [JSON_LD, JSON_TYPE, "application/xml", "text/xml"] },
    responses: [{ status: 202, description: "Accepted; follow Location for the job.", headers: { Location: "The capture job.", "GS1-Capture-Limit": "Events per capture.", "GS1-Capture-File-Size-Limit": "Bytes per capture." } }],
    problems: problems(BODY_PROBLEMS, { 400: ["epcis-validation", "epcis-xml", "epcis-capture-error-behaviour"], 413: ["epcis-capture-limit"], 415: ["unsupported-media-type"] }),
  }),
  epcis({
    operationId: "listCaptureJobs",
    method: "get",
    path: "/epcis/capture",
    summary: "The caller's capture jobs",
    responses: [{ status: 200, description: "The jobs.", content: { [JSON_TYPE]: named("CaptureJobList", z.array(named("CaptureJob", CaptureJobSchema).schema)) } }],
    problems: {},
  }),
  epcis({
    operationId: "getCaptureJob",
    method: "get",
    path: "/epcis/capture/{captureID}",
    summary: "One capture job: running, success, errors, the outcome of each event",
    pathParams: z.object({ captureID: z.string() }),
    responses: [{ status: 200, description: "The job.", content: { [JSON_TYPE]: named("CaptureJob", CaptureJobSchema) } }],
    problems: NOT_FOUND,
  }),
  epcis({
    operationId: "queryEpcisEvents",
    method: "get",
    path: "/epcis/events",
    summary: "Events the caller may see, filtered by the query parameters",
    query: EventUrlQuery,
    responses: [{ status: 200, description: "An EPCISQueryDocument; Link rel=next when there are more.", content: { [JSON_LD]: QueryResult }, headers: { Link: "The next page." } }],
    problems: QUERY_PROBLEMS,
  }),
  epcis({
    operationId: "getEpcisEvent",
    method: "get",
    path: "/epcis/events/{eventID}",
    summary: "An event by its eventID or hash, with its error declarations (every one the caller may see)",
    pathParams: z.object({ eventID: z.string() }),
    responses: [
      {
        status: 200,
        description: "An EPCISQueryDocument holding the events as captured (the hub adds only recordTime); the hub's record id and event hash of each are in queryResults[\"urn:cargoproof:events\"], in eventList order.",
        content: { [JSON_LD]: QueryResult },
      },
    ],
    problems: NOT_FOUND,
  }),
  epcis({
    operationId: "getEpcEvents",
    method: "get",
    path: "/epcis/epcs/{epc}/events",
    summary: "Events naming an EPC (and, for an SGTIN or LGTIN, its product class)",
    pathParams: z.object({ epc: z.string() }),
    query: EventUrlQuery,
    responses: [{ status: 200, description: "An EPCISQueryDocument.", content: { [JSON_LD]: QueryResult }, headers: { Link: "The next page." } }],
    problems: QUERY_PROBLEMS,
  }),
  epcis({
    operationId: "createEpcisQuery",
    method: "post",
    path: "/epcis/queries",
    summary: "Save a named query",
    body: { schema: NamedQuery, mediaTypes: [JSON_TYPE] },
    responses: [{ status: 201, description: "Saved.", content: { [JSON_TYPE]: NamedQuery }, headers: { Location: "The query." } }],
    problems: problems(BODY_PROBLEMS, { 400: ["invalid-query", "epcis-query-parameter"], 409: ["query-exists"] }),
  }),
  epcis({
    operationId: "listEpcisQueries",
    method: "get",
    path: "/epcis/queries",
    summary: "The caller's named queries",
    responses: [{ status: 200, description: "The queries.", content: { [JSON_TYPE]: named("EpcisNamedQueryList", z.array(NamedQuerySchema)) } }],
    problems: {},
  }),
  epcis({
    operationId: "getEpcisQuery",
    method: "get",
    path: "/epcis/queries/{name}",
    summary: "One named query",
    pathParams: NamePath,
    responses: [{ status: 200, description: "The query.", content: { [JSON_TYPE]: NamedQuery } }],
    problems: NOT_FOUND,
  }),
  epcis({
    operationId: "deleteEpcisQuery",
    method: "delete",
    path: "/epcis/queries/{name}",
    summary: "Delete a named query",
    pathParams: NamePath,
    responses: [{ status: 204, description: "Deleted." }],
    problems: NOT_FOUND,
  }),
  epcis({
    operationId: "runEpcisQuery",
    method: "get",
    path: "/epcis/queries/{name}/events",
    summary: "The events a named query selects",
    pathParams: NamePath,
    query: PageQuery,
    responses: [{ status: 200, description: "An EPCISQueryDocument named after the query.", content: { [JSON_LD]: QueryResult }, headers: { Link: "The next page." } }],
    problems: problems(NOT_FOUND, QUERY_PROBLEMS),
  }),
];
