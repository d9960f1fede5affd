/**
 * One core's share of the floor (scripts/bench/floor.ts): the hub's own per-record checks in a loop.
 * Waits for "go" so every worker runs at the same time; answers { count, ms }.
 */
import { parentPort, workerData } from "node:worker_threads";
import { keccakReady } from "../../sdk/bytes";
import { floorRecord, type FloorJob } from "./floor-record";
import { computeDigest } from "../../sdk/digest";
import { recoverSigner, useSecp256k1Backend } from "../../sdk/signature";

const job = workerData as FloorJob;

async function main() {
  await keccakReady;
  if (job.kind === "recoveries") useSecp256k1Backend("native");
  const records = Array.from({ length: 64 }, (_, i) => floorRecord(i));
  // The check must give the right answer, or the figure measures a failure path.
  for (const r of records) {
    if (computeDigest(r) !== r.digest) throw new Error("floor: digest mismatch");
    recoverSigner(r.digest, r.signature);
  }
  parentPort!.postMessage("ready");
  await new Promise<void>((resolve) => parentPort!.once("message", () => resolve()));
  const until = performance.now() + job.seconds * 1000;
  const start = performance.now();
  let count = 0;
  let sink = 0;
  while (performance.now() < until) {
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      sink += (job.kind === "recoveries" ? recoverSigner(r.digest, r.signature) : computeDigest(r)).length;
    }
    count += records.length;
  }
  const ms = performance.now() - start;
  parentPort!.postMessage({ count, ms, sink });
}

void main();
