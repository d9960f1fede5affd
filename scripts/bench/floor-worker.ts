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

interface NativeRecover {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
}

/** libsecp256k1's recovery alone, on the addon sdk/signature.ts loads. */
function nativeRecover(): (i: number) => number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require("secp256k1/bindings") as NativeRecover;
  const msgs = Array.from({ length: 64 }, (_, i) => new Uint8Array(32).fill(i + 1));
  const sigs = msgs.map((m) => lib.ecdsaSign(m, new Uint8Array(32).fill(7)));
  return (i) => lib.ecdsaRecover(sigs[i].signature, sigs[i].recid, msgs[i], false).length;
}

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
  const native = job.kind === "nativeRecoveries" ? nativeRecover() : undefined;
  while (performance.now() < until) {
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      sink += native ? native(i) : (job.kind === "recoveries" ? recoverSigner(r.digest, r.signature) : computeDigest(r)).length;
    }
    count += records.length;
  }
  const ms = performance.now() - start;
  parentPort!.postMessage({ count, ms, sink });
}

void main();
