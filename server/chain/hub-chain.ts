import { Contract, JsonRpcProvider, Wallet, type TransactionReceipt } from "ethers";
import { anchorRegistryAbi, participantRegistryAbi } from "../../sdk/chain-abi";

/** The hub's connection to the chain: a provider, the operator's and anchorer's wallets, both registries. */
export class HubChain {
  readonly provider: JsonRpcProvider;
  readonly operator: Wallet;
  readonly anchorer: Wallet;
  readonly participants: Contract;
  readonly anchors: Contract;
  private operatorQueue: Promise<unknown> = Promise.resolve();

  constructor(opts: {
    rpcUrl: string;
    operatorKey: string;
    anchorerKey: string;
    participantRegistry: string;
    anchorRegistry: string;
  }) {
    // Polling is for tx.wait(); the hub otherwise asks the chain only when it needs to.
    this.provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
    this.operator = new Wallet(opts.operatorKey, this.provider);
    this.anchorer = new Wallet(opts.anchorerKey, this.provider);
    this.participants = new Contract(opts.participantRegistry, participantRegistryAbi, this.operator);
    this.anchors = new Contract(opts.anchorRegistry, anchorRegistryAbi, this.anchorer);
  }

  get contracts() {
    return { participantRegistry: this.participants.target as string, anchorRegistry: this.anchors.target as string };
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
}
