import { accessLogChainOf, chainAccessLines, type AccessLogDraft, type ChainedAccessEntry } from "../../sdk/access-log";
import { ownWriteTransaction, type Db, type DbProvider } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import { query, execute, asNumber, type Runner } from "../db/sql";

const COLUMNS = ["chain", "chainSeq", "ownerSeq", "at", "actor", "action", "recordId", "version", "owner", "detail", "prevHash", "hash"] as const;
const GENESIS = `0x${"0".repeat(64)}`;

type HeadRow = { chain: string; seq: unknown; hash: string; ownerSeqBase: unknown };

/**
 * Appends to the hash-chained access log: one chain per owner organisation (sdk/access-log.ts). An
 * append locks the head rows of the chains it writes, and only those, so appends about different
 * owners never wait for each other, in one hub or across several on one PostgreSQL (issue 17).
 * Appends arriving while one is being written are written together with the next (group commit):
 * under load a transaction carries many lines, and each caller still waits until its own are stored.
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
  async appendIn(tx: Runner, drafts: AccessLogDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    const byChain = new Map<string, AccessLogDraft[]>();
    for (const d of drafts) {
      const chain = accessLogChainOf(d.owner);
      const list = byChain.get(chain);
      if (list) list.push(d);
      else byChain.set(chain, [d]);
    }
    // One order for every transaction (the keys sorted by code unit, as the statement lists them),
    // so two appends that share chains lock them in the same order and cannot deadlock.
    const chains = [...byChain.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const heads = await this.lockHeads(tx, chains);
    const rows: (string | number | Date | null)[][] = [];
    const moved: ChainedAccessEntry[] = [];
    for (const chain of chains) {
      const head = heads.get(chain)!;
      const entries = chainAccessLines(chain, head, byChain.get(chain)!);
      for (const e of entries)
        rows.push([
          e.chain,
          e.chainSeq,
          e.owner === null ? null : head.ownerSeqBase + e.chainSeq,
          new Date(e.at),
          e.actor,
          e.action,
          e.recordId,
          e.version,
          e.owner,
          e.detail,
          e.prevHash,
          e.hash,
        ]);
      moved.push(entries[entries.length - 1]!);
    }
    await insertRows(tx, this.provider, "AccessLogEntry", COLUMNS, rows);
    const values = moved.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(", ");
    await execute(
      tx,
      this.provider,
      `INSERT INTO "AccessLogChainHead" ("chain", "seq", "hash") VALUES ${values}
        ON CONFLICT ("chain") DO UPDATE SET "seq" = excluded."seq", "hash" = excluded."hash"`,
      moved.flatMap((e) => [e.chain, e.chainSeq, e.hash]),
    );
  }

  /**
   * The heads of `chains` (sorted), each row locked until the transaction ends: one upsert that
   * creates a new chain's row (seq 0, genesis) and otherwise touches it, which takes its row lock
   * on PostgreSQL (SQLite's write transaction already excludes every other writer).
   */
  private async lockHeads(tx: Runner, chains: readonly string[]): Promise<Map<string, { seq: number; hash: string; ownerSeqBase: number }>> {
    const values = chains.map((_, i) => `($${i + 1}, 0, '${GENESIS}')`).join(", ");
    const rows = await query<HeadRow>(
      tx,
      this.provider,
      `INSERT INTO "AccessLogChainHead" ("chain", "seq", "hash") VALUES ${values}
        ON CONFLICT ("chain") DO UPDATE SET "seq" = "AccessLogChainHead"."seq"
        RETURNING "chain", "seq", "hash", "ownerSeqBase"`,
      chains,
    );
    const heads = new Map(rows.map((r) => [r.chain, { seq: asNumber(r.seq), hash: r.hash, ownerSeqBase: asNumber(r.ownerSeqBase) }]));
    if (heads.size !== chains.length) throw new Error("access log: a chain head was not returned");
    return heads;
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const waiting = this.queue.splice(0);
        try {
          // Its own transaction on SQLite's connection: through the client's interactive transaction an
          // append of a few lines cost about 2 ms, which bounded every hub's reads (issue 17).
          await ownWriteTransaction(this.db, (tx) =>
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
