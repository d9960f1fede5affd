import type { Db } from "../db/client";
import type { HubChain } from "../chain/hub-chain";

/**
 * Batches the database calls ANCHORED but the chain no longer has (a chain rebuilt from an older
 * journal, a reorg deeper than ANCHOR_CONFIRMATIONS, a node reset): no canonical receipt for the
 * batch's transaction, or one in another block (another number or hash) or reverted. Such a batch is reopened, back to SIGNED with its signed transaction kept, so the
 * anchoring worker re-broadcasts that very transaction (same hash: it cannot land twice) or, when
 * its nonce no longer fits, signs it anew; its records get a new proof once it is mined again.
 * Shared by the anchoring worker (after a nonce gap, and every few seconds) and the self-audit
 * (for the batches its report finds missing from the chain).
 */

type Anchored = { id: string; txHash: string | null; blockNumber: number | null; blockHash: string | null };

/** The worker's newest-first scan, in pages (see reopenLostBatches for where it stops). */
const SCAN_PAGE = 50;
const SCAN_PAGES = 100;

/** The canonical block hash at each height, read once per scan. */
type CanonicalHashes = Map<number, Promise<string | null>>;

/**
 * The chain still has the batch's anchoring: its transaction, succeeded, in the same canonical
 * block. Where the batch knows its block's hash, the canonical block at that height having that
 * hash is enough (a block's hash fixes its transactions); otherwise the receipt is asked for.
 */
async function chainHas(chain: HubChain, batch: Anchored, hashes: CanonicalHashes = new Map()): Promise<boolean> {
  if (!batch.txHash) return false;
  if (batch.blockHash !== null && batch.blockNumber !== null) {
    const height = batch.blockNumber;
    if (!hashes.has(height))
      hashes.set(
        height,
        chain.provider.getBlock(height).then((b) => b?.hash ?? null),
      );
    if ((await hashes.get(height)) === batch.blockHash) return true;
  }
  const receipt = await chain.canonicalReceipt(batch.txHash);
  return (
    receipt !== null && receipt.status === 1 && receipt.blockNumber === batch.blockNumber && (batch.blockHash === null || receipt.blockHash === batch.blockHash)
  );
}

/** Reopens one batch if it is still ANCHORED as seen (compare-and-set); true when it was. */
async function reopen(db: Db, batch: Anchored, log?: (line: string) => void): Promise<boolean> {
  const { count } = await db.anchorBatch.updateMany({
    where: { id: batch.id, status: "ANCHORED", txHash: batch.txHash, blockNumber: batch.blockNumber },
    data: {
      status: "SIGNED",
      blockNumber: null,
      blockHash: null,
      minedBlock: null,
      blockTime: null,
      anchoredAt: null,
      nextAttemptAt: new Date(),
      lastError: `the chain no longer has transaction ${batch.txHash ?? "(none)"} in block ${batch.blockNumber ?? "?"}: anchoring again`,
    },
  });
  if (count === 1) log?.(`batch ${batch.id}: the chain no longer has its anchoring (tx ${batch.txHash}, block ${batch.blockNumber}); anchoring it again`);
  return count === 1;
}

/**
 * How many blocks below the head every ANCHORED batch is checked, not only the newest: a reorg
 * replaces the blocks above its fork point, and batches anchored on the new branch since then sit
 * beside (even above) the ones it dropped, so "the newest one is still there" proves nothing in
 * that span. Below it, the chain losing its newest blocks (a journal or node reset) is what is
 * looked for, and the scan stops at the first batch the chain still has.
 */
export const REORG_SCAN_DEPTH = 128;

/**
 * Checks the newest ANCHORED batches against the chain and reopens those it lost, newest first:
 * every one in the last REORG_SCAN_DEPTH blocks, then down to the first one the chain still has.
 * Returns the reopened batches' ids.
 */
export async function reopenLostBatches(db: Db, chain: HubChain, log?: (line: string) => void): Promise<string[]> {
  const reopened: string[] = [];
  const floor = (await chain.provider.getBlockNumber()) - REORG_SCAN_DEPTH;
  const hashes: CanonicalHashes = new Map();
  let after: { blockNumber: number | null; id: string } | undefined;
  for (let pages = 0; pages < SCAN_PAGES; pages++) {
    const page = await db.anchorBatch.findMany({
      where: {
        status: "ANCHORED",
        // Keyset paging: a reopened batch leaves the set, a kept one must not be read again.
        ...(after ? { OR: [{ blockNumber: { lt: after.blockNumber ?? 0 } }, { blockNumber: after.blockNumber, id: { lt: after.id } }] } : {}),
      },
      orderBy: [{ blockNumber: "desc" }, { id: "desc" }],
      take: SCAN_PAGE,
      select: { id: true, txHash: true, blockNumber: true, blockHash: true },
    });
    for (const batch of page) {
      if (await chainHas(chain, batch, hashes)) {
        if ((batch.blockNumber ?? 0) <= floor) return reopened;
      } else if (await reopen(db, batch, log)) reopened.push(batch.id);
    }
    if (page.length < SCAN_PAGE) break;
    const last = page[page.length - 1]!;
    after = { blockNumber: last.blockNumber, id: last.id };
  }
  return reopened;
}

/** The same for the named batches (those an audit found missing from the chain), wherever they are. */
export async function reopenBatchesIfLost(db: Db, chain: HubChain, ids: readonly string[], log?: (line: string) => void): Promise<string[]> {
  const reopened: string[] = [];
  for (const id of new Set(ids)) {
    const batch = await db.anchorBatch.findUnique({ where: { id }, select: { id: true, txHash: true, blockNumber: true, blockHash: true, status: true } });
    if (!batch || batch.status !== "ANCHORED" || (await chainHas(chain, batch))) continue;
    if (await reopen(db, batch, log)) reopened.push(id);
  }
  return reopened;
}
