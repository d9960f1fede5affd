import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Interface, type InterfaceAbi } from "ethers";
import { anchorRegistryAbi, bytes32ToOrgId, orgIdToBytes32, participantRegistryAbi } from "../../sdk/chain-abi";

function artifactAbi(name: string): InterfaceAbi | undefined {
  const file = path.join(__dirname, "../../artifacts/contracts", `${name}.sol`, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { abi: InterfaceAbi }).abi : undefined;
}

/** Every fragment of `ours` must exist in the compiled contract with the same signature and outputs. */
function expectSubsetOf(ours: readonly string[], compiled: InterfaceAbi): void {
  const mine = new Interface(ours);
  const theirs = new Interface(compiled);
  mine.forEachFunction((f) => {
    const t = theirs.getFunction(f.selector);
    expect(t, f.format()).to.not.equal(null);
    expect(t!.format("full"), f.format()).to.equal(f.format("full"));
  });
  mine.forEachEvent((e) => expect(theirs.getEvent(e.topicHash)?.format("full"), e.format()).to.equal(e.format("full")));
  mine.forEachError((e) => expect(theirs.getError(e.selector)?.format("full"), e.format()).to.equal(e.format("full")));
}

describe("chain ABIs", () => {
  it("parse as ethers human-readable ABIs", () => {
    const p = new Interface(participantRegistryAbi);
    const a = new Interface(anchorRegistryAbi);
    expect(p.getFunction("keyHistory")!.outputs[0].format("full")).to.equal("(address signer, uint64 from, uint64 until)[]");
    expect(a.getEvent("Anchored")!.format("sighash")).to.equal("Anchored(bytes32,address,uint256,bytes32)");
  });

  for (const [name, abi] of [
    ["ParticipantRegistry", participantRegistryAbi],
    ["AnchorRegistry", anchorRegistryAbi],
  ] as const) {
    it(`match the compiled ${name} (when artifacts exist)`, function () {
      const compiled = artifactAbi(name);
      if (!compiled) this.skip();
      expectSubsetOf(abi, compiled!);
    });
  }

  it("org ids round-trip through bytes32", () => {
    expect(orgIdToBytes32("acme-shipping")).to.equal("0x61636d652d7368697070696e6700000000000000000000000000000000000000");
    expect(bytes32ToOrgId(orgIdToBytes32("acme-shipping"))).to.equal("acme-shipping");
    const longest = "a".repeat(31);
    expect(bytes32ToOrgId(orgIdToBytes32(longest))).to.equal(longest);
    expect(() => orgIdToBytes32("a".repeat(32))).to.throw();
  });
});
