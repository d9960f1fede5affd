import { z } from "zod";
import { EpcisQueryResultSchema } from "../../sdk/epcis/api";
import { CaptureDocumentSchema, EPCIS_CONTEXT, EpcisEventSchema } from "../../sdk/epcis/document";
import { RECORD_EXAMPLES } from "../../sdk/records/examples";
import { named } from "./registry";

/**
 * The EPCIS 2.0 JSON-LD bodies the hub takes and answers, for the OpenAPI document: the SDK's own
 * schemas (what the capture parses, sdk/epcis/records.ts), their events typed as EpcisEventSchema.
 */

/** One EPCIS 2.0 event in the JSON-LD binding (what a capture carries and a query answers). */
export const EpcisEvent = named("EpcisEvent", EpcisEventSchema, { examples: [RECORD_EXAMPLES.EpcisEvent.event] });

/** What POST /epcis/capture takes: an EPCISDocument or an EPCISQueryDocument. */
export const EpcisCaptureDocument = named("EpcisCaptureDocument", CaptureDocumentSchema, {
  examples: [
    {
      "@context": [EPCIS_CONTEXT],
      type: "EPCISDocument",
      schemaVersion: "2.0",
      creationDate: "2026-11-20T08:20:00Z",
      epcisBody: { eventList: [RECORD_EXAMPLES.EpcisEvent.event] },
    },
  ],
  parts: [EpcisEvent],
});

// The SDK's EPCISQueryDocument with its event list typed (the SDK's reader takes any objects there).
const results = EpcisQueryResultSchema.shape.epcisBody.shape.queryResults;
const TypedQueryResult = EpcisQueryResultSchema.extend({
  epcisBody: EpcisQueryResultSchema.shape.epcisBody.extend({
    queryResults: results.extend({ resultsBody: results.shape.resultsBody.extend({ eventList: z.array(EpcisEventSchema) }) }),
  }),
});

/** What the query interface answers: an EPCISQueryDocument of the events the caller may read. */
export const EpcisQueryDocument = named("EpcisQueryDocument", TypedQueryResult, { parts: [EpcisEvent] });
