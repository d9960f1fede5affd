import { expect } from "chai";
import { Wallet } from "ethers";
import { checkHubKeys, devAccountKey, isDevKey } from "../../server/chain/dev-keys";

describe("the hub's keys are not Hardhat's public development keys", function () {
  const own = Wallet.createRandom().privateKey;

  it("knows the first 20 accounts of the public mnemonic, in either case, and nothing else", function () {
    expect(new Wallet(devAccountKey(0)).address).to.equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    expect(isDevKey(devAccountKey(19).toUpperCase().replace("0X", "0x"))).to.equal(true);
    expect(isDevKey(devAccountKey(20))).to.equal(false);
    expect(isDevKey(own)).to.equal(false);
  });

  it("refuses a development key without the flag, naming the variable and never the key", function () {
    const key = devAccountKey(1);
    let message = "";
    try {
      checkHubKeys({ OPERATOR_PRIVATE_KEY: own, ANCHORER_PRIVATE_KEY: key }, 31337, false);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/^ANCHORER_PRIVATE_KEY holds a public Hardhat development key/);
    expect(message).to.include("ALLOW_DEV_KEYS");
    expect(message).to.not.include(key.slice(2, 20));
    expect(message).to.not.include("OPERATOR_PRIVATE_KEY");
  });

  it("refuses one even with the flag on a chain that is not a local development chain", function () {
    expect(() => checkHubKeys({ OPERATOR_PRIVATE_KEY: devAccountKey(0) }, 1, true)).to.throw(/chain id 1 is not a local development chain/);
  });

  it("allows one with the flag on 31337 and 1337 (and says which), and the hub's own keys always", function () {
    expect(checkHubKeys({ OPERATOR_PRIVATE_KEY: devAccountKey(0), ANCHORER_PRIVATE_KEY: own }, 31337, true)).to.deep.equal(["OPERATOR_PRIVATE_KEY"]);
    expect(checkHubKeys({ OPERATOR_PRIVATE_KEY: devAccountKey(0) }, 1337, true)).to.deep.equal(["OPERATOR_PRIVATE_KEY"]);
    expect(checkHubKeys({ OPERATOR_PRIVATE_KEY: own, ANCHORER_PRIVATE_KEY: undefined }, 1, false)).to.deep.equal([]);
  });
});
