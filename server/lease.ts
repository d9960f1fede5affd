import type { Db } from "./db/client";

/**
 * A named lease in the AnchorLease table: which hub instance runs a job that must run once per hub,
 * not once per instance (anchoring, the self-audit). `hold()` takes the lease when it is free or ran
 * out, or renews it when this instance already holds it; it never takes a live lease from another
 * instance. Each step is one conditional statement, so two instances cannot both succeed.
 *
 * A lease is not a lock: a holder paused past its ttl may find another instance running the job.
 * Jobs that must not act twice also guard their writes (the anchoring worker's compare-and-sets).
 */
export class Lease {
  constructor(
    private readonly db: Db,
    readonly name: string,
    readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  /** True when this instance holds the lease for the next ttl (taken or renewed). */
  async hold(): Promise<boolean> {
    const now = new Date();
    const data = { holder: this.holder, expiresAt: new Date(now.getTime() + this.ttlMs) };
    const { count } = await this.db.anchorLease.updateMany({
      where: { name: this.name, OR: [{ holder: this.holder }, { expiresAt: { lt: now } }] },
      data,
    });
    if (count === 1) return true;
    if (await this.db.anchorLease.findUnique({ where: { name: this.name } })) return false;
    try {
      await this.db.anchorLease.create({ data: { name: this.name, ...data } });
      return true;
    } catch {
      return false; // another instance created it first
    }
  }

  /**
   * Lets the lease go, if this instance holds it: others may take it `afterMs` from now (0: at once).
   * A job that should run once per interval across the hub keeps the others off for the interval.
   */
  async release(afterMs = 0): Promise<void> {
    await this.db.anchorLease.updateMany({
      where: { name: this.name, holder: this.holder },
      data: { expiresAt: new Date(Date.now() + afterMs - 1) },
    });
  }

  /**
   * Runs `job` while holding the lease, renewing it every third of the ttl so that a job longer than
   * the ttl keeps it; undefined (and `job` not run) when another instance holds it. Afterwards the
   * lease is released with `releaseAfterMs`.
   */
  async run<T>(job: () => Promise<T>, releaseAfterMs = 0): Promise<T | undefined> {
    if (!(await this.hold())) return undefined;
    let renewing: Promise<unknown> = Promise.resolve();
    const renew = setInterval(() => (renewing = this.hold().catch(() => false)), Math.max(1, Math.floor(this.ttlMs / 3)));
    try {
      return await job();
    } finally {
      clearInterval(renew);
      await renewing; // a renewal landing after the release would hold the lease again
      await this.release(releaseAfterMs).catch(() => undefined);
    }
  }
}
