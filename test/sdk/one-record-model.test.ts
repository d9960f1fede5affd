import { expect } from "chai";
import { computeDigest, prepareRecord } from "../../sdk/digest";
import { UnsignedRecordSchema } from "../../sdk/envelope";
import { bodyOfObject } from "../../sdk/one-record/jsonld";
import { CARGO, CODE_LISTS, XSD } from "../../sdk/one-record/vocabulary";
import { isRecordType } from "../../sdk/records/index";
import { LogisticsObjectBody } from "../../sdk/records/logistics-object";

const issues = (body: unknown) => {
  const r = LogisticsObjectBody.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
};
const pathsOf = (body: unknown) => issues(body).map((i) => i.path);

describe("ONE Record model: codes are checked and the issue names the field", function () {
  const awb = (prefix: string, number: string, type = "MASTER") => ({
    objectType: "Waybill",
    waybillType: { "@id": `${CARGO}${type}` },
    waybillPrefix: prefix,
    waybillNumber: number,
  });

  it("air waybill: good check digit passes, bad one is refused at waybillNumber", function () {
    expect(issues(awb("020", "12345675"))).to.deep.equal([]);
    expect(pathsOf(awb("020", "12345670"))).to.deep.equal(["waybillNumber"]);
    expect(pathsOf(awb("20", "12345675"))).to.include("waybillPrefix");
    // A house waybill number is the forwarder's own: no check digit.
    expect(issues({ ...awb("020", "HAWB123", "HOUSE"), masterWaybill: { "@id": "https://hub.example/logistics-objects/m1" } })).to.deep.equal([]);
    expect(pathsOf({ ...awb("020", "12345675"), masterWaybill: { "@id": "x:m" } })).to.deep.equal(["masterWaybill"]);
    expect(pathsOf({ ...awb("020", "HAWB1", "HOUSE"), houseWaybills: [{ "@id": "x:h" }] })).to.deep.equal(["houseWaybills"]);
    expect(pathsOf({ objectType: "Waybill", waybillType: { "@id": `${CARGO}TRIPLE` } })).to.deep.equal(["waybillType.@id"]);
  });

  it("locations: IATA airport codes and UN/LOCODEs", function () {
    const loc = (code: string) => ({ objectType: "Location", locationCodes: [{ code }] });
    expect(issues(loc("FRA"))).to.deep.equal([]);
    expect(issues(loc("DEFRA"))).to.deep.equal([]);
    expect(pathsOf(loc("fra"))).to.deep.equal(["locationCodes.0.code"]);
    expect(pathsOf(loc("XXFRA"))).to.deep.equal(["locationCodes.0.code"]);
    expect(pathsOf(loc("FRANKF"))).to.deep.equal(["locationCodes.0.code"]);
    expect(issues(loc("FRANKF"))[0].message).to.match(/IATA airport code .* UN\/LOCODE/);
  });

  it("country and currency codes", function () {
    expect(issues({ objectType: "Location", country: { "@id": "https://vocabulary.uncefact.org/CountryId#DE" } })).to.deep.equal([]);
    expect(pathsOf({ objectType: "Location", country: { "@id": "https://vocabulary.uncefact.org/CountryId#XX" } })).to.deep.equal(["country.@id"]);
    const value = (cur: string) => ({
      objectType: "Waybill",
      declaredValueForCarriage: { numericalValue: 10, currencyUnit: { "@id": `${CODE_LISTS}CurrencyCode#${cur}` } },
    });
    expect(issues(value("EUR"))).to.deep.equal([]);
    expect(pathsOf(value("EUX"))).to.deep.equal(["declaredValueForCarriage.currencyUnit.@id"]);
  });

  it("pieces: weight, dimensions, special handling, HS and dangerous-goods codes", function () {
    const good = {
      objectType: "Piece",
      grossWeight: { numericalValue: { "@value": "20.5", "@type": `${XSD}double` }, unit: { "@id": `${CODE_LISTS}MeasurementUnitCode#KGM` } },
      dimensions: { height: { numericalValue: 40, unit: { "@id": `${CODE_LISTS}MeasurementUnitCode#CMT` } } },
      specialHandlingCodes: [{ "@id": `${CODE_LISTS}SpecialHandlingCode#VAL` }],
      contentProducts: [{ hsCode: { code: "490199" }, unNumber: "UN1845", hazardClassificationId: "9" }],
    };
    expect(issues(good)).to.deep.equal([]);
    expect(pathsOf({ ...good, specialHandlingCodes: [{ "@id": `${CODE_LISTS}SpecialHandlingCode#VALUABLE` }] })).to.deep.equal(["specialHandlingCodes.0.@id"]);
    expect(pathsOf({ ...good, specialHandlingCodes: [{ "@id": `${CODE_LISTS}StatusCode#DEP` }] })).to.deep.equal(["specialHandlingCodes.0.@id"]);
    expect(pathsOf({ ...good, contentProducts: [{ hsCode: { code: "49A" } }] })).to.deep.equal(["contentProducts.0.hsCode.code"]);
    expect(pathsOf({ ...good, contentProducts: [{ unNumber: "18450" }] })).to.deep.equal(["contentProducts.0.unNumber"]);
    expect(pathsOf({ ...good, grossWeight: { numericalValue: "heavy" } })).to.deep.equal(["grossWeight.numericalValue"]);
    expect(pathsOf({ ...good, coload: "yes" })).to.deep.equal(["coload"]);
  });

  it("transport movements: flight number and airports", function () {
    const tm = (flight: string, from = "FRA") => ({
      objectType: "TransportMovement",
      transportIdentifier: flight,
      departureLocation: { locationCodes: { code: from } },
      movementTimes: [{ movementTimestamp: { "@value": "2026-05-01T10:00:00Z", "@type": `${XSD}dateTime` } }],
    });
    expect(issues(tm("LH400"))).to.deep.equal([]);
    expect(pathsOf(tm("Lufthansa 400"))).to.deep.equal(["transportIdentifier"]);
    expect(pathsOf(tm("LH400", "FR"))).to.deep.equal(["departureLocation.locationCodes.code"]);
    expect(issues({ ...tm("TRUCK-7"), modeCode: { "@id": `${CODE_LISTS}ModeCode#ROAD_TRANSPORT` } })).to.deep.equal([]);
  });

  it("logistics events: status code and date", function () {
    const ev = (code: string, date: string) => ({
      objectType: "LogisticsEvent",
      eventCode: { "@id": `${CODE_LISTS}StatusCode#${code}` },
      eventDate: { "@value": date, "@type": `${XSD}dateTime` },
      eventFor: { "@id": "x:s" },
    });
    expect(issues(ev("DEP", "2026-05-01T10:00:00Z"))).to.deep.equal([]);
    expect(pathsOf(ev("DEPARTED", "2026-05-01T10:00:00Z"))).to.deep.equal(["eventCode.@id"]);
    expect(pathsOf(ev("DEP", "yesterday"))).to.deep.equal(["eventDate.@value"]);
  });

  it("bookings: status individuals of the ontology", function () {
    expect(issues({ objectType: "Booking", bookingStatus: { "@id": `${CARGO}CONFIRMED` } })).to.deep.equal([]);
    expect(pathsOf({ objectType: "Booking", bookingStatus: { "@id": `${CARGO}MAYBE` } })).to.deep.equal(["bookingStatus.@id"]);
    expect(
      issues({
        objectType: "BookingOption",
        statusBookingOption: { "@id": `${CARGO}BOOKABLE` },
        offerValidTo: { "@value": "2026-05-01T10:00:00Z", "@type": `${XSD}dateTime` },
      }),
    ).to.deep.equal([]);
    expect(pathsOf({ objectType: "BookingOption", offerValidTo: "soon" })).to.deep.equal(["offerValidTo"]);
  });

  it("dangerous-goods codes count as special handling codes; other lists do not", function () {
    const piece = (iri: string) => ({ objectType: "Piece", specialHandlingCodes: { "@id": iri } });
    expect(issues(piece(`${CODE_LISTS}DangerousGoodsCode#ELI`))).to.deep.equal([]);
    expect(issues(piece(`${CODE_LISTS}StatusCode#ELI`))[0].message).to.match(/SpecialHandlingCode or DangerousGoodsCode/);
  });

  it("LogisticsObject is a record type whose JSON-LD body is digested like any other", function () {
    expect(isRecordType("LogisticsObject")).to.equal(true);
    const { body } = bodyOfObject({
      "@context": { cargo: CARGO },
      "@type": "cargo:Shipment",
      "cargo:goodsDescription": "Books",
      "cargo:pieces": [{ "@id": "https://hub.example/logistics-objects/p1" }],
      "cargo:totalGrossWeight": { "@type": "cargo:Value", "cargo:numericalValue": 20.5, "cargo:unit": { "@id": `${CODE_LISTS}MeasurementUnitCode#KGM` } },
    });
    expect(LogisticsObjectBody.safeParse(body).success).to.equal(true);
    const record = prepareRecord({ type: "LogisticsObject", id: "0b8a8c4e-6a1f-4d1e-9d67-3c2f0c6b2e11", version: 1, owner: "forwarder" }, body);
    const { digest: _digest, ...unsigned } = record;
    expect(UnsignedRecordSchema.safeParse(unsigned).success).to.equal(true);
    expect(computeDigest(record)).to.equal(record.digest);
    expect(computeDigest({ ...record, body: { ...record.body, goodsDescription: "Bricks" } })).to.not.equal(record.digest);
  });

  it("unknown classes and properties pass; objectType must be a class name", function () {
    expect(issues({ objectType: "Sensor", serialNumber: "142NL" })).to.deep.equal([]);
    expect(pathsOf({ objectType: "sensor" })).to.deep.equal(["objectType"]);
  });
});
