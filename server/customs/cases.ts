import { keccak, toHex, utf8 } from "../../sdk/bytes";
import { RecordIdSchema } from "../../sdk/envelope";
import type { CustomsCaseView } from "../../sdk/api";
import type { Direction, DocumentKind, SupervisionMode } from "../../sdk/records/customs-common";
import type { MatchStatus } from "../../sdk/records/match-result";
import { modeRule } from "./rules";
import { asDate } from "../db/sql";

/** A customs case is one order of one platform. */
export const caseId = (platform: string, orderNumber: string): string => `${platform}:${orderNumber}`;

/** Record ids starting with this are the hub's match results: no member may publish one. */
export const MATCH_RESULT_PREFIX = "match:";
const HASHED_PREFIX = "match-h:";

/**
 * The id of a case's MatchResult record, the same for every version. Order numbers are free text
 * (1-64 characters); one that is not valid in a record id is replaced by a hash of it, under another
 * prefix so the two forms can never collide.
 */
export function matchResultId(platform: string, orderNumber: string): string {
  const plain = `${MATCH_RESULT_PREFIX}${platform}:${orderNumber}`;
  if (RecordIdSchema.safeParse(plain).success) return plain;
  return `${HASHED_PREFIX}${platform}:${toHex(keccak(utf8(orderNumber))).slice(2, 42)}`;
}

export const isReservedRecordId = (id: string): boolean => id.startsWith(MATCH_RESULT_PREFIX) || id.startsWith(HASHED_PREFIX);

/** Bits of document kinds (CustomsCase.kinds and .required): which a case has, which its mode needs. */
export const KIND_BITS: Record<DocumentKind, number> = { ORDER: 1, PAYMENT: 2, WAYBILL: 4, DECLARATION: 8 };

export const kindMask = (kinds: Iterable<DocumentKind>): number => [...kinds].reduce((m, k) => m | KIND_BITS[k], 0);

/** The kinds a mode and direction require, as bits (rules.ts decides). */
export const requiredMask = (mode: SupervisionMode, direction: Direction): number => kindMask(modeRule(mode, direction).requirements.required);

/** Named policies of the grants the customs module makes (Grant.policy). */
export const POLICY_DECLARED = "customs-declared";
export const POLICY_PARTIES = "customs-parties";
/** Customs' decision to the owners of the master and house waybills carrying the case's parcel (carriers.ts). */
export const POLICY_CARRIERS = "customs-carriers";

/** Notification kinds. */
export const NOTIFY_MATCH_RESULT = "MATCH_RESULT";
export const NOTIFY_DECISION = "CUSTOMS_DECISION";
export const NOTIFY_SUMMARY = "SUMMARY_DECLARATION";

/** A CustomsCase row as raw queries return it. */
export interface CaseRow {
  id: string;
  platform: string;
  orderNumber: string;
  customsOffice: string | null;
  supervisionMode: string | null;
  direction: string | null;
  port: string | null;
  declaredAt: unknown;
  status: string;
  missing: string | null;
  discrepancyCount: unknown;
  revision: unknown;
  firstDocumentAt: unknown;
  lastDocumentAt: unknown;
  dueAt: unknown;
  matchResultId: string | null;
  matchResultVersion: unknown;
  matchedAt: unknown;
  decision: string | null;
  decisionRecordId: string | null;
  decisionVersion: unknown;
  decidedAt: unknown;
}

export const CASE_COLUMNS = [
  "id",
  "platform",
  "orderNumber",
  "customsOffice",
  "supervisionMode",
  "direction",
  "port",
  "declaredAt",
  "status",
  "missing",
  "discrepancyCount",
  "revision",
  "firstDocumentAt",
  "lastDocumentAt",
  "dueAt",
  "matchResultId",
  "matchResultVersion",
  "matchedAt",
  "decision",
  "decisionRecordId",
  "decisionVersion",
  "decidedAt",
]
  .map((c) => `"${c}"`)
  .join(", ");

const iso = (v: unknown): string | undefined => asDate(v)?.toISOString();

/** The API's view of a case (sdk/api CustomsCaseViewSchema); optional fields left out when unknown. */
export function caseView(row: CaseRow): CustomsCaseView {
  const view: CustomsCaseView = {
    id: row.id,
    platform: row.platform,
    orderNumber: row.orderNumber,
    status: row.status as MatchStatus | "PENDING",
    missing: row.missing ? (row.missing.split(",") as DocumentKind[]) : [],
    discrepancyCount: Number(row.discrepancyCount),
    firstDocumentAt: iso(row.firstDocumentAt)!,
    lastDocumentAt: iso(row.lastDocumentAt)!,
    dueAt: iso(row.dueAt)!,
  };
  if (row.customsOffice) view.customsOffice = row.customsOffice;
  if (row.supervisionMode) view.supervisionMode = row.supervisionMode as CustomsCaseView["supervisionMode"];
  if (row.direction) view.direction = row.direction as CustomsCaseView["direction"];
  if (row.port) view.port = row.port;
  if (row.declaredAt) view.declaredAt = iso(row.declaredAt);
  if (row.matchResultId && row.matchResultVersion !== null)
    view.matchResult = { recordId: row.matchResultId, version: Number(row.matchResultVersion), matchedAt: iso(row.matchedAt)! };
  if (row.decision && row.decisionRecordId)
    view.decision = {
      decision: row.decision as NonNullable<CustomsCaseView["decision"]>["decision"],
      recordId: row.decisionRecordId,
      version: Number(row.decisionVersion),
      decidedAt: iso(row.decidedAt)!,
    };
  return view;
}
