// The ONE Record API ontology (ONE-Record-API-Ontology.ttl) as the tests need it: which api names are
// properties, classes and individuals, and of which classes. Read from the Turtle file itself (its
// "###  <IRI>" sections, each one subject with its rdf:type), so a test checks against the
// published vocabulary, not a copy of it.
import { readFileSync } from "node:fs";
import { standardsFile } from "./standards";

export const API_NS = "https://onerecord.iata.org/ns/api#";

export interface ApiOntology {
  properties: Set<string>;
  classes: Set<string>;
  /** Each named individual with the api classes it is typed with (":NotificationEventType", ...). */
  individuals: Map<string, Set<string>>;
}

let cached: ApiOntology | undefined;

export function apiOntology(): ApiOntology {
  if (cached) return cached;
  const ttl = readFileSync(standardsFile("one-record", "ONE-Record-API-Ontology.ttl"), "utf8");
  const out: ApiOntology = { properties: new Set(), classes: new Set(), individuals: new Map() };
  for (const section of ttl.split(/\n(?=###  )/)) {
    const name = /^###  https:\/\/onerecord\.iata\.org\/ns\/api#(\w+)/.exec(section)?.[1];
    if (!name) continue;
    // The subject's own statement: ":name rdf:type A , B ;" up to its first ";" or ".".
    const head = new RegExp(`\\n:${name}\\s+rdf:type\\s+([^;.]*(?:\\.[^\\s;][^;.]*)*)`).exec(section)?.[1] ?? "";
    const types = head.split(",").map((t) => t.trim());
    if (types.some((t) => /^owl:(Object|Datatype|Annotation)Property$/.test(t))) out.properties.add(name);
    if (types.includes("owl:Class")) out.classes.add(name);
    if (types.includes("owl:NamedIndividual")) out.individuals.set(name, new Set(types.filter((t) => t.startsWith(":")).map((t) => t.slice(1))));
  }
  cached = out;
  return out;
}

/** The individuals of an api class (e.g. NotificationEventType), sorted. */
export const individualsOf = (cls: string): string[] =>
  [...apiOntology().individuals]
    .filter(([, types]) => types.has(cls))
    .map(([name]) => name)
    .sort();

/**
 * The classes of the data model (IATA-1R-DM-Ontology.ttl) that are `root` or below it, by local
 * name, sorted: each class section's rdfs:subClassOf named classes (not its restrictions), followed up.
 */
export function cargoClassesUnder(root: string): string[] {
  const ttl = readFileSync(standardsFile("one-record", "IATA-1R-DM-Ontology.ttl"), "utf8");
  const parents = new Map<string, Set<string>>();
  for (const section of ttl.split(/\n(?=###  )/)) {
    const name = /^###  https:\/\/onerecord\.iata\.org\/ns\/cargo#(\w+)/.exec(section)?.[1];
    if (!name || !section.includes("owl:Class")) continue;
    const named = new Set<string>();
    for (const m of section.matchAll(/rdfs:subClassOf/g)) {
      // The object list up to the statement's end, without the [ ... ] restrictions inside it.
      let depth = 0;
      let top = "";
      for (const c of section.slice(m.index! + m[0].length)) {
        if (c === "[") depth++;
        else if (c === "]") depth--;
        else if (depth === 0 && (c === ";" || c === ".")) break;
        else if (depth === 0) top += c;
      }
      for (const p of top.matchAll(/(?<![\w#]):(\w+)/g)) named.add(p[1]!);
    }
    parents.set(name, named);
  }
  const under = (c: string, seen: Set<string>): boolean =>
    c === root || [...(parents.get(c) ?? [])].some((p) => !seen.has(p) && under(p, new Set([...seen, c])));
  return [...parents.keys()].filter((c) => under(c, new Set())).sort();
}
