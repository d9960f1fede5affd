/**
 * The classes of the ONE Record data model (IATA-1R-DM-Ontology.ttl, cargo 3.x) that are logistics
 * objects (rdfs:subClassOf cargo:LogisticsObject, directly or not) and logistics events: resources
 * of their own, with their own URI, never nodes embedded in another object. A Change may link them,
 * never create them ("Update a Logistics Object": PATCH MUST NOT be used to create logistics objects,
 * nor to link a LogisticsEvent). test/conformance/one-record-rules.test.ts derives both lists from
 * the ontology's Turtle and checks they are these.
 */
export const LOGISTICS_OBJECT_CLASSES: readonly string[] = [
  "Actor", "Answer", "BillingDetails", "Booking", "BookingOption", "BookingOptionRequest", "BookingRequest", "BookingShipment", "CO2Emissions",
  "Carrier", "Check", "CheckTemplate", "CheckTotalResult", "Company", "Composing", "CustomsInformation", "DgDeclaration", "DgProductRadioactive",
  "DgRadioactiveIsotope", "EpermitConsignment", "EpermitSignature", "ExternalReference", "HandlingService", "Insurance", "IotDevice", "Item",
  "ItemDg", "LiveAnimalsEpermit", "Loading", "LoadingMaterial", "LoadingUnit", "Location", "LogisticsAction", "LogisticsActivity",
  "LogisticsAgent", "LogisticsObject", "LogisticsService", "NonHumanActor", "Organization", "PackagingType", "Person", "PhysicalLogisticsObject",
  "Piece", "PieceDg", "PieceLiveAnimals", "Price", "Product", "ProductDg", "PublicAuthority", "Question", "Ratings", "SecurityDeclaration",
  "Sensor", "Shipment", "Storage", "Storing", "TransportLegs", "TransportMeans", "TransportMovement", "ULD", "UnitComposition", "Waybill",
];

/** cargo:LogisticsEvent and its subclasses. */
export const LOGISTICS_EVENT_CLASSES: readonly string[] = ["LogisticsEvent", "StatusUpdateEvent"];
