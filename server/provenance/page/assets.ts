import { createHash } from "node:crypto";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { PAGE_CSS } from "./styles";

export interface Asset {
  body: string;
  type: string;
  etag: string;
}

const asset = (body: string, type: string): Asset => ({ body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` });

// Node built-ins and the optional native secp256k1 addon have no place in a browser: they become
// empty modules (the SDK falls back to ethers' secp256k1 where the addon is missing).
const NOT_BUNDLED = new RegExp(`^(node:.*|secp256k1(/.*)?|${builtinModules.map((m) => m.replace(/[/]/g, "\\/")).join("|")})$`);
export const emptyModules: Plugin = {
  name: "empty-node-modules",
  setup(b) {
    b.onResolve({ filter: NOT_BUNDLED }, (args) => ({ path: args.path, namespace: "empty" }));
    b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "module.exports = {};", loader: "js" }));
  },
};

/** Bundles the page's script from the SDK with esbuild (one IIFE, minified, no external requests). */
export async function bundlePageScript(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, "browser.ts")],
    bundle: true,
    write: false,
    platform: "browser",
    format: "iife",
    target: ["es2020"],
    minify: true,
    legalComments: "none",
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [emptyModules],
  });
  return result.outputFiles[0]!.text;
}

/**
 * The page's static assets, served from /provenance/assets/. The script is built on first request
 * (building costs a second or two of CPU, which a hub that never serves the page does not pay) and
 * kept for the life of the process; a failed build is retried on the next request.
 */
export class PageAssets {
  private script: Promise<Asset> | undefined;
  readonly css = asset(PAGE_CSS, "text/css; charset=utf-8");

  pageScript(): Promise<Asset> {
    if (!this.script) {
      this.script = bundlePageScript().then((js) => asset(js, "text/javascript; charset=utf-8"));
      this.script.catch(() => (this.script = undefined));
    }
    return this.script;
  }
}
