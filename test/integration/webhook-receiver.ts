// A real webhook receiver on 127.0.0.1 for the integration tests: it records every call with its raw
// body, answers as the test says (ok, an error status, or down: the port closed), and dedupes by
// Cargoproof-Delivery as a member's receiver should.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

export interface ReceivedCall {
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: { id: number; kind: string; recordId: string | null; version: number | null; detail: Record<string, unknown> | null; subscriptionId: string };
}

export class WebhookReceiver {
  /** The calls answered 2xx (what the receiver accepted), duplicates included. */
  readonly calls: ReceivedCall[] = [];
  /** Every call that reached the receiver, whatever it answered. */
  hits = 0;
  /** The status answered; 200 unless a test says otherwise. */
  status = 200;
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Calls deduplicated by delivery id, in the order first received. */
  unique(): ReceivedCall[] {
    const seen = new Set<string>();
    return this.calls.filter((c) => {
      const id = String(c.headers["cargoproof-delivery"]);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const rawBody = Buffer.concat(chunks).toString("utf8");
        const answered = this.status;
        this.hits++;
        // Only calls the receiver accepted count as received.
        if (answered < 300) this.calls.push({ headers: req.headers, rawBody, body: JSON.parse(rawBody) as ReceivedCall["body"] });
        res.statusCode = answered;
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === "object" && addr ? addr.port : port;
    this.server = server;
  }

  /** Down: connections are refused until `start(this.port)` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A suite's receivers: each started on a free 127.0.0.1 port, all stopped by `stopAll` (in `after`). */
export function webhookReceivers(): { receiver(): Promise<WebhookReceiver>; stopAll(): Promise<void> } {
  const started: WebhookReceiver[] = [];
  return {
    async receiver() {
      const r = new WebhookReceiver();
      await r.start();
      started.push(r);
      return r;
    },
    async stopAll() {
      for (const r of started.splice(0)) await r.stop();
    },
  };
}
