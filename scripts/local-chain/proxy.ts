// JSON-RPC proxy in front of the internal hardhat node. It is the only way clients
// reach the chain, so it can journal every transaction before it gets mined (see journal.ts)
// and refuse the calls whose effects a journal of raw transactions could not replay.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { keccak256 } from "ethers";
import { z } from "zod";
import type { JournalEntry, JournalWriter } from "./journal";

// ---------------------------------------------------------------- JSON-RPC client

export type JsonRpcId = string | number | null;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  method: string;
  params?: unknown;
  id?: JsonRpcId;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type JsonRpcResponse = { jsonrpc: "2.0"; id: JsonRpcId; result: unknown } | { jsonrpc: "2.0"; id: JsonRpcId; error: JsonRpcErrorObject };

const rpcIdSchema = z.union([z.string(), z.number(), z.null()]);
const rpcErrorResponseSchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: rpcIdSchema,
  error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }),
});
const rpcResultResponseSchema = z.object({ jsonrpc: z.literal("2.0"), id: rpcIdSchema, result: z.unknown() });

// Branch on the key itself: a schema union would let `result: unknown` (which accepts
// a missing key) swallow error responses.
function parseRpcResponse(json: unknown): JsonRpcResponse | null {
  if (typeof json !== "object" || json === null) return null;
  if ("error" in json) {
    const r = rpcErrorResponseSchema.safeParse(json);
    return r.success ? r.data : null;
  }
  if (!("result" in json)) return null;
  const r = rpcResultResponseSchema.safeParse(json);
  return r.success ? { jsonrpc: "2.0", id: r.data.id, result: r.data.result } : null;
}

export class RpcError extends Error {
  override name = "RpcError";
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${message} (code ${code})`);
  }
}

let nextId = 1;

/** Sends one request to `url` and returns the parsed response object (result or error). */
export async function rpcRequest(url: string, req: JsonRpcRequest, timeoutMs = 120_000): Promise<JsonRpcResponse> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(req),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${req.method}: non-JSON response from ${url} (HTTP ${res.status}): ${text.slice(0, 200)}`);
  }
  const parsed = parseRpcResponse(json);
  if (parsed === null) throw new Error(`${req.method}: malformed JSON-RPC response from ${url}: ${text.slice(0, 200)}`);
  return parsed;
}

/** Calls `method` and returns its result, throwing RpcError on a JSON-RPC error. */
export async function rpcCall(url: string, method: string, params: unknown[] = [], timeoutMs?: number): Promise<unknown> {
  const res = await rpcRequest(url, { jsonrpc: "2.0", id: nextId++, method, params }, timeoutMs);
  if ("error" in res) throw new RpcError(method, res.error.code, res.error.message, res.error.data);
  return res.result;
}

const quantity = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/)
  .transform((s) => Number(BigInt(s)));
const hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);

const receiptSchema = z.object({
  transactionHash: hash32,
  blockNumber: quantity,
  blockHash: hash32,
  transactionIndex: quantity,
});
export type MinedReceipt = z.infer<typeof receiptSchema>;

const blockSchema = z.object({
  number: quantity,
  hash: hash32,
  timestamp: quantity,
  transactions: z.array(z.unknown()),
});
export type BlockHeader = z.infer<typeof blockSchema>;

export async function getReceipt(url: string, hash: string): Promise<MinedReceipt | null> {
  const r = await rpcCall(url, "eth_getTransactionReceipt", [hash]);
  return r === null ? null : receiptSchema.parse(r);
}

export async function getBlock(url: string, tag: number | "latest"): Promise<BlockHeader> {
  const b = await rpcCall(url, "eth_getBlockByNumber", [typeof tag === "number" ? `0x${tag.toString(16)}` : tag, false]);
  if (b === null) throw new Error(`block ${tag} not found`);
  return blockSchema.parse(b);
}

/** Timestamp the node would give the next block if it were mined now. */
export async function getPendingTimestamp(url: string): Promise<number> {
  const b = await rpcCall(url, "eth_getBlockByNumber", ["pending", false]);
  return z.object({ timestamp: quantity }).parse(b).timestamp;
}

export async function waitForReceipt(url: string, hash: string, timeoutMs: number): Promise<MinedReceipt | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await getReceipt(url, hash);
    if (r !== null || Date.now() >= deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// ---------------------------------------------------------------- policy

/** EIP-1474 "method not supported". */
export const METHOD_REFUSED_CODE = -32004;
/** EIP-1474 "resource unavailable": the journal cannot be written, so the transaction was not sent. */
export const JOURNAL_UNWRITABLE_CODE = -32002;

// Read-only helpers from the hardhat_ namespace that are safe to pass through.
const ALLOWED_HARDHAT_METHODS = new Set(["hardhat_metadata", "hardhat_getAutomine"]);

/**
 * Why a method is refused, or null if it may be forwarded. Everything that changes
 * chain state other than by a signed transaction is refused: the journal holds only
 * raw transactions, so such changes would silently vanish on the next start.
 */
export function refusalReason(method: string): string | null {
  if (method === "eth_sendTransaction") {
    return (
      "eth_sendTransaction is refused by the cargoproof local chain: transactions sent from unlocked node accounts " +
      "cannot be journaled for replay. Sign the transaction locally (e.g. an ethers Wallet) and use eth_sendRawTransaction."
    );
  }
  if ((method.startsWith("hardhat_") && !ALLOWED_HARDHAT_METHODS.has(method)) || method.startsWith("evm_")) {
    return (
      `${method} is refused by the cargoproof local chain: mining, time travel, snapshots and state overrides ` +
      "are not recorded in the chain journal, so the chain could not be rebuilt on the next start. " +
      "Only signed transactions (eth_sendRawTransaction) may change the chain."
    );
  }
  return null;
}

// ---------------------------------------------------------------- proxy server

export interface ProxyOptions {
  upstreamUrl: string;
  port: number;
  host: "127.0.0.1";
  journal: JournalWriter;
  /** Hashes already in the journal (lower-case); extended as entries are appended. */
  journaledHashes: Set<string>;
  log: (line: string) => void;
  /** For failures that need attention (journal out of sync). */
  errLog: (line: string) => void;
}

export interface RpcProxy {
  url: string;
  port: number;
  /** Stops accepting requests, lets queued sends finish journaling, closes connections. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 20 * 1024 * 1024;
// Automine makes the receipt immediate; this only bounds a node that misbehaves.
const RECEIPT_TIMEOUT_MS = 10_000;

function errorResponse(id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcResponse {
  return { jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } };
}

function isRequest(v: unknown): v is JsonRpcRequest {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const idOk = !("id" in o) || o.id === null || typeof o.id === "string" || typeof o.id === "number";
  return o.jsonrpc === "2.0" && typeof o.method === "string" && idOk;
}

export function startProxy(opts: ProxyOptions): Promise<RpcProxy> {
  const { upstreamUrl, journal, journaledHashes, log, errLog } = opts;
  // Every eth_sendRawTransaction runs on this chain, one at a time, so the journal
  // order is the mining order even when clients send concurrently.
  let sendQueue: Promise<void> = Promise.resolve();
  // Set once the chain and the journal may disagree (a transaction mined other than journaled, or
  // a rejected one that could not be cut off): then every call is refused, reads too, so nobody sees
  // a receipt or state that the next start (replay) might not reproduce.
  let broken: string | null = null;
  let closing = false;

  async function forward(req: JsonRpcRequest): Promise<JsonRpcResponse> {
    try {
      return await rpcRequest(upstreamUrl, { jsonrpc: "2.0", id: req.id ?? null, method: req.method, params: req.params });
    } catch (err) {
      return errorResponse(req.id ?? null, -32603, `local chain node unavailable: ${(err as Error).message}`);
    }
  }

  /**
   * Journal first, then mine: the entry (its block number and a timestamp pinned on the node) is
   * fsync'd before the node sees the transaction, so the chain never holds a transaction the journal
   * lacks. A journal that cannot be written (a full disk) refuses the transaction, and the chain stays
   * as the journal has it. An entry whose transaction is then rejected is cut off again.
   */
  async function sendRaw(req: JsonRpcRequest): Promise<JsonRpcResponse> {
    const id = req.id ?? null;
    const raw = Array.isArray(req.params) ? req.params[0] : undefined;
    if (typeof raw !== "string" || !/^0x(?:[0-9a-fA-F]{2})+$/.test(raw)) {
      return errorResponse(id, -32602, "eth_sendRawTransaction expects one 0x-prefixed hex string");
    }
    const hash = keccak256(raw).toLowerCase();
    if (journaledHashes.has(hash)) return forward(req); // a resubmission: journaled already, and mined

    let entry: JournalEntry;
    try {
      const latest = await getBlock(upstreamUrl, "latest");
      const timestamp = Math.max(latest.timestamp + 1, await getPendingTimestamp(upstreamUrl));
      await rpcCall(upstreamUrl, "evm_setNextBlockTimestamp", [timestamp]);
      entry = { blockNumber: latest.number + 1, timestamp, raw, hash };
    } catch (err) {
      return errorResponse(id, -32603, `local chain node unavailable: ${(err as Error).message}`);
    }
    let journalLength: number;
    try {
      journalLength = journal.append(entry);
    } catch (err) {
      const why = `the local chain journal cannot be written (${(err as Error).message}); transaction ${hash} was not sent, retry once the journal's disk has space`;
      errLog(`ERROR: ${why}`);
      return errorResponse(id, JOURNAL_UNWRITABLE_CODE, why);
    }

    const res = await forward(req);
    try {
      // Hardhat reports a reverted transaction as an error even though it was mined,
      // so look for a receipt either way; only a success guarantees one is coming.
      const receipt = "result" in res ? await waitForReceipt(upstreamUrl, hash, RECEIPT_TIMEOUT_MS) : await getReceipt(upstreamUrl, hash);
      if (receipt === null) {
        if (!("error" in res)) throw new Error(`no receipt for ${hash} after ${RECEIPT_TIMEOUT_MS} ms`);
        journal.truncate(journalLength); // rejected, not mined
        return res;
      }
      if (receipt.blockNumber !== entry.blockNumber)
        throw new Error(`${hash} was mined in block ${receipt.blockNumber}, journaled for block ${entry.blockNumber}`);
      const block = await getBlock(upstreamUrl, receipt.blockNumber);
      if (block.timestamp !== entry.timestamp) throw new Error(`block ${block.number} got timestamp ${block.timestamp}, journaled ${entry.timestamp}`);
      journaledHashes.add(hash);
      try {
        journal.append({ blockNumber: block.number, blockHash: block.hash });
      } catch (err) {
        // The transaction is journaled; without its seal, replay just cannot compare this block's hash.
        errLog(`warning: block ${block.number}'s hash not journaled (${(err as Error).message})`);
      }
      log(`journaled tx ${hash} (block ${entry.blockNumber})`);
      return res;
    } catch (err) {
      broken = `local chain journal is out of sync (${(err as Error).message}); restart the local chain, every call is refused until then`;
      errLog(`ERROR: ${broken}`);
      return errorResponse(id, -32603, broken);
    }
  }

  function handleOne(item: unknown): Promise<JsonRpcResponse> {
    if (!isRequest(item)) return Promise.resolve(errorResponse(null, -32600, "invalid JSON-RPC 2.0 request"));
    const id = item.id ?? null;
    if (broken !== null) return Promise.resolve(errorResponse(id, -32603, broken));
    const refused = refusalReason(item.method);
    if (refused !== null) return Promise.resolve(errorResponse(id, METHOD_REFUSED_CODE, refused));
    if (item.method !== "eth_sendRawTransaction") return forward(item);
    // Enqueue synchronously so sends within one batch keep their array order.
    const run = sendQueue.then(() => sendRaw(item));
    sendQueue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async function handleBody(body: unknown): Promise<unknown> {
    if (Array.isArray(body)) {
      if (body.length === 0) return errorResponse(null, -32600, "empty batch");
      const out = await Promise.all(body.map(handleOne));
      // Notifications (no id) get no response object.
      const kept = out.filter((_, i) => isRequest(body[i]) === false || "id" in (body[i] as object));
      return kept.length > 0 ? kept : undefined;
    }
    const res = await handleOne(body);
    return isRequest(body) && !("id" in body) ? undefined : res;
  }

  function reply(res: ServerResponse, status: number, payload: unknown): void {
    if (payload === undefined) {
      res.writeHead(204).end();
      return;
    }
    const text = JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Same CORS stance as `hardhat node`, so browser tooling pointed at it keeps working.
    res.setHeader("access-control-allow-origin", "*");
    if (req.method === "OPTIONS") {
      res.writeHead(204, { "access-control-allow-methods": "POST, OPTIONS", "access-control-allow-headers": "content-type" });
      res.end();
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST, OPTIONS" }).end();
      return;
    }
    if (closing) {
      reply(res, 503, errorResponse(null, -32603, "local chain is shutting down"));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        reply(res, 413, errorResponse(null, -32600, "request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      reply(res, 200, errorResponse(null, -32700, "parse error"));
      return;
    }
    reply(res, 200, await handleBody(body));
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      errLog(`ERROR: proxy request failed: ${(err as Error).message}`);
      if (!res.headersSent) reply(res, 500, errorResponse(null, -32603, "internal proxy error"));
      else res.destroy();
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${opts.host}:${port}`,
        port,
        async close() {
          if (closing) return;
          closing = true;
          const closed = new Promise<void>((done) => server.close(() => done()));
          server.closeIdleConnections();
          await sendQueue; // a send in progress must reach the journal before the node goes away
          server.closeAllConnections();
          await closed;
        },
      });
    });
  });
}
