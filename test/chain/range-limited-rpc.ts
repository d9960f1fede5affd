// A loopback JSON-RPC endpoint in front of the in-process hardhat network that behaves like a public
// provider: eth_getLogs over more than `maxRange` blocks is refused (in the ways real providers
// refuse it, in turn), and every range asked and accepted is counted.
import type { Server } from "node:http";
import { network } from "hardhat";
import { rpcServer, type RpcError } from "../rpc-bridge";

// How providers word the refusal: Infura/geth style, a -32602 "range" answer, QuickNode's wording.
const REFUSALS: ((max: number) => RpcError)[] = [
  (max: number) => ({ code: -32005, message: `query exceeds max block range ${max}` }),
  (max: number) => ({ code: -32602, message: `invalid params: block range too large, max ${max}` }),
  (max: number) => ({ code: -32614, message: `eth_getLogs is limited to a ${max} range` }),
];

export interface RangeLimitedRpc {
  url: string;
  server: Server;
  /** Every eth_getLogs range asked, refused ones included. */
  asked: { from: number; to: number; refused: boolean }[];
  refusals(): number;
  largestAccepted(): number;
  /** eth_getLogs requests so far. */
  requests(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function rangeLimitedRpc(maxRange = 1_000): Promise<RangeLimitedRpc> {
  const asked: RangeLimitedRpc["asked"] = [];
  const blockOf = async (tag: unknown): Promise<number> =>
    typeof tag === "string" && /^0x[0-9a-f]+$/i.test(tag) ? Number(tag) : Number(await network.provider.send("eth_blockNumber", []));
  const { url, server } = await rpcServer(async (r) => {
    if (r.method !== "eth_getLogs") return undefined;
    const f = (r.params?.[0] ?? {}) as { fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown };
    if (f.blockHash !== undefined) return undefined;
    const from = await blockOf(f.fromBlock ?? "latest");
    const to = await blockOf(f.toBlock ?? "latest");
    const refused = to - from + 1 > maxRange;
    asked.push({ from, to, refused });
    return refused ? REFUSALS[asked.length % REFUSALS.length]!(maxRange) : undefined;
  });
  return {
    url,
    server,
    asked,
    refusals: () => asked.filter((a) => a.refused).length,
    largestAccepted: () => Math.max(0, ...asked.filter((a) => !a.refused).map((a) => a.to - a.from + 1)),
    requests: () => asked.length,
    reset: () => void asked.splice(0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
