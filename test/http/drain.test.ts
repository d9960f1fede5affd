// server/http/drain.ts under real backpressure: an HTTP response on 127.0.0.1 written faster than
// the client reads. Waiting for drain-or-close must leave no listener behind, however many waits.
import { once } from "node:events";
import { createServer, get, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { drainedOrClosed } from "../../server/http/drain";

type Wait = (res: ServerResponse) => Promise<boolean>;
interface Run {
  waits: number;
  drained: number;
  maxListeners: { drain: number; close: number; error: number };
  gone: boolean;
}

const CHUNK = Buffer.alloc(64 * 1024, "x"); // larger than the response's highWaterMark: every write waits
const listeners = (res: ServerResponse) => ({ drain: res.listenerCount("drain"), close: res.listenerCount("close"), error: res.listenerCount("error") });

/** Streams `chunks` writes through `wait`; the client reads everything, or hangs up after `hangUpAfter` bytes. */
async function stream(wait: Wait, chunks: number, hangUpAfter = Infinity): Promise<Run> {
  let resolveRun!: (r: Run) => void;
  const result = new Promise<Run>((r) => (resolveRun = r));
  const server: Server = createServer(async (_req, res) => {
    const run: Run = { waits: 0, drained: 0, maxListeners: listeners(res), gone: false };
    for (let i = 0; i < chunks; i++) {
      if (res.write(CHUNK)) continue;
      run.waits++;
      const waiting = wait(res);
      const now = listeners(res);
      run.maxListeners = {
        drain: Math.max(run.maxListeners.drain, now.drain),
        close: Math.max(run.maxListeners.close, now.close),
        error: Math.max(run.maxListeners.error, now.error),
      };
      if (await waiting) run.drained++;
      else {
        run.gone = true;
        break;
      }
    }
    const after = listeners(res);
    run.maxListeners = {
      drain: Math.max(run.maxListeners.drain, after.drain),
      close: Math.max(run.maxListeners.close, after.close),
      error: Math.max(run.maxListeners.error, after.error),
    };
    res.end();
    resolveRun(run);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  try {
    await new Promise<void>((resolve) => {
      get({ host: "127.0.0.1", port, path: "/" }, (res) => {
        let seen = 0;
        res.on("data", (c: Buffer) => {
          seen += c.length;
          if (seen > hangUpAfter) {
            res.destroy();
            resolve();
          }
        });
        res.on("end", () => resolve());
        res.on("error", () => resolve());
      }).on("error", () => resolve());
    });
    return await result;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe("drainedOrClosed (server/http/drain.ts), on a real HTTP response under backpressure", function () {
  this.timeout(30_000);

  it("waits for drain many times and leaves no listener attached; no MaxListenersExceededWarning", async function () {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const run = await stream(drainedOrClosed, 200);
      expect(run.waits).to.be.greaterThan(50);
      expect(run.drained).to.equal(run.waits);
      // At most its own three while waiting (a response has no drain/error listener of its own; close: Node's, at most one).
      expect(run.maxListeners.drain).to.be.at.most(1);
      expect(run.maxListeners.error).to.be.at.most(1);
      expect(run.maxListeners.close).to.be.at.most(2);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).to.deep.equal([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("the race it replaces (once(drain) against once(close)) leaves one close listener per wait: the test can tell", async function () {
    const raced: Wait = (res) => Promise.race([once(res, "drain").then(() => true), once(res, "close").then(() => false)]);
    const previous = process.listeners("warning");
    process.removeAllListeners("warning"); // the expected warning is not printed; restored below
    try {
      const run = await stream(raced, 40);
      expect(run.maxListeners.close).to.be.greaterThan(20);
    } finally {
      for (const l of previous) process.on("warning", l);
    }
  });

  it("answers false when the client hangs up while it waits, and removes its listeners", async function () {
    const run = await stream(drainedOrClosed, 2000, 256 * 1024);
    expect(run.gone).to.equal(true);
    expect(run.waits).to.be.lessThan(2000);
    expect(run.maxListeners.drain).to.be.at.most(1);
    expect(run.maxListeners.close).to.be.at.most(2);
  });
});
