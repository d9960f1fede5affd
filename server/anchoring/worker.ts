import { randomUUID } from "node:crypto";
import { Transaction, type TransactionReceipt } from "ethers";
import { buildMerkleTree } from "../../sdk/merkle";
import { recordAnchoredHeads, unanchoredHeads } from "../access-log/anchored-heads";
import type { Db } from "../db/client";
import { classifySendError, type HubChain } from "../chain/hub-chain";
import { LOCAL_DEV_CHAIN_IDS } from "../chain/dev-keys";
import { Lease } from "../lease";
import { RepeatingTask } from "../repeating-task";
import { bumpedFees, currentFees, feesOf, type FeePolicy, type Fees } from "./fees";
import { reopenLostBatches } from "./lost-batches";

const LEASE = "anchoring";
const MAX_BACKOFF_MS = 60_000;
/**
 * How long one pass waits for a just-sent transaction's receipt (an automining chain answers at once);
 * after that the batch is looked at again every SENT_RECHECK_MS, without blocking the other batches'
 * checks (a reorg) behind a slow block.
 */
const RECEIPT_WAIT_MS = 2_000;
const SENT_RECHECK_MS = 1_000;
/** anchor() costs under 30k gas; the margin covers chains with other gas schedules. */
const ANCHOR_GAS_LIMIT = 100_000n;
/** How often the newest anchored batches, and mined batches waiting for depth, are checked against the chain (it may have lost them). */
const CHAIN_CHECK_MS = 5_000;
/** ANCHOR_CONFIRMATIONS unless set: none on a local development chain, 12 blocks elsewhere. */
export const DEFAULT_CONFIRMATIONS = 12;
/** ANCHOR_STUCK_MS unless set: a transaction without a receipt this long is replaced with higher fees. */
export const DEFAULT_STUCK_MS = 180_000;

export function defaultConfirmations(chainId: number): number {
  return LOCAL_DEV_CHAIN_IDS.includes(chainId) ? 0 : DEFAULT_CONFIRMATIONS;
}

export interface AnchoringOptions {
  batchSize: number;
  maxAgeMs: number;
  pollMs: number;
  leaseMs: number;
  instanceId: string;
  /** How often anchored batches are checked against the chain (default CHAIN_CHECK_MS). */
  chainCheckMs?: number;
  /** A batch is ANCHORED once its block has this many confirmations (the block itself counts as one). */
  confirmations: number;
  fees: FeePolicy;
  /** How long a sent transaction may go without a receipt before it is replaced with higher fees. */
  stuckMs: number;
  log?: (line: string) => void;
}

/**
 * How a batch's turn ended: anchored, mined but not yet deep enough (it stays SIGNED with its
 * minedBlock), to be retried later, or the chain lost batches (start over in batch order).
 */
type Finished = "anchored" | "mined" | "retry" | "chain-changed";

type Batch = NonNullable<Awaited<ReturnType<Db["anchorBatch"]["findUnique"]>>>;

/**
 * Anchors pending digests in Merkle batches: one transaction per batch.
 *
 * Exactly-once rests on the database, not on timing: items are claimed into a batch in one
 * transaction (a row can be in one batch only); a batch has at most one signed transaction at a
 * time, stored before it is broadcast (a compare-and-set on the stored raw transaction), and it is
 * re-signed only when the stored one can never be mined (reverted, or its nonce taken). So after a
 * crash the same signed transaction is re-broadcast, and two hub instances cannot both anchor a
 * batch. The lease only keeps instances from wasting transactions on each other's nonces.
 * A batch the chain loses after it was anchored is reopened (lost-batches.ts) and anchored again.
 *
 * Finality: a mined batch stays SIGNED, with the block it was mined in, until that block has
 * `confirmations` confirmations; meanwhile each check looks for a canonical receipt, and a batch
 * whose block a reorg dropped has its same transaction sent again. A transaction without a receipt
 * for `stuckMs` is replaced at the same nonce with higher fees (the same call): every transaction
 * signed at that nonce is remembered (txHashes) and a receipt of any of them anchors the batch, so
 * whichever is mined, the root is anchored once.
 */
export class AnchoringWorker {
  private readonly task: RepeatingTask<void>;
  private readonly lease: Lease;
  private lastChainCheck = 0;
  private stopping = false;

  constructor(
    private readonly db: Db,
    private readonly chain: HubChain,
    private readonly opts: AnchoringOptions,
  ) {
    this.lease = new Lease(db, LEASE, opts.instanceId, opts.leaseMs);
    this.task = new RepeatingTask(
      () => this.tick(),
      () => opts.pollMs,
      (err) => this.log(`anchoring tick failed: ${err.message}`),
    );
  }

  start(): void {
    this.task.start();
  }

  /** Stops after the pass in progress and lets the lease go, so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.task.stop();
    await this.lease.release().catch(() => undefined);
  }

  private log(line: string) {
    this.opts.log?.(`[anchoring ${this.opts.instanceId}] ${line}`);
  }

  /**
   * One pass: reopen batches the chain lost (every few seconds), finish unfinished batches, then seal
   * new ones when full or old enough. While full batches are waiting (heavy ingest) it seals the next
   * as soon as the previous one is anchored, not a poll interval later.
   */
  async tick(): Promise<void> {
    if (!(await this.lease.hold())) return;
    if (Date.now() - this.lastChainCheck >= (this.opts.chainCheckMs ?? CHAIN_CHECK_MS)) await this.reopenLost();
    const unfinished = await this.db.anchorBatch.findMany({ where: { status: { not: "ANCHORED" } }, orderBy: { createdAt: "asc" } });
    const now = Date.now();
    // A mined batch is looked at again when its block is deep enough, or every chain check (a reorg).
    const head = unfinished.some((b) => b.minedBlock !== null) ? await this.chain.provider.getBlockNumber() : 0;
    const deep = (b: Batch) => b.minedBlock !== null && head - b.minedBlock + 1 >= this.opts.confirmations;
    for (const batch of unfinished) {
      if ((batch.nextAttemptAt.getTime() <= now || deep(batch)) && (await this.finish(batch)) === "chain-changed") return;
    }
    // A new batch waits until older ones are mined (not necessarily final yet), so roots reach the chain in batch order.
    if (unfinished.length > 0 && (await this.db.anchorBatch.count({ where: { status: { not: "ANCHORED" }, minedBlock: null } })) > 0) return;
    for (;;) {
      const batch = await this.seal();
      // Back to back only while each is anchored at once; a batch waiting for depth ends the pass, so
      // the next one first looks at the waiting batches (deep enough, or gone in a reorg).
      if (!batch || (await this.finish(batch)) !== "anchored") return;
      if (batch.leafCount < this.opts.batchSize || this.stopping || !(await this.lease.hold())) return;
    }
  }

  /** Reopens the anchored batches the chain no longer has; true when there were any. */
  private async reopenLost(): Promise<boolean> {
    this.lastChainCheck = Date.now();
    return (await reopenLostBatches(this.db, this.chain, (line) => this.log(line))).length > 0;
  }

  /**
   * Claims the oldest pending digests into a new batch, if there are enough or they waited long
   * enough. Each access log chain whose head moved since the last batch joins it as one more leaf
   * (server/access-log/anchored-heads.ts), so every chain is anchored with the records.
   */
  private async seal(): Promise<Batch | undefined> {
    const pending = await this.db.anchorItem.findMany({
      where: { batchId: null },
      orderBy: { seq: "asc" },
      take: this.opts.batchSize,
      select: { seq: true, digest: true, createdAt: true },
    });
    const logHeads = await unanchoredHeads(this.db);
    if (pending.length === 0 && !logHeads) return undefined;
    const now = Date.now();
    const oldest = Math.min(pending[0]?.createdAt.getTime() ?? Infinity, logHeads?.since ?? Infinity);
    if (pending.length < this.opts.batchSize && now - oldest < this.opts.maxAgeMs) return undefined;
    const digests = pending.map((p) => p.digest);
    if (logHeads) digests.push(...logHeads.leaves);
    const tree = buildMerkleTree(digests);
    const id = randomUUID();
    try {
      return await this.db.$transaction(async (tx) => {
        const batch = await tx.anchorBatch.create({
          data: {
            id,
            root: tree.root,
            leafCount: digests.length,
            leaves: JSON.stringify(digests),
            status: "BUILT",
            ...(logHeads?.legacy ? { accessLogSeq: logHeads.legacy.seq, accessLogHash: logHeads.legacy.hash } : {}),
          },
        });
        await recordAnchoredHeads(tx, id, logHeads);
        const { count } = await tx.anchorItem.updateMany({
          where: { batchId: null, seq: { in: pending.map((p) => p.seq) } },
          data: { batchId: id },
        });
        // Another instance claimed some of these rows first: give up this batch, all of it.
        if (count !== pending.length) throw new Error("pending digests were claimed concurrently");
        return batch;
      });
    } catch (err) {
      this.log(`sealing skipped: ${(err as Error).message}`);
      return undefined;
    }
  }

  private async finish(batch: Batch): Promise<Finished> {
    try {
      let current = batch;
      for (let round = 0; round < 4; round++) {
        if (!current.rawTx || !current.txHash) {
          current = await this.sign(current, null);
          continue;
        }
        const receipt = await this.minedReceipt(current);
        if (receipt && receipt.status === 1) return await this.settle(current, receipt);
        if (receipt) {
          current = await this.sign(current, current.rawTx); // reverted: its nonce is spent, sign anew
          continue;
        }
        if (current.minedBlock !== null) current = await this.unmined(current);
        const outcome = await this.broadcast(current);
        if (outcome === "nonce-gap" && (await this.reopenLost())) {
          // The chain lost anchored batches (their nonces are free again): those older batches go
          // first, with their own signed transactions, and this one's nonce may fit again after them.
          this.log(`batch ${batch.id}: its nonce is ahead of the chain's, which lost anchored batches; re-anchoring those first`);
          return "chain-changed";
        }
        if (outcome !== "sent") {
          // Its nonce went to another transaction, or it cannot be mined as signed: it can never be
          // mined unless it (or an earlier version at its nonce) already was, so it is signed anew
          // with the chain's current nonce.
          const again = await this.minedReceipt(current);
          if (again && again.status === 1) return await this.settle(current, again);
          this.log(
            `batch ${batch.id}: ${outcome === "nonce-gap" ? "its nonce does not fit the chain's" : "its nonce went to another transaction"}; signing it anew`,
          );
          current = await this.sign(current, current.rawTx);
          continue;
        }
        const stuckAt = (current.signedAt ?? current.createdAt).getTime() + this.opts.stuckMs;
        const mined = await this.receiptWithin(current, Math.min(RECEIPT_WAIT_MS, Math.max(0, stuckAt - Date.now())));
        if (mined && mined.status === 1) return await this.settle(current, mined);
        if (mined) {
          current = await this.sign(current, current.rawTx);
          continue;
        }
        if (Date.now() >= stuckAt) {
          const replacement = await this.replace(current);
          if (replacement) {
            current = replacement;
            continue;
          }
        }
        // Sent, not mined yet: not a failure; looked at again shortly (and replaced once stuck).
        await this.db.anchorBatch.update({
          where: { id: batch.id },
          data: { nextAttemptAt: new Date(Date.now() + Math.max(this.opts.pollMs, SENT_RECHECK_MS)) },
        });
        return "retry";
      }
      throw new Error("could not get the batch's transaction mined");
    } catch (err) {
      const attempts = batch.attempts + 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempts, 10));
      const message = (err as Error).message.slice(0, 500);
      this.log(`batch ${batch.id} attempt ${attempts} failed (${message}); retry in ${backoff} ms`);
      await this.db.anchorBatch.update({
        where: { id: batch.id },
        data: { attempts, lastError: message, nextAttemptAt: new Date(Date.now() + backoff) },
      });
      return "retry";
    }
  }

  /** Every transaction signed for the batch at its current nonce, newest first. */
  private hashesOf(batch: Batch): string[] {
    const all = batch.txHashes ? (JSON.parse(batch.txHashes) as string[]) : [];
    if (batch.txHash && !all.includes(batch.txHash)) all.push(batch.txHash);
    return all.reverse();
  }

  /** A canonical receipt of any of the batch's transactions (the original or a replacement), or null. */
  private async minedReceipt(batch: Batch): Promise<TransactionReceipt | null> {
    for (const hash of this.hashesOf(batch)) {
      const receipt = await this.chain.canonicalReceipt(hash);
      if (receipt) return receipt;
    }
    return null;
  }

  /**
   * The batch's receipt once mined, or null after `timeoutMs`. Polled rather than ethers'
   * waitForTransaction, whose internal block-number polling rejects unhandled on a dropped RPC
   * connection, which takes the whole hub down.
   */
  private async receiptWithin(batch: Batch, timeoutMs: number): Promise<TransactionReceipt | null> {
    for (const until = Date.now() + timeoutMs; ;) {
      const receipt = await this.minedReceipt(batch);
      if (receipt || Date.now() >= until) return receipt;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A mined transaction whose block left the chain (a reorg): the batch waits for it to be mined again. */
  private async unmined(batch: Batch): Promise<Batch> {
    this.log(`batch ${batch.id}: block ${batch.minedBlock} with its transaction left the chain (a reorg); sending it again`);
    await this.db.anchorBatch.updateMany({ where: { id: batch.id, minedBlock: batch.minedBlock }, data: { minedBlock: null, blockHash: null } });
    return this.db.anchorBatch.findUniqueOrThrow({ where: { id: batch.id } });
  }

  /** Replaces a stuck transaction: the same call at the same nonce, with higher fees. Undefined when there is nothing to raise. */
  private async replace(batch: Batch): Promise<Batch | undefined> {
    const stuck = Transaction.from(batch.rawTx!);
    const fees = bumpedFees(feesOf(stuck), await currentFees(this.chain.provider, this.opts.fees));
    if (!fees) return undefined;
    this.log(
      `batch ${batch.id}: transaction ${batch.txHash} has no receipt after ${this.opts.stuckMs} ms; replacing it with higher fees (nonce ${stuck.nonce})`,
    );
    return this.sign(batch, batch.rawTx, { nonce: stuck.nonce, fees });
  }

  /**
   * Signs the batch's anchor transaction and stores it, replacing `previous` only (compare-and-set).
   * With `replacing`, the same nonce with the given fees (a fee bump: earlier hashes stay valid);
   * otherwise the chain's next nonce and current fees (earlier hashes can no longer be mined).
   */
  private async sign(batch: Batch, previous: string | null, replacing?: { nonce: number; fees: Fees }): Promise<Batch> {
    const { anchorer, provider, anchors } = this.chain;
    const [nonce, fees, network] = await Promise.all([
      replacing?.nonce ?? provider.getTransactionCount(anchorer.address, "pending"),
      replacing?.fees ?? currentFees(provider, this.opts.fees),
      provider.getNetwork(),
    ]);
    const rawTx = await anchorer.signTransaction({
      chainId: network.chainId,
      nonce,
      to: anchors.target as string,
      data: anchors.interface.encodeFunctionData("anchor", [batch.root, batch.leafCount]),
      gasLimit: ANCHOR_GAS_LIMIT,
      ...(fees.type === 0
        ? { type: 0, gasPrice: fees.gasPrice }
        : { type: 2, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }),
    });
    const txHash = Transaction.from(rawTx).hash!;
    const txHashes = replacing ? [...this.hashesOf(batch).reverse(), txHash] : [txHash];
    await this.db.anchorBatch.updateMany({
      where: { id: batch.id, rawTx: previous },
      data: { rawTx, txHash, txHashes: JSON.stringify(txHashes), signedAt: new Date(), status: "SIGNED", minedBlock: null, blockHash: null },
    });
    // Whoever won the compare-and-set, the stored transaction is the one to use.
    return this.db.anchorBatch.findUniqueOrThrow({ where: { id: batch.id } });
  }

  /**
   * Sends the batch's signed transaction; a nonce the chain refuses comes back as such
   * (classifySendError), other errors throw. A replacement refused because the batch's own earlier
   * version holds the nonce's slot counts as sent: either may be mined, and both are watched.
   */
  private async broadcast(batch: Batch): Promise<"sent" | "nonce-used" | "nonce-gap"> {
    try {
      await this.chain.provider.broadcastTransaction(batch.rawTx!);
      return "sent";
    } catch (err) {
      const refusal = classifySendError(err);
      if (refusal === "known") return "sent";
      if (refusal === "slot-taken") return this.hashesOf(batch).length > 1 ? "sent" : "nonce-used";
      if (refusal === "other") throw err;
      return refusal;
    }
  }

  /**
   * A successful receipt of the batch's transaction: ANCHORED once its block is deep enough, else the
   * batch stays SIGNED with the block noted (minedBlock), looked at again when deep or at the next chain check.
   */
  private async settle(batch: Batch, receipt: TransactionReceipt): Promise<"anchored" | "mined"> {
    const anchored = receipt.logs
      .filter((l) => l.address.toLowerCase() === (this.chain.anchors.target as string).toLowerCase())
      .map((l) => this.chain.anchors.interface.parseLog(l))
      .find((e) => e?.name === "Anchored" && e.args.getValue("root") === batch.root);
    if (!anchored) throw new Error(`receipt of ${receipt.hash} has no Anchored event for the batch root`);
    const depth = (await this.chain.provider.getBlockNumber()) - receipt.blockNumber + 1;
    if (depth >= this.opts.confirmations) return this.markAnchored(batch, receipt);
    const recheck = new Date(Date.now() + (this.opts.chainCheckMs ?? CHAIN_CHECK_MS));
    await this.db.anchorBatch.updateMany({
      where: { id: batch.id, status: "SIGNED" },
      data: { minedBlock: receipt.blockNumber, blockHash: receipt.blockHash, txHash: receipt.hash, nextAttemptAt: recheck, lastError: null },
    });
    if (batch.minedBlock !== receipt.blockNumber || batch.blockHash !== receipt.blockHash)
      this.log(`batch ${batch.id}: mined in block ${receipt.blockNumber} (${depth} of ${this.opts.confirmations} confirmations)`);
    return "mined";
  }

  private async markAnchored(batch: Batch, receipt: TransactionReceipt): Promise<"anchored"> {
    const block = await this.chain.provider.getBlock(receipt.blockNumber);
    if (!block) throw new Error(`block ${receipt.blockNumber} not found`);
    await this.db.anchorBatch.update({
      where: { id: batch.id },
      data: {
        status: "ANCHORED",
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
        minedBlock: receipt.blockNumber,
        blockHash: receipt.blockHash,
        blockTime: new Date(block.timestamp * 1000),
        anchoredAt: new Date(),
        lastError: null,
      },
    });
    this.log(`batch ${batch.id}: ${batch.leafCount} digest(s) anchored in block ${receipt.blockNumber}`);
    return "anchored";
  }
}
