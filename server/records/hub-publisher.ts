import { prepareRecord } from "../../sdk/digest";
import type { SignedRecord } from "../../sdk/envelope";
import { HUB_ATTESTED_TYPES } from "../../sdk/provenance/attesters";
import { signRecord } from "../../sdk/signature";
import type { RecordBody, RecordType } from "../../sdk/records";
import type { Db, DbProvider } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import { HttpProblem } from "../http/problem";
import { OPERATOR_ORG_ID } from "../orgs/service";
import type { PublishContext, RecordObserver } from "./observers";
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

  /** Signs and stores the drafts in one all-or-nothing transaction (`extra`: observers of this publication only). */
  async publish(drafts: readonly HubRecordDraft[], extra: readonly RecordObserver[] = []): Promise<SignedRecord[]> {
    const records = this.signing
      ? await this.signing.sign(
          drafts.map((d) => ({ key: this.privateKey, header: { type: d.type, id: d.id, version: d.version, owner: this.orgId }, body: d.body })),
        )
      : drafts.map((d) => this.sign(d));
    if (records.length > 0) await publishRecords(this.db, this.provider, this.orgId, records, false, [...this.observers, ...extra], { selfSigned: true });
    return records;
  }

  /**
   * Hub attestation, the one way the hub writes for a member that sent its data unsigned (EPCIS
   * capture, plain ONE Record clients): each record is the operator's, signed with its key, and its
   * body says for whom (`capturedBy` = `orgId`), which verifiers see as signed data
   * (sdk/provenance/attesters.ts speakerOf). Whoever verifies it sees the hub as its signer and the
   * organisation it speaks for; the hub treats that organisation as the record's data holder.
   */
  attestFor(orgId: string, drafts: readonly HubRecordDraft[], extra: readonly RecordObserver[] = []): Promise<SignedRecord[]> {
    for (const d of drafts) if (!HUB_ATTESTED_TYPES.includes(d.type)) throw new Error(`the hub attests no ${d.type} for a member`);
    return this.publish(
      drafts.map((d) => ({ ...d, body: { ...d.body, capturedBy: orgId } as RecordBody<RecordType> })),
      extra,
    );
  }
}

/** The 403 of a record that claims a hub attestation without being the hub's. */
export const hubAttestedOnly = (what: string) =>
  new HttpProblem(
    403,
    "hub-attested-only",
    "Forbidden",
    `${what}: capturedBy is set by the hub on records it attests for an organisation that wrote without signing.`,
  );

/**
 * The record observer of hub attestations (before the others: they ask the access rule about these
 * records). Only the hub may publish a record with `capturedBy`; a member's is refused (403), so
 * nobody can make another organisation the holder of its data. For each first version the hub
 * attested (ONE Record objects, events, change requests), the organisation it speaks for is stored
 * as its data holder (table HubAttestation), which the access rule reads (server/records/access.ts).
 * EPCIS events are checked by the EPCIS indexer and keep the EPCIS read path.
 */
export class HubAttestations implements RecordObserver {
  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const rows: string[][] = [];
    for (const r of records) {
      if (r.type === "EpcisEvent" || !HUB_ATTESTED_TYPES.includes(r.type)) continue;
      const by = r.body.capturedBy;
      if (by === undefined) continue;
      if (ctx.publisher.orgId !== OPERATOR_ORG_ID || typeof by !== "string") throw hubAttestedOnly(`${r.type} ${r.id}`);
      if (r.version === 1) rows.push([r.id, by]);
    }
    if (rows.length > 0) await insertRows(ctx.tx, ctx.provider, "HubAttestation", ["recordId", "holder"], rows);
  }
}
