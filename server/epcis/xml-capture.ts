import type { Request } from "express";
import { EpcisXmlError, epcisXmlToDocument } from "../../sdk/epcis/xml";
import { HttpProblem, badRequest } from "../http/problem";
import { CAPTURE_FILE_SIZE_LIMIT, tooLarge } from "./capture";

/** The media types of an EPCIS document on capture: the JSON-LD binding and the XML binding. */
export const JSON_CAPTURE_TYPES = ["application/json", "application/ld+json"];
export const XML_CAPTURE_TYPES = ["application/xml", "text/xml"];

/**
 * The capture document of a request: the JSON body as parsed, or the JSON-LD document an XML body
 * (EPCIS 2.0 XML binding) represents, so both go through the one capture path. A body the binding
 * refuses is a 400 naming the element and the rule; another media type a 415.
 */
export function captureDocument(req: Request): unknown {
  if (req.is(JSON_CAPTURE_TYPES)) return req.body;
  if (!req.is(XML_CAPTURE_TYPES))
    throw new HttpProblem(
      415,
      "unsupported-media-type",
      "Unsupported media type",
      "Send the EPCIS document as application/ld+json, application/json, or (the XML binding) application/xml or text/xml.",
    );
  // An empty or unparsed body (no text parser took it) is not an XML document.
  if (typeof req.body !== "string")
    throw badRequest("epcis-xml", "The body is not an XML document.", [{ path: "", message: "well-formed: an XML document is required" }]);
  if (Buffer.byteLength(req.body, "utf8") > CAPTURE_FILE_SIZE_LIMIT)
    throw tooLarge(`The document is larger than ${CAPTURE_FILE_SIZE_LIMIT} bytes per capture.`);
  try {
    return epcisXmlToDocument(req.body, { maxBytes: CAPTURE_FILE_SIZE_LIMIT });
  } catch (err) {
    if (!(err instanceof EpcisXmlError)) throw err;
    const where = err.path === "" ? "The XML document" : err.path;
    throw badRequest("epcis-xml", `${where} breaks the EPCIS 2.0 XML binding (${err.rule}).`, [{ path: err.path, message: `${err.rule}: ${err.detail}` }]);
  }
}
