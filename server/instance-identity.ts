import { hostname } from "node:os";
import type { Db, DbProvider } from "./db/client";
import { isProcessAlive } from "./process-alive";

/**
 * The hub process's identity for its leases (anchoring, customs matching, webhook delivery), decided
 * once at start. INSTANCE_ID wins when set. Otherwise the hub takes a slot of its host in the
 * database ("host#0", "host#1", ...): the lowest one whose holder process is gone. So a restarted hub
 * (a crash, kill -9, a deploy) gets the id its predecessor had and takes its leases back at once,
 * instead of waiting for them to run out, while two hubs running side by side on one host (one
 * SQLite file, or one PostgreSQL) get different slots. Hubs on other hosts have other ids; hosts
 * that share a hostname (containers given one name) should set INSTANCE_ID. A holder counts as gone
 * when no process with its pid runs on this host (or the pid is ours: a container's hub is often pid
 * 1 every time); a reused pid only costs the old wait for the lease.
 */

/** More hubs than this on one host is a configuration error, not a reason to wait for leases. */
const MAX_SLOTS = 64;

interface SlotRow {
  pid: number | bigint;
  claimedAt: number | bigint | string;
}

export async function claimInstanceId(db: Db, provider: DbProvider, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const host = hostname() || "localhost";
  const p = (n: number) => (provider === "sqlite" ? "?" : `$${n}`);
  // Each round either returns, moves to the next slot, or lost a race for this one (bounded all the same).
  for (let slot = 0, round = 0; slot < MAX_SLOTS && round < 4 * MAX_SLOTS; round++) {
    const id = `${host}#${slot}`;
    const now = Date.now();
    const inserted = await db.$executeRawUnsafe(
      `INSERT INTO "HubInstance" ("id", "host", "pid", "claimedAt") VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}) ON CONFLICT ("id") DO NOTHING`,
      id,
      host,
      process.pid,
      now,
    );
    if (inserted === 1) return id;
    const [row] = await db.$queryRawUnsafe<SlotRow[]>(`SELECT "pid", "claimedAt" FROM "HubInstance" WHERE "id" = ${p(1)}`, id);
    if (!row) continue; // released in between: try the insert again
    const holder = Number(row.pid);
    if (holder !== process.pid && isProcessAlive(holder)) {
      slot++;
      continue;
    }
    // Compare-and-set on what we read: of two hubs restarting at once, one gets the slot.
    const taken = await db.$executeRawUnsafe(
      `UPDATE "HubInstance" SET "pid" = ${p(1)}, "claimedAt" = ${p(2)} WHERE "id" = ${p(3)} AND "pid" = ${p(4)} AND "claimedAt" = ${p(5)}`,
      process.pid,
      now,
      id,
      holder,
      Number(row.claimedAt),
    );
    if (taken === 1) return id;
  }
  throw new Error(`more than ${MAX_SLOTS} hub processes on host ${host} share this database; set INSTANCE_ID`);
}
