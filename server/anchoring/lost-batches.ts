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

/** The worker's newest-first scan, in pages; a chain loses its newest blocks, so it stops at the first batch still there. */
const SCAN_PAGE = 50;
const SCAN_PAGES = 100;

/** The chain still has the batch's anchoring: its transaction, succeeded, in the same canonical block (same hash, where known). */
async function chainHas(chain: HubChain, batch: Anchored): Promise<boolean> {
  if (!batch.txHash) return false;
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
 * Checks the newest ANCHORED batches against the chain and reopens those it lost, newest first,
 * up to the first one the chain still has. Returns the reopened batches' ids.
 */
export async function reopenLostBatches(db: Db, chain: HubChain, log?: (line: string) => void): Promise<string[]> {
  const reopened: string[] = [];
  for (let pages = 0; pages < SCAN_PAGES; pages++) {
    const page = await db.anchorBatch.findMany({
      where: { status: "ANCHORED" },
      orderBy: [{ blockNumber: "desc" }, { createdAt: "desc" }],
      take: SCAN_PAGE,
      select: { id: true, txHash: true, blockNumber: true, blockHash: true },
    });
    for (const batch of page) {
      if (await chainHas(chain, batch)) return reopened;
      if (await reopen(db, batch, log)) reopened.push(batch.id);
    }
    if (page.length < SCAN_PAGE) break;
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
