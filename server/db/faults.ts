/**
 * Storage faults: the one place that tells a full disk, a held lock or a failing database from any
 * other error. The problem handler answers them 503 with Retry-After (not 500 `internal`), the
 * health check reports them, and the database layer notes them as they happen (StorageHealth).
 */

export type StorageFaultKind = "full" | "busy" | "unavailable";

export interface StorageFault {
  kind: StorageFaultKind;
  /** The problem kind the API answers with (503): storage-full, storage-busy, storage-unavailable. */
  problem: `storage-${StorageFaultKind}`;
  /** Seconds a client should wait before trying again (the Retry-After header). */
  retryAfterS: number;
  /** What the caller is told: nothing of the database's own message. */
  detail: string;
  /** The code that classified it (SQLITE_FULL, 53100, ENOSPC, ...): for the hub's log only. */
  code: string;
}

const FAULTS: Record<StorageFaultKind, Omit<StorageFault, "code">> = {
  full: { kind: "full", problem: "storage-full", retryAfterS: 30, detail: "The hub's storage is full; nothing was written. Try again later." },
  busy: {
    kind: "busy",
    problem: "storage-busy",
    retryAfterS: 2,
    detail: "The hub's database is busy (locked by another writer); nothing was written. Try again shortly.",
  },
  unavailable: {
    kind: "unavailable",
    problem: "storage-unavailable",
    retryAfterS: 5,
    detail: "The hub's database is unavailable; nothing was written. Try again later.",
  },
};

/** Exact codes: SQLite result codes, PostgreSQL SQLSTATEs, Node system errors, Prisma codes, driver-adapter kinds. */
const BY_CODE: Record<string, StorageFaultKind> = {
  SQLITE_FULL: "full",
  ENOSPC: "full",
  EDQUOT: "full",
  "53100": "full", // disk_full
  // A lock another writer holds past the bounded wait, or a lock / statement timeout.
  "55P03": "busy", // lock_not_available (lock_timeout)
  "57014": "busy", // query_canceled (statement_timeout)
  "53300": "busy", // too_many_connections
  "40001": "busy", // serialization_failure: retrying is the cure
  "40P01": "busy", // deadlock_detected
  P2024: "busy", // timed out fetching a connection from the pool
  P2028: "busy", // a transaction could not start (or finish) in time
  P2034: "busy", // write conflict or deadlock
  SocketTimeout: "busy", // the adapters' name for SQLITE_BUSY and a pg socket timeout
  TooManyConnections: "busy",
  TransactionWriteConflict: "busy",
  "53000": "unavailable", // insufficient_resources
  "53200": "unavailable", // out_of_memory
  "53400": "unavailable", // configuration_limit_exceeded
  "57P01": "unavailable", // admin_shutdown
  "57P02": "unavailable", // crash_shutdown
  "57P03": "unavailable", // cannot_connect_now
  SQLITE_NOMEM: "unavailable",
  EIO: "unavailable",
  EROFS: "unavailable",
  P1001: "unavailable", // can't reach the database server
  P1002: "unavailable", // the server timed out
  P1017: "unavailable", // the server closed the connection
  DatabaseNotReachable: "unavailable",
  ConnectionClosed: "unavailable",
};

/** Families by prefix: SQLite's extended codes (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT...), SQLSTATE class 08. */
const BY_PREFIX: [string, StorageFaultKind][] = [
  ["SQLITE_BUSY", "busy"],
  ["SQLITE_LOCKED", "busy"],
  ["SQLITE_IOERR", "unavailable"],
  ["SQLITE_READONLY", "unavailable"],
  ["SQLITE_CANTOPEN", "unavailable"],
];

const SEVERITY: StorageFaultKind[] = ["full", "unavailable", "busy"];

function kindOfCode(code: string): StorageFaultKind | undefined {
  const exact = BY_CODE[code];
  if (exact) return exact;
  if (/^08[0-9A-Z]{3}$/.test(code)) return "unavailable"; // connection_exception
  return BY_PREFIX.find(([prefix]) => code.startsWith(prefix))?.[1];
}

/**
 * The codes an error carries, through the wrappers it arrives in: Prisma's known request error
 * (`code`, `meta.driverAdapterError.cause.originalCode`, `.kind`), a driver's own error (`code`),
 * a transaction's `cause`. Bounded: an error graph is walked at most a few levels deep.
 */
function codesOf(err: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (e: unknown, depth: number) => {
    if (!e || typeof e !== "object" || depth > 5 || seen.has(e)) return;
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const key of ["code", "originalCode", "kind", "errorCode"]) if (typeof o[key] === "string") out.push(o[key]);
    walk(o.cause, depth + 1);
    walk(o.meta, depth + 1);
    walk(o.driverAdapterError, depth + 1);
  };
  walk(err, 0);
  return out;
}

/** The storage fault an error is, or undefined for any other error. The most severe kind wins. */
export function storageFault(err: unknown): StorageFault | undefined {
  let found: { kind: StorageFaultKind; code: string } | undefined;
  for (const code of codesOf(err)) {
    const kind = kindOfCode(code);
    if (kind && (!found || SEVERITY.indexOf(kind) < SEVERITY.indexOf(found.kind))) found = { kind, code };
  }
  return found && { ...FAULTS[found.kind], code: found.code };
}

/** The database's own words for the log: a driver's message rather than its wrapper's. */
function messageOf(err: unknown): string {
  const original = (err as { cause?: { originalMessage?: unknown } } | undefined)?.cause?.originalMessage;
  if (typeof original === "string") return original;
  return err instanceof Error ? (err.message.split("\n").filter(Boolean).pop() ?? err.name) : String(err);
}

export interface CurrentFault {
  problem: StorageFault["problem"];
  retryAfterS: number;
  detail: string;
  since: string;
  lastAt: string;
  count: number;
}

/**
 * What the hub's database has suffered lately, for /health. A fault counts while it keeps
 * recurring: it is reported until `holdMs` have passed without it, so the health check recovers by
 * itself once writes succeed again (a successful small write proves little: an in-place update
 * can succeed on a full disk while every publication fails).
 */
export class StorageHealth {
  private readonly faults = new Map<StorageFaultKind, { since: number; lastAt: number; count: number; code: string }>();

  constructor(
    private readonly log: (line: string) => void = console.error,
    private readonly holdMs = 5000,
  ) {}

  /** Notes `err` if it is a storage fault (logged when a spell of it begins); returns the fault. */
  observe(err: unknown, now = Date.now()): StorageFault | undefined {
    const fault = storageFault(err);
    if (!fault) return undefined;
    this.expire(now);
    const seen = this.faults.get(fault.kind);
    if (seen) Object.assign(seen, { lastAt: now, count: seen.count + 1 });
    else {
      this.faults.set(fault.kind, { since: now, lastAt: now, count: 1, code: fault.code });
      this.log(`[storage] ${fault.problem} (${fault.code}): ${messageOf(err)}`);
    }
    return fault;
  }

  /** The faults seen within the hold time, most severe first; empty when storage is healthy. */
  current(now = Date.now()): CurrentFault[] {
    this.expire(now);
    return SEVERITY.flatMap((kind) => {
      const seen = this.faults.get(kind);
      if (!seen) return [];
      const { problem, retryAfterS, detail } = FAULTS[kind];
      return [{ problem, retryAfterS, detail, since: new Date(seen.since).toISOString(), lastAt: new Date(seen.lastAt).toISOString(), count: seen.count }];
    });
  }

  private expire(now: number): void {
    for (const [kind, seen] of this.faults)
      if (now - seen.lastAt >= this.holdMs) {
        this.faults.delete(kind);
        this.log(`[storage] ${FAULTS[kind].problem} cleared: none for ${Math.round(this.holdMs / 1000)} s (${seen.count} in all)`);
      }
  }
}
