import type { Db } from "../db/client";
import { notFound } from "../http/problem";

/**
 * The record's header if the caller may read it: it owns it, or holds an unexpired, unrevoked
 * grant. Otherwise the same 404 as for a record that does not exist, so nothing leaks.
 */
export async function readableRecord(db: Db, orgId: string, recordId: string) {
  const record = await db.record.findUnique({ where: { id: recordId } });
  if (!record) throw notFound();
  if (record.owner === orgId) return record;
  const now = new Date();
  const grant = await db.grant.findFirst({
    where: { recordId, grantee: orgId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { id: true },
  });
  if (!grant) throw notFound();
  return record;
}

/** The record's header if the caller owns it; 404 when it does not exist or the caller cannot see it. */
export async function ownedRecord(db: Db, orgId: string, recordId: string) {
  const record = await readableRecord(db, orgId, recordId);
  if (record.owner !== orgId) throw notFound();
  return record;
}
