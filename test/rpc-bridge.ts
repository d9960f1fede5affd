// A loopback JSON-RPC endpoint in front of the in-process hardhat network: code that takes an RPC
// URL (the SDK's `chain: { rpcUrl }`, the CLI as a child process) reaches the test's chain through it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { network } from "hardhat";

export type RpcRequest = { id: unknown; method: string; params?: unknown[] };
export type RpcError = { code: number; message: string };

/**
 * `refuse` may answer a request with a JSON-RPC error instead of the chain (a provider's limits);
 * undefined passes it through.
 */
export async function rpcServer(refuse?: (r: RpcRequest) => Promise<RpcError | undefined>): Promise<{ url: string; server: Server }> {
  const answer = async (r: RpcRequest) => {
    try {
      const error = await refuse?.(r);
      if (error) return { jsonrpc: "2.0", id: r.id, error };
      return { jsonrpc: "2.0", id: r.id, result: await network.provider.send(r.method, r.params ?? []) };
    } catch (err) {
      return { jsonrpc: "2.0", id: r.id, error: { code: -32000, message: (err as Error).message } };
    }
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
      void (Array.isArray(parsed) ? Promise.all(parsed.map(answer)) : answer(parsed)).then((out) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(out));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
