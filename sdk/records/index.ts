import type { z } from "zod";
import { CertificationBody } from "./certification";
import type { DocumentKind } from "./customs-common";
import { ConsignmentSplitBody, ConsolidationBody } from "./consolidation";
import { CustodyHandoverBody, CustodyReceiptBody } from "./custody";
import { CustomsDeclarationBody } from "./customs-declaration";
import { CustomsDecisionBody } from "./customs-decision";
import { EpcisEventBody } from "./epcis-event";
import { EpcisMasterDataBody, MASTER_DATA_ATTRIBUTES } from "./epcis-master-data";
import { LogisticsEventBody } from "./logistics-event";
import { LogisticsObjectBody } from "./logistics-object";
import { ChangeRequestBody } from "./change-request";
import { MatchResultBody } from "./match-result";
import { OrderBody } from "./order";
import { PaymentBody } from "./payment";
import { ProductBatchBody } from "./product-batch";
import { RemoteObjectCopyBody } from "./remote-object-copy";
import { ShipmentBody } from "./shipment";
import { SummaryDeclarationBody } from "./summary-declaration";
import { WaybillBody } from "./waybill";

/** Every record type the hub accepts, by name: the zod schema of its body. */
export const RECORD_TYPES = {
  Shipment: ShipmentBody,
  Waybill: WaybillBody,
  LogisticsEvent: LogisticsEventBody,
  Certification: CertificationBody,
  Order: OrderBody,
  Payment: PaymentBody,
  CustomsDeclaration: CustomsDeclarationBody,
  MatchResult: MatchResultBody,
  CustomsDecision: CustomsDecisionBody,
  SummaryDeclaration: SummaryDeclarationBody,
  ProductBatch: ProductBatchBody,
  EpcisEvent: EpcisEventBody,
  EpcisMasterData: EpcisMasterDataBody,
  LogisticsObject: LogisticsObjectBody,
  ChangeRequest: ChangeRequestBody,
  RemoteObjectCopy: RemoteObjectCopyBody,
  CustodyHandover: CustodyHandoverBody,
  CustodyReceipt: CustodyReceiptBody,
  Consolidation: ConsolidationBody,
  ConsignmentSplit: ConsignmentSplitBody,
} as const satisfies Record<string, z.ZodType>;

export type RecordType = keyof typeof RECORD_TYPES;
export type RecordBody<T extends RecordType> = z.infer<(typeof RECORD_TYPES)[T]>;

export function isRecordType(type: string): type is RecordType {
  return Object.hasOwn(RECORD_TYPES, type);
}

/**
 * Top-level body fields holding personal data (buyer and payer identities). The hub redacts them
 * for readers that are neither the record's owner nor customs; the redacted form still verifies.
 */
export const PERSONAL_FIELDS: Partial<Record<RecordType, readonly string[]>> = {
  Order: ["buyer"],
  Payment: ["payer"],
  CustomsDeclaration: ["buyer"],
};

/**
 * Top-level body fields a consumer's provenance page may show, per record type; every other field
 * is redacted (its hash stays, so the digest still verifies). A type not listed shows nothing.
 */
export const PUBLIC_FIELDS: Partial<Record<RecordType, readonly string[]>> = {
  ProductBatch: ["gtin", "lot", "productName", "brand", "productionDate", "expiryDate", "productionPlace", "manufacturer", "partners"],
  Certification: ["kind", "certificateNumber", "issuedTo", "subjects", "scope", "originCountry", "validFrom", "validUntil", "result"],
  CustomsDecision: ["decision", "decidedAt"],
  Waybill: ["waybillType", "carrierCode", "origin", "destination"],
  LogisticsEvent: ["eventCode", "eventName", "eventDate", "eventLocation"],
  EpcisEvent: [
    "eventId",
    "eventType",
    "eventTime",
    "eventTimeZoneOffset",
    "action",
    "bizStep",
    "disposition",
    "readPoint",
    "bizLocation",
    "epcs",
    "links",
    "capturedBy",
    "errorDeclaration",
  ],
  EpcisMasterData: ["vocabularyType", "id", ...MASTER_DATA_ATTRIBUTES, "capturedBy"],
};

/** The customs-match document kind of each record type that takes part (a Waybill only when PARCEL: see customsDocumentKind). */
export const CUSTOMS_DOCUMENT_KINDS = {
  Order: "ORDER",
  Payment: "PAYMENT",
  Waybill: "WAYBILL",
  CustomsDeclaration: "DECLARATION",
} as const satisfies Partial<Record<RecordType, DocumentKind>>;

export type CustomsCaseKey = { platform: string; orderNumber: string };

function field(body: unknown, name: string): unknown {
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** The document kind of a record in the customs match, or undefined if it takes no part (e.g. a MASTER waybill). */
export function customsDocumentKind(type: string, body: unknown): DocumentKind | undefined {
  if (type === "Waybill") return field(body, "waybillType") === "PARCEL" ? "WAYBILL" : undefined;
  return Object.hasOwn(CUSTOMS_DOCUMENT_KINDS, type) ? CUSTOMS_DOCUMENT_KINDS[type as keyof typeof CUSTOMS_DOCUMENT_KINDS] : undefined;
}

/**
 * The customs case (platform, order number) a record belongs to, or undefined if it is no customs
 * document. An Order's platform is its owner; the other documents name the platform in their body.
 * `body` is expected to have passed its type's schema.
 */
export function customsCaseKey(type: string, body: unknown, owner: string): CustomsCaseKey | undefined {
  if (customsDocumentKind(type, body) === undefined) return undefined;
  const platform = type === "Order" ? owner : field(body, "platform");
  const orderNumber = field(body, "orderNumber");
  return typeof platform === "string" && typeof orderNumber === "string" ? { platform, orderNumber } : undefined;
}

export {
  CertificationBody,
  ConsignmentSplitBody,
  ConsolidationBody,
  CustodyHandoverBody,
  CustodyReceiptBody,
  CustomsDeclarationBody,
  CustomsDecisionBody,
  EpcisEventBody,
  EpcisMasterDataBody,
  LogisticsEventBody,
  LogisticsObjectBody,
  ChangeRequestBody,
  MatchResultBody,
  OrderBody,
  PaymentBody,
  ProductBatchBody,
  ShipmentBody,
  SummaryDeclarationBody,
  WaybillBody,
};
