import type { SignedRecord } from "../../sdk/envelope";
import { custodyStatus } from "../../sdk/custody";
import { CustodyHandoverBody, CustodyReceiptBody } from "../../sdk/records/custody";
import type { AccessLogWriter } from "../access-log/writer";
import { insertRows } from "../db/bulk-insert";
import { asNumber, execute, query } from "../db/sql";
import { HttpProblem, badRequest, conflict } from "../http/problem";
import { accessOf } from "../records/access";
import { requireAdmitted } from "../orgs/service";
import { grantByPolicy, type PolicyGrant } from "../records/grants";
import type { PublishContext, RecordObserver } from "../records/observers";
import { storedRecord, type StoredVersionRow } from "../records/service";

/** The named policy under which the two parties of a handover read each other's side of it. */
export const POLICY_CUSTODY = "custody";

export const HANDOVER = "CustodyHandover";
export const RECEIPT = "CustodyReceipt";

/** The refusal of a receipt whose handover is unknown, unreadable or not the publisher's to answer: one answer for all three. */
const noSuchHandover = (path: string) =>
  new HttpProblem(404, "not-found", "Not found", "No handover awaits this organisation's answer under that id.", [
    { path, message: "no such handover, or not one naming you as receiver" },
  ]);

interface HandoverRow {
  recordId: string;
  version: unknown;
  digest: string;
  hander: string;
  receiver: string;
  receiptId: string | null;
}

/** A record of the publication and its position in it (for problem paths). */
interface Positioned {
  record: SignedRecord;
  index: number;
}

/** The index row of a handover, as of this transaction. */
async function indexedHandover({ tx, provider }: PublishContext, id: string): Promise<HandoverRow | undefined> {
  const [row] = await query<HandoverRow>(
    tx,
    provider,
    `SELECT "recordId", "version", "digest", "hander", "receiver", "receiptId" FROM "CustodyHandover" WHERE "recordId" = $1`,
    [id],
  );
  return row;
}

/**
 * Custody handovers and their receipts (docs/custody.md), inside the publishing transaction. A
 * handover must name another admitted organisation as receiver; it is indexed (CustodyHandover,
 * CustodyItem) and granted to the receiver by the policy "custody". A receipt must answer the latest
 * version of a handover the publisher reads and is named receiver of, by its exact digest, and be
 * its first answer; it is judged by custodyStatus, indexed, and granted to the handover's owner. An
 * answered handover and a receipt are final: later versions of them are refused. Any refusal refuses
 * the whole publication.
 */
export class CustodyIndexer implements RecordObserver {
  constructor(private readonly accessLog: AccessLogWriter) {}

  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    let handovers: Map<string, Positioned> | undefined;
    let receipts: Positioned[] | undefined;
    records.forEach((record, index) => {
      // Versions of one id in one batch are consecutive: the last one is the latest.
      if (record.type === HANDOVER) (handovers ??= new Map()).set(record.id, { record, index });
      else if (record.type === RECEIPT) (receipts ??= []).push({ record, index });
    });
    if (!handovers && !receipts) return;
    const grants: PolicyGrant[] = [];
    if (handovers) await this.indexHandovers([...handovers.values()], ctx, grants);
    if (receipts) await this.indexReceipts(receipts, ctx, grants);
    await grantByPolicy(ctx.tx, ctx.provider, this.accessLog, grants);
  }

  private async indexHandovers(handovers: readonly Positioned[], ctx: PublishContext, grants: PolicyGrant[]): Promise<void> {
    const { tx, provider, paths } = ctx;
    for (const { record: h, index } of handovers) {
      const body = CustodyHandoverBody.parse(h.body);
      if (body.receiver === h.owner)
        throw badRequest("invalid-handover", "A handover names another organisation as receiver, not its own publisher.", [
          { path: paths.path(index, "body.receiver"), message: "is the publisher" },
        ]);
      await requireAdmitted(tx, body.receiver, paths.path(index, "body.receiver"));
      const before = await indexedHandover(ctx, h.id);
      if (before) {
        if (before.receiptId !== null)
          throw conflict("handover-answered", `Handover ${h.id} has been answered by its receiver: it is final, publish a new handover instead.`);
        // The receiver reads every version by its grant: another receiver would read what was not handed to it.
        if (before.receiver !== body.receiver)
          throw conflict(
            "handover-receiver-changed",
            `A new version of handover ${h.id} names the same receiver (${before.receiver}); publish a new handover for another.`,
          );
        await execute(tx, provider, `DELETE FROM "CustodyItem" WHERE "handoverId" = $1`, [h.id]);
        await execute(tx, provider, `DELETE FROM "CustodyHandover" WHERE "recordId" = $1`, [h.id]);
      }
      await insertRows(
        tx,
        provider,
        "CustodyHandover",
        ["recordId", "version", "digest", "hander", "receiver", "handedOverAt", "status", "discrepancies"],
        [[h.id, h.version, h.digest, h.owner, body.receiver, new Date(body.handedOverAt).toISOString(), "one-sided", "[]"]],
      );
      await insertRows(
        tx,
        provider,
        "CustodyItem",
        ["itemId", "handoverId"],
        body.items.map((i) => [i.id, h.id]),
      );
      grants.push({ recordId: h.id, owner: h.owner, grantee: body.receiver, policy: POLICY_CUSTODY });
    }
  }

  private async indexReceipts(receipts: readonly Positioned[], ctx: PublishContext, grants: PolicyGrant[]): Promise<void> {
    const { tx, provider, publisher, paths } = ctx;
    for (const { record: r, index } of receipts) {
      if (r.version > 1) throw conflict("receipt-final", `Custody receipt ${r.id} is final: its handover was answered by version 1.`);
      const body = CustodyReceiptBody.parse(r.body);
      const bound = body.handover;
      // The same statements whether the handover exists, is hidden or is someone else's to answer.
      const row = await indexedHandover(ctx, bound.id);
      const readable = await accessOf(tx, publisher.orgId, [bound.id]);
      if (!row || !readable.has(bound.id) || row.receiver !== publisher.orgId) throw noSuchHandover(paths.path(index, "body.handover.id"));
      const latest = asNumber(row.version);
      if (bound.version !== latest)
        throw conflict(
          "handover-version-stale",
          `Handover ${bound.id} is at version ${latest}: a receipt answers its latest version (${bound.version} given).`,
        );
      if (bound.digest !== row.digest)
        throw badRequest("handover-digest-mismatch", `The digest given is not that of handover ${bound.id} version ${latest}.`, [
          { path: paths.path(index, "body.handover.digest"), message: "not the handover's digest" },
        ]);
      const [version] = await query<StoredVersionRow>(
        tx,
        provider,
        `SELECT "type", "recordId", "version", "owner", "body", "salts", "digest", "signature", "publishedAt" FROM "RecordVersion" WHERE "recordId" = $1 AND "version" = $2`,
        [bound.id, latest],
      );
      if (!version) throw noSuchHandover(paths.path(index, "body.handover.id"));
      const judged = custodyStatus(storedRecord({ ...version, version: asNumber(version.version) }), r);
      if (judged.problems.length > 0) throw badRequest("invalid-receipt", judged.problems.join("; "));
      // One answer per handover: the condition makes a concurrent second receipt find nothing to update.
      const updated = await execute(
        tx,
        provider,
        `UPDATE "CustodyHandover" SET "receiptId" = $1, "receiptVersion" = $2, "receiptDigest" = $3, "decision" = $4, "receivedAt" = $5, "status" = $6, "discrepancies" = $7
          WHERE "recordId" = $8 AND "receiptId" IS NULL`,
        [r.id, r.version, r.digest, body.decision, new Date(body.receivedAt).toISOString(), judged.status, JSON.stringify(judged.discrepancies), bound.id],
      );
      if (updated !== 1) throw conflict("handover-already-answered", `Handover ${bound.id} has been answered already: one receipt per handover.`);
      grants.push({ recordId: r.id, owner: r.owner, grantee: row.hander, policy: POLICY_CUSTODY });
    }
  }
}
