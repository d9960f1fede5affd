import { checkJsonShape, JsonShapeError } from "../json-shape";
import { XmlReader } from "./xml/read";
import { EpcisXmlError, parseXml, type XmlLimits } from "./xml/tree";
import { writeXml } from "./xml/write";

/**
 * The EPCIS 2.0 XML binding (XSD EPCglobal-epcis-2_0.xsd, namespace urn:epcglobal:epcis:xsd:2)
 * as a conversion to and from the JSON-LD binding, which the hub captures and stores: both
 * represent the same events, and an event's hash is defined on its content, so an event captured
 * as XML is the event captured as JSON-LD. Rules and decisions: docs/epcis.md ("XML").
 */

export { EpcisXmlError, MAX_XML_BYTES } from "./xml/tree";
export { EPCIS_XML_NS, EPCIS_QUERY_XML_NS } from "./xml/binding";

/** A JSON-LD document as produced from XML: validated by the capture's schemas, like any JSON body. */
export type EpcisJsonLdDocument = Record<string, unknown>;

/**
 * The EPCIS 2.0 JSON-LD document (EPCISDocument or EPCISQueryDocument) an XML document represents.
 * Throws EpcisXmlError (naming the element and the rule) for anything that is not well-formed XML,
 * has a DTD or an undeclared entity, nests too deep, is too large, or breaks the binding's rules.
 */
export function epcisXmlToDocument(xml: string, limits?: XmlLimits): EpcisJsonLdDocument {
  const doc = new XmlReader().document(parseXml(xml, limits));
  try {
    // The same shape limits as a JSON body (server/http/body.ts): what the conversion built is walked recursively later.
    checkJsonShape(doc, limits?.maxDepth === undefined ? {} : { maxDepth: limits.maxDepth });
  } catch (err) {
    if (err instanceof JsonShapeError) throw new EpcisXmlError(err.path, err.fault === "too-deep" ? "depth" : "reserved-name", err.reason);
    throw err;
  }
  return doc;
}

/** The XML of an EPCIS 2.0 JSON-LD document. Throws EpcisXmlError for what XML cannot carry (a key without a namespace). */
export function epcisDocumentToXml(doc: EpcisJsonLdDocument): string {
  return writeXml(doc);
}
