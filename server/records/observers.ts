import type { SignedRecord } from "../../sdk/envelope";
import type { Role } from "../../sdk/roles";
import type { DbProvider, TxClient } from "../db/client";

/**
 * How a problem names a record of the publication: by its own fields for one record (POST
 * /v1/records), under `records.N.` in a batch (POST /v1/records/batch), whatever the batch's size.
 */
export interface RecordPaths {
  /** The problem path of a field of the index-th record, e.g. "body.receiver" or "records.3.body.receiver". */
  path(index: number, field: string): string;
  /** The record in a problem's detail: "the record" or "records[3]". */
  where(index: number): string;
}

export function recordPaths(single: boolean): RecordPaths {
  return single ? { path: (_i, field) => field, where: () => "the record" } : { path: (i, field) => `records.${i}.${field}`, where: (i) => `records[${i}]` };
}

/** Where and by whom record versions are being stored. */
export interface PublishContext {
  tx: TxClient;
  provider: DbProvider;
  publisher: { orgId: string; roles: Role[] };
  now: Date;
  paths: RecordPaths;
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
  beforeStore?(records: readonly SignedRecord[], paths: RecordPaths): Promise<void>;
  onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void>;
  afterCommit?(records: readonly SignedRecord[]): void;
}
