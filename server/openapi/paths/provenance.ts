import { z } from "zod";
import type { DigitalLinkErrorReason } from "../../../sdk/provenance/digital-link";
import { GtinLinksUpdateSchema, GtinLinksViewSchema } from "../../../sdk/provenance/gtin-links";
import { ProductStorySchema, PublicCertificationsSchema } from "../../../sdk/provenance/story";
import { BEARER_PROBLEMS, BODY_PROBLEMS, JSON_TYPE, NOT_FOUND, named, problems, type Operation } from "../registry";
import { QR_FORMATS } from "../../provenance/qr";
import { GS1_AI_TABLE } from "../../../sdk/provenance/gs1/ai-table";

const REASONS: readonly DigitalLinkErrorReason[] = ["syntax", "check-digit", "unknown-ai", "bad-value"];
const LINKSET_TYPE = "application/linkset+json";
const Gtin = z
  .string()
  .regex(/^\d{8,14}$/)
  .describe("A GTIN (8, 12, 13 or 14 digits)");
const Lot = z.string().min(1).max(20).describe("The batch or lot (AI 10)");
const Serial = z.string().min(1).max(20).describe("The serial number (AI 21)");
/** The two code forms the hub knows: a batch or a serialised item. */
const CODE_FORMS = [
  { suffix: "10/{lot}", params: z.object({ gtin: Gtin, lot: Lot }), id: "Lot" },
  { suffix: "21/{serial}", params: z.object({ gtin: Gtin, serial: Serial }), id: "Serial" },
] as const;

const ResolverQuery = z.object({
  linkType: z.string().optional().describe("gs1:pip, gs1:traceability, ... or all / linkset for the linkset"),
  lang: z.string().optional().describe("The page's language (else Accept-Language)"),
  rpc: z.string().optional().describe("An http(s) JSON-RPC URL the page verifies against instead of the hub's default"),
});
const QrQuery = z.object({
  format: z.enum(QR_FORMATS).default("svg"),
  size: z.coerce.number().int().optional().describe("PNG width in pixels"),
});
const Linkset = {
  raw: { type: "object", description: "An RFC 9264 linkset", required: ["linkset"], properties: { linkset: { type: "array", items: { type: "object" } } } },
};

/** The GS1 primary keys other than the GTIN (dlpkey in the syntax dictionary): SSCC, GLN, GRAI, GIAI, ... */
const IDENTIFIER_KEYS = Object.entries(GS1_AI_TABLE).filter(([ai, d]) => d.dlpkey && ai !== "01");

const perForm = (make: (form: (typeof CODE_FORMS)[number]) => Operation): Operation[] => CODE_FORMS.map(make);

export const provenanceOperations: Operation[] = [
  ...perForm((form) => ({
    operationId: `resolveCode${form.id}`,
    method: "get",
    path: `/01/{gtin}/${form.suffix}`,
    summary: "GS1 Digital Link: redirect to a link type, the linkset, or the consumer's provenance page (HTML)",
    description:
      "A plain browser scan gets the page (HTML; an unknown code gets an HTML not-found page); `linkType` or `Accept: application/linkset+json` select the resolver's answers. Each page view counts as a scan.",
    tags: ["provenance"],
    security: "public",
    pathParams: form.params,
    query: ResolverQuery,
    responses: [
      { status: 200, description: "The provenance page, or the linkset.", content: { "text/html": { raw: { type: "string" } }, [LINKSET_TYPE]: Linkset } },
      { status: 307, description: "To the requested (or the owner's default) link.", headers: { Location: "The link's target." } },
    ],
    problems: { 400: [...REASONS.map((r) => `digital-link-${r}`), "invalid-query"], 404: ["unknown-code", "unknown-link-type", "link-type-unavailable"] },
  })),
  ...IDENTIFIER_KEYS.map(([ai, def]): Operation => ({
    operationId: `resolveIdentifier${ai}`,
    method: "get",
    path: `/${ai}/{value}`,
    summary: `GS1 Digital Link of a ${def.title} (AI ${ai}): the linkset of what the caller may see about it`,
    description:
      `Key qualifiers follow in the path in the syntax dictionary's order (${
        def
          .dlpkey!.filter((a) => a.length > 0)
          .map((a) => a.join("/"))
          .join(" or ") || "none"
      }), data attributes in the query string. ` +
      "The hub knows these identifiers from its members' EPCIS events: send a Bearer token to see the linkset (with the gs1:epcis link to the events) of one you may see; anything else is a 404, the same as an identifier nobody captured.",
    tags: ["provenance"],
    security: "public",
    pathParams: z.object({ value: z.string().describe(`The ${def.title}`) }),
    query: ResolverQuery.pick({ linkType: true }),
    headers: { Authorization: { description: "Bearer access token of a member (optional)" } },
    responses: [
      { status: 200, description: "The linkset.", content: { [LINKSET_TYPE]: Linkset } },
      { status: 307, description: "To the requested link type (gs1:epcis).", headers: { Location: "The link's target." } },
    ],
    problems: problems(BEARER_PROBLEMS, { 400: REASONS.map((r) => `digital-link-${r}`), 404: ["unknown-code", "unknown-link-type", "link-type-unavailable"] }),
  })),
  ...perForm((form) => ({
    operationId: `getQrCode${form.id}`,
    method: "get",
    path: `/qr/01/{gtin}/${form.suffix}`,
    summary: "A QR code of the product's Digital Link URI",
    tags: ["provenance"],
    security: "public",
    pathParams: form.params,
    query: QrQuery,
    responses: [
      {
        status: 200,
        description: "The QR code.",
        content: { "image/svg+xml": { raw: { type: "string" } }, "image/png": { raw: { type: "string", contentEncoding: "binary" } } },
      },
    ],
    problems: { 400: [...REASONS.map((r) => `digital-link-${r}`), "invalid-query"], 404: ["unknown-code"] },
  })),
  ...perForm((form) => ({
    operationId: `getProductStory${form.id}`,
    method: "get",
    path: `/provenance/story/01/{gtin}/${form.suffix}`,
    summary: "The product's story as JSON (not counted as a scan)",
    tags: ["provenance"],
    security: "public",
    pathParams: form.params,
    responses: [{ status: 200, description: "The story.", content: { [JSON_TYPE]: named("ProductStory", ProductStorySchema) } }],
    problems: problems({ 400: REASONS.map((r) => `invalid-code-${r}`) }, NOT_FOUND),
  })),
  ...perForm((form) => ({
    operationId: `getProductCertifications${form.id}`,
    method: "get",
    path: `/provenance/certifications/01/{gtin}/${form.suffix}`,
    summary: "The certifications naming the product, with their status",
    tags: ["provenance"],
    security: "public",
    pathParams: form.params,
    responses: [{ status: 200, description: "The certifications.", content: { [JSON_TYPE]: named("PublicCertifications", PublicCertificationsSchema) } }],
    problems: problems({ 400: REASONS.map((r) => `invalid-code-${r}`) }, NOT_FOUND),
  })),
  {
    operationId: "getProvenancePageScript",
    method: "get",
    path: "/provenance/assets/page.js",
    summary: "The provenance page's script (verifies in the browser)",
    tags: ["provenance"],
    security: "public",
    responses: [{ status: 200, description: "JavaScript.", content: { "text/javascript": { raw: { type: "string" } } } }],
    problems: {},
  },
  {
    operationId: "getProvenancePageStyles",
    method: "get",
    path: "/provenance/assets/page.css",
    summary: "The provenance page's styles",
    tags: ["provenance"],
    security: "public",
    responses: [{ status: 200, description: "CSS.", content: { "text/css": { raw: { type: "string" } } } }],
    problems: {},
  },
  {
    operationId: "getGtinLinks",
    method: "get",
    path: "/v1/gtins/{gtin}/links",
    summary: "The links a GTIN's owner set for the resolver",
    tags: ["provenance"],
    security: "public",
    pathParams: z.object({ gtin: Gtin }),
    responses: [{ status: 200, description: "The owner and links.", content: { [JSON_TYPE]: named("GtinLinksView", GtinLinksViewSchema) } }],
    problems: problems({ 400: REASONS.map((r) => `gtin-${r}`) }, NOT_FOUND),
  },
  {
    operationId: "replaceGtinLinks",
    method: "put",
    path: "/v1/gtins/{gtin}/links",
    summary: "Replace a GTIN's resolver links (its owner)",
    tags: ["provenance"],
    security: "bearer",
    pathParams: z.object({ gtin: Gtin }),
    body: { schema: named("GtinLinksUpdate", GtinLinksUpdateSchema), mediaTypes: [JSON_TYPE] },
    responses: [{ status: 200, description: "The links as now set.", content: { [JSON_TYPE]: named("GtinLinksView", GtinLinksViewSchema) } }],
    problems: problems(BEARER_PROBLEMS, BODY_PROBLEMS, NOT_FOUND, { 400: [...REASONS.map((r) => `gtin-${r}`), "invalid-links"], 403: ["not-gtin-owner"] }),
  },
];
