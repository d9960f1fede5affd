import type { Provider } from "ethers";
import { computeDigest } from "../../../sdk/digest";
import type { AnchorProof, SignedRecord } from "../../../sdk/envelope";
import { failedChecks } from "../../../sdk/provenance/verify-story";
import type { ServerVerdict } from "../../../sdk/provenance/story";
import { verifyRecord, type Verdict } from "../../../sdk/verify";
import type { Revocation } from "./revocations";

const MAX_ENTRIES = 100_000;
/** A verdict that failed because the chain could not be asked is asked again after this. */
const RETRY_MS = 5_000;
const UNREACHABLE = /chain query failed|cannot reach/;

/**
 * The hub's own verdict on each step: the SDK's verifyRecord against the hub's chain connection.
 * Everything but revocation is fixed once a version is anchored, so it is computed once per
 * (stored content, proof) and kept; the revocation status comes fresh with every page.
 * The content's digest is recomputed whenever the stored content changes (a tampered row shows).
 */
export class VerdictCache {
  private readonly digests = new Map<string, { body: string; salts: string; digest: string | undefined }>();
  private readonly verdicts = new Map<string, { at: number; verdict: Promise<Verdict> }>();

  constructor(
    private readonly provider: Provider,
    private readonly contracts: { participantRegistry: string; anchorRegistry: string },
    /** The registries' deployment block: the verification's log searches start there. */
    private readonly fromBlock = 0,
  ) {}

  /** The digest of the stored content (undefined if it cannot be computed), cached while the row is unchanged. */
  contentDigest(key: string, rawBody: string, rawSalts: string, record: SignedRecord): string | undefined {
    const hit = this.digests.get(key);
    if (hit && hit.body === rawBody && hit.salts === rawSalts) return hit.digest;
    let digest: string | undefined;
    try {
      digest = computeDigest(record);
    } catch {
      digest = undefined;
    }
    this.digests.set(key, { body: rawBody, salts: rawSalts, digest });
    trim(this.digests);
    return digest;
  }

  /**
   * The verdict on `record` (its public form) and `proof`, revocation from `revocation`; and whether
   * the chain says its publisher lacked the credential the record needs (not merely unreadable).
   */
  async verdict(
    record: SignedRecord,
    computed: string | undefined,
    proof: AnchorProof | null,
    revocation: Revocation | undefined,
  ): Promise<{ verdict: ServerVerdict; authorityRefused: boolean }> {
    if (!proof) return { verdict: { status: "pending", reasons: ["not anchored yet"] }, authorityRefused: false };
    const key = `${record.id}@${record.version}|${record.digest}|${computed ?? "?"}|${proof.root}`;
    const now = Date.now();
    let entry = this.verdicts.get(key);
    if (!entry) {
      entry = { at: now, verdict: verifyRecord({ record, proof, chain: { provider: this.provider }, contracts: this.contracts, fromBlock: this.fromBlock }) };
      this.verdicts.set(key, entry);
      trim(this.verdicts);
    }
    const v = await entry.verdict;
    const checks = Object.values(v).filter((c): c is { ok: boolean; reason?: string } => typeof c === "object" && c !== null && "ok" in c);
    const unreachable = checks.some((c) => !c.ok && UNREACHABLE.test(c.reason ?? ""));
    if (unreachable && now - entry.at > RETRY_MS) this.verdicts.delete(key);
    const reasons = failedChecks({ ...v, revocation: { ok: true, revoked: false } });
    if (revocation?.revoked) reasons.push(`revoked${revocation.reason ? `: ${revocation.reason}` : ""}`);
    else if (!revocation) reasons.push("revocation: the chain could not be asked");
    // Read structurally: the authority check is the newest part of a verdict.
    const authority = (v as { authority?: { ok: boolean; reason?: string } }).authority;
    const authorityRefused =
      authority !== undefined && !authority.ok && !UNREACHABLE.test(authority.reason ?? "") && !/^not checked/.test(authority.reason ?? "");
    return { verdict: { status: reasons.length === 0 ? "verified" : "failed", reasons }, authorityRefused };
  }
}

function trim(map: Map<string, unknown>): void {
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!);
}
