import { expect } from "chai";
import { measureFloor, ofFloor } from "../../scripts/bench/floor";

describe("bench floor", () => {
  it("formats a figure as a ratio of its floor, one format for every benchmark", () => {
    expect(ofFloor(12_345, 26_800)).to.equal("12,345/s = 0.46 of floor (26,800/s)");
    expect(ofFloor(500, 1000, " pages/s")).to.equal("500 pages/s = 0.50 of floor (1,000 pages/s)");
    expect(ofFloor(5, 0)).to.equal("5/s = ? of floor (0/s)");
  });

  it("measures positive, finite figures on every core, briefly", async function () {
    this.timeout(60_000);
    const f = await measureFloor({ seconds: 0.2 });
    expect(f.cores).to.be.at.least(1);
    for (const x of [
      f.recoveriesPerSecondPerCore,
      f.nativeRecoveriesPerSecondPerCore,
      f.digestsPerSecondPerCore,
      f.checkedRecordsPerSecond,
      f.sqliteInsertsPerSecond,
    ]) {
      expect(x).to.be.a("number").and.satisfy(Number.isFinite).and.be.above(0);
    }
    // Both checks on every core: the combined figure is below either alone times the cores.
    expect(f.checkedRecordsPerSecond).to.be.below(f.cores * Math.min(f.recoveriesPerSecondPerCore, f.digestsPerSecondPerCore));
    expect(f.postgresInsertsPerSecond).to.equal(undefined);
  });
});
