// The consumer page's script (bundled for the browser by assets.ts): "Verify in my browser" runs the
// SDK's verification of every step against the chain's RPC and marks each step green or red.
import { ProductStorySchema } from "../../../sdk/provenance/story";
import { verifyStory, type StepCheck } from "../../../sdk/provenance/verify-story";

interface PageData {
  storyUrl: string;
  /** The hub's public RPC. */
  rpcUrl: string;
  /** The RPC a `?rpc=` named (the CSP allows it); trusted only if this tab's person chose it. */
  offeredRpcUrl?: string;
  strings: Record<string, string>;
}

const data = JSON.parse(document.getElementById("page-data")?.textContent ?? "{}") as PageData;
const t = (key: string, values: Record<string, string | number> = {}) =>
  (data.strings[key] ?? key).replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));

const button = document.getElementById("verify-button") as HTMLButtonElement | null;
const input = document.getElementById("rpc-url") as HTMLInputElement | null;
const status = document.getElementById("verify-status");
const rpcNote = document.getElementById("verify-rpc");

// A link can put any ?rpc= in the address; the page uses it only when the person typed it into the
// field in this tab and pressed Verify (run() notes it in sessionStorage before the reload the CSP
// needs). The note is used once: a later reload or a crafted link verifies against the hub's RPC.
const CHOSEN_RPC = "cargoproof.chosen-rpc";
const chosenRpcUrl = ((): string | undefined => {
  try {
    const noted = sessionStorage.getItem(CHOSEN_RPC);
    sessionStorage.removeItem(CHOSEN_RPC);
    return data.offeredRpcUrl !== undefined && noted === data.offeredRpcUrl ? noted : undefined;
  } catch {
    return undefined; // storage disabled: nobody chose anything
  }
})();
if (input && chosenRpcUrl) input.value = chosenRpcUrl;
const items = () => Array.from(document.querySelectorAll<HTMLLIElement>("li.step"));

function show(item: HTMLLIElement, state: string, reasons: string[]): void {
  item.dataset.browser = state;
  const line = item.querySelector<HTMLElement>(".verdict.browser");
  const list = item.querySelector<HTMLUListElement>("ul.reasons.browser");
  if (line) {
    line.hidden = false;
    const badge = line.querySelector(".badge");
    if (badge) badge.textContent = t(`verdict.${state}`);
  }
  if (list) {
    list.replaceChildren(
      ...reasons.map((r) => {
        const li = document.createElement("li");
        li.textContent = r;
        return li;
      }),
    );
    list.hidden = reasons.length === 0;
  }
}

function onStep(check: StepCheck): void {
  const item = items().find((i) => i.dataset.recordId === check.recordId);
  if (item) show(item, check.status, check.status === "verified" ? [] : check.reasons);
}

async function run(): Promise<void> {
  if (!button || !input || !status) return;
  const rpcUrl = input.value.trim();
  if (rpcUrl !== data.rpcUrl && rpcUrl !== chosenRpcUrl) {
    // The page may only reach the RPC its Content-Security-Policy names: reload with the new one.
    try {
      sessionStorage.setItem(CHOSEN_RPC, rpcUrl);
    } catch {
      // storage disabled: after the reload the page falls back to the hub's RPC
    }
    const url = new URL(window.location.href);
    url.searchParams.set("rpc", rpcUrl);
    url.hash = "verify";
    window.location.assign(url.toString());
    return;
  }
  button.disabled = true;
  status.textContent = t("verifyRunning");
  // Said plainly next to the verdict: a verdict from an RPC other than the hub's is the person's choice.
  const chosen = rpcUrl !== data.rpcUrl;
  document.body.dataset.rpc = chosen ? "chosen" : "hub";
  if (rpcNote) {
    rpcNote.textContent = chosen ? t("verifyChosenRpc", { rpc: rpcUrl }) : "";
    rpcNote.hidden = !chosen;
  }
  for (const item of items()) show(item, "checking", []);
  try {
    const res = await fetch(data.storyUrl, { headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    const story = ProductStorySchema.parse(await res.json());
    const checks = await verifyStory(story, { rpcUrl, onStep });
    const ok = checks.filter((c) => c.status === "verified").length;
    status.textContent = t("verifyDone", { ok, total: checks.length });
    document.body.dataset.verified = ok === checks.length ? "all" : "some";
  } catch (err) {
    status.textContent = t("verifyError", { reason: (err as Error).message });
    document.body.dataset.verified = "error";
  } finally {
    button.disabled = false;
  }
}

button?.addEventListener("click", () => void run());
if (window.location.hash === "#verify") void run();
