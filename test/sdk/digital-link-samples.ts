// Values built by the GS1 rules (check digits computed here, independently of the SDK), shared by
// the Digital Link unit and conformance tests.
import type { Gs1Component } from "../../sdk/provenance/gs1/ai-types";
import { gs1CheckPair } from "../../sdk/provenance/gs1/linters";

// Check digits computed here, independently of the SDK: weights 3,1,3,... from the right.
export function mod10(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return body + String((10 - (sum % 10)) % 10);
}

export const GTIN = mod10("0950600013435");
export const SSCC = mod10("10614141234567890");
export const GLN = mod10("952123454321");

/** One valid URI per primary key of the dictionary, its qualifiers in their order. */
export const KEY_EXAMPLES: Record<string, string> = {
  "00": `/00/${SSCC}`,
  "01": `/01/${GTIN}/22/V1/10/L1/21/S1`,
  "253": `/253/${mod10("952123400001")}DOC-1`,
  "255": `/255/${mod10("952123400001")}12345`,
  "401": "/401/9521234CONS%2F1",
  "402": `/402/${mod10("9521234500001234")}`,
  "414": `/414/${GLN}/254/DOCK-7`,
  "415": `/415/${GLN}/8020/INV-42`,
  "417": `/417/${GLN}`,
  "8003": `/8003/0${mod10("952123400004")}RTI-9`,
  "8004": "/8004/9521234ASSET-1",
  "8006": `/8006/${GTIN}0102/22/V1/10/L1/21/S1`,
  "8010": "/8010/9521234%23A-1%2FB/8011/123",
  "8013": `/8013/9521234AB${gs1CheckPair("9521234AB")}`,
  "8017": `/8017/${mod10("95212345000012345")}/8019/42`,
  "8018": `/8018/${mod10("95212345000012345")}/8019/43`,
};

// A valid value for one component, by the rule its linters state.
export function sample(c: Gs1Component): string {
  const n = c.max;
  const digits = (k: number) => "1".repeat(k);
  const by: Record<string, () => string> = {
    csum: () => mod10("9".repeat(n - 1)),
    csumalpha: () => "9521234AB" + gs1CheckPair("9521234AB"),
    yymmd0: () => "250100",
    yymmdd: () => "250228",
    yyyymmdd: () => "20240229",
    hh: () => "23",
    mi: () => "59",
    ss: () => "59",
    hhmi: () => "2359",
    iso3166: () => "250",
    iso3166999: () => "999",
    iso3166alpha2: () => "FR",
    iso4217: () => "978",
    iso5218: () => "9",
    zero: () => "0",
    winding: () => "9",
    yesno: () => "0",
    hyphen: () => "-",
    pieceoftotal: () => "0".repeat(n / 2 - 1) + "1" + "0".repeat(n / 2 - 1) + "2",
    posinseqslash: () => "1/2",
    latitude: () => "1800000000",
    longitude: () => "3600000000",
    mediatype: () => "10",
    importeridx: () => "_",
    iban: () => "GB82WEST12345698765432",
  };
  const special = c.linters.find((l) => by[l]);
  if (special) return by[special]!();
  if (c.charset === "N") return digits(n);
  if (c.charset === "Y") return "9521234#-/".slice(0, n).padEnd(Math.min(n, 4), "9");
  if (c.charset === "Z") return "AZaz09-_".repeat(12).slice(0, n);
  return ("9521234Ab%25!" + "x".repeat(n)).slice(0, n); // gcppos1 wants digits first; pcenc a complete %XX
}
