import { merkleLeaf } from "../../sdk/merkle";
import { digitalLinkPath } from "../../sdk/provenance/digital-link";
import { formatAwb, type ResolvedRecord } from "../../sdk/resolve";
import type { AnchorProof } from "../../sdk/envelope";
import type { ProofService } from "../anchoring/proofs";
import type { Db, DbProvider } from "../db/client";
import { asNumber, placeholders, query } from "../db/sql";
import { HttpProblem } from "../http/problem";
import type { OneRecordIris } from "../one-record/iris";
import { AWB } from "./keys";

const ID_GS1 = "https://id.gs1.org";
const SSCC = /^https:\/\/id\.gs1\.org\/00\/(\d{18})$/;

export interface DescribeDeps {
  db: Db;
  provider: DbProvider;
  iris: OneRecordIris;
  proofs: ProofService;
}

/** One record to describe: the version named (else the latest), and whether the caller reads its whole body. */
export interface Shown {
  recordId: string;
  version?: number;
  wholeBody: boolean;
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** The proof the record's proof endpoint serves, or nothing while the version awaits its batch. */
async function proofOf(proofs: ProofService, digest: string): Promise<AnchorProof | undefined> {
  try {
    return await proofs.proofOf(digest);
  } catch (e) {
    if (e instanceof HttpProblem && (e.status === 409 || e.status === 404)) return undefined;
    throw e;
  }
}

/**
 * Every identifier of each record (which the caller may read: the caller checked), from the
 * indexes that hold them. Identifiers from a record's body (EPCIS, GS1 codes, air waybill numbers)
 * only where the caller reads the whole body: a field-level grant shows none of them.
 */
export async function describe(deps: DescribeDeps, shown: readonly Shown[]): Promise<ResolvedRecord[]> {
  if (shown.length === 0) return [];
  const { db, provider, iris } = deps;
  const ids = shown.map((s) => s.recordId);
  const inList = placeholders(1, ids.length);
  const headers = new Map(
    (
      await query<{ id: string; type: string; owner: string; latestVersion: unknown }>(
        db,
        provider,
        `SELECT "id", "type", "owner", "latestVersion" FROM "Record" WHERE "id" IN (${inList})`,
        ids,
      )
    ).map((h) => [h.id, { ...h, latestVersion: asNumber(h.latestVersion) }]),
  );
  const wanted = shown.flatMap((s) => {
    const h = headers.get(s.recordId);
    return h ? [`${s.recordId}@${s.version ?? h.latestVersion}`] : [];
  });
  const digests = new Map(
    wanted.length === 0
      ? []
      : (
          await query<{ id: string; digest: string }>(
            db,
            provider,
            `SELECT "id", "digest" FROM "RecordVersion" WHERE "id" IN (${placeholders(1, wanted.length)})`,
            wanted,
          )
        ).map((v) => [v.id, v.digest]),
  );

  const whole = shown.filter((s) => s.wholeBody).map((s) => s.recordId);
  const wholeList = placeholders(1, whole.length);
  const group = <R extends { recordId: string }>(rows: R[]) => {
    const out = new Map<string, R[]>();
    for (const r of rows) out.set(r.recordId, [...(out.get(r.recordId) ?? []), r]);
    return out;
  };
  const none = whole.length === 0;
  const events = new Map(
    none
      ? []
      : (
          await query<{ recordId: string; eventId: string | null; eventHash: string }>(
            db,
            provider,
            `SELECT "recordId", "eventId", "eventHash" FROM "EpcisEvent" WHERE "recordId" IN (${wholeList})`,
            whole,
          )
        ).map((e) => [e.recordId, e]),
  );
  const epcs = group(
    none
      ? []
      : await query<{ recordId: string; epc: string; canonical: string; gtin: string | null }>(
          db,
          provider,
          `SELECT "recordId", "epc", "canonical", "gtin" FROM "EpcisEventEpc" WHERE "recordId" IN (${wholeList})`,
          whole,
        ),
  );
  const codes = group(
    none
      ? []
      : await query<{ recordId: string; gtin: string; lot: string; serial: string }>(
          db,
          provider,
          `SELECT DISTINCT "recordId", "gtin", "lot", "serial" FROM "ProductIndex" WHERE "recordId" = "source" AND "recordId" IN (${wholeList})`,
          whole,
        ),
  );
  const awbs = group(
    none
      ? []
      : await query<{ recordId: string; value: string }>(
          db,
          provider,
          `SELECT "recordId", "value" FROM "ResolveKey" WHERE "kind" = '${AWB}' AND "recordId" IN (${wholeList})`,
          whole,
        ),
  );
  const waybillNumbers = new Map(
    (none
      ? []
      : await query<{ recordId: string; waybillNumber: string }>(
          db,
          provider,
          `SELECT "recordId", "waybillNumber" FROM "ContainmentWaybill" WHERE "validTo" IS NULL AND "recordId" IN (${wholeList})`,
          whole,
        )
    ).map((w) => [w.recordId, w.waybillNumber]),
  );

  const out: ResolvedRecord[] = [];
  for (const s of shown) {
    const h = headers.get(s.recordId);
    const version = s.version ?? h?.latestVersion;
    const digest = digests.get(`${s.recordId}@${version}`);
    if (!h || version === undefined || digest === undefined) continue;
    const event = events.get(s.recordId);
    const eventEpcs = epcs.get(s.recordId) ?? [];
    const productLinks = (codes.get(s.recordId) ?? []).map(
      (c) => ID_GS1 + digitalLinkPath({ gtin: c.gtin, ...(c.lot ? { lot: c.lot } : {}), ...(c.serial ? { serial: c.serial } : {}) }),
    );
    const links = sorted([...productLinks, ...eventEpcs.map((e) => e.canonical).filter((c) => c.startsWith(`${ID_GS1}/`))]);
    const iri = h.type === "LogisticsObject" ? iris.object(h.id) : undefined;
    const proof = await proofOf(deps.proofs, digest);
    const path = `/v1/records/${encodeURIComponent(h.id)}`;
    out.push({
      id: h.id,
      type: h.type,
      owner: h.owner,
      version,
      latestVersion: h.latestVersion,
      digest,
      merkleLeaf: merkleLeaf(digest),
      ...(iri ? { oneRecordIri: iri } : {}),
      ...(event ? { epcis: { eventID: event.eventId, eventHash: event.eventHash, epcs: sorted(eventEpcs.map((e) => e.epc)) } } : {}),
      digitalLinks: links,
      gtins: sorted([...(codes.get(s.recordId) ?? []).map((c) => c.gtin), ...eventEpcs.flatMap((e) => (e.gtin ? [e.gtin] : []))]),
      ssccs: sorted(links.flatMap((l) => SSCC.exec(l)?.slice(1, 2) ?? [])),
      airWaybillNumbers: sorted((awbs.get(s.recordId) ?? []).map((a) => formatAwb(a.value))),
      ...(waybillNumbers.has(s.recordId) ? { waybillNumber: waybillNumbers.get(s.recordId)! } : {}),
      links: {
        record: `${path}?version=${version}`,
        proof: `${path}/proof?version=${version}`,
        ...(iri ? { oneRecord: iri } : {}),
        ...(event ? { epcis: `/epcis/events/${encodeURIComponent(event.eventHash)}` } : {}),
      },
      ...(proof ? { proof } : {}),
    });
  }
  return out;
}
