import { expect } from "chai";
import { digitalLinkToEpcUrn, epcUrnToDigitalLink } from "../../sdk/epcis/gs1-uri";
import { parseDigitalLinkUri } from "../../sdk/provenance/digital-link";
import { gs1CheckPair } from "../../sdk/provenance/gs1/linters";

function mod10(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return body + String((10 - (sum % 10)) % 10);
}

const CP = "9521234"; // a 7-digit GS1 Company Prefix
const ID = "https://id.gs1.org";

// Digital Link, EPC URN (TDS 2.x, § "EPC URI" of each scheme) pairs built by the schemes' rules.
const PAIRS: [string, string][] = [
  [`/01/${mod10("0" + CP + "00001")}/21/S%2F1`, `urn:epc:id:sgtin:${CP}.000001.S%2F1`],
  [`/01/${mod10("1" + CP + "00001")}/10/L1`, `urn:epc:class:lgtin:${CP}.100001.L1`],
  [`/01/${mod10("0" + CP + "00001")}/235/TPX1`, `urn:epc:id:upui:${CP}.000001.TPX1`],
  [`/00/${mod10("3" + CP + "000000042")}`, `urn:epc:id:sscc:${CP}.3000000042`],
  [`/414/${mod10(CP + "00001")}`, `urn:epc:id:sgln:${CP}.00001.0`],
  [`/414/${mod10(CP + "00001")}/254/DOCK7`, `urn:epc:id:sgln:${CP}.00001.DOCK7`],
  [`/417/${mod10(CP + "00002")}`, `urn:epc:id:pgln:${CP}.00002`],
  [`/8003/0${mod10(CP + "00003")}RTI9`, `urn:epc:id:grai:${CP}.00003.RTI9`],
  [`/8004/${CP}ASSET-1`, `urn:epc:id:giai:${CP}.ASSET-1`],
  [`/253/${mod10(CP + "00004")}D1`, `urn:epc:id:gdti:${CP}.00004.D1`],
  [`/255/${mod10(CP + "00005")}77`, `urn:epc:id:sgcn:${CP}.00005.77`],
  [`/8017/${mod10(CP + "0000000006")}`, `urn:epc:id:gsrnp:${CP}.0000000006`],
  [`/8018/${mod10(CP + "0000000007")}`, `urn:epc:id:gsrn:${CP}.0000000007`],
  [`/401/${CP}CONS-1`, `urn:epc:id:ginc:${CP}.CONS-1`],
  [`/402/${mod10(CP + "000000008")}`, `urn:epc:id:gsin:${CP}.000000008`],
  [`/8006/${mod10("0" + CP + "00001")}0102/21/P1`, `urn:epc:id:itip:${CP}.000001.01.02.P1`],
  [`/8010/${CP}%23A-1%2FB/8011/123`, `urn:epc:id:cpi:${CP}.%23A-1%2FB.123`],
];

describe("EPC URN <-> GS1 Digital Link for every EPC scheme of a primary key", function () {
  for (const [path, urn] of PAIRS)
    it(`${urn} <-> ${path}`, function () {
      expect(epcUrnToDigitalLink(urn)).to.equal(ID + path);
      expect(parseDigitalLinkUri(ID + path).key.ai).to.equal(path.split("/")[1]);
      expect(digitalLinkToEpcUrn(ID + path, CP.length)).to.equal(urn);
    });

  it("has no URN for a key without the part the scheme needs (GTIN alone, GRAI or GDTI without serial, ITIP without serial)", function () {
    for (const path of [
      `/01/${mod10("0" + CP + "00001")}`,
      `/8003/0${mod10(CP + "00003")}`,
      `/253/${mod10(CP + "00004")}`,
      `/8006/${mod10("0" + CP + "00001")}0102`,
    ])
      expect(digitalLinkToEpcUrn(path, 7), path).to.equal(undefined);
    expect(digitalLinkToEpcUrn(`/8013/${CP}AB${gs1CheckPair(CP + "AB")}`, 7)).to.equal(undefined); // GMN: no EPC scheme
  });

  it("needs the company prefix length (6 to 12) and a valid Digital Link", function () {
    expect(() => digitalLinkToEpcUrn(PAIRS[3]![0], 5)).to.throw(RangeError);
    expect(() => digitalLinkToEpcUrn("/00/123", 7)).to.throw(/AI 00/);
  });
});
