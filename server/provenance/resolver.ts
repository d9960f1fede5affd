import { Router, type Request, type RequestHandler, type Response } from "express";
import { canonicalGs1Uri, digitalLinkToEpcUrn } from "../../sdk/epcis/gs1-uri";
import {
  DigitalLinkError,
  formatDigitalLinkUri,
  normalizeGtin,
  parseDigitalLinkUri,
  productDetails,
  type DigitalLinkUri,
  type ProductCode,
} from "../../sdk/provenance/digital-link";
import { GS1_AI_TABLE } from "../../sdk/provenance/gs1/ai-table";
import { GtinLinksUpdateSchema, type GtinLink } from "../../sdk/provenance/gtin-links";
import { callerOf } from "../auth/caller";
import { findEvents } from "../epcis/query";
import type { Db, DbProvider } from "../db/client";
import { HttpProblem, badRequest, forbidden, fromZod, notFound } from "../http/problem";
import { isKnownCode } from "./known-codes";
import { gtinOwner, linksView, readLinks, replaceLinks } from "./links";
import { codeUri, identifierLinks, linkHeader, linksetDocument, normalizeLinkType, ownerDefaultLink, pickLink, resolveLinks } from "./linkset";
import { QR_FORMATS, QR_PNG_WIDTH, renderQr, type QrFormat } from "./qr";

export interface CodeRouteDeps {
  db: Db;
  provider: DbProvider;
  publicUrl: string;
  auth: RequestHandler;
}

const LINKSET_TYPE = "application/linkset+json";
/** Resolver answers may be cached briefly: an owner's link changes show within a minute. */
const RESOLVER_CACHE = "public, max-age=60";
const QR_CACHE = "public, max-age=86400";
/** How long an owner's links are reused by this instance (others see a change within this time). */
const LINK_CACHE_MS = 2000;

const codeNotFound = () => new HttpProblem(404, "unknown-code", "Not found", "This hub knows no product with this code.");
const identifierNotFound = () => new HttpProblem(404, "unknown-code", "Not found", "This hub knows nothing you may see about this identifier.");

/** What a request path and query name (raw: the parser decodes them), or a 400 problem naming the reason and the AI. */
function digitalLinkOf(path: string, rawQuery: string): DigitalLinkUri {
  try {
    return parseDigitalLinkUri(rawQuery ? `${path}?${rawQuery}` : path);
  } catch (err) {
    if (err instanceof DigitalLinkError)
      throw badRequest(
        `digital-link-${err.reason}`,
        `Not a valid GS1 Digital Link (${err.reason}): ${err.message}`,
        err.ai ? [{ path: `ai/${err.ai}`, message: err.message }] : undefined,
      );
    throw err;
  }
}

/** The product a request names; a 400 problem for another primary key (the QR codes are of products). */
function codeOf(path: string, rawQuery: string): ProductCode {
  const dl = digitalLinkOf(path, rawQuery);
  try {
    return productDetails(dl).code;
  } catch (err) {
    if (err instanceof DigitalLinkError)
      throw badRequest(
        `digital-link-${err.reason}`,
        `Not a product's Digital Link: ${err.message}`,
        err.ai ? [{ path: `ai/${err.ai}`, message: err.message }] : undefined,
      );
    throw err;
  }
}

/** Paths that start with a GS1 primary key other than the GTIN ("/00/", "/414/", "/8003/", ...). */
const IDENTIFIER_PATHS = new RegExp(
  `^/(${Object.keys(GS1_AI_TABLE)
    .filter((ai) => ai !== "01" && GS1_AI_TABLE[ai]!.dlpkey)
    .join("|")})/.+`,
);

/** Every URN an identifier may be stored as: the prefix length is not in the key, so each possible one. */
const urnForms = (uri: string) => [6, 7, 8, 9, 10, 11, 12].map((n) => digitalLinkToEpcUrn(uri, n)).filter((u): u is string => u !== undefined);

const rawQueryOf = (req: Request) => {
  const q = req.originalUrl.indexOf("?");
  return q >= 0 ? req.originalUrl.slice(q + 1) : "";
};

/** Quality values of the media types an Accept header names explicitly (wildcards do not count). */
function acceptQ(req: Request, ...types: string[]): number {
  let best = 0;
  for (const range of (req.get("accept") ?? "").split(",")) {
    const [type, ...params] = range.trim().toLowerCase().split(";");
    if (!types.includes(type.trim())) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    best = Math.max(best, q ? Number(q[1]) : 1);
  }
  return best;
}

function singleQuery(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw badRequest("invalid-query", `give ${name} once`);
  return v;
}

/**
 * GS1 Digital Link resolver for the codes this hub knows (`/01/...`): 307 to the requested link
 * type, the linkset (RFC 9264) for linkType=all|linkset or Accept: application/linkset+json, the
 * owner's default link for a plain scan, else the page (next router). Also QR codes of a code's
 * URI (`/qr/01/...`) and the GTIN owner's links (`/v1/gtins/{gtin}/links`).
 */
export function provenanceCodeRoutes(deps: CodeRouteDeps): Router {
  const { db, provider, publicUrl, auth } = deps;
  const router = Router();
  // Owners' links, read once per LINK_CACHE_MS per GTIN: every scan reads them (for an owner's
  // default link), and they rarely change. A change here drops the entry at once.
  const linkCache = new Map<string, { at: number; links: Promise<GtinLink[]> }>();
  const ownerLinksOf = (gtin: string): Promise<GtinLink[]> => {
    const now = Date.now();
    const hit = linkCache.get(gtin);
    if (hit && now - hit.at <= LINK_CACHE_MS) return hit.links;
    const links = readLinks(db, provider, gtin);
    linkCache.set(gtin, { at: now, links });
    links.catch(() => linkCache.delete(gtin));
    if (linkCache.size > 10_000) for (const [k, v] of linkCache) if (now - v.at > LINK_CACHE_MS) linkCache.delete(k);
    return links;
  };

  // Whether the caller may see an EPCIS event naming the identifier (in its EPC lists, or as the
  // place of a GLN): the hub's knowledge of logistic units, places and assets is its members'
  // events, so it answers only an authenticated member, and "not visible" reads as "unknown".
  const knownIdentifier = async (req: Request, res: Response, dl: DigitalLinkUri, canonical: string): Promise<boolean> => {
    if (!req.get("authorization")) return false;
    await new Promise<void>((resolve, reject) => {
      Promise.resolve(auth(req, res, (err?: unknown) => (err ? reject(err) : resolve()))).catch(reject);
    });
    const caller = callerOf(req).orgId;
    const forms = [canonical, ...urnForms(canonical)];
    if ((await findEvents(db, provider, caller, { epc: canonical }, {}, 1)).recordIds.length > 0) return true;
    if (dl.key.ai !== "414") return false;
    for (const place of ["EQ_bizLocation", "EQ_readPoint"] as const)
      if ((await findEvents(db, provider, caller, {}, { [place]: forms }, 1)).recordIds.length > 0) return true;
    return false;
  };

  // Any primary key other than a GTIN: the linkset of what the caller may see about it.
  const resolveIdentifier = async (req: Request, res: Response, dl: DigitalLinkUri, linkTypeParam: string | undefined): Promise<void> => {
    const path = formatDigitalLinkUri({ key: dl.key, qualifiers: dl.qualifiers });
    const canonical = canonicalGs1Uri(`https://id.gs1.org${path}`);
    res.set("Vary", "Accept, Authorization");
    res.set("Cache-Control", "private, no-store");
    const linkType = linkTypeParam === undefined || linkTypeParam === "all" || linkTypeParam === "linkset" ? linkTypeParam : normalizeLinkType(linkTypeParam);
    if (linkTypeParam !== undefined && linkType === undefined)
      throw new HttpProblem(404, "unknown-link-type", "Not found", `"${linkTypeParam}" is not a link type this resolver serves (e.g. gs1:epcis, or all).`);
    if (!(await knownIdentifier(req, res, dl, canonical))) throw identifierNotFound();
    const anchor = publicUrl + path;
    const links = identifierLinks(publicUrl, canonical);
    res.set("Link", linkHeader(`${anchor}?linkType=linkset`, links));
    if (linkType === undefined || linkType === "all" || linkType === "linkset") {
      res.type(LINKSET_TYPE).send(JSON.stringify(linksetDocument(anchor, links)));
      return;
    }
    const target = links.find((l) => l.linkType === linkType);
    if (!target) throw new HttpProblem(404, "link-type-unavailable", "Not found", `This identifier has no ${linkType} link.`);
    res.redirect(307, new URL(target.href).href);
  };

  // A fully compressed Digital Link ("/{compressed}", GS1 DL compression) is this resolver's too: 307
  // to the same Digital Link uncompressed, which answers as above. Any other single segment is not ours.
  router.use((req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || !/^\/[A-Za-z0-9_-]{8,}$/.test(req.path)) return next();
    let dl: DigitalLinkUri;
    try {
      dl = parseDigitalLinkUri(req.path);
    } catch {
      return next();
    }
    const query = rawQueryOf(req);
    const path = formatDigitalLinkUri({ key: dl.key, qualifiers: dl.qualifiers, attributes: dl.attributes, parameters: dl.parameters });
    res.set("Cache-Control", RESOLVER_CACHE).redirect(307, query ? `${path}${path.includes("?") ? "&" : "?"}${query}` : path);
  });

  router.get(IDENTIFIER_PATHS, async (req, res) => {
    const dl = digitalLinkOf(req.path, rawQueryOf(req));
    // A path prefix that looks like a key may put a GTIN's Digital Link here: the product routes have it.
    if (dl.key.ai === "01") return res.redirect(307, formatDigitalLinkUri(dl));
    await resolveIdentifier(req, res, dl, singleQuery(req, "linkType"));
  });

  router.use(async (req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || !req.path.startsWith("/01/")) return next();
    const linkTypeParam = singleQuery(req, "linkType");
    // A person scanning a bad or unknown code gets the page router's "not found" page, not a problem document.
    const scan = linkTypeParam === undefined && acceptQ(req, "text/html", "application/xhtml+xml") > 0;
    let code: ProductCode;
    try {
      const dl = digitalLinkOf(req.path, rawQueryOf(req));
      code = productDetails(dl).code;
    } catch (err) {
      if (scan) return next();
      throw err;
    }
    const linkType = linkTypeParam === undefined || linkTypeParam === "all" || linkTypeParam === "linkset" ? linkTypeParam : normalizeLinkType(linkTypeParam);
    if (linkTypeParam !== undefined && linkType === undefined)
      throw new HttpProblem(
        404,
        "unknown-link-type",
        "Not found",
        `"${linkTypeParam}" is not a link type this resolver serves (e.g. gs1:pip, gs1:traceability, or all).`,
      );
    // A plain scan without an owner's default link is the page's, known code or not: no query here.
    if (scan && !ownerDefaultLink(code, await ownerLinksOf(code.gtin))) return next();
    if (!(await isKnownCode(db, provider, code))) {
      if (scan) return next();
      throw codeNotFound();
    }

    const anchor = codeUri(publicUrl, code);
    const ownerLinks = await ownerLinksOf(code.gtin);
    const links = resolveLinks(publicUrl, code, ownerLinks);
    res.set("Vary", "Accept, Accept-Language");
    res.set("Link", linkHeader(`${anchor}?linkType=linkset`, links));

    const linksetQ = acceptQ(req, LINKSET_TYPE, "application/json");
    const htmlQ = acceptQ(req, "text/html", "application/xhtml+xml");
    if (linkType === "all" || linkType === "linkset" || (linkType === undefined && linksetQ > 0 && linksetQ >= htmlQ)) {
      res
        .set("Cache-Control", RESOLVER_CACHE)
        .type(LINKSET_TYPE)
        .send(JSON.stringify(linksetDocument(anchor, links)));
      return;
    }
    if (linkType !== undefined) {
      const target = pickLink(
        links.filter((l) => l.linkType === linkType),
        req.acceptsLanguages(),
      );
      if (!target) throw new HttpProblem(404, "link-type-unavailable", "Not found", `This product has no ${linkType} link.`);
      return redirect(res, target.href);
    }
    const ownerDefault = ownerDefaultLink(code, ownerLinks);
    if (htmlQ > 0 && !ownerDefault) return next();
    const target =
      ownerDefault?.href ??
      pickLink(
        links.filter((l) => l.linkType === "gs1:defaultLink"),
        req.acceptsLanguages(),
      )!.href;
    // Never redirect a URI to itself: the built-in default is the page served at this very URI.
    if (new URL(target).href === new URL(publicUrl + req.originalUrl).href) return next();
    redirect(res, target);
  });

  router.get(/^\/qr\/01\//, async (req, res) => {
    const code = codeOf(req.path.slice("/qr".length), "");
    const format = singleQuery(req, "format") ?? "svg";
    if (!(QR_FORMATS as readonly string[]).includes(format)) throw badRequest("invalid-query", `format is one of ${QR_FORMATS.join(", ")}`);
    const sizeParam = singleQuery(req, "size");
    const size = sizeParam === undefined ? QR_PNG_WIDTH.default : Number(sizeParam);
    if (!Number.isInteger(size) || size < QR_PNG_WIDTH.min || size > QR_PNG_WIDTH.max)
      throw badRequest("invalid-query", `size is the PNG width in pixels, an integer from ${QR_PNG_WIDTH.min} to ${QR_PNG_WIDTH.max}`);
    if (!(await isKnownCode(db, provider, code))) throw codeNotFound();
    const { body, contentType } = await renderQr(codeUri(publicUrl, code), format as QrFormat, size);
    res.set("Cache-Control", QR_CACHE).type(contentType).send(body);
  });

  router.get("/v1/gtins/:gtin/links", async (req, res) => {
    const view = await linksView(db, provider, gtinParam(req.params.gtin));
    if (!view) throw notFound();
    res.json(view);
  });

  router.put("/v1/gtins/:gtin/links", auth, async (req, res) => {
    const caller = callerOf(req);
    const gtin = gtinParam(req.params.gtin);
    const owner = await gtinOwner(db, provider, gtin);
    if (!owner) throw notFound();
    // Who owns a GTIN is public (its batches' pages name the brand), so a refusal hides nothing.
    if (owner.owner !== caller.orgId) throw forbidden("not-gtin-owner", `GTIN ${gtin} belongs to ${owner.owner}: only its owner sets its links.`);
    const body = GtinLinksUpdateSchema.safeParse(req.body);
    if (!body.success)
      throw fromZod("invalid-links", "Expected { links: [{ linkType, href, title, hreflang?, type?, lot?, serial?, default? }] }.", body.error);
    await replaceLinks(db, provider, gtin, body.data.links, new Date());
    linkCache.delete(gtin);
    res.json(await linksView(db, provider, gtin));
  });

  return router;
}

function gtinParam(value: unknown): string {
  try {
    return normalizeGtin(typeof value === "string" ? value : "");
  } catch (err) {
    if (err instanceof DigitalLinkError) throw badRequest(`gtin-${err.reason}`, err.message);
    throw err;
  }
}

function redirect(res: Response, href: string): void {
  res.set("Cache-Control", RESOLVER_CACHE).redirect(307, new URL(href).href);
}
