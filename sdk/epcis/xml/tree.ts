import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { MAX_JSON_DEPTH } from "../../json-shape";

/**
 * Safe XML reading for the EPCIS XML binding: well-formedness checked, no DTD (so no entity
 * other than XML's five predefined ones and character references: no XXE, no billion laughs),
 * nesting bounded by the same depth as JSON bodies, size bounded, and namespaces resolved
 * (fast-xml-parser keeps prefixes as written; the binding's rules are about namespaces).
 */

/** Where a document breaks a rule of the XML binding: `path` names the element, `rule` what it breaks. */
export class EpcisXmlError extends Error {
  constructor(
    readonly path: string,
    readonly rule: string,
    /** What is wrong, without the path. */
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = "EpcisXmlError";
  }
}

export interface XmlAttribute {
  /** Namespace URI ("" for an unqualified attribute). */
  ns: string;
  local: string;
  prefix: string;
  value: string;
}

export interface XmlElement {
  ns: string;
  local: string;
  /** The prefix as written ("" for none). */
  prefix: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  /** The element's own character data (text and CDATA), concatenated. */
  text: string;
  /** e.g. `/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[2]`, for errors. */
  path: string;
  /** The in-scope prefix declarations (prefix -> namespace), "" for the default namespace. */
  scope: ReadonlyMap<string, string>;
}

export const XML_NS = "http://www.w3.org/XML/1998/namespace";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";

/** The largest XML document read (the JSON body limit of server/http/body.ts). */
export const MAX_XML_BYTES = 5 * 1024 * 1024;

export interface XmlLimits {
  maxBytes?: number;
  maxDepth?: number;
}

// A DOCTYPE that only names the root (`<!DOCTYPE project>`, seen in published examples) declares
// nothing and is dropped; any other DTD (internal subset, SYSTEM/PUBLIC identifiers) is refused.
const HARMLESS_DOCTYPE = /<!DOCTYPE\s+[A-Za-z_][\w.:-]*\s*>/;

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Undoes XML's predefined entities and character references; anything else is not XML without a DTD. */
function decode(raw: string, path: string): string {
  return raw.replace(/&([^;&\s]{0,32});|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new EpcisXmlError(path, "well-formed", "a bare '&' (write &amp;)");
    const predefined = PREDEFINED[ref];
    if (predefined !== undefined) return predefined;
    const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (m) {
      const code = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
      const allowed =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff);
      if (!allowed) throw new EpcisXmlError(path, "well-formed", `${whole} is not an XML character`);
      return String.fromCodePoint(code);
    }
    throw new EpcisXmlError(path, "no-dtd", `the entity ${whole} is not declared (only XML's predefined entities are, and DTDs are refused)`);
  });
}

type Ordered = Record<string, unknown>;

const parser = (maxDepth: number) =>
  new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    allowBooleanAttributes: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: maxDepth,
  });

/** Parses an XML document into a namespace-resolved element tree, or throws an EpcisXmlError. */
export function parseXml(xml: string, { maxBytes = MAX_XML_BYTES, maxDepth = MAX_JSON_DEPTH }: XmlLimits = {}): XmlElement {
  if (Buffer.byteLength(xml, "utf8") > maxBytes) throw new EpcisXmlError("", "size", `the document is larger than ${maxBytes} bytes`);
  const text = xml.replace(/^\uFEFF/, "").replace(HARMLESS_DOCTYPE, "");
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text))
    throw new EpcisXmlError("", "no-dtd", "a document type declaration (DTD) or entity declaration is refused");
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw new EpcisXmlError("", "well-formed", `not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  let nodes: Ordered[];
  try {
    nodes = parser(maxDepth).parse(text) as Ordered[];
  } catch (err) {
    if (err instanceof Error && /nested/i.test(err.message)) throw new EpcisXmlError("", "depth", `elements nest deeper than ${maxDepth} levels`);
    throw new EpcisXmlError("", "well-formed", `not well-formed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const roots = nodes.filter((n) => !("#text" in n));
  if (roots.length !== 1) throw new EpcisXmlError("", "well-formed", "an XML document has exactly one root element");
  return build(roots[0]!, new Map(), "", 1, maxDepth);
}

function nameOf(node: Ordered): string {
  const name = Object.keys(node).find((k) => k !== ":@");
  if (name === undefined) throw new EpcisXmlError("", "well-formed", "an empty node");
  return name;
}

function split(qname: string): [prefix: string, local: string] {
  const i = qname.indexOf(":");
  return i < 0 ? ["", qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

// Element nesting is bounded by maxNestedTags, so this recursion is bounded too.
function build(node: Ordered, parentScope: ReadonlyMap<string, string>, parentPath: string, depth: number, maxDepth: number, position = ""): XmlElement {
  if (depth > maxDepth) throw new EpcisXmlError(parentPath, "depth", `elements nest deeper than ${maxDepth} levels`);
  const qname = nameOf(node);
  const path = `${parentPath}/${qname}${position}`;
  const rawAttributes = (node[":@"] ?? {}) as Record<string, string>;
  let scope = parentScope;
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name !== "xmlns" && !name.startsWith("xmlns:")) continue;
    if (scope === parentScope) scope = new Map(parentScope);
    (scope as Map<string, string>).set(name === "xmlns" ? "" : name.slice(6), decode(value, path));
  }
  const resolve = (prefix: string, forAttribute: boolean): string => {
    if (prefix === "xml") return XML_NS;
    if (prefix === "" && forAttribute) return "";
    const ns = scope.get(prefix);
    if (ns === undefined) {
      if (prefix === "") return "";
      throw new EpcisXmlError(path, "namespace", `the prefix '${prefix}' is not declared`);
    }
    return ns;
  };
  const [prefix, local] = split(qname);
  const attributes: XmlAttribute[] = [];
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === "xmlns" || name.startsWith("xmlns:")) continue;
    const [p, l] = split(name);
    attributes.push({ ns: resolve(p, true), local: l, prefix: p, value: decode(value, `${path}/@${name}`) });
  }
  const childNodes = (node[qname] ?? []) as Ordered[];
  let text = "";
  const elementNodes: Ordered[] = [];
  for (const child of childNodes) {
    if ("#text" in child) text += decode(String(child["#text"]), path);
    else elementNodes.push(child);
  }
  // Position suffixes ([n]) only where a name repeats among siblings, as XPath would need them.
  const counts = new Map<string, number>();
  for (const c of elementNodes) counts.set(nameOf(c), (counts.get(nameOf(c)) ?? 0) + 1);
  const seen = new Map<string, number>();
  const children = elementNodes.map((c) => {
    const n = nameOf(c);
    const i = (seen.get(n) ?? 0) + 1;
    seen.set(n, i);
    return build(c, scope, path, depth + 1, maxDepth, (counts.get(n) ?? 0) > 1 ? `[${i}]` : "");
  });
  return { ns: resolve(prefix, false), local, prefix, attributes, children, text, path, scope };
}

/**
 * A UTF-8 XML document of one root in fast-xml-parser's ordered form (attributes under ":@" as
 * "@_name"), indented by two spaces, text escaped, an empty element written as `<x/>`.
 */
export function buildXml(root: Record<string, unknown>): string {
  const builder = new XMLBuilder({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    format: true,
    indentBy: "  ",
    suppressEmptyNode: true,
    processEntities: true,
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${(builder.build([root]) as string).trim()}\n`;
}
