import { z } from "zod";

/** A capture job as GET /epcis/capture/{captureID} returns it. */
export const CaptureJobSchema = z.object({
  captureID: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  running: z.boolean(),
  success: z.boolean(),
  captureErrorBehaviour: z.enum(["rollback", "proceed"]),
  errors: z.array(z.looseObject({ type: z.string(), title: z.string(), detail: z.string().optional(), eventID: z.string().optional() })),
  // eventID: the event's hash; recordId: the hub's record of it (absent in jobs finished before it was reported).
  events: z.array(z.object({ eventID: z.string(), status: z.enum(["captured", "duplicate", "failed"]), recordId: z.string().optional() })),
});
export type CaptureJob = z.infer<typeof CaptureJobSchema>;

/** The EPCISQueryDocument the query interface answers with. */
export const EpcisQueryResultSchema = z.looseObject({
  "@context": z.unknown(),
  type: z.literal("EPCISQueryDocument"),
  epcisBody: z.looseObject({
    queryResults: z.looseObject({ queryName: z.string(), resultsBody: z.looseObject({ eventList: z.array(z.record(z.string(), z.unknown())) }) }),
  }),
});
export type EpcisQueryResult = z.infer<typeof EpcisQueryResultSchema>;

/**
 * The fixed-name parameters of the EPCIS 2.0 query language (§8.2.7.1 SimpleEventQuery) and the
 * kind of value each takes: the one list of them. The hub parses a query by it
 * (server/epcis/query.ts), its OpenAPI document lists it (server/openapi/paths/epcis.ts), and
 * EpcisQueryParams types it.
 */
export const EPCIS_QUERY_PARAMETERS = {
  eventType: "list",
  EQ_action: "action",
  EQ_bizStep: "list",
  EQ_disposition: "list",
  EQ_persistentDisposition_set: "list",
  EQ_persistentDisposition_unset: "list",
  EQ_readPoint: "list",
  WD_readPoint: "list",
  EQ_bizLocation: "list",
  WD_bizLocation: "list",
  EQ_transformationID: "list",
  MATCH_epc: "list",
  MATCH_parentID: "list",
  MATCH_inputEPC: "list",
  MATCH_outputEPC: "list",
  MATCH_anyEPC: "list",
  MATCH_epcClass: "list",
  MATCH_inputEPCClass: "list",
  MATCH_outputEPCClass: "list",
  MATCH_anyEPCClass: "list",
  EQ_eventID: "list",
  EXISTS_errorDeclaration: "bool",
  GE_errorDeclarationTime: "time",
  LT_errorDeclarationTime: "time",
  EQ_errorReason: "list",
  EQ_correctiveEventID: "list",
  GE_eventTime: "time",
  LT_eventTime: "time",
  GE_recordTime: "time",
  LT_recordTime: "time",
  GE_time: "time",
  LT_time: "time",
  GE_startTime: "time",
  LT_startTime: "time",
  GE_endTime: "time",
  LT_endTime: "time",
  EQ_type: "list",
  EQ_deviceID: "list",
  EQ_dataProcessingMethod: "list",
  EQ_microorganism: "list",
  EQ_chemicalSubstance: "list",
  EQ_bizRules: "list",
  EQ_stringValue: "list",
  EQ_hexBinaryValue: "list",
  EQ_uriValue: "list",
  EQ_booleanValue: "bool",
  orderBy: "orderBy",
  orderDirection: "direction",
  eventCountLimit: "count",
  maxEventCount: "count",
} as const satisfies Record<string, "list" | "action" | "time" | "bool" | "count" | "orderBy" | "direction">;
export type EpcisQueryParameter = keyof typeof EPCIS_QUERY_PARAMETERS;

/** What a client passes for each kind (lists are sent "|"-separated, the binding's pipeDelimited style). */
interface ValueOfKind {
  list: string[];
  action: ("ADD" | "OBSERVE" | "DELETE")[];
  time: string;
  bool: boolean;
  count: number;
  orderBy: string;
  direction: "ASC" | "DESC";
}

/**
 * The parameter families whose names are built from a field, unit, type or attribute (§8.2.7.1):
 * EQ_/GT_/GE_/LT_/LE_quantity[_{uom}], EQ_..._{value|minValue|...}_{uom}, _percRank,
 * EQ_bizTransaction_{type}, EQ_source_{type}, EQ_destination_{type}, the extension fields
 * EQ_/GT_/GE_/LT_/LE_/EXISTS_[INNER_][container_]{field}, HASATTR_{field}, EQATTR_{field}_{attr}.
 */
type EpcisQueryFamilies = {
  [name: `${"EQ" | "GT" | "GE" | "LT" | "LE" | "EXISTS" | "HASATTR" | "EQATTR"}_${string}`]: string[] | string | number | boolean | undefined;
};

/** Query parameters of GET /epcis/events (and /epcis/epcs/{epc}/events): every one the hub accepts, and the page. */
export type EpcisQueryParams = { [P in EpcisQueryParameter]?: ValueOfKind[(typeof EPCIS_QUERY_PARAMETERS)[P]] } & EpcisQueryFamilies & {
    perPage?: number;
    nextPageToken?: string;
  };

export function epcisQueryString(params: EpcisQueryParams): string {
  const entries = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, Array.isArray(v) ? v.join("|") : String(v)] as [string, string]);
  return entries.length === 0 ? "" : `?${new URLSearchParams(entries).toString()}`;
}
