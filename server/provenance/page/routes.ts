import { Router, type Request, type Response } from "express";
import { DigitalLinkError, digitalLinkPath, parseDigitalLink, type ProductCode } from "../../../sdk/provenance/digital-link";
import { HttpProblem, badRequest, notFound } from "../../http/problem";
import type { PageAssets } from "./assets";
import { pickLanguage } from "./i18n";
import { renderNotFound, renderPage } from "./render";
import type { ScanCounter } from "./scans";
import type { StoryService } from "./story";

export interface PageRouteDeps {
  stories: StoryService;
  scans: ScanCounter;
  assets: PageAssets;
  /** The RPC URL the page verifies against unless the person picks another. */
  publicRpcUrl: string;
}

const STORY_PREFIX = "/provenance/story";
const CERTIFICATIONS_PREFIX = "/provenance/certifications";

/** An http(s) URL, or undefined. */
function httpUrl(raw: unknown): URL | undefined {
  if (typeof raw !== "string" || raw.length > 2000) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The code of a JSON route's path; a malformed code is a 400 problem naming why. */
function jsonCode(path: string): ProductCode {
  try {
    return parseDigitalLink(path);
  } catch (err) {
    if (err instanceof DigitalLinkError) throw badRequest(`invalid-code-${err.reason}`, err.message);
    throw err;
  }
}

function problemJson(res: Response, problem: HttpProblem, instance: string): void {
  res
    .status(problem.status)
    .type("application/problem+json")
    .send(JSON.stringify(problem.toBody(instance)));
}

/**
 * The consumer's provenance page (docs/provenance-page.md), public, no authentication:
 * - the HTML page at the code's URI (`/01/{gtin}/10/{lot}`, `/01/{gtin}/21/{serial}`), after the
 *   resolver's router (which passes HTML requests it does not redirect); each view is a scan;
 * - `GET /provenance/story/01/...`: the story as JSON (ProductStorySchema), not counted as a scan;
 * - `GET /provenance/certifications/01/...`: the certifications naming the product, with status;
 * - `/provenance/assets/page.js` and `page.css`.
 */
export function provenancePageRoutes({ stories, scans, assets, publicRpcUrl }: PageRouteDeps): Router {
  const router = Router();
  const defaultRpc = httpUrl(publicRpcUrl);

  router.get("/provenance/assets/page.js", async (_req, res) => {
    const js = await assets.pageScript();
    res.set({ "Cache-Control": "no-cache", ETag: js.etag }).type(js.type).send(js.body);
  });
  router.get("/provenance/assets/page.css", (_req, res) => {
    res.set({ "Cache-Control": "no-cache", ETag: assets.css.etag }).type(assets.css.type).send(assets.css.body);
  });

  router.get(new RegExp(`^${STORY_PREFIX}/01/.+`), async (req, res) => {
    const code = jsonCode(req.path.slice(STORY_PREFIX.length));
    const story = await stories.story(code, () => scans.read(code));
    if (!story) return problemJson(res, notFound(), req.originalUrl);
    res.set({ "Cache-Control": "no-store", "Access-Control-Allow-Origin": "*" }).json(story);
  });

  router.get(new RegExp(`^${CERTIFICATIONS_PREFIX}/01/.+`), async (req, res) => {
    const code = jsonCode(req.path.slice(CERTIFICATIONS_PREFIX.length));
    const list = await stories.certifications(code);
    if (!list) return problemJson(res, notFound(), req.originalUrl);
    res.set({ "Cache-Control": "no-store", "Access-Control-Allow-Origin": "*" }).json(list);
  });

  router.get(/^\/01\/.+/, async (req: Request, res: Response) => {
    const lang = pickLanguage(req.query.lang, req.get("accept-language"));
    // ?rpc= only widens the CSP and offers that RPC to the page's script; the page still verifies
    // against the hub's RPC unless the person changed the field (browser.ts).
    const asked = httpUrl(req.query.rpc);
    const offeredRpcUrl = asked && String(req.query.rpc) !== publicRpcUrl ? String(req.query.rpc) : undefined;
    const origins = new Set([defaultRpc?.origin, asked?.origin].filter((o): o is string => Boolean(o)));
    res.set({
      "Content-Security-Policy": [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        `connect-src 'self' ${[...origins].join(" ")}`.trim(),
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join("; "),
      "Content-Language": lang,
      Vary: "Accept-Language",
      "Cache-Control": "no-store",
    });
    let code: ProductCode | undefined;
    try {
      code = parseDigitalLink(req.path);
    } catch (err) {
      if (!(err instanceof DigitalLinkError)) throw err;
    }
    const story = code ? await stories.base(code) : undefined;
    if (!code || !story) return void res.status(404).type("html").send(renderNotFound(lang, req.path));
    const counted = await (req.method === "GET" ? scans.count(code, req.socket.remoteAddress) : scans.read(code));
    const path = digitalLinkPath(code);
    res
      .type("html")
      .send(renderPage(story, counted, { lang, path, storyUrl: STORY_PREFIX + path, rpcUrl: publicRpcUrl, ...(offeredRpcUrl ? { offeredRpcUrl } : {}) }));
  });

  return router;
}
