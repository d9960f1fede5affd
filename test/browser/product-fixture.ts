// A product with a provenance story on a real hub, shared by the page's integration and browser
// tests: a brand's batch (with serials), a certifier's certificate naming it, EPCIS events of a
// forwarder, an importer and customs (customs' event links its decision on the order's matched
// case), the three named in the batch as the brand's supply-chain partners, and records that must
// NOT appear on the page.
import { revokeRecord } from "../../sdk/revocation";
import { HubError } from "../../sdk/client";
import type { SignedRecord } from "../../sdk/envelope";
import { EPCIS_CONTEXT } from "../../sdk/epcis/document";
import { recordUrn } from "../../sdk/epcis/extract";
import { epcisEventRecords } from "../../sdk/epcis/records";
import { gs1CheckDigit } from "../../sdk/records/codes";
import type { RecordBody } from "../../sdk/records";
import { matchResultId } from "../../server/customs/cases";
import { declaration, order, parcelWaybill, payment } from "../customs/fixtures";
import { masterWaybill } from "../fixtures";
import { admit, credentialsFor, waitFor, type HubProcess, type TestChain, type TestOrg } from "../integration/harness";

/** A GTIN-14 with its check digit, from 13 digits. */
export const gtinOf = (first13: string) => first13 + String(gs1CheckDigit(first13));

/** The hub settings the fixture needs (a quick customs matcher). */
export const FIXTURE_ENV = { CUSTOMS_MATCH_POLL_MS: "50", CUSTOMS_MATCH_SETTLE_MS: "200" };

export const PORT_OF_ENTRY = "urn:epc:id:sgln:4890000.00001.0";
export const FACTORY_DOCK = "urn:epc:id:sgln:3760000.00010.0";
export const BONDED_WAREHOUSE = "urn:epc:id:sgln:4890000.00077.0";
export const INTERNAL_NOTES = "supplier margin 41 percent, do not publish";

export interface Parties {
  brand: TestOrg;
  certifier: TestOrg;
  forwarder: TestOrg;
  importer: TestOrg;
  customs: TestOrg;
  platform: TestOrg;
  payer: TestOrg;
  carrier: TestOrg;
  broker: TestOrg;
}

/** Admits the parties (customs parties named as in test/customs/fixtures.ts, whose bodies name them). */
export async function admitParties(hubUrl: string, prefix = ""): Promise<Parties> {
  const [brand, certifier, forwarder, importer, customs, platform, payer, carrier, broker] = await Promise.all([
    admit(hubUrl, `${prefix}aurora-brand`, ["BRAND"]),
    admit(hubUrl, `${prefix}trust-certify`, ["CERTIFIER"]),
    admit(hubUrl, `${prefix}swift-forwarding`, ["FORWARDER"]),
    admit(hubUrl, `${prefix}harbour-import`, ["PLATFORM"]),
    // Customs' laboratory also issues inspection reports: it is accredited for them.
    admit(
      hubUrl,
      "hz-customs",
      ["CUSTOMS"],
      [...credentialsFor("hz-customs", ["CUSTOMS"]), { kind: "ACCREDITED_CERTIFIER", scope: { kinds: ["INSPECTION_REPORT"] } }],
    ),
    admit(hubUrl, "shop-global", ["PLATFORM"]),
    admit(hubUrl, "pay-firm", ["PAYMENT"]),
    admit(hubUrl, "parcel-express", ["FORWARDER"]),
    admit(hubUrl, "hz-broker", ["BROKER"]),
  ]);
  return { brand, certifier, forwarder, importer, customs, platform, payer, carrier, broker };
}

type Event = Record<string, unknown>;

/** An EPCIS 2.0 document of `events`. */
export const epcisDocument = (events: Event[]) => ({
  "@context": [EPCIS_CONTEXT],
  type: "EPCISDocument",
  schemaVersion: "2.0",
  creationDate: "2026-05-01T00:00:00Z",
  epcisBody: { eventList: events },
});

/** Signs the events as EpcisEvent records of `org` and publishes them (the member's own path). */
export async function publishEvents(org: TestOrg, events: Event[]): Promise<SignedRecord[]> {
  const records = epcisEventRecords(epcisDocument(events), { orgId: org.id, privateKey: org.key.privateKey });
  await org.client.publishBatch(records);
  return records;
}

export const lotUri = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${lot}`;
export const serialUri = (gtin: string, serial: string) => `https://id.gs1.org/01/${gtin}/21/${serial}`;

export function productBatch(gtin: string, lot: string, serials: string[], partners?: RecordBody<"ProductBatch">["partners"]): RecordBody<"ProductBatch"> {
  return {
    gtin,
    lot,
    productName: "Aurora ANC Headphones",
    brand: "Aurora Audio",
    productionDate: "2026-03-02",
    expiryDate: "2031-03-01",
    productionPlace: { name: "Lyon plant", country: "FR", unLocode: "FRLYS" },
    manufacturer: { name: "Aurora Audio SAS", country: "FR" },
    quantity: 500,
    serials,
    ...(partners ? { partners } : {}),
    internalNotes: INTERNAL_NOTES,
  };
}

export interface Product {
  gtin: string;
  lot: string;
  serials: string[];
  batch: SignedRecord;
  certificate: SignedRecord;
  events: { shipping: SignedRecord; arriving: SignedRecord; transaction: SignedRecord; customs: SignedRecord; dispatch: SignedRecord; foreign: SignedRecord };
  decision: SignedRecord;
  /** A record of the forwarder that no event ties to the product. */
  unrelated: SignedRecord;
  /** Every record that belongs on the lot's page. */
  onPage: SignedRecord[];
}

/**
 * Publishes a product's story (lot `lot` of a fresh GTIN, items `serials`) and waits until every
 * record of it is anchored. `orderNumber` names the customs case (unique per call).
 */
export async function publishProduct(p: Parties, opts: { gtin13: string; lot: string; serials: string[]; orderNumber: string }): Promise<Product> {
  const gtin = gtinOf(opts.gtin13);
  const { lot, serials, orderNumber } = opts;
  // The brand names who may speak about the batch besides itself (the certifier speaks as an accredited certifier).
  const partners = [
    { org: p.forwarder.id, role: "FORWARDER" as const },
    { org: p.importer.id, role: "PLATFORM" as const },
    { org: p.customs.id, role: "CUSTOMS" as const },
  ];
  const { record: batch } = await p.brand.client.publish("ProductBatch", productBatch(gtin, lot, serials, partners));
  const { record: certificate } = await p.certifier.client.publish("Certification", {
    kind: "CERTIFICATE_OF_ORIGIN",
    certificateNumber: `CO-${lot}`,
    issuedTo: "Aurora Audio SAS",
    subjects: [lotUri(gtin, lot)],
    scope: "Country of origin of the batch, checked at the plant",
    originCountry: "FR",
    validFrom: "2026-03-05",
    validUntil: "2036-03-05",
    result: "PASS",
  });

  // The order's customs case: four documents, the hub's match, customs' decision.
  const [b, w] = [{ orderNumber }, { orderNumber }];
  await p.platform.client.publish("Order", order(b));
  await p.payer.client.publish("Payment", payment(b));
  await p.carrier.client.publish("Waybill", parcelWaybill(w));
  await p.broker.client.publish("CustomsDeclaration", declaration(b));
  const mr = await waitFor(`the match result of ${orderNumber}`, async () => {
    const stored = await p.platform.client.getRecord(matchResultId("shop-global", orderNumber));
    return (stored.record.body as { status: string }).status === "INCOMPLETE" ? undefined : stored;
  });
  const { record: decision } = await p.customs.client.publish("CustomsDecision", {
    platform: "shop-global",
    orderNumber,
    matchResult: { recordId: mr.record.id, version: mr.record.version },
    decision: "RELEASE",
    reasons: [],
    decidedAt: "2026-04-20T09:30:00+08:00",
  });

  const lotClass = [{ epcClass: lotUri(gtin, lot), quantity: 100, uom: "EA" }];
  const [shipping] = await publishEvents(p.forwarder, [
    {
      type: "ObjectEvent",
      eventTime: "2026-04-02T08:00:00+02:00",
      eventTimeZoneOffset: "+02:00",
      action: "OBSERVE",
      bizStep: "shipping",
      disposition: "in_transit",
      readPoint: { id: FACTORY_DOCK },
      quantityList: lotClass,
    },
  ]);
  const [transaction] = await publishEvents(p.importer, [
    {
      type: "TransactionEvent",
      eventTime: "2026-04-03T10:00:00+08:00",
      eventTimeZoneOffset: "+08:00",
      action: "ADD",
      bizStep: "https://ref.gs1.org/cbv/BizStep-accepting",
      bizTransactionList: [{ type: "po", bizTransaction: "urn:epcglobal:cbv:bt:4890000000000:PO-778" }],
      quantityList: lotClass,
    },
  ]);
  const [arriving] = await publishEvents(p.forwarder, [
    {
      type: "ObjectEvent",
      eventTime: "2026-04-19T22:00:00+08:00",
      eventTimeZoneOffset: "+08:00",
      action: "OBSERVE",
      bizStep: "arriving",
      readPoint: { id: PORT_OF_ENTRY },
      quantityList: lotClass,
    },
  ]);
  // Customs ties its decision to the product with an event of its own that links it.
  const [customs] = await publishEvents(p.customs, [
    {
      type: "ObjectEvent",
      eventTime: "2026-04-20T09:30:00+08:00",
      eventTimeZoneOffset: "+08:00",
      action: "OBSERVE",
      bizStep: "inspecting",
      bizLocation: { id: PORT_OF_ENTRY },
      quantityList: lotClass,
      bizTransactionList: [{ type: "cleared", bizTransaction: recordUrn(decision.id) }],
    },
  ]);
  const [dispatch] = await publishEvents(p.forwarder, [
    {
      type: "ObjectEvent",
      eventTime: "2026-04-22T15:00:00+08:00",
      eventTimeZoneOffset: "+08:00",
      action: "OBSERVE",
      bizStep: "urn:epcglobal:cbv:bizstep:departing",
      bizLocation: { id: BONDED_WAREHOUSE },
      readPoint: { id: BONDED_WAREHOUSE },
      quantityList: lotClass,
    },
  ]);
  // The forwarder links customs' decision too: a record of another owner, so it must not join the page through it.
  const [foreign] = await publishEvents(p.forwarder, [
    {
      type: "ObjectEvent",
      eventTime: "2026-04-21T10:00:00+08:00",
      eventTimeZoneOffset: "+08:00",
      action: "OBSERVE",
      bizStep: "storing",
      readPoint: { id: BONDED_WAREHOUSE },
      quantityList: lotClass,
      bizTransactionList: [{ type: "ref", bizTransaction: recordUrn(mr.record.id) }],
    },
  ]);
  const { record: unrelated } = await p.forwarder.client.publish(
    "Waybill",
    // The forwarder's own house waybill (a master waybill is an airline's).
    masterWaybill({
      waybillType: "HOUSE",
      waybillNumber: "SWF-CDG-HKG-0001",
      masterWaybillNumber: "020-12345675",
      origin: "CDG",
      destination: "HKG",
      shipper: { name: "Aurora Audio SAS", country: "FR" },
      consignee: { name: "Harbour Import Ltd", country: "HK" },
      pieceCount: 3,
      grossWeight: { value: 120, unit: "KGM" },
      goodsDescription: "Headphones",
    }),
  );

  const onPage = [batch, certificate, shipping!, transaction!, arriving!, customs!, dispatch!, foreign!, decision];
  for (const r of [...onPage, unrelated])
    await waitFor(`the anchoring of ${r.id}`, () =>
      p.brand.client.getProof(r.id, r.version).catch(async (e: unknown) => {
        // Records of others are not readable by the brand: ask their owners.
        if (e instanceof HubError && e.status === 404) return ownerOf(p, r).client.getProof(r.id, r.version);
        throw e;
      }),
    );
  return {
    gtin,
    lot,
    serials,
    batch,
    certificate,
    events: { shipping: shipping!, arriving: arriving!, transaction: transaction!, customs: customs!, dispatch: dispatch!, foreign: foreign! },
    decision,
    unrelated,
    onPage,
  };
}

function ownerOf(p: Parties, r: SignedRecord): TestOrg {
  const org = Object.values(p).find((o) => o.id === r.owner);
  if (!org) throw new Error(`no party owns ${r.id}`);
  return org;
}

/** Marks an item sold at retail (an EPCIS event of `by`, default the importer, naming the serial). */
export async function markSold(p: Parties, gtin: string, serial: string, by: TestOrg = p.importer): Promise<SignedRecord> {
  const [sold] = await publishEvents(by, [
    {
      type: "ObjectEvent",
      eventTime: "2026-05-01T12:00:00+08:00",
      eventTimeZoneOffset: "+08:00",
      action: "OBSERVE",
      bizStep: "retail_selling",
      disposition: "https://ref.gs1.org/cbv/Disp-retail_sold",
      epcList: [serialUri(gtin, serial)],
    },
  ]);
  return sold!;
}

/** The certifier revokes its certificate on chain, with its own key. */
export async function revokeOnChain(chain: TestChain, certifier: TestOrg, digest: string, reason: string): Promise<void> {
  await chain.operator.sendTransaction({ to: certifier.key.address, value: 10n ** 17n }).then((t) => t.wait());
  await revokeRecord({
    privateKey: certifier.key.privateKey,
    chain: { provider: chain.provider },
    anchorRegistry: chain.deployment.anchorRegistry,
    digest,
    reason,
  });
}

export type { HubProcess };
