import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract, Signer } from "ethers";
import { blockTime, eventsOf, expectRevert, latestTime, mined, setNextTime } from "./helpers";

const ORG_A = ethers.encodeBytes32String("acme-shipping");
const ORG_B = ethers.encodeBytes32String("blue-air");
const UNKNOWN = ethers.encodeBytes32String("nobody");
const SHIPPER = 1n << 0n;
const FORWARDER = 1n << 3n;
const CUSTOMS = 1n << 7n;

type KeyPeriod = { signer: string; from: bigint; until: bigint };

function randomAddress(): string {
  return ethers.Wallet.createRandom().address;
}

describe("ParticipantRegistry", () => {
  let registry: Contract;
  let operator: Signer;
  let stranger: Signer;
  let asStranger: Contract;

  beforeEach(async () => {
    [operator, stranger] = await ethers.getSigners();
    registry = await ethers.deployContract("ParticipantRegistry", operator);
    asStranger = registry.connect(stranger) as Contract;
  });

  /** Admits ORG_A at a chosen timestamp and returns that timestamp. */
  async function admitAAt(ts: number, signer: string, roles = SHIPPER): Promise<number> {
    await setNextTime(ts);
    const receipt = await mined(registry.admit(ORG_A, roles, signer));
    return blockTime(receipt);
  }

  describe("deployment and operator", () => {
    it("makes the deployer operator and exposes the role bits", async () => {
      expect(await registry.operator()).to.equal(await operator.getAddress());
      const names = ["SHIPPER", "PLATFORM", "PAYMENT", "FORWARDER", "AIRLINE", "HANDLER", "BROKER", "CUSTOMS", "CERTIFIER", "AUDITOR", "OPERATOR"];
      for (const [i, name] of names.entries()) {
        const value: bigint = await registry.getFunction(name)();
        expect(value, name).to.equal(1n << BigInt(i));
      }
    });

    it("transfers the operator role, after which only the new operator may act", async () => {
      const newOp = await stranger.getAddress();
      const receipt = await mined(registry.transferOperator(newOp));
      const [ev] = eventsOf(receipt, registry, "OperatorTransferred");
      expect(ev.args.previousOperator).to.equal(await operator.getAddress());
      expect(ev.args.newOperator).to.equal(newOp);
      expect(await registry.operator()).to.equal(newOp);

      await expectRevert(() => registry.admit(ORG_A, SHIPPER, randomAddress()), registry, "NotOperator");
      await mined(asStranger.admit(ORG_A, SHIPPER, randomAddress()));
      expect(await registry.isAdmitted(ORG_A)).to.equal(true);
    });

    it("denies transferOperator to a non-operator and to the zero address", async () => {
      const strangerAddr = await stranger.getAddress();
      await expectRevert(() => asStranger.transferOperator(strangerAddr), registry, "NotOperator");
      await expectRevert(() => registry.transferOperator(ethers.ZeroAddress), registry, "ZeroAddress");
    });
  });

  describe("admit", () => {
    it("admits an organisation, opening its first key period", async () => {
      const signer = randomAddress();
      const ts = (await latestTime()) + 10;
      await setNextTime(ts);
      const receipt = await mined(registry.admit(ORG_A, SHIPPER | FORWARDER, signer));

      const [ev] = eventsOf(receipt, registry, "OrganizationAdmitted");
      expect(ev.args.orgId).to.equal(ORG_A);
      expect(ev.args.signer).to.equal(signer);
      expect(ev.args.roles).to.equal(SHIPPER | FORWARDER);

      expect(await registry.isAdmitted(ORG_A)).to.equal(true);
      expect(await registry.isAdmitted(UNKNOWN)).to.equal(false);
      expect(await registry.orgOf(signer)).to.equal(ORG_A);
      expect(await registry.orgOf(randomAddress())).to.equal(ethers.ZeroHash);
      expect(await registry.currentSigner(ORG_A)).to.equal(signer);
      expect(await registry.currentSigner(UNKNOWN)).to.equal(ethers.ZeroAddress);

      const [roles, suspended, admittedAt, current] = await registry.organization(ORG_A);
      expect(roles).to.equal(SHIPPER | FORWARDER);
      expect(suspended).to.equal(false);
      expect(admittedAt).to.equal(BigInt(ts));
      expect(current).to.equal(signer);

      const history: KeyPeriod[] = await registry.keyHistory(ORG_A);
      expect(history.length).to.equal(1);
      expect(history[0].signer).to.equal(signer);
      expect(history[0].from).to.equal(BigInt(ts));
      expect(history[0].until).to.equal(0n);
      expect((await registry.keyHistory(UNKNOWN)).length).to.equal(0);
    });

    it("denies a non-operator", async () => {
      await expectRevert(() => asStranger.admit(ORG_A, SHIPPER, randomAddress()), registry, "NotOperator");
    });

    it("denies a zero org id and a zero signer", async () => {
      await expectRevert(() => registry.admit(ethers.ZeroHash, SHIPPER, randomAddress()), registry, "ZeroOrgId");
      await expectRevert(() => registry.admit(ORG_A, SHIPPER, ethers.ZeroAddress), registry, "ZeroAddress");
    });

    it("denies a duplicate organisation", async () => {
      await mined(registry.admit(ORG_A, SHIPPER, randomAddress()));
      await expectRevert(() => registry.admit(ORG_A, CUSTOMS, randomAddress()), registry, "OrganizationExists", [ORG_A]);
    });

    it("denies a signer already registered to another organisation", async () => {
      const signer = randomAddress();
      await mined(registry.admit(ORG_A, SHIPPER, signer));
      await expectRevert(() => registry.admit(ORG_B, CUSTOMS, signer), registry, "SignerInUse", [signer]);
    });

    it("denies an old, rotated-out signer", async () => {
      const oldKey = randomAddress();
      await mined(registry.admit(ORG_A, SHIPPER, oldKey));
      await mined(registry.rotateKey(ORG_A, randomAddress()));
      await expectRevert(() => registry.admit(ORG_B, CUSTOMS, oldKey), registry, "SignerInUse", [oldKey]);
    });
  });

  describe("rotateKey", () => {
    it("closes the old key period and opens a new one; the old key stays valid for earlier times", async () => {
      const oldKey = randomAddress();
      const newKey = randomAddress();
      const t0 = await admitAAt((await latestTime()) + 10, oldKey);
      const t1 = t0 + 100;
      await setNextTime(t1);
      const receipt = await mined(registry.rotateKey(ORG_A, newKey));

      const [ev] = eventsOf(receipt, registry, "KeyRotated");
      expect(ev.args.orgId).to.equal(ORG_A);
      expect(ev.args.oldSigner).to.equal(oldKey);
      expect(ev.args.newSigner).to.equal(newKey);

      expect(await registry.currentSigner(ORG_A)).to.equal(newKey);
      expect(await registry.orgOf(oldKey)).to.equal(ORG_A); // stays set after rotation
      expect(await registry.orgOf(newKey)).to.equal(ORG_A);
      const [, , , current] = await registry.organization(ORG_A);
      expect(current).to.equal(newKey);

      const history: KeyPeriod[] = await registry.keyHistory(ORG_A);
      expect(history.map((k) => [k.signer, k.from, k.until])).to.deep.equal([
        [oldKey, BigInt(t0), BigInt(t1)],
        [newKey, BigInt(t1), 0n],
      ]);

      // Old key: valid from admission up to (not including) the rotation time.
      expect(await registry.isActiveSigner(ORG_A, oldKey, t0 - 1)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, oldKey, t0)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, oldKey, t1 - 1)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, oldKey, t1)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, oldKey, t1 + 1000)).to.equal(false);
      // New key: valid from the rotation time on, never before.
      expect(await registry.isActiveSigner(ORG_A, newKey, t0)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, newKey, t1 - 1)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, newKey, t1)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, newKey, t1 + 1_000_000)).to.equal(true);
    });

    it("keeps a full history across several rotations", async () => {
      const keys = [randomAddress(), randomAddress(), randomAddress()];
      const t0 = await admitAAt((await latestTime()) + 10, keys[0]);
      await setNextTime(t0 + 10);
      await mined(registry.rotateKey(ORG_A, keys[1]));
      await setNextTime(t0 + 20);
      await mined(registry.rotateKey(ORG_A, keys[2]));
      const history: KeyPeriod[] = await registry.keyHistory(ORG_A);
      expect(history.length).to.equal(3);
      expect(await registry.isActiveSigner(ORG_A, keys[0], t0 + 9)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, keys[1], t0 + 10)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, keys[1], t0 + 19)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, keys[1], t0 + 20)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, keys[2], t0 + 20)).to.equal(true);
    });

    it("denies a non-operator, an unknown organisation and a zero signer", async () => {
      await mined(registry.admit(ORG_A, SHIPPER, randomAddress()));
      await expectRevert(() => asStranger.rotateKey(ORG_A, randomAddress()), registry, "NotOperator");
      await expectRevert(() => registry.rotateKey(UNKNOWN, randomAddress()), registry, "UnknownOrganization", [UNKNOWN]);
      await expectRevert(() => registry.rotateKey(ORG_A, ethers.ZeroAddress), registry, "ZeroAddress");
    });

    it("denies reusing the current key, an own rotated-out key, or another organisation's key", async () => {
      const a1 = randomAddress();
      const a2 = randomAddress();
      const b1 = randomAddress();
      await mined(registry.admit(ORG_A, SHIPPER, a1));
      await mined(registry.admit(ORG_B, CUSTOMS, b1));
      await expectRevert(() => registry.rotateKey(ORG_A, a1), registry, "SignerInUse", [a1]);
      await mined(registry.rotateKey(ORG_A, a2));
      await expectRevert(() => registry.rotateKey(ORG_A, a1), registry, "SignerInUse", [a1]);
      await expectRevert(() => registry.rotateKey(ORG_A, b1), registry, "SignerInUse", [b1]);
      await expectRevert(() => registry.rotateKey(ORG_B, a1), registry, "SignerInUse", [a1]);
    });
  });

  describe("suspend / reinstate", () => {
    it("records suspension periods as history", async () => {
      const key = randomAddress();
      const t0 = await admitAAt((await latestTime()) + 10, key);
      const tSusp = t0 + 50;
      const tBack = t0 + 80;

      await setNextTime(tSusp);
      const r1 = await mined(registry.suspend(ORG_A));
      expect(eventsOf(r1, registry, "OrganizationSuspended")[0].args.orgId).to.equal(ORG_A);
      const [, suspendedNow] = await registry.organization(ORG_A);
      expect(suspendedNow).to.equal(true);
      expect(await registry.isAdmitted(ORG_A)).to.equal(true);

      // During an open suspension: valid before it, not from its start on.
      expect(await registry.isActiveSigner(ORG_A, key, tSusp - 1)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, key, tSusp)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, key, tSusp + 10_000)).to.equal(false);

      await setNextTime(tBack);
      const r2 = await mined(registry.reinstate(ORG_A));
      expect(eventsOf(r2, registry, "OrganizationReinstated")[0].args.orgId).to.equal(ORG_A);
      const [, suspendedAfter] = await registry.organization(ORG_A);
      expect(suspendedAfter).to.equal(false);

      // After reinstatement: the suspension window stays invalid, later times are valid again.
      expect(await registry.isActiveSigner(ORG_A, key, tSusp - 1)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, key, tSusp)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, key, tBack - 1)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, key, tBack)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, key, tBack + 10_000)).to.equal(true);
    });

    it("handles repeated suspensions", async () => {
      const key = randomAddress();
      const t0 = await admitAAt((await latestTime()) + 10, key);
      for (const [s, r] of [
        [10, 20],
        [30, 40],
      ]) {
        await setNextTime(t0 + s);
        await mined(registry.suspend(ORG_A));
        await setNextTime(t0 + r);
        await mined(registry.reinstate(ORG_A));
      }
      const expected: [number, boolean][] = [
        [5, true],
        [10, false],
        [19, false],
        [20, true],
        [29, true],
        [30, false],
        [39, false],
        [40, true],
      ];
      for (const [dt, ok] of expected) {
        expect(await registry.isActiveSigner(ORG_A, key, t0 + dt), `t0+${dt}`).to.equal(ok);
      }
    });

    it("applies suspension to a rotated key too", async () => {
      const k1 = randomAddress();
      const k2 = randomAddress();
      const t0 = await admitAAt((await latestTime()) + 10, k1);
      await setNextTime(t0 + 10);
      await mined(registry.rotateKey(ORG_A, k2));
      await setNextTime(t0 + 20);
      await mined(registry.suspend(ORG_A));
      expect(await registry.isActiveSigner(ORG_A, k2, t0 + 19)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, k2, t0 + 20)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, k1, t0 + 5)).to.equal(true);
    });

    it("denies a non-operator, unknown organisations, double suspension and reinstating an active org", async () => {
      await mined(registry.admit(ORG_A, SHIPPER, randomAddress()));
      await expectRevert(() => asStranger.suspend(ORG_A), registry, "NotOperator");
      await expectRevert(() => registry.suspend(UNKNOWN), registry, "UnknownOrganization", [UNKNOWN]);
      await expectRevert(() => registry.reinstate(UNKNOWN), registry, "UnknownOrganization", [UNKNOWN]);
      await expectRevert(() => registry.reinstate(ORG_A), registry, "NotSuspended", [ORG_A]);
      await mined(registry.suspend(ORG_A));
      await expectRevert(() => registry.suspend(ORG_A), registry, "AlreadySuspended", [ORG_A]);
      await expectRevert(() => asStranger.reinstate(ORG_A), registry, "NotOperator");
      await mined(registry.reinstate(ORG_A));
      await expectRevert(() => registry.reinstate(ORG_A), registry, "NotSuspended", [ORG_A]);
    });
  });

  describe("setRoles", () => {
    it("replaces the role bitmask", async () => {
      await mined(registry.admit(ORG_A, SHIPPER, randomAddress()));
      const receipt = await mined(registry.setRoles(ORG_A, FORWARDER | CUSTOMS));
      const [ev] = eventsOf(receipt, registry, "RolesChanged");
      expect(ev.args.orgId).to.equal(ORG_A);
      expect(ev.args.roles).to.equal(FORWARDER | CUSTOMS);
      const [roles] = await registry.organization(ORG_A);
      expect(roles).to.equal(FORWARDER | CUSTOMS);
    });

    it("denies a non-operator and an unknown organisation", async () => {
      await mined(registry.admit(ORG_A, SHIPPER, randomAddress()));
      await expectRevert(() => asStranger.setRoles(ORG_A, CUSTOMS), registry, "NotOperator");
      await expectRevert(() => registry.setRoles(UNKNOWN, CUSTOMS), registry, "UnknownOrganization", [UNKNOWN]);
    });
  });

  describe("isActiveSigner edge cases", () => {
    it("is false before admission, for unknown signers, orgs and the zero address", async () => {
      const key = randomAddress();
      const keyB = randomAddress();
      const t0 = await admitAAt((await latestTime()) + 10, key);
      await mined(registry.admit(ORG_B, CUSTOMS, keyB));
      expect(await registry.isActiveSigner(ORG_A, key, t0 - 1)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, key, 0)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, key, t0)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, randomAddress(), t0)).to.equal(false);
      expect(await registry.isActiveSigner(UNKNOWN, key, t0)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, ethers.ZeroAddress, t0)).to.equal(false);
      expect(await registry.isActiveSigner(ethers.ZeroHash, ethers.ZeroAddress, t0)).to.equal(false);
      // B's key does not count for A, and vice versa.
      expect(await registry.isActiveSigner(ORG_A, keyB, t0 + 1_000)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_B, key, t0 + 1_000)).to.equal(false);
    });

    it("treats a key rotated in and out within one timestamp as never valid", async () => {
      // Two rotations at the same timestamp leave an empty [t, t) period that is never valid.
      const k1 = randomAddress();
      const k2 = randomAddress();
      const k3 = randomAddress();
      const t0 = await admitAAt((await latestTime()) + 10, k1);
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        await setNextTime(t0 + 10);
        const tx1 = await registry.rotateKey(ORG_A, k2);
        const tx2 = await registry.rotateKey(ORG_A, k3);
        await ethers.provider.send("evm_mine", []);
        await tx1.wait();
        await tx2.wait();
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      expect(await registry.isActiveSigner(ORG_A, k1, t0 + 9)).to.equal(true);
      expect(await registry.isActiveSigner(ORG_A, k2, t0 + 10)).to.equal(false);
      expect(await registry.isActiveSigner(ORG_A, k3, t0 + 10)).to.equal(true);
    });
  });
});
