import type { SignedRecord } from "../../sdk/envelope";
import { OPERATOR_ORG_ID } from "../orgs/service";
import { HttpProblem } from "../http/problem";

// Record ids are unique hub-wide. Were a member free to pick any id for a new record, "taken" would
// tell it that another organisation holds a record under that id (an existence oracle). So a new
// record's id is one nobody else can take: a random UUID (what the SDK picks by default), or one under
// the owner's own prefix "<owner>:". An EpcisEvent's id is derived from its content and its attester
// ("epcis:<attester>:<hash>", checked by the EPCIS indexer), so its namespace is "epcis:<owner>:".
// The rule is applied before the store looks the id up, so its answer says nothing about other
// organisations. Later versions keep the id of their version 1; records stored before this rule keep
// theirs. The hub's own records (match results, attested captures) are the operator's to name.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Prefixes with a meaning of their own: no member's "<owner>:" namespace may start with them. */
const HUB_PREFIXES = ["epcis:", "match:", "match-h:", "mda:"];

/** Where `owner` may name a new record of `type`: its namespace prefix (a UUID is always fine too). */
export function recordIdNamespace(owner: string, type: string): string {
  return type === "EpcisEvent" ? `epcis:${owner}:` : `${owner}:`;
}

/** True when a new (version 1) record of `owner` may take `id` without anyone else's ids mattering. */
export function isOwnRecordId(owner: string, type: string, id: string): boolean {
  if (UUID.test(id)) return true;
  const namespace = recordIdNamespace(owner, type);
  if (!id.startsWith(namespace) || id.length === namespace.length) return false;
  return type === "EpcisEvent" || !HUB_PREFIXES.some((p) => id.startsWith(p));
}

/** Refuses a batch in which a member's new record is named outside its namespace (403, nothing stored). */
export function checkNewRecordIds(orgId: string, records: readonly SignedRecord[], single: boolean): void {
  if (orgId === OPERATOR_ORG_ID) return;
  records.forEach((r, i) => {
    if (r.version !== 1 || isOwnRecordId(r.owner, r.type, r.id)) return;
    const where = single ? "The record" : `records[${i}]`;
    throw new HttpProblem(
      403,
      "record-id-outside-namespace",
      "Forbidden",
      `${where}: a new record's id is a UUID or starts with "${recordIdNamespace(r.owner, r.type)}" (record ids are unique across the hub; your namespace keeps yours from meeting anyone else's).`,
      [{ path: single ? "id" : `records.${i}.id`, message: `expected a UUID or "${recordIdNamespace(r.owner, r.type)}…"` }],
    );
  });
}
