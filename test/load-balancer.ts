// A round-robin HTTP load balancer on 127.0.0.1 in front of several hub instances, as a deployment
// has one (tests of several instances): each request goes to the next backend, whole; a backend
// that refuses the connection is skipped for that request. Counts what each backend served.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoadBalancer {
  url: string;
  /** Requests each backend answered, by its base URL. */
  served: Map<string, number>;
  close(): Promise<void>;
}

export async function startLoadBalancer(backends: string[], port = 0): Promise<LoadBalancer> {
  const served = new Map(backends.map((b) => [b, 0]));
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number): void => {
        const backend = backends[next++ % backends.length]!;
        const target = new URL(req.url ?? "/", backend);
        const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
          served.set(backend, served.get(backend)! + 1);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on("error", () => (tries > 1 ? attempt(tries - 1) : res.headersSent ? res.destroy() : res.writeHead(502).end()));
        upstream.end(body);
      };
      attempt(backends.length);
    });
  });
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
