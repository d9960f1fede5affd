import type { Request, RequestHandler } from "express";
import { version as hubVersion } from "../../package.json";
import { EPC_FORMATS, isEpcFormat, type EpcFormat } from "../../sdk/epcis/epc-format";
import { HttpProblem, badRequest, notFound } from "../http/problem";

/**
 * The GS1-* headers of the EPCIS 2.0 REST binding (openapi.yaml, components/headers): the versions
 * the hub speaks on every /epcis answer, the version negotiation of every request, and the OPTIONS
 * answer of every EPCIS resource.
 */

export const EPCIS_VERSION = "2.0.0";
export const CBV_VERSION = "2.0.0";

/** Sent on every /epcis answer. */
export const VERSION_HEADERS: Record<string, string> = {
  "GS1-EPCIS-Version": EPCIS_VERSION,
  "GS1-EPCIS-Min": EPCIS_VERSION,
  "GS1-EPCIS-Max": EPCIS_VERSION,
  "GS1-CBV-Version": CBV_VERSION,
  "GS1-CBV-Min": CBV_VERSION,
  "GS1-CBV-Max": CBV_VERSION,
  "GS1-Vendor-Version": `cargoproof-${hubVersion}`,
};

/**
 * Also on an OPTIONS answer (204DefaultDiscoveryResponse): the hub takes every GS1-EPC-Format and
 * GS1-CBV-XML-Format value on a read ("No_Preference": any format is accepted), and implements no
 * GS1 extension (empty list).
 */
export const DISCOVERY_HEADERS: Record<string, string> = {
  "GS1-EPC-Format": "No_Preference",
  "GS1-CBV-XML-Format": "No_Preference",
  "GS1-Extensions": "",
};

export const CBV_XML_FORMATS = ["No_Preference", "Always_Web_URI", "Always_URN", "Never_Translates"] as const;
export type CbvXmlFormat = (typeof CBV_XML_FORMATS)[number];

/** How a read's answer writes EPCs and (XML only) CBV values. */
export interface OutputFormats {
  epc: EpcFormat;
  cbvXml: CbvXmlFormat;
}

/**
 * The GS1-EPC-Format and GS1-CBV-XML-Format of a read. Absent, both are Never_Translates: events
 * come back as captured (the binding's default for GS1-EPC-Format is Always_GS1_Digital_Link; the
 * hub keeps what was captured unless a translation is asked for, docs/epcis.md). A value outside the
 * binding's enum is a 400 naming the header.
 */
export function outputFormats(req: Request): OutputFormats {
  const epc = req.get("GS1-EPC-Format")?.trim() ?? "Never_Translates";
  if (!isEpcFormat(epc))
    throw badRequest("epcis-header", `GS1-EPC-Format is not one of ${EPC_FORMATS.join(", ")}.`, [
      { path: "GS1-EPC-Format", message: `one of ${EPC_FORMATS.join(", ")}` },
    ]);
  const cbvXml = req.get("GS1-CBV-XML-Format")?.trim() ?? "Never_Translates";
  if (!(CBV_XML_FORMATS as readonly string[]).includes(cbvXml))
    throw badRequest("epcis-header", `GS1-CBV-XML-Format is not one of ${CBV_XML_FORMATS.join(", ")}.`, [
      { path: "GS1-CBV-XML-Format", message: `one of ${CBV_XML_FORMATS.join(", ")}` },
    ]);
  return { epc, cbvXml: cbvXml as CbvXmlFormat };
}

/** "2", "2.0", "2.0.0" as [2, 0, 0]; undefined when not the binding's version pattern ^\d+(\.\d+)*$. */
function parseVersion(v: string): number[] | undefined {
  const t = v.trim();
  if (!/^\d{1,4}(\.\d{1,4}){0,3}$/.test(t)) return undefined;
  const parts = t.split(".").map(Number);
  while (parts.length < 3) parts.push(0);
  return parts;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0) ? -1 : 1;
  return 0;
}

/**
 * Whether the request's headers for one standard (EPCIS or CBV) admit the version the hub speaks:
 * `{name}-Version` asks for one version (2.0 or 2.0.x here: the same version of the standard), and
 * `{name}-Min` / `{name}-Max` bound what the client accepts.
 */
function refusal(req: Request, name: "GS1-EPCIS" | "GS1-CBV", served: string): string | undefined {
  const have = parseVersion(served)!;
  const asked = req.get(`${name}-Version`);
  if (asked !== undefined) {
    const v = parseVersion(asked);
    if (!v || v[0] !== have[0] || v[1] !== have[1]) return `${name}-Version ${asked} was asked for; this hub speaks ${served}.`;
  }
  const min = req.get(`${name}-Min`);
  if (min !== undefined) {
    const v = parseVersion(min);
    if (!v || compareVersions(v, have) > 0) return `${name}-Min ${min} was asked for; this hub speaks ${served}.`;
  }
  const max = req.get(`${name}-Max`);
  if (max !== undefined) {
    const v = parseVersion(max);
    if (!v || compareVersions([v[0]!, v[1]!], [have[0]!, have[1]!]) < 0) return `${name}-Max ${max} was asked for; this hub speaks ${served}.`;
  }
  return undefined;
}

/** The version headers on every /epcis answer; a request the hub cannot serve in EPCIS 2.0 / CBV 2.0 gets the binding's 406 (NotAcceptableException). */
export const gs1Headers: RequestHandler = (req, res, next) => {
  res.set(VERSION_HEADERS);
  const epcis = refusal(req, "GS1-EPCIS", EPCIS_VERSION);
  if (epcis) return next(new HttpProblem(406, "epcis-version", "Not acceptable", epcis));
  const cbv = refusal(req, "GS1-CBV", CBV_VERSION);
  if (cbv) return next(new HttpProblem(406, "cbv-version", "Not acceptable", cbv));
  next();
};

interface Layer {
  route?: { methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  slash?: boolean;
  match(path: string): unknown;
}

/** The methods the app's routes serve at a path (routers mounted at "/", as the hub mounts them all). */
function methodsAt(stack: readonly Layer[], path: string, out = new Set<string>()): Set<string> {
  for (const layer of stack) {
    if (layer.route) {
      if (layer.match(path)) for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== "_all" && m !== "options") out.add(m.toUpperCase());
    } else if (layer.handle?.stack && layer.slash) methodsAt(layer.handle.stack, path, out);
  }
  return out;
}

/**
 * OPTIONS on any EPCIS resource: 204 with Allow (the methods the app's routes really serve at that
 * path, so a route added anywhere is announced without listing it here) and the discovery headers;
 * `extra` adds a resource's own (the capture limits). A path no route serves is a 404.
 */
export function optionsHandler(extra: (path: string) => Record<string, string> = () => ({})): RequestHandler {
  return (req, res, next) => {
    const methods = methodsAt((req.app as unknown as { router: { stack: Layer[] } }).router.stack, req.path);
    if (methods.size === 0) return next(notFound());
    res
      .status(204)
      .set({ Allow: ["OPTIONS", ...[...methods].sort()].join(", "), ...DISCOVERY_HEADERS, ...extra(req.path) })
      .end();
  };
}
