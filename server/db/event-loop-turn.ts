import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * The longest the process's one event loop runs storage work back to back before the requests
 * waiting behind it get a turn. SQLite (better-sqlite3) runs every statement synchronously, and a
 * transaction's statements resolve one after the other as microtasks, so without a break a
 * publish of thousands of rows held every other caller (GET /health, a record read, a product
 * page) for its whole length: up to seconds on the customs day.
 */
export const TURN_MS = 4;

let runningSince = performance.now();

/**
 * Lets the event loop run pending I/O (other requests) when storage work has held it for
 * TURN_MS, and returns at once otherwise. Called between statements and between chunks of rows;
 * one call costs nothing measurable when no turn is due.
 */
export async function giveTurnIfDue(): Promise<void> {
  if (performance.now() - runningSince < TURN_MS) return;
  await nextTurn();
  runningSince = performance.now();
}
