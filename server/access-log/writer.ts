import { chainAccessEntries, type AccessLogDraft } from "../../sdk/access-log";
import { writeTransaction, type Db, type DbProvider, type TxClient } from "../db/client";
import { insertRows } from "../db/bulk-insert";

const COLUMNS = ["seq", "at", "actor", "action", "recordId", "version", "owner", "detail", "prevHash", "hash"] as const;

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
    await insertRows(
      tx,
      this.provider,
      "AccessLogEntry",
      COLUMNS,
      entries.map((e) => [e.seq, new Date(e.at), e.actor, e.action, e.recordId, e.version, e.owner, e.detail, e.prevHash, e.hash]),
    );
    const last = entries[entries.length - 1]!;
    await tx.accessLogHead.update({ where: { id: 1 }, data: { seq: last.seq, hash: last.hash } });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const waiting = this.queue.splice(0);
        try {
          await writeTransaction(this.db, (tx) => this.appendIn(tx, waiting.flatMap((w) => w.drafts)));
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
