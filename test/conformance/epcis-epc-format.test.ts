import { expect } from "chai";
import { formatEpc, formatEventEpcs, prefixLengthFrom, type CompanyPrefixLength } from "../../sdk/epcis/epc-format";
import { readJson, standardsFile } from "./standards";

/**
 * EPCIS 2.0 REST binding, GS1-EPC-Format (Always_GS1_Digital_Link, Always_EPC_URN, Never_Translates,
 * No_Preference) over the EPC Tag Data Standard's translation between EPC URNs and GS1 Digital Link
 * URIs. The pairs are TDS 2.x's worked examples (GS1 Company Prefix 0614141) and the URN/Digital Link
 * twins among EPCIS 2.0's own examples (9.6.3, 9.6.4).
 */

const ID = "https://id.gs1.org";
// TDS 2.x, each scheme's example: EPC URN <-> element string, as a Digital Link.
const TDS: [string, string][] = [
  ["urn:epc:id:sgtin:0614141.812345.6789", `${ID}/01/80614141123458/21/6789`],
  ["urn:epc:id:sscc:0614141.1234567890", `${ID}/00/106141412345678908`],
  ["urn:epc:id:sgln:0614141.12345.400", `${ID}/414/0614141123452/254/400`],
  ["urn:epc:id:sgln:0614141.12345.0", `${ID}/414/0614141123452`],
  ["urn:epc:id:grai:0614141.12345.400", `${ID}/8003/00614141123452400`],
  ["urn:epc:id:giai:0614141.12345400", `${ID}/8004/061414112345400`],
  ["urn:epc:id:gsrn:0614141.1234567890", `${ID}/8018/061414112345678902`],
  ["urn:epc:id:gdti:0614141.12345.400", `${ID}/253/0614141123452400`],
  // EPCIS 2.0 examples 9.6.3 and 9.6.4 (their DigitalLink twins): classes and patterns.
  ["urn:epc:class:lgtin:4012345.012345.998877", `${ID}/01/04012345123456/10/998877`],
  ["urn:epc:idpat:sgtin:4012345.098765.*", `${ID}/01/04012345987652`],
  ["urn:epc:class:lgtin:0614141.077777.987", `${ID}/01/00614141777778/10/987`],
  ["urn:epc:idpat:sgtin:4012345.066666.*", `${ID}/01/04012345666663`],
];

/** A company prefix table for the test: the prefixes these keys start with (after a GTIN's or SSCC's indicator digit). */
const KNOWN = ["0614141", "4012345"];
const prefixLength: CompanyPrefixLength = (ai, value) => {
  const digits = ai === "01" || ai === "00" ? value.slice(1) : ai === "8003" ? value.slice(1) : value;
  return KNOWN.find((p) => digits.startsWith(p))?.length;
};

// TDS 2.3 §7 (Correspondence between EPCs and GS1 Keys): each scheme's subsection, for the test names.
const TDS_SECTION: Record<string, string> = {
  sgtin: "§7.3 SGTIN",
  sscc: "§7.4 SSCC",
  sgln: "§7.5 SGLN",
  grai: "§7.6 GRAI",
  giai: "§7.7 GIAI",
  gsrn: "§7.8 GSRN",
  gdti: "§7.10 GDTI",
  lgtin: "§7.18 LGTIN",
};
const tdsSection = (urn: string) => (urn.startsWith("urn:epc:idpat:") ? "§8 URIs for EPC Pure identity patterns" : (TDS_SECTION[urn.split(":")[3]!] ?? "§7"));

describe("conformance: EPCIS 2.0 REST binding GS1-EPC-Format (EPC Tag Data Standard 2.3 §7 Correspondence between EPCs and GS1 Keys: EPC URN <-> GS1 Digital Link)", function () {
  for (const [urn, dl] of TDS) {
    it(`GS1-EPC-Format Always_GS1_Digital_Link, TDS 2.3 ${tdsSection(urn)}, to a canonical GS1 Digital Link URI (GS1 DL URI Syntax 1.2 §4.11): ${urn} -> ${dl}`, function () {
      expect(formatEpc(urn, "Always_GS1_Digital_Link")).to.equal(dl);
      expect(formatEpc(dl, "Always_GS1_Digital_Link"), "a Digital Link stays").to.equal(dl);
    });
    it(`GS1-EPC-Format Always_EPC_URN, TDS 2.3 ${tdsSection(urn)}: ${dl} -> ${urn} (company prefix length known)`, function () {
      expect(formatEpc(dl, "Always_EPC_URN", { companyPrefixLength: prefixLength })).to.equal(urn);
      expect(formatEpc(urn, "Always_EPC_URN"), "a URN stays").to.equal(urn);
    });
  }

  it("GS1-EPC-Format Always_EPC_URN, TDS 2.3 §7.1 The GS1 Company Prefix (GCP) in EPC encodings: without the company prefix length a Digital Link is kept as captured", function () {
    for (const [, dl] of TDS) expect(formatEpc(dl, "Always_EPC_URN")).to.equal(dl);
    expect(formatEpc(TDS[0]![1], "Always_EPC_URN", { companyPrefixLength: () => undefined })).to.equal(TDS[0]![1]);
  });

  it("GS1-EPC-Format Always_EPC_URN: a Digital Link on another host, with a query string, reads as the URN of the identifier it names", function () {
    expect(formatEpc("https://example.com/shop/01/80614141123458/21/6789?17=290101", "Always_EPC_URN", { companyPrefixLength: prefixLength })).to.equal(
      TDS[0]![0],
    );
  });

  it("TDS 2.3 §6.3 EPC URI syntax, partitions: a URN whose company prefix and reference do not make the key's length, or a wrong prefix length, is not translated", function () {
    // 0614141 + 07346 is 12 digits: not an SGTIN (13), but the right length for an SGLN.
    expect(formatEpc("urn:epc:id:sgtin:0614141.07346.2017", "Always_GS1_Digital_Link")).to.equal("urn:epc:id:sgtin:0614141.07346.2017");
    expect(formatEpc("urn:epc:id:sgln:0614141.07346.1234", "Always_GS1_Digital_Link")).to.equal(`${ID}/414/0614141073467/254/1234`);
    expect(formatEpc("urn:epc:id:sscc:0614141.123456789", "Always_GS1_Digital_Link")).to.equal("urn:epc:id:sscc:0614141.123456789");
    expect(formatEpc(TDS[0]![1], "Always_EPC_URN", { companyPrefixLength: () => 13 })).to.equal(TDS[0]![1]);
  });

  it("known company prefixes (prefixLengthFrom): the prefix after a GTIN's indicator, an SSCC's extension digit, a GRAI's leading 0; the longest that matches", function () {
    const lookup = prefixLengthFrom(["0614141", "061414", "4012345", "12"]);
    expect(lookup("01", "80614141123458")).to.equal(7);
    expect(lookup("00", "106141412345678908")).to.equal(7);
    expect(lookup("8003", "00614141123452400")).to.equal(7);
    expect(lookup("414", "0614141123452")).to.equal(7);
    expect(lookup("414", "0614140000009")).to.equal(6);
    expect(lookup("01", "04012345123456")).to.equal(7);
    expect(lookup("01", "09521234000013"), "no prefix known").to.equal(undefined);
    expect(lookup("414", "1200000000003"), "not a 6-12 digit prefix").to.equal(undefined);
    for (const [urn, dl] of TDS) expect(formatEpc(dl, "Always_EPC_URN", { companyPrefixLength: prefixLengthFrom(KNOWN) })).to.equal(urn);
  });

  it("not EPCs are never translated: geo: URIs, transactions, other URLs and URNs", function () {
    for (const v of [
      "geo:22.300,-118.44",
      "http://transaction.acme.com/po/12345678",
      "urn:epcglobal:cbv:bt:0614141073467:1152",
      "https://example.com/x",
      "urn:uuid:6f6e2b1e-0000-4000-8000-000000000000",
    ])
      for (const f of ["Always_GS1_Digital_Link", "Always_EPC_URN"] as const) expect(formatEpc(v, f, { companyPrefixLength: prefixLength })).to.equal(v);
  });

  it("GS1-EPC-Format Never_Translates and No_Preference: the event as captured (the same object)", function () {
    const e = { type: "ObjectEvent", epcList: [TDS[0]![0], TDS[1]![1]] };
    expect(formatEventEpcs(e, "Never_Translates")).to.equal(e);
    expect(formatEventEpcs(e, "No_Preference")).to.equal(e);
  });

  it("EPCIS 2.0 §9.6.3 / §9.6.4 examples: every EPC field of the URN example, as Digital Link, is its DigitalLink twin's where the twin translated it", function () {
    for (const [urnFile, dlFile] of [
      ["Example_9.6.3-AggregationEvent.jsonld", "Example_9.6.3-AggregationEventWithDigitalLink.jsonld"],
      ["Example_9.6.4-TransformationEvent.jsonld", "Example_9.6.4-TransformationEventWithDigitalLink.jsonld"],
    ]) {
      const urnEvent = (readJson(standardsFile("epcis", "examples", urnFile!)) as { epcisBody: { eventList: Record<string, unknown>[] } }).epcisBody
        .eventList[0]!;
      const dlEvent = (readJson(standardsFile("epcis", "examples", dlFile!)) as { epcisBody: { eventList: Record<string, unknown>[] } }).epcisBody
        .eventList[0]!;
      const asDl = formatEventEpcs(urnEvent, "Always_GS1_Digital_Link");
      const list = urnEvent.childQuantityList ? "childQuantityList" : "inputQuantityList";
      const twin = (dlEvent[list] as { epcClass: string }[]).map((q) => q.epcClass);
      const ours = (asDl[list] as { epcClass: string }[]).map((q) => q.epcClass);
      for (const [i, v] of twin.entries()) if (v.startsWith(ID)) expect(ours[i], `${urnFile} ${list}.${i}`).to.equal(v);
      // Back to URNs: the URN example's values again.
      expect(formatEventEpcs(asDl, "Always_EPC_URN", { companyPrefixLength: prefixLength })[list]).to.deep.equal(urnEvent[list]);
      expect(urnEvent[list], "the event itself is not changed").to.not.deep.equal(asDl[list]);
    }
  });

  it("every EPC field is translated: EPC lists, parentID, quantity classes, readPoint, bizLocation, sources and destinations", function () {
    const [sgtin, sscc, sgln] = [TDS[0]!, TDS[1]!, TDS[2]!];
    const e = {
      type: "AggregationEvent",
      parentID: sscc[0],
      childEPCs: [sgtin[0]],
      childQuantityList: [{ epcClass: TDS[8]![0], quantity: 2 }],
      readPoint: { id: sgln[0] },
      bizLocation: { id: sgln[0], "example:x": 1 },
      sourceList: [{ type: "owning_party", source: "urn:epc:id:pgln:0614141.12345" }],
      destinationList: [{ type: "location", destination: sgln[0] }],
      bizTransactionList: [{ type: "po", bizTransaction: "urn:epc:id:gdti:0614141.12345.400" }],
    };
    const out = formatEventEpcs(e, "Always_GS1_Digital_Link");
    expect(out).to.deep.equal({
      ...e,
      parentID: sscc[1],
      childEPCs: [sgtin[1]],
      childQuantityList: [{ epcClass: TDS[8]![1], quantity: 2 }],
      readPoint: { id: sgln[1] },
      bizLocation: { id: sgln[1], "example:x": 1 },
      sourceList: [{ type: "owning_party", source: `${ID}/417/0614141123452` }],
      destinationList: [{ type: "location", destination: sgln[1] }],
    });
    expect(formatEventEpcs(out, "Always_EPC_URN", { companyPrefixLength: prefixLength })).to.deep.equal(e);
  });
});
