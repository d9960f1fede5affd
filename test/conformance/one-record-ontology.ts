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
    if (types.includes("owl:NamedIndividual"))
      out.individuals.set(name, new Set(types.filter((t) => t.startsWith(":")).map((t) => t.slice(1))));
  }
  cached = out;
  return out;
}

/** The individuals of an api class (e.g. NotificationEventType), sorted. */
export const individualsOf = (cls: string): string[] =>
  [...apiOntology().individuals].filter(([, types]) => types.has(cls)).map(([name]) => name).sort();
