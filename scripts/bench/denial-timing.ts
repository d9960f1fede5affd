/**
 * Does a refused access request (or a refused read) tell a much-referenced object from a random id by its timing?
 * Run: npm run bench:denial   (in process, a fresh SQLite database in a temporary folder; or set
 * DENIAL_DATABASE_URL to an empty PostgreSQL database).
 * One object is referenced by DENIAL_REFERRERS (default 2,000) objects of other organisations; the
 * requester reads and owns a few unrelated objects. DENIAL_SAMPLES (default 250) requests about the
 * popular object and as many about fresh random ids are timed, interleaved, after a warm-up. Prints
 * p50/p95 of both and the ratio of the p50s (about 1 when the denial is constant-work) and writes
 * bench-results/denial-timing.json. Figures only, no pass/fail.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { AccessLogWriter } from "../../server/access-log/writer";
import { insertRows } from "../../server/db/bulk-insert";
import { openDatabase, providerOf, writeTransaction } from "../../server/db/client";
import { migrate } from "../../server/db/migrate";
import { requestAccess } from "../../server/records/access-requests";
import { readableRecord } from "../../server/records/access";

const REFERRERS = Number(process.env.DENIAL_REFERRERS ?? 2_000);
const SAMPLES = Number(process.env.DENIAL_SAMPLES ?? 250);
const WARMUP = 50;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const ms = (x: number) => Number(x.toFixed(3));

async function main(): Promise<void> {
  const tmp = process.env.DENIAL_DATABASE_URL ? undefined : mkdtempSync(path.join(os.tmpdir(), "cargoproof-denial-"));
  const url = process.env.DENIAL_DATABASE_URL ?? `file:${path.join(tmp!, "hub.db")}`;
  await migrate(url);
  const { db, provider, close } = await openDatabase(url);
  try {
    const log = new AccessLogWriter(db, provider);
    const now = new Date();
    const popular = "popular-object";
    const referrers = Array.from({ length: REFERRERS }, (_, i) => `referrer-${i}`);
    const requester = "requester";
    const records: [string, string][] = [[popular, "victim"], ...referrers.map((id, i): [string, string] => [id, `org-${i % 25}`])];
    for (let i = 0; i < 20; i++) records.push([`read-${i}`, "org-0"], [`own-${i}`, requester]);
    await writeTransaction(db, async (tx) => {
      await insertRows(
        tx,
        provider,
        "Record",
        ["id", "type", "owner", "latestVersion", "createdAt", "updatedAt"],
        records.map(([id, owner]) => [id, "LogisticsObject", owner, 1, now, now]),
      );
      await insertRows(
        tx,
        provider,
        "RecordLink",
        ["fromId", "toId", "property", "fromObjectType"],
        [
          ...referrers.map((id) => [id, popular, "pieces", "Shipment"]),
          ...Array.from({ length: 20 }, (_, i) => [`read-${i}`, `referrer-${i}`, "pieces", "Shipment"]),
        ],
      );
      await insertRows(
        tx,
        provider,
        "Grant",
        ["id", "recordId", "grantee", "grantedBy", "createdAt", "scope"],
        Array.from({ length: 20 }, (_, i) => [randomUUID(), `read-${i}`, requester, "org-0", now, "object"]),
      );
    });

    // A denial about the popular object against one about a fresh random id: warmed up, then
    // interleaved, so drift (cache, the growing request table) falls on both alike.
    const compare = async (deny: (recordId: string) => Promise<unknown>) => {
      const timed = async (recordId: string) => {
        const t0 = performance.now();
        await deny(recordId);
        return performance.now() - t0;
      };
      for (let i = 0; i < WARMUP; i++) await timed(i % 2 === 0 ? popular : `random-${randomUUID()}`);
      const popularMs: number[] = [];
      const randomMs: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        popularMs.push(await timed(popular));
        randomMs.push(await timed(`random-${randomUUID()}`));
      }
      return {
        popular: { p50: ms(quantile(popularMs, 0.5)), p95: ms(quantile(popularMs, 0.95)) },
        random: { p50: ms(quantile(randomMs, 0.5)), p95: ms(quantile(randomMs, 0.95)) },
        ratioP50: Number((quantile(popularMs, 0.5) / quantile(randomMs, 0.5)).toFixed(3)),
      };
    };
    const requests = await compare((recordId) => requestAccess(db, provider, log, { requestedBy: requester, recordIds: [recordId], scope: "object" }));
    // The same question for a read: the 404 of GET /v1/records/:id comes from the one access rule.
    const reads = await compare((recordId) => readableRecord(db, requester, recordId).catch(() => undefined));
    const result = { provider: providerOf(url), referrers: REFERRERS, samples: SAMPLES, ...requests, reads };
    const print = (title: string, r: typeof requests) => {
      console.log(title);
      console.log(`  popular object  p50 ${r.popular.p50} ms  p95 ${r.popular.p95} ms`);
      console.log(`  random id       p50 ${r.random.p50} ms  p95 ${r.random.p95} ms`);
      console.log(`  ratio of p50s   ${r.ratioP50}`);
    };
    print(`denied access requests (${result.provider}, ${REFERRERS} objects referencing the popular one, ${SAMPLES} samples each)`, requests);
    print("denied reads (the same objects)", reads);
    mkdirSync("bench-results", { recursive: true });
    writeFileSync(path.join("bench-results", "denial-timing.json"), JSON.stringify(result, null, 2) + "\n");
  } finally {
    await close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
