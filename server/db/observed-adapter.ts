import type { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { StorageFault, StorageHealth } from "./faults";

/** A Prisma driver adapter's connection (both providers' adapters share the interface). */
export type DriverAdapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;
type Tx = Awaited<ReturnType<DriverAdapter["startTransaction"]>>;

/**
 * Notes every storage fault of the connection's statements and transactions in `health`, whoever
 * ran them (a route, a worker, the client's own COMMIT), then lets the error go on as it was.
 * `onFault` hears each one (SQLite checkpoints after a full disk).
 */
export function observeStorageFaults<A extends DriverAdapter>(adapter: A, health: StorageHealth, onFault?: (fault: StorageFault) => void): A {
  const noted =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await run(...args);
      } catch (err) {
        const fault = health.observe(err);
        if (fault) onFault?.(fault);
        throw err;
      }
    };
  const observeQueries = (q: DriverAdapter | Tx) => {
    q.queryRaw = noted(q.queryRaw.bind(q));
    q.executeRaw = noted(q.executeRaw.bind(q));
  };
  observeQueries(adapter);
  adapter.executeScript = noted(adapter.executeScript.bind(adapter));
  const startTransaction = noted(adapter.startTransaction.bind(adapter));
  adapter.startTransaction = async (isolation) => {
    const tx = await startTransaction(isolation);
    observeQueries(tx);
    return tx;
  };
  return adapter;
}
