import { gs1CheckDigit } from "../records/codes";
import { GS1_AI82 } from "../records/product-batch";
import { DigitalLinkError, parseDigitalLink, type ProductCode } from "./digital-link";

/**
 * EPC identifiers (GS1 EPC Tag Data Standard URNs) and Digital Link URIs as EPCIS events write
 * them, mapped to the product they name. Only trade items (SGTIN, LGTIN, SGTIN patterns) map:
 * SSCC, SGLN, GRAI, ... name logistic units, places and assets, not products.
 */

// TDS: in a URN's serial or lot, these characters of set 82 are written as percent-escapes;
// every other set-82 character stands for itself.
const URN_ESCAPES: Record<string, string> = { "%22": '"', "%25": "%", "%26": "&", "%2F": "/", "%3C": "<", "%3E": ">", "%3F": "?" };
const URN_LITERAL = /^[!'()*+,\-.0-9:;=A-Z_a-z]$/;

function decodeUrnValue(raw: string): string | undefined {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === "%") {
      const decoded = URN_ESCAPES[raw.slice(i, i + 3).toUpperCase()];
      if (decoded === undefined) return undefined;
      out += decoded;
      i += 2;
    } else if (URN_LITERAL.test(raw[i])) out += raw[i];
    else return undefined;
  }
  return GS1_AI82.test(out) ? out : undefined;
}

// "CompanyPrefix.IndicatorAndItemReference" (13 digits together, prefix 6-12) to a GTIN-14: the
// indicator digit moves to the front and the check digit is appended.
function gtinOf(companyPrefix: string, indicatorItemRef: string): string | undefined {
  if (!/^\d{6,12}$/.test(companyPrefix) || !/^\d+$/.test(indicatorItemRef)) return undefined;
  if (companyPrefix.length + indicatorItemRef.length !== 13) return undefined;
  const first13 = indicatorItemRef[0] + companyPrefix + indicatorItemRef.slice(1);
  return first13 + gs1CheckDigit(first13);
}

const EPC_URN = /^urn:epc:(id|class|idpat):([a-z0-9]+):(.*)$/i;

function productOfUrn(epc: string): ProductCode | undefined {
  const m = EPC_URN.exec(epc);
  if (!m) return undefined;
  const kind = `${m[1].toLowerCase()}:${m[2].toLowerCase()}`;
  // The serial or lot may itself contain dots: only the first two separate.
  const parts = /^([^.]*)\.([^.]*)\.(.*)$/.exec(m[3]);
  if (!parts) return undefined;
  const [, companyPrefix, itemRef, last] = parts;
  if (kind === "idpat:sgtin" && companyPrefix !== "*" && itemRef !== "*" && last === "*") {
    const gtin = gtinOf(companyPrefix, itemRef);
    return gtin ? { gtin } : undefined;
  }
  // Anything else with a wildcard names many products (or is malformed); a pattern with a
  // concrete serial names one item, like the pure identity.
  if (kind !== "id:sgtin" && kind !== "class:lgtin" && kind !== "idpat:sgtin") return undefined;
  const gtin = gtinOf(companyPrefix, itemRef);
  const value = decodeUrnValue(last);
  if (!gtin || value === undefined) return undefined;
  return kind === "class:lgtin" ? { gtin, lot: value } : { gtin, serial: value };
}

/**
 * The product an EPC or EPC class names: urn:epc:id:sgtin (item), urn:epc:class:lgtin (lot),
 * urn:epc:idpat:sgtin:CP.ITEM.* (every item of a GTIN), or a GS1 Digital Link URI on any host.
 * undefined for anything else (SSCC, SGLN, ..., malformed identifiers, bad check digits).
 */
export function productOfEpc(epc: string): ProductCode | undefined {
  if (/^urn:/i.test(epc)) return productOfUrn(epc);
  if (!/^https?:\/\//i.test(epc)) return undefined;
  try {
    return parseDigitalLink(epc);
  } catch (e) {
    if (e instanceof DigitalLinkError) return undefined;
    throw e;
  }
}
