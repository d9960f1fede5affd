import type { Provider } from "ethers";
import type { SignedRecord } from "../../sdk/envelope";
import { readCredentials } from "../../sdk/authority/chain";
import type { Credential, CredentialKind } from "../../sdk/authority/credentials";
import { judgeAuthority, kindsOf, requiredAuthority } from "../../sdk/authority/table";
import { HttpProblem } from "../http/problem";
import type { RecordObserver, RecordPaths } from "../records/observers";

interface Held {
  credentials: Credential[];
  /** The chain's latest block time when read: credentials are judged at the later of it and the clock. */
  chainTime: number;
}

/**
 * The hub's side of the authority table: before a publication is stored, every record whose type
 * needs a credential must have a publisher that holds one in force now (read from the
 * CredentialRegistry; one chain read per organisation and credential kind, reused for `cacheMs`).
 * A record that fails refuses the whole publication with a 403 naming the credential: nothing is stored.
 */
export class PublisherAuthority implements RecordObserver {
  private readonly cache = new Map<string, { until: number; held: Promise<Held> }>();

  constructor(
    private readonly provider: Provider,
    private readonly registry: string | undefined,
    private readonly cacheMs: number,
  ) {}

  async beforeStore(records: readonly SignedRecord[], paths: RecordPaths): Promise<void> {
    for (const [i, r] of records.entries()) {
      const requirements = requiredAuthority(r.type, r.body);
      if (!requirements) continue;
      const kinds = kindsOf(requirements);
      const held = await Promise.all(kinds.map((k) => this.held(r.owner, k)));
      const at = Math.max(Math.floor(Date.now() / 1000), ...held.map((h) => h.chainTime));
      const judged = judgeAuthority(
        requirements,
        held.flatMap((h) => h.credentials),
        at,
        r.owner,
      );
      if (!judged.ok) {
        throw new HttpProblem(403, "authority-missing", "Forbidden", `${r.type} ${r.id}: ${judged.reason}.`, [
          { path: paths.path(i, "type"), message: `needs ${judged.required}` },
        ]);
      }
    }
  }

  async onStored(): Promise<void> {}

  /** Forgets what was read for an organisation (after the hub issued or revoked one of its credentials). */
  forget(orgId: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${orgId}\u0000`)) this.cache.delete(key);
  }

  private held(orgId: string, kind: CredentialKind): Promise<Held> {
    const key = `${orgId}\u0000${kind}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.held;
    const registry = this.registry;
    const held: Promise<Held> = registry
      ? Promise.all([readCredentials(this.provider, registry, orgId, kind), this.provider.getBlock("latest")]).then(([credentials, block]) => ({
          credentials,
          chainTime: block?.timestamp ?? 0,
        }))
      : Promise.resolve({ credentials: [], chainTime: 0 });
    held.catch(() => this.cache.delete(key)); // a failed read is retried on the next publication
    this.cache.set(key, { until: now + this.cacheMs, held });
    return held;
  }
}
