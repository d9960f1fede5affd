/**
 * zod schemas of the ONE Record cargo classes, over the normal form of jsonld.ts (cargo properties
 * by local name, IRIs in full, values in their JSON-LD forms). The ontology is open: properties we
 * do not know pass; every property we know is checked, codes against their standard format.
 */
import { z } from "zod";
import { AwbNumber, CountryCode, CurrencyCode, IataAirlineCode, IataAirportCode, IsoDateTime, UnLocode } from "../records/codes";
import { CARGO, CODE_LISTS, XSD } from "./vocabulary";

const ref = <T extends z.ZodType>(s: T) => z.union([s, z.array(s).min(1)]);

/** A plain string, a language-tagged string, or an xsd:string literal. */
export const Text = z.union([
  z.string(),
  z.strictObject({ "@value": z.string(), "@language": z.string().optional() }),
  z.strictObject({ "@value": z.string(), "@type": z.literal(`${XSD}string`) }),
]);

function textOf(v: z.infer<typeof Text>): string {
  return typeof v === "string" ? v : v["@value"];
}

/** A string property whose text must pass `check` (the issue lands on the property itself). */
const checkedText = (check: z.ZodType<string>) =>
  Text.superRefine((v, ctx) => {
    const r = check.safeParse(textOf(v));
    if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", message: i.message });
  });

export const DateTimeLiteral = z.union([IsoDateTime, z.strictObject({ "@value": IsoDateTime, "@type": z.literal(`${XSD}dateTime`) })]);
export const BooleanLiteral = z.union([z.boolean(), z.strictObject({ "@value": z.enum(["true", "false", "1", "0"]), "@type": z.literal(`${XSD}boolean`) })]);
const NUMERIC_TYPES = ["double", "decimal", "float", "integer", "int", "long", "positiveInteger", "nonNegativeInteger"].map((t) => `${XSD}${t}`);
export const NumberLiteral = z.union([
  z.number(),
  z.strictObject({
    "@value": z.union([z.number(), z.string().regex(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/, "not a number")]),
    "@type": z.string().refine((t) => NUMERIC_TYPES.includes(t), "not a numeric XML Schema type"),
  }),
]);

/** Any node: a reference ({"@id"}) or an embedded object. */
export const Node = z.looseObject({ "@id": z.string().min(1).optional(), "@type": z.union([z.string(), z.array(z.string())]).optional() });

/** A named individual of the cargo ontology, e.g. cargo:MASTER. */
const individual = (names: readonly string[]) =>
  z.looseObject({ "@id": z.string().refine((id) => names.some((n) => id === CARGO + n), `must be one of ${names.map((n) => `cargo:${n}`).join(", ")}`) });

/**
 * A code: a reference into a code list (`{"@id": ".../code-lists/<list>#<code>"}`), or a
 * CodeListElement (embedded with `code`, or referenced by an IRI ending in the code).
 */
export function codeValue(check: z.ZodType<string>, list?: string | readonly string[]) {
  const lists = list === undefined ? undefined : typeof list === "string" ? [list] : list;
  return Node.superRefine((node, ctx) => {
    const id = node["@id"];
    const code = node.code;
    let text: string | undefined;
    if (code !== undefined) {
      const t = Text.safeParse(code);
      if (!t.success) return void ctx.addIssue({ code: "custom", path: ["code"], message: "a code is a string" });
      text = textOf(t.data);
    } else if (id !== undefined) {
      if (lists !== undefined && id.startsWith(CODE_LISTS) && !lists.some((l) => id.startsWith(`${CODE_LISTS}${l}#`)))
        return void ctx.addIssue({ code: "custom", path: ["@id"], message: `expected a code of the ${lists.join(" or ")} code list` });
      text = id.slice(Math.max(id.lastIndexOf("#"), id.lastIndexOf("/")) + 1);
    } else {
      return void ctx.addIssue({ code: "custom", message: "a code is a code-list reference (@id) or has a code" });
    }
    const r = check.safeParse(text);
    if (!r.success)
      for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: code !== undefined ? ["code"] : ["@id"], message: `${text}: ${i.message}` });
  });
}

// The dangerous-goods codes are special handling codes too (owl:sameAs in the code lists).
export const SpecialHandlingCode = codeValue(z.string().regex(/^[A-Z0-9]{3}$/, "a special handling code is three letters or digits"), [
  "SpecialHandlingCode",
  "DangerousGoodsCode",
]);
export const StatusCode = codeValue(z.string().regex(/^[A-Z]{3}$/, "a status code is three capital letters"), "StatusCode");
export const MeasurementUnit = codeValue(
  z.string().regex(/^[A-Z0-9]{2,3}$/, "a UN/ECE Rec. 20 unit code is two or three letters or digits"),
  "MeasurementUnitCode",
);
export const CurrencyUnit = codeValue(CurrencyCode, "CurrencyCode");
export const Country = codeValue(CountryCode);
export const HsCode = codeValue(z.string().regex(/^\d{4}(\.?\d{2}){0,3}$/, "an HS code is 4 to 10 digits (dots allowed after the 4th)"));
/** IATA three-letter airport code or five-character UN/LOCODE. */
export const LocationCode = codeValue(
  z.string().superRefine((c, ctx) => {
    const r = (c.length === 3 ? IataAirportCode : UnLocode).safeParse(c);
    if (!r.success)
      for (const i of r.error.issues)
        ctx.addIssue({
          code: "custom",
          message: c.length === 3 || c.length === 5 ? i.message : "a location code is an IATA airport code (3 letters) or a UN/LOCODE (5)",
        });
  }),
);

/** cargo:Value: a number with its unit. */
export const Value = z.looseObject({ numericalValue: NumberLiteral.optional(), unit: MeasurementUnit.optional() });
export const CurrencyValue = z.looseObject({ numericalValue: NumberLiteral.optional(), currencyUnit: CurrencyUnit.optional() });
export const Dimensions = z.looseObject({ height: Value.optional(), length: Value.optional(), width: Value.optional(), volume: Value.optional() });
export const Address = z.looseObject({
  country: Country.optional(),
  streetAddressLines: ref(Text).optional(),
  cityName: Text.optional(),
  postalCode: Node.optional(),
});
export const Product = z.looseObject({
  hsCode: HsCode.optional(),
  hsCommodityDescription: Text.optional(),
  hsCommodityName: Text.optional(),
  description: Text.optional(),
  unNumber: checkedText(z.string().regex(/^(UN|ID)?\d{4}$/, "a UN number is four digits, e.g. UN1845")).optional(),
  hazardClassificationId: checkedText(z.string().regex(/^[1-9](\.[1-6])?[A-Z]?$/, "a hazard class is 1-9 with an optional division, e.g. 2.2")).optional(),
  properShippingName: Text.optional(),
});

/** Properties the ontology gives `owl:Thing` as domain: checked on every class. */
const thing = {
  goodsDescription: Text.optional(),
  grossWeight: Value.optional(),
  totalGrossWeight: Value.optional(),
  dimensions: ref(Dimensions).optional(),
  specialHandlingCodes: ref(SpecialHandlingCode).optional(),
  country: Country.optional(),
  name: Text.optional(),
  creationDate: DateTimeLiteral.optional(),
};

export const Location = z.looseObject({
  ...thing,
  locationCodes: ref(LocationCode).optional(),
  locationName: Text.optional(),
  locationType: Text.optional(),
  address: Address.optional(),
});

const objectRef = z.union([Node, z.array(Node).min(1)]);

export const Piece = z.looseObject({
  ...thing,
  coload: BooleanLiteral.optional(),
  ofShipment: Node.optional(),
  containedItems: ref(z.looseObject({ ofProduct: Product.optional(), weight: Value.optional(), productionCountry: Country.optional() })).optional(),
  contentProducts: ref(Product).optional(),
  contentProductionCountry: Country.optional(),
  volumetricWeight: Node.optional(),
  upid: Text.optional(),
  shippingMarks: Text.optional(),
});

/** Dangerous-goods piece: a Piece with its DG declaration (UN number and class are checked on its products). */
export const PieceDg = Piece.extend({
  allPackedInOneIndicator: BooleanLiteral.optional(),
  overpackIndicator: BooleanLiteral.optional(),
  qValueNumeric: NumberLiteral.optional(),
});

export const Shipment = z.looseObject({
  ...thing,
  pieces: objectRef.optional(),
  waybill: Node.optional(),
  incoterms: Node.optional(),
  totalVolume: Value.optional(),
});

const isType = (node: { "@id"?: string }, names: readonly string[]) => node["@id"] !== undefined && names.some((n) => node["@id"] === CARGO + n);

export const Waybill = z
  .looseObject({
    ...thing,
    waybillType: individual(["MASTER", "HOUSE", "DIRECT"]).optional(),
    waybillPrefix: checkedText(z.string().regex(/^\d{3}$/, "an air waybill prefix is the airline's three digits")).optional(),
    waybillNumber: checkedText(z.string().regex(/^[A-Z0-9]+$/, "a waybill number is capital letters and digits")).optional(),
    houseWaybills: objectRef.optional(),
    masterWaybill: Node.optional(),
    shipment: Node.optional(),
    referredBookingOption: Node.optional(),
    carrierDeclarationDate: DateTimeLiteral.optional(),
    carrierDeclarationPlace: Location.optional(),
    declaredValueForCarriage: CurrencyValue.optional(),
    declaredValueForCustoms: CurrencyValue.optional(),
    departureLocation: Location.optional(),
    arrivalLocation: Location.optional(),
  })
  .superRefine((w, ctx) => {
    const type = w.waybillType;
    const house = type !== undefined && isType(type, ["HOUSE"]);
    if (type !== undefined && isType(type, ["MASTER", "DIRECT"])) {
      // Master and direct waybills are air waybills: prefix + 8-digit serial with its check digit.
      if (w.waybillNumber === undefined) return void ctx.addIssue({ code: "custom", path: ["waybillNumber"], message: "an air waybill has a number" });
      if (w.waybillPrefix === undefined)
        return void ctx.addIssue({ code: "custom", path: ["waybillPrefix"], message: "an air waybill has the airline's prefix" });
      const awb = AwbNumber.safeParse(`${textOf(w.waybillPrefix)}-${textOf(w.waybillNumber)}`);
      if (!awb.success) for (const i of awb.error.issues) ctx.addIssue({ code: "custom", path: ["waybillNumber"], message: i.message });
    }
    if (w.masterWaybill !== undefined && type !== undefined && !house)
      ctx.addIssue({ code: "custom", path: ["masterWaybill"], message: "only a house waybill links to a master waybill" });
    if (w.houseWaybills !== undefined && type !== undefined && !isType(type, ["MASTER"]))
      ctx.addIssue({ code: "custom", path: ["houseWaybills"], message: "only a master waybill lists house waybills" });
  });

export const BookingStatus = individual(["CONFIRMED", "DELETED", "QUEUED", "REJECTED"]);
export const BookingOptionStatus = individual(["BOOKABLE", "BOOKED", "EXPIRED", "NONBOOKABLE", "NOT_BOOKABLE", "ON_REQUEST", "QUEUED"]);
export const Booking = z.looseObject({ ...thing, bookingStatus: BookingStatus.optional(), bookingRequest: Node.optional(), issuedForWaybill: Node.optional() });
export const BookingOption = z.looseObject({
  ...thing,
  offerValidFrom: DateTimeLiteral.optional(),
  offerValidTo: DateTimeLiteral.optional(),
  forBookingRequest: Node.optional(),
  carrier: Node.optional(),
  requestMatch: BooleanLiteral.optional(),
  price: Node.optional(),
  statusBookingOption: BookingOptionStatus.optional(),
});
export const BookingRequest = z.looseObject({ ...thing, booking: Node.optional() });

/** Flight number: airline designator, 1-4 digits, optional operational suffix (e.g. LH400, 5X1234A). */
export const FlightNumber = z.string().superRefine((f, ctx) => {
  const m = /^([A-Z0-9]{2})(\d{1,4})([A-Z])?$/.exec(f);
  if (!m || !IataAirlineCode.safeParse(m[1]).success)
    ctx.addIssue({ code: "custom", message: "a flight number is the airline designator and 1-4 digits, e.g. LH400" });
});
const AIR = `${CODE_LISTS}ModeCode#AIR_TRANSPORT`;

export const MovementTime = z.looseObject({
  movementTimestamp: DateTimeLiteral.optional(),
  direction: individual(["INBOUND", "OUTBOUND", "UNPLANNED_STOP"]).optional(),
  movementMilestone: Node.optional(),
  movementTimeType: individual(["ACTUAL", "ESTIMATED", "SCHEDULED"]).optional(),
});
export const TransportMovement = z
  .looseObject({
    ...thing,
    transportIdentifier: Text.optional(),
    modeCode: Node.optional(),
    departureLocation: Location.optional(),
    arrivalLocation: Location.optional(),
    movementTimes: ref(MovementTime).optional(),
    operatingTransportMeans: Node.optional(),
  })
  .superRefine((t, ctx) => {
    // transportIdentifier is a flight number for air movements (and when no mode is given, the hub being an air cargo hub).
    const mode = t.modeCode?.["@id"] ?? (typeof t.modeCode?.code === "string" ? t.modeCode.code : undefined);
    if (t.transportIdentifier === undefined || (mode !== undefined && mode !== AIR && mode !== "4")) return;
    const r = FlightNumber.safeParse(textOf(t.transportIdentifier));
    if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: ["transportIdentifier"], message: i.message });
  });

export const LogisticsEvent = z.looseObject({
  ...thing,
  eventCode: StatusCode.optional(),
  eventDate: DateTimeLiteral.optional(),
  eventName: Text.optional(),
  eventLocation: Location.optional(),
  eventFor: objectRef.optional(),
  eventTimeType: z.union([individual(["ACTUAL", "ESTIMATED", "EXPECTED", "PLANNED", "REQUESTED"]), Text]).optional(),
  partialEventIndicator: BooleanLiteral.optional(),
  recordingOrganization: Node.optional(),
  recordingActor: Node.optional(),
});

export const Person = z.looseObject({ ...thing, firstName: Text.optional(), lastName: Text.optional(), salutation: Text.optional() });
export const Organization = z.looseObject({
  ...thing,
  shortName: Text.optional(),
  basedAtLocation: Location.optional(),
  contactPersons: ref(Person).optional(),
  iataCargoAgentCode: checkedText(z.string().regex(/^\d{7}$/, "an IATA cargo agent code is seven digits")).optional(),
});
/** Any other class: only the owl:Thing properties are known. */
export const GenericObject = z.looseObject(thing);

/** Class local name -> schema of its body (without `objectType`). */
export const CLASS_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  Shipment,
  Piece,
  PieceDg,
  Waybill,
  Booking,
  BookingOption,
  BookingRequest,
  Location,
  TransportMovement,
  LogisticsEvent,
  StatusUpdateEvent: LogisticsEvent,
  Company: Organization,
  Organization,
  Carrier: Organization,
  Person,
};

export function classSchema(objectType: string): z.ZodType {
  return Object.hasOwn(CLASS_SCHEMAS, objectType) ? CLASS_SCHEMAS[objectType] : GenericObject;
}
