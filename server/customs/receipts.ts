import { createHash } from "node:crypto";
import { RECEIPT_OF, RETURN_STATUS, c17Of, writeCebReceipt, type CebReceipt } from "../../sdk/ceb";
import { CebSource, type DocumentKind } from "../../sdk/records/customs-common";
import type { Db, DbProvider } from "../db/client";
import { asDate, query } from "../db/sql";

/**
 * The e-port receipt of a customs document the hub holds from an e-port message (its body's `ceb`
 * source): CEB312 for an order, CEB412 a payment, CEB512 a waybill, CEB622 an inventory list, in
 * the message's own codes, its status from the case's MatchResult and customs' decision
 * (docs/customs.md, "E-port messages"). Only the document's publisher gets it.
 */

interface ReceiptRow {
  kind: DocumentKind;
  owner: string;
  version: unknown;
  admitted: unknown;
  status: string;
  missing: string | null;
  discrepancyCount: unknown;
  matchedAt: unknown;
  decision: string | null;
  decidedAt: unknown;
  body: string;
  publishedAt: unknown;
  reasons: string | null;
}

export type ReceiptAnswer = { found: false } | { found: true; owner: string; version: number; xml?: string };

/** The status of a document's receipt: customs' decision once there is one (a list carries its outcome), else how far the match got. */
function returnStatusOf(row: ReceiptRow): { status: string; info: string } {
  const isList = row.kind === "DECLARATION";
  const reasons = row.reasons ? `: ${row.reasons}` : "";
  if (!Number(row.admitted)) return { status: RETURN_STATUS.RETURNED, info: "the order does not name this document's publisher as a party of its case" };
  switch (row.decision) {
    case "REJECT":
      return { status: RETURN_STATUS.RETURNED, info: `rejected by customs${reasons}` };
    case "RELEASE":
      return { status: isList ? RETURN_STATUS.RELEASED : RETURN_STATUS.ENTERED, info: `released by customs${reasons}` };
    case "INSPECT":
      return { status: isList ? RETURN_STATUS.INSPECTION : RETURN_STATUS.ENTERED, info: `selected for inspection${reasons}` };
    case "HOLD":
      return { status: isList ? RETURN_STATUS.HELD : RETURN_STATUS.ENTERED, info: `held by customs${reasons}` };
  }
  if (asDate(row.matchedAt)) {
    const n = Number(row.discrepancyCount);
    const missing = row.missing ? `; missing ${row.missing}` : "";
    return { status: RETURN_STATUS.ENTERED, info: `matched: ${row.status}${n > 0 ? ` (${n} discrepancies)` : ""}${missing}` };
  }
  return { status: RETURN_STATUS.DECLARING, info: `declared; the case awaits its match${row.missing ? ` (missing ${row.missing})` : ""}` };
}

/** The pre-entry number the e-port gives a list: "B", the declaration's day and 9 digits (here from the record id's hash). */
function preNumber(recordId: string, at: Date): string {
  const digits = BigInt(`0x${createHash("sha256").update(recordId, "utf8").digest("hex").slice(0, 15)}`) % 1_000_000_000n;
  return `B${c17Of(at).slice(0, 8)}${digits.toString().padStart(9, "0")}`;
}

function receiptOf(recordId: string, row: ReceiptRow, body: Record<string, unknown>, source: CebSource): CebReceipt {
  const { status, info } = returnStatusOf(row);
  const at = asDate(row.decidedAt) ?? asDate(row.matchedAt) ?? asDate(row.publishedAt) ?? new Date(0);
  const text = (v: unknown) => String(v);
  const tail = { returnStatus: status, returnTime: c17Of(at), returnInfo: info.slice(0, 1000) };
  const codes = source.codes;
  const type = RECEIPT_OF[source.message];
  const fields: Record<string, string | undefined> =
    source.message === "CEB311"
      ? { guid: source.guid, ebpCode: codes.ebpCode, ebcCode: codes.ebcCode, orderNo: text(body.orderNumber) }
      : source.message === "CEB411"
        ? { guid: source.guid, payCode: codes.payCode, payTransactionId: text(body.transactionNumber) }
        : source.message === "CEB511"
          ? { guid: source.guid, logisticsCode: codes.logisticsCode, logisticsNo: text(body.waybillNumber) }
          : {
              guid: source.guid,
              customsCode: codes.customsCode,
              ebpCode: codes.ebpCode,
              ebcCode: codes.ebcCode,
              agentCode: codes.agentCode,
              copNo: codes.copNo ?? codes.invtNo,
              preNo: preNumber(recordId, new Date(String(body.declaredAt))),
              invtNo: codes.invtNo,
            };
  const defined = Object.fromEntries(Object.entries({ ...fields, ...tail }).filter((e): e is [string, string] => e[1] !== undefined));
  return { type, guid: source.guid, returns: [defined] };
}

/**
 * The receipt of the customs document `recordId`: not found when it is no customs document; the
 * caller compares the owner (the same query either way). `xml` is absent when the document came
 * from no e-port message.
 */
export async function documentReceipt(db: Db, provider: DbProvider, recordId: string): Promise<ReceiptAnswer> {
  const [row] = await query<ReceiptRow>(
    db,
    provider,
    `SELECT d."kind", d."owner", d."version", d."admitted", c."status", c."missing", c."discrepancyCount", c."matchedAt", c."decision", c."decidedAt",
            v."body", v."publishedAt", dv."body" AS "reasons"
       FROM "CustomsDocument" d
       JOIN "CustomsCase" c ON c."id" = d."caseId"
       JOIN "RecordVersion" v ON v."recordId" = d."recordId" AND v."version" = d."version"
       LEFT JOIN "RecordVersion" dv ON dv."recordId" = c."decisionRecordId" AND dv."version" = c."decisionVersion"
      WHERE d."recordId" = $1`,
    [recordId],
  );
  if (!row) return { found: false };
  const version = Number(row.version);
  const body = JSON.parse(row.body) as Record<string, unknown>;
  const source = CebSource.safeParse(body.ceb);
  if (!source.success) return { found: true, owner: row.owner, version };
  const decision = row.reasons ? (JSON.parse(row.reasons) as { reasons?: { code: string; text: string }[] }) : undefined;
  const reasons = decision?.reasons?.map((r) => `${r.code} ${r.text}`).join("; ") ?? null;
  return { found: true, owner: row.owner, version, xml: writeCebReceipt(receiptOf(recordId, { ...row, reasons }, body, source.data)) };
}
