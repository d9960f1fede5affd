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

/** Query parameters (lists are sent "|"-separated, as the REST binding's pipeDelimited style). */
export type EpcisQueryParams = Partial<
  Record<"eventType" | "EQ_bizStep" | "EQ_disposition" | "EQ_readPoint" | "EQ_bizLocation" | "MATCH_epc" | "MATCH_anyEPC" | "EQ_errorReason" | "EQ_correctiveEventID", string[]> &
    Record<"GE_eventTime" | "LT_eventTime" | "GE_recordTime" | "LT_recordTime" | "GE_errorDeclarationTime" | "LT_errorDeclarationTime" | "nextPageToken", string> & {
      perPage: number;
      EXISTS_errorDeclaration: boolean;
    }
>;

export function epcisQueryString(params: EpcisQueryParams): string {
  const entries = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, Array.isArray(v) ? v.join("|") : String(v)] as [string, string]);
  return entries.length === 0 ? "" : `?${new URLSearchParams(entries).toString()}`;
}
