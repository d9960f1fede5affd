import { FetchRequest, Interface, JsonRpcProvider, Network, getAddress, isError, type Log, type Provider, type Result } from "ethers";
import { z } from "zod";
import { anchorRegistryAbi, orgIdToBytes32, participantRegistryAbi } from "./chain-abi";
import { readCredentials } from "./authority/chain";
import { judgeAuthority, kindsOf, requiredAuthority } from "./authority/table";
import { checkAnchorChain } from "./anchor-history";
import { firstBlockAtOrAfter, firstLog, logNear, type LogScanLimits } from "./chain-logs";
import { computeDigest } from "./digest";
import { AnchorProofSchema, SignedRecordSchema, type AnchorProof, type SignedRecord } from "./envelope";
import { merkleLeaf, processProof } from "./merkle";
import { recoverSigner } from "./signature";

/**
 * Trustless verification of one record version: its content against its digest, the digest's
 * signature, the signer's membership when the record was anchored, the anchoring itself and
 * revocation, all read from the chain. Nothing in the proof is taken on trust: the root must be
 * folded from the record's own digest and found in an `Anchored` event of the given registry.
 */

export const VerdictSchema = z.object({
  valid: z.boolean(),
  digest: z.object({ ok: z.boolean(), computed: z.string(), claimed: z.string(), reason: z.string().optional() }),
  signature: z.object({ ok: z.boolean(), signer: z.string().optional(), reason: z.string().optional() }),
  membership: z.object({ ok: z.boolean(), orgId: z.string(), at: z.number().optional(), reason: z.string().optional() }),
  anchor: z.object({
    ok: z.boolean(),
    root: z.string(),
    blockNumber: z.number().optional(),
    blockTime: z.number().optional(),
    txHash: z.string().optional(),
    reason: z.string().optional(),
  }),
  revocation: z.object({ ok: z.boolean(), revoked: z.boolean(), revokedAt: z.number().optional(), reason: z.string().optional() }),
  /** Whether the publisher held the credential the authority table asks for this record, at its anchoring. */
  authority: z.object({
    ok: z.boolean(),
    required: z.string().optional(),
    credential: z.object({ kind: z.string(), issuer: z.string().optional(), validFrom: z.number(), validUntil: z.number(), revokedAt: z.number() }).optional(),
    at: z.number().optional(),
    reason: z.string().optional(),
  }),
  /**
   * With `completeness`: the anchorer's hash chain replayed from the registry's events up to the
   * record's anchoring matches the contract (nothing withheld, reordered or replaced, no reset).
   */
  completeness: z
    .object({
      ok: z.boolean(),
      anchorer: z.string().optional(),
      findings: z.array(z.object({ code: z.string(), message: z.string() })),
      reason: z.string().optional(),
    })
    .optional(),
  /** With `asOf`: the date judged, and the record's own validity dates (certificates) at it. */
  asOf: z.object({ at: z.number(), ok: z.boolean(), reason: z.string().optional() }).optional(),
  /**
   * Present when the chain could not be read (unreachable, an RPC error, no answer within
   * `chainTimeoutMs`) and nothing checked without the chain had failed: the verdict is then unknown,
   * not "invalid" (`valid` is false; try again later). Absent, `valid: false` means the record is invalid.
   */
  chainUnavailable: z.object({ reason: z.string() }).optional(),
});
export type Verdict = z.infer<typeof VerdictSchema>;

export interface VerifyInput {
  record: SignedRecord;
  proof: AnchorProof;
  chain: { rpcUrl: string } | { provider: Provider };
  /** The registries the verifier trusts; the credential registry defaults to the one the participant registry names. */
  contracts: { participantRegistry: string; anchorRegistry: string; credentialRegistry?: string };
  /**
   * "Was this record valid at T?" (Unix seconds or a Date): it must have been anchored by T, a
   * revocation counts only if it happened by T, and a certificate's validity dates must cover T.
   * Membership and authority are always judged at the anchoring. Default: now, without date checks.
   */
  asOf?: number | Date;
  /**
   * Also replay the anchorer's hash chain from the anchor registry's events (in pages of at most
   * `maxBlockRange` blocks from `fromBlock`, default the whole chain) and compare it with the contract.
   */
  completeness?: boolean | { fromBlock?: number; maxBlockRange?: number };
  /**
   * The first block holding the anchor registry's logs (its deployment block, from a source you
   * trust; default 0: correct, only slower on a long chain). The
   * chain's logs are read from here in windows of at most `maxBlockRange` blocks (default 1,000),
   * halved when the endpoint refuses: never 0..latest in one request.
   */
  fromBlock?: number;
  maxBlockRange?: number;
  /** How long the chain may take to answer, in all (default 30 s); beyond it the verdict is `chainUnavailable`. */
  chainTimeoutMs?: number;
}

const DEFAULT_CHAIN_TIMEOUT_MS = 30_000;

/**
 * Whether a failed chain read means "could not read the chain" rather than an answer: the chain
 * answering that a call reverted or returned nothing decodable (CALL_EXCEPTION, BAD_DATA) is an
 * answer; a refused connection, a timeout or an RPC server error is not.
 */
function unreachable(err: unknown): boolean {
  return !(isError(err, "CALL_EXCEPTION") || isError(err, "BAD_DATA"));
}

const participants = new Interface(participantRegistryAbi);
const anchors = new Interface(anchorRegistryAbi);
/** Topic 0 of the AnchorRegistry's Anchored and Revoked events (shared with the auditor). */
export const ANCHORED_TOPIC = anchors.getEvent("Anchored")!.topicHash;
export const REVOKED_TOPIC = anchors.getEvent("Revoked")!.topicHash;

/** The fields of an Anchored log. */
export function decodeAnchored(log: Log): { root: string; anchorer: string; leafCount: bigint; head: string } {
  const e = anchors.decodeEventLog("Anchored", log.data, log.topics);
  return { root: String(e.root).toLowerCase(), anchorer: getAddress(String(e.anchorer)), leafCount: e.leafCount as bigint, head: String(e.head) };
}

/** The fields of a Revoked log. */
export function decodeRevoked(log: Log): { digest: string; orgId: string; revoker: string; reason: string } {
  const e = anchors.decodeEventLog("Revoked", log.data, log.topics);
  return { digest: String(e.digest).toLowerCase(), orgId: String(e.orgId), revoker: getAddress(String(e.revoker)), reason: String(e.reason) };
}

/** The earliest of some logs: the registry's rule when a root was anchored more than once. */
export function earliestLog(logs: readonly Log[]): Log | undefined {
  return logs.reduce<Log | undefined>(
    (best, l) => (!best || l.blockNumber < best.blockNumber || (l.blockNumber === best.blockNumber && l.index < best.index) ? l : best),
    undefined,
  );
}

/** How a revocation is described to a person. */
export function revocationReason(owner: string, at: number, reason: string | undefined): string {
  return `revoked by ${owner} at ${new Date(at * 1000).toISOString()}${reason !== undefined ? `: ${reason}` : ""}`;
}

// Chain ids never change for a connection, so they are asked once per provider (and per RPC URL).
const chainIdByProvider = new WeakMap<Provider, Promise<bigint>>();
const chainIdByUrl = new Map<string, bigint>();

function chainIdOf(provider: Provider): Promise<bigint> {
  let id = chainIdByProvider.get(provider);
  if (!id) {
    id = provider.getNetwork().then((n) => n.chainId);
    id.catch(() => chainIdByProvider.delete(provider)); // a failed lookup is retried next time
    chainIdByProvider.set(provider, id);
  }
  return id;
}

/**
 * Opens a provider for an RPC URL. The chain id is asked with one raw request first and the provider
 * is then given it as a static network: an ethers provider that has to discover its network retries
 * forever against a dead URL, which would hang the verification instead of failing it.
 */
export async function openRpc(rpcUrl: string, timeoutMs = DEFAULT_CHAIN_TIMEOUT_MS): Promise<Provider> {
  // Every request is bounded: a paused node accepts the connection and never answers.
  const endpoint = () => Object.assign(new FetchRequest(rpcUrl), { timeout: timeoutMs });
  let chainId = chainIdByUrl.get(rpcUrl);
  if (chainId === undefined) {
    const probe = new JsonRpcProvider(endpoint());
    try {
      const [res] = (await probe._send({ id: 1, jsonrpc: "2.0", method: "eth_chainId", params: [] })) as { result?: unknown; error?: unknown }[];
      if (typeof res?.result !== "string") throw new Error(`eth_chainId failed: ${JSON.stringify(res?.error ?? "no answer")}`);
      chainId = BigInt(res.result);
    } finally {
      probe.destroy();
    }
    chainIdByUrl.set(rpcUrl, chainId);
  }
  const network = Network.from(chainId);
  const provider = new JsonRpcProvider(endpoint(), network, { staticNetwork: network });
  chainIdByProvider.set(provider, Promise.resolve(chainId));
  return provider;
}

const errText = (err: unknown): string => {
  const e = err as { shortMessage?: unknown; message?: unknown };
  return typeof e?.shortMessage === "string" ? e.shortMessage : typeof e?.message === "string" ? e.message : String(err);
};

const issuesText = (error: z.ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");

async function view(provider: Provider, to: string, iface: Interface, fn: string, args: unknown[]): Promise<Result> {
  const data = iface.encodeFunctionData(fn, args);
  return iface.decodeFunctionResult(fn, await provider.call({ to, data }));
}

/** Where and how a verification reads the registry's logs: [fromBlock, toBlock] in bounded windows, by a deadline. */
export interface LogSpan extends LogScanLimits {
  fromBlock: number;
  toBlock: number;
}

/**
 * The span of the registry's logs a verification searches: from its lower bound (given, else 0) to
 * the latest block. (Not found by bisecting eth_getCode: nodes answer "no code" for blocks whose
 * state they lack, Hardhat for blocks made by hardhat_mine, and a bound too high would hide logs.)
 */
export async function logSpanOf(provider: Provider, opts: LogScanLimits & { fromBlock?: number }): Promise<LogSpan> {
  const toBlock = await provider.getBlockNumber();
  const fromBlock = Math.min(toBlock, opts.fromBlock ?? 0);
  return { ...opts, fromBlock, toBlock };
}

/**
 * The earliest Anchored event of `root` (the registry's rule when a root appears more than once).
 * The proof's block hint cannot narrow this: it comes with the proof, and an anchoring before it
 * would win, so the search runs from the registry's lower bound up and stops at the first window
 * holding the root (a wrong hint changes nothing).
 */
async function findAnchoring(provider: Provider, registry: string, root: string, span: LogSpan): Promise<Log | undefined> {
  return (await firstLog(provider, { address: registry, topics: [ANCHORED_TOPIC, root], ...span })).log;
}

/**
 * The Revoked event of (orgId, digest), revoked at `revokedAt` (Unix seconds, from the contract):
 * the first block of that time is found by bisection, and the log searched around it.
 */
export async function findRevokedLog(
  provider: Provider,
  registry: string,
  orgId: string,
  digest: string,
  revokedAt: number,
  span: LogSpan,
): Promise<Log | undefined> {
  const near = await firstBlockAtOrAfter(provider, revokedAt, span.fromBlock, span.toBlock);
  const { logs } = await logNear(provider, { address: registry, topics: [REVOKED_TOPIC, digest, orgId], ...span, near });
  return logs[0];
}

function verdictOf(v: Omit<Verdict, "valid">): Verdict {
  const valid =
    v.digest.ok &&
    v.signature.ok &&
    v.membership.ok &&
    v.anchor.ok &&
    v.revocation.ok &&
    v.authority.ok &&
    (v.asOf?.ok ?? true) &&
    (v.completeness?.ok ?? true);
  return { valid, ...v };
}

/** The credential registry to read: the one given, else the one the (trusted) participant registry names. */
async function credentialRegistryOf(chain: RegistryChain, given: string | undefined): Promise<string | undefined> {
  if (given) return getAddress(given);
  const [named] = (await view(chain.provider, chain.participantRegistry, participants, "credentialRegistry", [])) as unknown as [string];
  return /^0x0{40}$/i.test(named) ? undefined : getAddress(named);
}

/** Whether the owner held the credential the authority table asks for this record at time `at`. */
export async function checkAuthority(
  chain: RegistryChain,
  credentialRegistry: string | undefined,
  record: Pick<SignedRecord, "type" | "body" | "owner">,
  at: number,
): Promise<Verdict["authority"]> {
  const requirements = requiredAuthority(record.type, record.body);
  if (!requirements) return { ok: true, at };
  const required = requirements.map((r) => r.text).join(" or ");
  if (!credentialRegistry) return { ok: false, required, at, reason: "not checked: the participant registry names no credential registry" };
  const held = (await Promise.all(kindsOf(requirements).map((k) => readCredentials(chain.provider, credentialRegistry, record.owner, k)))).flat();
  const judged = judgeAuthority(requirements, held, at, record.owner);
  if (!judged.ok) return { ok: false, required, at, reason: judged.reason };
  const c = judged.credential!;
  return {
    ok: true,
    required,
    at,
    credential: { kind: c.kind, ...(c.issuer ? { issuer: c.issuer } : {}), validFrom: c.validFrom, validUntil: c.validUntil, revokedAt: c.revokedAt },
  };
}

/** A record's own validity dates (a certificate's validFrom/validUntil, ISO dates) against the asked date. */
function datesAt(record: SignedRecord, at: number): { ok: boolean; reason?: string } {
  const from = record.body.validFrom;
  const until = record.body.validUntil;
  if (typeof from !== "string" || typeof until !== "string") return { ok: true };
  const day = new Date(at * 1000).toISOString().slice(0, 10);
  if (day < from) return { ok: false, reason: `not yet valid on ${day} (valid from ${from})` };
  if (day > until) return { ok: false, reason: `expired on ${day} (valid until ${until})` };
  return { ok: true };
}

/** What the chain checks share: the connection, the two registries and the owner's on-chain id. */
export interface RegistryChain {
  provider: Provider;
  anchorRegistry: string;
  participantRegistry: string;
  orgId: string;
}

interface Anchoring {
  blockNumber: number;
  blockTime: number;
  txHash: string;
}

/**
 * Checks the proof's claims against the chain and finds when its root was anchored. Adds every
 * mismatch to `problems`; returns the anchoring if the root was found.
 */
async function checkAnchoring(
  chain: RegistryChain,
  proof: AnchorProof,
  lookUp: boolean,
  problems: string[],
  span: Promise<LogSpan>,
): Promise<Anchoring | undefined> {
  const chainId = await chainIdOf(chain.provider);
  if (BigInt(proof.chainId) !== chainId) problems.push(`the proof is for chain ${proof.chainId}, the chain is ${chainId}`);
  if (!lookUp) return undefined;
  const log = await findAnchoring(chain.provider, chain.anchorRegistry, proof.root, await span);
  if (!log) {
    problems.push("the root is not anchored in the anchor registry");
    return undefined;
  }
  const { leafCount } = decodeAnchored(log);
  if (leafCount !== BigInt(proof.leafCount)) problems.push(`the proof says the batch has ${proof.leafCount} records, its anchoring says ${leafCount}`);
  const block = await chain.provider.getBlock(log.blockHash);
  if (!block) throw new Error(`block ${log.blockNumber} of the anchoring is not available`);
  return { blockNumber: log.blockNumber, blockTime: block.timestamp, txHash: log.transactionHash };
}

/** Whether the owner revoked `digest`, with the reason from its Revoked event. */
async function checkRevocation(chain: RegistryChain, digest: string, owner: string, span: Promise<LogSpan>): Promise<Verdict["revocation"]> {
  const [at] = (await view(chain.provider, chain.anchorRegistry, anchors, "revokedAt", [chain.orgId, digest])) as unknown as [bigint];
  if (at === 0n) return { ok: true, revoked: false };
  const log = await findRevokedLog(chain.provider, chain.anchorRegistry, chain.orgId, digest, Number(at), await span);
  const why = log ? decodeRevoked(log).reason : undefined;
  return { ok: false, revoked: true, revokedAt: Number(at), reason: revocationReason(owner, Number(at), why) };
}

/** Whether `signer` was an active key of the owner at `at`; if not, why (one more read). */
export async function checkMembership(chain: RegistryChain, signer: string, at: number, owner: string): Promise<{ ok: boolean; reason?: string }> {
  const [active] = (await view(chain.provider, chain.participantRegistry, participants, "isActiveSigner", [chain.orgId, signer, at])) as unknown as [boolean];
  if (active === true) return { ok: true };
  const [orgOf] = (await view(chain.provider, chain.participantRegistry, participants, "orgOf", [signer])) as unknown as [string];
  const reason =
    orgOf === chain.orgId
      ? `signer ${signer} was not an active key of ${owner} at ${new Date(at * 1000).toISOString()} (not yet valid, rotated out or suspended)`
      : /^0x0{64}$/.test(orgOf)
        ? `signer ${signer} is not registered to any organisation`
        : `signer ${signer} is not a key of ${owner}`;
  return { ok: false, reason };
}

/** Opens the connection the input names; the caller closes it if `own`. */
async function connect(input: VerifyInput, timeoutMs: number): Promise<{ provider: Provider; own: boolean }> {
  const chain = input.chain as { rpcUrl?: unknown; provider?: Provider } | undefined;
  if (chain?.provider) return { provider: chain.provider, own: false };
  if (typeof chain?.rpcUrl === "string") return { provider: await openRpc(chain.rpcUrl, timeoutMs), own: true };
  throw new Error("no chain connection given (chain.rpcUrl or chain.provider)");
}

/**
 * Verifies a record (whole or redacted) and its anchor proof against the chain. Never throws for bad
 * input or chain failures: every failed check carries a human-readable reason.
 */
export async function verifyRecord(input: VerifyInput): Promise<Verdict> {
  const rawRecord: unknown = input?.record;
  const rec = SignedRecordSchema.safeParse(rawRecord);
  const prf = AnchorProofSchema.safeParse(input?.proof);
  const claimedRaw = (rawRecord as { digest?: unknown } | undefined)?.digest;
  const ownerRaw = (rawRecord as { owner?: unknown } | undefined)?.owner;
  const rootRaw = (input?.proof as { root?: unknown } | undefined)?.root;

  const digest: Verdict["digest"] = { ok: false, computed: "", claimed: typeof claimedRaw === "string" ? claimedRaw : "" };
  const signature: Verdict["signature"] = { ok: false };
  const membership: Verdict["membership"] = { ok: false, orgId: typeof ownerRaw === "string" ? ownerRaw : "" };
  const anchor: Verdict["anchor"] = { ok: false, root: prf.success ? prf.data.root : typeof rootRaw === "string" ? rootRaw : "" };
  let revocation: Verdict["revocation"] = { ok: false, revoked: false };
  const authority: Verdict["authority"] = { ok: false };
  const asOfRaw = input?.asOf;
  const asOfAt = asOfRaw instanceof Date ? Math.floor(asOfRaw.getTime() / 1000) : typeof asOfRaw === "number" ? Math.floor(asOfRaw) : undefined;
  const asOf: Verdict["asOf"] = asOfAt !== undefined && Number.isFinite(asOfAt) ? { at: asOfAt, ok: true } : undefined;
  const completeness: Verdict["completeness"] = input?.completeness ? { ok: false, findings: [] } : undefined;
  let chainUnavailable: Verdict["chainUnavailable"];
  const done = () =>
    verdictOf({
      digest,
      signature,
      membership,
      anchor,
      revocation,
      authority,
      ...(completeness ? { completeness } : {}),
      ...(asOf ? { asOf } : {}),
      ...(chainUnavailable ? { chainUnavailable } : {}),
    });

  if (!rec.success) {
    digest.reason = `invalid record: ${issuesText(rec.error)}`;
    signature.reason = membership.reason = anchor.reason = revocation.reason = authority.reason = "not checked: the record is malformed";
    if (completeness) completeness.reason = "not checked: the record is malformed";
    return done();
  }
  const record = rec.data;

  // 1. Content against digest.
  let computed: string | undefined;
  try {
    computed = computeDigest(record);
    digest.computed = computed;
    digest.ok = computed === record.digest;
    if (!digest.ok) digest.reason = "digest mismatch: record content does not match its digest";
  } catch (err) {
    digest.reason = `cannot compute the digest: ${errText(err)}`;
  }

  // 2. Signature, over the digest the publisher signed (the claimed one).
  let signer: string | undefined;
  try {
    signer = recoverSigner(record.digest, record.signature);
    signature.ok = true;
    signature.signer = signer;
  } catch (err) {
    signature.reason = errText(err);
  }

  // 3. Proof folding, offline. From the computed digest, so tampered content fails here too; from the
  // claimed digest only to find when the signed version was anchored, for the membership check.
  const proof = prf.success ? prf.data : undefined;
  const problems: string[] = [];
  let foldsComputed = false;
  let foldsClaimed = false;
  if (!prf.success) problems.push(`invalid proof: ${issuesText(prf.error)}`);
  if (proof) {
    foldsComputed = computed !== undefined && processProof(merkleLeaf(computed), proof.siblings) === proof.root;
    foldsClaimed = computed === record.digest ? foldsComputed : processProof(merkleLeaf(record.digest), proof.siblings) === proof.root;
    if (!foldsComputed)
      problems.push(
        digest.ok
          ? "the proof does not lead from the record's digest to the root"
          : "the proof does not lead from the record's content to the root (the content does not match its digest)",
      );
  }

  // 4. The chain: the given registries are trusted, the proof's claims about them are checked.
  const registries = z.object({ participantRegistry: z.string(), anchorRegistry: z.string() }).safeParse(input?.contracts);
  let anchorRegistry: string;
  let participantRegistry: string;
  try {
    if (!registries.success) throw new Error("invalid contract addresses: contracts must name participantRegistry and anchorRegistry");
    try {
      anchorRegistry = getAddress(registries.data.anchorRegistry);
      participantRegistry = getAddress(registries.data.participantRegistry);
    } catch (err) {
      throw new Error(`invalid contract addresses: ${errText(err)}`);
    }
  } catch (err) {
    return notChecked(errText(err));
  }
  if (proof && proof.anchorRegistry.toLowerCase() !== anchorRegistry.toLowerCase())
    problems.push(`the proof names anchor registry ${proof.anchorRegistry}, not ${anchorRegistry}`);

  // Only if everything checked without the chain passed can a chain that cannot be read leave the
  // verdict unknown (chainUnavailable) rather than invalid.
  const offlineOk = digest.ok && signature.ok && proof !== undefined && problems.length === 0;
  const unreadable: string[] = [];
  /** A failed chain read, described; noted when it means the chain could not be read. */
  const failed = (err: unknown): string => {
    const text = errText(err);
    if (unreachable(err)) unreadable.push(text);
    return `chain query failed: ${text}`;
  };
  const timeoutMs = input?.chainTimeoutMs ?? DEFAULT_CHAIN_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;

  /** The chain checks, filling the verdict's parts in place. */
  const readChain = async (): Promise<void> => {
    let conn: { provider: Provider; own: boolean };
    try {
      conn = await connect(input, timeoutMs);
    } catch (err) {
      const why = `cannot reach the chain: ${errText(err)}`;
      unreadable.push(why);
      anchor.reason = [...problems, why].join("; ");
      membership.reason = revocation.reason = authority.reason = `not checked: ${why}`;
      if (completeness) completeness.reason = `not checked: ${why}`;
      return;
    }
    const chain: RegistryChain = { provider: conn.provider, anchorRegistry, participantRegistry, orgId: orgIdToBytes32(record.owner) };
    try {
      // Both log searches share one span and stop by the verification's own deadline (no reads left running after it).
      const span = logSpanOf(chain.provider, {
        ...(input.fromBlock !== undefined ? { fromBlock: input.fromBlock } : {}),
        ...(input.maxBlockRange !== undefined ? { maxBlockRange: input.maxBlockRange } : {}),
        deadline,
      });
      span.catch(() => undefined); // each check reports the failure itself
      const [anchored, revoked] = await Promise.allSettled([
        proof ? checkAnchoring(chain, proof, foldsComputed || foldsClaimed, problems, span) : Promise.resolve(undefined),
        checkRevocation(chain, computed ?? record.digest, record.owner, span),
      ]);
      if (anchored.status === "fulfilled") {
        if (anchored.value) Object.assign(anchor, anchored.value);
        anchor.ok = anchored.value !== undefined && problems.length === 0;
        if (!anchor.ok) anchor.reason = problems.join("; ") || "not anchored";
      } else anchor.reason = [...problems, failed(anchored.reason)].join("; ");
      if (revoked.status === "fulfilled") revocation = revoked.value;
      else revocation.reason = failed(revoked.reason);

      // 5. Membership and authority: was the signer an active key of the owner, and did the owner hold
      // the credential this record needs, when the signed version was anchored?
      const at = anchor.blockTime;
      if (at === undefined) authority.reason = "not checked: no anchoring time for the signed digest";
      else {
        try {
          Object.assign(authority, await checkAuthority(chain, await credentialRegistryOf(chain, input.contracts.credentialRegistry), record, at));
        } catch (err) {
          authority.reason = failed(err);
        }
      }
      if (!signer) membership.reason = "not checked: no signer could be recovered";
      else if (at === undefined) membership.reason = "not checked: no anchoring time for the signed digest";
      else {
        membership.at = at;
        try {
          Object.assign(membership, await checkMembership(chain, signer, at, record.owner));
        } catch (err) {
          membership.reason = failed(err);
        }
      }

      // 6. Completeness: the chain of the anchorer that anchored this record, replayed from the events, is the contract's.
      if (completeness) {
        if (anchor.blockNumber === undefined) completeness.reason = "not checked: the root was not found anchored";
        else {
          const opts = typeof input.completeness === "object" ? input.completeness : {};
          try {
            const tx = await chain.provider.getTransaction(anchor.txHash!);
            if (!tx) throw new Error(`the anchoring transaction ${anchor.txHash} is not available`);
            const { fromBlock } = await span;
            const maxBlockRange = opts.maxBlockRange ?? input.maxBlockRange;
            const check = await checkAnchorChain(chain.provider, chain.anchorRegistry, {
              anchorer: tx.from,
              fromBlock: opts.fromBlock ?? fromBlock,
              deadline,
              ...(maxBlockRange ? { maxBlockRange } : {}),
            });
            completeness.anchorer = getAddress(tx.from);
            completeness.findings = check.findings.map((f) => ({ code: f.code, message: f.message }));
            completeness.ok = check.ok;
            if (!check.ok) completeness.reason = completeness.findings.map((f) => `${f.code}: ${f.message}`).join("; ");
          } catch (err) {
            completeness.reason = failed(err);
          }
        }
      }

      // 7. As of a date: anchored by then, revoked only if by then, the record's own dates cover it.
      if (asOf) {
        const problemsAt: string[] = [];
        const when = new Date(asOf.at * 1000).toISOString();
        if (at !== undefined && at > asOf.at) problemsAt.push(`not yet anchored at ${when} (anchored ${new Date(at * 1000).toISOString()})`);
        if (revocation.revoked && revocation.revokedAt !== undefined && revocation.revokedAt > asOf.at) {
          revocation = { ok: true, revoked: false, reason: `revoked only later: ${revocation.reason ?? ""}` };
        }
        const dates = datesAt(record, asOf.at);
        if (!dates.ok) problemsAt.push(dates.reason!);
        asOf.ok = problemsAt.length === 0;
        if (!asOf.ok) asOf.reason = problemsAt.join("; ");
      }
    } finally {
      if (conn.own) chain.provider.destroy();
    }
  };

  // A node that accepts connections and never answers (paused, overloaded) must not hold the verdict:
  // past the bound the chain checks are "not checked" and the verdict unknown. (A provider opened
  // here has the same bound on each request, so what is still running stops by then too.)
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    readChain().then(() => "read" as const),
    new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome === "timeout") return notChecked(`the chain did not answer within ${timeoutMs} ms`, offlineOk);
  if (offlineOk && unreadable.length > 0) chainUnavailable = { reason: unreadable.join("; ") };
  return done();

  /** The verdict with every chain check "not checked" (fresh objects: a timed-out read may still write to the others). */
  function notChecked(why: string, unknown = false): Verdict {
    const reason = `not checked: ${why}`;
    return verdictOf({
      digest: { ...digest },
      signature: { ...signature },
      membership: { ok: false, orgId: membership.orgId, reason },
      anchor: { ok: false, root: anchor.root, reason: [...problems, why].join("; ") },
      revocation: { ok: false, revoked: false, reason },
      authority: { ok: false, reason },
      ...(completeness ? { completeness: { ok: false, findings: [], reason } } : {}),
      ...(asOf ? { asOf: { at: asOf.at, ok: false, reason } } : {}),
      ...(unknown ? { chainUnavailable: { reason: why } } : {}),
    });
  }
}

/** A verdict for a person: one line per check, with what it found. */
export function verdictLines(v: Verdict): string[] {
  const line = (name: string, ok: boolean, found: string, reason?: string) => `${ok ? "ok  " : "FAIL"} ${name.padEnd(11)} ${ok ? found : (reason ?? "failed")}`;
  const when = (t: number | undefined) => (t !== undefined ? new Date(t * 1000).toISOString() : "?");
  const c = v.authority.credential;
  return [
    line("digest", v.digest.ok, v.digest.computed, v.digest.reason),
    line("signature", v.signature.ok, `by ${v.signature.signer ?? "?"}`, v.signature.reason),
    line("membership", v.membership.ok, `an active key of ${v.membership.orgId} at ${when(v.membership.at)}`, v.membership.reason),
    line("anchor", v.anchor.ok, `block ${v.anchor.blockNumber ?? "?"} at ${when(v.anchor.blockTime)}`, v.anchor.reason),
    line("revocation", v.revocation.ok, v.revocation.reason ?? "not revoked", v.revocation.reason),
    line(
      "authority",
      v.authority.ok,
      c
        ? `holds ${c.kind} (issued by ${c.issuer ?? "the consortium operator"}), as ${v.authority.required} requires`
        : "no credential needed for this record type",
      v.authority.reason,
    ),
    ...(v.completeness
      ? [
          line(
            "complete",
            v.completeness.ok,
            `the hash chain of anchorer ${v.completeness.anchorer ?? "?"} replays to the contract's head`,
            v.completeness.reason,
          ),
        ]
      : []),
    ...(v.asOf ? [line("as of", v.asOf.ok, `valid at ${when(v.asOf.at)}`, v.asOf.reason)] : []),
    ...(v.chainUnavailable ? [`???? chain       could not be read: ${v.chainUnavailable.reason}`] : []),
  ];
}
