import type { EpcisEventBody } from "../../sdk/records/epcis-event";
import { capturedDigest } from "../../sdk/epcis/records";
import type { DbProvider } from "../db/client";
import { chunks, placeholders, query, type Runner } from "../db/sql";

/** What an attester already holds under some event hashes: each record's id and its captured digest. */
export interface AttesterEvents {
  /** Record ids taken (either id form). */
  ids: Set<string>;
  /** capturedDigest of each stored event, with its record id: a capture with one of these is the same event again. */
  digests: Map<string, string>;
}

/**
 * The events `attester` (the capturing organisation of a hub-attested event, else the owner) stored
 * under any of `hashes`. Only its own: another organisation's identical event is no duplicate of
 * this one (and must not be revealed). Rows indexed before capturedDigest existed are read from
 * their record body.
 */
export async function attesterEvents(db: Runner, provider: DbProvider, attester: string, hashes: readonly string[]): Promise<AttesterEvents> {
  const out: AttesterEvents = { ids: new Set(), digests: new Map() };
  const unknown: string[] = [];
  for (const part of chunks([...new Set(hashes)])) {
    const rows = await query<{ recordId: string; capturedDigest: string | null }>(
      db,
      provider,
      `SELECT "recordId", "capturedDigest" FROM "EpcisEvent" WHERE "eventHash" IN (${placeholders(2, part.length)}) AND COALESCE("capturedBy", "owner") = $1`,
      [attester, ...part],
    );
    for (const r of rows) {
      out.ids.add(r.recordId);
      if (r.capturedDigest) out.digests.set(r.capturedDigest, r.recordId);
      else unknown.push(r.recordId);
    }
  }
  for (const part of chunks(unknown)) {
    const rows = await query<{ recordId: string; body: string }>(
      db,
      provider,
      `SELECT "recordId", "body" FROM "RecordVersion" WHERE "version" = 1 AND "recordId" IN (${placeholders(1, part.length)})`,
      part,
    );
    for (const r of rows) out.digests.set(capturedDigest(JSON.parse(r.body) as EpcisEventBody), r.recordId);
  }
  return out;
}
