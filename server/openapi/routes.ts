import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import express, { Router } from "express";
import { buildDocument, type OpenApiDocument } from "./document";
import { operations } from "./operations";

const SWAGGER_UI_DIR = dirname(require.resolve("swagger-ui-dist/package.json"));
const HUB_PACKAGE = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version?: string; license?: string };
const HUB_VERSION = HUB_PACKAGE.version ?? "0.0.0";
const HUB_LICENSE = HUB_PACKAGE.license ?? "UNLICENSED";

/** No inline script and no eval: the page's own start-up script is a file, like Swagger UI's. */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI sets style attributes from script.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

// Relative URLs: the page works under whatever prefix PUBLIC_URL puts the hub.
const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cargoproof hub API</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/start.js"></script>
</body>
</html>
`;
const START_JS = `window.ui = SwaggerUIBundle({ url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true });\n`;

/** The hub's OpenAPI document for a hub at `publicUrl` (what GET /openapi.json serves). */
export const hubDocument = (publicUrl: string): OpenApiDocument => buildDocument(operations, { publicUrl, version: HUB_VERSION, license: HUB_LICENSE });

/** `GET /openapi.json` (the document, built once) and `GET /docs` (Swagger UI from swagger-ui-dist, no CDN); public. */
export function openApiRoutes(publicUrl: string): Router {
  const router = Router();
  let document: string | undefined;
  const documentJson = () => (document ??= JSON.stringify(hubDocument(publicUrl)));

  router.get("/openapi.json", (_req, res) => {
    res.set({ "Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*" }).type("application/json").send(documentJson());
  });
  router.get("/docs", (_req, res) => {
    res.set({ "Content-Security-Policy": DOCS_CSP, "Cache-Control": "no-cache" }).type("html").send(DOCS_HTML);
  });
  // Static files, not API operations: middleware, so they stay out of the document.
  router.use("/docs/assets", (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    if (req.path === "/start.js") return void res.set("Cache-Control", "no-cache").type("text/javascript").send(START_JS);
    next();
  });
  router.use("/docs/assets", express.static(SWAGGER_UI_DIR, { index: false, fallthrough: true, maxAge: "1h" }));
  return router;
}
