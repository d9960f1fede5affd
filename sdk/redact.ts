import { fieldHash } from "./digest";
import type { SignedRecord } from "./envelope";

/**
 * Selective disclosure: returns a copy of `record` in which each named field is replaced by its
 * field hash in `hidden` (body value and salt dropped). The digest, and so the signature and the
 * anchor proof, stay valid. Hiding an already hidden field is a no-op; a name that is neither
 * visible nor hidden throws. The input record is not modified.
 */
export function redact(record: SignedRecord, hide: string[]): SignedRecord {
  const body = { ...record.body };
  const salts = { ...record.salts };
  const hidden: Record<string, string> = { ...(record.hidden ?? {}) };
  for (const name of hide) {
    if (Object.hasOwn(hidden, name) && !Object.hasOwn(body, name)) continue;
    if (!Object.hasOwn(body, name)) throw new Error(`cannot redact '${name}': the record has no such field`);
    if (!Object.hasOwn(salts, name)) throw new Error(`cannot redact '${name}': the field has no salt`);
    hidden[name] = fieldHash(salts[name], name, body[name]);
    delete body[name];
    delete salts[name];
  }
  const { hidden: _previous, ...rest } = record;
  return Object.keys(hidden).length > 0 ? { ...rest, body, salts, hidden } : { ...rest, body, salts };
}
