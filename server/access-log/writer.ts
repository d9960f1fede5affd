import { chainAccessEntries, type AccessLogDraft } from "../../sdk/access-log";
import { writeTransaction, type Db, type DbProvider, type TxClient } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import { query } from "../db/sql";

const COLUMNS = ["seq", "ownerSeq", "at", "actor", "action", "recordId", "version", "owner", "detail", "prevHash", "hash"] as const;

/**
 * Appends to the hash-chained access log. Each append locks the head row first, so appends from
 * every request, and from several hub instances on one PostgreSQL, form one chain. Appends arriving
 * while one is being written are written together with the next (group commit): under load a
 * transaction carries many lines, and each caller still waits until its own lines are stored.
 */
export class AccessLogWriter {
  private queue: { drafts: AccessLogDraft[]; done: (err?: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
  ) {}

  /** Appends the lines; resolves once they are stored. */
  append(...drafts: AccessLogDraft[]): Promise<void> {
    if (drafts.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ drafts, done: (err) => (err === undefined ? resolve() : reject(err)) });
      void this.flush();
    });
  }

  /** Appends inside the caller's transaction, so the lines commit (or not) with what they log. */
  async appendIn(tx: TxClient, drafts: AccessLogDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    await tx.$executeRawUnsafe(`UPDATE "AccessLogHead" SET "seq" = "seq" WHERE "id" = 1`);
    const head = await tx.accessLogHead.findUniqueOrThrow({ where: { id: 1 } });
    const entries = chainAccessEntries({ seq: head.seq, hash: head.hash }, drafts);
    const ownerSeqs = await this.ownerSequence(tx, drafts);
    await insertRows(
      tx,
      this.provider,
      "AccessLogEntry",
      COLUMNS,
      entries.map((e, i) => [e.seq, ownerSeqs[i]!, new Date(e.at), e.actor, e.action, e.recordId, e.version, e.owner, e.detail, e.prevHash, e.hash]),
    );
    const last = entries[entries.length - 1]!;
    await tx.accessLogHead.update({ where: { id: 1 }, data: { seq: last.seq, hash: last.hash } });
  }

  /**
   * Each draft's number in its owner's own sequence (null without an owner): the owner's counter row
   * advanced by its lines, in this transaction. Appends hold the head row's lock, so the numbers are
   * gapless per owner across hub instances; a rolled-back append takes its numbers back with it.
   */
  private async ownerSequence(tx: TxClient, drafts: readonly AccessLogDraft[]): Promise<(number | null)[]> {
    const counts = new Map<string, number>();
    for (const d of drafts) if (d.owner !== null) counts.set(d.owner, (counts.get(d.owner) ?? 0) + 1);
    const last = new Map<string, number>();
    for (const [owner, n] of counts) {
      const [row] = await query<{ seq: unknown }>(
        tx,
        this.provider,
        `INSERT INTO "AccessLogOwnerHead" ("owner", "seq") VALUES ($1, $2) ON CONFLICT ("owner") DO UPDATE SET "seq" = "AccessLogOwnerHead"."seq" + $2 RETURNING "seq"`,
        [owner, n],
      );
      last.set(owner, Number(row!.seq) - n);
    }
    return drafts.map((d) => {
      if (d.owner === null) return null;
      const next = last.get(d.owner)! + 1;
      last.set(d.owner, next);
      return next;
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const waiting = this.queue.splice(0);
        try {
          await writeTransaction(this.db, (tx) =>
            this.appendIn(
              tx,
              waiting.flatMap((w) => w.drafts),
            ),
          );
          for (const w of waiting) w.done();
        } catch (err) {
          for (const w of waiting) w.done(err ?? new Error("access log append failed"));
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
