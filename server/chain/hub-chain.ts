import { Contract, JsonRpcProvider, Wallet, type TransactionReceipt } from "ethers";
import { anchorRegistryAbi, credentialRegistryAbi, participantRegistryAbi } from "../../sdk/chain-abi";

/** The hub's connection to the chain: a provider, the operator's and anchorer's wallets, both registries. */
export class HubChain {
  readonly provider: JsonRpcProvider;
  readonly operator: Wallet;
  readonly anchorer: Wallet;
  readonly participants: Contract;
  readonly anchors: Contract;
  /** The block the registries were deployed in: where every log search starts (CONTRACTS_FROM_BLOCK). */
  readonly fromBlock: number;
  /** The CredentialRegistry, once `resolveCredentialRegistry` found it (the operator issues with it). */
  credentials: Contract | undefined;
  private operatorQueue: Promise<unknown> = Promise.resolve();

  constructor(opts: { rpcUrl: string; operatorKey: string; anchorerKey: string; participantRegistry: string; anchorRegistry: string; fromBlock?: number }) {
    this.fromBlock = opts.fromBlock ?? 0;
    // Polling is for tx.wait(); the hub otherwise asks the chain only when it needs to.
    this.provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
    this.operator = new Wallet(opts.operatorKey, this.provider);
    this.anchorer = new Wallet(opts.anchorerKey, this.provider);
    this.participants = new Contract(opts.participantRegistry, participantRegistryAbi, this.operator);
    this.anchors = new Contract(opts.anchorRegistry, anchorRegistryAbi, this.anchorer);
  }

  get contracts(): { participantRegistry: string; anchorRegistry: string; credentialRegistry?: string } {
    return {
      participantRegistry: this.participants.target as string,
      anchorRegistry: this.anchors.target as string,
      ...(this.credentials ? { credentialRegistry: this.credentials.target as string } : {}),
    };
  }

  /** Finds the CredentialRegistry: the configured one, else the one the participant registry names. */
  async resolveCredentialRegistry(configured: string | undefined): Promise<string | undefined> {
    // A participant registry deployed before credentials existed has no such view: then there is none.
    const named =
      configured ??
      ((await this.participants
        .getFunction("credentialRegistry")()
        .catch(() => undefined)) as string | undefined) ??
      "0x" + "0".repeat(40);
    if (/^0x0{40}$/i.test(named)) return undefined;
    this.credentials = new Contract(named, credentialRegistryAbi, this.operator);
    return named;
  }

  /** Sends an operator transaction to the CredentialRegistry (queued with the other operator transactions). */
  credentialTx(send: (registry: Contract) => Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<TransactionReceipt> {
    const registry = this.credentials;
    if (!registry) return Promise.reject(new Error("no credential registry: the participant registry names none and CREDENTIAL_REGISTRY is not set"));
    return this.operatorTx(() => send(registry));
  }

  /**
   * Sends an operator transaction and waits for it to be mined. Operator transactions are sent one at
   * a time so their nonces never collide.
   */
  operatorTx(send: (registry: Contract) => Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<TransactionReceipt> {
    const run = this.operatorQueue.then(async () => {
      const tx = await send(this.participants);
      const receipt = await tx.wait();
      if (!receipt || receipt.status !== 1) throw new Error("operator transaction failed");
      return receipt;
    });
    this.operatorQueue = run.catch(() => undefined);
    return run;
  }

  destroy(): void {
    this.provider.destroy();
  }

  /**
   * The transaction's receipt if it is on the canonical chain: its block at that height is still the
   * block the receipt names. A node may answer for a block a reorg replaced; that counts as no receipt.
   */
  async canonicalReceipt(txHash: string): Promise<TransactionReceipt | null> {
    const receipt = await this.provider.getTransactionReceipt(txHash);
    if (!receipt) return null;
    const block = await this.provider.getBlock(receipt.blockNumber);
    return block?.hash === receipt.blockHash ? receipt : null;
  }
}

/**
 * What a node's refusal of a signed transaction means for the one who signed it:
 * - "known": the node has this very transaction already (it is as good as sent);
 * - "nonce-used": its nonce went to another transaction (it may itself be the one mined: look);
 * - "nonce-gap": it cannot be mined as signed, its nonce is ahead of the chain's (the chain lost
 *   transactions, or an earlier one was dropped): sign anew with the chain's current nonce;
 * - "slot-taken": another pending transaction with its nonce pays more or as much (a replacement
 *   underpriced): if that one is the signer's own earlier version, wait for either to be mined;
 * - "other": anything else (the node down, the journal full, out of funds): retry as it is.
 */
export type SendRefusal = "known" | "nonce-used" | "nonce-gap" | "slot-taken" | "other";

export function classifySendError(err: unknown): SendRefusal {
  const code = (err as { code?: unknown }).code;
  const text = `${(err as Error).message} ${JSON.stringify((err as { info?: unknown }).info ?? "")}`.toLowerCase();
  if (text.includes("already known") || text.includes("already imported") || text.includes("known transaction")) return "known";
  if (code === "NONCE_EXPIRED" || text.includes("nonce too low") || text.includes("nonce has already been used") || text.includes("nonce_expired"))
    return "nonce-used";
  if (code === "REPLACEMENT_UNDERPRICED" || text.includes("replacement transaction underpriced") || text.includes("replacement fee too low"))
    return "slot-taken";
  if (text.includes("nonce too high")) return "nonce-gap";
  return "other";
}
