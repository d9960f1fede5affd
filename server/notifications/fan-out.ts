import { randomUUID } from "node:crypto";
import { Client as PgClient, type Notification as PgNotification } from "pg";
import { notificationSignal } from "./service";

/** The PostgreSQL channel on which hub processes tell each other that notifications were added. */
export const NOTIFICATION_CHANNEL = "cargoproof_notifications";
/** The first reconnect after a lost listening connection waits this long, doubling up to the cap. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * Notifications added by one hub process wake the streams and webhook workers of every other at once
 * (PostgreSQL only: SQLite hubs share a host and keep the slow poll). One connection per process
 * LISTENs; when this process announces notifications (service.ts "announced", shortly after the
 * adding transaction and once more later), it sends one NOTIFY on the same connection, outside that
 * transaction: a NOTIFY inside it would make every notifying commit take PostgreSQL's global notify
 * queue lock. NOTIFYs asked for while one is on its way are sent as one more. A peer's NOTIFY emits
 * the local "added" signal. The slow poll stays as the safety net: a NOTIFY lost while the
 * connection was down is made good by it, and a reconnect wakes everything once.
 */
export class NotificationFanOut {
  private client: PgClient | undefined;
  private sending = false;
  private again = false;
  private stopped = false;
  private reconnectMs = RECONNECT_MIN_MS;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAnnounced = () => void this.send();
  /** The payload of this process's NOTIFYs, by which it knows its own when they come back. */
  private readonly self = randomUUID();

  constructor(
    private readonly url: string,
    private readonly log?: (line: string) => void,
  ) {}

  /** Connects and listens; resolves once listening (a first failure throws: the database is down at start). */
  async start(): Promise<void> {
    notificationSignal.on("announced", this.onAnnounced);
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    notificationSignal.off("announced", this.onAnnounced);
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new PgClient({ connectionString: this.url });
    client.on("notification", (msg: PgNotification) => {
      // Our own NOTIFY comes back to us too: this process's listeners were woken already.
      if (msg.channel === NOTIFICATION_CHANNEL && msg.payload !== this.self) notificationSignal.emit("added");
    });
    client.on("error", (err) => this.lost(client, err));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFICATION_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) return void (await client.end());
    this.client = client;
    this.reconnectMs = RECONNECT_MIN_MS;
  }

  private lost(client: PgClient, err?: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.log?.(`[notifications] listening connection lost${err ? ` (${err.message})` : ""}; reconnecting`);
    this.reconnect();
  }

  private reconnect(): void {
    if (this.stopped) return;
    const wait = this.reconnectMs;
    this.reconnectMs = Math.min(RECONNECT_MAX_MS, this.reconnectMs * 2);
    this.timer = setTimeout(() => {
      this.connect().then(
        // What peers announced while we were away: every local listener looks once.
        () => notificationSignal.emit("added"),
        () => this.reconnect(),
      );
    }, wait);
    this.timer.unref();
  }

  private async send(): Promise<void> {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    try {
      do {
        this.again = false;
        await this.client?.query("SELECT pg_notify($1, $2)", [NOTIFICATION_CHANNEL, this.self]).catch(() => undefined); // peers still have the slow poll
      } while (this.again && !this.stopped);
    } finally {
      this.sending = false;
    }
  }
}
