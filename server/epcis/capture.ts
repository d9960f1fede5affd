import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { epcisEventBodies, EpcisDocumentError } from "../../sdk/epcis/records";
import { EventHashError } from "../../sdk/epcis/event-hash";
import { epcisRecordId, type EpcisEventBody } from "../../sdk/records/epcis-event";
import { capturedDigest, epcisVariantRecordId } from "../../sdk/epcis/records";
import type { Db, DbProvider } from "../db/client";
import { execute, query } from "../db/sql";
import { HttpProblem, badRequest, notFound } from "../http/problem";
import type { HubPublisher } from "../records/hub-publisher";
import { attesterEvents } from "./captured";
import { storeMasterData, type MasterDataElement } from "./master-data";

/** Capture limits, announced in GS1-Capture-Limit / GS1-Capture-File-Size-Limit. */
export const CAPTURE_LIMIT = 500;
export const CAPTURE_FILE_SIZE_LIMIT = 2 * 1024 * 1024;

export type CaptureErrorBehaviour = "rollback" | "proceed";

/** eventID: the event's hash (its own eventID, if any, is in the event); recordId: the hub's record of it. */
export interface CaptureEventOutcome {
  eventID: string;
  status: "captured" | "duplicate" | "failed";
  recordId: string;
}

/** A capture job as the REST binding shows it (plus each event's outcome). */
export interface CaptureJobView {
  captureID: string;
  createdAt: string;
  finishedAt?: string;
  running: boolean;
  success: boolean;
  captureErrorBehaviour: CaptureErrorBehaviour;
  errors: { type: string; title: string; detail?: string; eventID?: string }[];
  events: CaptureEventOutcome[];
}

interface JobRow {
  id: string;
  orgId: string;
  behaviour: string;
  running: number | bigint;
  success: number | bigint;
  createdAt: string;
  finishedAt: string | null;
  result: string | null;
}

const tooLarge = (detail: string) =>
  new HttpProblem(413, "epcis-capture-limit", "Payload too large", detail, undefined, {
    "GS1-Capture-Limit": String(CAPTURE_LIMIT),
    "GS1-Capture-File-Size-Limit": String(CAPTURE_FILE_SIZE_LIMIT),
  });

/** The EpcisEvent bodies of a capture document, or a 400/413 problem. */
export function captureBodies(raw: unknown, capturedBy: string): EpcisEventBody[] {
  const count = eventCount(raw);
  if (count > CAPTURE_LIMIT) throw tooLarge(`The document holds ${count} events; at most ${CAPTURE_LIMIT} per capture.`);
  try {
    return epcisEventBodies(raw, capturedBy);
  } catch (e) {
    if (e instanceof EpcisDocumentError) throw new HttpProblem(400, "epcis-validation", "Bad request", e.message, e.errors);
    if (e instanceof EventHashError) throw new HttpProblem(400, "epcis-validation", "Bad request", `An event cannot be hashed: ${e.message}`);
    if (e instanceof ZodError)
      throw new HttpProblem(
        400,
        "epcis-validation",
        "Bad request",
        "An event does not fit the hub's EPCIS event record.",
        e.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
      );
    throw e;
  }
}

function eventCount(raw: unknown): number {
  const body = (raw as { epcisBody?: { eventList?: unknown; queryResults?: { resultsBody?: { eventList?: unknown } } } } | null)?.epcisBody;
  const list = body?.eventList ?? body?.queryResults?.resultsBody?.eventList;
  return Array.isArray(list) ? list.length : 0;
}

export { tooLarge };

/**
 * Capture jobs: the events of a document become hub-attested EpcisEvent records (owner: the
 * operator, capturedBy: the capturing organisation; HubPublisher.attestFor), stored after the 202 answer. Rollback stores
 * all or nothing; proceed stores each event on its own. An event the same organisation captured
 * before exactly (same capturedDigest) is reported as a duplicate and not stored again; one with the
 * same hash but other content is stored (epcisVariantRecordId); another organisation's identical
 * event changes nothing: this one is captured as its own record (epcisRecordId).
 */
export class CaptureJobs {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
    private readonly publisher: HubPublisher,
  ) {}

  async start(orgId: string, bodies: EpcisEventBody[], behaviour: CaptureErrorBehaviour, masterData: readonly MasterDataElement[] = []): Promise<string> {
    const id = randomUUID();
    await execute(
      this.db,
      this.provider,
      `INSERT INTO "EpcisCapture" ("id", "orgId", "behaviour", "running", "success", "eventCount", "createdAt") VALUES ($1, $2, $3, 1, 1, $4, $5)`,
      [id, orgId, behaviour, bodies.length, new Date().toISOString()],
    );
    const run = this.run(id, orgId, bodies, behaviour, masterData)
      .catch((err) =>
        this.finish(id, false, {
          events: [],
          errors: [{ type: "epcisException:ImplementationException", title: "Capture failed", detail: (err as Error).message }],
        }),
      )
      .catch((err) => console.error(`[epcis] capture ${id} could not be finished:`, err))
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
    return id;
  }

  /** Waits for the jobs under way (hub shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async run(
    id: string,
    orgId: string,
    bodies: EpcisEventBody[],
    behaviour: CaptureErrorBehaviour,
    masterData: readonly MasterDataElement[],
  ): Promise<void> {
    const outcomes: CaptureEventOutcome[] = [];
    const errors: CaptureJobView["errors"] = [];
    // The header's master data first, all or nothing (server/epcis/master-data.ts), then the events.
    await storeMasterData(this.db, this.provider, this.publisher, orgId, masterData).catch((err) =>
      errors.push({ type: "epcisException:ValidationException", title: "Master data not stored", detail: (err as Error).message }),
    );
    const fresh = new Map<string, EpcisEventBody>();
    // The same captured event again (capturedDigest) is a duplicate; one that differs only in what
    // the hash ignores (an error declaration, a comment) is another event, under the variant id.
    const held = await attesterEvents(
      this.db,
      this.provider,
      orgId,
      bodies.map((b) => b.eventId),
    );
    for (const b of bodies) {
      const digest = capturedDigest(b);
      const same = held.digests.get(digest);
      if (same !== undefined) {
        outcomes.push({ eventID: b.eventId, status: "duplicate", recordId: same });
        continue;
      }
      const plain = epcisRecordId(b.eventId, orgId);
      const recordId = held.ids.has(plain) ? epcisVariantRecordId(b, orgId) : plain;
      held.ids.add(recordId);
      held.digests.set(digest, recordId);
      fresh.set(recordId, b);
      outcomes.push({ eventID: b.eventId, status: "captured", recordId });
    }
    const draft = (recordId: string, body: EpcisEventBody) => ({ type: "EpcisEvent" as const, id: recordId, version: 1, body });
    const failed = (recordId: string, eventID: string, err: unknown) => {
      for (const o of outcomes) if (o.recordId === recordId && o.status === "captured") o.status = "failed";
      errors.push({ type: "epcisException:ValidationException", title: "Event not stored", detail: (err as Error).message, eventID });
    };
    if (behaviour === "rollback") {
      try {
        await this.publisher.attestFor(
          orgId,
          [...fresh].map(([rid, b]) => draft(rid, b)),
        );
      } catch (err) {
        for (const o of outcomes) if (o.status === "captured") o.status = "failed";
        errors.push({ type: "epcisException:ValidationException", title: "No event stored (rollback)", detail: (err as Error).message });
      }
    } else {
      for (const [rid, b] of fresh) {
        try {
          await this.publisher.attestFor(orgId, [draft(rid, b)]);
        } catch (err) {
          failed(rid, b.eventId, err);
        }
      }
    }
    await this.finish(id, errors.length === 0, { events: outcomes, errors });
  }

  private async finish(id: string, success: boolean, result: Pick<CaptureJobView, "events" | "errors">): Promise<void> {
    await execute(this.db, this.provider, `UPDATE "EpcisCapture" SET "running" = 0, "success" = $1, "finishedAt" = $2, "result" = $3 WHERE "id" = $4`, [
      success ? 1 : 0,
      new Date().toISOString(),
      JSON.stringify(result),
      id,
    ]);
  }

  /** A job of the caller's; 404 for anyone else's. */
  async job(orgId: string, id: string): Promise<CaptureJobView> {
    const [row] = await query<JobRow>(this.db, this.provider, `SELECT * FROM "EpcisCapture" WHERE "id" = $1 AND "orgId" = $2`, [id, orgId]);
    if (!row) throw notFound();
    return view(row);
  }

  async jobs(orgId: string): Promise<CaptureJobView[]> {
    const rows = await query<JobRow>(this.db, this.provider, `SELECT * FROM "EpcisCapture" WHERE "orgId" = $1 ORDER BY "createdAt" DESC LIMIT 100`, [orgId]);
    return rows.map(view);
  }
}

function view(row: JobRow): CaptureJobView {
  const result = row.result ? (JSON.parse(row.result) as Pick<CaptureJobView, "events" | "errors">) : { events: [], errors: [] };
  return {
    captureID: row.id,
    createdAt: row.createdAt,
    ...(row.finishedAt ? { finishedAt: row.finishedAt } : {}),
    running: Number(row.running) === 1,
    success: Number(row.success) === 1,
    captureErrorBehaviour: row.behaviour === "proceed" ? "proceed" : "rollback",
    errors: result.errors,
    events: result.events,
  };
}

export function parseBehaviour(header: string | undefined): CaptureErrorBehaviour {
  if (header === undefined || header === "" || header.toLowerCase() === "rollback") return "rollback";
  if (header.toLowerCase() === "proceed") return "proceed";
  throw badRequest("epcis-capture-error-behaviour", "GS1-Capture-Error-Behaviour is rollback (the default) or proceed.");
}
