// Real processes: hardhat node child + proxy, temp data dirs, OS-assigned ports.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, mkdirSync, writeSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { Interface, JsonRpcProvider, Wallet, id as textHash, keccak256, type TransactionReceipt } from "ethers";
import { journalPath, readJournal, startLocalChain, type JournalEntry, type JournalIo, type LocalChain } from "../../scripts/local-chain";

// Hardhat's default account #0: HARDHAT_NETWORK_MNEMONIC ("test test ... junk") from
// node_modules/hardhat/internal/core/config/default-config.js at m/44'/60'/0'/0/0.
const DEFAULT_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const DEFAULT_ADDRESS_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

const SOURCE = `// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;
contract Anchors {
  uint256 public count;
  mapping(bytes32 => uint256) public anchoredAt;
  event Anchored(bytes32 indexed root, uint256 count, uint256 at);
  function anchor(bytes32 root) external {
    require(anchoredAt[root] == 0, "already anchored");
    count += 1;
    anchoredAt[root] = block.timestamp;
    emit Anchored(root, count, block.timestamp);
  }
}`;

function compile(): { abi: Interface; bytecode: string } {
  // solc-js from node_modules: compiles offline, no hardhat compile step needed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { compile(input: string): string };
  const out = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { "Anchors.sol": { content: SOURCE } },
        settings: { evmVersion: "cancun", outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
      }),
    ),
  ) as { contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>> };
  const c = out.contracts["Anchors.sol"].Anchors;
  return { abi: new Interface(c.abi as string[]), bytecode: "0x" + c.evm.bytecode.object };
}

async function rawRpc(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return res.json();
}

interface RpcOut {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1000 });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
    s.once("timeout", () => {
      s.destroy();
      resolve(false);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const root = (n: number) => textHash(`record-batch-${n}`);

interface Recorded {
  hash: string;
  blockNumber: number;
  blockHash: string;
  timestamp: number;
  status: number | null;
}

describe("local chain (journal + replay)", function () {
  this.timeout(60_000);

  const { abi, bytecode } = compile();
  const tmpDirs: string[] = [];
  const chains: LocalChain[] = [];
  const providers: JsonRpcProvider[] = [];
  const logs: string[] = [];
  const log = (l: string) => logs.push(l);

  let dataDir: string;
  let contractAddress: string;
  let recorded: Recorded[] = [];
  let storage: { count: bigint; at1: bigint; at2: bigint; at3: bigint; slot0: string };
  let originalLogs: { blockNumber: number; transactionHash: string; data: string }[];

  function tmp(): string {
    const d = mkdtempSync(join(tmpdir(), "cargoproof-chain-"));
    tmpDirs.push(d);
    return d;
  }
  async function start(dir: string, journalIo?: JournalIo): Promise<{ chain: LocalChain; provider: JsonRpcProvider; wallet: Wallet }> {
    const chain = await startLocalChain({ dataDir: dir, port: 0, log, ...(journalIo ? { journalIo } : {}) });
    chains.push(chain);
    const provider = new JsonRpcProvider(chain.rpcUrl, 31337, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    providers.push(provider);
    return { chain, provider, wallet: new Wallet(DEFAULT_KEY_0, provider) };
  }
  async function read(provider: JsonRpcProvider, fn: string, args: unknown[] = []): Promise<bigint> {
    const data = await provider.call({ to: contractAddress, data: abi.encodeFunctionData(fn, args) });
    return abi.decodeFunctionResult(fn, data)[0] as bigint;
  }
  async function record(provider: JsonRpcProvider, receipt: TransactionReceipt): Promise<Recorded> {
    const block = await provider.getBlock(receipt.blockNumber);
    if (!block) throw new Error("block missing");
    return { hash: receipt.hash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash, timestamp: block.timestamp, status: receipt.status };
  }
  async function anchorLogs(provider: JsonRpcProvider) {
    const found = await provider.getLogs({ address: contractAddress, topics: [abi.getEvent("Anchored")!.topicHash], fromBlock: 0, toBlock: "latest" });
    return found.map((l) => ({ blockNumber: l.blockNumber, transactionHash: l.transactionHash, data: l.data }));
  }

  after(async () => {
    for (const p of providers) p.destroy();
    for (const c of chains) await c.stop();
    for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(logs.join("\n"));
  });

  it("serves a chain that journals every mined transaction and refuses unreplayable calls", async () => {
    dataDir = tmp();
    const { chain, provider, wallet } = await start(dataDir);
    expect(chain.replayed).to.equal(0);
    expect(wallet.address).to.equal(DEFAULT_ADDRESS_0);
    const url = chain.rpcUrl;
    const port = Number(new URL(url).port);
    expect(new URL(url).hostname).to.equal("127.0.0.1");

    const deploy = await wallet.sendTransaction({ data: bytecode });
    const deployReceipt = (await deploy.wait())!;
    contractAddress = deployReceipt.contractAddress!;
    const r1 = (await (await wallet.sendTransaction({ to: contractAddress, data: abi.encodeFunctionData("anchor", [root(1)]) })).wait())!;

    await sleep(2_100); // a real gap in block time (time-travel RPCs are refused)

    // Two signed sends in one JSON-RPC batch: mined and journaled in batch order.
    const nonce = await provider.getTransactionCount(wallet.address);
    const fee = await provider.getFeeData();
    const signed = await Promise.all(
      [2, 3].map((n, i) =>
        wallet.signTransaction({
          to: contractAddress,
          data: abi.encodeFunctionData("anchor", [root(n)]),
          nonce: nonce + i,
          gasLimit: 200_000,
          maxFeePerGas: fee.maxFeePerGas!,
          maxPriorityFeePerGas: fee.maxPriorityFeePerGas!,
          chainId: 31337,
          type: 2,
        }),
      ),
    );
    const batch = (await rawRpc(url, [
      { jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [signed[0]] },
      { jsonrpc: "2.0", id: 2, method: "eth_blockNumber", params: [] },
      { jsonrpc: "2.0", id: 3, method: "eth_sendRawTransaction", params: [signed[1]] },
    ])) as RpcOut[];
    expect(batch.map((b) => b.id)).to.deep.equal([1, 2, 3]);
    expect(batch[0].result).to.equal(keccak256(signed[0]));
    expect(batch[2].result).to.equal(keccak256(signed[1]));

    // A transaction that reverts is still mined, so it must be journaled too.
    const revertRaw = await wallet.signTransaction({
      to: contractAddress,
      data: abi.encodeFunctionData("anchor", [root(1)]),
      nonce: nonce + 2,
      gasLimit: 200_000,
      maxFeePerGas: fee.maxFeePerGas!,
      maxPriorityFeePerGas: fee.maxPriorityFeePerGas!,
      chainId: 31337,
      type: 2,
    });
    const revertRes = (await rawRpc(url, { jsonrpc: "2.0", id: 9, method: "eth_sendRawTransaction", params: [revertRaw] })) as RpcOut;
    expect(revertRes.error?.message).to.match(/reverted with reason string 'already anchored'/); // hardhat's error, passed through
    const revertReceipt = await provider.getTransactionReceipt(keccak256(revertRaw));
    expect(revertReceipt?.status).to.equal(0);

    const receipts = [deployReceipt, r1];
    for (const raw of signed) receipts.push((await provider.getTransactionReceipt(keccak256(raw)))!);
    receipts.push(revertReceipt!);
    recorded = await Promise.all(receipts.map((r) => record(provider, r)));
    expect(recorded.map((r) => r.blockNumber)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(recorded[2].timestamp - recorded[1].timestamp).to.be.gte(2);

    storage = {
      count: await read(provider, "count"),
      at1: await read(provider, "anchoredAt", [root(1)]),
      at2: await read(provider, "anchoredAt", [root(2)]),
      at3: await read(provider, "anchoredAt", [root(3)]),
      slot0: await provider.getStorage(contractAddress, 0),
    };
    expect(storage.count).to.equal(3n);
    originalLogs = await anchorLogs(provider);
    expect(originalLogs.map((l) => l.blockNumber)).to.deep.equal([2, 3, 4]);

    // Journal: one fsync'd line per mined tx, written before the response came back.
    const journal = readJournal(journalPath(dataDir));
    expect(journal.entries.map((e) => [e.blockNumber, e.timestamp, e.hash, e.blockHash])).to.deep.equal(
      recorded.map((r) => [r.blockNumber, r.timestamp, r.hash, r.blockHash]),
    );

    // Unreplayable calls are refused with an explanation.
    const refused = (await rawRpc(url, [
      { jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{ from: wallet.address, to: wallet.address, value: "0x1" }] },
      { jsonrpc: "2.0", id: 2, method: "evm_increaseTime", params: [3600] },
      { jsonrpc: "2.0", id: 3, method: "evm_mine", params: [] },
      { jsonrpc: "2.0", id: 4, method: "hardhat_setBalance", params: [wallet.address, "0x1"] },
      { jsonrpc: "2.0", id: 5, method: "evm_snapshot", params: [] },
    ])) as RpcOut[];
    for (const r of refused) expect(r.error?.code, JSON.stringify(r)).to.equal(-32004);
    expect(refused[0].error!.message).to.match(/eth_sendTransaction.*eth_sendRawTransaction/);
    expect(refused[1].error!.message).to.match(/evm_increaseTime.*journal/);
    expect(await provider.getBlockNumber()).to.equal(5);
    expect(readJournal(journalPath(dataDir)).entries).to.have.length(5);

    // Bound to loopback only: not reachable on ::1 or any other local address.
    expect(await canConnect("127.0.0.1", port)).to.equal(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !(a.family === "IPv4" && a.address.startsWith("127.")) && !a.address.startsWith("fe80"))
      .map((a) => a!.address);
    for (const host of new Set(["::1", ...others])) expect(await canConnect(host, port), host).to.equal(false);

    await chain.stop();
    expect(await canConnect("127.0.0.1", port)).to.equal(false);
  });

  it("restarts on the same data dir with the same chain, and keeps journaling", async () => {
    const startedAt = Math.floor(Date.now() / 1000);
    const { chain, provider, wallet } = await start(dataDir);
    expect(chain.replayed).to.equal(5);

    for (const r of recorded) {
      const receipt = (await provider.getTransactionReceipt(r.hash))!;
      expect(await record(provider, receipt)).to.deep.equal(r);
    }
    expect((await provider.getTransactionReceipt(recorded[0].hash))!.contractAddress).to.equal(contractAddress);
    expect(await read(provider, "count")).to.equal(storage.count);
    expect(await read(provider, "anchoredAt", [root(1)])).to.equal(storage.at1);
    expect(await read(provider, "anchoredAt", [root(2)])).to.equal(storage.at2);
    expect(await read(provider, "anchoredAt", [root(3)])).to.equal(storage.at3);
    expect(await provider.getStorage(contractAddress, 0)).to.equal(storage.slot0);
    expect(await anchorLogs(provider)).to.deep.equal(originalLogs);

    // New transactions carry the real time again and are journaled.
    const tx = await wallet.sendTransaction({ to: contractAddress, data: abi.encodeFunctionData("anchor", [root(4)]) });
    const rec = await record(provider, (await tx.wait())!);
    expect(rec.blockNumber).to.equal(6);
    expect(rec.timestamp).to.be.gte(startedAt);
    const journal = readJournal(journalPath(dataDir));
    expect(journal.entries).to.have.length(6);
    expect(journal.entries[5]).to.include({ hash: rec.hash, blockNumber: 6, timestamp: rec.timestamp, blockHash: rec.blockHash });
    await chain.stop();
  });

  it("refuses to start from a corrupt journal", async () => {
    const lines = readFileSync(journalPath(dataDir), "utf8").trimEnd().split("\n");
    expect(JSON.parse(lines[3])).to.have.keys("blockNumber", "blockHash"); // each entry is followed by its block's seal
    const entry = JSON.parse(lines[2]) as JournalEntry;
    // Flip one calldata nibble of line 3's signed transaction (the second entry).
    const at = entry.raw.length - 140;
    const altered = entry.raw.slice(0, at) + (entry.raw[at] === "a" ? "b" : "a") + entry.raw.slice(at + 1);

    // (a) raw no longer matches its hash: caught while reading, before any node starts.
    const dirA = tmp();
    writeFileSync(journalPath(dirA), [...lines.slice(0, 2), JSON.stringify({ ...entry, raw: altered }), ...lines.slice(3)].join("\n") + "\n");
    let err: unknown;
    await startLocalChain({ dataDir: dirA, port: 0, log }).then(
      (c) => chains.push(c),
      (e: unknown) => (err = e),
    );
    expect(String(err)).to.match(/line 3: hash .* does not match its raw transaction/);

    // (b) a self-consistent but different transaction: the replayed chain diverges, which is fatal.
    const dirB = tmp();
    writeFileSync(
      journalPath(dirB),
      [...lines.slice(0, 2), JSON.stringify({ ...entry, raw: altered, hash: keccak256(altered) }), ...lines.slice(3)].join("\n") + "\n",
    );
    err = undefined;
    await startLocalChain({ dataDir: dirB, port: 0, log }).then(
      (c) => chains.push(c),
      (e: unknown) => (err = e),
    );
    expect(err).to.be.instanceOf(Error);
    expect(String(err)).to.match(/cannot rebuild the local chain from .*: line 3: /);
    expect(readFileSync(join(dirB, "chain-journal.jsonl"), "utf8")).to.include(altered); // left untouched for inspection
  });

  it("replays multi-transaction blocks and block gaps, and drops a torn last line", async () => {
    const entries = readJournal(journalPath(dataDir)).entries;
    const [deploy, a1, a2] = entries;
    const ts = a2.timestamp + 10;
    // Hand-made journal (no block hashes, which would no longer match): block 2 empty, two txs in block 3.
    const crafted: JournalEntry[] = [
      { blockNumber: 1, timestamp: deploy.timestamp, raw: deploy.raw, hash: deploy.hash },
      { blockNumber: 3, timestamp: ts, raw: a1.raw, hash: a1.hash },
      { blockNumber: 3, timestamp: ts, raw: a2.raw, hash: a2.hash },
    ];
    const dir = tmp();
    mkdirSync(dir, { recursive: true });
    writeFileSync(journalPath(dir), crafted.map((e) => JSON.stringify(e) + "\n").join(""));
    appendFileSync(journalPath(dir), '{"blockNumber":4,"timest'); // crash mid-append

    const { chain, provider, wallet } = await start(dir);
    expect(chain.replayed).to.equal(3);
    expect(logs.join("\n")).to.match(/incomplete last line/);
    const empty = (await provider.getBlock(2))!;
    expect(empty.transactions).to.have.length(0);
    expect(empty.timestamp).to.be.greaterThan(deploy.timestamp).and.lessThan(ts);
    const block3 = (await provider.getBlock(3))!;
    expect(block3.timestamp).to.equal(ts);
    expect(block3.transactions).to.deep.equal([a1.hash, a2.hash]);
    expect(await read(provider, "count")).to.equal(2n);

    const tx = await wallet.sendTransaction({ to: contractAddress, data: abi.encodeFunctionData("anchor", [root(5)]) });
    await tx.wait();
    const after = readJournal(journalPath(dir));
    expect(after.tornTail).to.equal(false);
    expect(after.entries.map((e) => e.hash)).to.deep.equal([deploy.hash, a1.hash, a2.hash, tx.hash]);
    await chain.stop();
  });

  it("journals a transaction before mining it: a journal that cannot be written refuses it, and no receipt is ever seen", async () => {
    const dir = tmp();
    // A full disk: the write gets a few bytes down, then ENOSPC (as write(2) does when space runs out).
    let diskFull = false;
    const io: JournalIo = {
      write(fd, buf, offset, length) {
        if (!diskFull) return writeSync(fd, buf, offset, length);
        writeSync(fd, buf, offset, Math.min(length, 7));
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      },
    };
    const { chain, provider, wallet } = await start(dir, io);
    const deployed = (await (await wallet.sendTransaction({ data: bytecode })).wait())!;
    const address = deployed.contractAddress!;
    const head = await provider.getBlockNumber();

    diskFull = true;
    const fee = await provider.getFeeData();
    const raw = await wallet.signTransaction({
      to: address,
      data: abi.encodeFunctionData("anchor", [root(7)]),
      nonce: await provider.getTransactionCount(wallet.address),
      gasLimit: 200_000,
      maxFeePerGas: fee.maxFeePerGas!,
      maxPriorityFeePerGas: fee.maxPriorityFeePerGas!,
      chainId: 31337,
      type: 2,
    });
    const refused = (await rawRpc(chain.rpcUrl, { jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [raw] })) as RpcOut;
    expect(refused.error?.code, JSON.stringify(refused)).to.equal(-32002);
    expect(refused.error!.message).to.match(/journal cannot be written.*ENOSPC.*not sent/);
    // Nothing was mined: no receipt, the same head, and reads still answer (the chain is the journal's).
    expect(await provider.getTransactionReceipt(keccak256(raw))).to.equal(null);
    expect(await provider.getBlockNumber()).to.equal(head);
    expect(await provider.getTransactionCount(wallet.address)).to.equal(1);
    const journal = readJournal(journalPath(dir));
    expect(journal.tornTail, "the partial line was cut off again").to.equal(false);
    expect(journal.entries.map((e) => e.hash)).to.deep.equal([deployed.hash]);

    // Space again: the same signed transaction now goes through and is journaled with its block's hash.
    diskFull = false;
    const sent = (await rawRpc(chain.rpcUrl, { jsonrpc: "2.0", id: 2, method: "eth_sendRawTransaction", params: [raw] })) as RpcOut;
    expect(sent.result, JSON.stringify(sent)).to.equal(keccak256(raw));
    const mined = (await provider.getTransactionReceipt(keccak256(raw)))!;
    expect(mined.blockNumber).to.equal(head + 1);
    const journaled = readJournal(journalPath(dir)).entries;
    expect(journaled.map((e) => [e.hash, e.blockNumber, e.blockHash])).to.deep.equal([
      [deployed.hash, deployed.blockNumber, deployed.blockHash],
      [mined.hash, mined.blockNumber, mined.blockHash],
    ]);
    await chain.stop();

    // After a restart the replayed chain is the one that was served.
    const again = await start(dir);
    expect(again.chain.replayed).to.equal(2);
    const replayed = (await again.provider.getTransactionReceipt(mined.hash))!;
    expect([replayed.blockNumber, replayed.blockHash]).to.deep.equal([mined.blockNumber, mined.blockHash]);
    expect(await again.provider.getBlockNumber()).to.equal(head + 1);
    await again.chain.stop();
  });

  it("replays a last entry without its seal if it still mines, and cuts it off if it never could have", async () => {
    const entries = readJournal(journalPath(dataDir)).entries;
    const [deploy, a1] = entries;
    const line = (e: JournalEntry) => JSON.stringify(e) + "\n";
    const seal = (e: JournalEntry) => JSON.stringify({ blockNumber: e.blockNumber, blockHash: e.blockHash }) + "\n";
    const unsealed = (e: JournalEntry) => line({ blockNumber: e.blockNumber, timestamp: e.timestamp, raw: e.raw, hash: e.hash });

    // Journaled, then the proxy died before the node mined it: it is mined on replay.
    const dirA = tmp();
    writeFileSync(journalPath(dirA), unsealed(deploy) + seal(deploy) + unsealed(a1));
    const a = await start(dirA);
    expect(a.chain.replayed).to.equal(2);
    expect((await a.provider.getTransactionReceipt(a1.hash))?.blockHash).to.equal(a1.blockHash);
    await a.chain.stop();

    // A transaction the node rejects (its nonce is 1 ahead) cannot have been mined: dropped, not fatal.
    const dirB = tmp();
    writeFileSync(journalPath(dirB), unsealed(deploy) + seal(deploy) + unsealed({ ...entries[2], blockNumber: 2 }));
    const b = await start(dirB);
    expect(b.chain.replayed).to.equal(1);
    expect(await b.provider.getBlockNumber()).to.equal(1);
    expect(readFileSync(journalPath(dirB), "utf8")).to.equal(unsealed(deploy) + seal(deploy));
    // And the chain goes on from there, with a timestamp of now.
    const tx = await b.wallet.sendTransaction({ to: contractAddress, data: abi.encodeFunctionData("anchor", [root(9)]) });
    const rec = await record(b.provider, (await tx.wait())!);
    expect(rec.blockNumber).to.equal(2);
    expect(rec.timestamp).to.be.closeTo(Math.floor(Date.now() / 1000), 5);
    await b.chain.stop();
  });
});
