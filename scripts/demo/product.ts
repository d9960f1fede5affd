// The demo product `npm start` publishes once: a brand's batch of headphones, a certifier's
// certificate of origin naming it, and EPCIS events of the brand (commissioned at the factory), the
// forwarder (shipped), the airline (arrived at Hong Kong) and the platform (bought it, received it
// at its bonded warehouse, shipped it on): what a consumer sees on the product's page. The batch
// names the forwarder, the airline and the platform as the brand's supply-chain partners: without
// that, the page would leave their events out.
import type { HubClient } from "../../sdk/client";
import { EPCIS_CONTEXT } from "../../sdk/epcis/document";
import { digitalLinkPath } from "../../sdk/provenance/digital-link";
import type { RecordBody } from "../../sdk/records";

export const DEMO_GTIN = "09506000134352";
export const DEMO_LOT = "LYS-2611";
export const DEMO_SERIALS = ["AUR0001", "AUR0002", "AUR0003"];

const lotUri = `https://id.gs1.org/01/${DEMO_GTIN}/10/${DEMO_LOT}`;

/** The brand's partners for the batch: the demo organisations (as scripts/start.ts admits them) whose events the page shows. */
const partners: RecordBody<"ProductBatch">["partners"] = [
  { org: "swift-forwarding", role: "FORWARDER" },
  { org: "skyline-air", role: "AIRLINE" },
  { org: "harbour-mall", role: "PLATFORM" },
];

const batch: RecordBody<"ProductBatch"> = {
  gtin: DEMO_GTIN,
  lot: DEMO_LOT,
  productName: "Aurora ANC Headphones",
  brand: "Aurora Audio",
  productionDate: "2026-11-02",
  productionPlace: { name: "Lyon plant", country: "FR", unLocode: "FRLYS" },
  manufacturer: { name: "Aurora Audio SAS", country: "FR" },
  quantity: 500,
  serials: DEMO_SERIALS,
  partners,
  internalNotes: "demo: never shown on the public page",
};

const certificate: RecordBody<"Certification"> = {
  kind: "CERTIFICATE_OF_ORIGIN",
  certificateNumber: `CO-${DEMO_LOT}`,
  issuedTo: "Aurora Audio SAS",
  subjects: [lotUri],
  scope: "Headphones manufactured at the Lyon plant",
  originCountry: "FR",
  validFrom: "2026-11-05",
  validUntil: "2027-11-04",
  result: "PASS",
};

const event = (time: string, bizStep: string, disposition: string, location: string) => ({
  type: "ObjectEvent",
  eventTime: time,
  eventTimeZoneOffset: "+00:00",
  epcList: [],
  quantityList: [{ epcClass: lotUri, quantity: 500 }],
  action: bizStep === "commissioning" ? "ADD" : "OBSERVE",
  bizStep,
  disposition,
  readPoint: { id: location },
});

const documentOf = (events: object[]) => ({
  "@context": [EPCIS_CONTEXT],
  type: "EPCISDocument",
  schemaVersion: "2.0",
  creationDate: "2026-11-20T00:00:00Z",
  epcisBody: { eventList: events },
});

export interface DemoParties {
  brand: HubClient;
  certifier: HubClient;
  forwarder: HubClient;
  airline: HubClient;
  platform: HubClient;
}

/**
 * Publishes the demo product's story (skipped if the batch is already there; a batch from before
 * partners were named gets a new version naming them); returns the lot's code path.
 */
export async function publishDemoProduct(p: DemoParties): Promise<string> {
  const path = digitalLinkPath({ gtin: DEMO_GTIN, lot: DEMO_LOT });
  const known = await p.brand.productStory(path).then(
    (story) => story,
    () => undefined,
  );
  if (known) {
    const { recordId, version } = known.product.source;
    if (known.product.partners.length === 0) await p.brand.publish("ProductBatch", batch, { id: recordId, version: version + 1 });
    return path;
  }
  await p.brand.publish("ProductBatch", batch);
  await p.certifier.publish("Certification", certificate);
  // Locations are GLNs (urn:epc:id:sgln) of each party's site.
  await p.brand.publishEpcis(documentOf([event("2026-11-03T08:00:00Z", "commissioning", "active", "urn:epc:id:sgln:3760000.00010.0")]));
  await p.forwarder.publishEpcis(documentOf([event("2026-11-10T16:30:00Z", "shipping", "in_transit", "urn:epc:id:sgln:3760000.00020.0")]));
  await p.airline.publishEpcis(documentOf([event("2026-11-11T09:15:00Z", "arriving", "in_transit", "urn:epc:id:sgln:4890000.00001.0")]));
  // The platform imports the batch (its purchase order: a TransactionEvent), receives it at its
  // bonded warehouse and ships from there.
  const purchase = {
    ...event("2026-11-13T10:00:00Z", "receiving", "in_progress", "urn:epc:id:sgln:4890000.00077.0"),
    type: "TransactionEvent",
    action: "ADD",
    bizTransactionList: [{ type: "po", bizTransaction: "urn:epc:id:gdti:4890000.00100.2611" }],
  };
  await p.platform.publishEpcis(
    documentOf([
      purchase,
      event("2026-11-13T11:00:00Z", "receiving", "in_progress", "urn:epc:id:sgln:4890000.00077.0"),
      event("2026-11-15T09:00:00Z", "shipping", "in_transit", "urn:epc:id:sgln:4890000.00077.0"),
    ]),
  );
  return path;
}
