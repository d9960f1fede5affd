import type { RecordBody } from "../sdk/records";

export const shipment = (over: Partial<RecordBody<"Shipment">> = {}): RecordBody<"Shipment"> => ({
  goodsDescription: "Consumer electronics: wireless earphones",
  totalGrossWeight: { value: 412.5, unit: "KGM" },
  pieceCount: 12,
  shipper: { name: "Shenzhen Audio Ltd", country: "CN", address: "Nanshan, Shenzhen" },
  consignee: { name: "Euro Gadgets GmbH", country: "DE" },
  origin: "SZX",
  destination: "FRA",
  incoterms: "FCA",
  ...over,
});

export const masterWaybill = (over: Partial<RecordBody<"Waybill">> = {}): RecordBody<"Waybill"> => ({
  waybillType: "MASTER",
  waybillNumber: "020-12345675",
  carrierCode: "LH",
  origin: "SZX",
  destination: "FRA",
  shipper: { name: "Fast Forwarding Co", country: "CN" },
  consignee: { name: "Fast Forwarding GmbH", country: "DE" },
  pieceCount: 12,
  grossWeight: { value: 412.5, unit: "KGM" },
  goodsDescription: "Consolidation",
  ...over,
});

export const departedEvent = (eventFor: string): RecordBody<"LogisticsEvent"> => ({
  eventCode: "DEP",
  eventName: "Departed",
  eventDate: "2026-11-20T08:15:00Z",
  eventLocation: "SZX",
  eventFor,
});

export const halalCertificate = (): RecordBody<"Certification"> => ({
  kind: "HALAL",
  certificateNumber: "HC-2026-0042",
  issuedTo: "Shenzhen Audio Ltd",
  subjects: ["gtin:06901234567892"],
  scope: "Production line 3",
  originCountry: "CN",
  validFrom: "2026-01-01",
  validUntil: "2027-01-01",
  result: "PASS",
});
