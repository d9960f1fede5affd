import { z } from "zod";
import * as Api from "../../sdk/one-record/api-objects";
import { BooleanLiteral, DateTimeLiteral, GenericObject, LogisticsEvent as CargoLogisticsEvent, Node, NumberLiteral, Text } from "../../sdk/one-record/model";
import { LOGISTICS_EVENT_CLASSES } from "../../sdk/one-record/classes";
import { API, CARGO, ONE_RECORD_CONTEXT, compactIri } from "../../sdk/one-record/vocabulary";
import { named, type Named } from "./registry";

/**
 * The ONE Record API bodies the hub takes and answers, for the OpenAPI document, in the compacted
 * form of the specification's examples (`api:hasTopic`, `cargo:eventCode`, `{"@id": "api:ERROR"}`).
 * One source: the SDK's zod schemas (sdk/one-record/api-objects.ts, model.ts), which read the normal
 * form (keys by local name); here their keys get the context's prefix, and datatype IRIs may be
 * compact as well. The hub also takes the expanded form (full IRIs as keys) and any extension
 * property: every node stays open (additionalProperties), and a one-element array is the same
 * value as the value (JSON-LD), hence the SDK's "one value or an array" unions (anyOf here).
 */

/**
 * One example per class, each the specification's example file named beside it (test/openapi/one-record-schemas.test.ts
 * compares them). The examples are IATA's ONE Record API examples (github.com/IATA-Cargo/ONE-Record),
 * Copyright (c) 2025 IATA-Cargo, used under the MIT License.
 */
export const ONE_RECORD_EXAMPLES = {
  /** Piece_with_id.json */
  LogisticsObject: {
    "@context": { cargo: "https://onerecord.iata.org/ns/cargo#", api: "https://onerecord.iata.org/ns/api#", "@language": "en-US" },
    "@type": "cargo:Piece",
    "@id": " https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c",
    "api:hasRevision": 1,
    "api:hasLatestRevision": 1,
    "cargo:coload": false,
    "cargo:specialHandlingCodes": [{ "@id": "https://onerecord.iata.org/ns/code-lists/SpecialHandlingCode#VAL" }],
  },
  /** LogisticsEvent.json */
  LogisticsEvent: {
    "@context": { cargo: "https://onerecord.iata.org/ns/cargo#" },
    "@type": "cargo:LogisticsEvent",
    "cargo:creationDate": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2023-04-01T10:38:01.000Z" },
    "cargo:eventDate": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2023-04-01T10:38:01.000Z" },
    "cargo:eventCode": { "@id": "https://onerecord.iata.org/ns/code-lists/StatusCode#DEP" },
    "cargo:eventName": "Consignment departed on a specific flight",
    "cargo:eventTimeType": { "@id": "cargo:ACTUAL", "@type": "cargo:EventTimeType" },
    "cargo:partialEventIndicator": false,
    "cargo:eventFor": { "@type": "cargo:Shipment", "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b3c" },
    "cargo:recordingOrganization": { "@type": "cargo:Company", "@id": "https://1r.example.com/logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda" },
  },
  /** Subscription_example1.json */
  Subscription: {
    "@context": { cargo: "https://onerecord.iata.org/ns/cargo#", api: "https://onerecord.iata.org/ns/api#" },
    "@type": "api:Subscription",
    "api:hasContentType": "application/ld+json",
    "api:hasSubscriber": { "@id": "https://1r.example.com/logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda" },
    "api:hasTopicType": { "@id": "api:LOGISTICS_OBJECT_IDENTIFIER" },
    "api:includeSubscriptionEventType": [
      { "@id": "api:LOGISTICS_OBJECT_UPDATED" },
      { "@id": "api:LOGISTICS_OBJECT_CREATED" },
      { "@id": "api:LOGISTICS_EVENT_RECEIVED" },
    ],
    "api:hasTopic": {
      "@type": "http://www.w3.org/2001/XMLSchema#anyURI",
      "@value": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c",
    },
  },
  /** SubscriptionRequest_example.json */
  SubscriptionRequest: {
    "@context": { api: "https://onerecord.iata.org/ns/api#" },
    "@type": "api:SubscriptionRequest",
    "@id": "https://1r.example.com/action-requests/599fea49-7287-42af-b441-1fa618d2aaee",
    "api:hasSubscription": {
      "@id": "https://1r.example.com/subscriptions/5f1a4869-e324-45b1-9ab0-60271ba54185",
      "@type": "api:Subscription",
      "api:hasContentType": "application/ld+json",
      "api:hasSubscriber": { "@id": "https://1r.example.com/logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda" },
      "api:hasTopicType": { "@id": "api:LOGISTICS_OBJECT_IDENTIFIER" },
      "api:includeSubscriptionEventType": [
        { "@id": "api:LOGISTICS_OBJECT_UPDATED" },
        { "@id": "api:LOGISTICS_OBJECT_CREATED" },
        { "@id": "api:LOGISTICS_EVENT_RECEIVED" },
      ],
      "api:hasTopic": {
        "@type": "http://www.w3.org/2001/XMLSchema#anyURI",
        "@value": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c",
      },
    },
    "api:isRequestedBy": { "@id": "https://1r.example.com/logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda" },
    "api:hasRequestStatus": { "@id": "api:REQUEST_PENDING" },
    "api:isRequestedAt": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2023-04-20T10:38:01.000Z" },
    "api:hasRequestStatusSince": { "@value": "2023-04-20T10:38:01.000Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime" },
  },
  /** Change_example1.json */
  Change: {
    "@context": {
      cargo: "https://onerecord.iata.org/ns/cargo#",
      api: "https://onerecord.iata.org/ns/api#",
      xsd: "http://www.w3.org/2001/XMLSchema#",
      "api:hasDatatype": { "@type": "xsd:anyURI" },
      "api:p": { "@type": "xsd:anyURI" },
    },
    "@type": "api:Change",
    "api:hasLogisticsObject": { "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c" },
    "api:hasDescription": "Update goods description and coload",
    "api:hasOperation": [
      {
        "@type": "api:Operation",
        "api:op": { "@id": "api:ADD" },
        "api:s": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c",
        "api:p": "https://onerecord.iata.org/ns/cargo#goodsDescription",
        "api:o": [
          {
            "@type": "api:OperationObject",
            "api:hasDatatype": "http://www.w3.org/2001/XMLSchema#string",
            "api:hasValue": "ONE Record Advertisement Materials",
          },
        ],
      },
      {
        "@type": "api:Operation",
        "api:op": { "@id": "api:DELETE" },
        "api:s": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c",
        "api:p": "https://onerecord.iata.org/ns/cargo#coload",
        "api:o": [{ "@type": "api:OperationObject", "api:hasDatatype": "http://www.w3.org/2001/XMLSchema#boolean", "api:hasValue": "false" }],
      },
      {
        "@type": "api:Operation",
        "api:op": { "@id": "api:ADD" },
        "api:s": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c",
        "api:p": "https://onerecord.iata.org/ns/cargo#coload",
        "api:o": [{ "@type": "api:OperationObject", "api:hasDatatype": "http://www.w3.org/2001/XMLSchema#boolean", "api:hasValue": "true" }],
      },
    ],
    "api:hasRevision": { "@type": "http://www.w3.org/2001/XMLSchema#positiveInteger", "@value": "1" },
  },
  /** AccessDelegation_example1.json */
  AccessDelegation: {
    "@context": { cargo: "https://onerecord.iata.org/ns/cargo#", api: "https://onerecord.iata.org/ns/api#" },
    "@type": "api:AccessDelegation",
    "api:hasDescription": "Require access to Piece for handling",
    "api:hasPermission": [{ "@id": "api:GET_LOGISTICS_OBJECT" }],
    "api:isRequestedFor": [{ "@id": "https://1r.example.com/logistics-objects/Airline_XYZ" }],
    "api:notifyRequestStatusChange": false,
    "api:hasLogisticsObject": [{ "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c" }],
  },
  /** Verification.json */
  Verification: {
    "@context": { cargo: "https://onerecord.iata.org/ns/cargo#", api: "https://onerecord.iata.org/ns/api#", xsd: "http://www.w3.org/2001/XMLSchema" },
    "@type": "api:Verification",
    "api:hasLogisticsObject": { "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c" },
    "api:hasError": [
      {
        "@type": "api:Error",
        "api:hasTitle": "The gross weight is missing",
        "api:hasSeverity": { "@id": "api:ERROR" },
        "api:hasErrorDetail": {
          "@type": "api:ErrorDetail",
          "api:hasCode": "AWB07",
          "api:hasMessage": "weight code",
          "api:hasProperty": { "@value": "https://onerecord.iata.org/ns/cargo#grossWeight", "@type": "xsd:anyURI" },
        },
      },
      {
        "@type": "api:Error",
        "api:hasTitle": "Empty goodsDescription. Please use goodsDescription to specify the description of the cargo",
        "api:hasErrorDetail": {
          "@type": "api:ErrorDetail",
          "api:hasProperty": { "@value": "https://onerecord.iata.org/ns/cargo#goodsDescription", "@type": "xsd:anyURI" },
        },
      },
    ],
    "api:hasRevision": { "@type": "http://www.w3.org/2001/XMLSchema#positiveInteger", "@value": "1" },
  },
  /** VerificationRequest.json */
  VerificationRequest: {
    "@context": { api: "https://onerecord.iata.org/ns/api#" },
    "@type": "api:VerificationRequest",
    "@id": "https://1r.example.com/action-requests/e4cf1ea5-96fc-4025-be21-159b779e3200",
    "api:hasVerification": {
      "@type": "api:Verification",
      "api:hasLogisticsObject": { "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c" },
      "api:hasError": [
        {
          "@type": "api:Error",
          "api:hasTitle": "Empty goodsDescription. Please use goodsDescription to specify the description of the cargo",
          "api:hasSeverity": { "@id": "api:WARNING" },
          "api:hasErrorDetail": {
            "@type": "api:ErrorDetail",
            "api:hasProperty": { "@value": "https://onerecord.iata.org/ns/cargo#goodsDescription", "@type": "xsd:anyURI" },
          },
        },
      ],
      "api:hasRevision": { "@type": "http://www.w3.org/2001/XMLSchema#positiveInteger", "@value": "1" },
      "api:notifyRequestStatusChange": true,
    },
    "api:isRequestedBy": { "@id": "https://1r.example.com/logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda" },
    "api:hasRequestStatus": { "@id": "api:REQUEST_PENDING" },
    "api:isRequestedAt": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2024-01-20T10:38:01.000Z" },
  },
  /** ChangeRequest_with_error.json */
  ChangeRequest: {
    "@context": {
      cargo: "https://onerecord.iata.org/ns/cargo#",
      api: "https://onerecord.iata.org/ns/api#",
      xsd: "http://www.w3.org/2001/XMLSchema#",
      "api:hasResource": { "@type": "xsd:anyURI" },
      "@language": "en-US",
    },
    "@type": "api:ChangeRequest",
    "api:hasError": [
      {
        "@type": "api:Error",
        "api:hasTitle": "Conflict with Logistics Object revision number",
        "api:hasSeverity": { "@id": "api:ERROR" },
        "api:hasErrorDetail": [
          {
            "@type": "api:ErrorDetail",
            "api:hasCode": "409",
            "api:hasMessage": "The provided revision number is invalid or lower than the current Logistics Object revision",
            "api:hasResource": "http://1r.example.com/logistics-objects/11ccfb7c-3643-41db-8098-740fccd97c93",
          },
        ],
      },
    ],
  },
  /** Notification_example1.json */
  Notification: {
    "@context": { api: "https://onerecord.iata.org/ns/api#" },
    "@type": "api:Notification",
    "api:hasEventType": { "@id": "api:LOGISTICS_OBJECT_CREATED" },
    "api:hasLogisticsObject": { "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c" },
    "api:hasLogisticsObjectType": { "@type": "http://www.w3.org/2001/XMLSchema#anyURI", "@value": "https://onerecord.iata.org/ns/cargo#Piece" },
    "api:isTriggeredBy": { "@id": "https://1r.example.com/action-requests/599fea49-7287-42af-b441-1fa618d2aaed" },
  },
  /** Error_400.json */
  Error: {
    "@context": {
      api: "https://onerecord.iata.org/ns/api#",
      xsd: "http://www.w3.org/2001/XMLSchema#",
      "api:hasResource": { "@type": "xsd:anyURI" },
      "@language": "en-US",
    },
    "@type": "api:Error",
    "@id": "internal:c75679e4-ee97-486a-888e-cb183b910d8d",
    "api:hasTitle": "Logistics Object URI does not match",
    "api:hasErrorDetail": [
      {
        "@type": "api:ErrorDetail",
        "@id": "internal:sda324da-6909-48d8-a9a4-a2828b167a68",
        "api:hasCode": "400",
        "api:hasMessage": "LogisticsObject URI in Change does not match requested Logistics Object URI",
        "api:hasResource": "http://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c",
      },
    ],
  },
  /** ServerInformation.json */
  ServerInformation: {
    "@context": {
      cargo: "https://onerecord.iata.org/ns/cargo#",
      api: "https://onerecord.iata.org/ns/api#",
      xsd: "http://www.w3.org/2001/XMLSchema#",
      "api:hasServerEndpoint": { "@type": "xsd:anyURI" },
      "api:hasSupportedOntology": { "@type": "xsd:anyURI" },
      "api:hasSupportedOntologyVersion": { "@type": "xsd:anyURI" },
    },
    "@id": "https://1r.example.com/",
    "@type": "api:ServerInformation",
    "api:hasDataHolder": { "@type": "cargo:Company", "@id": "https://1r.example.com/logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda" },
    "api:hasServerEndpoint": "http://1r.example.com",
    "api:hasSupportedApiVersion": ["2.3.0"],
    "api:hasSupportedContentType": ["application/ld+json"],
    "api:hasSupportedLanguage": ["en-US"],
    "api:hasSupportedOntology": ["https://onerecord.iata.org/ns/cargo/3.2.0", "https://onerecord.iata.org/ns/api/2.3.0"],
    "api:hasSupportedOntologyVersion": ["https://onerecord.iata.org/ns/cargo/3.2.0", "https://onerecord.iata.org/ns/api/2.3.0"],
  },
  /** LogisticsEvents_list.json */
  LogisticsEvents: {
    "@context": { cargo: "https://onerecord.iata.org/ns/cargo#", api: "https://onerecord.iata.org/ns/api#" },
    "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b3c/logistics-events",
    "@type": "api:Collection",
    "api:hasTotalItems": 2,
    "api:hasItem": [
      {
        "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b3c/logistics-events/afb4b8cf-288a-459c-97fd-ccd538ec527f",
        "@type": "cargo:LogisticsEvent",
        "cargo:creationDate": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2023-04-01T10:38:01.000Z" },
        "cargo:eventDate": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2023-04-01T10:38:01.000Z" },
        "cargo:eventCode": { "@id": "https://onerecord.iata.org/ns/code-lists/StatusCode#DEP", "@type": "cargo:CodeListElement" },
        "cargo:eventName": "Consignment departed on a specific flight",
        "cargo:eventTimeType": "cargo:ACTUAL",
        "cargo:partialEventIndicator": false,
        "cargo:linkedObject": { "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b3c", "@type": "cargo:Shipment" },
        "cargo:recordingOrganization": { "@id": "https://1r.example.com/logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda", "@type": "cargo:Company" },
      },
      {
        "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b3c/logistics-events/afb4b8cf-288a-459c-97fd-ccd538ec528f",
        "@type": "cargo:LogisticsEvent",
        "cargo:creationDate": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2023-04-01T10:38:01.000Z" },
        "cargo:eventDate": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2023-04-01T10:38:01.000Z" },
        "cargo:eventCode": { "@id": "https://onerecord.iata.org/ns/code-lists/StatusCode#MAN", "@type": "cargo:CodeListElement" },
        "cargo:eventName": "Consignment manifested on a specific flight",
        "cargo:eventTimeType": "cargo:ACTUAL",
        "cargo:partialEventIndicator": false,
        "cargo:eventFor": { "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b3c", "@type": "cargo:Shipment" },
        "cargo:recordingOrganization": { "@id": "https://1r.example.com/logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda", "@type": "cargo:Company" },
      },
    ],
  },
  /** AuditTrail.json */
  AuditTrail: {
    "@context": { cargo: "https://onerecord.iata.org/ns/cargo#", api: "https://onerecord.iata.org/ns/api#" },
    "@type": "api:AuditTrail",
    "@id": "https://1r.example.com/logistics-objects/1a8ded38-1804-467c-a369-81a411416b7c/audit-trail",
    "api:hasActionRequest": [
      {
        "@type": "api:ChangeRequest",
        "@id": "https://1r.example.com/action-requests/6b948f9b-b812-46ed-be39-4501453da99b",
        "api:hasChange": {
          _comment: "Important: The complete Change object is omitted from this example for brevity and represented by a placeholder comment.",
        },
        "api:hasError": [],
        "api:isRequestedAt": { "@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2026-09-07T11:55:45.768Z" },
        "api:isRequestedBy": "https://1r.example.com/logistics-objects/957e2622-9d31-493b-8b8f-3c805064dbda",
        "api:hasRequestStatus": { "@id": "api:REQUEST_ACCEPTED" },
        "api:hasRequestStatusSince": { "@value": "2026-09-19T08:30:00Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime" },
        "api:hasRequestStatusHistory": [
          {
            "@id": "internal:157f40e9-9877-449f-86ed-82bad88893d0",
            "@type": "api:RequestStatusEntry",
            "api:hasRequestStatus": { "@id": "api:REQUEST_PENDING" },
            "api:hasRequestStatusSince": { "@value": "2026-09-07T11:55:45.768Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime" },
          },
        ],
      },
    ],
    "api:hasLatestRevision": { "@type": "http://www.w3.org/2001/XMLSchema#positiveInteger", "@value": "2" },
  },
} as const;

const NAMESPACES = Object.values(ONE_RECORD_CONTEXT) as string[];
const DESCRIPTION_FORMS =
  "Compacted with the ONE Record context (this schema's form, as the specification's examples and the hub's answers); the expanded form is taken too.";

/** The SDK's normal-form schema with its keys under `prefix` (recursively; @-keywords stay). */
function compacted(schema: z.ZodType, prefix: string, memo: Map<z.ZodType, z.ZodType>): z.ZodType {
  const known = memo.get(schema);
  if (known) return known;
  let out: z.ZodType = schema;
  if (schema instanceof z.ZodOptional) out = compacted(schema.unwrap() as z.ZodType, prefix, memo).optional();
  else if (schema instanceof z.ZodUnion) out = z.union((schema.options as z.ZodType[]).map((o) => compacted(o, prefix, memo)));
  else if (schema instanceof z.ZodArray) out = schema.clone({ ...schema.def, element: compacted(schema.element as z.ZodType, prefix, memo) });
  else if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(
      Object.entries(schema.shape as Record<string, z.ZodType>).map(([k, v]) => [k.startsWith("@") ? k : `${prefix}:${k}`, compacted(v, prefix, memo)]),
    );
    // Refinements of the normal form (which read local names) do not carry over; the shape does.
    out = schema.def.catchall instanceof z.ZodNever ? z.strictObject(shape) : z.looseObject(shape);
  } else if (schema instanceof z.ZodLiteral) {
    // A datatype IRI (xsd:dateTime, ...) may be written compact under the context.
    const values = [...schema.values].flatMap((v) => (typeof v === "string" && NAMESPACES.some((ns) => v.startsWith(ns)) ? [compactIri(v), v] : [v]));
    if (values.length > schema.values.size) out = z.enum(values as [string, ...string[]]);
  }
  memo.set(schema, out);
  return out;
}

/** `@type` of a class: its compact IRI or its IRI, or several types. */
const typeOf = (classes: readonly string[], ns: string) =>
  z.union([z.enum(classes.flatMap((c) => [compactIri(ns + c), ns + c]) as [string, ...string[]]), z.array(z.string()).min(1)]);
const oneOrMore = <T extends z.ZodType>(s: T) => z.union([s, z.array(s)]);

const memo = new Map<z.ZodType, z.ZodType>();

/** The value forms every class uses (a node, a text, typed literals), published once and $ref'd. */
const VALUES: Named[] = Object.entries({ Node, Text, DateTimeLiteral, NumberLiteral, BooleanLiteral }).map(([name, schema]) =>
  named(`OneRecord${name}`, compacted(schema, "api", memo)),
);

/** A class of the SDK's, compacted, its @type fixed, published under `OneRecord<name>` with its example; nested uses of the source schema $ref it. */
function publish(
  name: string,
  source: z.ZodObject,
  opts: { prefix: string; classes: readonly string[]; ns: string; description: string; parts?: Named[]; override?: Record<string, z.ZodType> },
): Named {
  const base = compacted(source, opts.prefix, memo) as z.ZodObject;
  const schema = base
    .extend({
      "@context": z.unknown().optional().describe("The JSON-LD context."),
      "@type": opts.classes.length > 0 ? typeOf(opts.classes, opts.ns) : z.string(),
      ...opts.override,
    })
    .describe(`${opts.description} ${DESCRIPTION_FORMS}`);
  memo.set(source, schema);
  const example = ONE_RECORD_EXAMPLES[name as keyof typeof ONE_RECORD_EXAMPLES];
  return named(`OneRecord${name}`, schema, { ...(example ? { examples: [example] } : {}), parts: [...VALUES, ...(opts.parts ?? [])] });
}
const api = (name: string, source: z.ZodObject, description: string, more: { parts?: Named[]; override?: Record<string, z.ZodType> } = {}) =>
  publish(name, source, { prefix: "api", classes: [name], ns: API, description, ...more });

export const OneRecordError = api("Error", Api.ApiError, "An api:Error, its details in api:hasErrorDetail.");
export const OneRecordServerInformation = api("ServerInformation", Api.ServerInformation, "What a ONE Record server speaks (GET /).");
export const OneRecordChange = api(
  "Change",
  Api.Change,
  "An api:Change of a logistics object: its revision and its ADD/DELETE operations (api:Operation, values as api:OperationObject).",
);
export const OneRecordSubscription = api("Subscription", Api.Subscription, "An api:Subscription to an object or a class of objects.");
export const OneRecordAccessDelegation = api("AccessDelegation", Api.AccessDelegation, "An api:AccessDelegation: parties that may read logistics objects.");
export const OneRecordVerification = api("Verification", Api.Verification, "An api:Verification of a revision of a logistics object: its api:Error.", {
  parts: [OneRecordError],
});
export const OneRecordNotification = api("Notification", Api.Notification, "An api:Notification of a happening to a logistics object or an action request.");
export const OneRecordSubscriptionRequest = api("SubscriptionRequest", Api.SubscriptionRequest, "An api:SubscriptionRequest holding an api:Subscription.", {
  parts: [OneRecordSubscription, OneRecordError],
});
export const OneRecordChangeRequest = api("ChangeRequest", Api.ChangeRequest, "An api:ChangeRequest: an api:Change, its status and history.", {
  parts: [OneRecordChange, OneRecordError],
});
export const OneRecordAccessDelegationRequest = api(
  "AccessDelegationRequest",
  Api.AccessDelegationRequest,
  "An api:AccessDelegationRequest: an api:AccessDelegation for one party, its status and history.",
  { parts: [OneRecordAccessDelegation, OneRecordError] },
);
export const OneRecordVerificationRequest = api(
  "VerificationRequest",
  Api.VerificationRequest,
  "An api:VerificationRequest: an api:Verification, its status.",
  {
    parts: [OneRecordVerification, OneRecordError],
  },
);
export const OneRecordAuditTrail = api("AuditTrail", Api.AuditTrail, "An object's change requests (api:AuditTrail) and its latest revision.", {
  parts: [OneRecordError],
});

/** A logistics object: an open node of the data model (any cargo class, any of its properties). */
export const OneRecordLogisticsObject = publish("LogisticsObject", GenericObject, {
  prefix: "cargo",
  classes: [],
  ns: CARGO,
  description: "A logistics object of any cargo class (cargo:Piece, cargo:Shipment, ...), with any data model property.",
  override: { "@type": z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).describe("Its cargo class (cargo:Piece or its IRI), or several.") },
});
export const OneRecordLogisticsEvent = publish("LogisticsEvent", CargoLogisticsEvent, {
  prefix: "cargo",
  classes: LOGISTICS_EVENT_CLASSES,
  ns: CARGO,
  description: "A cargo:LogisticsEvent of a logistics object.",
});

/** An api:Collection whose items are `item`. */
function collection(name: string, item: Named, description: string): Named {
  const published = api(name, Api.Collection, description, {
    parts: [item],
    override: { "@type": typeOf(["Collection"], API), "api:hasItem": oneOrMore(item.schema).optional() },
  });
  // Each collection is its own schema (its items differ): none stands for api:Collection elsewhere.
  memo.delete(Api.Collection);
  return published;
}
export const OneRecordLogisticsEvents = collection(
  "LogisticsEvents",
  OneRecordLogisticsEvent,
  "An object's logistics events: an api:Collection of cargo:LogisticsEvent.",
);
export const OneRecordSubscriptions = collection(
  "Subscriptions",
  OneRecordSubscription,
  "The caller's subscriptions to a topic: an api:Collection of api:Subscription.",
);

/** What GET /action-requests/{id} answers: one of the kinds of action request the hub serves there. */
export const OneRecordActionRequest = named(
  "OneRecordActionRequest",
  z
    .union([OneRecordChangeRequest.schema, OneRecordAccessDelegationRequest.schema, OneRecordVerificationRequest.schema])
    .describe("An action request, told apart by @type."),
  { parts: [OneRecordChangeRequest, OneRecordAccessDelegationRequest, OneRecordVerificationRequest] },
);
/** What POST /subscriptions takes: an api:Subscription, or an api:SubscriptionRequest holding one. */
export const OneRecordSubscriptionAsk = named(
  "OneRecordSubscriptionAsk",
  z
    .union([OneRecordSubscription.schema, OneRecordSubscriptionRequest.schema])
    .describe("An api:Subscription or an api:SubscriptionRequest, told apart by @type."),
  { parts: [OneRecordSubscription, OneRecordSubscriptionRequest] },
);
/** GET /subscriptions: one subscription, or a collection of them. */
export const OneRecordSubscriptionAnswer = named(
  "OneRecordSubscriptionAnswer",
  z.union([OneRecordSubscription.schema, OneRecordSubscriptions.schema]).describe("One api:Subscription, or an api:Collection of them."),
  { parts: [OneRecordSubscription, OneRecordSubscriptions] },
);
