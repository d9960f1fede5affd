import { ONE_RECORD_CONTEXT } from "../../sdk/one-record/vocabulary";
import { OPERATOR_ORG_ID } from "../orgs/service";
import type { OneRecordIris } from "./iris";

export const ONE_RECORD_API_VERSION = "2.3.0";
const ONTOLOGIES = ["https://onerecord.iata.org/ns/cargo/3.2.0", `https://onerecord.iata.org/ns/api/${ONE_RECORD_API_VERSION}`];

/** GET /: what this ONE Record server speaks. The data holder is the hub's operator: it serves every party. */
export function serverInformation(iris: OneRecordIris): Record<string, unknown> {
  return {
    "@context": {
      ...ONE_RECORD_CONTEXT,
      "api:hasServerEndpoint": { "@type": "xsd:anyURI" },
      "api:hasSupportedOntology": { "@type": "xsd:anyURI" },
      "api:hasSupportedOntologyVersion": { "@type": "xsd:anyURI" },
    },
    "@id": `${iris.base}/`,
    "@type": "api:ServerInformation",
    "api:hasDataHolder": { "@id": iris.party(OPERATOR_ORG_ID) },
    "api:hasServerEndpoint": iris.base,
    "api:hasSupportedApiVersion": [ONE_RECORD_API_VERSION],
    "api:hasSupportedContentType": ["application/ld+json"],
    "api:hasSupportedLanguage": ["en-US"],
    "api:hasSupportedOntology": ONTOLOGIES,
    "api:hasSupportedOntologyVersion": ONTOLOGIES,
  };
}
