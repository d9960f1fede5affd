import { recordIdOfIri } from "../../sdk/one-record/jsonld";

/**
 * The IRIs of the ONE Record API on this hub. One hub serves many parties, so a party is named by
 * `{PUBLIC_URL}/organizations/{orgId}` (the specification pictures one server per party, named by a
 * Company object on it), and every logistics object by `{PUBLIC_URL}/logistics-objects/{recordId}`.
 */
export class OneRecordIris {
  readonly base: string;

  constructor(publicUrl: string) {
    this.base = publicUrl.replace(/\/$/, "");
  }

  object(recordId: string): string {
    return `${this.base}/logistics-objects/${recordId}`;
  }

  event(objectId: string, eventId: string): string {
    return `${this.object(objectId)}/logistics-events/${eventId}`;
  }

  party(orgId: string): string {
    return `${this.base}/organizations/${orgId}`;
  }

  actionRequest(id: string): string {
    return `${this.base}/action-requests/${id}`;
  }

  subscription(id: string): string {
    return `${this.base}/subscriptions/${id}`;
  }

  /** The record id of an object IRI of this hub; undefined for any other IRI. */
  recordIdOf(iri: string): string | undefined {
    const prefix = `${this.base}/logistics-objects/`;
    if (!iri.startsWith(prefix)) return undefined;
    const rest = iri
      .slice(prefix.length)
      .replace(/[?#].*$/, "")
      .replace(/\/+$/, "");
    return rest !== "" && !rest.includes("/") ? rest : undefined;
  }

  /** The organisation id of a party IRI of this hub; undefined for any other IRI. */
  orgIdOf(iri: string): string | undefined {
    const prefix = `${this.base}/organizations/`;
    if (!iri.startsWith(prefix)) return undefined;
    const rest = recordIdOfIri(iri.slice(prefix.length));
    return rest !== "" ? rest : undefined;
  }
}
