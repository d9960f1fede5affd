import type { SignedRecord } from "../../sdk/envelope";
import type { Role } from "../../sdk/roles";
import type { DbProvider, TxClient } from "../db/client";

/** Where and by whom record versions are being stored. */
export interface PublishContext {
  tx: TxClient;
  provider: DbProvider;
  publisher: { orgId: string; roles: Role[] };
  now: Date;
}

/**
 * A module that reacts to stored record versions (the customs matcher indexes its documents this
 * way). `onStored` runs inside the publishing transaction, so what it writes commits with the
 * records, and an HttpProblem it throws refuses the whole publication. `beforeStore` runs first,
 * outside the transaction, for checks that must not hold a write lock. `afterCommit` runs once the
 * records are stored (e.g. to wake a worker).
 */
export interface RecordObserver {
  /** Runs before the publishing transaction (e.g. chain reads): an HttpProblem it throws refuses the publication. */
  beforeStore?(records: readonly SignedRecord[]): Promise<void>;
  onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void>;
  afterCommit?(records: readonly SignedRecord[]): void;
}
