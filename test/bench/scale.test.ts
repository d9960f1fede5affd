import { spawn } from "node:child_process";
import { Worker } from "node:worker_threads";
import { expect } from "chai";
import { cpuSecondsOf, cpuSecondsOfStat, machineCpuOfStat, totalDoesNotFall } from "../../scripts/bench/scale";

// A /proc/PID/stat line of a process whose command name holds a space and a ')': fields 14 and 15
// (utime 250, stime 50 ticks) come after the last ')'.
const STAT = "4242 (node (hub) 1) S 1 4242 4242 0 -1 4194560 9000 0 0 0 250 50 0 0 20 0 11 0 12345 1000000 5000 18446744073709551615";

describe("bench scale", () => {
  it("reads utime + stime from a /proc/PID/stat line, counted after the command name", () => {
    expect(cpuSecondsOfStat(STAT, 100)).to.equal(3);
    expect(cpuSecondsOfStat(STAT, 1000)).to.equal(0.3);
    expect(() => cpuSecondsOfStat("4242 node S 1", 100)).to.throw(/no command name/);
    expect(() => cpuSecondsOfStat("4242 (node) S 1", 100)).to.throw(/not integers/);
  });

  it("counts a process's worker threads as getrusage does, and nothing once the process is gone", async () => {
    // The first reading asks getconf for the clock's ticks (a spawn): done before the two clocks start.
    cpuSecondsOf(process.pid);
    const before = cpuSecondsOf(process.pid)!;
    const rusage = process.cpuUsage();
    // The main thread waits (idle) while a worker thread burns 0.4 CPU-s (by the process's clock, whatever the load).
    const worker = new Worker(
      "const s = process.cpuUsage(); for (;;) { const u = process.cpuUsage(s); if (u.user + u.system >= 400000) break; } require('node:worker_threads').parentPort.postMessage('done');",
      { eval: true },
    );
    await new Promise((resolve, reject) => worker.once("message", resolve).once("error", reject));
    await worker.terminate();
    const used = cpuSecondsOf(process.pid)! - before;
    const u = process.cpuUsage(rusage);
    expect(used, "the worker's 0.4 s of CPU is the process's").to.be.at.least(0.35);
    // Ticks are 10 ms: the two clocks agree to a few of them.
    expect(used).to.be.closeTo((u.user + u.system) / 1e6, 0.05);

    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => child.once("exit", resolve));
    expect(cpuSecondsOf(child.pid!)).to.equal(undefined);
  });

  it("reads the machine's busy and total CPU from /proc/stat's cpu line: steal is busy, idle and iowait are not", () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    const stat = "cpu  1000 10 200 5000 300 0 40 150 0 0\ncpu0 500 5 100 2500 150 0 20 75 0 0\nintr 1 2 3\n";
    expect(machineCpuOfStat(stat, 100)).to.deep.equal({ busy: 14, total: 67 });
    expect(() => machineCpuOfStat("cpu0 1 2 3\n", 100)).to.throw(/no cpu line/);
    expect(() => machineCpuOfStat("cpu  1 2 3\n", 100)).to.throw(/fewer than 8/);
  });

  it("says the total does not fall only when no N is below the one before it by more than the tolerance", () => {
    expect(totalDoesNotFall([1000, 960, 1200], 0.05)).to.equal(true);
    expect(totalDoesNotFall([1000, 940], 0.05)).to.equal(false);
    expect(totalDoesNotFall([1000, 2000, 1500], 0.05)).to.equal(false);
    expect(totalDoesNotFall([1000], 0)).to.equal(true);
  });
});
