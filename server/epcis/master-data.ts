import type { Provider } from "ethers";
import { Router, type RequestHandler } from "express";
import { z } from "zod";
import { readCredentials } from "../../sdk/authority/chain";
import { inForceAt } from "../../sdk/authority/credentials";
import { canonicalJson } from "../../sdk/canonical";
import type { SignedRecord } from "../../sdk/envelope";
import {
  EpcisMasterDataBody,
  MASTER_DATA_ATTRIBUTES,
  MASTER_DATA_VOCABULARIES,
  masterDataRecordId,
  type MasterDataAttribute,
} from "../../sdk/records/epcis-master-data";
import { canonicalGs1Uri } from "../../sdk/epcis/gs1-uri";
import { MDA_PREFIXES, type CountedMasterData, type MasterDataFacts } from "./event-match";
import type { Db, DbProvider } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import { chunks, placeholders, query, type Runner } from "../db/sql";
import { HttpProblem, fromZod } from "../http/problem";
import { callerOf } from "../auth/caller";
import { OPERATOR_ORG_ID } from "../orgs/service";
import type { HubPublisher } from "../records/hub-publisher";
import type { PublishContext, RecordObserver } from "../records/observers";

/** A master data element as captured, before the hub attests it for its capturer. */
export type MasterDataElement = Omit<EpcisMasterDataBody, "capturedBy">;

const MAX_ELEMENTS = 500;

/** The CBV attribute an attribute id names (`urn:epcglobal:cbv:mda:name`, the 1.x `...mda#name`, JSON-LD `cbvmda:name`), if it is one the record lifts. */
function cbvAttribute(id: string): MasterDataAttribute | undefined {
  const p = MDA_PREFIXES.find((x) => id.startsWith(x));
  const local = p ? id.slice(p.length) : undefined;
  return (MASTER_DATA_ATTRIBUTES as readonly string[]).includes(local ?? "") ? (local as MasterDataAttribute) : undefined;
}

const Element = z
  .object({
    id: z.string(),
    attributes: z.array(z.object({ id: z.string(), attribute: z.unknown().optional() }).loose()).optional(),
    children: z.array(z.string()).optional(),
  })
  .loose();
const Vocabulary = z.object({ type: z.string(), vocabularyElementList: z.array(z.unknown()).optional() }).loose();

/**
 * The location and party elements of a capture document's epcisHeader.epcisMasterData (EPCIS 2.0
 * §6.5; CBV 2.0 §10 attributes), or a 400 epcis-validation problem naming the bad one. Vocabularies
 * of other types (EPCClass, ...) are not stored: the hub names locations and parties only.
 */
export function masterDataOf(document: unknown): MasterDataElement[] {
  const header = (document as { epcisHeader?: unknown } | null)?.epcisHeader;
  if (header === undefined) return [];
  const md = (header as { epcisMasterData?: unknown } | null)?.epcisMasterData;
  if (md === undefined) return [];
  const list = (md as { vocabularyList?: unknown } | null)?.vocabularyList;
  const bad = (path: string, message: string) =>
    new HttpProblem(400, "epcis-validation", "Bad request", `epcisHeader.epcisMasterData: ${message}`, [{ path, message }]);
  if (!Array.isArray(list)) throw bad("epcisHeader.epcisMasterData.vocabularyList", "vocabularyList is an array of vocabularies");
  const out: MasterDataElement[] = [];
  list.forEach((raw, v) => {
    const vocab = Vocabulary.safeParse(raw);
    const path = `epcisHeader.epcisMasterData.vocabularyList.${v}`;
    if (!vocab.success) throw bad(path, "a vocabulary has a type and a vocabularyElementList");
    if (!(MASTER_DATA_VOCABULARIES as readonly string[]).includes(vocab.data.type)) return;
    (vocab.data.vocabularyElementList ?? []).forEach((rawEl, e) => {
      const at = `${path}.vocabularyElementList.${e}`;
      const el = Element.safeParse(rawEl);
      if (!el.success) throw bad(at, "a vocabulary element has an id and an attributes array of { id, attribute }");
      const lifted: Partial<Record<MasterDataAttribute, string>> = {};
      for (const a of el.data.attributes ?? []) {
        const key = cbvAttribute(a.id);
        if (key === undefined) continue;
        if (typeof a.attribute !== "string" && typeof a.attribute !== "number") throw bad(at, `${a.id} is a text (or a number)`);
        lifted[key] = String(a.attribute);
      }
      const body = EpcisMasterDataBody.safeParse({
        vocabularyType: vocab.data.type,
        id: el.data.id,
        ...lifted,
        attributes: (el.data.attributes ?? []).map((a) => ({ id: a.id, ...(a.attribute !== undefined ? { attribute: a.attribute } : {}) })),
        ...(el.data.children ? { children: el.data.children } : {}),
      });
      if (!body.success) {
        const issue = body.error.issues[0]!;
        throw bad(`${at}.${issue.path.map(String).join(".")}`, `${el.data.id}: ${issue.message}`);
      }
      out.push(body.data);
    });
  });
  if (out.length > MAX_ELEMENTS) throw bad("epcisHeader.epcisMasterData", `at most ${MAX_ELEMENTS} location and party elements per capture`);
  return out;
}

/** Who stated a master data record: its capturer on a record the hub attested, else its owner. */
const attesterOf = (r: Pick<SignedRecord, "owner" | "body">): string =>
  r.owner === OPERATOR_ORG_ID && typeof r.body.capturedBy === "string" ? r.body.capturedBy : r.owner;

/**
 * Indexes stored EpcisMasterData records by element id (table EpcisMasterData): those the hub attests
 * for an EPCIS client and those a member signs itself (POST /v1/records), by who stated them.
 */
export class MasterDataIndexer implements RecordObserver {
  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const rows = records.filter((r) => r.type === "EpcisMasterData" && r.version === 1).map((r) => [r.id, String(r.body.id), attesterOf(r)]);
    if (rows.length > 0) await insertRows(ctx.tx, ctx.provider, "EpcisMasterData", ["recordId", "elementId", "attester"], rows);
  }
}

type LatestRow = { recordId: string; version: unknown; owner: string; body: string };

/** The latest versions of the master data records stated for `ids`. */
async function latestFor(
  db: Runner,
  provider: DbProvider,
  ids: readonly string[],
): Promise<{ recordId: string; version: number; owner: string; body: EpcisMasterDataBody }[]> {
  const rows: LatestRow[] = [];
  for (const part of chunks(ids))
    rows.push(
      ...(await query<LatestRow>(
        db,
        provider,
        `SELECT v."recordId", v."version", v."owner", v."body" FROM "EpcisMasterData" m JOIN "Record" r ON r."id" = m."recordId" JOIN "RecordVersion" v ON v."recordId" = r."id" AND v."version" = r."latestVersion" WHERE m."elementId" IN (${placeholders(1, part.length)}) ORDER BY v."recordId"`,
        part,
      )),
    );
  return rows.map((r) => ({ recordId: r.recordId, version: Number(r.version), owner: r.owner, body: JSON.parse(r.body) as EpcisMasterDataBody }));
}

/**
 * Stores captured master data as records the hub attests for `orgId` (one record per organisation
 * and element, a new version when what it states changed, nothing when it did not), all or nothing.
 */
export async function storeMasterData(
  db: Db,
  provider: DbProvider,
  publisher: HubPublisher,
  orgId: string,
  elements: readonly MasterDataElement[],
): Promise<void> {
  if (elements.length === 0) return;
  const ids = elements.map((e) => masterDataRecordId(e.vocabularyType, e.id, orgId));
  const held = new Map<string, { version: number; body: string }>();
  const rows = await query<{ id: string; latestVersion: unknown; body: string }>(
    db,
    provider,
    `SELECT r."id", r."latestVersion", v."body" FROM "Record" r JOIN "RecordVersion" v ON v."recordId" = r."id" AND v."version" = r."latestVersion" WHERE r."id" IN (${placeholders(1, ids.length)})`,
    ids,
  );
  for (const r of rows) held.set(r.id, { version: Number(r.latestVersion), body: r.body });
  const drafts = new Map<string, { type: "EpcisMasterData"; id: string; version: number; body: MasterDataElement }>();
  elements.forEach((e, i) => {
    const before = held.get(ids[i]!);
    if (before && canonicalJson(JSON.parse(before.body)) === canonicalJson({ ...e, capturedBy: orgId })) return;
    // The same element twice in one document: the later statement is the one kept.
    drafts.set(ids[i]!, { type: "EpcisMasterData", id: ids[i]!, version: (before?.version ?? 0) + 1, body: e });
  });
  await publisher.attestFor(orgId, [...drafts.values()]);
}

/** The 12 or 13 digits of the GLN an SGLN or PGLN names (URN or GS1 Digital Link /414/, /417/), if it names one. */
export function glnDigits(id: string): string | undefined {
  const urn = /^urn:epc:id:(?:sgln:(\d+)\.(\d*)\.[^.]+|pgln:(\d+)\.(\d*))$/.exec(id);
  if (urn) {
    const digits = (urn[1] ?? urn[3]!) + (urn[2] ?? urn[4]!);
    return digits.length === 12 ? digits : undefined;
  }
  const dl = /^https?:\/\/[^/]+(?:\/[^/]+)*?\/(?:414|417)\/(\d{13})(?:[/?#]|$)/.exec(id);
  return dl?.[1];
}

/** A location's or party's name and address as its owner published them, with the record that says so. */
export interface PublishedPlace {
  name?: string;
  city?: string;
  countryCode?: string;
  attestedBy: string;
  source: { recordId: string; version: number; type: "EpcisMasterData" };
}

/**
 * The names of locations and parties as their owners published them. The owner is an organisation
 * holding a GS1_COMPANY_PREFIX credential in force now whose prefix starts the element's GLN (the
 * company prefix of an SGLN/PGLN URN, the 13 digits of a Digital Link): "a signature says who; the
 * product must also say whether that party may say it". Anyone else's master data names nothing.
 */
export class PlaceNames {
  private readonly prefixes = new Map<string, { until: number; value: Promise<string[]> }>();

  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
    private readonly chain: { provider: Provider; credentialRegistry?: string | undefined },
    private readonly cacheMs = 1000,
  ) {}

  private prefixesOf(orgId: string): Promise<string[]> {
    const now = Date.now();
    const hit = this.prefixes.get(orgId);
    if (hit && hit.until > now) return hit.value;
    const registry = this.chain.credentialRegistry;
    const value = registry
      ? readCredentials(this.chain.provider, registry, orgId, "GS1_COMPANY_PREFIX").then((cs) =>
          cs.filter((c) => inForceAt(c, Math.floor(Date.now() / 1000))).flatMap((c) => (c.scope?.prefixes as string[] | undefined) ?? []),
        )
      : Promise.resolve([]);
    value.catch(() => this.prefixes.delete(orgId));
    this.prefixes.set(orgId, { until: now + this.cacheMs, value });
    if (this.prefixes.size > 10_000) this.prefixes.clear();
    return value;
  }

  /** The GS1 Company Prefixes an organisation holds now (none when unreadable): what partitions a Digital Link's EPC URN (GS1-EPC-Format). */
  companyPrefixes(orgId: string): Promise<string[]> {
    return this.prefixesOf(orgId).catch(() => []);
  }

  /** Whether the element's owner stated it: its attester holds a company prefix in force that starts its GLN. */
  private async ownerStated(r: { owner: string; body: EpcisMasterDataBody }): Promise<boolean> {
    const gln = glnDigits(r.body.id);
    return gln !== undefined && (await this.prefixesOf(attesterOf(r)).catch(() => [] as string[])).some((p) => gln.startsWith(p));
  }

  async of(ids: readonly string[]): Promise<Record<string, PublishedPlace>> {
    const wanted = [...new Set(ids)].filter((id) => glnDigits(id) !== undefined);
    const out: Record<string, PublishedPlace> = {};
    for (const r of await latestFor(this.db, this.provider, wanted)) {
      const by = attesterOf(r);
      if (out[r.body.id] || !(await this.ownerStated(r))) continue;
      out[r.body.id] = {
        ...(r.body.name ? { name: r.body.name } : {}),
        ...(r.body.city ? { city: r.body.city } : {}),
        ...(r.body.countryCode ? { countryCode: r.body.countryCode } : {}),
        attestedBy: by,
        source: { recordId: r.recordId, version: r.version, type: "EpcisMasterData" },
      };
    }
    return out;
  }

  /**
   * The master data a query of `caller` counts for these elements (EPCIS query WD_, HASATTR_,
   * EQATTR_): the owner's statements and the caller's own, merged per element and keyed by its
   * canonical id (a URN and its Digital Link are one element). Other organisations' statements are
   * left out, so they can never change which events a query returns. Read on `db`: the query's
   * runner (a stream subscription's is the capture's transaction).
   */
  async counted(caller: string, ids: readonly string[], db: Runner = this.db): Promise<CountedMasterData> {
    const forms = [...new Set(ids.flatMap((id) => [id, canonicalGs1Uri(id)]))];
    const out = new Map<string, MasterDataFacts>();
    for (const r of await latestFor(db, this.provider, forms)) {
      if (attesterOf(r) !== caller && !(await this.ownerStated(r))) continue;
      const key = canonicalGs1Uri(r.body.id);
      const held = out.get(key) ?? { attributes: [], children: [] };
      held.attributes.push(...r.body.attributes);
      held.children.push(...(r.body.children ?? []).filter((c) => !held.children.includes(c)));
      out.set(key, held);
    }
    return out;
  }
}

export const MasterDataQuerySchema = z
  .object({ id: z.string().min(1).max(512).describe("The URN or GS1 Digital Link URI of a location (SGLN) or party (PGLN)") })
  .strict();

const PublishedPlaceSchema = z.object({
  name: z.string().optional(),
  city: z.string().optional(),
  countryCode: z.string().optional(),
  attestedBy: z.string(),
  source: z.object({ recordId: z.string(), version: z.number().int(), type: z.literal("EpcisMasterData") }),
});

export const MasterDataAnswerSchema = z.object({
  id: z.string(),
  /** The name and address the location's owner published (what the consumer's page shows), if any. */
  ownerPublished: PublishedPlaceSchema.optional(),
  /** The statements the caller may read: the owner's and the caller's own (latest versions). */
  // body: the EpcisMasterData record's body (sdk/records/epcis-master-data.ts), as stored.
  statements: z.array(
    z.object({ recordId: z.string(), version: z.number().int(), attester: z.string(), ownerPublished: z.boolean(), body: z.record(z.string(), z.unknown()) }),
  ),
});
export type MasterDataAnswer = z.infer<typeof MasterDataAnswerSchema>;

/**
 * GET /v1/master-data?id=: the master data stated for one location or party that the caller may
 * read: its owner's (public: the page shows it) and the caller's own. Other organisations'
 * statements answer as if there were none (each one's holder reads it at /v1/records/{id} too).
 */
export function masterDataRoutes(deps: { db: Db; provider: DbProvider; auth: RequestHandler; places: PlaceNames }): Router {
  const router = Router();
  router.get("/v1/master-data", deps.auth, async (req, res) => {
    const parsed = MasterDataQuerySchema.safeParse(req.query);
    if (!parsed.success)
      throw fromZod("invalid-master-data-query", "id is the URN or Digital Link URI of a location or party (at most 512 characters).", parsed.error);
    const { id } = parsed.data;
    const caller = callerOf(req).orgId;
    const owner = (await deps.places.of([id]))[id];
    const rows = (await latestFor(deps.db, deps.provider, [id])).filter((r) => r.recordId === owner?.source.recordId || attesterOf(r) === caller);
    const answer: MasterDataAnswer = {
      id,
      ...(owner ? { ownerPublished: owner } : {}),
      statements: rows.map((r) => ({
        recordId: r.recordId,
        version: r.version,
        attester: attesterOf(r),
        ownerPublished: r.recordId === owner?.source.recordId,
        body: r.body,
      })),
    };
    res.json(answer);
  });
  return router;
}
