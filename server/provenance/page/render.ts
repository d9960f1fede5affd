import type { AttesterKind } from "../../../sdk/provenance/attesters";
import type { StoryAttester, StoryFact, StoryScans, StoryStep } from "../../../sdk/provenance/story";
import { cbvWord } from "./cbv";
import { declarationOf } from "./corrections";
import type { StoryBase } from "./story";
import { LANGUAGES, LOCALES, STRINGS, fill, type Language, type StringKey, type Strings } from "./i18n";

/** Server-side HTML of the consumer's page: no inline script or style (the CSP forbids them). */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** JSON inside a <script type="application/json"> element: nothing in it can close the element. */
const jsonData = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");

/** The strings the page's script writes (verification results). */
export const SCRIPT_STRINGS = [
  "verdict.verified",
  "verdict.failed",
  "verdict.pending",
  "verdict.revoked",
  "verdict.checking",
  "browserVerdict",
  "verifyRunning",
  "verifyDone",
  "verifyError",
  "verifyChosenRpc",
  "verifyButton",
] as const satisfies readonly StringKey[];

class Formatter {
  readonly t: Strings;
  private readonly dates: Intl.DateTimeFormat;
  private readonly times: Intl.DateTimeFormat;
  private readonly regions: Intl.DisplayNames;

  constructor(readonly lang: Language) {
    this.t = STRINGS[lang];
    const locale = LOCALES[lang];
    this.dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
    this.times = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
    this.regions = new Intl.DisplayNames([locale], { type: "region" });
  }

  /** A date ("2026-05-01") or a date-time, shown in UTC. */
  date(value: string): string {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) return value;
    return /^\d{4}-\d{2}-\d{2}$/.test(value) ? this.dates.format(ms) : `${this.times.format(ms)} UTC`;
  }

  country(code: unknown): string {
    if (typeof code !== "string") return "";
    try {
      return this.regions.of(code) ?? code;
    } catch {
      return code;
    }
  }

  /** A table entry, or the word itself when the table has none. */
  word(prefix: string, value: string): string {
    const key = `${prefix}.${value}` as StringKey;
    return Object.hasOwn(this.t, key) ? this.t[key] : value;
  }
}

/** The kind of attester a party is for this product, as a badge (HTML). */
const kindBadge = (f: Formatter, kind: AttesterKind): string => `<span class="kind" data-kind="${esc(kind)}">${esc(f.t[`attester.${kind}`])}</span>`;

/** A party's name and its kind (HTML). */
const attesterHtml = (f: Formatter, party: StoryAttester): string => `${esc(party.name)} ${kindBadge(f, party.kind)}`;

const place = (f: Formatter, p: unknown): string => {
  const o = (p ?? {}) as { name?: unknown; country?: unknown };
  return [o.name, f.country(o.country)].filter((x) => typeof x === "string" && x !== "").join(", ");
};

function head(lang: Language, title: string): string {
  return `<!doctype html>
<html lang="${esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/provenance/assets/page.css">
</head>`;
}

function switcher(f: Formatter, path: string): string {
  const links = LANGUAGES.map((l) =>
    l === f.lang
      ? `<li><span aria-current="true" lang="${esc(l)}">${esc(STRINGS[l].languageName)}</span></li>`
      : `<li><a href="${esc(`${path}?lang=${encodeURIComponent(l)}`)}" hreflang="${esc(l)}" lang="${esc(l)}">${esc(STRINGS[l].languageName)}</a></li>`,
  ).join("");
  return `<nav class="languages" aria-label="${esc(f.t.language)}"><ul>${links}</ul></nav>`;
}

function productSection(f: Formatter, story: StoryBase): string {
  const p = story.product.fields;
  const partners = story.product.partners.map((x) => (x.role ? `${x.name} (${f.word("role", x.role)})` : x.name)).join(", ");
  const rows: [string, string][] = [
    [f.t.productName, String(p.productName ?? "")],
    [f.t.brand, String(p.brand ?? "")],
    [f.t.gtin, story.code.gtin],
    ...((story.code.lot ?? p.lot) ? [[f.t.lot, String(story.code.lot ?? p.lot)] as [string, string]] : []),
    ...(story.code.serial ? [[f.t.serial, story.code.serial] as [string, string]] : []),
    ...(typeof p.productionDate === "string" ? [[f.t.productionDate, f.date(p.productionDate)] as [string, string]] : []),
    ...(typeof p.expiryDate === "string" ? [[f.t.expiryDate, f.date(p.expiryDate)] as [string, string]] : []),
    ...(p.productionPlace ? [[f.t.productionPlace, place(f, p.productionPlace)] as [string, string]] : []),
    ...(p.manufacturer ? [[f.t.manufacturer, place(f, p.manufacturer)] as [string, string]] : []),
  ];
  return `<section class="card product" id="product">
<h1>${esc(String(p.productName ?? f.t.product))}</h1>
<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}<dt>${esc(f.t.publishedBy)}</dt><dd class="brand-owner">${attesterHtml(f, story.product.brandOwner)}</dd>${
    partners ? `<dt>${esc(f.t.partners)}</dt><dd class="partners">${esc(partners)}</dd>` : ""
  }</dl>
</section>`;
}

function factValue(f: Formatter, fact: StoryFact): string {
  if (fact.value === undefined) return "";
  if (fact.key === "origin") return [fact.detail, f.country(fact.value)].filter(Boolean).join(", ");
  if (fact.key === "customsStatus") return [f.word("value", fact.value), fact.detail ? f.word("value", fact.detail) : undefined].filter(Boolean).join(" · ");
  return fact.value;
}

// The facts whose value is a location (an EPCIS readPoint or bizLocation, or a waybill's airport).
const PLACE_FACTS: ReadonlySet<string> = new Set(["portOfEntry", "departurePoint", "dispatchWarehouse"]);

function factsSection(f: Formatter, story: StoryBase): string {
  const items = story.facts
    .map((fact) => {
      const label = f.t[`fact.${fact.key}` as StringKey];
      const body =
        fact.value === undefined
          ? `<dd class="unknown">${esc(f.t.unknown)}</dd>`
          : `<dd><span class="value">${PLACE_FACTS.has(fact.key) ? placeHtml(f, story, fact.value) : esc(factValue(f, fact))}</span><span class="by">${esc(f.t.attestedBy)}: ${esc(fact.attestedBy ?? "")}${fact.attesterKind ? ` ${kindBadge(f, fact.attesterKind)}` : ""}</span></dd>`;
      const kind = fact.attesterKind ? ` data-attester="${esc(fact.attesterKind)}"` : "";
      return `<div class="fact" data-fact="${esc(fact.key)}" data-known="${fact.value !== undefined}"${kind}><dt>${esc(label)}</dt>${body}</div>`;
    })
    .join("");
  return `<section class="card facts" id="facts"><h2>${esc(f.t.facts)}</h2><dl>${items}</dl><p class="who-may-speak">${esc(f.t.whoMaySpeak)}</p></section>`;
}

function stepTitle(f: Formatter, step: StoryStep): string {
  const b = step.record.body;
  if (step.type === "Certification") return [f.word("kind", String(b.kind ?? "")), b.certificateNumber].filter(Boolean).join(" ");
  if (step.type === "CustomsDecision" && typeof b.decision === "string") return `${f.t["step.customs"]}: ${f.word("value", b.decision)}`;
  return f.word("step", step.summary);
}

function stepLocation(step: StoryStep): string | undefined {
  const b = step.record.body;
  const where = b.bizLocation ?? b.readPoint ?? b.eventLocation;
  return typeof where === "string" ? where : undefined;
}

/**
 * A location as the page shows it (HTML): the name and country its owner published (story.places),
 * with the id in a title and data attribute so that it can be checked; else the id itself.
 */
function placeHtml(f: Formatter, story: StoryBase, where: string): string {
  const p = story.places?.[where];
  const shown = p ? [p.name ?? p.city, f.country(p.countryCode)].filter((x) => typeof x === "string" && x !== "").join(", ") : "";
  if (!p || shown === "") return `<span>${esc(where)}</span>`;
  return `<span class="place" title="${esc(where)}" data-place-id="${esc(where)}" data-place-record="${esc(p.source.recordId)}">${esc(shown)}</span>`;
}

/** An EPCIS event declared in error, or the declaration itself, says so on its step (EPCIS 2.0 §7.4.1.2). */
function correctionLine(f: Formatter, step: StoryStep): string {
  const own = declarationOf(step);
  const d = step.declaredInError
    ? { at: step.declaredInError.at, reason: step.declaredInError.reason, key: "declaredInError" as const }
    : own
      ? { at: own.declarationTime, reason: own.reason, key: "errorDeclaration" as const }
      : undefined;
  if (!d) return "";
  const reason = d.reason ? ` <span class="reason">${esc(f.word("errorReason", cbvWord(d.reason) ?? d.reason))}</span>` : "";
  return `<p class="correction" data-correction="${d.key}"><span class="badge">${esc(fill(f.t[d.key], { date: f.date(d.at) }))}</span>${reason}</p>`;
}

function stepItem(f: Formatter, story: StoryBase, step: StoryStep): string {
  // A hub-attested event speaks for its capturer: the capturer's kind, and the hub as attester.
  const speaker = step.capturedBy ?? step.attestedBy;
  const who = step.capturedBy ? fill(esc(f.t.capturedBy), { party: attesterHtml(f, step.capturedBy) }) : attesterHtml(f, step.attestedBy);
  const where = stepLocation(step);
  const cert = step.certification;
  const certLine = cert
    ? `<p class="cert" data-cert="${esc(cert.status)}"><span class="badge">${esc(f.t[`cert.${cert.status}` as StringKey])}</span>${
        cert.revocationReason ? ` <span class="reason">${esc(cert.revocationReason)}</span>` : ""
      }${cert.status === "valid" && typeof step.record.body.validUntil === "string" ? ` ${esc(fill(f.t.validUntil, { date: f.date(step.record.body.validUntil) }))}` : ""}</p>`
    : "";
  const tx = step.proof?.txHash;
  const anchor = !step.proof
    ? `<p class="anchor pending">${esc(f.t.anchorPending)}</p>`
    : tx
      ? `<p class="anchor">${esc(f.t.anchoredIn)}: ${step.txUrl ? `<a href="${esc(step.txUrl)}" rel="noopener noreferrer">${esc(short(tx))}</a>` : `<code title="${esc(tx)}">${esc(tx)}</code>`}</p>`
      : "";
  const reasons =
    step.verdict.reasons.length > 0 && step.verdict.status !== "pending"
      ? `<ul class="reasons">${step.verdict.reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>`
      : "";
  return `<li class="step" data-record-id="${esc(step.recordId)}" data-type="${esc(step.type)}" data-status="${esc(step.verdict.status)}" data-attester="${esc(speaker.kind)}"${
    step.capturedBy ? ` data-attested-by="hub"` : ""
  }>
<time datetime="${esc(step.time)}">${esc(f.date(step.time))}</time>
<h3>${esc(stepTitle(f, step))}</h3>
${where ? `<p class="where">${esc(f.t.location)}: ${placeHtml(f, story, where)}</p>` : ""}
<p class="who">${esc(f.t.attestedBy)}: ${who}</p>
${certLine}
${correctionLine(f, step)}
<p class="verdict hub"><span class="label">${esc(f.t.hubVerdict)}:</span> <span class="badge">${esc(f.t[`verdict.${step.verdict.status}` as StringKey])}</span></p>
${reasons}
<p class="verdict browser" hidden><span class="label">${esc(f.t.browserVerdict)}:</span> <span class="badge"></span></p>
<ul class="reasons browser" hidden></ul>
${anchor}
</li>`;
}

const short = (hash: string) => `${hash.slice(0, 10)}…${hash.slice(-8)}`;

export interface PageContext {
  lang: Language;
  /** The code's path on this hub, e.g. /01/09506000134352/10/LOT1. */
  path: string;
  storyUrl: string;
  /** The hub's public RPC: the page verifies against it unless the person changes the field. */
  rpcUrl: string;
  /**
   * An RPC named by `?rpc=` (allowed by the page's CSP). Used only if this tab's person chose it
   * (browser.ts); a link alone cannot choose the RPC the page trusts.
   */
  offeredRpcUrl?: string;
}

// Intl formatters are costly to build: one set per language, for the life of the process.
const formatters = new Map<Language, Formatter>();
const formatterOf = (lang: Language): Formatter => {
  let f = formatters.get(lang);
  if (!f) formatters.set(lang, (f = new Formatter(lang)));
  return f;
};

/** The page in three parts around what changes with every view (the copy warning and the scans). */
function pageParts(story: StoryBase, ctx: PageContext): [string, string, string] {
  const f = formatterOf(ctx.lang);
  const { t } = f;
  const data = {
    storyUrl: ctx.storyUrl,
    rpcUrl: ctx.rpcUrl,
    offeredRpcUrl: ctx.offeredRpcUrl,
    strings: Object.fromEntries(SCRIPT_STRINGS.map((k) => [k, t[k]])),
  };
  return [
    `${head(ctx.lang, `${String(story.product.fields.productName ?? t.product)} · ${t.title}`)}
<body>
<header class="top"><p class="site">${esc(t.title)}</p>${switcher(f, ctx.path)}</header>
<main>
`,
    `
${productSection(f, story)}
${factsSection(f, story)}
<section class="card verify" id="verify">
<h2>${esc(t.verifyTitle)}</h2>
<p>${esc(t.verifyText)}</p>
<label for="rpc-url">${esc(t.rpcLabel)}</label>
<input id="rpc-url" name="rpc" type="url" inputmode="url" autocomplete="off" spellcheck="false" value="${esc(ctx.rpcUrl)}">
<button id="verify-button" type="button">${esc(t.verifyButton)}</button>
<p id="verify-status" role="status" aria-live="polite"></p>
<p id="verify-rpc" class="chosen-rpc" hidden></p>
</section>
<section class="card timeline" id="timeline">
<h2>${esc(t.timeline)}</h2>
${story.steps.length === 0 ? `<p>${esc(t.noSteps)}</p>` : `<ol class="steps">${story.steps.map((s) => stepItem(f, story, s)).join("\n")}</ol>`}
</section>
`,
    `
</main>
<footer class="chain">
<h2>${esc(t.chain)}</h2>
<dl>
<dt>${esc(t.chainId)}</dt><dd>${esc(story.chain.chainId)}</dd>
<dt>${esc(t.anchorRegistry)}</dt><dd><code>${esc(story.chain.anchorRegistry)}</code></dd>
<dt>${esc(t.participantRegistry)}</dt><dd><code>${esc(story.chain.participantRegistry)}</code></dd>
</dl>
</footer>
<script type="application/json" id="page-data">${jsonData(data)}</script>
<script src="/provenance/assets/page.js" defer></script>
</body>
</html>`,
  ];
}

// An assembled story is reused for a moment (StoryService): so are its rendered parts, per language and RPC.
const rendered = new WeakMap<StoryBase, Map<string, [string, string, string]>>();

export function renderPage(story: StoryBase, scans: StoryScans, ctx: PageContext): string {
  let byContext = rendered.get(story);
  if (!byContext) rendered.set(story, (byContext = new Map()));
  const key = `${ctx.lang}|${ctx.path}|${ctx.rpcUrl}|${ctx.offeredRpcUrl ?? ""}`;
  let parts = byContext.get(key);
  if (!parts) byContext.set(key, (parts = pageParts(story, ctx)));
  const f = formatterOf(ctx.lang);
  const { t } = f;
  const warning = scans.copyWarning
    ? `<section class="card warning" role="alert" id="copy-warning"><h2>${esc(t.copyWarningTitle)}</h2><p>${esc(
        fill(t.copyWarningText, { scans: scans.scansAfterSold ?? scans.count, places: scans.placesAfterSold ?? 1 }),
      )}</p></section>`
    : "";
  const scansSection = `<section class="card scans" id="scans">
<h2>${esc(t.scans)}</h2>
<p class="scan-count">${esc(fill(t.scanCount, { count: scans.count }))}</p>
${scans.firstAt ? `<p class="first-scan">${esc(fill(t.firstScan, { date: f.date(scans.firstAt) }))}</p>` : ""}
</section>`;
  return parts[0] + warning + parts[1] + scansSection + parts[2];
}

export function renderNotFound(lang: Language, path: string): string {
  const f = formatterOf(lang);
  return `${head(lang, f.t.notFoundTitle)}
<body>
<header class="top"><p class="site">${esc(f.t.title)}</p>${switcher(f, path)}</header>
<main><section class="card not-found"><h1>${esc(f.t.notFoundTitle)}</h1><p>${esc(f.t.notFoundText)}</p><p><code>${esc(path)}</code></p></section></main>
</body>
</html>`;
}
