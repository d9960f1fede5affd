import { eventHash } from "../epcis/event-hash";
import type { RecordBody, RecordType } from "./index";

/**
 * One example body per record type, each accepted by its type's schema (test/openapi/record-schemas.test.ts
 * checks that, and that the OpenAPI document's JSON Schema accepts it too). The OpenAPI document
 * shows them (server/openapi/records.ts); they name made-up parties of one sample case.
 */

const BUYER = { name: "Zhang San", idType: "ID_CARD", idNumber: "11010519491231002X" } as const;
const LINES: RecordBody<"Order">["lines"] = [
  { lineNo: 1, hsCode: "3304990099", description: "Face cream 50 ml", quantity: 2, unit: "PCE", unitPrice: 199, value: 398, originCountry: "FR" },
  { lineNo: 2, hsCode: "2106909090", description: "Vitamin gummies", quantity: 3, unit: "PCE", unitPrice: 88.5, value: 265.5, originCountry: "AU" },
];
// goods 663.5 + freight 20 + insurance 0 + tax 62.2 - discount 10 = 735.7 CNY; the tax is the retail import tax
// at the default sample rates (server/customs/tax.ts): VAT 13% of (goods + freight) at 70%, no duty.
const MONEY = { currency: "CNY", goodsValue: 663.5, freight: 20, insurance: 0, discount: 10, tax: 62.2, total: 735.7 } as const;
const CASE = { supervisionMode: "1210", direction: "IMPORT", customsOffice: "hz-customs", port: "CNHGH", destinationCountry: "CN" } as const;

const EPCIS_EVENT = {
  type: "ObjectEvent",
  eventTime: "2026-11-20T08:15:00.000Z",
  eventTimeZoneOffset: "+08:00",
  epcList: ["https://id.gs1.org/01/09506000134352/21/SN1001"],
  action: "OBSERVE",
  bizStep: "shipping",
  readPoint: { id: "https://id.gs1.org/414/9506000134352" },
};

export const RECORD_EXAMPLES: { [T in RecordType]: RecordBody<T> } = {
  Shipment: {
    goodsDescription: "Consumer electronics: wireless earphones",
    totalGrossWeight: { value: 412.5, unit: "KGM" },
    pieceCount: 12,
    shipper: { name: "Shenzhen Audio Ltd", country: "CN", address: "Nanshan, Shenzhen" },
    consignee: { name: "Euro Gadgets GmbH", country: "DE" },
    origin: "SZX",
    destination: "FRA",
    incoterms: "FCA",
  },
  Waybill: {
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
  },
  LogisticsEvent: { eventCode: "DEP", eventName: "Departed", eventDate: "2026-11-20T08:15:00Z", eventLocation: "SZX", eventFor: "shipment-0001" },
  Certification: {
    kind: "HALAL",
    certificateNumber: "HC-2026-0042",
    issuedTo: "Shenzhen Audio Ltd",
    subjects: ["gtin:06901234567892"],
    scope: "Production line 3",
    originCountry: "CN",
    validFrom: "2026-01-01",
    validUntil: "2027-01-01",
    result: "PASS",
  },
  Order: {
    orderNumber: "SO-2026-000123",
    ...CASE,
    orderedAt: "2026-11-11T00:05:00+08:00",
    buyer: { ...BUYER },
    consignee: { name: "Zhang San", address: "No. 18 Wensan Road, Xihu District, Hangzhou", country: "CN", phone: "+86 138 0000 0000" },
    lines: LINES,
    ...MONEY,
    paymentProvider: "pay-firm",
    logisticsProvider: "parcel-express",
    declarant: "hz-broker",
  },
  Payment: {
    transactionNumber: "PAY-20261111-778899",
    platform: "shop-global",
    orderNumber: "SO-2026-000123",
    payer: { ...BUYER },
    amount: 735.7,
    currency: "CNY",
    paidAt: "2026-11-11T00:06:10+08:00",
  },
  CustomsDeclaration: {
    declarationNumber: "29212026I000012345",
    ...CASE,
    declaredAt: "2026-11-11T02:00:00+08:00",
    platform: "shop-global",
    orderNumber: "SO-2026-000123",
    paymentTransactionNumber: "PAY-20261111-778899",
    waybillNumber: "PE7788990011CN",
    buyer: { ...BUYER },
    lines: LINES,
    ...MONEY,
    netWeight: { value: 1.2, unit: "KGM" },
  },
  MatchResult: {
    platform: "shop-global",
    orderNumber: "SO-2026-000123",
    customsOffice: "hz-customs",
    supervisionMode: "1210",
    direction: "IMPORT",
    port: "CNHGH",
    status: "INCOMPLETE",
    documents: [
      {
        kind: "ORDER",
        recordId: "order-SO-2026-000123",
        version: 1,
        owner: "shop-global",
        digest: "0x5f16f4c7f149ac4f9510d9cf8cf384038ad348b3bcdc01915f95de12df9d1b02",
      },
    ],
    missing: ["PAYMENT", "WAYBILL", "DECLARATION"],
    discrepancies: [],
    matchedAt: "2026-11-11T00:05:01Z",
  },
  CustomsDecision: {
    platform: "shop-global",
    orderNumber: "SO-2026-000123",
    matchResult: { recordId: "match-shop-global-SO-2026-000123", version: 1 },
    decision: "INSPECT",
    reasons: [{ code: "RISK-07", text: "Random inspection of cosmetics" }],
    decidedAt: "2026-11-11T05:00:00+08:00",
  },
  SummaryDeclaration: {
    summaryNumber: "SUM-2026-11-0001",
    customsOffice: "hz-customs",
    supervisionMode: "9610",
    period: { from: "2026-11-01", to: "2026-11-30" },
    lists: [
      { recordId: "decl-ex-1", version: 1, declarationNumber: "29212026E000000001" },
      { recordId: "decl-ex-2", version: 2, declarationNumber: "29212026E000000002" },
    ],
    lines: [
      { hsCode: "6110200099", destinationCountry: "US", currency: "USD", quantity: 8, value: 240 },
      { hsCode: "9405110000", destinationCountry: "DE", currency: "EUR", quantity: 2, value: 59.9 },
    ],
    totals: [
      { currency: "USD", value: 240 },
      { currency: "EUR", value: 59.9 },
    ],
  },
  ProductBatch: {
    gtin: "09506000134352",
    lot: "LOT-2026-03",
    productName: "Aurora ANC Headphones",
    brand: "Aurora Audio",
    productionDate: "2026-03-02",
    expiryDate: "2031-03-01",
    productionPlace: { name: "Lyon plant", country: "FR", unLocode: "FRLYS" },
    manufacturer: { name: "Aurora Audio SAS", country: "FR" },
    quantity: 500,
    serials: ["SN1001", "SN1002"],
  },
  EpcisEvent: {
    // The id is the event's CBV 2.0 hash: computed, so the example stays consistent with its event.
    eventId: eventHash(EPCIS_EVENT),
    eventType: "ObjectEvent",
    eventTime: EPCIS_EVENT.eventTime,
    eventTimeZoneOffset: EPCIS_EVENT.eventTimeZoneOffset,
    action: "OBSERVE",
    bizStep: "shipping",
    readPoint: EPCIS_EVENT.readPoint.id,
    epcs: [...EPCIS_EVENT.epcList],
    links: [],
    event: EPCIS_EVENT,
  },
  EpcisMasterData: {
    vocabularyType: "urn:epcglobal:epcis:vtype:BusinessLocation",
    id: "https://id.gs1.org/414/9506000134352",
    name: "Lyon plant",
    city: "Lyon",
    countryCode: "FR",
    attributes: [
      { id: "urn:epcglobal:cbv:mda:name", attribute: "Lyon plant" },
      { id: "urn:epcglobal:cbv:mda:city", attribute: "Lyon" },
      { id: "urn:epcglobal:cbv:mda:countryCode", attribute: "FR" },
    ],
  },
  LogisticsObject: { objectType: "Piece", goodsDescription: "Wireless earphones", coload: false },
  ChangeRequest: {
    object: "piece-0001",
    revision: 1,
    operations: [
      {
        op: "ADD",
        s: "https://hub.example/logistics-objects/piece-0001",
        p: "https://onerecord.iata.org/ns/cargo#goodsDescription",
        o: [{ datatype: "http://www.w3.org/2001/XMLSchema#string", value: "Wireless earphones, boxed" }],
      },
    ],
    description: "Correct the goods description",
  },
  RemoteObjectCopy: {
    sourceIri: "https://one-record.airline.example/logistics-objects/piece-77",
    revision: 3,
    receivedAt: "2026-11-20T09:00:00Z",
    object: {
      "@context": { "@vocab": "https://onerecord.iata.org/ns/cargo#" },
      "@id": "https://one-record.airline.example/logistics-objects/piece-77",
      "@type": "Piece",
    },
    capturedBy: "fast-forwarding",
  },
  CustodyHandover: {
    receiver: "hkg-handling",
    items: [{ kind: "ULD", id: "AKE12345CX", waybillNumbers: ["020-12345675"] }],
    pieceCount: 12,
    grossWeight: { value: 412.5, unit: "KGM" },
    seals: ["SEAL-0042"],
    place: { airport: "HKG", location: "Cargo terminal 1, dock 7" },
    handedOverAt: "2026-11-20T10:00:00Z",
    waybillNumbers: ["020-12345675"],
  },
  CustodyReceipt: {
    handover: { id: "fast-forwarding:handover-1", version: 1, digest: `0x${"ab".repeat(32)}` },
    decision: "ACCEPTED",
    countedPieces: 12,
    countedWeight: { value: 412.5, unit: "KGM" },
    seals: ["SEAL-0042"],
    receivedAt: "2026-11-20T10:05:00Z",
  },
  Consolidation: {
    container: { kind: "ULD", id: "AKE12345CX" },
    contents: [
      { kind: "HOUSE", id: "HKG-H-0001", pieceCount: 8, grossWeight: { value: 300, unit: "KGM" } },
      { kind: "HOUSE", id: "HKG-H-0002", pieceCount: 4, grossWeight: { value: 112.5, unit: "KGM" } },
    ],
    pieceCount: 12,
    grossWeight: { value: 412.5, unit: "KGM" },
    at: "2026-11-20T08:00:00Z",
    origin: ["cn-certifier:co-2026-0042"],
  },
  ConsignmentSplit: {
    consignment: { kind: "HOUSE", id: "HKG-H-0001", pieceCount: 8, grossWeight: { value: 300, unit: "KGM" } },
    origin: ["cn-certifier:co-2026-0042"],
    parts: [
      { id: "HKG-H-0001-A", pieceCount: 5, grossWeight: { value: 190, unit: "KGM" }, flight: "CX0831", date: "2026-11-20" },
      { id: "HKG-H-0001-B", pieceCount: 3, grossWeight: { value: 110, unit: "KGM" }, flight: "CX0845", date: "2026-11-21" },
    ],
    at: "2026-11-20T07:00:00Z",
  },
};
