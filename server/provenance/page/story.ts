import type { Provider } from "ethers";
import type { AnchorProof, SignedRecord } from "../../../sdk/envelope";
import { partnersOf, productAuthority, speakerKind } from "../../../sdk/provenance/attesters";
import { digitalLinkPath, type ProductCode } from "../../../sdk/provenance/digital-link";
import type { CertificationStatus, ProductStory, PublicCertifications, StoryScans, StoryStep } from "../../../sdk/provenance/story";
import { PUBLIC_FIELDS, isRecordType } from "../../../sdk/records";
import type { CertificationBody } from "../../../sdk/records/certification";
import type { EpcisEventBody } from "../../../sdk/records/epcis-event";
import type { ProductBatchBody } from "../../../sdk/records/product-batch";
import type { Role } from "../../../sdk/roles";
import { redact } from "../../../sdk/redact";
import type { ProofService } from "../../anchoring/proofs";
import type { Db, DbProvider } from "../../db/client";
import { asDate, placeholders, query } from "../../db/sql";
import { HttpProblem } from "../../http/problem";
import { storedRecord, type StoredVersionRow } from "../../records/service";
import { cbvWord } from "./cbv";
import { scanKey } from "./code-key";
import { deriveFacts } from "./facts";
import { applyErrorDeclarations } from "./corrections";
import { RevocationReader, type Revocation } from "./revocations";
import { VerdictCache } from "./verdicts";
import { PlaceNames } from "../../epcis/master-data";

export interface StoryOptions {
  db: Db;
  provider: DbProvider;
  proofs: ProofService;
  /** `fromBlock`: the registries' deployment block, where every log search starts. */
  chain: {
    provider: Provider;
    chainId: number;
    participantRegistry: string;
    anchorRegistry: string;
    fromBlock: number;
    credentialRegistry?: string | undefined;
  };
  publicUrl: string;
  /** The RPC URL consumers' browsers verify against. */
  publicRpcUrl: string;
  /** e.g. "https://explorer.example/tx/{tx}". */
  explorerTxUrl?: string;
  /** How long a revocation reading is reused (default 1 s). */
  revocationMaxAgeMs?: number;
  /** How long an assembled story is reused (default 1 s; 0: assembled for every request). */
  storyMaxAgeMs?: number;
}

const MAX_CACHED = 100_000;

/** A story without its scans (which change with every view). */
export type StoryBase = Omit<ProductStory, "scans" | "generatedAt">;

/** The record with only its type's PUBLIC_FIELDS visible (a type without an entry shows nothing). */
export function publicOnly(record: SignedRecord): SignedRecord {
  const shown = new Set(isRecordType(record.type) ? (PUBLIC_FIELDS[record.type] ?? []) : []);
  const hide = Object.keys(record.body).filter((f) => !shown.has(f));
  return hide.length > 0 ? redact(record, hide) : record;
}

/** When a step happened, as its record says; else when it was published. */
function stepTime(record: SignedRecord, publishedAt: Date): string {
  const b = record.body;
  const t =
    record.type === "EpcisEvent"
      ? b.eventTime
      : record.type === "ProductBatch"
        ? b.productionDate
        : record.type === "Certification"
          ? b.validFrom
          : record.type === "CustomsDecision"
            ? b.decidedAt
            : record.type === "LogisticsEvent"
              ? b.eventDate
              : undefined;
  return typeof t === "string" && !Number.isNaN(Date.parse(t)) ? t : publishedAt.toISOString();
}

/** A language-neutral word for the step (the page translates it). */
function stepSummary(record: SignedRecord): string {
  if (record.type === "ProductBatch") return "production";
  if (record.type === "Certification") return "certification";
  if (record.type === "CustomsDecision") return "customs";
  if (record.type === "EpcisEvent") {
    const b = record.body as EpcisEventBody;
    return cbvWord(b.bizStep) ?? "event";
  }
  return "record";
}

function certificationStatus(body: CertificationBody, revocation: Revocation | undefined, today: string): CertificationStatus {
  if (revocation?.revoked)
    return {
      status: "revoked",
      ...(revocation.revokedAt ? { revokedAt: new Date(revocation.revokedAt * 1000).toISOString() } : {}),
      ...(revocation.reason !== undefined ? { revocationReason: revocation.reason } : {}),
    };
  if (body.validFrom > today) return { status: "not-yet-valid" };
  if (body.validUntil < today) return { status: "expired" };
  return { status: "valid" };
}

/**
 * Assembles a product code's public story: the records the product index ties to the code (latest
 * versions), each redacted to its public fields with its anchor proof, the hub's verdict and, for
 * certifications, their on-chain revocation status read now (reused for about a second at most).
 * Proofs and organisation names are cached; verdicts as VerdictCache says.
 */
export class StoryService {
  private readonly names = new Map<string, string>();
  private readonly anchored = new Map<string, AnchorProof>();
  private readonly bases = new Map<string, { at: number; value: Promise<StoryBase | undefined> }>();
  private readonly forms = new Map<
    string,
    { body: string; salts: string; digest: string; forms: { record: SignedRecord; shown: SignedRecord; computed: string | undefined } }
  >();
  readonly verdicts: VerdictCache;
  readonly revocations: RevocationReader;
  private readonly places: PlaceNames;

  constructor(private readonly opts: StoryOptions) {
    const { chain } = opts;
    this.places = new PlaceNames(opts.db, opts.provider, chain, opts.revocationMaxAgeMs ?? 1000);
    const contracts = { participantRegistry: chain.participantRegistry, anchorRegistry: chain.anchorRegistry };
    this.verdicts = new VerdictCache(chain.provider, contracts, chain.fromBlock);
    this.revocations = new RevocationReader(chain.provider, chain.anchorRegistry, { fromBlock: chain.fromBlock, maxAgeMs: opts.revocationMaxAgeMs ?? 1000 });
  }

  /**
   * The latest versions of the records tied to `code`, its ProductBatch and the GTIN's owner (the
   * brand); undefined if the code is unknown.
   */
  private async recordsOf(code: ProductCode): Promise<{ rows: StoredVersionRow[]; batch: StoredVersionRow; brand: string } | undefined> {
    const { db, provider } = this.opts;
    // One statement: the latest versions of the records the index ties to the code.
    let where: string;
    let params: string[];
    if (code.serial !== undefined) {
      // The item's own records, and its batch's (the lots that list the serial).
      where = `"gtin" = $1 AND ("serial" = $2 OR ("serial" = '' AND ("lot" = '' OR "lot" IN (SELECT "lot" FROM "ProductCodeSerial" WHERE "gtin" = $1 AND "serial" = $2))))`;
      params = [code.gtin, code.serial];
    } else if (code.lot !== undefined) {
      where = `"gtin" = $1 AND "serial" = '' AND "lot" IN ('', $2)`;
      params = [code.gtin, code.lot];
    } else {
      // The trade item: what names the GTIN itself, and its batches.
      where = `"gtin" = $1 AND "serial" = '' AND ("lot" = '' OR EXISTS (SELECT 1 FROM "Record" b WHERE b."id" = "ProductIndex"."recordId" AND b."type" = 'ProductBatch'))`;
      params = [code.gtin];
    }
    const [owner] = await query<{ owner: string }>(db, provider, `SELECT "owner" FROM "GtinOwner" WHERE "gtin" = $1`, [code.gtin]);
    if (!owner) return undefined;
    const brand = owner.owner;
    const rows = await query<StoredVersionRow>(
      db,
      provider,
      `SELECT v."recordId", v."version", v."type", v."owner", v."body", v."salts", v."digest", v."signature", v."publishedAt"
         FROM "Record" r JOIN "RecordVersion" v ON v."recordId" = r."id" AND v."version" = r."latestVersion"
        WHERE r."id" IN (SELECT "recordId" FROM "ProductIndex" WHERE ${where})`,
      params,
    );
    // The product is the first batch published under the code (a later one naming it cannot take it over).
    const batches = rows
      .filter((r) => r.type === "ProductBatch" && r.owner === brand)
      .filter((r) => {
        const b = this.formsOf(r).record.body as ProductBatchBody;
        if (b.gtin !== code.gtin) return false;
        if (code.serial !== undefined) return (b.serials ?? []).includes(code.serial);
        return code.lot === undefined || b.lot === code.lot;
      })
      .sort((a, b) => asDate(a.publishedAt)!.getTime() - asDate(b.publishedAt)!.getTime());
    const batch = batches[0];
    return batch ? { rows, batch, brand } : undefined;
  }

  /**
   * A stored version's record, its public form and the digest of its content, computed once and
   * kept while the stored row is unchanged (a row changed behind the hub's back is read afresh).
   */
  private formsOf(row: StoredVersionRow): { record: SignedRecord; shown: SignedRecord; computed: string | undefined } {
    const key = `${row.recordId}@${String(row.version)}`;
    const hit = this.forms.get(key);
    if (hit && hit.body === row.body && hit.salts === row.salts && hit.digest === row.digest) return hit.forms;
    const record = storedRecord({ ...row, version: Number(row.version) });
    const forms = { record, shown: publicOnly(record), computed: this.verdicts.contentDigest(key, row.body, row.salts, record) };
    this.forms.set(key, { body: row.body, salts: row.salts, digest: row.digest, forms });
    if (this.forms.size > MAX_CACHED) this.forms.delete(this.forms.keys().next().value!);
    return forms;
  }

  private async namesOf(orgIds: string[]): Promise<Map<string, string>> {
    const missing = [...new Set(orgIds)].filter((id) => !this.names.has(id));
    if (missing.length > 0) {
      const found = await query<{ id: string; name: string }>(
        this.opts.db,
        this.opts.provider,
        `SELECT "id", "name" FROM "Organization" WHERE "id" IN (${placeholders(1, missing.length)})`,
        missing,
      );
      for (const f of found) this.names.set(f.id, f.name);
      if (this.names.size > MAX_CACHED) this.names.clear();
    }
    return new Map(orgIds.map((id) => [id, this.names.get(id) ?? id]));
  }

  /** The proof of an anchored digest (cached: anchoring is final), null while pending. */
  private async proofOf(digest: string): Promise<AnchorProof | null> {
    const hit = this.anchored.get(digest);
    if (hit) return hit;
    try {
      const proof = await this.opts.proofs.proofOf(digest);
      this.anchored.set(digest, proof);
      if (this.anchored.size > MAX_CACHED) this.anchored.delete(this.anchored.keys().next().value!);
      return proof;
    } catch (err) {
      if (err instanceof HttpProblem && (err.status === 409 || err.status === 404)) return null;
      throw err;
    }
  }

  private async revocationOf(owner: string, digest: string): Promise<Revocation | undefined> {
    try {
      return await this.revocations.status(owner, digest);
    } catch {
      return undefined; // the chain did not answer: the verdict says so
    }
  }

  private txUrl(txHash: string | undefined): string | undefined {
    const template = this.opts.explorerTxUrl;
    return txHash && template ? template.replace("{tx}", txHash) : undefined;
  }

  /**
   * The steps of `code` in time order (only those of parties that may speak about it, each with its
   * kind of attester), the brand and its partners; undefined for an unknown code.
   */
  private async steps(
    code: ProductCode,
  ): Promise<{ steps: StoryStep[]; batch: StoryStep; brand: string; partners: ProductStory["product"]["partners"] } | undefined> {
    const found = await this.recordsOf(code);
    if (!found) return undefined;
    const { brand } = found;
    const today = new Date().toISOString().slice(0, 10);
    const all = found.rows.map((row) => ({ row, ...this.formsOf(row) }));
    const batches = all
      .filter(({ record }) => record.type === "ProductBatch" && (record.body as ProductBatchBody).gtin === code.gtin)
      .map(({ record }) => record);
    const authority = productAuthority(brand, batches);
    // Who may speak about the product (attesters.ts): everyone else's records never appear.
    const kinds = new Map(
      all.flatMap(({ record }) => {
        const kind = speakerKind(record, authority);
        return kind ? [[record.id, kind] as const] : [];
      }),
    );
    const parsed = all.filter(({ record }) => kinds.has(record.id));
    const partnerRoles = new Map<string, Role | undefined>();
    for (const b of batches) if (b.owner === brand) for (const p of partnersOf(b.body)) if (!partnerRoles.has(p.org)) partnerRoles.set(p.org, p.role);
    const names = await this.namesOf([
      brand,
      ...partnerRoles.keys(),
      ...parsed.flatMap(({ record }) => {
        const by = record.type === "EpcisEvent" ? (record.body as EpcisEventBody).capturedBy : undefined;
        return by ? [record.owner, by] : [record.owner];
      }),
    ]);
    const judged = await Promise.all(
      parsed.map(async ({ row, record, shown, computed }): Promise<StoryStep | undefined> => {
        const kind = kinds.get(record.id)!;
        const [proof, revocation] = await Promise.all([this.proofOf(record.digest), this.revocationOf(record.owner, record.digest)]);
        const { verdict, authorityRefused } = await this.verdicts.verdict(shown, computed, proof, revocation);
        // A certifier speaks only with its accreditation: the hub refuses a certification without it
        // today; one stored before that check, which the chain says lacked it, is left out too.
        if (kind === "certifier" && authorityRefused) return undefined;
        const capturedBy = record.type === "EpcisEvent" ? (record.body as EpcisEventBody).capturedBy : undefined;
        const txUrl = this.txUrl(proof?.txHash);
        return {
          recordId: record.id,
          version: record.version,
          type: record.type,
          time: stepTime(record, asDate(row.publishedAt)!),
          summary: stepSummary(record),
          // A hub-attested event: the hub attests, for its capturer (whose kind it is).
          attestedBy: { orgId: record.owner, name: names.get(record.owner)!, kind: capturedBy ? "hub" : kind },
          ...(capturedBy ? { capturedBy: { orgId: capturedBy, name: names.get(capturedBy)!, kind } } : {}),
          record: shown,
          proof,
          ...(txUrl ? { txUrl } : {}),
          verdict,
          ...(record.type === "Certification" ? { certification: certificationStatus(record.body as CertificationBody, revocation, today) } : {}),
        };
      }),
    );
    const steps = applyErrorDeclarations(judged.filter((s): s is StoryStep => s !== undefined));
    steps.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.recordId.localeCompare(b.recordId));
    const batch = steps.find((s) => s.recordId === found.batch.recordId)!;
    const partners = [...partnerRoles].map(([orgId, role]) => ({ orgId, name: names.get(orgId)!, ...(role ? { role } : {}) }));
    return { steps, batch, brand, partners };
  }

  /**
   * Everything of `code`'s story but its scans, or undefined for an unknown code. Assembled at most
   * once per `storyMaxAgeMs` per code (concurrent requests share one assembly), so the page is at
   * most that far behind the database, like the revocation readings.
   */
  base(code: ProductCode): Promise<StoryBase | undefined> {
    const maxAge = this.opts.storyMaxAgeMs ?? 1000;
    if (maxAge <= 0) return this.assemble(code);
    const key = scanKey(code);
    const now = Date.now();
    const hit = this.bases.get(key);
    if (hit && now - hit.at <= maxAge) return hit.value;
    const value = this.assemble(code);
    this.bases.set(key, { at: now, value });
    // An unknown code is not remembered: a batch published a moment ago must show on the next scan.
    const forget = () => {
      if (this.bases.get(key)?.value === value) this.bases.delete(key);
    };
    value.then((v) => (v === undefined ? forget() : undefined), forget);
    if (this.bases.size > 10_000) for (const [k, b] of this.bases) if (now - b.at > maxAge) this.bases.delete(k);
    return value;
  }

  private async assemble(code: ProductCode): Promise<StoryBase | undefined> {
    const found = await this.steps(code);
    if (!found) return undefined;
    const { steps, batch, partners } = found;
    const { chain } = this.opts;
    // The locations the events name, by the names their owners published (EPCIS master data).
    const where = steps
      .flatMap((s) => (s.type === "EpcisEvent" ? [s.record.body.readPoint, s.record.body.bizLocation] : []))
      .filter((w): w is string => typeof w === "string");
    const places = await this.places.of(where);
    return {
      code,
      uri: this.opts.publicUrl + digitalLinkPath(code),
      product: {
        brandOwner: batch.attestedBy,
        partners,
        source: { recordId: batch.recordId, version: batch.version, type: batch.type },
        fields: batch.record.body,
      },
      facts: deriveFacts(steps),
      steps,
      ...(Object.keys(places).length > 0 ? { places } : {}),
      chain: {
        chainId: chain.chainId,
        participantRegistry: chain.participantRegistry,
        anchorRegistry: chain.anchorRegistry,
        fromBlock: chain.fromBlock,
        rpcUrl: this.opts.publicRpcUrl,
      },
    };
  }

  /** The public story of `code`, or undefined for an unknown code; `scans` is asked only for a known code. */
  async story(code: ProductCode, scans: () => Promise<StoryScans>): Promise<ProductStory | undefined> {
    const base = await this.base(code);
    return base ? { ...base, scans: await scans(), generatedAt: new Date().toISOString() } : undefined;
  }

  /** The certifications naming `code`, with their status; undefined for an unknown code. */
  async certifications(code: ProductCode): Promise<PublicCertifications | undefined> {
    const base = await this.base(code);
    if (!base) return undefined;
    return {
      code,
      certifications: base.steps
        .filter((s) => s.type === "Certification" && s.certification)
        .map((s) => ({
          recordId: s.recordId,
          version: s.version,
          issuer: s.attestedBy,
          fields: s.record.body,
          status: s.certification!.status,
          ...(s.certification!.revokedAt ? { revokedAt: s.certification!.revokedAt } : {}),
          ...(s.certification!.revocationReason !== undefined ? { revocationReason: s.certification!.revocationReason } : {}),
        })),
    };
  }
}
