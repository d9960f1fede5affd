import { z } from "zod";
import { Gtin } from "../records/codes";
import { LotNumber, SerialNumber } from "../records/product-batch";

/**
 * The links a GTIN's owner sets for the hub's resolver (`PUT /v1/gtins/{gtin}/links`), and the
 * GS1 link types (GS1 Web Vocabulary) they may use.
 */

/** GS1 link types a brand may set (compact "gs1:" form); gs1:defaultLink is set by flagging one link `default`. */
export const GS1_LINK_TYPES = [
  "pip",
  "certificationInfo",
  "traceability",
  "epcis",
  "verificationService",
  "recallStatus",
  "sustainabilityInfo",
  "productSustainabilityInfo",
  "instructions",
  "quickStartGuide",
  "tutorial",
  "safetyInfo",
  "allergenInfo",
  "ingredientsInfo",
  "nutritionalInfo",
  "recipeInfo",
  "consumerHandlingStorageInfo",
  "whatsInTheBox",
  "hasRetailers",
  "registerProduct",
  "support",
  "faqs",
  "review",
  "promotion",
  "relatedImage",
  "relatedVideo",
  "socialMedia",
  "masterData",
  "smartLabel",
  "leaflet",
  "epil",
  "brandHomepagePatient",
  "brandHomepageClinical",
  "userAgreement",
] as const;

/** The GS1 Web Vocabulary namespace: "gs1:pip" is https://gs1.org/voc/pip. */
export const GS1_VOC = "https://gs1.org/voc/";

export const LinkType = z.enum(GS1_LINK_TYPES.map((t) => `gs1:${t}` as const) as [`gs1:${(typeof GS1_LINK_TYPES)[number]}`]);
export type LinkType = z.infer<typeof LinkType>;

// BCP 47 language tag, loosely: "en", "zh-Hant", "zh-Hans-CN", "en-GB".
const LanguageTag = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, "a language tag (BCP 47), e.g. en, zh-Hant");
const MediaType = z.string().regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i, "a media type, e.g. text/html");

export const GtinLinkSchema = z.strictObject({
  linkType: LinkType,
  href: z.url({ protocol: /^https?$/, error: "an http or https URL" }).max(2000),
  title: z.string().min(1).max(200),
  hreflang: z.array(LanguageTag).min(1).max(10).optional(),
  type: MediaType.max(100).optional(),
  // Scope: a link for one lot and/or one serial of the GTIN; without them it serves every code of the GTIN.
  lot: LotNumber.optional(),
  serial: SerialNumber.optional(),
  /** The link a scan without ?linkType= goes to (gs1:defaultLink); at most one per scope. */
  default: z.boolean().optional(),
});
export type GtinLink = z.infer<typeof GtinLinkSchema>;

const scopeOf = (l: GtinLink) => `${l.lot ?? ""}\u0000${l.serial ?? ""}`;

export const GtinLinksUpdateSchema = z.strictObject({ links: z.array(GtinLinkSchema).max(500) }).superRefine(({ links }, ctx) => {
  const defaults = new Map<string, number>();
  const seen = new Set<string>();
  links.forEach((l, i) => {
    if (l.default) {
      const other = defaults.get(scopeOf(l));
      if (other !== undefined)
        ctx.addIssue({ code: "custom", path: ["links", i, "default"], message: `links ${other} and ${i} are both the default for the same lot/serial` });
      else defaults.set(scopeOf(l), i);
    }
    const key = JSON.stringify([l.linkType, l.href, scopeOf(l), l.hreflang ?? []]);
    if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["links", i], message: "the same link (type, href, scope, languages) appears twice" });
    seen.add(key);
  });
});
export type GtinLinksUpdate = z.infer<typeof GtinLinksUpdateSchema>;

/** `GET /v1/gtins/{gtin}/links`: public, as GTIN ownership is. */
export const GtinLinksViewSchema = z.strictObject({
  gtin: Gtin,
  owner: z.string(),
  links: z.array(GtinLinkSchema),
  updatedAt: z.string().nullable(),
});
export type GtinLinksView = z.infer<typeof GtinLinksViewSchema>;
