import { prepareRecord } from "../../sdk/digest";
import type { SignedRecord } from "../../sdk/envelope";
import { signRecord } from "../../sdk/signature";
import type { RecordBody, RecordType } from "../../sdk/records";
import type { Db, DbProvider } from "../db/client";
import type { RecordObserver } from "./observers";
import { publishRecords } from "./service";
import type { RecordChecks } from "./check-pool";

export interface HubRecordDraft<T extends RecordType = RecordType> {
  type: T;
  id: string;
  version: number;
  body: RecordBody<T>;
}

/**
 * Records the hub itself publishes (match results, for instance), signed with the operator
 * organisation's key and stored exactly like any member's: checked, versioned, anchored, verifiable.
 */
export class HubPublisher {
  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
    readonly orgId: string,
    private readonly privateKey: string,
    private readonly observers: readonly RecordObserver[] = [],
    /** Worker threads for signing large publications (inline without). */
    private readonly signing?: RecordChecks,
  ) {}

  sign(draft: HubRecordDraft): SignedRecord {
    return signRecord(this.privateKey, prepareRecord({ type: draft.type, id: draft.id, version: draft.version, owner: this.orgId }, draft.body));
  }

  /** Signs and stores the drafts in one all-or-nothing transaction. */
  async publish(drafts: readonly HubRecordDraft[]): Promise<SignedRecord[]> {
    const records = this.signing
      ? await this.signing.sign(drafts.map((d) => ({ key: this.privateKey, header: { type: d.type, id: d.id, version: d.version, owner: this.orgId }, body: d.body })))
      : drafts.map((d) => this.sign(d));
    if (records.length > 0) await publishRecords(this.db, this.provider, this.orgId, records, false, this.observers, { selfSigned: true });
    return records;
  }
}
