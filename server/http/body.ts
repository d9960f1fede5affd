import express, { type RequestHandler } from "express";
import { checkJsonShape, JsonShapeError, MAX_JSON_DEPTH } from "../../sdk/json-shape";
import { badRequest } from "./problem";

/**
 * The request body parsers every route shares. JSON (and any `+json`, e.g. JSON-LD) up to 5 MB and
 * forms up to 100 kB; XML (EPCIS capture's XML binding) as text up to 5 MB, parsed by its route
 * (sdk/epcis/xml.ts: no DTD, same depth limit); a compressed body (gzip, deflate, br) is inflated and the limit applies to the
 * inflated size, so a small "bomb" is refused as too large. Their errors become problems in
 * problemHandler (`bodyParserProblem`). Then the parsed body's shape is checked once, for every
 * route: no nesting deeper than MAX_JSON_DEPTH, no reserved key (`__proto__`...) anywhere.
 */
export function bodyParsers(): RequestHandler[] {
  return [
    express.json({ limit: "5mb", type: ["application/json", "application/*+json"] }),
    express.urlencoded({ extended: false, limit: "100kb" }),
    express.text({ limit: "5mb", type: ["application/xml", "text/xml"] }),
    checkBodyShape,
  ];
}

const checkBodyShape: RequestHandler = (req, _res, next) => {
  try {
    checkJsonShape(req.body);
  } catch (err) {
    if (!(err instanceof JsonShapeError)) throw err;
    const errors = [{ path: err.path, message: err.reason }];
    if (err.fault === "too-deep") return next(badRequest("too-deep", `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, errors));
    return next(badRequest("reserved-field-name", `'${err.path.split(".").pop()}' is reserved and cannot name a field.`, errors));
  }
  next();
};
