import type { Request, Response } from "express";
import type { Db, DbProvider } from "../db/client";
import { HttpProblem, badRequest } from "../http/problem";
import { listNotifications, notificationSignal } from "./service";
import { query } from "../db/sql";
import type { Caller } from "../auth/caller";

export interface StreamOptions {
  /** The slow poll for notifications added by other hub instances. */
  pollMs: number;
  heartbeatMs: number;
  /** Streams one organisation may hold open at once; one more is refused (429). */
  maxPerOrg: number;
}

/** How long a refused stream is told to wait: another of the organisation's streams may have ended by then. */
const RETRY_AFTER_S = 10;

const PAGE = 500;

/**
 * Server-sent events of an organisation's feed (`GET /v1/notifications/stream`): each notification
 * is an event `notification` with `id: <seq>`; a reconnecting client resumes after `Last-Event-ID`
 * (or `?after=`). Woken at once by notifications added in this process, or on PostgreSQL in any hub
 * process (fan-out.ts, LISTEN/NOTIFY), and by a slow poll otherwise (SQLite's other processes);
 * a comment line every heartbeat keeps proxies from closing an idle stream. `closeAll` ends every
 * open stream when the hub stops (an open stream would otherwise hold the HTTP server open).
 */
export class NotificationStreams {
  private readonly open = new Set<(final?: boolean) => void>();
  private readonly perOrg = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
    private readonly opts: StreamOptions,
  ) {}

  closeAll(): void {
    for (const close of [...this.open]) close(true);
  }

  /** Counts a stream of `orgId` in (or refuses it, 429); the returned function counts it out, once. */
  private admit(orgId: string): () => void {
    const count = this.perOrg.get(orgId) ?? 0;
    if (count >= this.opts.maxPerOrg)
      throw new HttpProblem(
        429,
        "too-many-streams",
        "Too many requests",
        `At most ${this.opts.maxPerOrg} notification streams per organisation are open at once: close one first.`,
        undefined,
        { "Retry-After": String(RETRY_AFTER_S) },
      );
    this.perOrg.set(orgId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perOrg.get(orgId) ?? 1) - 1;
      if (left > 0) this.perOrg.set(orgId, left);
      else this.perOrg.delete(orgId);
    };
  }

  async serve(req: Request, res: Response, caller: Caller): Promise<void> {
    const orgId = caller.orgId;
    // Counted before the first await, so that simultaneous requests cannot all pass the check.
    const release = this.admit(orgId);
    try {
      await this.stream(req, res, orgId, caller.tokenEpoch, release);
    } catch (err) {
      release();
      throw err;
    }
  }

  /** False once the organisation was suspended or rotated its key since the stream's token was issued. */
  private async stillAuthorised(orgId: string, epoch: number | undefined): Promise<boolean> {
    const org = await this.db.organization.findUnique({ where: { id: orgId }, select: { status: true, tokenEpoch: true } });
    return org !== null && org.status === "ACTIVE" && (epoch === undefined || org.tokenEpoch === epoch);
  }

  private async stream(req: Request, res: Response, orgId: string, epoch: number | undefined, release: () => void): Promise<void> {
    const resume = req.get("last-event-id") ?? (typeof req.query.after === "string" ? req.query.after : undefined);
    let cursor: number;
    if (resume !== undefined) {
      if (!/^\d{1,15}$/.test(resume)) throw badRequest("invalid-query", "Last-Event-ID and after must be a notification seq (a non-negative integer).");
      cursor = Number(resume);
    } else {
      // No position given: from now on.
      const [head] = await query<{ seq: unknown }>(this.db, this.provider, `SELECT MAX("seq") AS "seq" FROM "Notification" WHERE "orgId" = $1`, [orgId]);
      cursor = head?.seq === null || head?.seq === undefined ? 0 : Number(head.seq);
    }
    res.status(200).set({
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.flushHeaders();
    res.write(`retry: 2000\n: stream of ${orgId}'s notifications after ${cursor}\n\n`);

    let closed = false;
    let pumping = false;
    let again = false;
    const pump = async () => {
      if (closed) return;
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          for (;;) {
            const page = await listNotifications(this.db, orgId, cursor, PAGE);
            if (closed) return;
            for (const n of page) res.write(`id: ${n.seq}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`);
            if (page.length > 0) cursor = page[page.length - 1]!.seq;
            if (page.length < PAGE) break;
          }
        } while (again && !closed);
      } catch (err) {
        // A failed read ends the stream; the client reconnects with Last-Event-ID.
        console.error(`[hub] notification stream of ${orgId}: ${(err as Error).message}`);
        close();
      } finally {
        pumping = false;
      }
    };
    const onSignal = () => void pump();
    // The slow poll also re-checks the token: a stream opened before a key rotation or a suspension
    // ends within one poll, as every request with that token already fails at once.
    const onPoll = () =>
      void this.stillAuthorised(orgId, epoch).then(
        (ok) => (ok ? pump() : close()),
        () => undefined,
      );
    const poll = setInterval(onPoll, this.opts.pollMs);
    const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), this.opts.heartbeatMs);
    /** Ends the stream; `final` (the hub stopping) also ends the connection, which keep-alive would hold open. */
    const close = (final = false) => {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      clearInterval(heartbeat);
      notificationSignal.off("added", onSignal);
      this.open.delete(close);
      release();
      res.end(() => {
        if (final) res.socket?.end();
      });
    };
    this.open.add(close);
    notificationSignal.on("added", onSignal);
    res.on("close", () => close());
    // A client gone during the first read has already closed: its "close" will not come again.
    if (res.destroyed || !res.socket || res.socket.destroyed) return close();
    await pump();
  }
}
