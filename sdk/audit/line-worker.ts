// Worker thread of the audit's line pool (line-pool.ts): checks chunks of export lines.
import { parentPort } from "node:worker_threads";
import { keccakReady } from "../bytes";
import type { ExportLine } from "./export-format";
import { checkExportLine } from "./line-check";

if (!parentPort) throw new Error("line-worker.ts runs as a worker thread only");
const port = parentPort;
// Messages wait in the port's queue until the listener is attached, i.e. until the fast keccak is loaded.
void keccakReady.then(() => {
  port.on("message", (job: { id: number; items: (string | ExportLine)[] }) => {
    port.postMessage({ id: job.id, results: job.items.map(checkExportLine) });
  });
});
