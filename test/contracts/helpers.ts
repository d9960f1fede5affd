// Small helpers for contract tests. hardhat-chai-matchers is not installed, so reverts are asserted by
// decoding the custom error out of the thrown ethers error.
import { expect } from "chai";
import { ethers } from "hardhat";
import type { ContractTransactionReceipt, ContractTransactionResponse, Interface, LogDescription } from "ethers";

type WithInterface = { interface: Interface };

/** Finds the revert data (0x-prefixed hex) anywhere in an ethers/hardhat error object. */
function findRevertData(err: unknown, depth = 0): string | undefined {
  if (err === null || typeof err !== "object" || depth > 5) return undefined;
  const rec = err as Record<string, unknown>;
  const data = rec.data;
  if (typeof data === "string" && /^0x[0-9a-fA-F]*$/.test(data) && data.length >= 10) return data;
  for (const key of ["error", "info", "cause", "data"]) {
    const found = findRevertData(rec[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Normalises decoded values so bigint/number/address-case differences do not break deep equality. */
function norm(v: unknown): unknown {
  if (typeof v === "bigint" || typeof v === "number") return BigInt(v).toString();
  if (typeof v === "string") return v.toLowerCase();
  if (Array.isArray(v)) return v.map(norm);
  return v;
}

/**
 * Asserts that `action` reverts with the custom error `name` of `contract` (and, if given, these args).
 * `action` is a thunk so that both sending and mining failures are caught.
 */
export async function expectRevert(action: () => Promise<unknown>, contract: WithInterface, name: string, args?: readonly unknown[]): Promise<void> {
  let thrown: unknown;
  try {
    const res = await action();
    // A sent transaction that somehow did not throw must still fail when mined.
    if (res !== null && typeof res === "object" && "wait" in res) {
      await (res as ContractTransactionResponse).wait();
    }
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) expect.fail(`expected revert ${name}, but the call succeeded`);
  const data = findRevertData(thrown);
  if (data === undefined) expect.fail(`expected revert ${name}, got an error without revert data: ${String(thrown)}`);
  const parsed = contract.interface.parseError(data);
  expect(parsed, `unknown revert data ${data}`).to.not.equal(null);
  expect(parsed!.name).to.equal(name);
  if (args !== undefined) expect(norm(parsed!.args.toArray())).to.deep.equal(norm([...args]));
}

/** Waits for a transaction and returns its receipt (failing if it has none). */
export async function mined(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction has no receipt");
  return receipt;
}

/** Decodes every log of `receipt` emitted by `contract` under event `name`. */
export function eventsOf(receipt: ContractTransactionReceipt, contract: WithInterface, name: string): LogDescription[] {
  const out: LogDescription[] = [];
  for (const log of receipt.logs) {
    const parsed = contract.interface.parseLog(log);
    if (parsed !== null && parsed.name === name) out.push(parsed);
  }
  return out;
}

/** Timestamp of the latest block. */
export async function latestTime(): Promise<number> {
  const block = await ethers.provider.getBlock("latest");
  if (block === null) throw new Error("no latest block");
  return block.timestamp;
}

/** Makes the next mined block carry timestamp `ts`. */
export async function setNextTime(ts: number): Promise<void> {
  await ethers.provider.send("evm_setNextBlockTimestamp", [ts]);
}

/** Mines an empty block at timestamp `ts`. */
export async function mineAt(ts: number): Promise<void> {
  await setNextTime(ts);
  await ethers.provider.send("evm_mine", []);
}

/** Timestamp of the block that included `receipt`. */
export async function blockTime(receipt: ContractTransactionReceipt): Promise<number> {
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (block === null) throw new Error("block not found");
  return block.timestamp;
}
