import type { HubClient } from "./client";
import { ResolveAnswerSchema, type ResolveAnswer } from "./resolve";

/**
 * Every identifier the caller may see of what `id` names (docs/resolve.md): a record id, digest,
 * Merkle leaf, ONE Record object IRI, EPCIS eventID, EPC URN, GS1 Digital Link or air waybill
 * number. A HubError 404 when it names nothing the caller may read. Check each record's proof with
 * checkResolvedProof, or verify it fully with verifyRecord.
 */
export function resolve(client: HubClient, id: string): Promise<ResolveAnswer> {
  return client.call("GET", `/v1/resolve?${new URLSearchParams({ id }).toString()}`, ResolveAnswerSchema);
}
