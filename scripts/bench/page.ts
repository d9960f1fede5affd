// Provenance page benchmark: a product with 50 steps (its batch, a certificate and 48 EPCIS events
// of a forwarder the batch names as partner), all anchored, on a hub child process (SQLite, local chain). Then N page views
// (HTML, each one a counted scan) with C at a time over keep-alive connections to 127.0.0.1.
// Prints p50/p95/p99 latency and requests/s against issue 17's targets (p95 < 10 ms, >= 2,000 pages/s), figures only;
// writes bench-results/page.json. To profile the hub: HUB_NODE_OPTIONS="--require <profiler>" CARGOPROOF_CPU_PROF_DIR=<dir>.
// Usage: npm run bench:page   (PAGE_BENCH_REQUESTS, default 2000, at most 20000; PAGE_BENCH_CONCURRENCY, default 8)
import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { join } from "node:path";
import { keccakReady } from "../../sdk/bytes";
import { epcisEventRecords } from "../../sdk/epcis/records";
import { admit, freshDatabase, hubEnv, startHubProcess, startTestChain } from "../../test/integration/harness";
import { epcisDocument, gtinOf, lotUri, productBatch } from "../../test/browser/product-fixture";
import { percentile } from "./responsiveness";

const STEPS = 50;
const TARGET_P95_MS = 10;
const TARGET_PAGES_PER_S = 2000;
const requests = Math.min(20_000, Math.max(1, Number(process.env.PAGE_BENCH_REQUESTS ?? 2000)));
const concurrency = Math.min(64, Math.max(1, Number(process.env.PAGE_BENCH_CONCURRENCY ?? 8)));

function get(agent: http.Agent, url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { accept: "text/html", "accept-language": "en" } }, (res) => {
      let bytes = 0;
      res.on("data", (d: Buffer) => (bytes += d.length));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on("error", reject);
  });
}

async function main() {
  await keccakReady;
  const chain = await startTestChain();
  const database = await freshDatabase();
  // The hub's default anchoring cadence (the test harness polls faster).
  const hub = await startHubProcess(
    hubEnv(chain, database.url, {
      ANCHOR_MAX_AGE_MS: "2000",
      ANCHOR_POLL_MS: "200",
      // e.g. "--require ./profiler.js" to profile the hub
      ...(process.env.HUB_NODE_OPTIONS ? { NODE_OPTIONS: process.env.HUB_NODE_OPTIONS } : {}),
      // With scripts/bench/cpu-profile.cjs in HUB_NODE_OPTIONS: where the hub writes its profiles.
      ...(process.env.CARGOPROOF_CPU_PROF_DIR ? { CARGOPROOF_CPU_PROF_DIR: process.env.CARGOPROOF_CPU_PROF_DIR } : {}),
    }),
  );
  try {
    const [brand, certifier, forwarder] = await Promise.all([
      admit(hub.url, "bench-brand", ["BRAND"]),
      admit(hub.url, "bench-certifier", ["CERTIFIER"]),
      admit(hub.url, "bench-forwarder", ["FORWARDER"]),
    ]);
    const gtin = gtinOf("0950600099001");
    const lot = "BENCH-1";
    // The forwarder is the batch's partner: the page shows only its brand's, partners' and certifiers' records.
    await brand.client.publish("ProductBatch", productBatch(gtin, lot, ["BENCH-SN-1"], [{ org: forwarder.id, role: "FORWARDER" }]));
    await certifier.client.publish("Certification", {
      kind: "QUALITY",
      certificateNumber: "Q-BENCH-1",
      issuedTo: "Aurora Audio SAS",
      subjects: [lotUri(gtin, lot)],
      scope: "Quality of the batch",
      validFrom: "2026-03-05",
      validUntil: "2036-03-05",
      result: "PASS",
    });
    const steps = ["shipping", "arriving", "receiving", "storing", "picking", "packing"];
    const events = Array.from({ length: STEPS - 2 }, (_, i) => ({
      type: "ObjectEvent",
      eventTime: new Date(Date.UTC(2026, 3, 1, 0, i * 10)).toISOString(),
      eventTimeZoneOffset: "+00:00",
      action: "OBSERVE",
      bizStep: steps[i % steps.length],
      readPoint: { id: `urn:epc:id:sgln:4890000.${String(10000 + i)}.0` },
      quantityList: [{ epcClass: lotUri(gtin, lot), quantity: 100 - i }],
    }));
    const records = epcisEventRecords(epcisDocument(events), { orgId: forwarder.id, privateKey: forwarder.key.privateKey });
    const last = records.at(-1)!;
    await forwarder.client.publishBatch(records);
    await forwarder.client.waitForProof(last.id, 1, 60_000);

    const url = `${hub.url}/01/${gtin}/10/${lot}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    // Warm-up: the hub builds its verdicts and caches proofs and names on the first views.
    for (;;) {
      const story = (await (await fetch(`${hub.url}/provenance/story/01/${gtin}/10/${lot}`)).json()) as { steps: { verdict: { status: string } }[] };
      if (story.steps.length === STEPS && story.steps.every((s) => s.verdict.status === "verified")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    for (let i = 0; i < 50; i++) await get(agent, url);

    const latencies: number[] = [];
    let next = 0;
    let bytes = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
          next++;
          const t0 = performance.now();
          const res = await get(agent, url);
          latencies.push(performance.now() - t0);
          if (res.status !== 200) throw new Error(`page answered ${res.status}`);
          bytes = res.bytes;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const result = {
      steps: STEPS,
      requests: latencies.length,
      concurrency,
      pageBytes: bytes,
      p50Ms: +percentile(latencies, 50).toFixed(2),
      p95Ms: +percentile(latencies, 95).toFixed(2),
      p99Ms: +percentile(latencies, 99).toFixed(2),
      requestsPerS: Math.round(latencies.length / seconds),
      targetP95Ms: TARGET_P95_MS,
      targetPagesPerS: TARGET_PAGES_PER_S,
      /** The machine's 1-minute load average when the run ended: the cores are shared with other work. */
      loadAfter: +os.loadavg()[0].toFixed(2),
      when: new Date().toISOString(),
    };
    console.log(`provenance page, ${STEPS} steps, ${result.requests} requests, concurrency ${concurrency}, ${bytes} bytes a page`);
    console.log(`  p50 ${result.p50Ms} ms   p95 ${result.p95Ms} ms   p99 ${result.p99Ms} ms   ${result.requestsPerS} req/s`);
    console.log(
      `  p95 < ${TARGET_P95_MS} ms: ${result.p95Ms < TARGET_P95_MS ? "yes" : "no"}; >= ${TARGET_PAGES_PER_S} pages/s: ${result.requestsPerS >= TARGET_PAGES_PER_S ? "yes" : "no"} (load ${result.loadAfter})`,
    );
    mkdirSync("bench-results", { recursive: true });
    writeFileSync(join("bench-results", "page.json"), JSON.stringify(result, null, 2));
  } finally {
    await hub.stop();
    await database.drop();
    await chain.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
