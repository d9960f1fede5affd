import { accessChainHeadLeaf, accessLogHeadLeaf } from "../../sdk/access-log";
import type { Db, TxClient } from "../db/client";
import { asDate, asNumber } from "../db/sql";

/** A chain's head to anchor: its key, last chainSeq and hash. */
export interface ChainHead {
  chain: string;
  seq: number;
  hash: string;
}

/**
 * The access log heads a new anchor batch carries: each chain whose head moved since the last
 * batch (one leaf each, accessChainHeadLeaf), and the legacy chain's head while it has not been
 * anchored at its last line (accessLogHeadLeaf). `since`: the oldest unanchored line's time.
 */
export interface UnanchoredHeads {
  legacy?: { seq: number; hash: string };
  chains: ChainHead[];
  leaves: string[];
  since: number;
}

type MovedRow = { chain: string; seq: unknown; hash: string; anchored: unknown };

/**
 * What the anchoring worker's seal adds to a batch (undefined: no chain moved). Read without locks:
 * a head that moves meanwhile is anchored by the next batch. The same statements on both providers.
 */
export async function unanchoredHeads(db: Db): Promise<UnanchoredHeads | undefined> {
  const moved = await db.$queryRawUnsafe<MovedRow[]>(
    `SELECT * FROM (
       SELECT c."chain", c."seq", c."hash", COALESCE((SELECT MAX(a."seq") FROM "AnchorBatchAccessHead" a WHERE a."chain" = c."chain"), 0) AS "anchored"
         FROM "AccessLogChainHead" c
     ) m WHERE m."seq" > m."anchored"`,
  );
  const chains = moved.map((r) => ({ chain: r.chain, seq: asNumber(r.seq), hash: r.hash }));
  const legacy = await unanchoredLegacyHead(db);
  if (chains.length === 0 && !legacy) return undefined;
  let since = legacy?.since ?? Infinity;
  if (moved.length > 0) {
    const firsts = await db.accessLogEntry.findMany({
      where: { OR: moved.map((r) => ({ chain: r.chain, chainSeq: asNumber(r.anchored) + 1 })) },
      select: { at: true },
    });
    for (const f of firsts) since = Math.min(since, asDate(f.at)!.getTime());
  }
  const leaves = [...(legacy ? [accessLogHeadLeaf(legacy.seq, legacy.hash)] : []), ...chains.map((c) => accessChainHeadLeaf(c.chain, c.seq, c.hash))];
  return { ...(legacy ? { legacy: { seq: legacy.seq, hash: legacy.hash } } : {}), chains, leaves, since: Number.isFinite(since) ? since : 0 };
}

/** The legacy chain's head if it has lines no batch anchored yet (once after an upgrade, at most). */
async function unanchoredLegacyHead(db: Db): Promise<{ seq: number; hash: string; since: number } | undefined> {
  const head = await db.accessLogHead.findUnique({ where: { id: 1 } });
  if (!head || head.seq === 0) return undefined;
  const last = await db.anchorBatch.aggregate({ _max: { accessLogSeq: true } });
  const anchoredSeq = last._max.accessLogSeq ?? 0;
  if (head.seq <= anchoredSeq) return undefined;
  const first = await db.accessLogEntry.findUnique({ where: { seq: anchoredSeq + 1 }, select: { at: true } });
  return { seq: head.seq, hash: head.hash, since: first?.at.getTime() ?? 0 };
}

/** Records, in the sealing transaction, the heads batch `batchId` anchors. */
export async function recordAnchoredHeads(tx: TxClient, batchId: string, heads: UnanchoredHeads | undefined): Promise<void> {
  if (!heads || heads.chains.length === 0) return;
  await tx.anchorBatchAccessHead.createMany({ data: heads.chains.map((c) => ({ batchId, ...c })) });
}
