// A free TCP port on 127.0.0.1, for a process that must be told its port before it starts (a child
// node, a hub whose PUBLIC_URL names it). Listen on port 0 instead wherever the listener is ours.
import { createServer } from "node:net";

const HOST = "127.0.0.1";

// Ports this process handed out: the kernel may offer a just-released port again, and two callers
// that each probed would then collide (a test's proxy and the node behind it did).
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probe();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function probe(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const addr = server.address();
      server.close(() => (typeof addr === "object" && addr !== null ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

const IN_USE = /EADDRINUSE|address already in use/i;

/**
 * Starts something on a free port, and on another one if the port was taken between the probe and
 * the bind (another process may be handed the same port meanwhile); `start` must fail with an error
 * that says the address is in use.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (attempt >= attempts || !IN_USE.test((err as Error).message)) throw err;
    }
  }
}
