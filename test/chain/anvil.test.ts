// Anvil, the second node implementation, started for real on 127.0.0.1 with pre-Shanghai rules
// (`--hardfork paris`: no PUSH0) and a block every second: the contracts deploy, a hub anchors on it
// and a record verifies with the hub stopped. The same on Hardhat's node mining by the clock.
import { expect } from "chai";
import { ContractFactory, Wallet } from "ethers";
import { verifyRecord } from "../../sdk/verify";
import { shipment } from "../fixtures";
import {
  ANCHORER_KEY,
  ANVIL_TEST_BLOCK_TIME_S,
  OPERATOR_KEY,
  admit,
  freshDatabase,
  hubEnv,
  startHubProcess,
  startTestChain,
  type TestChain,
} from "../integration/harness";

// Init code using PUSH0 (0x5f), Shanghai's opcode: PUSH0 PUSH0 RETURN (an empty contract). A solc
// build for `cancun` emits PUSH0 throughout; a chain without Shanghai refuses it.
const PUSH0_INIT_CODE = "0x5f5ff3";

/** A hub anchors a record on `chain`; with the hub stopped, the SDK verifies it against the chain. */
async function anchorAndVerify(chain: TestChain): Promise<void> {
  const database = await freshDatabase();
  const hub = await startHubProcess(hubEnv(chain, database.url));
  try {
    const forwarder = await admit(hub.url, "fast-forwarding", ["FORWARDER"]);
    const { record } = await forwarder.client.publish("Shipment", shipment());
    const proof = await forwarder.client.waitForProof(record.id);
    await hub.stop();
    const verdict = await verifyRecord({ record, proof, chain: { rpcUrl: chain.rpcUrl }, contracts: chain.deployment });
    expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
    expect(verdict.signature.signer).to.equal(forwarder.key.address);
  } finally {
    await hub.stop();
    await database.drop();
  }
}

/** Blocks come by the clock: at least two empty ones in a little over two block times. */
async function expectIntervalMining(chain: TestChain, blockTimeS: number): Promise<void> {
  const before = await chain.provider.getBlock("latest");
  await new Promise((r) => setTimeout(r, (blockTimeS * 2 + 0.5) * 1000));
  const after = await chain.provider.getBlock("latest");
  expect(after!.number - before!.number, "empty blocks mined meanwhile").to.be.at.least(2);
  expect(after!.transactions).to.have.length(0);
}

describe("Anvil (second node implementation), pre-Shanghai rules, a block per second", function () {
  let chain: TestChain;

  before(async function () {
    // Deploys the project's artifacts: fails here if they were built for an EVM version with PUSH0.
    chain = await startTestChain({ node: "anvil", hardfork: "paris" });
  });

  after(async function () {
    await chain?.stop();
  });

  it("its default accounts are Hardhat's development accounts, funded", async function () {
    const accounts = ((await chain.provider.send("eth_accounts", [])) as string[]).map((a) => a.toLowerCase());
    for (const key of [OPERATOR_KEY, ANCHORER_KEY]) {
      const address = new Wallet(key).address;
      expect(accounts).to.include(address.toLowerCase());
      const balance = await chain.provider.getBalance(address);
      expect(balance > 10n ** 18n, `balance of ${address}: ${balance}`).to.equal(true);
    }
    expect(Number((await chain.provider.getNetwork()).chainId)).to.equal(31337);
  });

  it("mines by the clock, not per transaction, and refuses PUSH0", async function () {
    await expectIntervalMining(chain, ANVIL_TEST_BLOCK_TIME_S);
    // The control: the chain really is pre-Shanghai (else the deployment in before() proves nothing).
    let refused: unknown;
    try {
      const deployed = await new ContractFactory([], PUSH0_INIT_CODE, chain.operator).deploy({ gasLimit: 100_000 });
      await deployed.deploymentTransaction()!.wait();
    } catch (err) {
      refused = err;
    }
    expect(refused, "a PUSH0 contract deployed on a paris chain").to.be.instanceOf(Error);
  });

  it("a hub anchors on it; the SDK verifies the record with the hub stopped", async function () {
    await anchorAndVerify(chain);
  });
});

describe("Hardhat's node mining a block every second (interval mining, no journal)", function () {
  let chain: TestChain;

  before(async function () {
    chain = await startTestChain({ node: "hardhat", blockTimeS: 1 });
  });

  after(async function () {
    await chain?.stop();
  });

  it("mines by the clock; a hub anchors on it and the SDK verifies the record with the hub stopped", async function () {
    await expectIntervalMining(chain, 1);
    await anchorAndVerify(chain);
  });
});
