import { Contract, type Provider } from "ethers";
import { anchorRegistryAbi, orgIdToBytes32 } from "../../../sdk/chain-abi";
import { decodeRevoked, findRevokedLog, logSpanOf } from "../../../sdk/verify";

export interface Revocation {
  revoked: boolean;
  /** Unix seconds. */
  revokedAt?: number;
  reason?: string;
}

/**
 * Revocation status of record digests, read from the AnchorRegistry (`revokedAt(orgId, digest)`).
 * A reading is reused for at most `maxAgeMs` (a revocation shows within that time), and concurrent
 * requests share one reading; the reads of one page go out together in one JSON-RPC batch. The
 * reason, from the Revoked event, is read once per revoked digest.
 */
export class RevocationReader {
  private readonly registry: Contract;
  private readonly readings = new Map<string, { at: number; value: Promise<Revocation> }>();
  private readonly reasons = new Map<string, Promise<string | undefined>>();

  private readonly fromBlock: number;
  private readonly maxAgeMs: number;

  /** `fromBlock`: the registry's deployment block (log searches start there); `maxAgeMs`: how long a reading is reused. */
  constructor(
    private readonly provider: Provider,
    private readonly anchorRegistry: string,
    opts: { fromBlock?: number; maxAgeMs?: number } = {},
  ) {
    this.fromBlock = opts.fromBlock ?? 0;
    this.maxAgeMs = opts.maxAgeMs ?? 1000;
    this.registry = new Contract(anchorRegistry, anchorRegistryAbi, provider);
  }

  status(owner: string, digest: string): Promise<Revocation> {
    const key = `${owner}|${digest}`;
    const now = Date.now();
    const hit = this.readings.get(key);
    if (hit && now - hit.at <= this.maxAgeMs) return hit.value;
    const value = this.read(owner, digest);
    this.readings.set(key, { at: now, value });
    value.catch(() => this.readings.delete(key)); // a failed read is not reused
    if (this.readings.size > 50_000) for (const [k, r] of this.readings) if (now - r.at > this.maxAgeMs) this.readings.delete(k);
    return value;
  }

  private async read(owner: string, digest: string): Promise<Revocation> {
    const orgId = orgIdToBytes32(owner);
    const at = (await this.registry.getFunction("revokedAt")(orgId, digest)) as bigint;
    if (at === 0n) return { revoked: false };
    return { revoked: true, revokedAt: Number(at), reason: await this.reasonOf(orgId, digest, Number(at)) };
  }

  private reasonOf(orgId: string, digest: string, revokedAt: number): Promise<string | undefined> {
    const key = `${orgId}|${digest}`;
    let reason = this.reasons.get(key);
    if (!reason) {
      // Searched around the block of its time, in bounded windows (never 0..latest: RPC endpoints refuse that).
      reason = logSpanOf(this.provider, { fromBlock: this.fromBlock })
        .then((span) => findRevokedLog(this.provider, this.anchorRegistry, orgId, digest, revokedAt, span))
        .then((log) => (log ? decodeRevoked(log).reason : undefined));
      reason.catch(() => this.reasons.delete(key));
      this.reasons.set(key, reason);
    }
    return reason;
  }
}
