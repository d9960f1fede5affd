import { QueryName } from "../../epcis/routes";
import { z } from "zod";
import { CaptureJobSchema, EPCIS_QUERY_PARAMETERS, type EpcisQueryParameter } from "../../../sdk/epcis/api";
import { EpcisCaptureDocument, EpcisQueryDocument } from "../epcis-documents";
import { EventQuerySchema } from "../../epcis/query";
import { EpcisSubscriptionInput, EpcisSubscriptionViewSchema } from "../../epcis/subscriptions";
import { DISCOVERY_KINDS, EVENTS_PARAMETER, ID_PARAMETER, type DiscoveryKind } from "../../epcis/discovery";
import { MasterDataAnswerSchema, MasterDataQuerySchema } from "../../epcis/master-data";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";

const JSON_LD = "application/ld+json";
/** The GS1-EPCIS-Version / GS1-CBV-Version negotiation every /epcis answer does. */
const VERSION_PROBLEMS = { 406: ["epcis-version", "cbv-version"] };
const EPCIS_HEADERS = {
  "GS1-EPCIS-Version": { description: "The EPCIS version asked for; only 2.0.x is served (406 otherwise)." },
  "GS1-CBV-Version": { description: "The CBV version asked for; only 2.0.x is served (406 otherwise)." },
};
const QueryResult = EpcisQueryDocument;
/** The XML binding's answer (Accept: application/xml or text/xml): an EPCISQueryDocument of the query schema (urn:epcglobal:epcis-query:xsd:2). */
const XML_QUERY_RESULT = {
  raw: {
    type: "string",
    description: "An EPCISQueryDocument of the EPCIS 2.0 XML binding (namespace urn:epcglobal:epcis-query:xsd:2): the same events the XML capture reads back.",
  },
};
/** What every events read answers (server/epcis/render.ts sendQueryDocument): JSON-LD, or XML by Accept. */
const EVENTS_CONTENT = { [JSON_LD]: QueryResult, "application/xml": XML_QUERY_RESULT, "text/xml": XML_QUERY_RESULT };
/** The read's format headers (server/epcis/gs1-headers.ts outputFormats) and Accept: a value outside the enum is a 400, an Accept the hub cannot serve a 406. */
const READ_PROBLEMS = { 400: ["epcis-header"], 406: ["not-acceptable"] };
const READ_HEADERS = {
  "GS1-EPC-Format": {
    description:
      "No_Preference, Always_GS1_Digital_Link, Always_EPC_URN or Never_Translates (default: events as captured). EPCs (EPC lists, parentID, quantity classes, readPoint/bizLocation ids, sources and destinations) are translated by the EPC Tag Data Standard's rules when nothing is lost; a Digital Link becomes a URN only when the event's attester holds its GS1 Company Prefix (GS1_COMPANY_PREFIX credentials: the prefix length a Digital Link does not carry), else it stays (docs/epcis.md). The answer's GS1-EPC-Format header says which format it is in.",
  },
  "GS1-CBV-XML-Format": {
    description: "XML answers only: No_Preference, Always_Web_URI, Always_URN or Never_Translates (default: CBV values as captured, a bare word as its URN).",
  },
};
const READ_RESPONSE_HEADERS = {
  "GS1-EPC-Format": "The format of the EPCs in the answer.",
  "GS1-CBV-XML-Format": "XML answers: the format of the CBV values.",
  Vary: "Accept.",
};
const pipeList = (what: string) => z.string().optional().describe(`${what}, "|"-separated`);

/** What each fixed parameter of the query language (sdk/epcis/api.ts EPCIS_QUERY_PARAMETERS) selects. */
const PARAMETER_DESCRIPTIONS: Record<EpcisQueryParameter, string> = {
  eventType: "Event types",
  GE_eventTime: "Events at or after this ISO 8601 date-time",
  LT_eventTime: "Events before this ISO 8601 date-time",
  GE_recordTime: "Events the hub recorded at or after this ISO 8601 date-time",
  LT_recordTime: "Events the hub recorded before this ISO 8601 date-time",
  EQ_action: "ADD, OBSERVE or DELETE",
  EQ_bizStep: "Business steps",
  EQ_disposition: "Dispositions",
  EQ_persistentDisposition_set: "Dispositions in persistentDisposition.set",
  EQ_persistentDisposition_unset: "Dispositions in persistentDisposition.unset",
  EQ_readPoint: "Read points",
  WD_readPoint: "Read points with their descendants by the master data the query counts (children: the owner's and the caller's own statements)",
  EQ_bizLocation: "Business locations",
  WD_bizLocation: "Business locations with their descendants (as WD_readPoint)",
  EQ_transformationID: "Transformation IDs",
  MATCH_epc: "EPCs or EPC patterns (epcList, childEPCs)",
  MATCH_parentID: "EPCs or EPC patterns (parentID)",
  MATCH_inputEPC: "EPCs or EPC patterns (inputEPCList)",
  MATCH_outputEPC: "EPCs or EPC patterns (outputEPCList)",
  MATCH_anyEPC: "EPCs or EPC patterns in any role",
  MATCH_epcClass: "EPC classes or patterns (quantityList, childQuantityList)",
  MATCH_inputEPCClass: "EPC classes or patterns (inputQuantityList)",
  MATCH_outputEPCClass: "EPC classes or patterns (outputQuantityList)",
  MATCH_anyEPCClass: "EPC classes or patterns in any quantity list",
  EQ_eventID: "The events' own eventIDs",
  EXISTS_errorDeclaration: "true: only events that declare an error (errorDeclaration)",
  GE_errorDeclarationTime: "Error declarations at or after this ISO 8601 date-time",
  LT_errorDeclarationTime: "Error declarations before this ISO 8601 date-time",
  EQ_errorReason: "Error reasons (did_not_occur, incorrect_data, or a URI)",
  EQ_correctiveEventID: "Error declarations naming one of these corrective event IDs",
  EQ_type: "Sensor report measurement types (bare words, e.g. Temperature)",
  EQ_deviceID: "Sensor device IDs (metadata or report)",
  EQ_dataProcessingMethod: "Sensor data processing methods",
  EQ_microorganism: "Sensor report microorganisms",
  EQ_chemicalSubstance: "Sensor report chemical substances",
  EQ_bizRules: "Sensor metadata business rules",
  EQ_stringValue: "Sensor report string values",
  EQ_hexBinaryValue: "Sensor report hexBinary values",
  EQ_uriValue: "Sensor report URI values",
  EQ_booleanValue: "Sensor report boolean value",
  GE_time: "Sensor metadata or report time at or after",
  LT_time: "Sensor metadata or report time before",
  GE_startTime: "Sensor metadata startTime at or after",
  LT_startTime: "Sensor metadata startTime before",
  GE_endTime: "Sensor metadata endTime at or after",
  LT_endTime: "Sensor metadata endTime before",
  orderBy: "eventTime, recordTime or an extension field (namespace#name); without it, record order",
  orderDirection: "With orderBy; DESC when omitted",
  eventCountLimit: "The first N events in orderBy's order (needs orderBy; not with maxEventCount)",
  maxEventCount: "More matching events is a 413 epcis-query-too-large (QueryTooLargeException)",
};
const URL_VALUE: Record<(typeof EPCIS_QUERY_PARAMETERS)[EpcisQueryParameter], (what: string) => z.ZodOptional> = {
  list: pipeList,
  action: pipeList,
  time: (what) => z.string().optional().describe(what),
  bool: (what) => z.enum(["true", "false"]).optional().describe(what),
  count: (what) => z.string().regex(/^\d+$/).optional().describe(what),
  orderBy: (what) => z.string().optional().describe(what),
  direction: (what) => z.enum(["ASC", "DESC"]).optional().describe(what),
};

/**
 * The URL form of an event query (server/epcis/query.ts parseUrlQuery): documentation of what the
 * route reads. The fixed names are listed; the families with names built from a field, unit or type
 * are in QUERY_FAMILIES (the binding lists them the same way).
 */
const EventUrlQuery = z.looseObject({
  ...Object.fromEntries(
    (Object.keys(EPCIS_QUERY_PARAMETERS) as EpcisQueryParameter[]).map((name) => [name, URL_VALUE[EPCIS_QUERY_PARAMETERS[name]](PARAMETER_DESCRIPTIONS[name])]),
  ),
  EQ_quantity: z.string().optional().describe("A QuantityElement's quantity (also GT_, GE_, LT_, LE_, and EQ_quantity_{uom} ...)"),
  perPage: z.string().regex(/^\d+$/).optional().describe("Events per page (1-1000, default 100)"),
  nextPageToken: z.string().optional().describe("From the previous page's Link rel=next"),
});
const QUERY_FAMILIES =
  'Every SimpleEventQuery parameter of EPCIS 2.0 §8.2.7.1 (lists "|"-separated). Besides the fixed names: ' +
  "EQ_/GT_/GE_/LT_/LE_quantity_{uom}; EQ_/GT_/GE_/LT_/LE_{value|minValue|maxValue|meanValue|sDev|percValue}_{uom} and _percRank (sensor reports); " +
  "EQ_bizTransaction_{type}, EQ_source_{type}, EQ_destination_{type}; EQ_/GT_/GE_/LT_/LE_/EXISTS_[INNER_][ILMD_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_|readPoint_|bizLocation_|ERROR_DECLARATION_]{field} " +
  "with {field} an extension field as namespace#name (or its CURIE); HASATTR_{field} and EQATTR_{field}_{attribute} over the master data of the field's element that the query counts (its owner's and the caller's own statements). " +
  "Unknown names are a 400. Parameters the index does not hold are evaluated over the stored events that pass the indexed ones, at most 5000 (more: 413 epcis-query-too-complex).";
const PageQuery = EventUrlQuery.pick({ perPage: true, nextPageToken: true });
const QUERY_PROBLEMS = { 400: ["epcis-query-parameter", "invalid-page-token"], 413: ["epcis-query-too-large", "epcis-query-too-complex"] };

/** The body of POST /epcis/queries (server/epcis/routes.ts validates it with an equal, unexported schema). */
const NamedQuerySchema = z.object({ name: QueryName, query: EventQuerySchema }).strict();
const NamedQuery = named("EpcisNamedQuery", NamedQuerySchema);
const NamePath = z.object({ name: QueryName });

const epcis = (op: Omit<Operation, "tags" | "security" | "problems"> & { problems: Operation["problems"] }): Operation => ({
  ...op,
  tags: ["epcis"],
  security: "bearer",
  headers: { ...EPCIS_HEADERS, ...op.headers },
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
    body: { schema: EpcisCaptureDocument, mediaTypes: [JSON_LD, JSON_TYPE, "application/xml", "text/xml"] },
    responses: [
      {
        status: 202,
        description: "Accepted; follow Location for the job.",
        headers: { Location: "The capture job.", "GS1-Capture-Limit": "Events per capture.", "GS1-Capture-File-Size-Limit": "Bytes per capture." },
      },
    ],
    problems: problems(BODY_PROBLEMS, {
      400: ["epcis-validation", "epcis-xml", "epcis-capture-error-behaviour"],
      413: ["epcis-capture-limit"],
      415: ["unsupported-media-type"],
    }),
  }),
  epcis({
    operationId: "listCaptureJobs",
    method: "get",
    path: "/epcis/capture",
    summary: "The caller's capture jobs",
    responses: [
      { status: 200, description: "The jobs.", content: { [JSON_TYPE]: named("CaptureJobList", z.array(named("CaptureJob", CaptureJobSchema).schema)) } },
    ],
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
    description: QUERY_FAMILIES,
    query: EventUrlQuery,
    headers: READ_HEADERS,
    responses: [
      {
        status: 200,
        description: "An EPCISQueryDocument; Link rel=next when there are more.",
        content: EVENTS_CONTENT,
        headers: { Link: "The next page.", ...READ_RESPONSE_HEADERS },
      },
    ],
    problems: problems(QUERY_PROBLEMS, READ_PROBLEMS),
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
        description:
          'An EPCISQueryDocument holding the events as captured (the hub adds only recordTime); the hub\'s record id and event hash of each are in queryResults["urn:cargoproof:events"], in eventList order.',
        content: EVENTS_CONTENT,
        headers: READ_RESPONSE_HEADERS,
      },
    ],
    headers: READ_HEADERS,
    problems: problems(NOT_FOUND, READ_PROBLEMS),
  }),
  epcis({
    operationId: "getEpcEvents",
    method: "get",
    path: "/epcis/epcs/{epc}/events",
    summary: "Events naming an EPC (and, for an SGTIN or LGTIN, its product class)",
    description: QUERY_FAMILIES,
    pathParams: z.object({ epc: z.string() }),
    query: EventUrlQuery,
    headers: READ_HEADERS,
    responses: [{ status: 200, description: "An EPCISQueryDocument.", content: EVENTS_CONTENT, headers: { Link: "The next page.", ...READ_RESPONSE_HEADERS } }],
    problems: problems(QUERY_PROBLEMS, READ_PROBLEMS),
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
    summary: "Delete a named query (and every subscription to it)",
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
    headers: READ_HEADERS,
    responses: [
      {
        status: 200,
        description: "An EPCISQueryDocument named after the query.",
        content: EVENTS_CONTENT,
        headers: { Link: "The next page.", ...READ_RESPONSE_HEADERS },
      },
    ],
    problems: problems(NOT_FOUND, QUERY_PROBLEMS, READ_PROBLEMS),
  }),
  ...subscriptionOperations(),
];

/** Query subscriptions (server/epcis/subscriptions*.ts, docs/epcis.md "Subscriptions"): webhooks of the REST binding. */
function subscriptionOperations(): Operation[] {
  const Subscription = named("EpcisSubscription", EpcisSubscriptionViewSchema);
  const SubscriptionPath = z.object({ name: QueryName, subscriptionID: z.string() });
  return [
    epcis({
      operationId: "subscribeEpcisQuery",
      method: "post",
      path: "/epcis/queries/{name}/subscriptions",
      summary: "Subscribe a webhook to a named query: stream: true (every newly captured matching event) or a schedule",
      description:
        "dest: an https URL (plain http and private addresses only where WEBHOOK_ALLOW_PRIVATE). schedule: EPCIS §8.2.5.3 fields (second, minute, hour, dayOfMonth, month, dayOfWeek; numbers and [a-b] ranges, comma-separated; omitted: any value; UTC). " +
        "reportIfEmpty (schedules only): report empty results too. initialRecordTime: where the first report starts (default now). " +
        "Each report is POSTed to dest as an EPCISQueryDocument (queryName, subscriptionID; at most 100 events, more make several) of the events the subscriber may read, through the hub's webhook delivery (retries with backoff, Cargoproof-Delivery id, dead letters under /v1/subscriptions/{subscriptionID}); " +
        "with a signatureToken, GS1-Signature is base64(HMAC-SHA256(signatureToken, body)).",
      pathParams: NamePath,
      body: { schema: named("EpcisSubscriptionRequest", EpcisSubscriptionInput), mediaTypes: [JSON_TYPE, JSON_LD] },
      responses: [
        {
          status: 201,
          description: "Subscribed; the signatureToken is not shown back.",
          content: { [JSON_TYPE]: Subscription },
          headers: { Location: "The subscription." },
        },
      ],
      problems: problems(BODY_PROBLEMS, NOT_FOUND, {
        400: ["epcis-subscription-controls", "invalid-webhook-url", "too-many-subscriptions"],
        415: ["unsupported-media-type"],
      }),
    }),
    epcis({
      operationId: "listEpcisSubscriptions",
      method: "get",
      path: "/epcis/queries/{name}/subscriptions",
      summary: "The caller's subscriptions to its named query",
      pathParams: NamePath,
      responses: [
        {
          status: 200,
          description: "The subscriptions, oldest first.",
          content: { [JSON_TYPE]: named("EpcisSubscriptionList", z.array(EpcisSubscriptionViewSchema)) },
        },
      ],
      problems: NOT_FOUND,
    }),
    epcis({
      operationId: "getEpcisSubscription",
      method: "get",
      path: "/epcis/queries/{name}/subscriptions/{subscriptionID}",
      summary: "One subscription (another organisation's is a 404, like an unknown one)",
      pathParams: SubscriptionPath,
      responses: [{ status: 200, description: "The subscription.", content: { [JSON_TYPE]: Subscription } }],
      problems: NOT_FOUND,
    }),
    epcis({
      operationId: "unsubscribeEpcisQuery",
      method: "delete",
      path: "/epcis/queries/{name}/subscriptions/{subscriptionID}",
      summary: "Unsubscribe: nothing more is delivered",
      pathParams: SubscriptionPath,
      responses: [{ status: 204, description: "Unsubscribed." }],
      problems: NOT_FOUND,
    }),
  ];
}

/** The discovery endpoints (server/epcis/discovery.ts): what occurs in events the caller may read. */
const Collection = named("EpcisCollection", z.object({ "@context": z.string(), type: z.literal("Collection"), member: z.array(z.string()) }));
const WHAT: Record<DiscoveryKind, string> = {
  eventTypes: "event types (the five standard ones, and any other in readable events)",
  epcs: "EPCs",
  bizSteps: "business steps (CBV words bare)",
  bizLocations: "business locations",
  readPoints: "read points",
  dispositions: "dispositions (CBV words bare)",
};
const DISCOVERY = DISCOVERY_KINDS.map((kind) => ({
  kind,
  what: WHAT[kind],
  id: ID_PARAMETER[kind],
  parameter: kind === "epcs" ? undefined : EVENTS_PARAMETER[kind],
}));
epcisOperations.push(
  epcis({
    operationId: "epcisTopLevel",
    method: "get",
    path: "/epcis",
    summary: "The top-level EPCIS resources (REST binding)",
    responses: [{ status: 200, description: "A Collection of resource names.", content: { [JSON_TYPE]: Collection } }],
    problems: {},
  }),
  ...DISCOVERY.flatMap(({ kind, what, id, parameter }) => [
    epcis({
      operationId: `list${kind[0]!.toUpperCase()}${kind.slice(1)}`,
      method: "get",
      path: `/epcis/${kind}`,
      summary: `The ${what} occurring in events the caller may read`,
      query: PageQuery,
      responses: [
        {
          status: 200,
          description: "A Collection; Link rel=next when there are more.",
          content: { [JSON_TYPE]: Collection },
          headers: { Link: "The next page." },
        },
      ],
      problems: { 400: ["epcis-query-parameter", "invalid-page-token"] },
    }),
    epcis({
      operationId: `get${id[0]!.toUpperCase()}${id.slice(1)}Resource`,
      method: "get",
      path: `/epcis/${kind}/{${id}}`,
      summary: `The sub-resources of one of the ${what} (events); one no readable event names is a 404, like an unknown one`,
      pathParams: z.object({ [id]: z.string() }),
      responses: [{ status: 200, description: 'A Collection: ["events"].', content: { [JSON_TYPE]: Collection } }],
      problems: NOT_FOUND,
    }),
    ...(parameter
      ? [
          epcis({
            operationId: `get${id[0]!.toUpperCase()}${id.slice(1)}Events`,
            method: "get",
            path: `/epcis/${kind}/{${id}}/events`,
            summary: `Events of one of the ${what}: the query with ${parameter} set to it (naming ${parameter} in the URL too is a 400)`,
            description: QUERY_FAMILIES,
            pathParams: z.object({ [id]: z.string() }),
            query: EventUrlQuery,
            headers: READ_HEADERS,
            responses: [
              { status: 200, description: "An EPCISQueryDocument.", content: EVENTS_CONTENT, headers: { Link: "The next page.", ...READ_RESPONSE_HEADERS } },
            ],
            problems: problems(QUERY_PROBLEMS, READ_PROBLEMS),
          }),
        ]
      : []),
  ]),
);

/** OPTIONS on every EPCIS path (server/epcis/gs1-headers.ts optionsHandler): 204, Allow and the GS1-* discovery headers. */
const OPTIONS_HEADERS = {
  Allow: "The methods served at this path.",
  "GS1-EPCIS-Version": "2.0.0",
  "GS1-EPCIS-Min": "2.0.0",
  "GS1-EPCIS-Max": "2.0.0",
  "GS1-CBV-Version": "2.0.0",
  "GS1-CBV-Min": "2.0.0",
  "GS1-CBV-Max": "2.0.0",
  "GS1-EPC-Format": "No_Preference: reads take every GS1-EPC-Format value.",
  "GS1-CBV-XML-Format": "No_Preference: XML reads take every GS1-CBV-XML-Format value.",
  "GS1-Extensions": "Empty: no GS1 extension is implemented.",
  "GS1-Vendor-Version": "cargoproof-{version}.",
};
const CAPTURE_OPTIONS_HEADERS = {
  "GS1-EPCIS-Capture-Limit": "Events per capture.",
  "GS1-EPCIS-Capture-File-Size-Limit": "Bytes per capture.",
  "GS1-Capture-Error-Behaviour": "all (rollback and proceed).",
};
epcisOperations.push(
  ...[...new Set(epcisOperations.map((op) => op.path))].map((path) =>
    epcis({
      operationId: `options${path
        .replace(/[{}]/g, "")
        .split("/")
        .filter(Boolean)
        .map((s) => s[0]!.toUpperCase() + s.slice(1))
        .join("")}`,
      method: "options",
      path,
      summary: "The resource's methods and the GS1-* headers of the EPCIS REST binding",
      ...(path.match(/\{([^}]+)\}/g) ? { pathParams: z.object(Object.fromEntries([...path.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1]!, z.string()]))) } : {}),
      responses: [
        { status: 204, description: "No content.", headers: path === "/epcis/capture" ? { ...OPTIONS_HEADERS, ...CAPTURE_OPTIONS_HEADERS } : OPTIONS_HEADERS },
      ],
      problems: {},
    }),
  ),
);

// Master data (server/epcis/master-data.ts): a hub route beside the binding, which has no master-data resource.
epcisOperations.push({
  operationId: "getMasterData",
  method: "get",
  path: "/v1/master-data",
  summary: "The names and addresses stated for a location or party (EPCIS master data) that the caller may read",
  description:
    "Master data arrives in a capture document's epcisHeader.epcisMasterData (vocabulary types BusinessLocation, ReadPoint, Location, Party; CBV 2.0 §10 attributes " +
    "urn:epcglobal:cbv:mda:name, streetAddressOne..Three, city, state, postalCode, countryCode, latitude, longitude) and becomes EpcisMasterData records the hub attests for " +
    "the capturer, or that a member signs itself. `ownerPublished` is the statement of the location's owner (a GS1_COMPANY_PREFIX credential in force whose prefix starts the GLN): " +
    "the only one the consumer's page shows. `statements` lists that one and the caller's own; other organisations' statements answer as if there were none.",
  tags: ["epcis"],
  security: "bearer",
  query: MasterDataQuerySchema,
  responses: [
    {
      status: 200,
      description: "What the caller may read (an empty list when nothing).",
      content: { [JSON_TYPE]: named("MasterData", MasterDataAnswerSchema) },
    },
  ],
  problems: problems(BEARER_PROBLEMS, { 400: ["invalid-master-data-query"] }),
});
