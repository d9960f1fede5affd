// A loopback JSON-RPC endpoint in front of the in-process hardhat network that behaves like a public
// provider: eth_getLogs over more than `maxRange` blocks is refused (in the ways real providers
// refuse it, in turn), and every range asked and accepted is counted.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { network } from "hardhat";

type Req = { id: unknown; method: string; params?: unknown[] };

// How providers word the refusal: Infura/geth style, a -32602 "range" answer, QuickNode's wording.
const REFUSALS = [
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
  const answer = async (r: Req) => {
    try {
      if (r.method === "eth_getLogs") {
        const f = (r.params?.[0] ?? {}) as { fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown };
        if (f.blockHash === undefined) {
          const from = await blockOf(f.fromBlock ?? "latest");
          const to = await blockOf(f.toBlock ?? "latest");
          const refused = to - from + 1 > maxRange;
          asked.push({ from, to, refused });
          if (refused) return { jsonrpc: "2.0", id: r.id, error: REFUSALS[asked.length % REFUSALS.length]!(maxRange) };
        }
      }
      return { jsonrpc: "2.0", id: r.id, result: await network.provider.send(r.method, r.params ?? []) };
    } catch (err) {
      return { jsonrpc: "2.0", id: r.id, error: { code: -32000, message: (err as Error).message } };
    }
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const parsed = JSON.parse(body) as Req | Req[];
      void (Array.isArray(parsed) ? Promise.all(parsed.map(answer)) : answer(parsed)).then((out) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(out));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    asked,
    refusals: () => asked.filter((a) => a.refused).length,
    largestAccepted: () => Math.max(0, ...asked.filter((a) => !a.refused).map((a) => a.to - a.from + 1)),
    requests: () => asked.length,
    reset: () => void asked.splice(0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
