import { expect } from "chai";
import { createServer, type Server } from "node:net";
import { freePort, onFreePort } from "../../scripts/free-port";

describe("free ports for child processes", () => {
  it("never hands out the same port twice in one process, and each one can be bound", async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).to.equal(ports.length);
    const server: Server = createServer();
    await new Promise<void>((ok, fail) => server.once("error", fail).listen(ports[0], "127.0.0.1", ok));
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  it("starts again on another port when the first was taken, and gives up on any other error", async () => {
    const tried: number[] = [];
    const port = await onFreePort(async (p) => {
      tried.push(p);
      if (tried.length < 3) throw new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${p}`);
      return p;
    });
    expect(tried).to.have.length(3);
    expect(new Set(tried).size).to.equal(3);
    expect(port).to.equal(tried[2]);

    let calls = 0;
    const failing = onFreePort(async () => {
      calls++;
      throw new Error("hardhat node exited: out of memory");
    });
    expect(
      (
        await failing.then(
          () => undefined,
          (e: Error) => e,
        )
      )?.message,
    ).to.match(/out of memory/);
    expect(calls).to.equal(1);

    let always = 0;
    const exhausted = onFreePort(async () => {
      always++;
      throw new Error("listen EADDRINUSE");
    }, 4);
    expect(
      (
        await exhausted.then(
          () => undefined,
          (e: Error) => e,
        )
      )?.message,
    ).to.match(/EADDRINUSE/);
    expect(always).to.equal(4);
  });
});
