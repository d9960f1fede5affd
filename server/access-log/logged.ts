import type { AccessLogDraft } from "../../sdk/access-log";
import type { Db } from "../db/client";
import { Prisma } from "../db/.generated/sqlite/client";
import { HttpProblem } from "../http/problem";
import type { AccessLogWriter } from "./writer";

type Action = Exclude<AccessLogDraft["action"], "DENY">;

/**
 * Runs one access to a record on behalf of `actor` and logs it: the action when it succeeds, DENY
 * (naming the action refused) when the record is missing or not visible to the actor. The denied
 * line names the record's data holder when there is one, so holders see attempts on their records; the
 * caller still gets the same 404 either way. The answer is sent only after its line is stored.
 */
export async function loggedAccess<T>(
  log: AccessLogWriter,
  db: Db,
  line: { actor: string; action: Action; recordId: string; detail?: string },
  access: () => Promise<T>,
  /** What the success line names; undefined logs no success line (a pre-check before the real action). */
  target: (result: T) => { owner: string; version?: number | null } | undefined,
): Promise<T> {
  const at = () => new Date().toISOString();
  let result: T;
  try {
    result = await access();
  } catch (err) {
    if (err instanceof HttpProblem && err.status === 404) {
      // Its data holder: the owner, or the organisation a hub-attested record speaks for (one statement either way).
      const [record] = await db.$queryRaw<{ owner: string }[]>(
        Prisma.sql`SELECT COALESCE(a."holder", r."owner") AS "owner" FROM "Record" r LEFT JOIN "HubAttestation" a ON a."recordId" = r."id" WHERE r."id" = ${line.recordId}`,
      );
      await log.append({
        at: at(),
        actor: line.actor,
        action: "DENY",
        recordId: line.recordId,
        version: null,
        owner: record?.owner ?? null,
        detail: line.action,
      });
    }
    throw err;
  }
  const logged = target(result);
  if (!logged) return result;
  const { owner, version } = logged;
  await log.append({
    at: at(),
    actor: line.actor,
    action: line.action,
    recordId: line.recordId,
    version: version ?? null,
    owner,
    detail: line.detail ?? null,
  });
  return result;
}

/**
 * The DENY line of a refused lookup that names no record (an access request, an item's custody
 * chain, a whole-hub export): `what` says what was asked and the action refused.
 */
export function deniedLookup(actor: string, what: string): AccessLogDraft {
  return { at: new Date().toISOString(), actor, action: "DENY", recordId: null, version: null, owner: null, detail: what };
}

/** Where a READ line points: the record version shown, and its data holder (the owner, or whom a hub-attested record speaks for). */
export interface ShownRecord {
  id: string;
  version: number | null;
  owner: string | null;
}

/** The READ line of a record shown to `actor`; `detail` says through what (capped to the log's 500 characters). */
export function readLine(actor: string, shown: ShownRecord, detail: string, at: string = new Date().toISOString()): AccessLogDraft {
  return { at, actor, action: "READ", recordId: shown.id, version: shown.version, owner: shown.owner, detail: detail.slice(0, 500) };
}
