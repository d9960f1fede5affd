import type { EpcisEvent } from "./document";

const EPC_LISTS = ["epcList", "childEPCs", "inputEPCList", "outputEPCList"] as const;
const QUANTITY_LISTS = ["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"] as const;

/** Every EPC and EPC class the event names, as written, each once, in the event's order. */
export function epcsOf(event: EpcisEvent): string[] {
  const out = new Set<string>();
  if (event.parentID) out.add(event.parentID);
  for (const list of EPC_LISTS) for (const epc of event[list] ?? []) out.add(epc);
  for (const list of QUANTITY_LISTS) for (const q of event[list] ?? []) out.add(q.epcClass);
  return [...out];
}

/**
 * How an event names a hub record: `urn:cargoproof:record:{id}` (a URN, so the event and its hash
 * do not depend on the hub's address).
 */
export const RECORD_URN_PREFIX = "urn:cargoproof:record:";

export function recordUrn(recordId: string): string {
  return RECORD_URN_PREFIX + recordId;
}

const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Hub records the event points at: certificationInfo values and bizTransaction values naming one. */
export function linksOf(event: EpcisEvent): { recordId: string }[] {
  const certs = event.certificationInfo === undefined ? [] : Array.isArray(event.certificationInfo) ? event.certificationInfo : [event.certificationInfo];
  const values = [...certs, ...(event.bizTransactionList ?? []).map((t) => t.bizTransaction)];
  const ids = new Set<string>();
  for (const v of values) {
    if (!v.startsWith(RECORD_URN_PREFIX)) continue;
    const id = v.slice(RECORD_URN_PREFIX.length);
    if (RECORD_ID.test(id)) ids.add(id);
  }
  return [...ids].map((recordId) => ({ recordId }));
}
