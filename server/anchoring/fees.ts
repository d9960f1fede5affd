import type { JsonRpcProvider } from "ethers";

/**
 * The anchor transaction's type and fees. Legacy (type 0) for chains without EIP-1559 (many
 * permissioned QBFT/IBFT networks), EIP-1559 (type 2) where blocks carry a base fee; a fixed gas
 * price for networks that run at zero (or any agreed) price; and the replacement fees of a stuck
 * transaction (nodes accept a replacement only when both fee fields rise by at least 10-12.5%).
 */
export type TxTypePolicy = "auto" | "legacy" | "eip1559";

export interface FeePolicy {
  txType: TxTypePolicy;
  /** A fixed price (wei) instead of the node's suggestion: gasPrice, or both EIP-1559 fee fields. 0 is allowed. */
  gasPrice?: bigint;
}

export type Fees = { type: 0; gasPrice: bigint } | { type: 2; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** The fees to sign with now: the type by policy (auto: EIP-1559 when the latest block has a base fee). */
export async function currentFees(provider: JsonRpcProvider, policy: FeePolicy): Promise<Fees> {
  const type = policy.txType === "auto" ? ((await provider.getBlock("latest"))?.baseFeePerGas != null ? 2 : 0) : policy.txType === "legacy" ? 0 : 2;
  if (policy.gasPrice !== undefined) {
    const price = policy.gasPrice;
    return type === 0 ? { type, gasPrice: price } : { type, maxFeePerGas: price, maxPriorityFeePerGas: price };
  }
  const data = await provider.getFeeData();
  // A node's suggestion of 0 (a zero-gas-price network) is taken as it is.
  if (type === 0) return { type, gasPrice: data.gasPrice ?? 0n };
  const maxPriorityFeePerGas = data.maxPriorityFeePerGas ?? 0n;
  const maxFeePerGas = data.maxFeePerGas ?? data.gasPrice ?? 0n;
  return { type, maxFeePerGas: maxFeePerGas < maxPriorityFeePerGas ? maxPriorityFeePerGas : maxFeePerGas, maxPriorityFeePerGas };
}

/** `value` raised by at least 12.5% (rounded up), or to `floor` when that is higher. */
function raised(value: bigint, floor: bigint): bigint {
  const bumped = value + (value + 7n) / 8n;
  return bumped > floor ? bumped : floor;
}

/**
 * The fees of a replacement for a transaction signed with `old`: each fee field at least 12.5% higher,
 * and no lower than what the chain asks now. Undefined when there is nothing to raise (a zero-price
 * network: a price of 0 is never stuck for its fee, and a higher one may not be payable).
 */
export function bumpedFees(old: Fees, now: Fees): Fees | undefined {
  if (old.type === 0) {
    if (old.gasPrice === 0n) return undefined;
    return { type: 0, gasPrice: raised(old.gasPrice, now.type === 0 ? now.gasPrice : now.maxFeePerGas) };
  }
  if (old.maxFeePerGas === 0n && old.maxPriorityFeePerGas === 0n) return undefined;
  const floor = now.type === 2 ? now : { maxFeePerGas: now.gasPrice, maxPriorityFeePerGas: now.gasPrice };
  const maxPriorityFeePerGas = raised(old.maxPriorityFeePerGas, floor.maxPriorityFeePerGas);
  const maxFeePerGas = raised(old.maxFeePerGas, floor.maxFeePerGas);
  return { type: 2, maxFeePerGas: maxFeePerGas < maxPriorityFeePerGas ? maxPriorityFeePerGas : maxFeePerGas, maxPriorityFeePerGas };
}

/** The fees a signed transaction carries. */
export function feesOf(tx: { type: number | null; gasPrice: bigint | null; maxFeePerGas: bigint | null; maxPriorityFeePerGas: bigint | null }): Fees {
  return tx.type === 2
    ? { type: 2, maxFeePerGas: tx.maxFeePerGas ?? 0n, maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? 0n }
    : { type: 0, gasPrice: tx.gasPrice ?? 0n };
}
